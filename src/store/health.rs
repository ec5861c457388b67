//! The readiness probe's query.

use diesel::connection::SimpleConnection;

use crate::db::DbConnection;

/// Asks the database the smallest question there is.
pub fn ping(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
