//! The change feed: one row per committed change to what matching or token
//! checks read, with increasing ids, so every server process can tail it and
//! stay fresh.

use chrono::Utc;
use diesel::prelude::*;

use crate::db::schema::change_feed;
use crate::db::DbConnection;

/// Entity names in the feed.
pub const STUDENT: &str = "student";
pub const OFFER: &str = "offer";
pub const APPLICATION: &str = "application";
/// Any change to the taxonomy: the whole tree is reloaded.
pub const SKILL: &str = "skill";
/// An account's token version or disabled flag changed.
pub const ACCOUNT: &str = "account";

/// Records a change, inside the caller's transaction.
pub fn record(conn: &mut DbConnection, entity: &str, entity_id: i64) -> QueryResult<()> {
    recorded(conn, entity, entity_id).map(drop)
}

/// Records a change, inside the caller's transaction, and returns its feed
/// id: once the index has applied that id, it holds the change, and the
/// writer need not read the feed itself.
///
/// Every write of the service runs it, so it runs on the backend's own
/// connection, which binds a prepared statement without writing its SQL out
/// again as the multi-backend connection does.
pub fn recorded(conn: &mut DbConnection, entity: &str, entity_id: i64) -> QueryResult<i64> {
    let insert = diesel::insert_into(change_feed::table)
        .values((
            change_feed::entity.eq(entity),
            change_feed::entity_id.eq(entity_id),
            change_feed::at.eq(Utc::now().naive_utc()),
        ))
        .returning(change_feed::id);
    crate::per_backend!(conn, |c| insert.get_result(c))
}

/// Changes after `after_id`, oldest first. Read after every write of this
/// process, on the backend's own connection like [`recorded`].
pub fn since(conn: &mut DbConnection, after_id: i64, limit: i64) -> QueryResult<Vec<(i64, String, i64)>> {
    let query = change_feed::table
        .filter(change_feed::id.gt(after_id))
        .order(change_feed::id.asc())
        .limit(limit)
        .select((change_feed::id, change_feed::entity, change_feed::entity_id));
    crate::per_backend!(conn, |c| query.load(c))
}

/// The highest id in the feed, 0 when empty.
pub fn latest_id(conn: &mut DbConnection) -> QueryResult<i64> {
    change_feed::table.select(diesel::dsl::max(change_feed::id)).first::<Option<i64>>(conn).map(|id| id.unwrap_or(0))
}
