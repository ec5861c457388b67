//! Provisioning: the first admin account from the command line, and the demo
//! data set a newcomer can try the API with.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use chrono::{Days, Utc};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::password::PasswordHasher;
use crate::db::DbConnection;
use crate::domain::application::ApplicationStatus;
use crate::domain::offer::{validate_offer, OfferDraft, RequirementDraft};
use crate::domain::placement::{agreement_kind_for, Party, PlacementStatus};
use crate::domain::student::{normalise_email, parse_roster_row, validate_email, validate_password, RosterRow};
use crate::domain::training::{validate_training, TrainingDraft};
use crate::domain::{OfferKind, OfferStatus, Role};
use crate::error::ApiError;
use crate::reference_data::split_list;
use crate::store::offers::OfferFields;
use crate::store::trainings::TrainingFields;
use crate::store::{accounts, applications, offers, placements, reference, roster, students, trainings};

/// Creates an active admin account with the given password.
pub fn create_admin(state: &AppState, email: &str, display_name: &str, password: &str) -> Result<i64, ApiError> {
    let mut violations = validate_email(email);
    violations.extend(validate_password(password));
    ApiError::check(violations)?;
    let email = normalise_email(email);
    let hash = state.passwords.hash(password).map_err(|e| ApiError::Internal(e.into()))?;
    let mut conn = state.pool.get()?;
    if accounts::email_taken(&mut conn, &email)? {
        return Err(ApiError::conflict(format!("an account already uses {email}")));
    }
    Ok(accounts::insert(
        &mut conn,
        &accounts::NewAccount {
            email: &email,
            display_name,
            role: Role::Admin,
            password_hash: Some(&hash),
            school_id: None,
            organisation_id: None,
            activation: None,
        },
    )?)
}

/// Password of every demo account. The demo data set is for trying the API
/// on a local database, never for production.
pub const DEMO_PASSWORD: &str = "passerelle-demo-2026";

#[derive(Deserialize)]
struct DemoAccount {
    role: Role,
    email: String,
    organisation_code: String,
    school_code: String,
    display_name: String,
}

#[derive(Deserialize)]
struct DemoStudent {
    school_code: String,
    student_number: String,
    first_name: String,
    last_name: String,
    email: String,
    programme: String,
    degree_level: String,
    graduation_year: String,
    skills: String,
    wanted_kinds: String,
    cities: String,
    remote_ok: bool,
    discoverable: bool,
    available_from_in_days: Option<u64>,
    available_until_in_days: Option<u64>,
}

#[derive(Deserialize)]
struct DemoOffer {
    organisation_code: String,
    #[serde(flatten)]
    draft: DemoOfferFields,
    start_in_days: u64,
    deadline_in_days: u64,
    publish: bool,
}

#[derive(Deserialize)]
struct DemoOfferFields {
    kind: crate::domain::OfferKind,
    title: String,
    description: String,
    city: String,
    work_mode: crate::domain::WorkMode,
    duration_months: Option<u8>,
    positions: u32,
    min_degree_level: Option<crate::domain::DegreeLevel>,
    stipend_mad: Option<u32>,
    languages: Vec<String>,
    requirements: Vec<RequirementDraft>,
}

#[derive(Deserialize)]
struct DemoTraining {
    #[serde(default)]
    school_code: Option<String>,
    #[serde(default)]
    organisation_code: Option<String>,
    kind: crate::domain::training::TrainingKind,
    title_fr: String,
    title_en: String,
    skills: Vec<crate::domain::training::TaughtSkill>,
    duration_hours: u32,
    mode: crate::domain::training::TrainingMode,
    starts_in_days: Vec<u64>,
    seats: u32,
}

/// The demo accounts, to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: String,
    pub email: String,
}

