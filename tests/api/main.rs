//! The API driven over real HTTP against a real database, on SQLite and on PostgreSQL.

#[macro_use]
mod helpers;

mod abuse;
mod access_log;
mod assets;
mod bad_input;
mod caching;
mod concurrency;
mod contract;
mod dashboard;
mod editors;
mod fuzz;
mod hardening;
mod health;
mod hot_cache;
mod instances;
mod network_cap;
mod operations;
mod ratings;
mod replica;
mod report_recount;
mod reports;
mod schema;
mod secrets;
mod seed;
mod sessions;
mod shared_quota;
mod single_sign_on;
mod votes;
mod webhook_receiver;
mod webhooks;
mod widget_languages;
mod wordpress;
