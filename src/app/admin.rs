//! Operator endpoints: staff accounts.

use crate::domain::{Message, ViolationCode};
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::accounts::{account_view, unknown, Account};
use crate::app::reference::{Organisation, School, Skill};
use crate::app::AppState;
use crate::auth::{policy, secret, Caller};
use crate::db::DbConnection;
use crate::domain::student::{normalise_email, validate_email};
use crate::domain::{check_text, Role, Violation};
use crate::error::ApiError;
use crate::store::{accounts, change_feed, reference};

/// A staff account to create. Students never get one this way: they activate
/// from their school's roster.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaffAccount {
    #[schema(
        example = "nadia.alaoui@axa.example.org",
        max_length = 254,
        pattern = "^[^\\s@\\x00-\\x1f\\x7f-\\x9f]{1,64}@[^\\s@.\\x00-\\x1f\\x7f-\\x9f]+(\\.[^\\s@.\\x00-\\x1f\\x7f-\\x9f]+)+$"
    )]
    pub email: String,
    #[schema(example = "Nadia Alaoui", min_length = 1, max_length = 200, pattern = "\\S")]
    pub display_name: String,
    /// `recruiter` (needs `organisation_id`), `school_staff` (needs `school_id`), `committee` or `admin`.
    pub role: Role,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 3)]
    pub school_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 2)]
    pub organisation_id: Option<i64>,
}

/// The created account and its one-time activation token.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedStaffAccount {
    pub account: Account,
    /// Shown once and stored only as a digest: hand it to the person over a
    /// trusted channel; they set their password with `POST /api/v1/auth/activate`.
    #[schema(example = "at_8b1f0c9e2d3a4b5c6d7e8f9012345678")]
    pub activation_token: String,
    #[schema(example = "2026-12-06T10:15:00Z")]
    pub activation_expires_at: chrono::DateTime<Utc>,
}

fn validate_staff(body: &NewStaffAccount) -> Vec<Violation> {
    let mut violations = validate_email(&body.email);
    check_text("display_name", &body.display_name, 1, 200, &mut violations);
    let (needs_school, needs_organisation) = match body.role {
        Role::Student => {
            violations.push(Violation::new(
                "role",
                ViolationCode::NotAllowed,
                Message::new("students-activate-from-roster"),
            ));
            (false, false)
        }
        Role::Recruiter => (false, true),
        Role::SchoolStaff => (true, false),
        Role::Committee | Role::Admin => (false, false),
    };
    for (field, given, needed) in [
        ("school_id", body.school_id.is_some(), needs_school),
        ("organisation_id", body.organisation_id.is_some(), needs_organisation),
    ] {
        if needed && !given {
            violations.push(Violation::new(
                field,
                ViolationCode::Required,
                Message::new("role-needs-it").arg("role", body.role.as_str()),
            ));
        } else if given && !needed {
            violations.push(Violation::new(
                field,
                ViolationCode::NotAllowed,
                Message::new("role-has-none").arg("role", body.role.as_str()),
            ));
        }
    }
    violations
}

/// A school to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchool {
    /// Stable code: 1 to 64 upper-case letters, digits and `-`.
    #[schema(example = "ENSA-KENITRA", pattern = "^[A-Z0-9-]{1,64}$")]
    pub code: String,
    /// 1 to 200 characters, not counting surrounding spaces.
    #[schema(example = "École Centrale Casablanca", min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// 1 to 100 characters, not counting surrounding spaces.
    #[schema(example = "Casablanca", min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: String,
    #[schema(value_type = crate::domain::SchoolKind)]
    pub kind: String,
    /// Postal address printed on agreements: 1 to 300 characters, not
    /// counting surrounding spaces.
    #[schema(example = "12, rue de l'Exemple, 20250 Casablanca", min_length = 1, max_length = 300, pattern = "\\S")]
    pub postal_address: Option<String>,
}

/// Changes to a school; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolPatch {
    /// 1 to 200 characters, not counting surrounding spaces.
    #[schema(example = "École Centrale Casablanca", min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// 1 to 100 characters, not counting surrounding spaces.
    #[schema(example = "Casablanca", min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: Option<String>,
    #[schema(value_type = Option<crate::domain::SchoolKind>)]
    pub kind: Option<String>,
    /// Postal address printed on agreements: 1 to 300 characters, not
    /// counting surrounding spaces.
    #[schema(example = "12, rue de l'Exemple, 20250 Casablanca", min_length = 1, max_length = 300, pattern = "\\S")]
    pub postal_address: Option<String>,
}

