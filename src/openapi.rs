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
paginated with `limit` (1 to 100, default 20) and the opaque `next_cursor`.",
        version = "1.0.0",
        license(name = "MIT OR Apache-2.0"),
    ),
    modifiers(&BearerSecurity),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "reference", description = "Skill taxonomy, participating schools, AXA organisations"),
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
    ),
    components(schemas(crate::error::Problem, crate::domain::Violation))
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
