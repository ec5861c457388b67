//! Placements and their tripartite agreement (student, school, organisation).
//!
//! Terms may be edited freely until someone signs, because nobody has agreed to
//! anything yet. After the first signature, a party has committed to precise
//! terms: any change becomes an amendment, a new version that all three parties
//! sign again, and the version they signed is kept as evidence.

use super::{check_text, Message, OfferKind, Role, UnknownValue, Violation, WorkMode};
use crate::domain::ViolationCode;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::domain::text_enum! {
    /// The legal document that frames a placement, set by the offer's kind.
    AgreementKind {
        /// Internship agreement between student, school and organisation.
        ConventionDeStage => "convention_de_stage",
        /// Work-study ("alternance") contract.
        WorkStudyContract => "work_study_contract",
    }
}

/// The agreement an offer of this kind leads to.
pub fn agreement_kind_for(kind: OfferKind) -> AgreementKind {
    match kind {
        OfferKind::Internship => AgreementKind::ConventionDeStage,
        OfferKind::WorkStudy => AgreementKind::WorkStudyContract,
    }
}

crate::domain::text_enum! {
    /// The language of an agreement's document.
    AgreementLanguage {
        /// French, the language schools and organisations file.
        Fr => "fr",
        /// English.
        En => "en",
    }
}

crate::domain::text_enum! {
    /// One of the three signatories of an agreement.
    Party {
        /// The placed student.
        Student => "student",
        /// The student's school, through its career office.
        School => "school",
        /// The hosting organisation, through its recruiter.
        Organisation => "organisation",
    }
}

crate::domain::text_enum! {
    /// Where a placement stands: pending_signatures → signed → in_progress →
    /// completed, or terminated (with a reason) before completion.
    PlacementStatus {
        /// The current version of the agreement lacks at least one signature.
        PendingSignatures => "pending_signatures",
        /// All three parties signed the current version; the start date is ahead.
        Signed => "signed",
        /// Signed, and between the start and end dates inclusive.
        InProgress => "in_progress",
        /// Signed, and the end date has passed. Final.
        Completed => "completed",
        /// Ended early, with a reason. Final.
        Terminated => "terminated",
    }
}

/// Whether a placement in this status has ended, so that its agreement can no
/// longer be signed or amended.
pub fn is_closed(status: PlacementStatus) -> bool {
    matches!(status, PlacementStatus::Completed | PlacementStatus::Terminated)
}

/// Whether a placement in this status may be terminated: any status before
/// completion.
pub fn can_terminate(status: PlacementStatus) -> bool {
    !is_closed(status)
}

/// Placeholder for the names the agreement needs and the offer does not give;
/// the parties replace it before anyone may sign.
pub const TO_BE_NAMED: &str = "to be named";

/// Longest termination reason, in characters.
pub const MAX_TERMINATION_REASON_CHARS: usize = 2_000;

/// Checks the reason given to terminate a placement (field `reason`): required
/// and at most 2,000 characters.
pub fn validate_termination_reason(reason: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    check_text("reason", reason, 1, MAX_TERMINATION_REASON_CHARS, &mut violations);
    violations
}

/// The status of a placement on `today`, from whether the current version is
/// signed by all three parties, whether it was terminated, and its dates. The
/// start and end dates are both working days of the placement. An unsigned
/// agreement stays pending whatever the date, including after an amendment of
/// a placement already under way.
pub fn status_on(
    signed: bool,
    terminated: bool,
    start: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
) -> PlacementStatus {
    if terminated {
        PlacementStatus::Terminated
    } else if !signed {
        PlacementStatus::PendingSignatures
    } else if today < start {
        PlacementStatus::Signed
    } else if today <= end {
        PlacementStatus::InProgress
    } else {
        PlacementStatus::Completed
    }
}

