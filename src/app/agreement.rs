//! The agreement as a document: the PDF of each version, fixed at its first
//! signature, and the record of which document each signature was given on.
//!
//! What is signed is the agreement itself (the parties, the terms, the
//! articles). At the first signature of a version its PDF is generated in
//! each language and stored byte for byte with its SHA-256; later signatures
//! of that version, and every download, use the stored bytes. The signature
//! page, which changes as signatures arrive, is appended to the stored bytes
//! as an incremental update: the signed document is the head of the file
//! downloaded, unchanged, and its hash can be checked on it.

use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::app::placements::{visible, Loaded};
use crate::app::AppState;
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::placement::{AgreementKind, AgreementLanguage, AgreementTerms, Party};
use crate::domain::{OfferKind, ViolationCode, WorkMode};
use crate::error::{parse_stored as parse, ApiError};
use crate::pdf::{self, Block};
use crate::store::placements::{self as store, PartiesRow};

/// The articles as shipped, used when the configured directory has no file
/// for a kind and language.
fn embedded_template(kind: AgreementKind, language: AgreementLanguage) -> &'static str {
    match (kind, language) {
        (AgreementKind::ConventionDeStage, AgreementLanguage::Fr) => {
            include_str!("../../templates/agreements/convention_de_stage.fr.md")
        }
        (AgreementKind::ConventionDeStage, AgreementLanguage::En) => {
            include_str!("../../templates/agreements/convention_de_stage.en.md")
        }
        (AgreementKind::WorkStudyContract, AgreementLanguage::Fr) => {
            include_str!("../../templates/agreements/work_study_contract.fr.md")
        }
        (AgreementKind::WorkStudyContract, AgreementLanguage::En) => {
            include_str!("../../templates/agreements/work_study_contract.en.md")
        }
    }
}

/// The articles for a kind and language: `{kind}.{language}.md` in the
/// configured directory when it is there, so that an admin replaces them
/// without a rebuild, else the embedded copy. Versions already signed keep
/// the articles they were signed with (their bytes are stored).
fn template(directory: Option<&Path>, kind: AgreementKind, language: AgreementLanguage) -> String {
    directory
        .map(|dir| dir.join(format!("{kind}.{language}.md")))
        .and_then(|file| std::fs::read_to_string(file).ok())
        .unwrap_or_else(|| embedded_template(kind, language).to_owned())
}

/// The lowercase hexadecimal SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn date(day: NaiveDate, language: AgreementLanguage) -> String {
    let month = usize::try_from(day.month0()).unwrap_or(0);
    match language {
        AgreementLanguage::Fr => {
            let first = if day.day() == 1 { "1er".to_owned() } else { day.day().to_string() };
            format!("{first} {} {}", MONTHS_FR[month], day.year())
        }
        AgreementLanguage::En => format!("{} {} {}", day.day(), MONTHS_EN[month], day.year()),
    }
}

fn date_time(at: NaiveDateTime, language: AgreementLanguage) -> String {
    let time = at.format("%H:%M:%S");
    match language {
        AgreementLanguage::Fr => format!("{} à {time} UTC", date(at.date(), language)),
        AgreementLanguage::En => format!("{} at {time} UTC", date(at.date(), language)),
    }
}

