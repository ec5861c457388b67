//! The life cycle of an application and who may move it.
//!
//! The recruiting side moves an application forward through the pipeline
//! submitted → in_review → shortlisted → interview → offered. It may skip steps
//! forward (a strong profile can go straight from submitted to interview, as
//! real recruiting does) but never go back: a step back would re-open a
//! decision the student may already have been told about. Once offered, only
//! the student decides (accepted or declined). Either side may end the process
//! before it is accepted: the recruiter by rejecting, the student by
//! withdrawing. Accepted, declined, rejected and withdrawn are final.

use super::{Role, UnknownValue};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::domain::text_enum! {
    /// Where an application stands: submitted → in_review → shortlisted →
    /// interview → offered → accepted or declined; rejected by the recruiter or
    /// withdrawn by the student at any point before accepted.
    ApplicationStatus {
        /// Sent by the student, not yet looked at.
        Submitted => "submitted",
        /// A recruiter is looking at it.
        InReview => "in_review",
        /// Kept for the next round.
        Shortlisted => "shortlisted",
        /// An interview is planned or done.
        Interview => "interview",
        /// The organisation offers the position; the student has to answer.
        Offered => "offered",
        /// The student took the offer; a placement follows. Final.
        Accepted => "accepted",
        /// The student turned the offer down. Final.
        Declined => "declined",
        /// The recruiter ended the process. Final.
        Rejected => "rejected",
        /// The student ended the process. Final.
        Withdrawn => "withdrawn",
    }
}

crate::domain::text_enum! {
    /// Who is trying to move an application, relative to that application.
    ApplicationActor {
        /// The student who applied.
        Applicant => "applicant",
        /// A recruiter of the organisation that published the offer.
        Recruiter => "recruiter",
        /// The operator: may do what a recruiter may, for support, but never
        /// answer in the student's name.
        Admin => "admin",
        /// Anyone else, e.g. school staff or another recruiter: may move nothing.
        Other => "other",
    }
}

impl ApplicationActor {
    /// Tells how an account relates to one application, from its role, whether
    /// it is the applicant and whether it recruits for the offer's organisation.
    pub fn classify(role: Role, is_applicant: bool, recruits_for_offer: bool) -> Self {
        match role {
            Role::Admin => ApplicationActor::Admin,
            Role::Student if is_applicant => ApplicationActor::Applicant,
            Role::Recruiter if recruits_for_offer => ApplicationActor::Recruiter,
            _ => ApplicationActor::Other,
        }
    }
}

/// Why a status change was refused, with what the actor may do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    /// The move exists but belongs to someone else (answer 403).
    #[error("this move is not yours to make")]
    ForbiddenForActor {
        /// The statuses this actor may move the application to.
        allowed: Vec<ApplicationStatus>,
    },
    /// No such move from the current status, including staying put (answer 409).
    #[error("no such move from the current status")]
    NotAllowed {
        /// The statuses this actor may move the application to.
        allowed: Vec<ApplicationStatus>,
    },
}

impl MoveRefused {
    /// The statuses the actor may move the application to instead.
    pub fn allowed(&self) -> &[ApplicationStatus] {
        match self {
            MoveRefused::ForbiddenForActor { allowed } | MoveRefused::NotAllowed { allowed } => allowed,
        }
    }
}

/// The side entitled to make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Recruiting,
    Student,
}

/// Position in the recruiting pipeline; `None` once the process has ended.
fn pipeline_rank(status: ApplicationStatus) -> Option<u8> {
    match status {
        ApplicationStatus::Submitted => Some(0),
        ApplicationStatus::InReview => Some(1),
        ApplicationStatus::Shortlisted => Some(2),
        ApplicationStatus::Interview => Some(3),
        ApplicationStatus::Offered => Some(4),
        ApplicationStatus::Accepted
        | ApplicationStatus::Declined
        | ApplicationStatus::Rejected
        | ApplicationStatus::Withdrawn => None,
    }
}

