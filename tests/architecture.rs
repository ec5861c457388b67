//! The shape of the code, checked on its source: each module imports only from
//! the layers below it, diesel stays in the store and the database layer, and
//! every handler in `src/routes` fits on a screen.
//!
//! The layers, top to bottom:
//!
//! ```text
//! startup                    assembles everything
//! routes, limits, input,     HTTP: extract, call one use case, answer
//! openapi
//! seed, bench_cli            command-line tools over the use cases and the store
//! app                        use cases: transactions, policy, store, matching, index
//! live_index                 the in-memory matching index fed by the change feed
//! delivery                   the webhook delivery worker over the outbox
//! auth, store, matching,     permission rules, tokens, passwords; queries; the engine;
//! allocation                 deferred acceptance for campaigns
//! db                         connections, pool, migrations, the backend fork
//! domain, error, pagination, rules and types, the one error type, page parameters,
//! reference_data, export,    reference files, CSV writing and media types,
//! pdf,                       the agreement's PDF writer,
//! config, telemetry, i18n    settings, tracing, texts in French and English
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each module of `src/`, and what it may import besides itself: a path
/// prefix, segment by segment (`auth::Caller` allows that type only).
const ALLOWED: &[(&str, &[&str])] = &[
    ("startup", &["*"]),
    // HTTP knows the use cases, the caller, the types that appear in its
    // parameters, the one error mapping and the page parameters.
    // The bearer scheme parser reads the Authorization header for the extractor.
    ("routes", &["app", "auth::Caller", "auth::bearer_token", "domain", "error", "export", "i18n", "pagination"]),
    // Middleware: the per-caller rate limit needs the caller.
    ("limits", &["auth::Caller", "error", "i18n", "telemetry"]),
    // Middleware: the input screen applies the pure input rules before any handler.
    // Its unit test reads the assembled document to find every date field.
    ("input", &["domain", "error", "startup::openapi"]),
    // The document states the page bound of the lists answered whole.
    ("openapi", &["domain", "error", "i18n", "pagination"]),
    // Tools run from the command line, beside the server.
    ("seed", &["app", "auth::password", "db", "domain", "error", "reference_data", "store"]),
    // The synthetic accounts' one password hash.
    ("bench_cli", &["allocation", "auth::password", "db", "domain", "matching", "store"]),
    // Use cases open transactions (db) and ask everything below them.
    (
        "app",
        &[
            "allocation",
            "auth",
            "config",
            "db",
            "domain",
            "error",
            "export",
            "i18n",
            "live_index",
            "matching",
            "pagination",
            "pdf",
            "reference_data",
            "store",
        ],
    ),
    // The webhook delivery worker: claims from the outbox, sends, records.
    ("delivery", &["config", "db", "domain", "store"]),
    // The index also holds the accounts' token versions, fed by the same change feed.
    ("live_index", &["auth::revocation", "db", "domain", "matching", "store"]),
    ("auth", &["config", "domain", "error"]),
    // The store filters by the pipeline scope the policy computes.
    // The store filters by the pipeline scope the policy computes, and loads the
    // token versions the revocation list holds.
    (
        "store",
        &[
            "auth::policy::PipelineScope",
            "auth::revocation::AccountTokens",
            "db",
            "domain",
            "matching",
            "reference_data",
        ],
    ),
    ("matching", &["domain"]),
    // Deferred acceptance for campaigns: pure, beside the matching engine.
    ("allocation", &[]),
    // `db::run` answers with the one error type, and `db::failure` maps the
    // database's errors into it.
    ("db", &["error"]),
    ("pagination", &["domain", "error"]),
    ("error", &["domain", "i18n", "telemetry"]),
    ("telemetry", &["config"]),
    // Settings embed the settings types that their modules define.
    ("config", &["auth::password::PasswordParams", "i18n::Lang", "limits::LimitSettings"]),
    ("reference_data", &[]),
    ("export", &[]),
    // The agreement's PDF writer: pure, bytes in and out.
    ("pdf", &[]),
    // Texts in each language and their negotiation: below everything that writes for people.
    ("i18n", &[]),
    // Skill domains are the reference data's closed set.
    ("domain", &["i18n", "reference_data"]),
];

/// Longest handler body in `src/routes`, in lines.
const MAX_HANDLER_LINES: usize = 30;

