//! The OpenAPI document: description, tags and the bearer security scheme.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The root of the published specification; paths are added from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Passerelle API",
        description = "Passerelle matches students of the schools taking part in the AXA skills convention \
(Rabat, 16 February 2026) to AXA internship (stage) and work-study (alternance) offers by skill tags, lets \
them apply, turns accepted applications into signed placements, and gives schools and the convention's \
follow-up committee their placement rates and skills-gap reports.\n\n\
Partner portals call the API with the user's own bearer token (`POST /api/v1/auth/login`). Every error is an \
RFC 9457 `application/problem+json` document; validation errors list each field in `errors`. Lists are \
paginated with `limit` (1 to 100, default 20) and the opaque `next_cursor`, which is valid only for the \
list, order and filters it came with (any other cursor answers 400), except three answered whole \
with a stated bound (`maxItems`): the two rankings (the top `limit`, at most 100, recomputed on every call) and \
an application's history (at most 6 events).\n\n\
Languages: every text written for people (problem `title`, `detail` and `errors[].message`, the header row \
of report CSV files and workbooks) is in French or English, negotiated from the request's `Accept-Language` \
header (q-values honoured, `fr-MA` counts as `fr`); a request naming neither gets the service's default \
language, French unless configured otherwise. Every answer states its language in `Content-Language` and \
carries `Vary: Accept-Language`. Codes (`type`, `errors[].code`, enum values) and JSON field names are the \
same in every language.",
        version = "1.0.0",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerSecurity),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "reference", description = "Skill taxonomy, participating schools, AXA organisations"),
        (name = "skills", description = "Skills named in free text, to pre-fill requirements or a profile; nothing is saved"),
        (name = "trainings", description = "Training catalogue of the schools and AXA organisations: programmes, certificates and modules and the skills they teach"),
        (name = "auth", description = "Accounts, activation, tokens"),
        (name = "admin", description = "Operator endpoints: schools, organisations, staff accounts, taxonomy"),
        (name = "students", description = "Student profiles, skills and consents"),
        (name = "offers", description = "Internship and work-study offers"),
        (name = "matching", description = "Ranked offers and candidates by skill tags, with explanations.\n\n\
A student's skill also counts for its broader skills in the taxonomy at the same level (PyTorch → deep \
learning → machine learning); where a skill is reached several ways the highest level counts. For a \
requirement of minimum level m and weight w, a student at level l earns credit w when l ≥ m, w·l/m when \
0 < l < m, and 0 without the skill. score = Σ credit ÷ Σ w, in [0, 1]. A student is eligible only when every \
required skill is held at l ≥ m and the hard filters pass: the offer is open and its deadline not passed, its \
kind is among the student's wanted kinds, the student is available at its start date (when both are known), \
the student's degree level reaches the offer's minimum, its city is acceptable to the student or it is remote \
and the student accepts remote; recruiters see only students who are discoverable or applied. Order: score \
descending, then preferred skills met descending, then id."),
        (name = "applications", description = "Applications of students to offers and their life cycle"),
        (name = "placements", description = "Placements and their tripartite agreements: terms, amendments, signatures"),
        (name = "personal data", description = "A student's rights under law 09-08: access (export), who read the profile, erasure"),
        (name = "reports", description = "Placement rates and the skills gap, in JSON or CSV; anonymised for the committee"),
        (name = "campaigns", description = "Allocation campaigns: a cohort placed at once, fairly and stably.\n\n\
An organiser (an admin for the network, school staff for their school's students) opens a campaign over open \
offers with a preference window, a maximum number of choices and a published random seed. During the window \
each student ranks up to that many campaign offers they are eligible for; a recruiter may rank or exclude the \
students who ranked their offer. A run places everyone by student-proposing deferred acceptance with \
capacities (Gale–Shapley; Roth–Peranson without couples): each unplaced student proposes to their next choice; \
the offer holds the best candidates up to its free positions and releases the worst when a better one \
proposes; this repeats until nobody is left to propose.\n\n\
How an offer orders its candidates: first those its recruiter ranked, in that order; then the others by match \
score, best first; equal scores by the draw `mix(mix(mix(seed) ^ student_id) ^ offer_id)`, lowest first, where \
`mix` is SplitMix64's finaliser (z += 0x9E3779B97F4A7C15; z = (z ^ z>>30)·0xBF58476D1CE4E5B9; \
z = (z ^ z>>27)·0x94D049BB133111EB; z ^ z>>31, on 64-bit words); then by student id. Excluded candidates are \
never admitted.\n\n\
Guarantees: the matching is stable (no student and offer would both rather have each other than what they \
got, and an offer with a free position takes anyone acceptable who wanted it); it is the best stable matching \
for every student at once (student-optimal), so a student can do no better than rank offers in their true \
order of preference (strategy-proof for students); no offer admits more than its free positions; nobody is \
placed on an offer they did not rank, are not eligible for, or were excluded from; the same inputs and seed \
give the same result, whatever the order of the inputs. Each student learns, for every better-ranked choice \
they did not get, why: not eligible, excluded by the recruiter, no free position, or filled by candidates \
ranked higher (with the lowest admitted score or rank, and theirs). Publishing turns each assignment into an \
application in state `offered`, answered through the applications pipeline."),
        (name = "webhooks", description = "Webhook subscriptions: signed events, delivered at least once"),
    ),
    components(schemas(crate::error::Problem, crate::domain::Violation, crate::domain::webhook::EventLinks))
)]
pub struct ApiDoc;

