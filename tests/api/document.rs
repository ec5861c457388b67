//! The OpenAPI document as a client generator reads it: one schema per type,
//! every list either a page or bounded.

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(passerelle::startup::openapi()).expect("document as JSON")
}

#[test]
fn each_page_refers_to_its_item_schema() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let pages: Vec<&String> = schemas.keys().filter(|name| name.starts_with("Page_")).collect();
    assert!(pages.len() >= 8, "{pages:?}");
    for name in pages {
        let item = name.trim_start_matches("Page_");
        assert_eq!(
            schemas[name.as_str()]["properties"]["items"]["items"],
            serde_json::json!({"$ref": format!("#/components/schemas/{item}")}),
            "{name}"
        );
    }
}

#[test]
fn every_list_is_a_page_or_states_its_bound() {
    let doc = document();
    let mut bounded = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    let schema = &content["schema"];
                    if schema["type"] == "array" {
                        assert!(schema["maxItems"].is_u64(), "{method} {path} {status} {media}: no maxItems");
                        bounded.push((path.clone(), schema["maxItems"].as_u64()));
                    }
                }
            }
        }
    }
    bounded.sort();
    assert_eq!(
        bounded,
        vec![
            ("/api/v1/applications/{id}/events".to_owned(), Some(6)),
            ("/api/v1/offers/{id}/matches".to_owned(), Some(100)),
            ("/api/v1/students/{id}/matches".to_owned(), Some(100)),
        ]
    );
}

#[test]
fn error_examples_match_their_status_and_optional_filters_are_not_prefilled() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let problem = &response["content"]["application/problem+json"];
                if problem.is_null() {
                    continue;
                }
                let example = &problem["example"];
                assert_eq!(example["status"].to_string(), *status, "{method} {path} {status}");
                let id = example["request_id"].as_str().unwrap_or_default();
                assert!(uuid::Uuid::parse_str(id).is_ok(), "{method} {path} {status}: {id}");
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" && parameter["required"] != true {
                    assert!(parameter.get("example").is_none(), "{method} {path}: {parameter}");
                }
            }
        }
    }
    let roster = &doc["paths"]["/api/v1/schools/{id}/roster"]["post"]["requestBody"]["content"];
    assert!(roster["application/json"].is_object() && roster["text/csv"].is_object(), "{roster}");
}

#[test]
fn the_placement_figures_are_documented_as_themselves() {
    let doc = document();
    let stats = &doc["components"]["schemas"]["SchoolPlacementStats"]["properties"]["overall"]["$ref"];
    let name = stats.as_str().expect("a reference").trim_start_matches("#/components/schemas/");
    assert!(doc["components"]["schemas"][name]["properties"]["students_placed"].is_object(), "{name}");
}

#[test]
fn every_operation_states_its_security_and_the_document_its_server() {
    let doc = document();
    assert!(doc["servers"].as_array().is_some_and(|servers| !servers.is_empty()), "no servers");
    let mut public = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let security = operation["security"].as_array();
            assert!(security.is_some(), "{method} {path}: security not stated");
            if security.is_some_and(Vec::is_empty) {
                public.push(format!("{method} {path}"));
            }
        }
    }
    assert!(public.contains(&"post /api/v1/auth/login".to_owned()), "{public:?}");
    assert!(!public.iter().any(|operation| operation.contains("/students")), "{public:?}");
    // What we send to receivers is authenticated by its signature headers: each webhook says
    // so with an empty requirement rather than inheriting nothing.
    let webhooks = doc["webhooks"].as_object().expect("webhooks section");
    assert!(!webhooks.is_empty());
    for (event, item) in webhooks {
        assert_eq!(item["post"]["security"], serde_json::json!([]), "{event}: security not stated");
    }
}

/// Fields whose values form a closed set are enums, so that generated clients
/// get union types rather than `string`.
#[test]
fn closed_sets_of_values_are_enums() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let is_enum = |schema: &Value| {
        let target = match schema["$ref"].as_str() {
            Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
            None => schema,
        };
        target["enum"].is_array()
    };
    for (schema, field) in [
        ("Violation", "code"),
        ("ProfileView", "viewer_role"),
        ("ConsentEvent", "consent"),
        ("School", "kind"),
        ("Skill", "domain"),
        ("ExportApplication", "status"),
        ("ExportEvent", "to_status"),
        ("ExportPlacement", "kind"),
        ("ExportPlacement", "status"),
    ] {
        assert!(is_enum(&schemas[schema]["properties"][field]), "{schema}.{field} is not an enum");
    }
    assert!(is_enum(&schemas["Explanation"]["properties"]["failed_filters"]["items"]));
    assert!(is_enum(&schemas["Problem"]["properties"]["allowed"]["items"]));
}

/// Every free text the input screen reads (query and path values, strings of
/// JSON request bodies) says in its schema that control characters are
/// refused: schemathesis sent them as valid values and got 400 or 422.
#[test]
fn every_screened_text_states_that_control_characters_are_refused() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let mut unbounded = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if matches!(parameter["in"].as_str(), Some("query" | "path")) {
                    let place = format!("{method} {path} parameter {}", parameter["name"]);
                    texts(&parameter["schema"], schemas, &place, &mut Vec::new(), &mut unbounded);
                }
            }
            if path.ends_with("/roster") {
                continue;
            }
            if let Some(body) = operation["requestBody"]["content"]["application/json"]["schema"].as_object() {
                let body = Value::Object(body.clone());
                texts(&body, schemas, &format!("{method} {path} body"), &mut Vec::new(), &mut unbounded);
            }
        }
    }
    assert!(unbounded.is_empty(), "texts without a pattern refusing control characters:\n{}", unbounded.join("\n"));
    // A text that must not be blank still says so.
    let offer = &schemas["OfferDraft"]["properties"]["title"]["pattern"];
    assert_eq!(offer, "^[^\\x00-\\x1f\\x7f]*[^\\s\\x00-\\x1f\\x7f][^\\x00-\\x1f\\x7f]*$");
}