/// An organisation to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Stable code: 1 to 64 upper-case letters, digits and `-`.
    #[schema(example = "AXA-ASSISTANCE-MAROC", pattern = "^[A-Z0-9-]{1,64}$")]
    pub code: String,
    #[schema(example = "AXA Assurance Maroc", min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[schema(example = "Casablanca", min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: String,
}

/// Changes to an organisation; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[schema(example = "AXA Assurance Maroc", min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(example = "Casablanca", min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: Option<String>,
}

/// A skill to add to the taxonomy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkill {
    /// 1 to 64 lower-case letters, digits and `-`.
    #[schema(example = "llm-ops", pattern = "^[a-z0-9-]{1,64}$")]
    pub slug: String,
    #[schema(example = "Opérations LLM", min_length = 1, max_length = 200, pattern = "\\S")]
    pub label_fr: String,
    #[schema(example = "LLM operations", min_length = 1, max_length = 200, pattern = "\\S")]
    pub label_en: String,
    #[schema(value_type = crate::domain::SkillDomain)]
    pub domain: String,
    /// Slug or alias of the broader skill.
    #[schema(example = "machine-learning")]
    pub parent: Option<String>,
    /// Other names, 1 to 100 characters each.
    #[serde(default)]
    #[schema(example = json!(["llmops"]), value_type = Vec<crate::domain::texts::SkillAlias>)]
    pub aliases: Vec<String>,
}

/// Changes to a skill; absent fields stay. `parent: null` detaches it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillPatch {
    #[schema(example = "Opérations LLM", min_length = 1, max_length = 200, pattern = "\\S")]
    pub label_fr: Option<String>,
    #[schema(example = "LLM operations", min_length = 1, max_length = 200, pattern = "\\S")]
    pub label_en: Option<String>,
    #[schema(value_type = Option<crate::domain::SkillDomain>)]
    pub domain: Option<String>,
    #[serde(default, deserialize_with = "crate::app::students::nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(example = "machine-learning")]
    pub parent: Option<Option<String>>,
}

/// An alias to add to a skill.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAlias {
    /// 1 to 100 characters, not counting surrounding spaces.
    #[schema(example = "kube", min_length = 1, max_length = 100, pattern = "\\S")]
    pub alias: String,
}

fn school_kinds() -> impl Iterator<Item = &'static str> {
    crate::domain::SchoolKind::ALL.iter().map(|k| k.as_str())
}

fn check_code(field: &str, code: &str, allowed: fn(char) -> bool, out: &mut Vec<Violation>) {
    check_text(field, code, 1, 64, out);
    if !code.chars().all(allowed) {
        out.push(Violation::new(
            field,
            ViolationCode::InvalidFormat,
            crate::domain::Message::new("letters-digits-and-only"),
        ));
    }
}

/// Checks the name and city of a patch, when given.
fn check_name_and_city(name: Option<&String>, city: Option<&String>, out: &mut Vec<Violation>) {
    if let Some(name) = name {
        check_text("name", name, 1, 200, out);
    }
    if let Some(city) = city {
        check_text("city", city, 1, 100, out);
    }
}

/// Longest postal address of a school, in characters.
const MAX_POSTAL_ADDRESS_CHARS: usize = 300;

fn check_postal_address(address: Option<&String>, out: &mut Vec<Violation>) {
    if let Some(address) = address {
        check_text("postal_address", address, 1, MAX_POSTAL_ADDRESS_CHARS, out);
    }
}

fn check_school_kind(kind: &str, out: &mut Vec<Violation>) {
    if kind.parse::<crate::domain::SchoolKind>().is_err() {
        out.push(Violation::new(
            "kind",
            ViolationCode::UnknownValue,
            Message::new("one-of").arg("values", school_kinds().collect::<Vec<_>>().join(", ")),
        ));
    }
}

fn check_domain(domain: &str, out: &mut Vec<Violation>) {
    if !crate::reference_data::DOMAINS.contains(&domain) {
        out.push(Violation::new(
            "domain",
            ViolationCode::UnknownValue,
            Message::new("one-of").arg("values", crate::reference_data::DOMAINS.join(", ")),
        ));
    }
}

