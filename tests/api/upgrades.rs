//! Upgrading a database written by an earlier version: the migrations carry
//! its rows over to what the current code reads.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use serde_json::{json, Value};

use passerelle::db::{DatabaseTarget, DbConnection};
use passerelle::matching::{MatchResult, MissingSkill, SkillId, SkillMatch};

/// The first migration that types the stored explanation.
const TYPED_EXPLANATION: &str = "20261201001300";

/// A fresh, empty database of the backend the suite runs on; dropped at the end.
struct EmptyDatabase {
    url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl EmptyDatabase {
    fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() => {
                let name = format!("passerelle_upgrade_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&server).expect("connect to TEST_DATABASE_URL");
                conn.batch_execute(&format!("CREATE DATABASE \"{name}\"")).expect("create database");
                let url = crate::helpers::database_url(&server, &name);
                Self { url, postgres: Some((server, name)), _dir: None }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("upgrade.db").display());
                Self { url, postgres: None, _dir: Some(dir) }
            }
        }
    }
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            if let Ok(mut conn) = PgConnection::establish(server) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

/// Applies the migrations older than `version` only.
fn migrate_before(conn: &mut DbConnection, version: &str) {
    macro_rules! before {
        ($c:expr, $dir:literal) => {{
            let source = FileBasedMigrations::from_path($dir).expect("migrations folder");
            for migration in $c.pending_migrations(source).expect("pending migrations") {
                if migration.name().version().to_string().as_str() < version {
                    $c.run_migration(&*migration).expect("older migration");
                }
            }
        }};
    }
    match conn {
        DbConnection::Sqlite(c) => before!(c, "migrations/sqlite"),
        DbConnection::Postgresql(c) => before!(c, "migrations/postgres"),
    }
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Double)]
    score: f64,
    #[diesel(sql_type = Text)]
    explanation: String,
}

/// What the code before the typed explanation stored: the engine's whole
/// result, skills by internal id, beside the score in sixtieths.
fn old_result() -> MatchResult {
    let credit = 4.0 * 2.0 / 3.0;
    MatchResult {
        student_id: 1,
        offer_id: 1,
        score: (5.0 + credit) / 11.0,
        eligible: true,
        preferred_met: 1,
        met: vec![SkillMatch {
            skill: SkillId(190),
            student_level: 4,
            required_level: 3,
            weight: 5,
            credit: 5.0,
            required: true,
        }],
        partially_met: vec![SkillMatch {
            skill: SkillId(191),
            student_level: 2,
            required_level: 3,
            weight: 4,
            credit,
            required: false,
        }],
        missing_required: vec![],
        missing_preferred: vec![MissingSkill { skill: SkillId(192), required_level: 2, weight: 2 }],
        failed_filters: vec![],
    }
}

#[tokio::test]
async fn stored_explanations_move_to_slugs_and_scores_become_exact() {
    let database = EmptyDatabase::new();
    let mut conn = DatabaseTarget::parse(&database.url).expect("url").connect().expect("connect");
    migrate_before(&mut conn, TYPED_EXPLANATION);
    let old = old_result();
    let rounded = (old.score * 60.0).round() as i32;
    // Rows only, without their referents: the foreign keys are not what is tested.
    let relax = match conn {
        DbConnection::Sqlite(_) => "PRAGMA foreign_keys = OFF;",
        DbConnection::Postgresql(_) => "SET session_replication_role = replica;",
    };
    let old_json = serde_json::to_string(&old).expect("old explanation");
    conn.batch_execute(&format!(
        "{relax}
         INSERT INTO skills (id, slug, label_fr, label_en, domain) VALUES
             (190, 'python', 'Python', 'Python', 'data'),
             (191, 'sql', 'SQL', 'SQL', 'data'),
             (192, 'kubernetes', 'Kubernetes', 'Kubernetes', 'cloud');
         INSERT INTO applications (id, offer_id, student_id, organisation_id, status, score_sixtieths, explanation,
                                   created_at, updated_at) VALUES
             (1, 1, 1, 1, 'submitted', {rounded}, '{old_json}', '2026-11-30 10:00:00', '2026-11-30 10:00:00'),
             (2, 2, 1, 1, 'submitted', 0, '{{}}', '2026-11-30 10:00:00', '2026-11-30 10:00:00');"
    ))
    .expect("rows of the earlier version");

    passerelle::db::run_migrations(&mut conn).expect("upgrade");

    let rows: Vec<Stored> = diesel::sql_query("SELECT id, score, explanation FROM applications ORDER BY id")
        .load(&mut conn)
        .expect("read back");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, 1);
    assert_eq!(rows[0].score, old.score, "the exact score, not {rounded}/60");
    let explanation: Value = serde_json::from_str(&rows[0].explanation).expect("json");
    assert_eq!(
        explanation,
        json!({
            "met": [{"skill": "python", "student_level": 4, "required_level": 3, "weight": 5, "credit": 5.0,
                     "required": true}],
            "partially_met": [{"skill": "sql", "student_level": 2, "required_level": 3, "weight": 4,
                               "credit": old.partially_met[0].credit, "required": false}],
            "missing_required": [],
            "missing_preferred": [{"skill": "kubernetes", "required_level": 2, "weight": 2}],
            "failed_filters": []
        })
    );
    // A row whose student was not yet in the index: nothing met, score 0.
    assert_eq!(rows[1].score, 0.0);
    let empty: Value = serde_json::from_str(&rows[1].explanation).expect("json");
    assert_eq!(
        empty,
        json!({"met": [], "partially_met": [], "missing_required": [], "missing_preferred": [], "failed_filters": []})
    );
}