/// Longest tutor or referent name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Highest monthly stipend, in dirhams.
pub const MAX_MONTHLY_STIPEND_MAD: u32 = 100_000;
/// Most hours of work a week: the Moroccan labour code's limit outside
/// agriculture (44 hours).
pub const MAX_WEEKLY_HOURS: u32 = 44;

/// What the parties agree on; every change after a signature is an amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgreementTerms {
    /// First working day.
    #[schema(example = "2027-02-01")]
    pub start_date: NaiveDate,
    /// Last working day; after the start date.
    #[schema(example = "2027-07-31")]
    pub end_date: NaiveDate,
    /// Name of the tutor at the organisation (1 to 200 characters).
    #[schema(example = "Youssef El Idrissi")]
    pub company_tutor: String,
    /// Name of the referent teacher at the school (1 to 200 characters).
    #[schema(example = "Pr. Karim Tazi")]
    pub academic_referent: String,
    /// Where the work happens.
    pub work_mode: WorkMode,
    /// Monthly stipend in dirhams (MAD), at most 100,000; absent when unpaid.
    #[schema(example = 4000)]
    pub monthly_stipend_mad: Option<u32>,
    /// Hours of presence a week, 1 to 44 (the legal limit); absent when the
    /// agreement leaves them to the host organisation's working hours.
    /// Versions written before this field existed read as absent.
    #[serde(default)]
    #[schema(example = 35)]
    pub weekly_hours: Option<u32>,
    /// The staff account of the student's school that approves the agreement
    /// for the school, named on the document's parties page; when it is set,
    /// that account alone signs for the school. Absent: the document names
    /// the school's career office, and any of the school's staff signs.
    /// Versions written before this field existed read as absent.
    #[serde(default)]
    #[schema(example = 5)]
    pub school_approver_id: Option<i64>,
}

/// What the accounts say of the account proposed as a school's approver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApproverAccount {
    /// The account's role.
    pub role: Role,
    /// The school of a staff account.
    pub school_id: Option<i64>,
    /// A disabled account signs nothing.
    pub disabled: bool,
}

/// Checks the account proposed as the approver for `school` (field
/// `school_approver_id`): it exists (`None` when it does not), belongs to
/// that school's staff, and is not disabled.
pub fn validate_school_approver(account: Option<ApproverAccount>, school: i64) -> Vec<Violation> {
    let violation = match account {
        None => Some((ViolationCode::Unknown, "school-approver-unknown")),
        Some(a) if a.role != Role::SchoolStaff || a.school_id != Some(school) => {
            Some((ViolationCode::NotAllowed, "school-approver-not-of-the-school"))
        }
        Some(a) if a.disabled => Some((ViolationCode::NotAllowed, "school-approver-disabled")),
        Some(_) => None,
    };
    violation
        .map(|(code, message)| Violation::new("school_approver_id", code, Message::new(message)))
        .into_iter()
        .collect()
}

/// Checks terms: end after start, both names given and at most 200 characters,
/// stipend at most 100,000 MAD, weekly hours from 1 to 44.
pub fn validate_terms(terms: &AgreementTerms) -> Vec<Violation> {
    let mut violations = Vec::new();
    if terms.end_date <= terms.start_date {
        violations.push(Violation::new(
            "end_date",
            ViolationCode::NotAfterStartDate,
            Message::new("end-date-after-start-date"),
        ));
    }
    check_text("company_tutor", &terms.company_tutor, 1, MAX_NAME_CHARS, &mut violations);
    check_text("academic_referent", &terms.academic_referent, 1, MAX_NAME_CHARS, &mut violations);
    if terms.monthly_stipend_mad.is_some_and(|stipend| stipend > MAX_MONTHLY_STIPEND_MAD) {
        violations.push(Violation::new(
            "monthly_stipend_mad",
            ViolationCode::OutOfRange,
            Message::new("monthly-stipend-at-most").arg("max", MAX_MONTHLY_STIPEND_MAD),
        ));
    }
    if terms.weekly_hours.is_some_and(|hours| !(1..=MAX_WEEKLY_HOURS).contains(&hours)) {
        violations.push(Violation::new(
            "weekly_hours",
            ViolationCode::OutOfRange,
            Message::new("weekly-hours-out-of-range").arg("max", MAX_WEEKLY_HOURS),
        ));
    }
    violations
}

