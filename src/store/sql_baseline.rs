//! The baseline of the matching benchmark: an offer's top candidates ranked by
//! the database in one SQL query, over direct skills only, and the covering
//! index that query is given.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::{Backend, DbConnection};

#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = BigInt)]
    student_id: i64,
    #[diesel(sql_type = BigInt)]
    score: i64,
}

/// Credits in sixtieths, as the engine counts them, so scores compare
/// exactly: `weight` when the level is met, else `weight·level/min_level`.
/// `$1` is the offer id.
const CANDIDATES_SQL: &str = "\
SELECT ss.student_id AS student_id,
       SUM(CASE WHEN ss.level >= r.min_level THEN r.weight * 60
                ELSE r.weight * ss.level * (60 / r.min_level) END) AS score
FROM offer_requirements r
JOIN student_skills ss ON ss.skill_id = r.skill_id
WHERE r.offer_id = $1
GROUP BY ss.student_id
HAVING SUM(CASE WHEN r.required AND ss.level >= r.min_level THEN 1 ELSE 0 END)
     = (SELECT COUNT(*) FROM offer_requirements q WHERE q.offer_id = $1 AND q.required)
ORDER BY score DESC, ss.student_id
LIMIT 20";

/// Lets the join read student ids and levels from the index alone, without
/// visiting the table.
const COVERING_INDEX: &str = "bench_student_skills_skill_student_level";

/// The offer's top 20 candidates as (student id, score in sixtieths), best first.
pub fn top_candidates(conn: &mut DbConnection, offer_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    let rows: Vec<Ranked> = match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(CANDIDATES_SQL).bind::<BigInt, _>(offer_id).load(c)?,
        DbConnection::Sqlite(c) => {
            diesel::sql_query(CANDIDATES_SQL.replace("$1", "?1")).bind::<BigInt, _>(offer_id).load(c)?
        }
    };
    Ok(rows.into_iter().map(|r| (r.student_id, r.score)).collect())
}

/// Drops the covering index, if there is one: it would slow a load.
pub fn drop_covering_index(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute(&format!("DROP INDEX IF EXISTS {COVERING_INDEX}"))
}

/// Builds the covering index and refreshes the planner's statistics.
pub fn build_covering_index(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute(&format!("CREATE INDEX {COVERING_INDEX} ON student_skills (skill_id, student_id, level)"))?;
    match conn.backend() {
        // Index-only scans need the visibility map that VACUUM sets; the
        // aggregate over hundreds of thousands of students would spill to disk
        // with the default 4 MB of work memory.
        // Several statements in one call would run as one transaction block,
        // where VACUUM is refused.
        Backend::Postgres => {
            for statement in
                ["VACUUM ANALYZE student_skills", "VACUUM ANALYZE offer_requirements", "SET work_mem = '256MB'"]
            {
                conn.batch_execute(statement)?;
            }
            Ok(())
        }
        Backend::Sqlite => conn.batch_execute("ANALYZE;"),
    }
}
