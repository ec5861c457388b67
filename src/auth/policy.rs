//! Every permission rule of the API, named for what it decides. Handlers ask
//! these and nothing else. Where the existence of a thing is itself private
//! (another student's profile), the handler answers 404 rather than 403.

use crate::auth::Caller;
use crate::domain::webhook::OwnerKind;
use crate::domain::Role;
use crate::domain::ViolationCode;
use crate::error::ApiError;

/// Only the operator.
pub fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(crate::domain::Message::new("only-an-administrator-may-do-this")))
    }
}

/// A school's roster is managed by that school's staff and by admins.
pub fn can_manage_roster(caller: &Caller, school_id: i64) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::SchoolStaff => caller.school_id == Some(school_id),
        _ => false,
    }
}

/// A training's provider: a school or an AXA organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingProvider {
    School(i64),
    Organisation(i64),
}

/// Whose training a caller adds: school staff their school's, recruiters their
/// organisation's (naming another in the body is refused), admins exactly the
/// one they name.
pub fn training_provider(
    caller: &Caller,
    school_id: Option<i64>,
    organisation_id: Option<i64>,
) -> Result<TrainingProvider, ApiError> {
    let refuse = |why: crate::domain::Message| Err(ApiError::Forbidden(why));
    match (caller.role, caller.school_id, caller.organisation_id) {
        (Role::Admin, _, _) => match (school_id, organisation_id) {
            (Some(school), None) => Ok(TrainingProvider::School(school)),
            (None, Some(organisation)) => Ok(TrainingProvider::Organisation(organisation)),
            _ => Err(ApiError::Validation(vec![crate::domain::Violation::new(
                "school_id",
                ViolationCode::Provider,
                crate::domain::Message::new("exactly-one-provider"),
            )])),
        },
        (Role::SchoolStaff, Some(own), _) if organisation_id.is_none() && school_id.is_none_or(|s| s == own) => {
            Ok(TrainingProvider::School(own))
        }
        (Role::Recruiter, _, Some(own)) if school_id.is_none() && organisation_id.is_none_or(|o| o == own) => {
            Ok(TrainingProvider::Organisation(own))
        }
        (Role::SchoolStaff | Role::Recruiter, _, _) => {
            refuse(crate::domain::Message::new("trainings-are-added-for-your-own-school-or-organisation"))
        }
        _ => refuse(crate::domain::Message::new("only-school-staff-recruiters-and-admins-add-trainings")),
    }
}

/// Admins and the provider's own staff change a training.
pub fn can_manage_training(caller: &Caller, provider: TrainingProvider) -> bool {
    match (caller.role, provider) {
        (Role::Admin, _) => true,
        (Role::SchoolStaff, TrainingProvider::School(school)) => caller.school_id == Some(school),
        (Role::Recruiter, TrainingProvider::Organisation(organisation)) => caller.organisation_id == Some(organisation),
        _ => false,
    }
}

/// How much of a student's profile a caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StudentView {
    /// Everything: the student, staff of their school, admins.
    Full,
    /// The professional view without contact details: a recruiter, for a
    /// student who is discoverable or applied to their organisation.
    Professional,
}

/// What of this student the caller may see; `None` answers 404, since the
/// existence of another student's profile is itself private.
pub fn student_visibility(
    caller: &Caller,
    student_account: Option<i64>,
    student_school: i64,
    discoverable: bool,
    applied_to_callers_organisation: bool,
) -> Option<StudentView> {
    match caller.role {
        Role::Admin => Some(StudentView::Full),
        Role::Student if student_account == Some(caller.account_id) => Some(StudentView::Full),
        Role::SchoolStaff if caller.school_id == Some(student_school) => Some(StudentView::Full),
        Role::Recruiter if discoverable || applied_to_callers_organisation => Some(StudentView::Professional),
        _ => None,
    }
}

/// Whether a request is the student's own about their record, known from the
/// token alone (tokens issued before they named the record say nothing: the
/// database decides those).
pub fn is_own_record(caller: &Caller, student_id: i64) -> bool {
    caller.role == Role::Student && caller.student_id == Some(student_id)
}

/// Only the student edits their own profile, skills and consents.
pub fn can_edit_student(caller: &Caller, student_account: Option<i64>) -> bool {
    caller.role == Role::Student && student_account == Some(caller.account_id)
}

