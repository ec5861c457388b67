//! What erasure leaves behind: no application source, and on SQLite no trace
//! of the e-mail or password hash in the database file's free space.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::applications::{apply_with_key, cast, open_offer, spawn};
use crate::helpers::TestApp;

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// The SQLite file and its write-ahead log, after folding the log into the
/// file and emptying it, so that both hold only what the file keeps.
fn sqlite_bytes(app: &TestApp) -> Option<Vec<u8>> {
    let path = app.database.url().strip_prefix("sqlite://")?.to_owned();
    app.connection().batch_execute("PRAGMA wal_checkpoint(TRUNCATE);").expect("checkpoint");
    let mut bytes = std::fs::read(&path).expect("database file");
    bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    Some(bytes)
}

#[tokio::test]
async fn erasure_clears_the_source_and_leaves_no_email_in_the_sqlite_file() {
    use passerelle::db::schema::{accounts, applications};
    let app = spawn().await;
    let c = cast(&app).await;
    let email = "ecc-1@student.example.org";
    let source = "partner-portal:candidate-ECC-1-bennani";
    let offer = open_offer(&app, &c.recruiter, 1).await;
    let applied = apply_with_key(&app, &c.student, offer, "k-source", &json!({"source": source})).await;
    assert_eq!(applied.status(), 201);
    let application = crate::helpers::json(applied).await["id"].as_i64().unwrap();
    let hash: String = accounts::table
        .find(c.student.account_id)
        .select(accounts::password_hash.assume_not_null())
        .first(&mut app.connection())
        .unwrap();
    if let Some(bytes) = sqlite_bytes(&app) {
        assert!(contains(&bytes, email) && contains(&bytes, &hash), "the control: both are in the file before");
    }

    let id =
        crate::helpers::json(app.get("/api/v1/me/profile", Some(&c.student.token)).await).await["id"].as_i64().unwrap();
    let erased =
        app.client.delete(app.url(&format!("/api/v1/students/{id}"))).bearer_auth(&c.student.token).send().await;
    assert_eq!(erased.unwrap().status(), 204);

    let kept: String =
        applications::table.find(application).select(applications::source).first(&mut app.connection()).unwrap();
    assert_eq!(kept, "");
    if let Some(bytes) = sqlite_bytes(&app) {
        assert!(!contains(&bytes, email), "the e-mail is left in the SQLite file");
        assert!(!contains(&bytes, &hash), "the password hash is left in the SQLite file");
        assert!(!contains(&bytes, source), "the source is left in the SQLite file");
    }
}
