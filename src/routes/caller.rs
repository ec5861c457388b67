//! The authenticated caller, taken from the bearer access token of a request.

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpRequest};

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthenticated(crate::domain::Message::new("send-an-access-token-as-authorization-bearer-token"))
    })?;
    let token = header.to_str().ok().and_then(crate::auth::bearer_token).ok_or_else(|| {
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
    Ok(Caller { account_id, role, school_id: claims.school_id, organisation_id: claims.organisation_id })
}