/// Declares the JWT bearer scheme that protected operations refer to.
struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/login, valid 15 minutes by default."))
                    .build(),
            ),
        );
    }
}

/// Adds the answers that the shared machinery gives on any operation, so that
/// each handler documents only its own: the JSON, path and query extractors'
/// 400, 413 and 415, the input screen's 414, the bearer check's 401, the 409
/// of a write that lost a race (a unique key taken meanwhile), and 503 when the database is
/// unreachable or the request exceeds the time limit. Operations added later
/// get them too.
pub fn add_shared_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (operation, writes) in
            operations.into_iter().filter_map(|(operation, writes)| Some((operation.as_mut()?, writes)))
        {
            let has_body = operation.request_body.is_some();
            let has_parameters = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query));
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let mut shared = Vec::new();
            if has_body || has_parameters {
                shared.push((
                    "400",
                    "Malformed request: a path or query parameter of the wrong type, holding a control character or a date outside 1900-01-01..2200-12-31, or a body that is not JSON",
                ));
            }
            shared.push(("414", "Path and query longer than 8 KiB. From 64 KiB the HTTP layer refuses the request line itself, before the service reads it, with a bare 400 (and a head over 128 KiB with a bare 431), neither with a problem body"));
            if secured {
                shared.push(("401", "Missing, invalid, expired or revoked access token, or a disabled account"));
            }
            if writes {
                shared.push(("409", "A concurrent request wrote the same data first; the problem says what exists"));
            }
            if has_body {
                shared.push(("413", "Body larger than the limit"));
                shared.push(("415", "Body sent with a content type the operation does not take"));
                shared.push(("422", "A field of the body is missing, unknown, of the wrong type, holds a control character (line breaks and tabs are allowed in description, cover_letter, bio, note and reason) or a date outside 1900-01-01..2200-12-31"));
            }
            shared.push(("503", "The database is unreachable or the request took too long; retry later"));
            let responses = &mut operation.responses.responses;
            for (status, description) in shared {
                if !responses.contains_key(status) {
                    responses.insert(status.into(), problem(description).into());
                }
            }
        }
    }
}

/// States `security: []` on the operations open to anyone, so that readers and
/// linters know they are public on purpose rather than forgotten.
pub fn declare_public_operations(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            operation.security.get_or_insert_with(Vec::new);
        }
    }
}

/// Lists the values of `Problem.allowed`: the statuses an application or an
/// offer may move to. One Rust type cannot hold both sets, so the document
/// states their union.
pub fn enumerate_allowed_moves(doc: &mut utoipa::openapi::OpenApi) {
    use crate::domain::application::ApplicationStatus;
    use crate::domain::OfferStatus;
    use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::RefOr;
    let mut moves: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
    moves.extend(OfferStatus::ALL.iter().map(|s| s.as_str()).filter(|s| !moves.contains(s)).collect::<Vec<_>>());
    let Some(RefOr::T(Schema::Object(problem))) = doc.components.as_mut().and_then(|c| c.schemas.get_mut("Problem"))
    else {
        return;
    };
    if let Some(RefOr::T(Schema::Array(allowed))) = problem.properties.get_mut("allowed") {
        let status = ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).enum_values(Some(moves)).build();
        allowed.items = ArrayItems::RefOrSchema(Box::new(RefOr::T(Schema::Object(status))));
    }
}

