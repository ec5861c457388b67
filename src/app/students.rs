//! Student profiles, skills and consents, and the school's student list.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::memo::{Memo, Serialised};
use crate::app::personal_data::record_reading;
use crate::app::skills::{resolve_skill_filter, resolve_skills};
use crate::app::version::IfMatch;
use crate::app::AppState;
use crate::auth::policy::{self, StudentView};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::student::{
    validate_availability, validate_profile_text, validate_skills, LanguageSkill, ProfileReading, ProfileText,
};
use crate::domain::{DegreeLevel, OfferKind};
use crate::error::ApiError;
use crate::pagination::{paginate, Page, PageQuery};
use crate::store::students::{self, ProfileChanges, StudentFilter, StudentRow};

/// A skill a student holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentSkill {
    #[schema(example = "python")]
    pub skill: String,
    #[schema(example = "Python")]
    pub label_en: String,
    /// 1 (notions) to 5 (expert).
    #[schema(example = 4)]
    pub level: u8,
}

/// A consent given or withdrawn, with its time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentEvent {
    #[schema(value_type = crate::domain::Consent, example = "discoverable_by_recruiters")]
    pub consent: String,
    #[schema(example = true)]
    pub granted: bool,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub at: DateTime<Utc>,
}

/// A student's profile. The student, staff of their school and admins see all
/// of it; a recruiter sees the professional view, without `email`,
/// `student_number` and `consents`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentProfile {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = 3)]
    pub school_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ECC-2027-0042")]
    pub student_number: Option<String>,
    #[schema(example = "Salma")]
    pub first_name: String,
    #[schema(example = "Bennani")]
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "salma.bennani@ecc.example.org")]
    pub email: Option<String>,
    /// From the school's roster; read-only for the student.
    #[schema(example = "Génie informatique")]
    pub programme: String,
    /// From the school's roster; read-only for the student.
    pub degree_level: DegreeLevel,
    #[schema(example = 2027)]
    pub graduation_year: i32,
    /// Kinds of offer wanted.
    #[schema(example = json!(["internship", "work_study"]))]
    pub wanted_kinds: Vec<OfferKind>,
    /// First day the student can start.
    #[schema(example = "2027-02-01")]
    pub available_from: Option<NaiveDate>,
    /// Last day the student can start.
    #[schema(example = "2027-03-01")]
    pub available_until: Option<NaiveDate>,
    /// Acceptable cities.
    #[schema(example = json!(["Casablanca", "Rabat"]))]
    pub cities: Vec<String>,
    /// Whether remote offers are acceptable wherever they are based.
    #[schema(example = true)]
    pub remote_ok: bool,
    #[schema(example = json!([{"language": "French", "level": "c1"}, {"language": "Arabic", "level": "native"}]))]
    pub languages: Vec<LanguageSkill>,
    #[schema(example = "Passionnée de data science et d'actuariat.")]
    pub bio: String,
    #[schema(example = json!(["https://github.com/salma-bennani"]))]
    pub links: Vec<String>,
    /// Consent to appear in recruiters' candidate rankings.
    #[schema(example = true)]
    pub discoverable: bool,
    /// Whether the student is looking for a placement (counts in placement rates).
    #[schema(example = true)]
    pub seeking: bool,
    #[schema(example = json!([{"skill": "python", "label_en": "Python", "level": 4}]))]
    pub skills: Vec<StudentSkill>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([{"consent": "discoverable_by_recruiters", "granted": true, "at": "2026-11-29T10:15:00Z"}]))]
    pub consents: Option<Vec<ConsentEvent>>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
}

fn decode<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    // Written only by this service; a malformed value reads as empty rather than failing a read.
    serde_json::from_str(text).unwrap_or_default()
}

pub fn profile_view(conn: &mut DbConnection, row: StudentRow, view: StudentView) -> Result<StudentProfile, ApiError> {
    let full = view == StudentView::Full;
    let skills = students::skills_of(conn, row.id)?
        .into_iter()
        .map(|s| StudentSkill { skill: s.slug, label_en: s.label_en, level: u8::try_from(s.level).unwrap_or(0) })
        .collect();
    let consents = if full {
        Some(
            students::consents_of(conn, row.id)?
                .into_iter()
                .map(|c| ConsentEvent { consent: c.consent, granted: c.granted, at: c.at.and_utc() })
                .collect(),
        )
    } else {
        None
    };
    Ok(StudentProfile {
        id: row.id,
        school_id: row.school_id,
        student_number: full.then_some(row.student_number),
        first_name: row.first_name,
        last_name: row.last_name,
        email: full.then_some(row.email),
        programme: row.programme,
        degree_level: crate::error::parse_stored(&row.degree_level)?,
        graduation_year: row.graduation_year,
        wanted_kinds: OfferKind::decode_list(&row.wanted_kinds),
        available_from: row.available_from,
        available_until: row.available_until,
        cities: decode(&row.cities),
        remote_ok: row.remote_ok,
        languages: decode(&row.languages),
        bio: row.bio,
        links: decode(&row.links),
        discoverable: row.discoverable,
        seeking: row.seeking,
        skills,
        consents,
        updated_at: row.updated_at.and_utc(),
    })
}