fn is_taken(conn: &mut DbConnection, name: &str) -> Result<bool, ApiError> {
    Ok(reference::resolve_skill(conn, name)?.is_some())
}

fn skill_answer(conn: &mut DbConnection, slug: &str) -> Result<Skill, ApiError> {
    Ok(reference::find_skill(conn, slug)?.ok_or_else(|| ApiError::not_found("skill"))?.into())
}

fn taxonomy_changed(state: &AppState, conn: &mut DbConnection) -> Result<(), ApiError> {
    change_feed::record(conn, change_feed::SKILL, 0)?;
    state.refresh_index(conn);
    state.catalogue.forget();
    Ok(())
}

/// A fresh activation token for a staff account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivationToken {
    /// Shown once; the previous token stops working.
    #[schema(example = "at_8b1f0c9e2d3a4b5c6d7e8f9012345678")]
    pub activation_token: String,
    #[schema(example = "2026-12-06T10:15:00Z")]
    pub activation_expires_at: chrono::DateTime<Utc>,
}

/// Creates a recruiter, school staff, committee or admin account, with its one-time activation token.
pub async fn create_staff_account(
    state: &Arc<AppState>,
    caller: Caller,
    body: NewStaffAccount,
) -> Result<CreatedStaffAccount, ApiError> {
    policy::require_admin(&caller)?;
    ApiError::check(validate_staff(&body))?;
    let email = normalise_email(&body.email);
    let token = secret::random_token();
    let expires_at = Utc::now() + Duration::hours(state.settings.auth.activation_ttl_hours);
    let digest = secret::token_digest(&token);
    let account = crate::db::run(&state.pool, move |conn| {
        if let Some(id) = body.school_id {
            reference::find_school(conn, id)?.ok_or_else(|| unknown("school_id", Message::new("no-such-school")))?;
        }
        if let Some(id) = body.organisation_id {
            reference::find_organisation(conn, id)?
                .ok_or_else(|| unknown("organisation_id", Message::new("no-such-organisation")))?;
        }
        if accounts::email_taken(conn, &email)? {
            return Err(ApiError::conflict(crate::domain::Message::new("an-account-already-uses-this-email")));
        }
        let id = accounts::insert(
            conn,
            &accounts::NewAccount {
                email: &email,
                display_name: body.display_name.trim(),
                role: body.role,
                password_hash: None,
                school_id: body.school_id,
                organisation_id: body.organisation_id,
                activation: Some((&digest, expires_at.naive_utc())),
            },
        )?;
        let row = accounts::find(conn, id)?.ok_or_else(|| ApiError::not_found("account"))?;
        account_view(&row, None)
    })
    .await?;
    Ok(CreatedStaffAccount { account, activation_token: token, activation_expires_at: expires_at })
}

