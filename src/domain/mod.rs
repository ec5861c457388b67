//! Plain types of the product: roles, kinds, levels and the state machines.
//! Nothing here does I/O; the rules are plain functions with table-driven tests.

pub mod alert;
pub mod application;
pub mod campaign;
pub mod input;
pub mod offer;
pub mod placement;
pub mod reports;
pub mod search;
pub mod student;
pub mod texts;
pub mod training;
pub mod training_needs;
pub mod webhook;
pub mod whole_number;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::i18n::Message;

/// Declares a closed set of values that travel as snake_case text, both in JSON
/// and in the database, with `as_str` and `FromStr` kept in one place.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text form used in JSON and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: text.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

/// A stored text that does not name a known value of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} value {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

text_enum! {
    /// What an account may do; each account has exactly one role.
    Role {
        /// A student of a participating school.
        Student => "student",
        /// AXA staff of one organisation.
        Recruiter => "recruiter",
        /// Career office of one school.
        SchoolStaff => "school_staff",
        /// The convention's follow-up committee: aggregated reports only.
        Committee => "committee",
        /// The operator.
        Admin => "admin",
    }
}

text_enum! {
    /// The kind of position an offer is for.
    OfferKind {
        /// A "stage": an internship, signed with a convention de stage.
        Internship => "internship",
        /// An "alternance": work-study, signed with a work-study contract.
        WorkStudy => "work_study",
    }
}

impl OfferKind {
    /// Reads a stored comma-separated list of kinds; unknown names are skipped.
    pub fn decode_list(text: &str) -> Vec<OfferKind> {
        text.split(',').filter_map(|kind| kind.trim().parse().ok()).collect()
    }

    /// The stored form of a list of kinds, comma-separated.
    pub fn encode_list(kinds: &[OfferKind]) -> String {
        kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
    }
}

text_enum! {
    /// Where the work happens.
    WorkMode {
        OnSite => "on_site",
        Hybrid => "hybrid",
        Remote => "remote",
    }
}

text_enum! {
    /// Degree level on the Moroccan scale, ordered: a student with a higher level
    /// meets an offer's lower minimum.
    DegreeLevel {
        /// Bac+2: DUT, BTS, DEUG.
        Bac2 => "bac+2",
        /// Bac+3: licence, bachelor.
        Bac3 => "bac+3",
        /// Bac+4: master 1, 4th year of an engineering or business school.
        Bac4 => "bac+4",
        /// Bac+5: master, engineering degree (diplôme d'ingénieur).
        Bac5 => "bac+5",
        /// Bac+8: doctorate.
        Bac8 => "bac+8",
    }
}

text_enum! {
    /// Life cycle of an offer: draft → open → closed, or filled when the last
    /// position is taken by an accepted application.
    OfferStatus {
        Draft => "draft",
        Open => "open",
        Closed => "closed",
        Filled => "filled",
    }
}

text_enum! {
    /// Order of the offer list.
    OfferOrder {
        /// Most recently created first (the default).
        Newest => "newest",
        /// Earliest deadline first; offers without a deadline last.
        Deadline => "deadline",
    }
}

text_enum! {
    /// The kind of a participating school.
    SchoolKind {
        EngineeringSchool => "engineering_school",
        BusinessSchool => "business_school",
        University => "university",
        Institute => "institute",
    }
}

text_enum! {
    /// The domain of a skill of the taxonomy: the convention's axes, plus
    /// transversal skills and languages.
    SkillDomain {
        Cybersecurity => "cybersecurity",
        Data => "data",
        Ai => "ai",
        Cloud => "cloud",
        Devops => "devops",
        Testing => "testing",
        SoftwareEngineering => "software_engineering",
        Transversal => "transversal",
        Languages => "languages",
    }
}

text_enum! {
    /// A consent a student gives or withdraws.
    Consent {
        /// Recruiters may find the student in their rankings without an application.
        DiscoverableByRecruiters => "discoverable_by_recruiters",
    }
}