/// Thousands grouped as each language writes them: a narrow no-break space in
/// French, a comma in English.
fn amount(value: u32, language: AgreementLanguage) -> String {
    let digits = value.to_string();
    let separator = match language {
        AgreementLanguage::Fr => "\u{202f}",
        AgreementLanguage::En => ",",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// The weekly hours as the position's table says them, and as the articles'
/// `{weekly_hours}` does.
fn weekly_hours(terms: &AgreementTerms, language: AgreementLanguage) -> (String, String) {
    match (terms.weekly_hours, language) {
        (Some(hours), AgreementLanguage::Fr) => {
            (format!("{hours}\u{a0}heures par semaine"), format!("de {hours}\u{a0}heures"))
        }
        (Some(hours), AgreementLanguage::En) => (format!("{hours} hours a week"), format!("{hours} hours")),
        (None, AgreementLanguage::Fr) => {
            ("celle de l’organisme d’accueil, dans la limite légale".into(), "celle de l’organisme d’accueil".into())
        }
        (None, AgreementLanguage::En) => {
            ("the host organisation's, within the legal limit".into(), "those of the host organisation".into())
        }
    }
}

fn stipend(terms: &AgreementTerms, language: AgreementLanguage) -> (String, String) {
    match (terms.monthly_stipend_mad, language) {
        (Some(value), AgreementLanguage::Fr) => (
            format!("{}\u{a0}MAD par mois", amount(value, language)),
            format!(
                "L’organisme d’accueil verse une gratification mensuelle de {}\u{a0}MAD pendant toute la durée prévue.",
                amount(value, language)
            ),
        ),
        (Some(value), AgreementLanguage::En) => (
            format!("MAD {} per month", amount(value, language)),
            format!(
                "The host organisation pays a monthly stipend of MAD {} for the whole planned duration.",
                amount(value, language)
            ),
        ),
        (None, AgreementLanguage::Fr) => {
            ("aucune".into(), "Le présent engagement ne prévoit pas de gratification.".into())
        }
        (None, AgreementLanguage::En) => ("none".into(), "This agreement provides for no stipend.".into()),
    }
}

fn work_mode(mode: WorkMode, language: AgreementLanguage) -> &'static str {
    match (mode, language) {
        (WorkMode::OnSite, AgreementLanguage::Fr) => "sur site",
        (WorkMode::Hybrid, AgreementLanguage::Fr) => "hybride",
        (WorkMode::Remote, AgreementLanguage::Fr) => "à distance",
        (WorkMode::OnSite, AgreementLanguage::En) => "on site",
        (WorkMode::Hybrid, AgreementLanguage::En) => "hybrid",
        (WorkMode::Remote, AgreementLanguage::En) => "remote",
    }
}

fn offer_kind(kind: &str, language: AgreementLanguage) -> &'static str {
    match (kind.parse::<OfferKind>(), language) {
        (Ok(OfferKind::WorkStudy), AgreementLanguage::Fr) => "alternance",
        (Ok(OfferKind::WorkStudy), AgreementLanguage::En) => "work-study",
        (_, AgreementLanguage::Fr) => "stage",
        (_, AgreementLanguage::En) => "internship",
    }
}

fn party_label(party: Party, language: AgreementLanguage) -> &'static str {
    match (party, language) {
        (Party::Student, AgreementLanguage::Fr) => "L’étudiant·e",
        (Party::School, AgreementLanguage::Fr) => "L’établissement d’enseignement",
        (Party::Organisation, AgreementLanguage::Fr) => "L’organisme d’accueil",
        (Party::Student, AgreementLanguage::En) => "The student",
        (Party::School, AgreementLanguage::En) => "The school",
        (Party::Organisation, AgreementLanguage::En) => "The host organisation",
    }
}

/// What one version's document is made of.
pub(super) struct DocumentInput<'a> {
    pub placement_id: i64,
    pub version: i32,
    pub kind: AgreementKind,
    pub terms: &'a AgreementTerms,
    pub parties: &'a PartiesRow,
    /// The display name of the school's designated approver, if any.
    pub school_approver: Option<String>,
}

/// The name of the approver the terms designate, read when the document is
/// written (a designated account that no longer exists reads as none).
fn approver_name(conn: &mut DbConnection, terms: &AgreementTerms) -> Result<Option<String>, ApiError> {
    let Some(id) = terms.school_approver_id else { return Ok(None) };
    Ok(store::account_names(conn, &[id])?.into_iter().next().map(|(_, name)| name))
}

/// Who approves for the school, as the parties page and the articles say it.
fn school_approver(input: &DocumentInput, language: AgreementLanguage) -> (String, String) {
    match (&input.school_approver, language) {
        (Some(name), _) => (name.clone(), name.clone()),
        (None, AgreementLanguage::Fr) => {
            ("le service des stages de l’établissement".into(), "son service des stages".into())
        }
        (None, AgreementLanguage::En) => ("the school's career office".into(), "its career office".into()),
    }
}

