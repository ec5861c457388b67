//! Black-box tests over HTTP. Every test runs against SQLite by default and
//! against PostgreSQL when `TEST_DATABASE_URL` names a server.

mod demo;
mod foundation;
mod helpers;
mod identity;
mod limits;
mod matching;
mod offers;
mod permissions;
mod profiles;
mod tokens;
