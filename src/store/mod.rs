//! Database queries, one file per aggregate. Functions take the connection
//! and return diesel rows; the use cases turn rows into API views.

pub mod accounts;
pub mod alerts;
pub mod applications;
pub mod campaigns;
pub mod change_feed;
pub mod health;
pub mod matching;
pub mod offers;
pub mod personal_data;
pub mod placements;
pub mod reference;
pub mod reports;
pub mod roster;
pub mod search;
pub mod sql_baseline;
pub mod students;
pub mod synthetic;
pub mod taxonomy;
pub mod trainings;
pub mod webhooks;

/// What a query fails with: the database's own error, named here so that the
/// layers above the store wrap it without naming the query library.
pub type QueryError = diesel::result::Error;
