//! Plaudit: reader ratings for news articles.

pub mod abuse;
pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod hex;
pub mod import;
pub mod retention;
pub mod routes;
pub mod scale_out;
pub mod seed;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod time;
pub mod views;
pub mod webhooks;
