//! HTTP handlers, one file per resource. Each handler extracts, calls one use
//! case of [`crate::app`] and maps its answer to HTTP; preconditions, content
//! negotiation and the caller extractor live here once.

pub mod admin;
pub mod applications;
pub mod auth;
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

/// Registers every route; used by the server and to produce the OpenAPI document.
pub fn configure(config: &mut ServiceConfig) {
    config.service(health::live).service(health::ready).service(
        scope::scope("/api/v1")
            .service(reference::list_skills)
            .service(reference::get_skill)
            .service(suggestions::suggest_skills)
            .service(reference::list_schools)
            .service(reference::list_organisations)
            .service(auth::login)
            .service(auth::refresh)
            .service(auth::logout)
            .service(auth::logout_all)
            .service(auth::change_password)
            .service(auth::activate_student)
            .service(auth::activate_staff)
            .service(auth::me)
            .service(admin::create_staff_account)
            .service(admin::reissue_activation)
            .service(admin::disable_account)
            .service(admin::create_school)
            .service(admin::patch_school)
            .service(admin::create_organisation)
            .service(admin::patch_organisation)
            .service(admin::create_skill)
            .service(admin::patch_skill)
            .service(admin::add_skill_alias)
            .service(roster::import_roster)
            .service(roster::roster_template)
            .service(students::my_profile)
            .service(students::list_students)
            .service(students::get_student)
            .service(students::patch_student)
            .service(students::put_skills)
            .service(students::get_alerts)
            .service(students::put_alerts)
            .service(personal_data::export_student)
            .service(personal_data::list_profile_views)
            .service(personal_data::erase_student)
            .service(trainings::create_training)
            .service(trainings::list_trainings)
            .service(trainings::get_training)
            .service(trainings::patch_training)
            .service(offers::create_offer)
            .service(offers::list_offers)
            .service(offers::get_offer)
            .service(offers::patch_offer)
            .service(offers::publish_offer)
            .service(offers::close_offer)
            .service(matches::offers_for_student)
            .service(matches::explain_pair)
            .service(matches::candidates_for_offer)
            .service(applications::create_application)
            .service(applications::list_applications)
            .service(applications::get_application)
            .service(applications::transition_application)
            .service(applications::list_application_events)
            .service(placements::list_placements)
            .service(placements::get_placement)
            .service(placements::patch_placement)
            .service(placements::sign_placement)
            .service(placements::terminate_placement)
            .service(placements::agreement_pdf)
            .service(placements::verify_agreement)
            .service(reports::school_placement_stats)
            .service(reports::placement_rates)
            .service(reports::skills_gap)
            .service(reports::training_needs)
            .service(campaigns::create_campaign)
            .service(campaigns::list_campaigns)
            .service(campaigns::get_campaign)
            .service(campaigns::put_preferences)
            .service(campaigns::my_preferences)
            .service(campaigns::get_ranking)
            .service(campaigns::put_ranking)
            .service(campaigns::run_campaign)
            .service(campaigns::list_assignments)
            .service(campaigns::publish_campaign)
            .service(webhooks::create_webhook)
            .service(webhooks::list_webhooks)
            .service(webhooks::get_webhook)
            .service(webhooks::patch_webhook)
            .service(webhooks::delete_webhook)
            .service(webhooks::rotate_secret)
            .service(webhooks::ping_webhook)
            .service(webhooks::list_deliveries)
            .service(webhooks::redeliver),
    );
}