/// The agreement of one version in one language, as blocks: the parties and
/// the terms, then the articles of the template with their fields filled.
fn compose(input: &DocumentInput, language: AgreementLanguage, articles: &str) -> Vec<Block> {
    let fr = language == AgreementLanguage::Fr;
    let (p, t) = (input.parties, input.terms);
    let student = format!("{} {}", p.first_name, p.last_name);
    let days = (t.end_date - t.start_date).num_days() + 1;
    let (stipend_value, stipend_clause) = stipend(t, language);
    let (weekly_hours_value, weekly_hours_clause) = weekly_hours(t, language);
    let (approver_value, approver_clause) = school_approver(input, language);
    let title = match (input.kind, fr) {
        (AgreementKind::ConventionDeStage, true) => "Convention de stage",
        (AgreementKind::ConventionDeStage, false) => "Internship agreement",
        (AgreementKind::WorkStudyContract, true) => "Annexe au contrat d’alternance",
        (AgreementKind::WorkStudyContract, false) => "Work-study contract annex",
    };
    let l = |fr_label: &str, en_label: &str| if fr { fr_label.to_owned() } else { en_label.to_owned() };
    let mut blocks = vec![
        Block::Title(title.into()),
        Block::Paragraph(if fr {
            format!("Placement n°\u{a0}{} · version {}", input.placement_id, input.version)
        } else {
            format!("Placement no.\u{a0}{} · version {}", input.placement_id, input.version)
        }),
        Block::Heading(l("Les parties", "The parties")),
        Block::Field(
            l("Établissement", "School"),
            match &p.school_postal_address {
                Some(address) => format!("{}, {address}", p.school_name),
                None => format!("{}, {}", p.school_name, p.school_city),
            },
        ),
        Block::Field(l("Approbation pour l’établissement", "Approved for the school by"), approver_value),
        Block::Field(
            l("Organisme d’accueil", "Host organisation"),
            format!("{}, {}", p.organisation_name, p.organisation_city),
        ),
        Block::Field(l("Tuteur ou tutrice", "Tutor"), t.company_tutor.clone()),
        Block::Field(l("Étudiant·e", "Student"), student.clone()),
        Block::Field(l("Numéro d’étudiant", "Student number"), p.student_number.clone()),
        Block::Field(l("Formation", "Programme"), format!("{} ({})", p.programme, p.degree_level)),
        Block::Field(l("Référent·e de l’établissement", "School referent"), t.academic_referent.clone()),
        Block::Heading(l("Le poste", "The position")),
        Block::Field(l("Intitulé", "Title"), p.offer_title.clone()),
        Block::Field(l("Nature", "Kind"), offer_kind(&p.offer_kind, language).into()),
        Block::Field(l("Lieu", "Place"), p.offer_city.clone()),
        Block::Field(l("Mode de travail", "Work mode"), work_mode(t.work_mode, language).into()),
        Block::Field(l("Début", "Start"), date(t.start_date, language)),
        Block::Field(l("Fin", "End"), date(t.end_date, language)),
        Block::Field(
            l("Durée", "Duration"),
            if fr {
                format!("{days} jours calendaires (environ {} semaines)", days / 7)
            } else {
                format!("{days} calendar days (about {} weeks)", days / 7)
            },
        ),
        Block::Field(l("Durée hebdomadaire", "Weekly hours"), weekly_hours_value),
        Block::Field(l("Gratification", "Stipend"), stipend_value),
        Block::Gap,
    ];
    let fields = [
        ("{organisation}", p.organisation_name.clone()),
        ("{school}", p.school_name.clone()),
        ("{student}", student),
        ("{offer_title}", p.offer_title.clone()),
        ("{start_date}", date(t.start_date, language)),
        ("{end_date}", date(t.end_date, language)),
        ("{duration_days}", days.to_string()),
        ("{company_tutor}", t.company_tutor.clone()),
        ("{academic_referent}", t.academic_referent.clone()),
        ("{stipend_clause}", stipend_clause),
        ("{weekly_hours}", weekly_hours_clause),
        ("{school_approver}", approver_clause),
    ];
    for line in articles.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let mut text = line.trim_start_matches('#').trim().to_owned();
        for (field, value) in &fields {
            text = text.replace(field, value);
        }
        blocks.push(if line.starts_with('#') { Block::Heading(text) } else { Block::Paragraph(text) });
    }
    blocks
}

