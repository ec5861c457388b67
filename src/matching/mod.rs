//! Matching engine: ranks offers for a student and students for an offer by
//! skill tags, with the explanation of every score.
//!
//! Pure code, no I/O: the service loads students and offers into a
//! [`MatchIndex`] and keeps it up to date with upserts and removals. The rules
//! (credit, score, hard filters, order) are in [`rules`]; [`brute_force`] ranks
//! the same way by a full scan and serves as the reference; [`synthetic`]
//! generates realistic data and [`bench`] measures the index against it.

pub mod bench;
pub mod brute_force;
pub mod index;
pub mod near_miss;
pub mod rules;
pub mod suggestions;
pub mod synthetic;
pub mod taxonomy;

pub use brute_force::BruteForce;
pub use index::MatchIndex;
pub use rules::{
    credit, effective_skills, HardFilter, MatchResult, MissingSkill, OfferProfile, Requirement, SkillMatch,
    StudentProfile,
};
pub use taxonomy::{SkillId, Taxonomy, TaxonomyError};