/// The school whose students the caller may list: `Ok(None)` for all schools (admins).
pub fn student_list_scope(caller: &Caller) -> Result<Option<i64>, ApiError> {
    match (caller.role, caller.school_id) {
        (Role::Admin, _) => Ok(None),
        (Role::SchoolStaff, Some(school)) => Ok(Some(school)),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new("only-school-staff-and-admins-list-students"))),
    }
}

/// The organisation a caller posts offers for: recruiters only.
pub fn offer_author_organisation(caller: &Caller) -> Result<i64, ApiError> {
    match (caller.role, caller.organisation_id) {
        (Role::Recruiter, Some(organisation)) => Ok(organisation),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new("only-recruiters-post-offers"))),
    }
}

/// Recruiters of the offer's organisation edit, publish and close it.
pub fn can_edit_offer(caller: &Caller, offer_organisation: i64) -> bool {
    caller.role == Role::Recruiter && caller.organisation_id == Some(offer_organisation)
}

/// Open and filled offers are public to signed-in users; drafts and closed
/// offers only to their organisation's recruiters and admins (others get 404).
pub fn can_view_offer(caller: &Caller, offer_organisation: i64, status: crate::domain::OfferStatus) -> bool {
    use crate::domain::OfferStatus;
    matches!(status, OfferStatus::Open | OfferStatus::Filled)
        || caller.role == Role::Admin
        || can_edit_offer(caller, offer_organisation)
}

/// Only students apply, and only for themselves (the student comes from the token).
pub fn require_applicant(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Student {
        Ok(())
    } else {
        Err(ApiError::Forbidden(crate::domain::Message::new("only-students-apply-to-offers")))
    }
}

/// Which applications or placements a caller may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineScope {
    /// Admins: everything.
    All,
    /// A student: those whose student has this account.
    StudentAccount(i64),
    /// A recruiter: their organisation's.
    Organisation(i64),
    /// School staff: their school's students'.
    School(i64),
}

/// The applications and placements a caller may see; the committee reads
/// aggregated reports only, never individual files.
pub fn pipeline_scope(caller: &Caller) -> Result<PipelineScope, ApiError> {
    match (caller.role, caller.school_id, caller.organisation_id) {
        (Role::Admin, _, _) => Ok(PipelineScope::All),
        (Role::Student, _, _) => Ok(PipelineScope::StudentAccount(caller.account_id)),
        (Role::Recruiter, _, Some(organisation)) => Ok(PipelineScope::Organisation(organisation)),
        (Role::SchoolStaff, Some(school), _) => Ok(PipelineScope::School(school)),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new(
            "applications-and-placements-are-not-readable-with-this-role",
        ))),
    }
}

/// Whether one application or placement, of a student with `student_account`
/// at `school` for `organisation`, is within the caller's scope; outside it the
/// answer is 404, since its existence is private.
pub fn in_pipeline_scope(scope: PipelineScope, student_account: Option<i64>, school: i64, organisation: i64) -> bool {
    match scope {
        PipelineScope::All => true,
        PipelineScope::StudentAccount(account) => student_account == Some(account),
        PipelineScope::Organisation(own) => own == organisation,
        PipelineScope::School(own) => own == school,
    }
}

/// The signatory a caller is for a placement, if any: the placed student, staff
/// of the student's school, or a recruiter of the hosting organisation.
pub fn signatory_party(
    caller: &Caller,
    student_account: Option<i64>,
    school: i64,
    organisation: i64,
) -> Option<crate::domain::placement::Party> {
    use crate::domain::placement::Party;
    match caller.role {
        Role::Student if student_account == Some(caller.account_id) => Some(Party::Student),
        Role::SchoolStaff if caller.school_id == Some(school) => Some(Party::School),
        Role::Recruiter if caller.organisation_id == Some(organisation) => Some(Party::Organisation),
        _ => None,
    }
}

/// Whether a caller who is the school's party may sign for it: the approver
/// the terms designate, named on the document, or any of the school's staff
/// while none is designated.
pub fn signs_for_the_school(caller: &Caller, approver: Option<i64>) -> bool {
    approver.is_none_or(|approver| approver == caller.account_id)
}

/// Only the school's staff designate the school's approver: the organisation
/// does not choose who approves for the school.
pub fn can_designate_school_approver(caller: &Caller, school: i64) -> bool {
    caller.role == Role::SchoolStaff && caller.school_id == Some(school)
}

/// The terms of a placement are negotiated by the hosting organisation and the
/// school; the student signs them but does not draft them. Termination is
/// theirs too.
pub fn can_manage_placement(caller: &Caller, school: i64, organisation: i64) -> bool {
    match caller.role {
        Role::SchoolStaff => caller.school_id == Some(school),
        Role::Recruiter => caller.organisation_id == Some(organisation),
        _ => false,
    }
}