fn footer(input: &DocumentInput) -> String {
    format!("Passerelle · placement {} · version {}", input.placement_id, input.version)
}

/// The PDF of the agreement of one version in one language, without its
/// signature page: the bytes that are signed.
pub(super) fn render(
    settings: &Settings,
    input: &DocumentInput,
    language: AgreementLanguage,
) -> Result<Vec<u8>, ApiError> {
    render_with(settings.agreement_templates_dir.as_deref(), input, language)
}

fn render_with(
    templates: Option<&Path>,
    input: &DocumentInput,
    language: AgreementLanguage,
) -> Result<Vec<u8>, ApiError> {
    let articles = template(templates, input.kind, language);
    pdf::document(&compose(input, language, &articles), &footer(input)).map_err(pdf_failed)
}

fn pdf_failed(error: pdf::PdfError) -> ApiError {
    ApiError::Internal(anyhow::Error::new(error))
}

/// One signature as the signature page names it.
struct SignedBy {
    party: Party,
    name: String,
    signed_at: NaiveDateTime,
    document_sha256: Option<String>,
}

fn signature_page(
    language: AgreementLanguage,
    version: i32,
    sha256: &str,
    length: usize,
    signatures: &[SignedBy],
) -> Vec<Block> {
    let fr = language == AgreementLanguage::Fr;
    let l = |fr_label: &str, en_label: &str| if fr { fr_label.to_owned() } else { en_label.to_owned() };
    let mut blocks = vec![
        Block::Title(l("Signatures", "Signatures")),
        Block::Paragraph(if fr {
            format!("Les signatures portent sur la version {version} de la convention, les pages qui précèdent, dont l’empreinte SHA-256 est :")
        } else {
            format!("The signatures are given on version {version} of the agreement, the pages before this one, whose SHA-256 is:")
        }),
        Block::Paragraph(sha256.to_owned()),
        Block::Paragraph(if fr {
            format!("Ces pages sont les {length} premiers octets de ce fichier : « head -c {length} » suivi de « sha256sum » redonne l’empreinte.")
        } else {
            format!("Those pages are the first {length} bytes of this file: “head -c {length}” then “sha256sum” gives the hash back.")
        }),
    ];
    for party in Party::ALL.iter().copied() {
        blocks.push(Block::Heading(party_label(party, language).into()));
        match signatures.iter().find(|s| s.party == party) {
            Some(signature) => {
                blocks.push(Block::Field(l("Signé par", "Signed by"), signature.name.clone()));
                blocks.push(Block::Field(l("Qualité", "Role"), party_label(party, language).into()));
                blocks.push(Block::Field(l("Le", "On"), date_time(signature.signed_at, language)));
                if let Some(hash) = &signature.document_sha256 {
                    blocks.push(Block::Field(l("Document signé", "Document signed"), hash.clone()));
                }
            }
            None => blocks.push(Block::Paragraph(l("Pas encore signé.", "Not signed yet."))),
        }
    }
    blocks
}

/// The documents a signature of the current version is given on: those stored
/// at its first signature, or, for the first signature, the ones generated
/// now, to be stored with it (`pdf` is then set).
pub(super) struct SigningDocument {
    pub language: AgreementLanguage,
    pub sha256: String,
    pub pdf: Option<Vec<u8>>,
}

fn input_of<'a>(
    loaded: &'a Loaded,
    version: i32,
    terms: &'a AgreementTerms,
    parties: &'a PartiesRow,
    school_approver: Option<String>,
) -> Result<DocumentInput<'a>, ApiError> {
    Ok(DocumentInput {
        placement_id: loaded.row.id,
        version,
        kind: parse(&loaded.row.kind)?,
        terms,
        parties,
        school_approver,
    })
}

