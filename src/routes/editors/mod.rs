//! The editors' API: article metadata, resets and usefulness reports, for a valid key of the
//! scope each needs (see `auth.rs`). Not rate-limited per address and not CORS-open.

mod articles;
mod auth;
mod csv;
mod reports;
mod session;
mod triage;
mod webhook_input;
mod webhooks;

use articles::MAX_FIELD_CHARS;
pub use articles::reset as reset_article;
pub use auth::{AdminKey, ReadKey};
pub use csv::{csv_response, csv_stream_response, wants_csv};

use super::{get, get_only, resource};
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1/articles/{article_id}")
            .route(get().to(articles::get))
            .route(web::put().to(articles::put)),
    )
    .service(get_only("/v1/reports/articles", reports::articles))
    .service(get_only(
        "/v1/reports/articles/{article_id}",
        reports::article,
    ))
    .service(get_only("/v1/reports/summary", reports::summary))
    .service(get_only("/v1/reports/feedback", reports::feedback))
    .service(get_only("/v1/reports/audit", reports::audit))
    .service(
        resource("/v1/webhooks")
            .route(get().to(webhooks::list))
            .route(web::post().to(webhooks::create)),
    )
    .service(
        resource("/v1/webhooks/{webhook_id}")
            .route(get().to(webhooks::show))
            .route(web::patch().to(webhooks::change))
            .route(web::delete().to(webhooks::delete)),
    )
    .service(resource("/v1/webhooks/{webhook_id}/test").route(web::post().to(webhooks::test)))
    .service(get_only(
        "/v1/webhooks/{webhook_id}/deliveries",
        webhooks::deliveries,
    ))
    .service(get_only("/v1/reports/daily", triage::daily))
    .service(
        resource("/v1/session")
            .route(get().to(session::who))
            .route(web::post().to(session::sign_in))
            .route(web::delete().to(session::sign_out)),
    )
    .service(
        resource("/v1/feedback/{feedback_id}")
            .route(web::patch().to(triage::set_status))
            .route(web::delete().to(triage::delete)),
    );
}
