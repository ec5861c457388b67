//! The floor of what actix-web serves on this machine: one JSON handler and
//! nothing else (no database, middleware or authentication). The load script
//! measures it in the same run as the API, so that the API's figures can be
//! read against what the framework alone does on the same hardware.
//!
//! `cargo run --release --example baseline -- 127.0.0.1:8090`

use actix_web::{get, App, HttpResponse, HttpServer};

#[get("/")]
async fn ok() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"ok": true}))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8090".into());
    HttpServer::new(|| App::new().service(ok)).bind(bind)?.run().await
}
