//! One screen in front of every handler for what no field may hold, so that no
//! handler has to remember it: control characters in JSON bodies, query
//! parameters and path segments; dates outside 1900-01-01..=2200-12-31; URLs
//! longer than any the API produces.
//!
//! Which values are dates is read from the OpenAPI document (`format: date`),
//! which a test keeps equal to the code: a date field added later is bounded
//! as soon as it is documented.

use crate::domain::ViolationCode;
use std::collections::HashMap;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpMessage, ResponseError};
use futures_util::StreamExt;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, KnownFormat, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

use crate::domain::input::{self, DateShape};
use crate::domain::Violation;
use crate::error::ApiError;

/// Longest path and query, in bytes. The longest URL the API leads to (a
/// filtered list with a cursor) is well under 1 KiB; common proxies stop at 8 KiB.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// Routes whose body is parsed by the handler itself and whose errors name
/// lines and columns rather than JSON paths (the roster import).
const RAW_BODY_ROUTES: &[&str] = &["/api/v1/schools/{id}/roster"];

/// What the screen knows of one operation.
struct Rules {
    method: Method,
    route: ResourceDef,
    /// The segments of the path pattern when each is fixed text or a whole
    /// `{parameter}`, matched without the route's regular expression.
    segments: Option<Vec<Segment>>,
    /// Whether the path has parameters (only those can carry text).
    path_parameters: bool,
    /// Whether the operation reads query parameters.
    query_parameters: bool,
    /// Query parameters that are dates.
    date_parameters: Vec<String>,
    /// Where the dates of the JSON body are; `None` when the body is not screened.
    body: Option<Option<DateShape>>,
    /// Whether the documented body is an object: serde's derived structs also
    /// read a JSON array positionally, which the document does not allow.
    object_body: bool,
    /// Whether the operation needs a bearer token: without one the handler
    /// answers 401, which comes before anything the body could be refused for.
    secured: bool,
}

/// The rules of every documented operation.
pub struct InputRules {
    operations: Vec<Rules>,
    /// The operations by the leading segments of their path (see [`leading`]),
    /// in the order of `operations`, so that a request is matched against the
    /// few routes that can match it rather than all of them.
    by_leading: HashMap<String, Vec<usize>>,
    /// The operations with a parameter among their leading segments, which any
    /// path may match.
    anywhere: Vec<usize>,
    body_limit: usize,
}

/// How many segments of a path key [`InputRules::by_leading`].
const LEADING_SEGMENTS: usize = 3;

/// The first [`LEADING_SEGMENTS`] segments of a path (all of it when shorter).
fn leading(path: &str) -> &str {
    let end = path.match_indices('/').nth(LEADING_SEGMENTS).map_or(path.len(), |(at, _)| at);
    &path[..end]
}

impl InputRules {
    /// Reads the rules from the OpenAPI document; `body_limit` is the JSON
    /// body limit, beyond which a body is refused before it is read whole.
    pub fn from_openapi(doc: &OpenApi, body_limit: usize) -> Self {
        let schemas: HashMap<&str, &RefOr<Schema>> = doc
            .components
            .iter()
            .flat_map(|c| c.schemas.iter())
            .map(|(name, schema)| (name.as_str(), schema))
            .collect();
        let mut operations = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods = [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ];
            for (method, operation) in methods {
                let Some(operation) = operation else { continue };
                operations.push(rules_of(method, path, operation, &schemas));
            }
        }
        // Fixed paths first, so that `/students/me` is not read as `/students/{id}`.
        operations.sort_by_key(|rules| rules.route.pattern().map_or(0, |p| p.matches('{').count()));
        let (mut by_leading, mut anywhere) = (HashMap::<String, Vec<usize>>::new(), Vec::new());
        for (index, rules) in operations.iter().enumerate() {
            let key = leading(rules.route.pattern().unwrap_or_default());
            match key.contains('{') {
                true => anywhere.push(index),
                false => by_leading.entry(key.to_owned()).or_default().push(index),
            }
        }
        Self { operations, by_leading, anywhere, body_limit }
    }

    /// The first operation, fixed paths first, whose method and path pattern
    /// match the request.
    fn find(&self, method: &Method, path: &str) -> Option<&Rules> {
        let parts: Vec<&str> = path.split('/').collect();
        let matches = |index: &usize| {
            let rules = &self.operations[*index];
            rules.method == *method && rules.matches(path, &parts)
        };
        let bucket = self.by_leading.get(leading(path)).map_or(&[][..], Vec::as_slice);
        match self.anywhere.is_empty() {
            true => bucket.iter().find(|index| matches(index)),
            false => bucket.iter().chain(&self.anywhere).filter(|index| matches(index)).min(),
        }
        .map(|index| &self.operations[*index])
    }
}

