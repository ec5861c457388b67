//! Request extraction that answers bad input in the product's words: a JSON
//! body extractor that knows which field failed, and the translation of serde's
//! messages (`unknown variant ... at line 1 column 13`, `can not parse "abc" to
//! a i64`) into a violation naming the field and what it accepts.

use crate::domain::ViolationCode;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::domain::{Message, Violation};
use crate::error::ApiError;

/// A JSON body of type `T`. Syntax, size and content type are checked as by
/// `web::Json` (and answered by its error handler); a body that does not fit
/// `T` is a 422 naming the field, as `requirements[2].min_level`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            serde_path_to_error::deserialize(value).map(Json).map_err(|error| {
                let field = field_path(&error.path().to_string());
                ApiError::Validation(vec![body_violation(&field, &error.inner().to_string())]).into()
            })
        })
    }
}

/// An optional JSON body of type `T`: a request without a body (no
/// `Content-Type` and no content) gives `T::default()`; any body is read as
/// [`Json`] reads it, and `null` gives `T::default()` too.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers.get(actix_web::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
        let empty = !headers.contains_key(actix_web::http::header::CONTENT_TYPE)
            && !headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
            && length.is_none_or(|l| l.trim() == "0");
        if empty {
            return Box::pin(async { Ok(OptionalJson(T::default())) });
        }
        // `null` is the documented way of sending nothing, as is no body at all.
        let body = Json::<Option<T>>::from_request(req, payload);
        Box::pin(async move { body.await.map(|json| OptionalJson(json.into_inner().unwrap_or_default())) })
    }
}

/// Query parameters of type `T`; parameters that do not fit `T` are a 400
/// naming the parameter and what it accepts.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
        let result = serde_path_to_error::deserialize(parsed).map(Query).map_err(|error| {
            let field = field_path(&error.path().to_string());
            ApiError::InvalidParameters(vec![query_violation(&field, &error.inner().to_string())]).into()
        });
        std::future::ready(result)
    }
}

/// The path serde_path_to_error gives (`.` for the body itself).
fn field_path(path: &str) -> String {
    if path == "." || path.is_empty() {
        String::new()
    } else {
        path.to_owned()
    }
}

/// The names between backticks after `expected` in a serde message.
fn expected_names(message: &str) -> Vec<String> {
    let Some((_, expected)) = message.split_once("expected") else { return Vec::new() };
    expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The text between the first pair of backticks.
fn quoted(message: &str) -> Option<&str> {
    message.split('`').nth(1)
}

/// What serde expected, said in the product's words; a kind the service
/// does not know is serde's own text.
fn kind_in_words(expected: &str) -> Message {
    let expected = expected.trim();
    let id = match expected {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => "kind-whole-number",
        "f32" | "f64" => "kind-number",
        "a boolean" => "kind-true-or-false",
        "a sequence" => "kind-list",
        "a map" => "kind-object",
        "a string" | "a borrowed string" => "kind-string",
        other if other.starts_with("struct ") || other.starts_with("a map") => "kind-object",
        other => return Message::from(other.to_owned()),
    };
    Message::new(id)
}

/// `field` must be of the kind `kind`.
fn must_be(field: Message, kind: Message) -> Message {
    Message::new("must-be").arg("field", field).arg("kind", kind)
}

/// A field named in a message: the body itself reads as words.
fn named(field: &str, otherwise: &'static str) -> Message {
    if field.is_empty() {
        Message::new(otherwise)
    } else {
        Message::from(field.to_owned())
    }
}

/// A key the operation does not take: of the body, or of the query when
/// `parameter`; `known` are the names it takes.
fn unknown_key(unknown: String, known: &[String], parameter: bool) -> Message {
    match (parameter, known.is_empty()) {
        (false, true) => Message::new("unknown-field-none").arg("field", unknown),
        (true, true) => Message::new("unknown-parameter-none").arg("field", unknown),
        (false, false) => Message::new("unknown-field").arg("field", unknown).arg("known", known.join(", ")),
        (true, false) => Message::new("unknown-parameter").arg("field", unknown).arg("known", known.join(", ")),
    }
}

/// `field` under `parent`; serde_path_to_error already ends the path with an
/// unknown field's own name.
fn joined(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_owned()
    } else if parent == field || parent.ends_with(&format!(".{field}")) {
        parent.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

/// Drops serde_json's position suffix (` at line 1 column 13`).
fn without_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |at| &message[..at])
}

