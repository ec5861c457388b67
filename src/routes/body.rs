//! JSON answers written into a buffer sized at once. `serde_json::to_string`
//! starts every answer in a small buffer and grows it by copying: for a page
//! of offers, about eight copies and a tenth of the request's instructions.
//! Here each thread remembers how long its last answer was and starts the
//! next one with that room, so an answer is written once and sent as written.

use std::cell::Cell;

use actix_web::body::BoxBody;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, Responder, ResponseError};
use serde::Serialize;

use crate::error::ApiError;

/// The room an answer starts with is at most this: a long answer (an export,
/// a long list) grows its own buffer without making every later one large.
const MAX_ROOM: usize = 256 * 1024;

/// The room of the smallest answers (a problem, an id).
const MIN_ROOM: usize = 128;

thread_local! {
    static LAST_LENGTH: Cell<usize> = const { Cell::new(MIN_ROOM) };
}

/// The JSON of `body`.
fn written<T: Serialize + ?Sized>(body: &T) -> Result<Vec<u8>, serde_json::Error> {
    let room = LAST_LENGTH.get();
    // An eighth more, so that an answer a little longer than the last one
    // does not copy itself into a buffer twice the size.
    let mut buffer = Vec::with_capacity(room + room / 8);
    serde_json::to_writer(&mut buffer, body)?;
    LAST_LENGTH.set(buffer.len().clamp(MIN_ROOM, MAX_ROOM));
    Ok(buffer)
}

/// `response` with `body` as JSON; a body that cannot be written answers 500.
pub fn json<T: Serialize + ?Sized>(mut response: HttpResponseBuilder, body: &T) -> HttpResponse {
    match written(body) {
        Ok(bytes) => response.insert_header(ContentType::json()).body(bytes),
        Err(error) => ApiError::Internal(error.into()).error_response(),
    }
}

/// A 200 answer with a JSON body, for handlers that return their body as is.
pub struct Json<T>(pub T);

impl<T: Serialize> Responder for Json<T> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        json(HttpResponse::Ok(), &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_starts_with_the_room_of_the_last_one_within_bounds() {
        let page = serde_json::json!({"items": [{"id": 7, "title": "Data"}], "next_cursor": null});
        assert_eq!(written(&page).expect("json"), serde_json::to_vec(&page).expect("json"));
        let long = "x".repeat(10_000);
        written(&long).expect("json");
        let next = written(&serde_json::json!([1])).expect("json");
        assert_eq!(next, b"[1]");
        assert!(next.capacity() >= 10_002, "the room of the answer before: {}", next.capacity());
        assert!(written(&[0u8; 0]).expect("json").capacity() < 1_000, "then the room of that short one");
        written(&"x".repeat(2 * MAX_ROOM)).expect("json");
        assert!(written(&[0u8; 0]).expect("json").capacity() <= MAX_ROOM + MAX_ROOM / 8, "bounded");
    }
}