/// Loads the demo data set from `data/demo/` when the database holds no
/// account yet; returns the accounts created (empty when it did nothing).
pub fn seed_demo_if_empty(
    conn: &mut DbConnection,
    passwords: &PasswordHasher,
    data_dir: &Path,
) -> anyhow::Result<Vec<DemoLogin>> {
    if accounts::count(conn)? > 0 {
        return Ok(Vec::new());
    }
    let demo = data_dir.join("demo");
    let hash = passwords.hash(DEMO_PASSWORD)?;
    let today = Utc::now().date_naive();
    let day = |offset: u64| today.checked_add_days(Days::new(offset));
    crate::db::write_transaction::<_, anyhow::Error>(conn, |conn| {
        let mut logins = Vec::new();
        let mut recruiters: HashMap<String, i64> = HashMap::new();
        let mut school_ids: HashMap<String, i64> = HashMap::new();
        let mut organisation_ids: HashMap<String, i64> = HashMap::new();
        let mut admin_id: Option<i64> = None;
        let mut staff: HashMap<String, i64> = HashMap::new();
        let mut demo_students: HashMap<String, (i64, i64)> = HashMap::new();
        let mut published: HashMap<String, i64> = HashMap::new();
        for code in reference::list_schools(conn, None, 1_000)?.into_iter().map(|s| (s.code, s.id)) {
            school_ids.insert(code.0, code.1);
        }
        for organisation in reference::list_organisations(conn, None, 1_000)? {
            organisation_ids.insert(organisation.code, organisation.id);
        }
        for account in csv::Reader::from_path(demo.join("accounts.csv"))?.deserialize::<DemoAccount>() {
            let account = account?;
            let organisation_id = organisation_ids.get(&account.organisation_code).copied();
            let id = accounts::insert(
                conn,
                &accounts::NewAccount {
                    email: &account.email,
                    display_name: &account.display_name,
                    role: account.role,
                    password_hash: Some(&hash),
                    school_id: school_ids.get(&account.school_code).copied(),
                    organisation_id,
                    activation: None,
                },
            )?;
            if account.role == Role::Recruiter {
                recruiters.entry(account.organisation_code.clone()).or_insert(id);
            }
            if account.role == Role::Admin {
                admin_id.get_or_insert(id);
            }
            if account.role == Role::SchoolStaff {
                staff.entry(account.school_code.clone()).or_insert(id);
            }
            logins.push(DemoLogin { role: account.role.as_str().into(), email: account.email });
        }
        for student in csv::Reader::from_path(demo.join("students.csv"))?.deserialize::<DemoStudent>() {
            let student = student?;
            let school_id = *school_ids.get(&student.school_code).context("demo student of an unknown school")?;
            let entry = parse_roster_row(&RosterRow {
                student_number: student.student_number,
                first_name: student.first_name.clone(),
                last_name: student.last_name.clone(),
                email: student.email,
                programme: student.programme,
                degree_level: student.degree_level,
                graduation_year: student.graduation_year,
            })
            .map_err(|v| anyhow::anyhow!("demo student: {v:?}"))?;
            roster::import(conn, school_id, std::slice::from_ref(&entry), &HashMap::new())?;
            let on_roster =
                roster::find_on_roster(conn, school_id, &entry.email)?.context("demo student not stored")?;
            let account_id = accounts::insert(
                conn,
                &accounts::NewAccount {
                    email: &entry.email,
                    display_name: &format!("{} {}", student.first_name, student.last_name),
                    role: Role::Student,
                    password_hash: Some(&hash),
                    school_id: Some(school_id),
                    organisation_id: None,
                    activation: None,
                },
            )?;
            roster::link_account(conn, on_roster.student_id, account_id)?;
            demo_students.insert(entry.email.clone(), (on_roster.student_id, account_id));
            let row = students::find(conn, on_roster.student_id)?.context("demo student not stored")?;
            let cities = split_list(&student.cities);
            let changes = students::ProfileChanges {
                wanted_kinds: Some(split_list(&student.wanted_kinds).join(",")),
                available_from: Some(student.available_from_in_days.and_then(day)),
                available_until: Some(student.available_until_in_days.and_then(day)),
                cities: Some(serde_json::to_string(&cities)?),
                remote_ok: Some(student.remote_ok),
                discoverable: Some(student.discoverable),
                ..Default::default()
            };
            students::update_profile(conn, &row, row.version, &changes)?;
            let mut skills = Vec::new();
            for pair in split_list(&student.skills) {
                let (slug, level) = pair.split_once(':').context("demo skill without a level")?;
                let skill =
                    reference::resolve_skill(conn, slug)?.with_context(|| format!("unknown demo skill {slug}"))?;
                skills.push((skill, level.parse::<u8>()?));
            }
            students::replace_skills(conn, on_roster.student_id, &skills)?;
            logins.push(DemoLogin { role: "student".into(), email: entry.email });
        }
        let offers_file = std::fs::read_to_string(demo.join("offers.json"))?;
        for offer in serde_json::from_str::<Vec<DemoOffer>>(&offers_file)? {
            let organisation_id =
                *organisation_ids.get(&offer.organisation_code).context("demo offer of an unknown organisation")?;
            let author = match recruiters.get(&offer.organisation_code) {
                Some(id) => *id,
                None => {
                    let email = format!("recrutement@{}.example.org", offer.organisation_code.to_lowercase());
                    let id = accounts::insert(
                        conn,
                        &accounts::NewAccount {
                            email: &email,
                            display_name: &format!("Recrutement {}", offer.organisation_code),
                            role: Role::Recruiter,
                            password_hash: Some(&hash),
                            school_id: None,
                            organisation_id: Some(organisation_id),
                            activation: None,
                        },
                    )?;
                    logins.push(DemoLogin { role: "recruiter".into(), email });
                    recruiters.insert(offer.organisation_code.clone(), id);
                    id
                }
            };
            let d = offer.draft;
            let draft = OfferDraft {
                kind: d.kind,
                title: d.title,
                description: d.description,
                city: d.city,
                work_mode: d.work_mode,
                start_date: day(offer.start_in_days),
                duration_months: d.duration_months,
                positions: d.positions,
                min_degree_level: d.min_degree_level,
                deadline: day(offer.deadline_in_days),
                stipend_mad: d.stipend_mad,
                languages: d.languages,
                requirements: d.requirements,
            };
            let violations = validate_offer(&draft);
            anyhow::ensure!(violations.is_empty(), "demo offer {:?}: {violations:?}", draft.title);
            let mut requirements = Vec::new();
            for r in &draft.requirements {
                let skill = reference::resolve_skill(conn, &r.skill)?
                    .with_context(|| format!("unknown demo skill {}", r.skill))?;
                requirements.push((skill, i32::from(r.min_level), i32::from(r.weight), r.required));
            }
            let fields = OfferFields::from_draft(&draft);
            let id = offers::insert(conn, organisation_id, author, &fields, &requirements)?;
            if offer.publish {
                offers::set_status(conn, id, OfferStatus::Draft, OfferStatus::Open)?;
                published.entry(offer.organisation_code.clone()).or_insert(id);
            }
        }
        let admin_id = admin_id.context("the demo accounts hold no admin")?;
        let signer = |map: &HashMap<String, i64>, key: &str| map.get(key).copied().context("demo signatory missing");
        signed_placement(
            conn,
            *demo_students.get(SIGNED_STUDENT).context("the demo student of the signed agreement is missing")?,
            signer(&staff, "ECC")?,
            signer(&recruiters, "AXA-GO")?,
            signer(&published, "AXA-GO")?,
        )?;
        let trainings_file = std::fs::read_to_string(demo.join("trainings.json"))?;
        for training in serde_json::from_str::<Vec<DemoTraining>>(&trainings_file)? {
            let school_id = match &training.school_code {
                Some(code) => Some(*school_ids.get(code).context("demo training of an unknown school")?),
                None => None,
            };
            let organisation_id = match &training.organisation_code {
                Some(code) => Some(*organisation_ids.get(code).context("demo training of an unknown organisation")?),
                None => None,
            };
            let draft = TrainingDraft {
                school_id,
                organisation_id,
                kind: training.kind,
                title_fr: training.title_fr,
                title_en: training.title_en,
                skills: training.skills,
                duration_hours: training.duration_hours,
                mode: training.mode,
                start_dates: training.starts_in_days.iter().filter_map(|d| day(*d)).collect(),
                seats: training.seats,
                link: None,
            };
            let violations = validate_training(&draft);
            anyhow::ensure!(violations.is_empty(), "demo training {:?}: {violations:?}", draft.title_fr);
            let mut taught = Vec::new();
            for t in &draft.skills {
                let skill = reference::resolve_skill(conn, &t.skill)?
                    .with_context(|| format!("unknown demo skill {}", t.skill))?;
                taught.push((skill, i32::from(t.level)));
            }
            let fields = TrainingFields {
                school_id: draft.school_id,
                organisation_id: draft.organisation_id,
                kind: draft.kind.as_str(),
                title_fr: &draft.title_fr,
                title_en: &draft.title_en,
                duration_hours: i32::try_from(draft.duration_hours)?,
                mode: draft.mode.as_str(),
                start_dates: &draft.start_dates,
                seats: i32::try_from(draft.seats)?,
                link: None,
            };
            trainings::insert(conn, &fields, &taught, admin_id)?;
        }
        Ok(logins)
    })
}

