//! Use cases, one module per capability. A use case takes plain inputs and the
//! caller, opens the transaction, asks the policy, calls the store, the domain
//! and the matching engine, refreshes the index, and returns API values or an
//! [`ApiError`](crate::error::ApiError). Nothing here knows about HTTP.

pub mod accounts;
pub mod admin;
pub mod agreement;
pub mod alerts;
pub mod applications;
pub mod campaigns;
pub mod context;
pub mod health;
pub mod matches;
pub mod memo;
pub mod offers;
pub mod personal_data;
pub mod placements;
pub mod reference;
pub mod reports;
pub mod roster;
pub mod sessions;
pub mod skills;
pub mod students;
pub mod training_needs;
pub mod trainings;
pub mod version;
pub mod webhooks;

pub use context::AppState;