/// The documents of the current version of `loaded`, for a signature.
pub(super) fn signing_documents(
    conn: &mut DbConnection,
    settings: &Settings,
    loaded: &Loaded,
) -> Result<Vec<SigningDocument>, ApiError> {
    let version = loaded.row.current_version;
    let stored: Vec<SigningDocument> = store::documents_of(conn, loaded.row.id)?
        .into_iter()
        .filter(|d| d.version == version)
        .map(|d| Ok(SigningDocument { language: parse(&d.language)?, sha256: d.sha256, pdf: None }))
        .collect::<Result<_, ApiError>>()?;
    if !stored.is_empty() {
        return Ok(stored);
    }
    let parties = store::parties_of(conn, loaded.row.id)?;
    let approver = approver_name(conn, &loaded.agreement.terms)?;
    let input = input_of(loaded, version, &loaded.agreement.terms, &parties, approver)?;
    AgreementLanguage::ALL
        .iter()
        .map(|&language| {
            let bytes = render(settings, &input, language)?;
            Ok(SigningDocument { language, sha256: sha256_hex(&bytes), pdf: Some(bytes) })
        })
        .collect()
}

/// The hash a signature records: the one the signer was shown, when sent,
/// which must be one of the current version's documents (409 otherwise);
/// the French document's when none is sent.
pub(super) fn signed_hash(documents: &[SigningDocument], sent: Option<&str>) -> Result<String, ApiError> {
    match sent {
        Some(sent) => {
            let sent = sent.trim().to_ascii_lowercase();
            documents
                .iter()
                .find(|d| d.sha256 == sent)
                .map(|d| d.sha256.clone())
                .ok_or_else(|| ApiError::conflict(crate::domain::Message::new("document-signed-is-not-current")))
        }
        None => documents
            .iter()
            .find(|d| d.language == AgreementLanguage::Fr)
            .or(documents.first())
            .map(|d| d.sha256.clone())
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a version without documents"))),
    }
}

/// The hash a client sends with its signature: 64 hexadecimal digits.
pub(super) fn check_sent_hash(sent: Option<&str>) -> Result<(), ApiError> {
    match sent {
        Some(hash) if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) => Err(ApiError::invalid(
            "document_sha256",
            ViolationCode::InvalidFormat,
            crate::domain::Message::new("must-be-a-sha256"),
        )),
        _ => Ok(()),
    }
}

/// Fixes the documents of a placement's current version as a first
/// signature does, in the caller's transaction, and answers the French
/// document's hash, for signatures recorded by provisioning (the demo data
/// set) rather than by the signing use case.
pub fn fix_current_documents(conn: &mut DbConnection, placement_id: i64) -> Result<String, ApiError> {
    let (row, _) = store::find(conn, placement_id)?.ok_or_else(|| ApiError::not_found("placement"))?;
    let versions = store::versions_of(conn, &[placement_id])?;
    let (_, current) = versions
        .iter()
        .find(|(_, v)| v.version == row.current_version)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("placement {placement_id} lacks its current version")))?;
    let terms: AgreementTerms = serde_json::from_str(&current.terms).map_err(anyhow::Error::new)?;
    let parties = store::parties_of(conn, placement_id)?;
    let input = DocumentInput {
        placement_id,
        version: row.current_version,
        kind: parse(&row.kind)?,
        terms: &terms,
        parties: &parties,
        school_approver: approver_name(conn, &terms)?,
    };
    let mut french = String::new();
    for &language in AgreementLanguage::ALL {
        let bytes = render_with(None, &input, language)?;
        let sha256 = sha256_hex(&bytes);
        store::insert_document(conn, placement_id, row.current_version, language.as_str(), &sha256, &bytes)?;
        if language == AgreementLanguage::Fr {
            french = sha256;
        }
    }
    Ok(french)
}

/// Which document to download.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgreementQuery {
    /// The version; the current one when absent.
    #[param(example = 1, minimum = 1, maximum = 1_000_000)]
    pub version: Option<u32>,
    /// The language, French when absent.
    pub lang: Option<AgreementLanguage>,
    /// `false` answers the signed bytes alone, without the signature page.
    pub signature_page: Option<bool>,
}

/// A PDF to answer with.
pub struct AgreementFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    /// The hash of the agreement (without the signature page).
    pub sha256: String,
}

