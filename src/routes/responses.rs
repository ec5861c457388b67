//! The problem answers that several operations share, declared once: each
//! `#[utoipa::path]` names them by type (`responses(..., NotAdmin, InvalidFields)`)
//! instead of repeating status, description and media type. Answers every
//! operation can give (401, 414, 503, the extractors' 400/413/415/422) are
//! added by the document builder and need no declaration here.

use utoipa::IntoResponses;

use crate::error::{Problem, PROBLEM_JSON};

/// 400: A path or query parameter breaks a rule (a limit, a cursor, a filter).
#[derive(IntoResponses)]
#[response(status = 400, description = "Invalid parameters", content_type = PROBLEM_JSON)]
pub struct InvalidParameters(pub Problem);

/// 429: The login throttle refused a password guess (sign-in, activation, password change).
#[derive(IntoResponses)]
#[response(status = 429, description = "Too many attempts", content_type = PROBLEM_JSON,
    headers(("Retry-After" = u64, description = "Seconds to wait")))]
pub struct TooManyAttempts(pub Problem);

/// 403: The operation is the admins' alone.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not an admin", content_type = PROBLEM_JSON)]
pub struct NotAdmin(pub Problem);

/// 403: The committee reads aggregated reports only.
#[derive(IntoResponses)]
#[response(status = 403, description = "The committee", content_type = PROBLEM_JSON)]
pub struct CommitteeRefused(pub Problem);

/// 403: The offer belongs to an organisation the caller does not recruit for.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not a recruiter of the offer's organisation", content_type = PROBLEM_JSON)]
pub struct NotOfferRecruiter(pub Problem);

/// 403: Neither side of the placement.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not a recruiter of the organisation nor staff of the school", content_type = PROBLEM_JSON)]
pub struct NotRecruiterNorSchoolStaff(pub Problem);

/// 403: Personal data is the student's and the admins' alone.
#[derive(IntoResponses)]
#[response(status = 403, description = "Sees the student but is neither the student nor an admin", content_type = PROBLEM_JSON)]
pub struct NeitherStudentNorAdmin(pub Problem);

/// 403: Only the student may do this.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not the student", content_type = PROBLEM_JSON)]
pub struct NotTheStudent(pub Problem);

/// 403: Only who organises the campaign may do this.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not the organiser", content_type = PROBLEM_JSON)]
pub struct NotTheOrganiser(pub Problem);

/// 403: The student is outside the campaign's cohort.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not a student the campaign places", content_type = PROBLEM_JSON)]
pub struct NotPlacedByCampaign(pub Problem);

/// 403: The caller's role reads no applications.
#[derive(IntoResponses)]
#[response(status = 403, description = "A role that reads no applications", content_type = PROBLEM_JSON)]
pub struct ReadsNoApplications(pub Problem);

/// 403: The caller's role reads no placements.
#[derive(IntoResponses)]
#[response(status = 403, description = "A role that reads no placements", content_type = PROBLEM_JSON)]
pub struct ReadsNoPlacements(pub Problem);

/// 404: No account has this id.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such account", content_type = PROBLEM_JSON)]
pub struct AccountNotFound(pub Problem);

/// 404: No application with this id within what the caller may see.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such application visible to the caller", content_type = PROBLEM_JSON)]
pub struct ApplicationNotFound(pub Problem);

/// 404: No campaign with this id within what the caller may see.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such campaign visible to the caller", content_type = PROBLEM_JSON)]
pub struct CampaignNotFound(pub Problem);

/// 404: No such campaign visible to the caller, or the offer is not one of it.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such campaign visible to the caller, or offer not in it", content_type = PROBLEM_JSON)]
pub struct CampaignOfferNotFound(pub Problem);

/// 404: No offer with this id within what the caller may see.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such offer visible to the caller", content_type = PROBLEM_JSON)]
pub struct OfferNotFound(pub Problem);

/// 404: No placement with this id within what the caller may see.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such placement visible to the caller", content_type = PROBLEM_JSON)]
pub struct PlacementNotFound(pub Problem);

/// 404: No school has this id.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such school", content_type = PROBLEM_JSON)]
pub struct SchoolNotFound(pub Problem);

/// 404: No skill has this id or slug.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such skill", content_type = PROBLEM_JSON)]
pub struct SkillNotFound(pub Problem);

/// 404: No student with this id within what the caller may see.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such student visible to the caller", content_type = PROBLEM_JSON)]
pub struct StudentNotFound(pub Problem);

/// 409: Another school or organisation already has this code.
#[derive(IntoResponses)]
#[response(status = 409, description = "The code is taken", content_type = PROBLEM_JSON)]
pub struct CodeTaken(pub Problem);

/// 304: The `If-None-Match` sent names the current version; no body.
#[derive(IntoResponses)]
#[response(status = 304, description = "Not modified since the ETag sent",
    headers(("ETag" = String, description = "The current version")))]
pub struct NotModified;

/// 412: The `If-Match` sent is not the current `ETag`.
#[derive(IntoResponses)]
#[response(status = 412, description = "Changed since read", content_type = PROBLEM_JSON)]
pub struct ChangedSinceRead(pub Problem);

/// 422: A field of the body breaks a rule of the product; the problem names each.
#[derive(IntoResponses)]
#[response(status = 422, description = "Invalid fields", content_type = PROBLEM_JSON)]
pub struct InvalidFields(pub Problem);

/// 428: The write needs the `ETag` of the version read.
#[derive(IntoResponses)]
#[response(status = 428, description = "If-Match missing", content_type = PROBLEM_JSON)]
pub struct IfMatchMissing(pub Problem);