/// Collects the free texts of `schema` whose pattern does not refuse control
/// characters, or whose own pattern allows none.
fn texts(schema: &Value, schemas: &Value, place: &str, seen: &mut Vec<String>, out: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
        if !seen.contains(&name) {
            seen.push(name.clone());
            texts(&schemas[name.as_str()], schemas, &format!("{place} ({name})"), seen, out);
        }
        return;
    }
    let is_string =
        schema["type"] == "string" || schema["type"].as_array().is_some_and(|t| t.contains(&"string".into()));
    if is_string && schema["format"].is_null() && schema["enum"].is_null() {
        let pattern = schema["pattern"].as_str().unwrap_or_default();
        let refuses = pattern.contains("\\x00-\\x1f")
            || pattern.contains("\\x00-\\x08")
            || pattern.starts_with("^[A-Za-z0-9")
            || pattern.starts_with("^[a-z0-9")
            || pattern.starts_with("^[A-Z0-9")
            || pattern.starts_with("^[!-~]")
            || pattern.starts_with("^[0-9a-fA-F]")
            || pattern.starts_with("^(20");
        if !refuses {
            out.push(format!("{place}: {pattern:?}"));
        }
    }
    for (name, member) in schema["properties"].as_object().into_iter().flatten() {
        texts(member, schemas, &format!("{place}.{name}"), seen, out);
    }
    texts_of_list(schema, schemas, place, seen, out);
}

fn texts_of_list(schema: &Value, schemas: &Value, place: &str, seen: &mut Vec<String>, out: &mut Vec<String>) {
    if schema["items"].is_object() {
        texts(&schema["items"], schemas, &format!("{place}[]"), seen, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for alternative in schema[key].as_array().into_iter().flatten() {
            texts(alternative, schemas, place, seen, out);
        }
    }
}

/// Every answer that carries an `ETag` (all answers built by
/// `precondition::tagged_json`) documents it, and so does the throttle's 429 on
/// student activation: generated clients read only documented headers.
#[test]
fn sent_headers_are_documented() {
    let doc = document();
    let header = |method: &str, path: &str, status: &str, name: &str| {
        doc["paths"][path][method]["responses"][status]["headers"][name].is_object()
    };
    for (method, path, status) in [
        ("post", "/api/v1/offers", "201"),
        ("get", "/api/v1/offers/{id}", "200"),
        ("patch", "/api/v1/offers/{id}", "200"),
        ("post", "/api/v1/offers/{id}/publish", "200"),
        ("post", "/api/v1/offers/{id}/close", "200"),
        ("get", "/api/v1/students/{id}", "200"),
        ("patch", "/api/v1/students/{id}", "200"),
        ("put", "/api/v1/students/{id}/skills", "200"),
        ("get", "/api/v1/me/profile", "200"),
        ("get", "/api/v1/placements/{id}", "200"),
        ("patch", "/api/v1/placements/{id}", "200"),
        ("post", "/api/v1/placements/{id}/signatures", "200"),
        ("post", "/api/v1/placements/{id}/terminate", "200"),
    ] {
        assert!(header(method, path, status, "ETag"), "{method} {path} {status}: ETag not documented");
    }
    assert!(header("post", "/api/v1/auth/activate-student", "429", "Retry-After"));
}

/// The French document names every tag and operation in French, and changes
/// nothing a generator reads.
#[test]
fn the_french_document_has_french_tags_and_summaries_and_the_same_contract() {
    use passerelle::i18n::Lang;
    let english = passerelle::startup::openapi();
    let french = serde_json::to_value(passerelle::openapi::in_language(&english, Lang::Fr)).expect("JSON");
    let english = serde_json::to_value(english).expect("JSON");
    let mut summaries = 0;
    for (path, item) in english["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let translated = &french["paths"][path][method];
            let id = operation["operationId"].as_str().expect("operationId");
            assert_ne!(translated["summary"], operation["summary"], "{id}: no French summary");
            let mut same = translated.clone();
            same["summary"] = operation["summary"].clone();
            assert_eq!(&same, operation, "{id}: more than the summary changed");
            summaries += 1;
        }
    }
    assert!(summaries > 80, "{summaries}");
    assert_eq!(french["paths"]["/api/v1/auth/login"]["post"]["summary"], "Se connecter par e-mail et mot de passe.");
    for (index, tag) in english["tags"].as_array().expect("tags").iter().enumerate() {
        let translated = &french["tags"][index];
        assert_eq!(translated["name"], tag["name"]);
        assert_ne!(translated["description"], tag["description"], "tag {}", tag["name"]);
    }
    // A long description keeps what follows its first paragraph.
    let matching = french["tags"].as_array().expect("tags").iter().find(|t| t["name"] == "matching").expect("matching");
    let text = matching["description"].as_str().expect("text");
    assert!(text.starts_with("Offres et candidats classés") && text.contains("score = Σ credit ÷ Σ w"), "{text}");
    for part in ["components", "webhooks", "servers", "security"] {
        assert_eq!(french[part], english[part], "{part}");
    }
}
