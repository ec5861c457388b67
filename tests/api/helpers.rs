//! The test harness: the real application on port 0 with a fresh database per
//! test: a temporary SQLite file by default, or, with `TEST_DATABASE_URL` set
//! to a PostgreSQL server, a uniquely named database cloned from a migrated
//! template and dropped at the end.

use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use passerelle::auth::password::PasswordParams;
use passerelle::config::Settings;
use passerelle::startup::Application;
use reqwest::Response;
use serde_json::Value;

/// A running application and the database it owns.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: TestDatabase,
}

/// The database of one test, removed when the test ends.
pub enum TestDatabase {
    Sqlite { url: String, _dir: tempfile::TempDir },
    Postgres { url: String, server: String, name: String },
}

impl TestDatabase {
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres { server, name, .. } = self {
            if let Ok(mut conn) = PgConnection::establish(server) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

/// Test signing keys: the first signs.
pub const SIGNING_KEYS: &str =
    "test-2:a-test-signing-key-of-more-than-32-bytes-2,test-1:a-test-signing-key-of-more-than-32-bytes-1";

/// Settings for a test application on `database_url`.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings {
        database_url: database_url.to_owned(),
        bind: "127.0.0.1:0".into(),
        pool_size: 4,
        pool_timeout_seconds: 2,
        cors_origins: "https://portal.example.org".into(),
        ..Settings::default()
    };
    settings.auth.signing_keys = Some(SIGNING_KEYS.into());
    // Cheap hashing keeps the suite quick; one test checks the production defaults.
    settings.auth.password = PasswordParams { memory_kib: 64, iterations: 1, lanes: 1 };
    // Tests of delivery start the worker themselves, against their own receiver.
    settings.webhooks.deliver = false;
    settings
}

/// Starts the application on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the application on a fresh database with adjusted settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let database = fresh_database();
    let mut settings = test_settings(database.url());
    adjust(&mut settings);
    start(database, settings).await
}

/// Starts the application, with adjusted settings, on a fresh database that
/// `prepare` has written into first (by its URL), as a tool run before the
/// server would.
pub async fn spawn_app_after(prepare: impl FnOnce(&str), adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let database = fresh_database();
    prepare(database.url());
    let mut settings = test_settings(database.url());
    adjust(&mut settings);
    start(database, settings).await
}

async fn start(database: TestDatabase, settings: Settings) -> TestApp {
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(error) => panic!("application failed to start: {error:#}"),
    };
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    // The server closes a connection idle for 5 s (actix-web's keep-alive);
    // a client reusing one at that instant reads an incomplete message. Idle
    // connections are dropped well before, so a slow step never races it.
    // The service answers in French by default; the suite reads English, and
    // the tests of languages ask for French by name.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("en"));
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("http client");
    TestApp { address, client, database }
}

fn unique_name() -> String {
    format!("passerelle_test_{}", uuid::Uuid::new_v4().simple())
}

fn fresh_database() -> TestDatabase {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let template = postgres_template(&server);
            let name = unique_name();
            let mut conn = PgConnection::establish(&server).expect("connect to TEST_DATABASE_URL");
            // Two clones of one template at the same instant can collide; retry briefly.
            let mut attempt = 0;
            loop {
                match conn.batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")) {
                    Ok(()) => break,
                    Err(error) if attempt < 20 => {
                        attempt += 1;
                        let _ = error;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    Err(error) => panic!("cannot create test database: {error}"),
                }
            }
            TestDatabase::Postgres { url: database_url(&server, &name), server, name }
        }
        _ => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            TestDatabase::Sqlite { url, _dir: dir }
        }
    }
}