/// The student's rights over their personal data (law 09-08): reading all of
/// it, learning who viewed it, having it erased. The student and admins only.
pub fn can_exercise_data_rights(caller: &Caller, student_account: Option<i64>) -> bool {
    caller.role == Role::Admin || (caller.role == Role::Student && student_account == Some(caller.account_id))
}

/// Whose reading of a student's profile is recorded for the student to see:
/// the people outside the student's own file who process it, recruiters and
/// school staff. Admins act as the operator and the student reads their own.
pub fn records_profile_view(caller: &Caller) -> bool {
    matches!(caller.role, Role::Recruiter | Role::SchoolStaff)
}

/// How much of a report a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAudience {
    /// Exact figures: admins, and school staff for their own school.
    Exact,
    /// Figures of groups under 5 students withheld: the committee.
    Anonymised,
}

/// Placement statistics of one school: its staff and admins exactly, the
/// committee anonymised; students, recruiters and other schools' staff get
/// 403 (schools are public, so there is nothing to hide by a 404).
pub fn school_report_audience(caller: &Caller, school_id: i64) -> Result<ReportAudience, ApiError> {
    match caller.role {
        Role::Admin => Ok(ReportAudience::Exact),
        Role::SchoolStaff if caller.school_id == Some(school_id) => Ok(ReportAudience::Exact),
        Role::Committee => Ok(ReportAudience::Anonymised),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new("only-the-school-s-staff-the-committee-and-admins"))),
    }
}

/// Placement rates of every school: the committee (anonymised) and admins.
pub fn network_report_audience(caller: &Caller) -> Result<ReportAudience, ApiError> {
    match caller.role {
        Role::Admin => Ok(ReportAudience::Exact),
        Role::Committee => Ok(ReportAudience::Anonymised),
        _ => {
            Err(ApiError::Forbidden(crate::domain::Message::new("only-the-committee-and-admins-read-network-reports")))
        }
    }
}

/// The skills gap: the committee (anonymised) and admins over every school;
/// school staff over the supply of their own school's students, since other
/// schools' students are not theirs to count. Demand is the same for all.
pub fn skills_gap_scope(caller: &Caller) -> Result<(ReportAudience, Option<i64>), ApiError> {
    match (caller.role, caller.school_id) {
        (Role::Admin, _) => Ok((ReportAudience::Exact, None)),
        (Role::Committee, _) => Ok((ReportAudience::Anonymised, None)),
        (Role::SchoolStaff, Some(school)) => Ok((ReportAudience::Exact, Some(school))),
        _ => {
            Err(ApiError::Forbidden(crate::domain::Message::new("only-school-staff-the-committee-and-admins-read-the")))
        }
    }
}

/// Training needs: the committee (anonymised) and admins, over every school
/// or the one named; school staff over their own school's students only,
/// naming it or not. Another school named by school staff is refused.
pub fn training_needs_scope(
    caller: &Caller,
    school_id: Option<i64>,
) -> Result<(ReportAudience, Option<i64>), ApiError> {
    match (caller.role, caller.school_id) {
        (Role::Admin, _) => Ok((ReportAudience::Exact, school_id)),
        (Role::Committee, _) => Ok((ReportAudience::Anonymised, school_id)),
        (Role::SchoolStaff, Some(own)) if school_id.is_none_or(|asked| asked == own) => {
            Ok((ReportAudience::Exact, Some(own)))
        }
        (Role::SchoolStaff, Some(_)) => {
            Err(ApiError::Forbidden(crate::domain::Message::new("school-staff-read-their-own-school-s-training-needs")))
        }
        _ => Err(ApiError::Forbidden(crate::domain::Message::new(
            "only-school-staff-the-committee-and-admins-read-training-needs",
        ))),
    }
}

/// Who a caller is for one allocation campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignRole {
    /// Admins, for every campaign; school staff, for their school's: run,
    /// publish, read every assignment.
    Organiser,
    /// A student the campaign places (a network campaign, or their school's):
    /// ranks offers, reads their own assignment once published.
    Student,
    /// A recruiter of an organisation with an offer in the campaign: ranks or
    /// excludes the candidates of those offers, reads their assignments once published.
    Recruiter,
    /// School staff looking at a network campaign: read it, nothing more.
    Observer,
}

