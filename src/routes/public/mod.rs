//! The public widget API: what readers' browsers call from publishers' pages. Rate-limited per
//! client address, and CORS-open for the listed methods only.

mod feedback;
mod ratings;
mod votes;
mod widget;

use super::{get, resource};
use crate::abuse::rate_limit;
use crate::config::AbuseSettings;
use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{Resource, web};

pub fn configure(cfg: &mut web::ServiceConfig, abuse: &AbuseSettings) {
    // CORS opens only the listed methods, so that an editor method on the same path (resetting
    // an article's votes) is never callable from a page.
    let public = |methods: &[&'static str], resource: Resource| {
        resource
            .wrap(from_fn(rate_limit))
            .wrap(public_cors(&abuse.cors_origins, methods))
    };
    cfg.service(public(
        &["GET", "HEAD"],
        resource("/v1/articles/{article_id}/rating").route(get().to(ratings::show)),
    ))
    .service(public(
        &["GET", "HEAD"],
        resource("/v1/ratings").route(get().to(ratings::batch)),
    ))
    .service(public(
        &["POST"],
        resource("/v1/articles/{article_id}/votes")
            .route(web::post().to(votes::record))
            // An editor's operation on the same path: a key, not CORS, guards it.
            .route(web::delete().to(super::editors::reset_article)),
    ))
    .service(public(
        &["GET", "HEAD", "DELETE"],
        resource("/v1/articles/{article_id}/votes/{voter}")
            .route(get().to(votes::show))
            .route(web::delete().to(votes::retract)),
    ))
    .service(public(
        &["POST"],
        resource("/v1/articles/{article_id}/feedback").route(web::post().to(feedback::submit)),
    ))
    // The widget fetches its texts from publishers' pages; a static file, so not rate-limited.
    .service(
        resource("/widget/lang/{file}")
            .route(get().to(widget::language))
            .wrap(public_cors(&abuse.cors_origins, &["GET", "HEAD"])),
    )
    .configure(widget::configure);
}

/// The widget runs on publishers' pages, so the public endpoints answer any allowed origin.
/// No credentials: votes are tied to the voter id in the body, not to cookies.
fn public_cors(origins: &[String], methods: &[&'static str]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(methods.iter().copied())
        .allowed_header(header::CONTENT_TYPE)
        .expose_headers(["ratelimit", "ratelimit-policy", "retry-after", "location"])
        .max_age(86_400);
    if origins.iter().any(|origin| origin == "*") {
        cors.allow_any_origin().send_wildcard()
    } else {
        origins
            .iter()
            .fold(cors, |cors, origin| cors.allowed_origin(origin))
    }
}
