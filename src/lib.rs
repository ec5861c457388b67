//! Passerelle: matches students of the AXA skills convention schools to AXA
//! internship and work-study offers, and follows them to signed placements.

pub mod allocation;
pub mod app;
pub mod auth;
pub mod bench_cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod export;
pub mod i18n;
pub mod input;
pub mod limits;
pub mod live_index;
pub mod matching;
pub mod openapi;
pub mod pagination;
pub mod pdf;
pub mod reference_data;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