/// One segment of a path pattern.
#[derive(Debug, PartialEq)]
enum Segment {
    Fixed(String),
    /// A parameter: any non-empty text without `/`.
    Parameter,
}

/// The segments of `pattern`, or `None` when one mixes text and a parameter
/// or bounds its parameter with a regular expression.
fn segments_of(pattern: &str) -> Option<Vec<Segment>> {
    pattern
        .split('/')
        .map(|segment| {
            match (segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')), segment.contains(['{', '}'])) {
                (Some(name), _) if !name.contains([':', '{', '}']) => Some(Segment::Parameter),
                (_, false) => Some(Segment::Fixed(segment.to_owned())),
                _ => None,
            }
        })
        .collect()
}

impl Rules {
    /// Whether `path`, split at each `/` into `parts`, matches the operation's
    /// path pattern, as its route does.
    fn matches(&self, path: &str, parts: &[&str]) -> bool {
        let Some(segments) = &self.segments else { return self.route.is_match(path) };
        segments.len() == parts.len()
            && segments.iter().zip(parts).all(|(segment, part)| match segment {
                Segment::Fixed(text) => text == part,
                Segment::Parameter => !part.is_empty(),
            })
    }
}

fn rules_of(method: Method, path: &str, operation: &Operation, schemas: &HashMap<&str, &RefOr<Schema>>) -> Rules {
    let parameters = operation.parameters.iter().flatten();
    let date_parameters = parameters
        .clone()
        .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
        .filter(|p| p.schema.as_ref().and_then(|s| date_shape(s, schemas, 0)) == Some(DateShape::Date))
        .map(|p| p.name.clone())
        .collect();
    let json_body = (!RAW_BODY_ROUTES.contains(&path))
        .then_some(operation.request_body.as_ref())
        .flatten()
        .and_then(|body| body.content.iter().find(|(media, _)| media.contains("json")))
        .map(|(_, content)| content.schema.as_ref());
    let body = json_body.map(|schema| schema.and_then(|s| date_shape(s, schemas, 0)));
    let object_body = json_body.flatten().is_some_and(|schema| is_object(schema, schemas, 0));
    Rules {
        method,
        route: ResourceDef::new(path),
        segments: segments_of(path),
        path_parameters: path.contains('{'),
        query_parameters: parameters.clone().any(|p| matches!(p.parameter_in, ParameterIn::Query)),
        date_parameters,
        body,
        object_body,
        secured: operation.security.iter().flatten().any(|requirement| *requirement != Default::default()),
    }
}

/// Whether a schema is an object with members, following references.
fn is_object(schema: &RefOr<Schema>, schemas: &HashMap<&str, &RefOr<Schema>>, depth: usize) -> bool {
    match schema {
        RefOr::Ref(reference) if depth <= MAX_DEPTH => reference
            .ref_location
            .rsplit('/')
            .next()
            .and_then(|name| schemas.get(name))
            .is_some_and(|schema| is_object(schema, schemas, depth + 1)),
        RefOr::T(Schema::Object(object)) => !object.properties.is_empty(),
        _ => false,
    }
}

/// How deep references are followed: the document's schemas are shallow, and
/// a cycle must not loop.
const MAX_DEPTH: usize = 16;

/// Where the dates are in a schema, or `None` when it holds none.
fn date_shape(schema: &RefOr<Schema>, schemas: &HashMap<&str, &RefOr<Schema>>, depth: usize) -> Option<DateShape> {
    if depth > MAX_DEPTH {
        return None;
    }
    let schema = match schema {
        RefOr::Ref(reference) => {
            let name = reference.ref_location.rsplit('/').next()?;
            return date_shape(schemas.get(name)?, schemas, depth + 1);
        }
        RefOr::T(schema) => schema,
    };
    let alternatives = |items: &[RefOr<Schema>]| {
        // A nullable or composed value: the first alternative that holds dates says where.
        items.iter().find_map(|item| date_shape(item, schemas, depth + 1))
    };
    match schema {
        Schema::Object(object) => {
            if matches!(object.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date))) {
                return Some(DateShape::Date);
            }
            let members: Vec<(String, DateShape)> = object
                .properties
                .iter()
                .filter_map(|(name, member)| date_shape(member, schemas, depth + 1).map(|shape| (name.clone(), shape)))
                .collect();
            (!members.is_empty()).then_some(DateShape::Object(members))
        }
        Schema::Array(array) => match &array.items {
            ArrayItems::RefOrSchema(item) => {
                date_shape(item, schemas, depth + 1).map(|shape| DateShape::List(Box::new(shape)))
            }
            _ => None,
        },
        Schema::OneOf(one_of) => alternatives(&one_of.items),
        Schema::AllOf(all_of) => alternatives(&all_of.items),
        Schema::AnyOf(any_of) => alternatives(&any_of.items),
        _ => None,
    }
}