/// `server` with its database name replaced by `name`.
pub fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// A migrated database holding the reference data, cloned by every test. Its
/// name carries a hash of the migrations and reference files, so a run reuses
/// it until either changes; an advisory lock keeps concurrent runs from
/// building it twice.
fn postgres_template(server: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("passerelle_template_{:016x}", content_hash());
            let mut conn = PgConnection::establish(server).expect("connect to TEST_DATABASE_URL");
            conn.batch_execute("SELECT pg_advisory_lock(712301)").expect("template lock");
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let exists = diesel::sql_query(format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"))
                .get_result::<Count>(&mut conn)
                .expect("look for template")
                .n
                > 0;
            if !exists {
                let building = format!("{name}_building");
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)")).expect("drop");
                conn.batch_execute(&format!("CREATE DATABASE \"{building}\"")).expect("create template");
                let target = passerelle::db::DatabaseTarget::parse(&database_url(server, &building)).expect("url");
                let mut template = target.connect().expect("connect to template");
                passerelle::db::run_migrations(&mut template).expect("migrate template");
                let data = passerelle::reference_data::ReferenceData::load(std::path::Path::new("data"))
                    .expect("reference data");
                passerelle::store::reference::load(&mut template, &data).expect("load reference data");
                drop(template);
                conn.batch_execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\"")).expect("rename");
            }
            conn.batch_execute("SELECT pg_advisory_unlock(712301)").expect("template unlock");
            name
        })
        .clone()
}

/// FNV-1a over the files that shape a fresh database.
fn content_hash() -> u64 {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut pending = vec![std::path::PathBuf::from("migrations/postgres"), std::path::PathBuf::from("data")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "sql" || e == "csv") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        for byte in file.to_string_lossy().bytes().chain(std::fs::read(&file).unwrap_or_default()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    /// Opens a direct connection to this test's database.
    pub fn connection(&self) -> passerelle::db::DbConnection {
        passerelle::db::DatabaseTarget::parse(self.database.url())
            .and_then(|t| t.connect())
            .expect("direct database connection")
    }
}

/// Reads a JSON body, failing the test with the status and text otherwise.
pub async fn json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text}"))
}

/// Asserts a problem+json answer with `status`, returning its body.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = json(response).await;
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["type"].as_str().is_some_and(|t| t.starts_with("/problems/")), "{body}");
    assert!(body["title"].is_string() && body["detail"].is_string() && body["instance"].is_string(), "{body}");
    assert_eq!(body["request_id"].as_str().map(str::to_owned), request_id, "{body}");
    body
}

/// Password of every account the fixtures create.
pub const PASSWORD: &str = "a-long-test-password";

/// A signed-in user of a test.
#[derive(Debug, Clone)]
pub struct User {
    pub token: String,
    pub refresh_token: String,
    pub account_id: i64,
}

impl TestApp {
    /// Signs in, failing the test unless it works.
    pub async fn login(&self, email: &str, password: &str) -> User {
        let response = self
            .post_json("/api/v1/auth/login", None, &serde_json::json!({"email": email, "password": password}))
            .await;
        assert_eq!(response.status(), 200, "login of {email}");
        let pair = json(response).await;
        let token = pair["access_token"].as_str().expect("access token").to_owned();
        let me = json(self.get("/api/v1/me", Some(&token)).await).await;
        User {
            token,
            refresh_token: pair["refresh_token"].as_str().expect("refresh token").to_owned(),
            account_id: me["id"].as_i64().expect("account id"),
        }
    }

    /// An admin, inserted the way `passerelle create-admin` does, signed in.
    pub async fn admin(&self) -> User {
        let email = format!("admin-{}@passerelle.example.org", uuid::Uuid::new_v4().simple());
        let hasher =
            passerelle::auth::password::PasswordHasher::new(PasswordParams { memory_kib: 64, iterations: 1, lanes: 1 })
                .expect("hasher");
        let hash = hasher.hash(PASSWORD).expect("hash");
        let mut conn = self.connection();
        passerelle::store::accounts::insert(
            &mut conn,
            &passerelle::store::accounts::NewAccount {
                email: &email,
                display_name: "Admin",
                role: passerelle::domain::Role::Admin,
                password_hash: Some(&hash),
                school_id: None,
                organisation_id: None,
                activation: None,
            },
        )
        .expect("insert admin");
        self.login(&email, PASSWORD).await
    }