/// One party's signature of one version of an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Signature {
    /// Who signed.
    pub party: Party,
    /// When, in UTC.
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub signed_at: NaiveDateTime,
}

/// One version of a placement's agreement with the signatures it gathered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Agreement {
    /// Starts at 1; each amendment after a signature adds one.
    #[schema(example = 1)]
    pub version: u32,
    /// The terms of this version.
    pub terms: AgreementTerms,
    /// Signatures of this version, in signing order, at most one per party.
    pub signatures: Vec<Signature>,
}

/// What a signature changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutcome {
    /// Recorded; these parties have yet to sign the current version.
    Waiting {
        /// The parties whose signature is still missing, in declaration order.
        missing: Vec<Party>,
    },
    /// Recorded, and it was the last one: the current version is fully signed.
    FullySigned,
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignRefused {
    /// This party already signed the current version (answer 409).
    #[error("{party} already signed version {version}")]
    AlreadySigned {
        /// The party that tried to sign again.
        party: Party,
        /// The current version.
        version: u32,
    },
    /// The placement is completed or terminated (answer 409).
    #[error("the placement is {status}")]
    Closed {
        /// The placement's status.
        status: PlacementStatus,
    },
}

/// What a change of terms did to the agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmendOutcome {
    /// The new terms equal the current ones: nothing changed, signatures kept.
    Unchanged,
    /// Nobody had signed yet: the current version was edited.
    InPlace,
    /// Someone had signed: a new version with no signatures replaced it.
    NewVersion {
        /// The version that was replaced, with its signatures, for the record.
        previous: Agreement,
    },
}

/// Why a change of terms was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendRefused {
    /// The new terms break rules (answer 422).
    #[error("the terms are invalid")]
    Invalid(Vec<Violation>),
    /// The placement is completed or terminated (answer 409).
    #[error("the placement is {status}")]
    Closed {
        /// The placement's status.
        status: PlacementStatus,
    },
}

impl Agreement {
    /// Version 1 of an agreement, unsigned, if the terms are valid.
    pub fn new(terms: AgreementTerms) -> Result<Self, Vec<Violation>> {
        let violations = validate_terms(&terms);
        if violations.is_empty() {
            Ok(Self { version: 1, terms, signatures: Vec::new() })
        } else {
            Err(violations)
        }
    }

    /// Whether `party` signed the current version.
    pub fn has_signed(&self, party: Party) -> bool {
        self.signatures.iter().any(|signature| signature.party == party)
    }

    /// The parties yet to sign the current version, in declaration order.
    pub fn missing_parties(&self) -> Vec<Party> {
        Party::ALL.iter().copied().filter(|&party| !self.has_signed(party)).collect()
    }

    /// Whether all three parties signed the current version.
    pub fn is_fully_signed(&self) -> bool {
        self.missing_parties().is_empty()
    }

    /// Records `party`'s signature of the current version at `at`, unless it
    /// already signed it or the placement (now in `status`) has ended. Parties
    /// may sign in any order.
    pub fn sign(
        &mut self,
        party: Party,
        at: NaiveDateTime,
        status: PlacementStatus,
    ) -> Result<SignOutcome, SignRefused> {
        if is_closed(status) {
            return Err(SignRefused::Closed { status });
        }
        if self.has_signed(party) {
            return Err(SignRefused::AlreadySigned { party, version: self.version });
        }
        self.signatures.push(Signature { party, signed_at: at });
        let missing = self.missing_parties();
        Ok(if missing.is_empty() { SignOutcome::FullySigned } else { SignOutcome::Waiting { missing } })
    }

