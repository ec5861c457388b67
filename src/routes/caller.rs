//! The authenticated caller, taken from the bearer access token of a request.

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    /// The first extraction of a request verifies the token and keeps the
    /// caller for the others (the rate limit extracts it before the handler
    /// does): a signature check is the dearest part of a read from memory.
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        if let Some(caller) = req.extensions().get::<Caller>() {
            return ready(Ok(caller.clone()));
        }
        let caller = authenticate(req);
        if let Ok(caller) = &caller {
            req.extensions_mut().insert(caller.clone());
        }
        ready(caller)
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthenticated(crate::domain::Message::new("send-an-access-token-as-authorization-bearer-token"))
    })?;
    let token = header_text(header).and_then(crate::auth::bearer_token).ok_or_else(|| {
        ApiError::Unauthenticated(crate::domain::Message::new("the-authorization-header-is-not-bearer-token"))
    })?;
    let claims = state.tokens.verify(token).map_err(|error| {
        tracing::info!(reason = %error, "access token refused");
        ApiError::Unauthenticated(crate::domain::Message::new("the-access-token-is-invalid-or-expired"))
    })?;
    let account_id = claims
        .sub
        .parse()
        .map_err(|_| ApiError::Unauthenticated(crate::domain::Message::new("the-access-token-is-invalid")))?;
    let role = claims
        .role
        .parse()
        .map_err(|_| ApiError::Unauthenticated(crate::domain::Message::new("the-access-token-is-invalid")))?;
    if !state.index.revocations().admits(account_id, claims.ver) {
        return Err(ApiError::Unauthenticated(crate::domain::Message::new("the-access-token-has-been-revoked")));
    }
    Ok(Caller {
        account_id,
        role,
        school_id: claims.school_id,
        organisation_id: claims.organisation_id,
        student_id: claims.student_id,
    })
}

/// The text of a header value when it is ASCII, as `HeaderValue::to_str`
/// reads it: a value holds no control byte but tab, so being ASCII is being
/// visible ASCII, which a word-at-a-time check tells faster than `to_str`'s
/// byte-by-byte one on a token of a few hundred bytes.
fn header_text(value: &actix_web::http::header::HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    bytes.is_ascii().then(|| std::str::from_utf8(bytes).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    #[test]
    fn a_header_is_read_as_to_str_reads_it() {
        let values = [
            HeaderValue::from_static("Bearer abc.def-ghi_jkl"),
            HeaderValue::from_static("Bearer \tabc"),
            HeaderValue::from_static(""),
            HeaderValue::from_bytes(b"Bearer caf\xc3\xa9").expect("a header value"),
            HeaderValue::from_bytes(b"Bearer \xff").expect("a header value"),
        ];
        for value in &values {
            assert_eq!(super::header_text(value), value.to_str().ok(), "{value:?}");
        }
    }
}