/// Middleware: refuses a request whose URL is too long, whose path or query
/// holds a control character or an out-of-range date (400 naming the
/// parameter), or whose JSON body does (422 naming each field by its JSON
/// path). Anything else, including malformed JSON, goes on to the handler's
/// extractors, which say what is wrong with it.
pub async fn screen(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let url_length = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if url_length > MAX_URL_BYTES {
        let error = ApiError::UriTooLong(
            crate::domain::Message::new("url-too-long").arg("length", url_length).arg("max", MAX_URL_BYTES),
        );
        return Ok(req.into_response(error.error_response()));
    }
    let Some(rules) = req.app_data::<web::Data<InputRules>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let Some(operation) = rules.find(req.method(), req.path()) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    if let Err(error) = check_url(operation, req.uri().path(), req.query_string()) {
        return Ok(req.into_response(error.error_response()));
    }
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    if operation.body.is_some() && is_json(&req) && !(operation.secured && anonymous) {
        let body = match read_body(&mut req, rules.body_limit).await {
            Ok(body) => body,
            Err(error) => return Ok(req.into_response(error.error_response())),
        };
        let checked = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(value) if operation.object_body && !value.is_object() => Err(ApiError::invalid(
                "body",
                ViolationCode::NotAnObject,
                crate::domain::Message::new("the-body-must-be-a-json-object"),
            )),
            Ok(value) => {
                let mut violations = input::check_json_characters(&value);
                if let Some(Some(shape)) = &operation.body {
                    violations.extend(input::check_json_dates(&value, shape));
                }
                ApiError::check(violations)
            }
            Err(_) => Ok(()),
        };
        if let Err(error) = checked {
            return Ok(req.into_response(error.error_response()));
        }
        req.set_payload(Payload::from(body));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(
        |media| {
            let media = media.trim().to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        },
    )
}

/// Reads the whole body, refusing it as soon as it passes the limit.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::PayloadTooLarge(crate::domain::Message::new("body-too-large").arg("limit", limit));
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}").into()))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The path's and the query's own checks: 400 naming the parameter.
fn check_url(operation: &Rules, path: &str, query: &str) -> Result<(), ApiError> {
    let mut violations = Vec::new();
    if operation.path_parameters && may_hide_control_characters(path) {
        let decoded = percent_decode(path);
        violations.extend(input::check_characters("path", &decoded, false));
    }
    let dates = !operation.date_parameters.is_empty();
    if operation.query_parameters && !query.is_empty() && (dates || may_hide_control_characters(query)) {
        // Pairs that do not decode are left to the query extractor.
        let pairs =
            web::Query::<Vec<(String, String)>>::from_query(query).map(web::Query::into_inner).unwrap_or_default();
        for (name, value) in &pairs {
            if let Some(violation) = input::check_characters(name, name, false) {
                violations.push(Violation { field: "query".into(), ..violation });
                continue;
            }
            violations.extend(input::check_characters(name, value, false));
            if operation.date_parameters.contains(name) {
                if let Some(date) = input::parse_date(value) {
                    violations.extend(input::check_date(name, date));
                }
            }
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidParameters(violations))
    }
}

/// Whether decoding `text` could yield a control character: only an escape
/// or a raw control byte can, so text without either is left undecoded.
fn may_hide_control_characters(text: &str) -> bool {
    text.bytes().any(|byte| byte == b'%' || byte <= 0x1f || byte == 0x7f)
}

/// Decodes `%XX` escapes, as routing does before matching segments.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = bytes.get(index + 1..index + 3).filter(|_| bytes[index] == b'%');
        match escape.and_then(|hex| std::str::from_utf8(hex).ok()).and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Documents the date range on every date of the document, where a schema