    /// Replaces the terms, unless they are invalid or the placement (now in
    /// `status`) has ended. Before any signature the current version is edited;
    /// after one, a new unsigned version is started and the old one returned so
    /// that it can be kept. The placement is then pending signatures again.
    pub fn amend(&mut self, terms: AgreementTerms, status: PlacementStatus) -> Result<AmendOutcome, AmendRefused> {
        if is_closed(status) {
            return Err(AmendRefused::Closed { status });
        }
        let violations = validate_terms(&terms);
        if !violations.is_empty() {
            return Err(AmendRefused::Invalid(violations));
        }
        if terms == self.terms {
            return Ok(AmendOutcome::Unchanged);
        }
        if self.signatures.is_empty() {
            self.terms = terms;
            return Ok(AmendOutcome::InPlace);
        }
        let next = Agreement { version: self.version.saturating_add(1), terms, signatures: Vec::new() };
        let previous = std::mem::replace(self, next);
        Ok(AmendOutcome::NewVersion { previous })
    }
}

#[cfg(test)]
mod tests {
    use super::Party::{Organisation, School, Student};
    use super::PlacementStatus as P;
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    fn at(text: &str) -> NaiveDateTime {
        text.parse().expect("test date-time")
    }

    fn terms() -> AgreementTerms {
        AgreementTerms {
            start_date: date("2025-07-01"),
            end_date: date("2025-08-31"),
            company_tutor: "Salma Bennani".into(),
            academic_referent: "Pr. Youssef Alaoui".into(),
            work_mode: WorkMode::Hybrid,
            monthly_stipend_mad: Some(3_000),
            weekly_hours: Some(35),
            school_approver_id: None,
        }
    }

    fn agreement() -> Agreement {
        Agreement::new(terms()).expect("valid terms")
    }

    #[test]
    fn agreement_kind_follows_offer_kind() {
        let cases = [
            (OfferKind::Internship, AgreementKind::ConventionDeStage),
            (OfferKind::WorkStudy, AgreementKind::WorkStudyContract),
        ];
        for (kind, expected) in cases {
            assert_eq!(agreement_kind_for(kind), expected, "{kind}");
        }
    }

    #[test]
    fn signatures_complete_in_any_order() {
        let orders =
            [[Student, School, Organisation], [Organisation, Student, School], [School, Organisation, Student]];
        for order in orders {
            let mut agreement = agreement();
            let mut outcomes = Vec::new();
            for party in order {
                outcomes.push(agreement.sign(party, at("2025-06-01T10:00:00"), P::PendingSignatures));
            }
            let missing_after_first: Vec<Party> = Party::ALL.iter().copied().filter(|&p| p != order[0]).collect();
            assert_eq!(
                outcomes,
                vec![
                    Ok(SignOutcome::Waiting { missing: missing_after_first }),
                    Ok(SignOutcome::Waiting { missing: vec![order[2]] }),
                    Ok(SignOutcome::FullySigned),
                ],
                "{order:?}"
            );
            assert!(agreement.is_fully_signed());
            let recorded: Vec<Party> = agreement.signatures.iter().map(|s| s.party).collect();
            assert_eq!(recorded, order);
        }
    }

    #[test]
    fn signing_is_refused_twice_or_once_closed() {
        let cases = [
            (
                vec![Student],
                Student,
                P::PendingSignatures,
                Err(SignRefused::AlreadySigned { party: Student, version: 1 }),
            ),
            (vec![Student], School, P::PendingSignatures, Ok(())),
            (vec![], Student, P::Terminated, Err(SignRefused::Closed { status: P::Terminated })),
            (vec![Student], Student, P::Completed, Err(SignRefused::Closed { status: P::Completed })),
            (vec![], Organisation, P::InProgress, Ok(())),
        ];
        for (before, party, status, expected) in cases {
            let mut agreement = agreement();
            for signer in &before {
                agreement.sign(*signer, at("2025-06-01T09:00:00"), P::PendingSignatures).expect("first signature");
            }
            let result = agreement.sign(party, at("2025-06-02T09:00:00"), status).map(|_| ());
            assert_eq!(result, expected, "{before:?} then {party} while {status}");
            let expected_count = before.len() + usize::from(expected.is_ok());
            assert_eq!(agreement.signatures.len(), expected_count);
        }
    }

