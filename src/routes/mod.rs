//! HTTP handlers, one file per resource. Each handler extracts, calls one use
//! case of [`crate::app`] and maps its answer to HTTP; preconditions, content
//! negotiation and the caller extractor live here once.

pub mod admin;
pub mod applications;
pub mod auth;
pub mod body;
pub mod caller;
pub mod campaigns;
pub mod extract;
pub mod health;
pub mod matches;
pub mod offers;
pub mod personal_data;
pub mod placements;
pub mod portal;
pub mod precondition;
pub mod problems;
pub mod reference;
pub mod reports;
pub mod responses;
pub mod roster;
pub mod students;
pub mod suggestions;
pub mod trainings;
pub mod webhooks;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every route for serving. Routes are grouped in scopes by their
/// first segment, and by `{id}` under it: actix tries the routes of a scope one
/// after another, matching each dynamic one with a regular expression, so a flat
/// list made every request pay for the routes registered before its own. No two
/// routes of different groups match the same path, so the grouping answers
/// every request as the flat list did. A handler's path is relative to its scope.
pub fn configure(config: &mut ServiceConfig) {
    config.service(health::live).service(health::ready).service(
        scope::scope("/api/v1")
            .service(scope::scope("/skills").service(reference::list_skills).service(reference::get_skill))
            .service(suggestions::suggest_skills)
            .service(
                scope::scope("/schools").service(reference::list_schools).service(
                    scope::scope("/{id}")
                        .service(roster::import_roster)
                        .service(roster::roster_template)
                        .service(reports::school_placement_stats),
                ),
            )
            .service(reference::list_organisations)
            .service(
                scope::scope("/auth")
                    .service(auth::login)
                    .service(auth::refresh)
                    .service(auth::logout)
                    .service(auth::logout_all)
                    .service(auth::change_password)
                    .service(auth::activate_student)
                    .service(auth::activate_staff),
            )
            .service(scope::scope("/me").service(auth::me).service(students::my_profile))
            .service(
                scope::scope("/admin")
                    .service(admin::create_staff_account)
                    .service(admin::reissue_activation)
                    .service(admin::disable_account)
                    .service(admin::create_school)
                    .service(admin::patch_school)
                    .service(admin::create_organisation)
                    .service(admin::patch_organisation)
                    .service(admin::create_skill)
                    .service(admin::patch_skill)
                    .service(admin::add_skill_alias),
            )
            .service(
                scope::scope("/students").service(students::list_students).service(
                    scope::scope("/{id}")
                        .service(students::get_student)
                        .service(students::patch_student)
                        .service(students::put_skills)
                        .service(students::get_alerts)
                        .service(students::put_alerts)
                        .service(personal_data::export_student)
                        .service(personal_data::list_profile_views)
                        .service(personal_data::erase_student)
                        .service(matches::offers_for_student)
                        .service(matches::explain_pair),
                ),
            )
            .service(
                scope::scope("/trainings")
                    .service(trainings::create_training)
                    .service(trainings::list_trainings)
                    .service(trainings::get_training)
                    .service(trainings::patch_training),
            )
            .service(
                scope::scope("/offers").service(offers::create_offer).service(offers::list_offers).service(
                    scope::scope("/{id}")
                        .service(offers::get_offer)
                        .service(offers::patch_offer)
                        .service(offers::publish_offer)
                        .service(offers::close_offer)
                        .service(matches::candidates_for_offer)
                        .service(applications::create_application),
                ),
            )
            .service(
                scope::scope("/applications").service(applications::list_applications).service(
                    scope::scope("/{id}")
                        .service(applications::get_application)
                        .service(applications::transition_application)
                        .service(applications::list_application_events),
                ),
            )
            .service(
                scope::scope("/placements").service(placements::list_placements).service(
                    scope::scope("/{id}")
                        .service(placements::get_placement)
                        .service(placements::patch_placement)
                        .service(placements::sign_placement)
                        .service(placements::terminate_placement)
                        .service(placements::agreement_pdf)
                        .service(placements::verify_agreement),
                ),
            )
            .service(
                scope::scope("/reports")
                    .service(reports::placement_rates)
                    .service(reports::skills_gap)
                    .service(reports::training_needs),
            )
            .service(
                scope::scope("/campaigns")
                    .service(campaigns::create_campaign)
                    .service(campaigns::list_campaigns)
                    .service(
                        scope::scope("/{id}")
                            .service(campaigns::get_campaign)
                            .service(campaigns::put_preferences)
                            .service(campaigns::my_preferences)
                            .service(campaigns::get_ranking)
                            .service(campaigns::put_ranking)
                            .service(campaigns::run_campaign)
                            .service(campaigns::list_assignments)
                            .service(campaigns::publish_campaign),
                    ),
            )
            .service(
                scope::scope("/webhooks").service(webhooks::create_webhook).service(webhooks::list_webhooks).service(
                    scope::scope("/{id}")
                        .service(webhooks::get_webhook)
                        .service(webhooks::patch_webhook)
                        .service(webhooks::delete_webhook)
                        .service(webhooks::rotate_secret)
                        .service(webhooks::ping_webhook)
                        .service(webhooks::list_deliveries)
                        .service(webhooks::redeliver),
                ),
            ),
    );
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ResourceDef;
    use actix_web::http::{Method, StatusCode};
    use actix_web::{test as http, web, App, HttpResponse};
    use utoipa_actix_web::AppExt;

    /// A documented path with every parameter replaced by `value`.
    fn instance(pattern: &str, value: &str) -> String {
        let segments: Vec<&str> =
            pattern.split('/').map(|segment| if segment.starts_with('{') { value } else { segment }).collect();
        segments.join("/")
    }

    /// Answers what no route answers, to tell it from a handler's own answer.
    const UNROUTED: StatusCode = StatusCode::IM_A_TEAPOT;

    #[actix_web::test]
    async fn the_grouped_routes_answer_every_path_as_one_flat_list_of_them_would() {
        let doc = App::new().into_utoipa_app().configure(super::configure).split_for_parts().1;
        // What actix does with one list: the first route whose pattern and method
        // match serves; without one, the pattern named is the first whose path matches.
        let list: Vec<(ResourceDef, Vec<Method>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                ];
                let methods = methods.into_iter().filter(|(_, o)| o.is_some()).map(|(m, _)| m).collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        let expected = |method: &Method, path: &str| {
            let pattern = |(def, _): &(ResourceDef, Vec<Method>)| def.pattern().map(str::to_owned);
            match list.iter().find(|(def, methods)| methods.contains(method) && def.is_match(path)) {
                Some(route) => (true, pattern(route)),
                None => (false, list.iter().find(|(def, _)| def.is_match(path)).and_then(pattern)),
            }
        };
        let served = http::init_service(
            App::new()
                .into_utoipa_app()
                .configure(super::configure)
                .into_app()
                .default_service(web::to(|| async { HttpResponse::new(UNROUTED) })),
        )
        .await;
        let mut paths: Vec<String> =
            ["/api/v1", "/api/v1/", "/api/v1/nope", "/api/v1/students/7/matches/1/2"].map(String::from).to_vec();
        for pattern in doc.paths.paths.keys() {
            // A number, words that are also fixed segments, and nothing.
            for value in ["7", "me", "matches", "profile", ""] {
                let path = instance(pattern, value);
                paths.extend([format!("{path}/"), format!("{path}/extra"), path]);
            }
        }
        let mut routed = 0;
        for path in &paths {
            for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
                let request = http::TestRequest::default().method(method.clone()).uri(path).to_request();
                let response = http::call_service(&served, request).await;
                let answer = (response.status() != UNROUTED, response.request().match_pattern());
                assert_eq!(answer, expected(&method, path), "{method} {path}");
                routed += usize::from(answer.0);
            }
        }
        let operations: usize = list.iter().map(|(_, methods)| methods.len()).sum();
        assert!(routed >= operations, "{routed} requests reached a route, for {operations} operations");
    }
}