text_enum! {
    /// The rule a field broke, stable and language-neutral: clients branch on
    /// it, people read the `message` beside it.
    ViolationCode {
        AfterStartDate => "after_start_date",
        BeforeAvailableFrom => "before_available_from",
        BeforeOpening => "before_opening",
        BelowTaken => "below_taken",
        ControlCharacter => "control_character",
        Count => "count",
        Duplicate => "duplicate",
        InThePast => "in_the_past",
        Invalid => "invalid",
        InvalidFormat => "invalid_format",
        Length => "length",
        Loop => "loop",
        NoOffer => "no_offer",
        NotACandidate => "not_a_candidate",
        NotAfterStartDate => "not_after_start_date",
        NotAllowed => "not_allowed",
        NotAnObject => "not_an_object",
        NotEligible => "not_eligible",
        NotInCampaign => "not_in_campaign",
        NotOneOf => "not_one_of",
        NotOpen => "not_open",
        OneOf => "one_of",
        OutOfRange => "out_of_range",
        Provider => "provider",
        Required => "required",
        Reused => "reused",
        TooFew => "too_few",
        TooLong => "too_long",
        TooMany => "too_many",
        TooShort => "too_short",
        Unknown => "unknown",
        UnknownColumn => "unknown_column",
        UnknownField => "unknown_field",
        UnknownSkill => "unknown_skill",
        UnknownValue => "unknown_value",
        Unreadable => "unreadable",
        WrongType => "wrong_type",
    }
}

/// One broken rule about one field of a request, as listed in a validation
/// problem's `errors` member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Violation {
    /// JSON path of the field, e.g. `requirements[2].min_level`.
    #[schema(example = "requirements[2].min_level")]
    pub field: String,
    /// The rule broken.
    pub code: ViolationCode,
    /// What is accepted, in the answer's language (`Content-Language`).
    #[schema(value_type = String, example = "must be between 1 and 5")]
    pub message: Message,
}

impl Violation {
    pub fn new(field: impl Into<String>, code: ViolationCode, message: impl Into<Message>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}

/// Checks a free-text field: not blank, and between `min` and `max`
/// characters once trimmed.
pub(crate) fn check_text(field: &str, value: &str, min: usize, max: usize, out: &mut Vec<Violation>) {
    let length = value.trim().chars().count();
    if length == 0 {
        out.push(Violation::new(field, ViolationCode::Required, Message::new("required")));
    } else if length < min {
        out.push(Violation::new(field, ViolationCode::TooShort, Message::new("too-short").arg("min", min)));
    } else if length > max {
        out.push(Violation::new(field, ViolationCode::TooLong, Message::new("too-long").arg("max", max)));
    }
}

/// A skill level, from 1 (notions) to 5 (expert).
pub type SkillLevel = u8;

/// Smallest and largest skill level, requirement level and requirement weight.
pub const LEVEL_RANGE: std::ops::RangeInclusive<u8> = 1..=5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_kinds_and_domains_are_the_accepted_ones() {
        let kinds: Vec<&str> = SchoolKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, ["engineering_school", "business_school", "university", "institute"]);
        let domains: Vec<&str> = SkillDomain::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(domains, crate::reference_data::DOMAINS);
    }

    #[test]
    fn text_enums_round_trip_through_their_text_form() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        for level in DegreeLevel::ALL {
            assert_eq!(level.as_str().parse::<DegreeLevel>(), Ok(*level));
        }
        assert!("bac+6".parse::<DegreeLevel>().is_err());
    }

    #[test]
    fn degree_levels_are_ordered() {
        assert!(DegreeLevel::Bac5 > DegreeLevel::Bac3);
        assert!(DegreeLevel::Bac2 < DegreeLevel::Bac8);
    }

    #[test]
    fn json_uses_the_text_form() {
        assert_eq!(serde_json::to_string(&OfferKind::WorkStudy).ok().as_deref(), Some("\"work_study\""));
    }
}