/// The PDF of one version of a placement's agreement, for whoever sees the
/// placement.
pub async fn agreement_pdf(
    state: &AppState,
    caller: Caller,
    id: i64,
    query: AgreementQuery,
) -> Result<AgreementFile, ApiError> {
    let settings = state.settings.clone();
    crate::db::run(&state.pool, move |conn| {
        let loaded = visible(conn, &caller, id)?;
        let language = query.lang.unwrap_or(AgreementLanguage::Fr);
        let version = match query.version {
            Some(v) => i32::try_from(v).map_err(|_| ApiError::not_found("agreement version"))?,
            None => loaded.row.current_version,
        };
        let (base, sha256) = match store::document(conn, id, version, language.as_str())? {
            Some((sha256, Some(bytes))) => (bytes, sha256),
            Some((_, None)) => {
                return Err(ApiError::NotFound(
                    "the document was erased with the student's personal data; its hash remains (see verify)".into(),
                ))
            }
            None if version == loaded.row.current_version => {
                let parties = store::parties_of(conn, id)?;
                let approver = approver_name(conn, &loaded.agreement.terms)?;
                let input = input_of(&loaded, version, &loaded.agreement.terms, &parties, approver)?;
                let bytes = render(&settings, &input, language)?;
                let sha256 = sha256_hex(&bytes);
                (bytes, sha256)
            }
            None => return Err(ApiError::not_found("agreement version")),
        };
        let file_name = format!("agreement-{id}-v{version}-{language}.pdf");
        if query.signature_page == Some(false) {
            return Ok(AgreementFile { bytes: base, file_name, sha256 });
        }
        let rows: Vec<_> =
            store::signatures_of(conn, &[id])?.into_iter().map(|(_, s)| s).filter(|s| s.version == version).collect();
        let accounts: Vec<i64> = rows.iter().map(|s| s.account_id).collect();
        let names = store::account_names(conn, &accounts)?;
        let signatures = rows
            .into_iter()
            .map(|s| {
                Ok(SignedBy {
                    party: parse(&s.party)?,
                    name: names.iter().find(|(a, _)| *a == s.account_id).map(|(_, n)| n.clone()).unwrap_or_default(),
                    signed_at: s.signed_at,
                    document_sha256: s.document_sha256,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let page = signature_page(language, version, &sha256, base.len(), &signatures);
        let footer = format!("Passerelle · placement {id} · version {version} · signatures");
        let bytes = pdf::append_page(&base, &page, &footer).map_err(pdf_failed)?;
        Ok(AgreementFile { bytes, file_name, sha256 })
    })
    .await
}

/// A document fixed at a version's first signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct FixedDocument {
    pub language: AgreementLanguage,
    /// SHA-256 of the PDF without its signature page, in hexadecimal.
    #[schema(example = "9f2c4be0a1d35e7c0b6a4f8e2d1c3b5a79e8f6d4c2b0a1e3f5d7c9b8a6e4f2d0")]
    pub sha256: String,
    /// False once the student's personal data was erased: the hash stays.
    pub stored: bool,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub fixed_at: DateTime<Utc>,
}

/// A signature and the document it was given on.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedSignature {
    pub party: Party,
    #[schema(example = 5)]
    pub account_id: i64,
    /// The signer's display name.
    #[schema(example = "Nadia Berrada")]
    pub signed_by: String,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub signed_at: DateTime<Utc>,
    /// SHA-256 of the document signed; absent for signatures given before
    /// documents existed.
    #[schema(example = "9f2c4be0a1d35e7c0b6a4f8e2d1c3b5a79e8f6d4c2b0a1e3f5d7c9b8a6e4f2d0")]
    pub document_sha256: Option<String>,
}

/// One version, its documents and its signatures.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedVersion {
    #[schema(example = 1)]
    pub version: u32,
    /// Whether this is the placement's current version.
    pub current: bool,
    /// The documents fixed at the first signature, one per language; empty
    /// while the version is unsigned (its document may still change).
    pub documents: Vec<FixedDocument>,
    pub signatures: Vec<VerifiedSignature>,
}

/// Every version of a placement's agreement with its hashes and signatures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementRecord {
    #[schema(example = 42)]
    pub placement_id: i64,
    /// Oldest first.
    pub versions: Vec<VerifiedVersion>,
}