/// What `caller` is for a campaign of `campaign_school` (`None`: the whole
/// network). `student_school` is the caller's school when a student;
/// `holds_own_offer` whether the campaign holds an offer of the caller's
/// organisation. `None` answers 404; the committee gets 403 from
/// [`require_campaign_reader`] first.
pub fn campaign_role(
    caller: &Caller,
    campaign_school: Option<i64>,
    student_school: Option<i64>,
    holds_own_offer: bool,
) -> Option<CampaignRole> {
    match caller.role {
        Role::Admin => Some(CampaignRole::Organiser),
        Role::SchoolStaff if caller.school_id.is_some() && campaign_school == caller.school_id => {
            Some(CampaignRole::Organiser)
        }
        Role::SchoolStaff if campaign_school.is_none() => Some(CampaignRole::Observer),
        Role::Student if student_school.is_some_and(|own| campaign_school.is_none_or(|c| c == own)) => {
            Some(CampaignRole::Student)
        }
        Role::Recruiter if holds_own_offer => Some(CampaignRole::Recruiter),
        _ => None,
    }
}

/// Campaigns place people: the committee, which never reads a person's data, is refused.
pub fn require_campaign_reader(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Committee {
        Err(ApiError::Forbidden(crate::domain::Message::new("the-committee-reads-aggregated-reports-only")))
    } else {
        Ok(())
    }
}

/// The school a new campaign places the students of: any school or the whole
/// network (`None`) for admins, their own school for school staff; nobody else
/// organises campaigns.
pub fn campaign_organiser_school(caller: &Caller, requested: Option<i64>) -> Result<Option<i64>, ApiError> {
    match (caller.role, caller.school_id) {
        (Role::Admin, _) => Ok(requested),
        (Role::SchoolStaff, Some(own)) if requested.is_none_or(|school| school == own) => Ok(Some(own)),
        (Role::SchoolStaff, Some(_)) => Err(ApiError::Forbidden(crate::domain::Message::new(
            "school-staff-organise-campaigns-for-their-own-school-only",
        ))),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new("only-admins-and-school-staff-organise-campaigns"))),
    }
}

/// Whose webhook subscriptions a caller registers and manages: admins the
/// partner portals', recruiters their organisation's, school staff their
/// school's. Students and the committee have none.
pub fn webhook_owner(caller: &Caller) -> Result<(OwnerKind, Option<i64>), ApiError> {
    match (caller.role, caller.school_id, caller.organisation_id) {
        (Role::Admin, _, _) => Ok((OwnerKind::PartnerPortal, None)),
        (Role::Recruiter, _, Some(organisation)) => Ok((OwnerKind::Organisation, Some(organisation))),
        (Role::SchoolStaff, Some(school), _) => Ok((OwnerKind::School, Some(school))),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new("only-admins-recruiters-and-school-staff-subscribe"))),
    }
}

