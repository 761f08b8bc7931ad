//! The HTTP API: one file per resource, wired up here.

mod health;
mod openapi;
mod ratings;
mod votes;
mod widget;

use crate::abuse::rate_limit;
use crate::config::AbuseSettings;
use crate::error::ApiError;
use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, Resource, Route, guard, web};

/// `{article_id}` also matches the empty string, so that `/v1/articles//rating` is refused
/// with the rule for article ids rather than an unexplained 404.
const ARTICLE: &str = "/v1/articles/{article_id:[^/]*}";

pub fn configure(cfg: &mut web::ServiceConfig, abuse: &AbuseSettings) {
    let public = |resource: Resource| {
        resource
            .wrap(from_fn(rate_limit))
            .wrap(public_cors(&abuse.cors_origins))
    };
    cfg.service(operational("/healthz", health::healthz))
        .service(operational("/readyz", health::readyz))
        .service(operational("/openapi.yaml", openapi::spec))
        .service(public(
            web::resource(format!("{ARTICLE}/votes"))
                .route(web::post().to(votes::record))
                .default_service(not_allowed("POST")),
        ))
        .service(public(
            web::resource(format!("{ARTICLE}/votes/{{voter}}"))
                .route(get().to(votes::show))
                .route(web::delete().to(votes::retract))
                .default_service(not_allowed("GET, HEAD, DELETE")),
        ))
        .service(public(
            web::resource(format!("{ARTICLE}/rating"))
                .route(get().to(ratings::show))
                .default_service(not_allowed("GET, HEAD")),
        ))
        .service(public(
            web::resource("/v1/ratings")
                .route(get().to(ratings::batch))
                .default_service(not_allowed("GET, HEAD")),
        ))
        .configure(widget::configure)
        .default_service(web::to(|req: HttpRequest| async move {
            Err::<actix_web::HttpResponse, _>(ApiError::NotFound(format!(
                "no such resource: {}",
                req.path()
            )))
        }));
}

/// A GET-only resource for operators and tools: not rate-limited, not CORS-open.
fn operational<F, Args>(path: &str, handler: F) -> Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(get().to(handler))
        .default_service(not_allowed("GET, HEAD"))
}

/// The widget runs on publishers' pages, so the public endpoints answer any allowed origin.
/// No credentials: votes are tied to the voter id in the body, not to cookies.
fn public_cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "DELETE"])
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