/// The violation for a body value that does not fit its type, at `field`
/// (empty for the body itself), from serde's `message`.
pub fn body_violation(field: &str, message: &str) -> Violation {
    let message = without_position(message);
    body_or_query_violation(field, message, false)
}

/// [`body_violation`], naming unknown keys as parameters when `parameter`.
fn body_or_query_violation(field: &str, message: &str, parameter: bool) -> Violation {
    // A field is named by its JSON path, the same in every language.
    let shown = if field.is_empty() { "body" } else { field };
    let words = named(field, "the-body");
    if message.starts_with("missing field") {
        let missing = joined(field, quoted(message).unwrap_or_default());
        return Violation::new(&missing, ViolationCode::Required, Message::new("is-required").arg("field", &missing));
    }
    if message.starts_with("unknown field") {
        let unknown = joined(field, quoted(message).unwrap_or_default());
        let hint = unknown_key(unknown.clone(), &expected_names(message), parameter);
        return Violation::new(&unknown, ViolationCode::UnknownField, hint);
    }
    if message.starts_with("unknown variant") {
        let accepted = expected_names(message);
        return Violation::new(
            shown,
            ViolationCode::NotOneOf,
            Message::new("must-be-one-of").arg("field", words).arg("values", accepted.join(", ")),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return Violation::new(shown, ViolationCode::WrongType, must_be(words, kind_in_words(expected)));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ").or_else(|| message.strip_prefix("invalid length ")) {
        let expected = rest.split_once(", expected ").map_or(rest, |(_, e)| e);
        return Violation::new(shown, ViolationCode::Invalid, must_be(words, kind_in_words(expected)));
    }
    if message.starts_with("input contains invalid characters")
        || message.starts_with("premature end of input")
        || message.starts_with("trailing input")
        || message.contains("out of range")
    {
        return Violation::new(
            shown,
            ViolationCode::Invalid,
            Message::new("not-a-valid-value").arg("field", words).arg("reason", message),
        );
    }
    // Messages the service's own deserializers write are already in its words.
    Violation::new(shown, ViolationCode::Invalid, format!("{shown}: {message}"))
}

/// The violation for a query parameter at `field` (empty when the message
/// names it) that does not fit its type, from serde_urlencoded's `message`.
pub fn query_violation(field: &str, message: &str) -> Violation {
    let message = message.split_once("Query deserialize error: ").map_or(message, |(_, rest)| rest);
    if message.starts_with("missing field") || message.starts_with("unknown field") {
        return body_or_query_violation(field, message, true);
    }
    let shown = if field.is_empty() { "query" } else { field };
    let whole = [
        "invalid digit found in string",
        "cannot parse integer from empty string",
        "number too large to fit in target type",
        "number too small to fit in target type",
    ];
    if whole.iter().any(|m| message.starts_with(m)) {
        return Violation::new(
            shown,
            ViolationCode::WrongType,
            must_be(named(field, "the-query"), Message::new("kind-whole-number")),
        );
    }
    if message.starts_with("invalid float literal") {
        return Violation::new(
            shown,
            ViolationCode::WrongType,
            must_be(named(field, "the-query"), Message::new("kind-number")),
        );
    }
    if message.starts_with("provided string was not `true` or `false`") {
        return Violation::new(
            shown,
            ViolationCode::WrongType,
            must_be(named(field, "the-query"), Message::new("kind-true-or-false")),
        );
    }
    if let Some(rest) = message.strip_prefix("can not parse \"") {
        let target = rest.split_once("\" to a ").map_or("", |(_, t)| t);
        return Violation::new(
            shown,
            ViolationCode::WrongType,
            must_be(named(field, "the-query"), kind_in_words(target)),
        );
    }
    body_violation(if field.is_empty() { "query" } else { field }, message)
}

/// The violation for a path segment that does not fit its type: the message
/// quotes the value, the route names the segment.
pub fn path_violation(message: &str, segments: &[(String, String)]) -> Violation {
    let message = message.split_once(": ").map_or(message, |(_, rest)| rest);
    let value = message.split('"').nth(1).unwrap_or_default();
    let field = segments.iter().find(|(_, v)| v == value).map_or("path", |(k, _)| k.as_str());
    query_violation(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_problems_name_the_field_and_what_it_accepts() {
        let cases = [
            (
                "to",
                "unknown variant `hired`, expected one of `submitted`, `in_review`, `offered` at line 1 column 13",
                ("to", "not_one_of", "to must be one of: submitted, in_review, offered"),
            ),
            (
                "kind",
                "unknown variant `job`, expected `internship` or `work_study`",
                ("kind", "not_one_of", "kind must be one of: internship, work_study"),
            ),
            ("", "missing field `email` at line 1 column 17", ("email", "required", "email is required")),
            (
                "requirements[0]",
                "missing field `skill`",
                ("requirements[0].skill", "required", "requirements[0].skill is required"),
            ),
            (
                "",
                "unknown field `role`, expected one of `email`, `password`",
                ("role", "unknown_field", "role is not a field here; the fields are: email, password"),
            ),
            (
                "role",
                "unknown field `role`, expected `email`",
                ("role", "unknown_field", "role is not a field here; the fields are: email"),
            ),
            (
                "",
                "unknown field `x`, there are no fields",
                ("x", "unknown_field", "x is not a field here; no field is accepted here"),
            ),
            (
                "positions",
                "invalid type: string \"two\", expected u32",
                ("positions", "wrong_type", "positions must be a whole number"),
            ),
            (
                "remote_ok",
                "invalid type: string \"yes\", expected a boolean",
                ("remote_ok", "wrong_type", "remote_ok must be true or false"),
            ),
            (
                "cities",
                "invalid type: string \"x\", expected a sequence",
                ("cities", "wrong_type", "cities must be a list"),
            ),
            (
                "",
                "invalid type: sequence, expected struct LoginRequest",
                ("body", "wrong_type", "the body must be an object"),
            ),
            ("level", "invalid value: integer `-1`, expected u8", ("level", "invalid", "level must be a whole number")),
            (
                "start_date",
                "input contains invalid characters",
                ("start_date", "invalid", "start_date is not a valid value: input contains invalid characters"),
            ),
            (
                "stipend_mad",
                "must be a whole number",
                ("stipend_mad", "invalid", "stipend_mad: must be a whole number"),
            ),
        ];
        for (field, message, (want_field, want_code, want_message)) in cases {
            let got = body_violation(field, message);
            assert_eq!(
                (got.field.as_str(), got.code.as_str(), got.message.to_string().as_str()),
                (want_field, want_code, want_message),
                "{message}"
            );
            assert!(!got.message.to_string().contains("line 1"), "{got:?}");
        }
    }

    #[test]
    fn query_problems_name_the_parameter() {
        let cases = [
            ("limit", "invalid digit found in string", ("limit", "wrong_type", "limit must be a whole number")),
            ("limit", "can not parse \"abc\" to a i64", ("limit", "wrong_type", "limit must be a whole number")),
            (
                "remote",
                "provided string was not `true` or `false`",
                ("remote", "wrong_type", "remote must be true or false"),
            ),
            (
                "kind",
                "unknown variant `job`, expected `internship` or `work_study`",
                ("kind", "not_one_of", "kind must be one of: internship, work_study"),
            ),
            (
                "",
                "unknown field `sort_by`, expected one of `limit`, `cursor`",
                (
                    "sort_by",
                    "unknown_field",
                    "sort_by is not a parameter of this operation; the parameters are: limit, cursor",
                ),
            ),
            ("", "missing field `year`", ("year", "required", "year is required")),
        ];
        for (field, message, (want_field, want_code, want_message)) in cases {
            let got = query_violation(field, message);
            assert_eq!(
                (got.field.as_str(), got.code.as_str(), got.message.to_string().as_str()),
                (want_field, want_code, want_message),
                "{message}"
            );
        }
        let segments = vec![("id".to_owned(), "abc".to_owned())];
        let got = path_violation("can not parse \"abc\" to a i64", &segments);
        assert_eq!((got.field.as_str(), got.message.to_string().as_str()), ("id", "id must be a whole number"));
    }
}
