//! HTTP handlers, one file per resource. Handlers stay thin: extract,
//! authorise, call the store or the domain, map to the API view.

pub mod health;
pub mod reference;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every route; used by the server and to produce the OpenAPI document.
pub fn configure(config: &mut ServiceConfig) {
    config.service(health::live).service(health::ready).service(
        scope::scope("/api/v1")
            .service(reference::list_skills)
            .service(reference::get_skill)
            .service(reference::list_schools)
            .service(reference::list_organisations),
    );
}