/// Which side may move `from` → `to`, or `None` when the state machine has no
/// such move at all.
fn side_of_move(from: ApplicationStatus, to: ApplicationStatus) -> Option<Side> {
    let from_rank = pipeline_rank(from)?;
    match to {
        ApplicationStatus::Rejected => Some(Side::Recruiting),
        ApplicationStatus::Withdrawn => Some(Side::Student),
        ApplicationStatus::Accepted | ApplicationStatus::Declined => {
            (from == ApplicationStatus::Offered).then_some(Side::Student)
        }
        _ => match pipeline_rank(to) {
            Some(to_rank) if to_rank > from_rank => Some(Side::Recruiting),
            _ => None,
        },
    }
}

/// The most events an application's history can hold: the submission and
/// then the longest run of moves (submitted → in_review → shortlisted →
/// interview → offered → accepted), since the pipeline never goes back.
pub const MAX_EVENTS: usize = 6;

/// The longest run of moves from `from` to a final status.
#[cfg(test)]
fn longest_run(from: ApplicationStatus) -> usize {
    ApplicationStatus::ALL
        .iter()
        .filter(|&&to| side_of_move(from, to).is_some())
        .map(|&to| 1 + longest_run(to))
        .max()
        .unwrap_or(0)
}

fn may_act_for(actor: ApplicationActor, side: Side) -> bool {
    matches!(
        (actor, side),
        (ApplicationActor::Recruiter | ApplicationActor::Admin, Side::Recruiting)
            | (ApplicationActor::Applicant, Side::Student)
    )
}

/// The statuses `actor` may move an application to from `from`, in declaration
/// order; empty for a final status or an actor with no say.
pub fn allowed_moves(from: ApplicationStatus, actor: ApplicationActor) -> Vec<ApplicationStatus> {
    ApplicationStatus::ALL
        .iter()
        .copied()
        .filter(|&to| side_of_move(from, to).is_some_and(|side| may_act_for(actor, side)))
        .collect()
}

/// Accepts the move `from` → `to` by `actor`, or tells why not: the move exists
/// but is someone else's, or it does not exist at all.
pub fn check_move(from: ApplicationStatus, to: ApplicationStatus, actor: ApplicationActor) -> Result<(), MoveRefused> {
    match side_of_move(from, to) {
        Some(side) if may_act_for(actor, side) => Ok(()),
        Some(_) => Err(MoveRefused::ForbiddenForActor { allowed: allowed_moves(from, actor) }),
        None => Err(MoveRefused::NotAllowed { allowed: allowed_moves(from, actor) }),
    }
}

/// Whether the process has ended for good: accepted, declined, rejected or withdrawn.
pub fn is_terminal(status: ApplicationStatus) -> bool {
    pipeline_rank(status).is_none()
}

/// Whether the application is still open, i.e. counts among a student's
/// pending applications: every status before a final one.
pub fn is_active(status: ApplicationStatus) -> bool {
    !is_terminal(status)
}

#[cfg(test)]
mod tests {
    use super::ApplicationActor as A;
    use super::ApplicationStatus as S;
    use super::*;

    /// Column order of the tables below.
    const ORDER: [S; 9] = [
        S::Submitted,
        S::InReview,
        S::Shortlisted,
        S::Interview,
        S::Offered,
        S::Accepted,
        S::Declined,
        S::Rejected,
        S::Withdrawn,
    ];

    // One row per `from`, one column per `to`, in ORDER:
    // `o` allowed, `x` forbidden for this actor (403), `.` no such move (409).
    const RECRUITER: [&str; 9] = [
        //       Su IR Sh In Of Ac De Re Wi
        /* Su */ ".  o  o  o  o  .  .  o  x",
        /* IR */ ".  .  o  o  o  .  .  o  x",
        /* Sh */ ".  .  .  o  o  .  .  o  x",
        /* In */ ".  .  .  .  o  .  .  o  x",
        /* Of */ ".  .  .  .  .  x  x  o  x",
        /* Ac */ ".  .  .  .  .  .  .  .  .",
        /* De */ ".  .  .  .  .  .  .  .  .",
        /* Re */ ".  .  .  .  .  .  .  .  .",
        /* Wi */ ".  .  .  .  .  .  .  .  .",
    ];
    const APPLICANT: [&str; 9] = [
        //       Su IR Sh In Of Ac De Re Wi
        /* Su */ ".  x  x  x  x  .  .  x  o",
        /* IR */ ".  .  x  x  x  .  .  x  o",
        /* Sh */ ".  .  .  x  x  .  .  x  o",
        /* In */ ".  .  .  .  x  .  .  x  o",
        /* Of */ ".  .  .  .  .  o  o  x  o",
        /* Ac */ ".  .  .  .  .  .  .  .  .",
        /* De */ ".  .  .  .  .  .  .  .  .",
        /* Re */ ".  .  .  .  .  .  .  .  .",
        /* Wi */ ".  .  .  .  .  .  .  .  .",
    ];
    const OTHER: [&str; 9] = [
        //       Su IR Sh In Of Ac De Re Wi
        /* Su */ ".  x  x  x  x  .  .  x  x",
        /* IR */ ".  .  x  x  x  .  .  x  x",
        /* Sh */ ".  .  .  x  x  .  .  x  x",
        /* In */ ".  .  .  .  x  .  .  x  x",
        /* Of */ ".  .  .  .  .  x  x  x  x",
        /* Ac */ ".  .  .  .  .  .  .  .  .",
        /* De */ ".  .  .  .  .  .  .  .  .",
        /* Re */ ".  .  .  .  .  .  .  .  .",
        /* Wi */ ".  .  .  .  .  .  .  .  .",
    ];

