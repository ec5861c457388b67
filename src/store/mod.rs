//! Database queries, one file per aggregate. Functions take the connection
//! and return diesel rows; the routes turn rows into API views.

pub mod accounts;
pub mod reference;
pub mod roster;