/// Loads a student the caller may see, with the view they get; 404 otherwise.
pub fn visible_student(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(StudentRow, StudentView), ApiError> {
    let not_found = || ApiError::not_found("student");
    let row = students::find(conn, id)?.ok_or_else(not_found)?;
    let applied = match caller.organisation_id {
        Some(organisation) => students::applied_to_organisation(conn, id, organisation)?,
        None => false,
    };
    let view = policy::student_visibility(caller, row.account_id, row.school_id, row.discoverable, applied)
        .ok_or_else(not_found)?;
    Ok((row, view))
}

/// The profile's version and its JSON in `view`, written once per version and
/// view and kept: a profile read again reads no skills or consents and
/// serialises nothing.
fn versioned(
    conn: &mut DbConnection,
    memo: &Memo<(i64, i64, StudentView), Serialised>,
    row: StudentRow,
    view: StudentView,
) -> Result<(i64, Serialised), ApiError> {
    let version = row.version;
    let json = memo.get_or_write((row.id, version, view), || profile_view(conn, row, view))?;
    Ok((version, json))
}

/// Reads a field that may be given as `null` to clear it: absent is `None`,
/// `null` is `Some(None)`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Changes to a profile; absent fields stay as they are. Programme, degree
/// level and graduation year come from the roster and cannot be set here.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[schema(example = json!(["internship"]))]
    pub wanted_kinds: Option<Vec<OfferKind>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    #[schema(example = "2027-02-01")]
    pub available_from: Option<Option<NaiveDate>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    #[schema(example = "2027-03-01")]
    pub available_until: Option<Option<NaiveDate>>,
    /// At most 20.
    #[schema(
        example = json!(["Casablanca", "Rabat"]),
        value_type = Option<Vec<crate::domain::texts::CityName>>,
        max_items = 20
    )]
    pub cities: Option<Vec<String>>,
    #[schema(example = true)]
    pub remote_ok: Option<bool>,
    /// At most 10, each once.
    #[schema(example = json!([{"language": "French", "level": "c1"}]), max_items = 10)]
    pub languages: Option<Vec<LanguageSkill>>,
    /// At most 2,000 characters.
    #[schema(example = "Passionnée de data science et d'actuariat.", max_length = 2_000)]
    pub bio: Option<String>,
    /// At most 10 http(s) links.
    #[schema(
        example = json!(["https://github.com/salma-bennani"]),
        value_type = Option<Vec<crate::domain::texts::WebLink>>,
        max_items = 10
    )]
    pub links: Option<Vec<String>>,
    /// Consent to appear in recruiters' rankings; each change is recorded with its time.
    #[schema(example = true)]
    pub discoverable: Option<bool>,
    #[schema(example = true)]
    pub seeking: Option<bool>,
}

fn changes_from(patch: ProfilePatch, current: &StudentRow) -> Result<ProfileChanges, ApiError> {
    let cities = patch.cities.unwrap_or_else(|| decode(&current.cities));
    let links = patch.links.unwrap_or_else(|| decode(&current.links));
    let languages = patch.languages.unwrap_or_else(|| decode(&current.languages));
    let from = patch.available_from.unwrap_or(current.available_from);
    let until = patch.available_until.unwrap_or(current.available_until);
    let mut violations = validate_profile_text(&ProfileText {
        bio: patch.bio.as_deref(),
        links: &links,
        cities: &cities,
        languages: &languages,
    });
    violations.extend(validate_availability(from, until));
    ApiError::check(violations)?;
    Ok(ProfileChanges {
        wanted_kinds: patch.wanted_kinds.map(|kinds| OfferKind::encode_list(&kinds)),
        available_from: Some(from),
        available_until: Some(until),
        cities: Some(json(&cities)),
        remote_ok: patch.remote_ok,
        languages: Some(json(&languages)),
        bio: patch.bio.map(|bio| bio.trim().to_owned()),
        links: Some(json(&links)),
        discoverable: patch.discoverable,
        seeking: patch.seeking,
    })
}

/// JSON text of a list stored in a text column.
fn json<T: Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// One skill of a student, by slug or alias.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillLevel {
    /// Slug or alias, e.g. `k8s`.
    #[schema(example = "k8s")]
    pub skill: String,
    /// 1 (notions) to 5 (expert).
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 3, minimum = 1, maximum = 5)]
    pub level: u8,
}

/// A student's whole skill set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillSet {
    /// At most 60 skills, each once.
    #[schema(example = json!([{"skill": "python", "level": 4}, {"skill": "k8s", "level": 2}]))]
    pub skills: Vec<SkillLevel>,
}