/// Whether a caller owns a subscription; nobody reads or changes another
/// owner's (its existence is private: a 404).
pub fn owns_webhook(caller: &Caller, owner_kind: OwnerKind, owner_id: Option<i64>) -> bool {
    webhook_owner(caller).is_ok_and(|owner| owner == (owner_kind, owner_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, account_id: i64, school_id: Option<i64>, organisation_id: Option<i64>) -> Caller {
        Caller { account_id, role, school_id, organisation_id, student_id: None }
    }

    #[test]
    fn who_sees_a_student() {
        use StudentView::{Full, Professional};
        // The student: account 7, school 1.
        let cases = [
            (caller(Role::Student, 7, None, None), false, false, Some(Full)),
            (caller(Role::Student, 8, None, None), true, true, None),
            (caller(Role::SchoolStaff, 20, Some(1), None), false, false, Some(Full)),
            (caller(Role::SchoolStaff, 21, Some(2), None), true, false, None),
            (caller(Role::Recruiter, 30, None, Some(5)), true, false, Some(Professional)),
            (caller(Role::Recruiter, 30, None, Some(5)), false, true, Some(Professional)),
            (caller(Role::Recruiter, 30, None, Some(5)), false, false, None),
            (caller(Role::Committee, 40, None, None), true, true, None),
            (caller(Role::Admin, 50, None, None), false, false, Some(Full)),
        ];
        for (who, discoverable, applied, expected) in cases {
            assert_eq!(student_visibility(&who, Some(7), 1, discoverable, applied), expected, "{who:?}");
        }
    }

    #[test]
    fn whose_own_record_the_token_names() {
        let student = |student_id| Caller { student_id, ..caller(Role::Student, 7, Some(1), None) };
        let staff = Caller { student_id: Some(12), ..caller(Role::SchoolStaff, 20, Some(1), None) };
        // (caller, record asked about, own)
        let cases = [
            (student(Some(12)), 12, true),
            (student(Some(12)), 13, false),
            (student(None), 12, false),
            (staff, 12, false),
            (caller(Role::Admin, 50, None, None), 12, false),
        ];
        for (who, record, own) in cases {
            assert_eq!(is_own_record(&who, record), own, "{who:?} about {record}");
        }
    }

    #[test]
    fn who_sees_an_offer() {
        use crate::domain::OfferStatus::*;
        let own = caller(Role::Recruiter, 1, None, Some(5));
        let other = caller(Role::Recruiter, 2, None, Some(6));
        let student = caller(Role::Student, 3, None, None);
        for (who, status, expected) in [
            (&own, Draft, true),
            (&other, Draft, false),
            (&student, Draft, false),
            (&student, Open, true),
            (&student, Filled, true),
            (&student, Closed, false),
            (&own, Closed, true),
        ] {
            assert_eq!(can_view_offer(who, 5, status), expected, "{who:?} {status}");
        }
    }

    #[test]
    fn who_sees_and_signs_a_placement() {
        use crate::domain::placement::Party;
        // The student: account 7, school 1; the organisation 5.
        let cases = [
            (caller(Role::Student, 7, None, None), true, Some(Party::Student), false),
            (caller(Role::Student, 8, None, None), false, None, false),
            (caller(Role::SchoolStaff, 20, Some(1), None), true, Some(Party::School), true),
            (caller(Role::SchoolStaff, 21, Some(2), None), false, None, false),
            (caller(Role::Recruiter, 30, None, Some(5)), true, Some(Party::Organisation), true),
            (caller(Role::Recruiter, 31, None, Some(6)), false, None, false),
            (caller(Role::Admin, 50, None, None), true, None, false),
        ];
        for (who, sees, party, manages) in cases {
            let scope = pipeline_scope(&who).expect("a scope");
            assert_eq!(in_pipeline_scope(scope, Some(7), 1, 5), sees, "{who:?}");
            assert_eq!(signatory_party(&who, Some(7), 1, 5), party, "{who:?}");
            assert_eq!(can_manage_placement(&who, 1, 5), manages, "{who:?}");
        }
        assert!(pipeline_scope(&caller(Role::Committee, 40, None, None)).is_err());
    }

    #[test]
    fn the_designated_approver_alone_signs_for_the_school() {
        let (staff, colleague) =
            (caller(Role::SchoolStaff, 20, Some(1), None), caller(Role::SchoolStaff, 22, Some(1), None));
        // (caller, designated approver, signs, designates for school 1)
        let cases = [
            (&staff, None, true, true),
            (&colleague, None, true, true),
            (&staff, Some(20), true, true),
            (&colleague, Some(20), false, true),
        ];
        for (who, approver, signs, designates) in cases {
            assert_eq!(signs_for_the_school(who, approver), signs, "{who:?} {approver:?}");
            assert_eq!(can_designate_school_approver(who, 1), designates, "{who:?}");
        }
        for who in [
            caller(Role::SchoolStaff, 21, Some(2), None),
            caller(Role::Recruiter, 30, None, Some(5)),
            caller(Role::Admin, 50, None, None),
            caller(Role::Student, 7, None, None),
        ] {
            assert!(!can_designate_school_approver(&who, 1), "{who:?}");
        }
    }

    #[test]
    fn who_reads_reports_and_personal_data() {
        use ReportAudience::{Anonymised, Exact};
        let student = caller(Role::Student, 7, None, None);
        let recruiter = caller(Role::Recruiter, 30, None, Some(5));
        let staff = caller(Role::SchoolStaff, 20, Some(1), None);
        let other_staff = caller(Role::SchoolStaff, 21, Some(2), None);
        let committee = caller(Role::Committee, 40, None, None);
        let admin = caller(Role::Admin, 50, None, None);
        let cases = [
            (&student, None, None, None, true, false),
            (&recruiter, None, None, None, false, true),
            (&staff, Some(Exact), None, Some((Exact, Some(1))), false, true),
            (&other_staff, None, None, Some((Exact, Some(2))), false, true),
            (&committee, Some(Anonymised), Some(Anonymised), Some((Anonymised, None)), false, false),
            (&admin, Some(Exact), Some(Exact), Some((Exact, None)), true, false),
        ];
        for (who, school, network, gap, rights, recorded) in cases {
            assert_eq!(school_report_audience(who, 1).ok(), school, "{who:?}");
            assert_eq!(network_report_audience(who).ok(), network, "{who:?}");
            assert_eq!(skills_gap_scope(who).ok(), gap, "{who:?}");
            // Training needs: the skills gap's scope; a school named narrows it, another school's staff are refused.
            assert_eq!(training_needs_scope(who, None).ok(), gap, "{who:?}");
            let narrowed = gap.map(|(audience, own)| (audience, own.or(Some(1))));
            assert_eq!(training_needs_scope(who, Some(1)).ok(), narrowed.filter(|(_, s)| *s == Some(1)), "{who:?}");
            assert_eq!(can_exercise_data_rights(who, Some(7)), rights, "{who:?}");
            assert_eq!(records_profile_view(who), recorded, "{who:?}");
        }
    }

    #[test]
    fn campaign_roles() {
        use CampaignRole::*;
        let admin = caller(Role::Admin, 1, None, None);
        let staff = caller(Role::SchoolStaff, 2, Some(10), None);
        let student = caller(Role::Student, 3, None, None);
        let recruiter = caller(Role::Recruiter, 4, None, Some(7));
        let committee = caller(Role::Committee, 5, None, None);
        let cases = [
            (&admin, Some(10), None, false, Some(Organiser)),
            (&admin, None, None, false, Some(Organiser)),
            (&staff, Some(10), None, false, Some(Organiser)),
            (&staff, Some(11), None, false, None),
            (&staff, None, None, false, Some(Observer)),
            (&student, None, Some(10), false, Some(Student)),
            (&student, Some(10), Some(10), false, Some(Student)),
            (&student, Some(11), Some(10), false, None),
            (&student, None, None, false, None),
            (&recruiter, None, None, true, Some(Recruiter)),
            (&recruiter, Some(10), None, false, None),
            (&committee, None, None, true, None),
        ];
        for (who, campaign_school, student_school, holds, expected) in cases {
            assert_eq!(
                campaign_role(who, campaign_school, student_school, holds),
                expected,
                "{who:?} {campaign_school:?}"
            );
        }
        assert!(require_campaign_reader(&committee).is_err());
        assert!(require_campaign_reader(&student).is_ok());
    }

    #[test]
    fn who_owns_webhook_subscriptions() {
        let admin = caller(Role::Admin, 1, None, None);
        let staff = caller(Role::SchoolStaff, 2, Some(10), None);
        let recruiter = caller(Role::Recruiter, 4, None, Some(7));
        let student = caller(Role::Student, 3, None, None);
        let committee = caller(Role::Committee, 5, None, None);
        let cases = [
            (&admin, Some((OwnerKind::PartnerPortal, None))),
            (&staff, Some((OwnerKind::School, Some(10)))),
            (&recruiter, Some((OwnerKind::Organisation, Some(7)))),
            (&student, None),
            (&committee, None),
        ];
        for (who, owner) in cases {
            assert_eq!(webhook_owner(who).ok(), owner, "{who:?}");
        }
        let owned = [
            (&admin, OwnerKind::PartnerPortal, None, true),
            (&admin, OwnerKind::School, Some(10), false),
            (&staff, OwnerKind::School, Some(10), true),
            (&staff, OwnerKind::School, Some(11), false),
            (&recruiter, OwnerKind::Organisation, Some(7), true),
            (&recruiter, OwnerKind::Organisation, Some(8), false),
            (&recruiter, OwnerKind::School, Some(7), false),
            (&student, OwnerKind::PartnerPortal, None, false),
        ];
        for (who, kind, id, owns) in owned {
            assert_eq!(owns_webhook(who, kind, id), owns, "{who:?} {kind} {id:?}");
        }
    }

    #[test]
    fn campaign_organisers() {
        let admin = caller(Role::Admin, 1, None, None);
        let staff = caller(Role::SchoolStaff, 2, Some(10), None);
        let recruiter = caller(Role::Recruiter, 4, None, Some(7));
        assert_eq!(campaign_organiser_school(&admin, None).ok(), Some(None));
        assert_eq!(campaign_organiser_school(&admin, Some(11)).ok(), Some(Some(11)));
        assert_eq!(campaign_organiser_school(&staff, None).ok(), Some(Some(10)));
        assert_eq!(campaign_organiser_school(&staff, Some(10)).ok(), Some(Some(10)));
        assert!(campaign_organiser_school(&staff, Some(11)).is_err());
        assert!(campaign_organiser_school(&recruiter, None).is_err());
    }
}