    #[test]
    fn amendments_edit_in_place_until_the_first_signature() {
        let mut changed = terms();
        changed.end_date = date("2025-09-30");
        // (signers before the change, new terms, expected outcome kind, version after)
        let cases: [(&[Party], AgreementTerms, &str, u32); 5] = [
            (&[], changed.clone(), "in_place", 1),
            (&[], terms(), "unchanged", 1),
            (&[School], changed.clone(), "new_version", 2),
            (&[Student, School, Organisation], changed.clone(), "new_version", 2),
            (&[Student], terms(), "unchanged", 1),
        ];
        for (signers, new_terms, expected, version) in cases {
            let mut agreement = agreement();
            for &signer in signers {
                agreement.sign(signer, at("2025-06-01T09:00:00"), P::PendingSignatures).expect("signature");
            }
            let before = agreement.clone();
            let outcome = agreement.amend(new_terms.clone(), P::PendingSignatures);
            match (expected, outcome) {
                ("unchanged", Ok(AmendOutcome::Unchanged)) => assert_eq!(agreement, before),
                ("in_place", Ok(AmendOutcome::InPlace)) => {
                    assert_eq!(agreement.terms, new_terms);
                    assert!(agreement.signatures.is_empty());
                }
                ("new_version", Ok(AmendOutcome::NewVersion { previous })) => {
                    assert_eq!(previous, before);
                    assert_eq!(agreement.terms, new_terms);
                    assert!(agreement.signatures.is_empty());
                    assert_eq!(agreement.missing_parties(), Party::ALL);
                }
                (expected, outcome) => panic!("{signers:?}: expected {expected}, got {outcome:?}"),
            }
            assert_eq!(agreement.version, version, "{signers:?}");
        }
    }

    #[test]
    fn amendments_are_refused_when_invalid_or_closed() {
        let mut reversed = terms();
        reversed.end_date = reversed.start_date;
        let mut changed = terms();
        changed.work_mode = WorkMode::Remote;
        let cases = [
            (reversed.clone(), P::PendingSignatures, Some("invalid")),
            (changed.clone(), P::Terminated, Some("closed")),
            (changed.clone(), P::Completed, Some("closed")),
            (changed.clone(), P::InProgress, None),
        ];
        for (new_terms, status, refusal) in cases {
            let mut agreement = agreement();
            agreement.sign(Student, at("2025-06-01T09:00:00"), P::PendingSignatures).expect("signature");
            let before = agreement.clone();
            let result = agreement.amend(new_terms, status);
            match (refusal, &result) {
                (None, Ok(AmendOutcome::NewVersion { .. })) => {}
                (Some("invalid"), Err(AmendRefused::Invalid(violations))) => {
                    assert_eq!(violations[0].field, "end_date");
                    assert_eq!(agreement, before);
                }
                (Some("closed"), Err(AmendRefused::Closed { status: got })) => {
                    assert_eq!(*got, status);
                    assert_eq!(agreement, before);
                }
                _ => panic!("{status}: expected {refusal:?}, got {result:?}"),
            }
        }
    }

    #[test]
    fn status_follows_signatures_termination_and_dates() {
        let (start, end) = (date("2025-07-01"), date("2025-08-31"));
        // (signed, terminated, today, expected)
        let cases = [
            (false, false, "2025-06-01", P::PendingSignatures),
            (false, false, "2025-07-15", P::PendingSignatures),
            (false, false, "2025-09-15", P::PendingSignatures),
            (true, false, "2025-06-30", P::Signed),
            (true, false, "2025-07-01", P::InProgress),
            (true, false, "2025-08-31", P::InProgress),
            (true, false, "2025-09-01", P::Completed),
            (false, true, "2025-06-01", P::Terminated),
            (true, true, "2025-07-15", P::Terminated),
            (true, true, "2025-09-15", P::Terminated),
        ];
        for (signed, terminated, today, expected) in cases {
            assert_eq!(
                status_on(signed, terminated, start, end, date(today)),
                expected,
                "signed={signed} terminated={terminated} on {today}"
            );
        }
    }