/// Which versions exist, their hashes and who signed which.
pub async fn verify_agreement(state: &AppState, caller: Caller, id: i64) -> Result<AgreementRecord, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let loaded = visible(conn, &caller, id)?;
        let documents = store::documents_of(conn, id)?;
        let stored: Vec<(i32, String)> = store::stored_documents(conn, id)?;
        let signatures: Vec<_> = store::signatures_of(conn, &[id])?.into_iter().map(|(_, s)| s).collect();
        let accounts: Vec<i64> = signatures.iter().map(|s| s.account_id).collect();
        let names = store::account_names(conn, &accounts)?;
        let versions = (1..=loaded.row.current_version)
            .map(|version| {
                Ok(VerifiedVersion {
                    version: u32::try_from(version).unwrap_or(0),
                    current: version == loaded.row.current_version,
                    documents: documents
                        .iter()
                        .filter(|d| d.version == version)
                        .map(|d| {
                            Ok(FixedDocument {
                                language: parse(&d.language)?,
                                sha256: d.sha256.clone(),
                                stored: stored.iter().any(|(v, l)| *v == version && *l == d.language),
                                fixed_at: d.created_at.and_utc(),
                            })
                        })
                        .collect::<Result<_, ApiError>>()?,
                    signatures: signatures
                        .iter()
                        .filter(|s| s.version == version)
                        .map(|s| {
                            Ok(VerifiedSignature {
                                party: parse(&s.party)?,
                                account_id: s.account_id,
                                signed_by: names
                                    .iter()
                                    .find(|(a, _)| *a == s.account_id)
                                    .map(|(_, n)| n.clone())
                                    .unwrap_or_default(),
                                signed_at: s.signed_at.and_utc(),
                                document_sha256: s.document_sha256.clone(),
                            })
                        })
                        .collect::<Result<_, ApiError>>()?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(AgreementRecord { placement_id: id, versions })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_read_as_each_language_writes_them() {
        let cases = [
            (4_000, AgreementLanguage::Fr, "4\u{202f}000"),
            (100_000, AgreementLanguage::En, "100,000"),
            (950, AgreementLanguage::Fr, "950"),
            (12_345, AgreementLanguage::En, "12,345"),
        ];
        for (value, language, expected) in cases {
            assert_eq!(amount(value, language), expected, "{value} {language}");
        }
        let day = NaiveDate::from_ymd_opt(2027, 2, 1).expect("date");
        assert_eq!(date(day, AgreementLanguage::Fr), "1er février 2027");
        assert_eq!(date(day, AgreementLanguage::En), "1 February 2027");
    }

    #[test]
    fn a_sent_hash_must_be_one_of_the_current_documents() {
        let documents = [
            SigningDocument { language: AgreementLanguage::Fr, sha256: "a".repeat(64), pdf: None },
            SigningDocument { language: AgreementLanguage::En, sha256: "b".repeat(64), pdf: None },
        ];
        assert_eq!(signed_hash(&documents, None).ok(), Some("a".repeat(64)));
        assert_eq!(signed_hash(&documents, Some(&"B".repeat(64))).ok(), Some("b".repeat(64)));
        assert!(signed_hash(&documents, Some(&"c".repeat(64))).is_err());
        assert!(check_sent_hash(Some("abc")).is_err());
        assert!(check_sent_hash(Some(&"g".repeat(64))).is_err());
        assert!(check_sent_hash(Some(&"0".repeat(64))).is_ok());
        assert!(check_sent_hash(None).is_ok());
    }

    #[test]
    fn every_kind_and_language_has_embedded_articles() {
        for &kind in AgreementKind::ALL {
            for &language in AgreementLanguage::ALL {
                let text = embedded_template(kind, language);
                for field in ["{start_date}", "{stipend_clause}", "{weekly_hours}", "{school_approver}"] {
                    assert!(text.contains(field), "{kind} {language} {field}");
                }
            }
        }
    }

    #[test]
    fn a_configured_directory_replaces_the_embedded_articles() {
        let dir = std::env::temp_dir().join(format!("agreement-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        std::fs::write(dir.join("convention_de_stage.fr.md"), "## Article unique\nTout est dit.").expect("template");
        let replaced = template(Some(&dir), AgreementKind::ConventionDeStage, AgreementLanguage::Fr);
        let fallback = template(Some(&dir), AgreementKind::ConventionDeStage, AgreementLanguage::En);
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(replaced, "## Article unique\nTout est dit.");
        assert_eq!(fallback, embedded_template(AgreementKind::ConventionDeStage, AgreementLanguage::En));
    }
}