    /// A staff account created by `admin`, activated and signed in.
    pub async fn staff(&self, admin: &User, role: &str, school_id: Option<i64>, organisation_id: Option<i64>) -> User {
        let email = format!("{role}-{}@axa.example.org", uuid::Uuid::new_v4().simple());
        let created = self
            .post_json(
                "/api/v1/admin/accounts",
                Some(&admin.token),
                &serde_json::json!({"email": email, "display_name": "Staff Member", "role": role,
                    "school_id": school_id, "organisation_id": organisation_id}),
            )
            .await;
        assert_eq!(created.status(), 201, "create {role}");
        let created = json(created).await;
        let activated = self
            .post_json(
                "/api/v1/auth/activate",
                None,
                &serde_json::json!({"activation_token": created["activation_token"], "password": PASSWORD}),
            )
            .await;
        assert_eq!(activated.status(), 200, "activate {role}");
        self.login(&email, PASSWORD).await
    }

    /// The id of a reference record by code (`schools` or `organisations`).
    pub async fn id_of(&self, collection: &str, code: &str) -> i64 {
        let page = json(self.get(&format!("/api/v1/{collection}?limit=100"), None).await).await;
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["code"] == code))
            .and_then(|i| i["id"].as_i64())
            .unwrap_or_else(|| panic!("no {code} in {collection}"))
    }

    pub async fn post_csv(&self, path: &str, token: &str, csv: String) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("request sent")
    }

    /// A student put on `school_code`'s roster by `staff`, activated and signed in.
    pub async fn student(&self, staff: &User, school_code: &str, number: &str) -> User {
        let school_id = self.id_of("schools", school_code).await;
        let email = format!("{}@student.example.org", number.to_lowercase());
        let csv = format!(
            "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n{number},Salma,Bennani,{email},Data Science,bac+5,2027\n"
        );
        let imported = self.post_csv(&format!("/api/v1/schools/{school_id}/roster"), &staff.token, csv).await;
        assert_eq!(imported.status(), 200, "roster import");
        let activated = self
            .post_json(
                "/api/v1/auth/activate-student",
                None,
                &serde_json::json!({"school_code": school_code, "student_number": number, "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(activated.status(), 201, "student activation");
        self.login(&email, PASSWORD).await
    }
}

impl TestApp {
    /// Starts a second server process-alike on this test's database, with
    /// adjusted settings; returns its base address.
    pub async fn sibling(&self, adjust: impl FnOnce(&mut Settings)) -> String {
        let mut settings = test_settings(self.database.url());
        adjust(&mut settings);
        let app = Application::build(settings).await.expect("sibling starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }
}

/// The real `passerelle` binary serving this test's database in its own OS
/// process; killed when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub address: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    /// Starts a second server process on this test's database and waits until it is ready.
    pub async fn process(&self) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .arg("serve")
            .env("PASSERELLE_DATABASE_URL", self.database.url())
            .env("PASSERELLE_BIND", format!("127.0.0.1:{port}"))
            .env("PASSERELLE_AUTH__SIGNING_KEYS", SIGNING_KEYS)
            .env("PASSERELLE_AUTH__PASSWORD__MEMORY_KIB", "64")
            .env("PASSERELLE_AUTH__PASSWORD__ITERATIONS", "1")
            .env("PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE", "1000")
            .env("PASSERELLE_POOL_TIMEOUT_SECONDS", "30")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start the passerelle binary");
        let server = ServerProcess { child, address: format!("http://127.0.0.1:{port}") };
        for _ in 0..200 {
            if let Ok(response) = self.client.get(format!("{}/health/ready", server.address)).send().await {
                if response.status() == 200 {
                    return server;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the second server process did not become ready");
    }
}