    #[test]
    fn terms_rules_name_the_field() {
        type Change = fn(&mut AgreementTerms);
        let cases: [(Change, &[&str]); 13] = [
            (|_| {}, &[]),
            (|t| t.end_date = t.start_date, &["end_date"]),
            (|t| t.end_date = date("2025-01-01"), &["end_date"]),
            (|t| t.company_tutor = "  ".into(), &["company_tutor"]),
            (|t| t.academic_referent = "é".repeat(201), &["academic_referent"]),
            (|t| t.academic_referent = "é".repeat(200), &[]),
            (|t| t.monthly_stipend_mad = Some(100_001), &["monthly_stipend_mad"]),
            (|t| t.monthly_stipend_mad = Some(100_000), &[]),
            (|t| t.weekly_hours = Some(0), &["weekly_hours"]),
            (|t| t.weekly_hours = Some(1), &[]),
            (|t| t.weekly_hours = Some(44), &[]),
            (|t| t.weekly_hours = Some(45), &["weekly_hours"]),
            (|t| t.weekly_hours = None, &[]),
        ];
        for (index, (change, fields)) in cases.into_iter().enumerate() {
            let mut t = terms();
            change(&mut t);
            let got: Vec<String> = validate_terms(&t).into_iter().map(|v| v.field).collect();
            assert_eq!(got, fields, "case {index}");
        }
    }

    #[test]
    fn the_school_s_approver_is_an_active_member_of_its_staff() {
        let staff = |school: i64| ApproverAccount { role: Role::SchoolStaff, school_id: Some(school), disabled: false };
        // (account, expected code), for school 1
        let cases = [
            (Some(staff(1)), None),
            (None, Some("unknown")),
            (Some(staff(2)), Some("not_allowed")),
            (Some(ApproverAccount { disabled: true, ..staff(1) }), Some("not_allowed")),
            (Some(ApproverAccount { role: Role::Recruiter, school_id: None, disabled: false }), Some("not_allowed")),
            (Some(ApproverAccount { role: Role::Admin, ..staff(1) }), Some("not_allowed")),
            (Some(ApproverAccount { role: Role::Student, ..staff(1) }), Some("not_allowed")),
        ];
        for (account, expected) in cases {
            let violations = validate_school_approver(account, 1);
            assert_eq!(violations.first().map(|v| v.code.as_str()), expected, "{account:?}");
            assert!(violations.iter().all(|v| v.field == "school_approver_id"));
        }
    }

    #[test]
    fn versions_written_before_the_approver_existed_read_without_one() {
        let stored = r#"{"start_date":"2025-07-01","end_date":"2025-08-31","company_tutor":"Salma Bennani",
            "academic_referent":"Pr. Youssef Alaoui","work_mode":"hybrid","monthly_stipend_mad":3000,"weekly_hours":35}"#;
        let read: AgreementTerms = serde_json::from_str(stored).expect("stored terms");
        assert_eq!(read, terms());
    }

    #[test]
    fn termination_needs_an_open_placement_and_a_reason() {
        for &status in PlacementStatus::ALL {
            assert_eq!(can_terminate(status), !matches!(status, P::Completed | P::Terminated), "{status}");
        }
        let cases = [("", 1), ("   ", 1), ("the student left the programme", 0)];
        for (reason, count) in cases {
            assert_eq!(validate_termination_reason(reason).len(), count, "{reason:?}");
        }
        assert_eq!(validate_termination_reason(&"x".repeat(2_001))[0].code.as_str(), "too_long");
    }
}