fn source_root() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into())).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Every source file, as (path relative to the crate, text).
fn sources() -> Vec<(String, String)> {
    let root = source_root();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let relative = path.strip_prefix(root.parent().unwrap_or(&root)).unwrap_or(&path);
            (relative.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// The module a file belongs to: the first component under `src/`.
fn module_of(file: &str) -> &str {
    let inside = file.strip_prefix("src/").unwrap_or(file);
    let first = inside.split('/').next().unwrap_or(inside);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The text without comments, so that doc links and prose are not imports.
fn code_of(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn ident_end(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && (text[at].is_ascii_alphanumeric() || text[at] == b'_') {
        at += 1;
    }
    at
}

/// Reads a path after `crate::` from `at`, expanding `{a, b::c}` groups; each
/// full path is pushed to `out`. Returns where the path ends.
fn read_path(text: &[u8], mut at: usize, prefix: &str, out: &mut Vec<String>) -> usize {
    let mut path = prefix.to_owned();
    loop {
        if text.get(at) == Some(&b'{') {
            at += 1;
            loop {
                while at < text.len() && (text[at].is_ascii_whitespace() || text[at] == b',') {
                    at += 1;
                }
                if at >= text.len() || text[at] == b'}' {
                    return at + 1;
                }
                at = read_path(text, at, &path, out);
                // Skip an `as alias`.
                while at < text.len() && !matches!(text[at], b',' | b'}') {
                    at += 1;
                }
            }
        }
        let end = ident_end(text, at);
        if end == at {
            break;
        }
        let ident = std::str::from_utf8(&text[at..end]).unwrap_or("");
        if ident != "self" {
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(ident);
        }
        at = end;
        if text[at..].starts_with(b"::") {
            at += 2;
        } else {
            break;
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
    at
}

/// Every path a file names under `crate::` (in `use` lines and inline).
fn crate_paths(text: &str) -> Vec<String> {
    let code = code_of(text);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("crate::") {
        let start = from + found;
        let preceded = start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        from = start + "crate::".len();
        if preceded {
            continue;
        }
        from = read_path(bytes, from, "", &mut out);
    }
    // The exported macro lives in `db`.
    out.into_iter().map(|p| if p.starts_with("per_backend") { format!("db::{p}") } else { p }).collect()
}

fn allows(prefix: &str, path: &str) -> bool {
    let (prefix, path): (Vec<&str>, Vec<&str>) = (prefix.split("::").collect(), path.split("::").collect());
    prefix == ["*"] || (path.len() >= prefix.len() && path[..prefix.len()] == prefix[..])
}

/// The imports that break the table, as `file: path`.
fn layer_violations(files: &[(String, String)]) -> Vec<String> {
    let table: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut found = Vec::new();
    for (file, text) in files {
        let module = module_of(file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(allowed) = table.get(module) else {
            found.push(format!("{file}: module {module} has no row in the layer table"));
            continue;
        };
        for path in crate_paths(text) {
            let own = path.split("::").next() == Some(module);
            if !own && !allowed.iter().any(|prefix| allows(prefix, &path)) {
                found.push(format!("{file}: {module} imports crate::{path}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Files outside the store and the database layer that name diesel.
fn diesel_violations(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .filter(|(file, _)| !file.starts_with("src/store/") && !file.starts_with("src/db/"))
        .filter(|(_, text)| {
            let code = code_of(text);
            code.contains("diesel::") || code.contains("use diesel") || code.contains("#[diesel(")
        })
        .map(|(file, _)| file.clone())
        .collect()
}

/// Handlers (every `async fn` in `src/routes`) and their body lengths.
fn handler_lengths(files: &[(String, String)]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (file, text) in files.iter().filter(|(file, _)| file.starts_with("src/routes/")) {
        let lines: Vec<&str> = text.lines().collect();
        let mut at = 0;
        while at < lines.len() {
            let line = lines[at];
            let Some(rest) = line.strip_prefix("pub async fn ").or_else(|| line.strip_prefix("async fn ")) else {
                at += 1;
                continue;
            };
            let name = rest.split(['(', '<']).next().unwrap_or(rest).to_owned();
            let Some(open) = (at..lines.len()).find(|&i| lines[i].trim_end().ends_with('{')) else { break };
            let close = (open + 1..lines.len()).find(|&i| lines[i] == "}").unwrap_or(lines.len());
            out.push((format!("{file}: {name}"), close - open - 1));
            at = close + 1;
        }
    }
    out
}

#[test]
fn modules_import_only_from_the_layers_below() {
    let found = layer_violations(&sources());
    assert!(found.is_empty(), "imports against the layers:\n{}", found.join("\n"));
}

#[test]
fn diesel_stays_in_the_store_and_the_database_layer() {
    let found = diesel_violations(&sources());
    assert!(found.is_empty(), "diesel outside src/store and src/db:\n{}", found.join("\n"));
}

#[test]
fn every_handler_fits_on_a_screen() {
    let handlers = handler_lengths(&sources());
    assert!(handlers.len() >= 40, "only {} handlers found: the scan no longer sees them", handlers.len());
    let long: Vec<String> = handlers
        .iter()
        .filter(|(_, lines)| *lines > MAX_HANDLER_LINES)
        .map(|(name, lines)| format!("{name}: {lines} lines"))
        .collect();
    assert!(long.is_empty(), "handlers over {MAX_HANDLER_LINES} lines:\n{}", long.join("\n"));
}

#[test]
fn the_scanner_reads_grouped_and_inline_paths() {
    let text = "use crate::store::{self as s, offers::{find, OfferRow as Row}};\n\
                // crate::routes::ignored\n\
                fn f() { crate::db::run(); $crate::per_backend!(x); }";
    assert_eq!(
        crate_paths(text),
        ["store", "store::offers::find", "store::offers::OfferRow", "db::run", "db::per_backend"]
    );
    assert!(allows("auth::Caller", "auth::Caller"));
    assert!(!allows("auth::Caller", "auth::policy"));
    assert!(!allows("app", "application"));
}