/// cannot say it (JSON Schema bounds only numbers), and the characters the
/// screen refuses as patterns of the texts it screens.
pub fn document(doc: &mut OpenApi) {
    let note = format!("A date {}.", input::date_range_text());
    let annotate = |schema: &mut RefOr<Schema>| annotate_dates(schema, &note);
    if let Some(components) = doc.components.as_mut() {
        components.schemas.values_mut().for_each(annotate);
    }
    let mut references = Vec::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            let screened =
                (!RAW_BODY_ROUTES.contains(&path.as_str())).then_some(operation.request_body.as_mut()).flatten();
            for (media, content) in screened.into_iter().flat_map(|body| body.content.iter_mut()) {
                if let (true, Some(schema)) = (media.contains("json"), content.schema.as_mut()) {
                    bound_characters(schema, false, &mut references);
                }
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                let is_date = matches!(
                    &parameter.schema,
                    Some(RefOr::T(Schema::Object(o))) if matches!(o.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                );
                if is_date {
                    parameter.description = Some(join(parameter.description.take(), &note));
                }
                if matches!(parameter.parameter_in, ParameterIn::Query | ParameterIn::Path) {
                    if let Some(schema) = parameter.schema.as_mut() {
                        bound_characters(schema, false, &mut references);
                    }
                }
            }
        }
    }
    bound_body_characters(doc, references);
}

/// The pattern of one line of text as the screen reads it: no control
/// character ([`input::is_refused_character`]).
pub const ONE_LINE_PATTERN: &str = "^[^\\x00-\\x1f\\x7f]*$";
/// The pattern of multi-line text: line feed, carriage return and tab allowed.
pub const MULTI_LINE_PATTERN: &str = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$";
/// The pattern a text with something else than spaces (`\\S`) gets, which
/// must keep saying so.
const NOT_BLANK: &str = "\\S";

/// The pattern of a text that must hold something else than spaces.
fn not_blank_pattern(multi_line: bool) -> String {
    let allowed = if multi_line { "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f" } else { "\\x00-\\x1f\\x7f" };
    format!("^[^{allowed}]*[^\\s{allowed}][^{allowed}]*$")
}

/// Gives every free text of the URL and of request bodies the pattern the
/// screen applies, so that the document says a control character is refused;
/// texts with a pattern, a format or a closed set of their own already
/// exclude them. `references` collects the schemas reached, to bound in turn.
fn bound_characters(schema: &mut RefOr<Schema>, multi_line: bool, references: &mut Vec<String>) {
    let schema = match schema {
        RefOr::Ref(reference) => {
            references.extend(reference.ref_location.rsplit('/').next().map(str::to_owned));
            return;
        }
        RefOr::T(schema) => schema,
    };
    match schema {
        Schema::Object(object) => {
            let is_text = matches!(&object.schema_type, SchemaType::Type(Type::String))
                || matches!(&object.schema_type, SchemaType::Array(types) if types.contains(&Type::String));
            if is_text && object.format.is_none() && object.enum_values.is_none() {
                match object.pattern.as_deref() {
                    None => {
                        let pattern = if multi_line { MULTI_LINE_PATTERN } else { ONE_LINE_PATTERN };
                        object.pattern = Some(pattern.to_owned());
                    }
                    Some(NOT_BLANK) => object.pattern = Some(not_blank_pattern(multi_line)),
                    Some(_) => {}
                }
            }
            for (name, member) in object.properties.iter_mut() {
                bound_characters(member, input::is_multi_line(name), references);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(item) = &mut array.items {
                bound_characters(item, multi_line, references);
            }
        }
        Schema::OneOf(one_of) => {
            one_of.items.iter_mut().for_each(|item| bound_characters(item, multi_line, references))
        }
        Schema::AllOf(all_of) => {
            all_of.items.iter_mut().for_each(|item| bound_characters(item, multi_line, references))
        }
        Schema::AnyOf(any_of) => {
            any_of.items.iter_mut().for_each(|item| bound_characters(item, multi_line, references))
        }
        _ => {}
    }
}

/// Bounds the characters of the request bodies' schemas and of every schema
/// they refer to, once each. Schemas only answered are left alone: the
/// service writes texts of its own there.
fn bound_body_characters(doc: &mut OpenApi, mut pending: Vec<String>) {
    let Some(components) = doc.components.as_mut() else { return };
    let mut done = std::collections::HashSet::new();
    while let Some(name) = pending.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = components.schemas.get_mut(&name) {
            bound_characters(schema, false, &mut pending);
        }
    }
}