/// Adds a participating school.
pub async fn create_school(state: &Arc<AppState>, caller: Caller, body: NewSchool) -> Result<School, ApiError> {
    policy::require_admin(&caller)?;
    let mut violations = Vec::new();
    check_code("code", &body.code, |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-', &mut violations);
    check_text("name", &body.name, 1, 200, &mut violations);
    check_text("city", &body.city, 1, 100, &mut violations);
    check_school_kind(&body.kind, &mut violations);
    check_postal_address(body.postal_address.as_ref(), &mut violations);
    ApiError::check(violations)?;
    let school = crate::db::run(&state.pool, move |conn| {
        if reference::find_school_by_code(conn, &body.code)?.is_some() {
            return Err(ApiError::conflict(crate::domain::Message::new("a-school-already-has-this-code")));
        }
        let id = reference::insert_school(
            conn,
            &reference::NewSchoolRow {
                code: &body.code,
                name: body.name.trim(),
                city: body.city.trim(),
                kind: &body.kind,
                postal_address: body.postal_address.as_deref().map(str::trim),
            },
        )?;
        reference::find_school(conn, id)?.ok_or_else(|| ApiError::not_found("school"))
    })
    .await?;
    Ok(School::from(school))
}

/// Changes a school.
pub async fn patch_school(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    body: SchoolPatch,
) -> Result<School, ApiError> {
    policy::require_admin(&caller)?;
    let mut violations = Vec::new();
    check_name_and_city(body.name.as_ref(), body.city.as_ref(), &mut violations);
    if let Some(kind) = &body.kind {
        check_school_kind(kind, &mut violations);
    }
    check_postal_address(body.postal_address.as_ref(), &mut violations);
    ApiError::check(violations)?;
    let school = crate::db::run(&state.pool, move |conn| {
        reference::find_school(conn, id)?.ok_or_else(|| ApiError::not_found("school"))?;
        let changes = reference::SchoolChanges {
            name: body.name.map(|n| n.trim().to_owned()),
            city: body.city.map(|c| c.trim().to_owned()),
            kind: body.kind,
            postal_address: body.postal_address.map(|a| a.trim().to_owned()),
        };
        if changes.name.is_some()
            || changes.city.is_some()
            || changes.kind.is_some()
            || changes.postal_address.is_some()
        {
            reference::update_school(conn, id, &changes)?;
        }
        reference::find_school(conn, id)?.ok_or_else(|| ApiError::not_found("school"))
    })
    .await;
    // Trainings are suggested under their provider's name.
    state.catalogue.forget();
    Ok(School::from(school?))
}

/// Adds an AXA organisation.
pub async fn create_organisation(
    state: &Arc<AppState>,
    caller: Caller,
    body: NewOrganisation,
) -> Result<Organisation, ApiError> {
    policy::require_admin(&caller)?;
    let mut violations = Vec::new();
    check_code("code", &body.code, |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-', &mut violations);
    check_text("name", &body.name, 1, 200, &mut violations);
    check_text("city", &body.city, 1, 100, &mut violations);
    ApiError::check(violations)?;
    let organisation = crate::db::run(&state.pool, move |conn| {
        let taken = reference::list_organisations(conn, None, i64::from(u16::MAX))?.iter().any(|o| o.code == body.code);
        if taken {
            return Err(ApiError::conflict(crate::domain::Message::new("an-organisation-already-has-this-code")));
        }
        let id = reference::insert_organisation(conn, &body.code, body.name.trim(), body.city.trim())?;
        reference::find_organisation(conn, id)?.ok_or_else(|| ApiError::not_found("organisation"))
    })
    .await?;
    Ok(Organisation::from(organisation))
}

/// Changes an organisation.
pub async fn patch_organisation(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    body: OrganisationPatch,
) -> Result<Organisation, ApiError> {
    policy::require_admin(&caller)?;
    let mut violations = Vec::new();
    check_name_and_city(body.name.as_ref(), body.city.as_ref(), &mut violations);
    ApiError::check(violations)?;
    let organisation = crate::db::run(&state.pool, move |conn| {
        reference::find_organisation(conn, id)?.ok_or_else(|| ApiError::not_found("organisation"))?;
        let changes = reference::OrganisationChanges {
            name: body.name.map(|n| n.trim().to_owned()),
            city: body.city.map(|c| c.trim().to_owned()),
        };
        if changes.name.is_some() || changes.city.is_some() {
            reference::update_organisation(conn, id, &changes)?;
        }
        reference::find_organisation(conn, id)?.ok_or_else(|| ApiError::not_found("organisation"))
    })
    .await;
    // Trainings are suggested under their provider's name.
    state.catalogue.forget();
    Ok(Organisation::from(organisation?))
}

/// Adds a skill to the taxonomy, with its parent and aliases.
pub async fn create_skill(state: &Arc<AppState>, caller: Caller, body: NewSkill) -> Result<Skill, ApiError> {
    policy::require_admin(&caller)?;
    let slug_chars = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let mut violations = Vec::new();
    check_code("slug", &body.slug, slug_chars, &mut violations);
    check_text("label_fr", &body.label_fr, 1, 200, &mut violations);
    check_text("label_en", &body.label_en, 1, 200, &mut violations);
    check_domain(&body.domain, &mut violations);
    for (index, alias) in body.aliases.iter().enumerate() {
        check_text(&format!("aliases[{index}]"), alias, 1, 100, &mut violations);
    }
    ApiError::check(violations)?;
    let shared = state.clone();
    let skill = crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            let aliases: Vec<String> = body.aliases.iter().map(|a| a.trim().to_lowercase()).collect();
            for name in std::iter::once(&body.slug).chain(&aliases) {
                if is_taken(conn, name)? {
                    return Err(ApiError::conflict(Message::new("already-names-a-skill").arg("name", name.as_str())));
                }
            }
            let parent = match &body.parent {
                Some(parent) => Some(
                    reference::resolve_skill(conn, parent)?
                        .ok_or_else(|| unknown("parent", Message::new("no-such-skill")))?,
                ),
                None => None,
            };
            let id =
                reference::insert_skill(conn, &body.slug, body.label_fr.trim(), body.label_en.trim(), &body.domain)?;
            reference::set_parent(conn, id, parent)?;
            for alias in &aliases {
                reference::add_alias(conn, id, alias)?;
            }
            Ok(())
        })?;
        taxonomy_changed(&shared, conn)?;
        skill_answer(conn, &body.slug)
    })
    .await?;
    Ok(skill)
}

