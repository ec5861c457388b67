//! Student profiles, skills and consents, and the school's student list.

use actix_web::{get, patch, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::policy::{self, StudentView};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::student::{
    validate_availability, validate_profile_text, validate_skills, LanguageSkill, ProfileReading, ProfileText,
};
use crate::domain::{DegreeLevel, OfferKind, Violation};
use crate::error::{ApiError, Problem};
use crate::pagination::{paginate, Page, PageQuery};
use crate::routes::personal_data::record_reading;
use crate::routes::precondition::{check_optional_if_match, if_match_of, require_if_match, tagged_json};
use crate::store::students::{self, ProfileChanges, StudentFilter, StudentRow};
use crate::store::{reference, taxonomy};

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
    /// `discoverable_by_recruiters`.
    #[schema(example = "discoverable_by_recruiters")]
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

pub(crate) fn decode_kinds(text: &str) -> Vec<OfferKind> {
    text.split(',').filter_map(|kind| kind.trim().parse().ok()).collect()
}

fn encode_kinds(kinds: &[OfferKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
}

pub(crate) fn profile_view(
    conn: &mut DbConnection,
    row: StudentRow,
    view: StudentView,
) -> Result<StudentProfile, ApiError> {
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
        wanted_kinds: decode_kinds(&row.wanted_kinds),
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
pub(crate) fn visible_student(
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

/// The profile and its version, to answer with.
fn versioned(conn: &mut DbConnection, row: StudentRow, view: StudentView) -> Result<(i64, StudentProfile), ApiError> {
    let version = row.version;
    Ok((version, profile_view(conn, row, view)?))
}

fn answer((version, profile): (i64, StudentProfile)) -> HttpResponse {
    tagged_json(HttpResponse::Ok(), version, &profile)
}

/// A student's profile.
///
/// The student, staff of their school and admins see all of it; a recruiter
/// sees the professional view, and only of a student who is discoverable or
/// applied to their organisation. Anyone else gets 404. The `ETag` is needed
/// to change it. Each reading by a recruiter or school staff is recorded and
/// listed to the student (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    responses(
        (status = 200, description = "The profile", body = StudentProfile, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such student visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/students/{id}")]
pub async fn get_student(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let profile = crate::db::run(&state.pool, move |conn| {
        let (row, view) = visible_student(conn, &caller, id)?;
        // The student may learn who read their profile (law 09-08).
        record_reading(conn, &caller, &[row.id], ProfileReading::Profile, None)?;
        versioned(conn, row, view)
    })
    .await?;
    Ok(answer(profile))
}

/// The signed-in student's own profile.
///
/// Students only.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = StudentProfile, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller is not a student", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/profile")]
pub async fn my_profile(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let profile = crate::db::run(&state.pool, move |conn| {
        let row = students::find_by_account(conn, caller.account_id)?
            .ok_or_else(|| ApiError::not_found("student profile"))?;
        versioned(conn, row, StudentView::Full)
    })
    .await?;
    Ok(answer(profile))
}

/// Reads a field that may be given as `null` to clear it: absent is `None`,
/// `null` is `Some(None)`.
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
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
    #[schema(example = json!(["Casablanca", "Rabat"]))]
    pub cities: Option<Vec<String>>,
    #[schema(example = true)]
    pub remote_ok: Option<bool>,
    /// At most 10, each once.
    #[schema(example = json!([{"language": "French", "level": "c1"}]))]
    pub languages: Option<Vec<LanguageSkill>>,
    /// At most 2,000 characters.
    #[schema(example = "Passionnée de data science et d'actuariat.")]
    pub bio: Option<String>,
    /// At most 10 http(s) links.
    #[schema(example = json!(["https://github.com/salma-bennani"]))]
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
        wanted_kinds: patch.wanted_kinds.map(|kinds| encode_kinds(&kinds)),
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

/// Change a student's profile.
///
/// The student only. Needs `If-Match` with the profile's `ETag` (428 without
/// it, 412 when someone changed the profile since).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id"), ("If-Match" = String, Header, description = "The ETag read")),
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "The updated profile", body = StudentProfile, headers(("ETag" = String, description = "New version"))),
        (status = 403, description = "Not the student", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such student visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/students/{id}")]
pub async fn patch_student(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<ProfilePatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let if_match = if_match_of(&request);
    let shared = state.clone();
    let profile = crate::db::run(&state.pool, move |conn| {
        let (row, _) = visible_student(conn, &caller, id)?;
        if !policy::can_edit_student(&caller, row.account_id) {
            return Err(ApiError::Forbidden("only the student edits their profile".into()));
        }
        // Invalid content is refused as such (422) before its precondition is looked at.
        let changes = changes_from(body.into_inner(), &row)?;
        require_if_match(if_match.as_ref(), row.version)?;
        if !students::update_profile(conn, &row, row.version, &changes)? {
            return Err(ApiError::PreconditionFailed("the profile changed since you read it".into()));
        }
        shared.refresh_index(conn);
        let row = students::find(conn, id)?.ok_or_else(|| ApiError::not_found("student"))?;
        versioned(conn, row, StudentView::Full)
    })
    .await?;
    Ok(answer(profile))
}

/// One skill of a student, by slug or alias.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillLevel {
    /// Slug or alias, e.g. `k8s`.
    #[schema(example = "k8s")]
    pub skill: String,
    /// 1 (notions) to 5 (expert).
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

/// Resolves slugs and aliases to skill ids; unknown ones are violations at
/// `{field}[i].skill` with close matches suggested.
pub(crate) fn resolve_skills(
    conn: &mut DbConnection,
    field: &str,
    names: impl Iterator<Item = String>,
) -> Result<Vec<(i64, String)>, ApiError> {
    let mut resolved = Vec::new();
    let mut violations = Vec::new();
    for (index, name) in names.enumerate() {
        // Only the id and slug are needed: no aliases or parent to load per name.
        match reference::canonical_skill(conn, &name)? {
            Some(skill) => resolved.push(skill),
            None => {
                let close = taxonomy::suggestions(conn, &name)?;
                let hint =
                    if close.is_empty() { String::new() } else { format!("; did you mean {}?", close.join(", ")) };
                violations.push(Violation::new(
                    format!("{field}[{index}].skill"),
                    "unknown_skill",
                    format!("unknown skill {name:?}{hint}"),
                ));
            }
        }
    }
    ApiError::check(violations)?;
    Ok(resolved)
}

/// Resolves the `skill` filter of a list. An unknown skill there is a bad
/// query parameter, answered 400 like any other, naming the parameter.
pub(crate) fn resolve_skill_filter(conn: &mut DbConnection, name: &str) -> Result<i64, ApiError> {
    match resolve_skills(conn, "skill", std::iter::once(name.to_owned())) {
        Ok(mut resolved) => Ok(resolved.remove(0).0),
        Err(ApiError::Validation(violations)) => Err(ApiError::InvalidParameters(
            violations.into_iter().map(|v| Violation::new("skill", v.code, v.message)).collect(),
        )),
        Err(other) => Err(other),
    }
}

/// Replace a student's skills.
///
/// The student only. Skills are given by slug or alias and stored by their
/// canonical skill; unknown skills are a 422 naming each one, with close
/// matches suggested. `If-Match` is optional here; when sent, it must match.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    request_body = SkillSet,
    responses(
        (status = 200, description = "The updated profile", body = StudentProfile),
        (status = 403, description = "Not the student", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such student visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown skills, bad levels, duplicates or more than 60", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/students/{id}/skills")]
pub async fn put_skills(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<SkillSet>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let if_match = if_match_of(&request);
    let shared = state.clone();
    let profile = crate::db::run(&state.pool, move |conn| {
        let (row, _) = visible_student(conn, &caller, id)?;
        if !policy::can_edit_student(&caller, row.account_id) {
            return Err(ApiError::Forbidden("only the student edits their skills".into()));
        }
        check_optional_if_match(if_match.as_ref(), row.version)?;
        let skills = body.into_inner().skills;
        let levels: Vec<u8> = skills.iter().map(|s| s.level).collect();
        let resolved = resolve_skills(conn, "skills", skills.into_iter().map(|s| s.skill))?;
        let canonical: Vec<(String, u8)> =
            resolved.iter().map(|(_, slug)| slug.clone()).zip(levels.iter().copied()).collect();
        ApiError::check(validate_skills(&canonical))?;
        let by_id: Vec<(i64, u8)> = resolved.iter().map(|(id, _)| *id).zip(levels).collect();
        students::replace_skills(conn, id, &by_id)?;
        shared.refresh_index(conn);
        let row = students::find(conn, id)?.ok_or_else(|| ApiError::not_found("student"))?;
        versioned(conn, row, StudentView::Full)
    })
    .await?;
    Ok(answer(profile))
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
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List students.
///
/// School staff see their own school's students; admins see every school's
/// (optionally one with `school_id`). Others get 403. Each student listed to
/// school staff learns it (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(StudentQuery),
    responses(
        (status = 200, description = "A page of students", body = Page<StudentProfile>),
        (status = 400, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not school staff or admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/students")]
pub async fn list_students(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StudentQuery>,
) -> Result<web::Json<Page<StudentProfile>>, ApiError> {
    let scope = policy::student_list_scope(&caller)?;
    let query = query.into_inner();
    let page = PageQuery { limit: query.limit, cursor: query.cursor.clone() };
    let (limit, after) = (page.limit()?, page.after::<i64>()?);
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
        };
        let (rows, next_cursor) = paginate(students::list(conn, &filter, after, limit)?, limit, |r| r.id);
        let shown: Vec<i64> = rows.iter().map(|row| row.id).collect();
        record_reading(conn, &caller, &shown, ProfileReading::StudentList, None)?;
        let items = rows.into_iter().map(|row| profile_view(conn, row, StudentView::Full)).collect::<Result<_, _>>()?;
        Ok(web::Json(Page { items, next_cursor }))
    })
    .await
}