fn annotate_dates(schema: &mut RefOr<Schema>, note: &str) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(object) => {
            if matches!(object.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date))) {
                object.description = Some(join(object.description.take(), note));
            }
            object.properties.values_mut().for_each(|member| annotate_dates(member, note));
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(item) = &mut array.items {
                annotate_dates(item, note);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(|item| annotate_dates(item, note)),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(|item| annotate_dates(item, note)),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(|item| annotate_dates(item, note)),
        _ => {}
    }
}

fn join(description: Option<String>, note: &str) -> String {
    match description {
        Some(text) if text.contains(note) => text,
        Some(text) if !text.is_empty() => format!("{text} {note}"),
        _ => note.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded_as_routing_does() {
        assert_eq!(percent_decode("/api/v1/skills/py%00thon"), "/api/v1/skills/py\u{0}thon");
        assert_eq!(percent_decode("/a%2Fb%zz%4"), "/a/b%zz%4");
        assert_eq!(percent_decode("/caf%C3%A9"), "/café");
    }

    #[test]
    fn every_date_of_the_document_is_found() {
        let doc = crate::startup::openapi();
        let rules = InputRules::from_openapi(&doc, 1 << 20);
        let shape = |method: Method, path: &str| rules.find(&method, path).and_then(|r| r.body.clone()).flatten();
        let members = |shape: Option<DateShape>| match shape {
            Some(DateShape::Object(members)) => members.into_iter().map(|(name, _)| name).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(members(shape(Method::POST, "/api/v1/offers")), ["start_date", "deadline"]);
        assert_eq!(members(shape(Method::PATCH, "/api/v1/offers/3")), ["start_date", "deadline"]);
        assert_eq!(members(shape(Method::PATCH, "/api/v1/students/3")), ["available_from", "available_until"]);
        assert_eq!(members(shape(Method::PATCH, "/api/v1/placements/3")), ["start_date", "end_date"]);
        let skills_gap = rules.find(&Method::GET, "/api/v1/reports/skills-gap").map(|r| r.date_parameters.clone());
        assert_eq!(skills_gap, Some(vec!["from".to_owned(), "to".to_owned()]));
        assert!(rules.find(&Method::POST, "/api/v1/schools/1/roster").is_some_and(|r| r.body.is_none()));
    }

    #[test]
    fn operations_are_found_as_a_scan_of_every_route_finds_them() {
        let doc = crate::startup::openapi();
        let rules = InputRules::from_openapi(&doc, 1 << 20);
        let scan = |method: &Method, path: &str| {
            rules.operations.iter().position(|r| r.method == *method && r.route.is_match(path))
        };
        let found = |method: &Method, path: &str| {
            rules.find(method, path).map(|found| rules.operations.iter().position(|r| std::ptr::eq(r, found)))
        };
        let methods = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
        let mut checked = 0;
        for pattern in doc.paths.paths.keys() {
            for value in ["7", "me", "a%2Fb", "", "x/y"] {
                let path: Vec<&str> =
                    pattern.split('/').map(|segment| if segment.starts_with('{') { value } else { segment }).collect();
                let path = path.join("/");
                for path in [path.clone(), format!("{path}/"), format!("{path}/more"), path.replacen("/api", "", 1)] {
                    for method in &methods {
                        assert_eq!(found(method, &path), scan(method, &path).map(Some), "{method} {path}");
                        checked += usize::from(scan(method, &path).is_some());
                    }
                }
            }
        }
        assert!(checked > doc.paths.paths.len(), "{checked}");
    }

    #[test]
    fn segments_are_fixed_text_or_whole_parameters() {
        use Segment::{Fixed, Parameter};
        let fixed = |text: &str| Fixed(text.to_owned());
        assert_eq!(segments_of("/a/{id}/b"), Some(vec![fixed(""), fixed("a"), Parameter, fixed("b")]));
        assert_eq!(segments_of("/docs/{_:.*}"), None);
        assert_eq!(segments_of("/files/{name}.pdf"), None);
        assert_eq!(segments_of("/placements/{id}/agreement.pdf").map(|s| s.len()), Some(4));
    }

    #[test]
    fn only_escapes_and_control_bytes_can_hide_a_control_character() {
        assert!(!may_hide_control_characters("limit=10&kind=stage"));
        assert!(may_hide_control_characters("q=a%00"));
        assert!(may_hide_control_characters("q=a\u{7f}"));
        assert!(may_hide_control_characters("/skills/a\tb"));
    }
}