/// Makes each `Page_X` schema refer to `X` for its items. utoipa inlines the
/// type parameter of a generic schema, which gives generated clients a second,
/// anonymous copy of every item type (a `PageOfferItemsItem` beside `Offer`).
pub fn reference_page_items(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    use utoipa::openapi::{Ref, RefOr};
    let Some(components) = doc.components.as_mut() else { return };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name.strip_prefix("Page_").filter(|item| names.iter().any(|n| n == item)) else {
            continue;
        };
        let RefOr::T(Schema::Object(page)) = schema else { continue };
        if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
            items.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(item).into()));
        }
    }
}

/// The lists answered whole rather than by page, with their hard bound.
/// Rankings are a top `limit` (at most 100) recomputed from the live index on
/// every call, so a second page would come from another ranking; an
/// application's history is bounded by its state machine.
pub const BOUNDED_LISTS: &[(&str, usize)] = &[
    ("/api/v1/students/{id}/matches", crate::pagination::MAX_LIMIT as usize),
    ("/api/v1/offers/{id}/matches", crate::pagination::MAX_LIMIT as usize),
    ("/api/v1/applications/{id}/events", crate::domain::application::MAX_EVENTS),
];

/// States the bound of each list answered whole (`maxItems`).
pub fn bound_lists(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    for (path, bound) in BOUNDED_LISTS {
        let Some(get) = doc.paths.paths.get_mut(*path).and_then(|item| item.get.as_mut()) else { continue };
        let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else { continue };
        for content in ok.content.values_mut() {
            if let Some(RefOr::T(Schema::Array(list))) = content.schema.as_mut() {
                list.max_items = Some(*bound);
            }
        }
    }
}

/// Gives every problem response an example of its own status (the `Problem`
/// schema's single example is a 422), with a request id shaped as real ones.
pub fn exemplify_problems(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                let Some(content) = response.content.get_mut(crate::error::PROBLEM_JSON) else { continue };
                let Ok(code) = status.parse::<u16>() else { continue };
                content.example = Some(problem_example(code, path, &response.description));
            }
        }
    }
}

fn problem_example(status: u16, path: &str, description: &str) -> serde_json::Value {
    let slug = match status {
        400 if description.contains("parameter") || description.contains("limit") => "invalid-parameters",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        412 => "precondition-failed",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "validation",
        428 => "precondition-required",
        429 => "too-many-requests",
        503 => "unavailable",
        500.. => "internal",
        _ => "bad-request",
    };
    let title = crate::error::PROBLEM_TYPES.iter().find(|(s, _, _)| *s == slug).map_or("Error", |(_, title, _)| *title);
    let mut example = serde_json::json!({
        "type": format!("/problems/{slug}"),
        "title": title,
        "status": status,
        "detail": description,
        "instance": path,
        "request_id": "0b6f3c3e-5a1d-4c8e-9f3a-2d7b1e4c6a90",
    });
    if status == 422 {
        example["errors"] = serde_json::json!([{"field": "title", "code": "required", "message": "must not be empty"}]);
    }
    if status == 400 && slug == "invalid-parameters" {
        example["errors"] = serde_json::json!([{"field": "limit", "code": "out_of_range", "message": "limit must be between 1 and 100"}]);
    }
    example
}

/// Removes `example` from optional query parameters: Swagger UI pre-fills
/// "Try it out" with it, so a filter the user never chose (`kind=internship`)
/// would narrow the answer. The values stay documented by the schema.
pub fn unfill_optional_parameters(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::Required;
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if matches!(parameter.parameter_in, ParameterIn::Query) && parameter.required != Required::True {
                    let builder = utoipa::openapi::path::ParameterBuilder::from(parameter.clone());
                    #[allow(deprecated)]
                    let cleared = builder.example(None::<serde_json::Value>).build();
                    *parameter = cleared;
                }
            }
        }
    }
}