/// Filters of the student list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StudentQuery {
    /// Exact programme name.
    #[param(example = "Génie informatique")]
    pub programme: Option<String>,
    #[param(example = 2027)]
    pub graduation_year: Option<i32>,
    /// Students holding this skill (slug or alias) or a narrower one.
    #[param(example = "python")]
    pub skill: Option<String>,
    #[param(example = true)]
    pub seeking: Option<bool>,
    /// Admins only: one school.
    #[param(example = 3)]
    pub school_id: Option<i64>,
    /// Part of a first or last name, a student number or an e-mail; accents
    /// and case are ignored (`benani` finds Bénani).
    #[param(example = "benani")]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A student's profile and its version, as the caller may see it. Readings by
/// recruiters and school staff are recorded (law 09-08).
pub async fn get_student(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<(i64, Serialised), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, view) = visible_student(conn, &caller, id)?;
        // The student may learn who read their profile (law 09-08).
        record_reading(conn, &caller, &[row.id], ProfileReading::Profile, None)?;
        versioned(conn, &shared.profile_json, row, view)
    })
    .await
}

/// The signed-in student's own profile and its version.
pub async fn my_profile(state: &Arc<AppState>, caller: Caller) -> Result<(i64, Serialised), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let row = students::find_by_account(conn, caller.account_id)?
            .ok_or_else(|| ApiError::not_found("student profile"))?;
        versioned(conn, &shared.profile_json, row, StudentView::Full)
    })
    .await
}

/// Changes a profile, at the version the caller read.
pub async fn patch_student(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    patch: ProfilePatch,
    if_match: IfMatch,
) -> Result<(i64, Serialised), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, _) = visible_student(conn, &caller, id)?;
        if !policy::can_edit_student(&caller, row.account_id) {
            return Err(ApiError::Forbidden(crate::domain::Message::new("only-the-student-edits-their-profile")));
        }
        // Invalid content is refused as such (422) before its precondition is looked at.
        let changes = changes_from(patch, &row)?;
        if_match.require(row.version)?;
        if !students::update_profile(conn, &row, row.version, &changes)? {
            return Err(ApiError::PreconditionFailed(crate::domain::Message::new("profile-changed-since-read")));
        }
        shared.refresh_index(conn);
        let row = students::find(conn, id)?.ok_or_else(|| ApiError::not_found("student"))?;
        versioned(conn, &shared.profile_json, row, StudentView::Full)
    })
    .await
}

/// Replaces a student's skills; the version is checked only when given.
pub async fn put_skills(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    skills: Vec<SkillLevel>,
    if_match: IfMatch,
) -> Result<(i64, Serialised), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, _) = visible_student(conn, &caller, id)?;
        if !policy::can_edit_student(&caller, row.account_id) {
            return Err(ApiError::Forbidden(crate::domain::Message::new("only-the-student-edits-their-skills")));
        }
        if_match.check_if_sent(row.version)?;
        let levels: Vec<u8> = skills.iter().map(|s| s.level).collect();
        let resolved = resolve_skills(conn, "skills", skills.into_iter().map(|s| s.skill))?;
        let canonical: Vec<(String, u8)> =
            resolved.iter().map(|(_, slug)| slug.clone()).zip(levels.iter().copied()).collect();
        ApiError::check(validate_skills(&canonical))?;
        let by_id: Vec<(i64, u8)> = resolved.iter().map(|(id, _)| *id).zip(levels).collect();
        students::replace_skills(conn, id, &by_id)?;
        shared.refresh_index(conn);
        let row = students::find(conn, id)?.ok_or_else(|| ApiError::not_found("student"))?;
        versioned(conn, &shared.profile_json, row, StudentView::Full)
    })
    .await
}

/// A page of the students the caller's school (or, for admins, any school) has.
pub async fn list_students(
    state: &AppState,
    caller: Caller,
    query: StudentQuery,
) -> Result<Page<StudentProfile>, ApiError> {
    let scope = policy::student_list_scope(&caller)?;
    let page = PageQuery { limit: query.limit, cursor: query.cursor.clone() };
    let list = format!(
        "students {:?}",
        (query.school_id, &query.programme, query.graduation_year, &query.skill, query.seeking, &query.q)
    );
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, &list)?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        let skill_id = match &query.skill {
            Some(name) => Some(resolve_skill_filter(conn, name)?),
            None => None,
        };
        let filter = StudentFilter {
            school_id: scope.or(query.school_id),
            programme: query.programme,
            graduation_year: query.graduation_year,
            skill_id,
            seeking: query.seeking,
            q: query.q,
        };
        let (rows, next_cursor) =
            paginate(students::list(conn, &filter, after, limit)?, limit, &cursors, &list, |r| r.id);
        let shown: Vec<i64> = rows.iter().map(|row| row.id).collect();
        record_reading(conn, &caller, &shown, ProfileReading::StudentList, None)?;
        let items = rows.into_iter().map(|row| profile_view(conn, row, StudentView::Full)).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    })
    .await
}