/// The demo student whose agreement is signed by all three parties.
pub const SIGNED_STUDENT: &str = "omar.elidrissi@ecc.example.org";

/// An accepted application of `student` to `offer`, and its placement with an
/// agreement signed by the student, the school's staff and the recruiter,
/// each on the document fixed at the first signature.
fn signed_placement(
    conn: &mut DbConnection,
    (student_id, student_account): (i64, i64),
    school_staff: i64,
    recruiter: i64,
    offer_id: i64,
) -> anyhow::Result<()> {
    let offer = offers::find(conn, offer_id)?.context("demo offer not stored")?;
    let student = students::find(conn, student_id)?.context("demo student not stored")?;
    let explanation = serde_json::to_string(&crate::app::matches::Explanation::default())?;
    let new = applications::NewApplication {
        offer_id,
        student_id,
        organisation_id: offer.organisation_id,
        status: ApplicationStatus::Accepted.as_str(),
        cover_letter: "Candidature de démonstration.",
        source: "demo",
        score: 0.0,
        explanation: &explanation,
    };
    let application = applications::insert(conn, &new, student_account)?.context("demo application not stored")?;
    anyhow::ensure!(applications::take_position(conn, offer_id)?, "the demo offer has no position left");
    let mut terms = crate::app::applications::initial_terms(&offer, Utc::now().date_naive());
    terms.company_tutor = "Nadia Alaoui".into();
    terms.academic_referent = "Pr. Karim Tazi".into();
    terms.school_approver_id = Some(school_staff);
    let kind: OfferKind = offer.kind.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let placement = placements::insert(
        conn,
        &placements::NewPlacement {
            application_id: application,
            offer_id,
            student_id,
            school_id: student.school_id,
            organisation_id: offer.organisation_id,
            kind: agreement_kind_for(kind).as_str(),
            status: PlacementStatus::PendingSignatures.as_str(),
        },
        &serde_json::to_string(&terms)?,
    )?;
    let hash = crate::app::agreement::fix_current_documents(conn, placement).map_err(|e| anyhow::anyhow!("{e}"))?;
    let signed_at = Utc::now().naive_utc() - chrono::Duration::days(3);
    let signatories =
        [(Party::Student, student_account), (Party::School, school_staff), (Party::Organisation, recruiter)];
    for (day, (party, account)) in (0_i64..).zip(signatories) {
        let at = signed_at + chrono::Duration::days(day);
        placements::insert_signature(conn, placement, 1, party.as_str(), account, at, &hash)?;
    }
    let change = placements::PlacementChange {
        status: PlacementStatus::Signed.as_str(),
        current_version: 1,
        terminated_reason: None,
    };
    anyhow::ensure!(placements::update_if_version(conn, placement, 1, &change)?, "demo placement changed");
    Ok(())
}

/// Prints the demo accounts for the person who started the service.
pub fn print_demo_logins(logins: &[DemoLogin]) {
    if logins.is_empty() {
        return;
    }
    println!("Demo data loaded. Every demo account's password is {DEMO_PASSWORD:?}:");
    let mut shown_students = 0;
    for login in logins {
        if login.role == "student" {
            shown_students += 1;
            if shown_students > 3 {
                continue;
            }
        }
        println!("  {:<13} {}", login.role, login.email);
    }
    if shown_students > 3 {
        println!("  ... and {} more students (GET /api/v1/students as admin lists them)", shown_students - 3);
    }
}