/// The OpenAPI 3.1 `webhooks` section: for each event type, the POST a
/// receiver gets, with the Standard Webhooks headers and the payload's schema
/// (the ids that type carries, required). utoipa has no model for the section,
/// so it is written as the JSON it is.
pub fn document_webhooks(doc: &mut utoipa::openapi::OpenApi) {
    use crate::domain::webhook::{carried_ids, EventType};
    use serde_json::json;
    let header = |name: &str, description: &str, example: &str| {
        json!({"name": name, "in": "header", "required": true, "description": description,
               "schema": {"type": "string"}, "example": example})
    };
    let headers = [
        header("webhook-id", "The event's id, the same on every attempt: deduplicate on it.", "msg_0193a8f2c4b07d2e9c1f5a6b3d4e8f01"),
        header("webhook-timestamp", "When this attempt was signed, in seconds since 1970 (UTC). Refuse one far from your clock (5 minutes) against replays.", "1764672000"),
        header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the base64-decoded part of the secret after `whsec_`; two, space-separated, while a rotated secret still signs. Compare in constant time.", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
    ];
    let mut webhooks = serde_json::Map::new();
    for event in EventType::ALL {
        let ids = carried_ids(*event);
        let mut data_properties = serde_json::Map::new();
        for id in ids {
            data_properties.insert((*id).to_owned(), json!({"type": "integer", "format": "int64", "minimum": 1}));
        }
        data_properties.insert("links".into(), json!({"$ref": "#/components/schemas/EventLinks"}));
        let mut data_required: Vec<&str> = ids.to_vec();
        data_required.push("links");
        let payload = json!({
            "type": "object",
            "required": ["id", "type", "timestamp", "data"],
            "properties": {
                "id": {"type": "string", "description": "The `webhook-id`.", "example": "msg_0193a8f2c4b07d2e9c1f5a6b3d4e8f01"},
                "type": {"type": "string", "enum": [event.as_str()]},
                "timestamp": {"type": "string", "format": "date-time", "description": "When the change was committed."},
                "data": {"type": "object", "required": data_required, "properties": data_properties},
            },
        });
        let operation = json!({
            "post": {
                "tags": ["webhooks"],
                "summary": event.description(),
                "operationId": format!("webhook_{}", event.as_str().replace('.', "_")),
                "parameters": headers,
                // The receiver authenticates us by the signature headers, not by a scheme of
                // this document: an empty requirement says so to linters and generators.
                "security": [],
                "requestBody": {"required": true, "content": {"application/json": {"schema": payload}}},
                "responses": {
                    "2XX": {"description": "Received. Any other answer, a redirect, or none within 10 seconds is retried."}
                },
            }
        });
        webhooks.insert(event.as_str().to_owned(), operation);
    }
    doc.extensions.get_or_insert_with(Default::default).insert("webhooks".into(), serde_json::Value::Object(webhooks));
}

/// The document for readers of `lang`: each tag's first paragraph and each
/// operation's summary from the message files (`doc-tag-NAME`,
/// `doc-summary-OPERATION_ID`, underscores and spaces as hyphens). Longer
/// descriptions, schemas and codes stay as they are: what a client generator
/// reads does not change with the language.
pub fn in_language(doc: &utoipa::openapi::OpenApi, lang: crate::i18n::Lang) -> utoipa::openapi::OpenApi {
    let message = |id: String| crate::i18n::message(lang, &id);
    let mut doc = doc.clone();
    for tag in doc.tags.iter_mut().flatten() {
        if let Some(first) = message(format!("doc-tag-{}", tag.name.replace(' ', "-"))) {
            let rest = tag.description.as_deref().and_then(|d| d.split_once("\n\n")).map(|(_, rest)| rest.to_owned());
            tag.description = Some(rest.map_or(first.clone(), |rest| format!("{first}\n\n{rest}")));
        }
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            let id = operation.operation_id.as_deref().map(|id| format!("doc-summary-{}", id.replace('_', "-")));
            if let Some(summary) = id.and_then(message) {
                operation.summary = Some(summary);
            }
        }
    }
    doc
}