    fn table_for(actor: A) -> [&'static str; 9] {
        match actor {
            A::Recruiter | A::Admin => RECRUITER,
            A::Applicant => APPLICANT,
            A::Other => OTHER,
        }
    }

    #[test]
    fn every_move_for_every_actor_matches_the_table() {
        assert_eq!(ORDER.as_slice(), S::ALL);
        for &actor in A::ALL {
            let table = table_for(actor);
            for (row, &from) in ORDER.iter().enumerate() {
                let cells: Vec<char> = table[row].chars().filter(|c| !c.is_whitespace()).collect();
                assert_eq!(cells.len(), ORDER.len(), "row {from} of {actor}");
                let expected_allowed: Vec<S> =
                    ORDER.iter().zip(&cells).filter(|(_, &cell)| cell == 'o').map(|(&to, _)| to).collect();
                assert_eq!(allowed_moves(from, actor), expected_allowed, "{actor} from {from}");
                for (&to, &cell) in ORDER.iter().zip(&cells) {
                    let expected = match cell {
                        'o' => Ok(()),
                        'x' => Err(MoveRefused::ForbiddenForActor { allowed: expected_allowed.clone() }),
                        '.' => Err(MoveRefused::NotAllowed { allowed: expected_allowed.clone() }),
                        other => panic!("bad cell {other:?}"),
                    };
                    assert_eq!(check_move(from, to, actor), expected, "{actor}: {from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn terminal_and_active_split_the_statuses() {
        let cases = [
            (S::Submitted, false),
            (S::InReview, false),
            (S::Shortlisted, false),
            (S::Interview, false),
            (S::Offered, false),
            (S::Accepted, true),
            (S::Declined, true),
            (S::Rejected, true),
            (S::Withdrawn, true),
        ];
        for (status, terminal) in cases {
            assert_eq!(is_terminal(status), terminal, "{status}");
            assert_eq!(is_active(status), !terminal, "{status}");
            if terminal {
                for &actor in A::ALL {
                    assert!(allowed_moves(status, actor).is_empty(), "{actor} from {status}");
                }
            }
        }
    }

    #[test]
    fn actors_are_classified_from_role_and_relation() {
        let cases = [
            (Role::Student, true, false, A::Applicant),
            (Role::Student, false, false, A::Other),
            (Role::Recruiter, false, true, A::Recruiter),
            (Role::Recruiter, false, false, A::Other),
            (Role::Admin, false, false, A::Admin),
            (Role::SchoolStaff, false, false, A::Other),
            (Role::Committee, false, true, A::Other),
        ];
        for (role, is_applicant, recruits, expected) in cases {
            assert_eq!(
                ApplicationActor::classify(role, is_applicant, recruits),
                expected,
                "{role} applicant={is_applicant} recruits={recruits}"
            );
        }
    }

    #[test]
    fn refusals_expose_what_is_allowed() {
        let refused = check_move(S::Offered, S::Accepted, A::Admin);
        assert_eq!(refused.as_ref().map_err(MoveRefused::allowed), Err([S::Rejected].as_slice()));
    }

    #[test]
    fn a_history_holds_at_most_max_events() {
        assert_eq!(1 + longest_run(S::Submitted), MAX_EVENTS);
    }
}
