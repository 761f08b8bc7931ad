//! The HTTP API: one file per resource, wired up here.

mod health;
mod openapi;
mod ratings;
mod votes;
mod widget;

use crate::error::ApiError;
use actix_web::{HttpRequest, Route, guard, web};

/// `{article_id}` also matches the empty string, so that `/v1/articles//rating` is refused
/// with the rule for article ids rather than an unexplained 404.
const ARTICLE: &str = "/v1/articles/{article_id:[^/]*}";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/healthz")
            .route(get().to(health::healthz))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        web::resource("/readyz")
            .route(get().to(health::readyz))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        web::resource("/openapi.yaml")
            .route(get().to(openapi::spec))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        web::resource(format!("{ARTICLE}/votes"))
            .route(web::post().to(votes::record))
            .default_service(not_allowed("POST")),
    )
    .service(
        web::resource(format!("{ARTICLE}/votes/{{voter}}"))
            .route(get().to(votes::show))
            .route(web::delete().to(votes::retract))
            .default_service(not_allowed("GET, HEAD, DELETE")),
    )
    .service(
        web::resource(format!("{ARTICLE}/rating"))
            .route(get().to(ratings::show))
            .default_service(not_allowed("GET, HEAD")),
    )
    .configure(widget::configure)
    .service(
        web::resource("/v1/ratings")
            .route(get().to(ratings::batch))
            .default_service(not_allowed("GET, HEAD")),
    )
    .default_service(web::to(|req: HttpRequest| async move {
        Err::<actix_web::HttpResponse, _>(ApiError::NotFound(format!(
            "no such resource: {}",
            req.path()
        )))
    }));
}

/// GET routes answer HEAD too, as HTTP expects; actix sends no body for HEAD.
fn get() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// 405 with the `Allow` header, for a known path asked with the wrong method.
fn not_allowed(allow: &'static str) -> Route {
    web::route().to(move |req: HttpRequest| async move {
        Err::<actix_web::HttpResponse, _>(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        })
    })
}

/// Path segments arrive as strings; this turns the article's into an [`ArticleId`] or a 400.
fn article_id(raw: &str) -> Result<crate::domain::ArticleId, ApiError> {
    crate::domain::ArticleId::parse(raw).map_err(ApiError::InvalidInput)
}
