//! Black-box tests over HTTP. Every test runs against SQLite by default and
//! against PostgreSQL when `TEST_DATABASE_URL` names a server.

mod admin;
mod agreement;
mod alerts;
mod applications;
mod campaigns;
mod contract;
mod demo;
mod document;
mod erasure;
mod foundation;
mod helpers;
mod identity;
mod input;
mod languages;
mod limits;
mod matching;
mod offers;
mod permissions;
mod personal_data;
mod placements;
mod polling;
mod portal;
mod problems;
mod profiles;
mod races;
mod reports;
mod revocation;
mod search;
mod spreadsheets;
mod suggestions;
mod tokens;
mod training_needs;
mod trainings;
mod upgrades;
mod webhooks;