/// Changes a skill's labels, domain or parent.
pub async fn patch_skill(
    state: &Arc<AppState>,
    caller: Caller,
    slug: String,
    body: SkillPatch,
) -> Result<Skill, ApiError> {
    policy::require_admin(&caller)?;
    let mut violations = Vec::new();
    for (field, value) in [("label_fr", &body.label_fr), ("label_en", &body.label_en)] {
        if let Some(value) = value {
            check_text(field, value, 1, 200, &mut violations);
        }
    }
    if let Some(domain) = &body.domain {
        check_domain(domain, &mut violations);
    }
    ApiError::check(violations)?;
    let shared = state.clone();
    let skill = crate::db::run(&state.pool, move |conn| {
        let id = reference::resolve_skill(conn, &slug)?.ok_or_else(|| ApiError::not_found("skill"))?;
        crate::db::write_transaction(conn, |conn| {
            let changes = reference::SkillChanges {
                label_fr: body.label_fr.map(|l| l.trim().to_owned()),
                label_en: body.label_en.map(|l| l.trim().to_owned()),
                domain: body.domain,
            };
            reference::update_skill(conn, id, &changes)?;
            if let Some(parent) = &body.parent {
                let parent = match parent {
                    Some(name) => Some(
                        reference::resolve_skill(conn, name)?
                            .ok_or_else(|| unknown("parent", Message::new("no-such-skill")))?,
                    ),
                    None => None,
                };
                if let Some(parent) = parent {
                    if reference::would_loop(conn, id, parent)? {
                        return Err(ApiError::invalid(
                            "parent",
                            ViolationCode::Loop,
                            "the parent is this skill or one of its descendants",
                        ));
                    }
                }
                reference::set_parent(conn, id, parent)?;
            }
            Ok::<_, ApiError>(())
        })?;
        taxonomy_changed(&shared, conn)?;
        skill_answer(conn, &slug)
    })
    .await?;
    Ok(skill)
}

/// Adds another name for a skill.
pub async fn add_skill_alias(
    state: &Arc<AppState>,
    caller: Caller,
    slug: String,
    alias: NewAlias,
) -> Result<Skill, ApiError> {
    policy::require_admin(&caller)?;
    let alias = alias.alias.trim().to_lowercase();
    let mut violations = Vec::new();
    check_text("alias", &alias, 1, 100, &mut violations);
    ApiError::check(violations)?;
    let shared = Arc::clone(state);
    let skill = crate::db::run(&state.pool, move |conn| {
        let id = reference::resolve_skill(conn, &slug)?.ok_or_else(|| ApiError::not_found("skill"))?;
        if is_taken(conn, &alias)? {
            return Err(ApiError::conflict(Message::new("already-names-a-skill").arg("name", alias.as_str())));
        }
        reference::add_alias(conn, id, &alias)?;
        // Skill suggestions read aliases: the phrase book is rebuilt from the feed.
        taxonomy_changed(&shared, conn)?;
        skill_answer(conn, &slug)
    })
    .await?;
    Ok(skill)
}

/// Issues a new activation token for an account not yet activated.
pub async fn reissue_activation(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<ActivationToken, ApiError> {
    policy::require_admin(&caller)?;
    let token = secret::random_token();
    let expires_at = Utc::now() + Duration::hours(state.settings.auth.activation_ttl_hours);
    let digest = secret::token_digest(&token);
    crate::db::run(&state.pool, move |conn| {
        let account = accounts::find(conn, id)?.ok_or_else(|| ApiError::not_found("account"))?;
        if account.password_hash.is_some() {
            return Err(ApiError::conflict(crate::domain::Message::new("this-account-is-already-activated")));
        }
        accounts::set_activation(conn, id, &digest, expires_at.naive_utc())?;
        Ok(())
    })
    .await?;
    Ok(ActivationToken { activation_token: token, activation_expires_at: expires_at })
}
