//! The HTTP API: one file per resource, wired up here.

mod articles;
mod conditional;
mod docs;
mod feedback;
mod health;
mod openapi;
pub mod ratings;
mod reports;
mod votes;
mod widget;

use crate::abuse::rate_limit;
use crate::config::AbuseSettings;
use crate::error::ApiError;
use crate::telemetry::RouteLabel;
use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, Resource, Route, guard, web};

/// Every path the service answers, written as in openapi.yaml, with the methods it takes there
/// (HEAD goes with GET). Resources are made only through [`resource`], which looks them up
/// here, and a test holds this list to the spec and to the running app: the three cannot drift.
pub const ROUTES: &[(&str, &str)] = &[
    ("/healthz", "GET"),
    ("/readyz", "GET"),
    ("/metrics", "GET"),
    ("/openapi.yaml", "GET"),
    ("/openapi.json", "GET"),
    ("/v1/articles/{article_id}/votes", "POST, DELETE"),
    ("/v1/articles/{article_id}/votes/{voter}", "GET, DELETE"),
    ("/v1/articles/{article_id}/feedback", "POST"),
    ("/v1/articles/{article_id}/rating", "GET"),
    ("/v1/ratings", "GET"),
    ("/v1/articles/{article_id}", "GET, PUT"),
    ("/v1/reports/articles", "GET"),
    ("/v1/reports/articles/{article_id}", "GET"),
    ("/v1/reports/summary", "GET"),
    ("/v1/reports/feedback", "GET"),
    ("/v1/reports/audit", "GET"),
    ("/widget.js", "GET"),
    ("/demo", "GET"),
    ("/demo/front", "GET"),
    ("/demo/demo.css", "GET"),
    ("/docs", "GET"),
    ("/docs/docs.js", "GET"),
    ("/docs/docs.css", "GET"),
];

/// What a 405 lists in `Allow` for a path that takes `methods`.
pub fn allow_header(methods: &str) -> String {
    methods.replace("GET", "GET, HEAD")
}

/// The resource for a path of [`ROUTES`], answering 405 with `Allow` to other methods.
/// `{article_id}` also matches the empty string, so that `/v1/articles//rating` is refused
/// with the rule for article ids rather than an unexplained 404.
pub(crate) fn resource(path: &str) -> Resource {
    let (listed, methods) = ROUTES
        .iter()
        .find(|(listed, _)| *listed == path)
        .unwrap_or_else(|| panic!("{path} is served but not listed in ROUTES (and openapi.yaml)"));
    web::resource(path.replace("{article_id}", "{article_id:[^/]*}"))
        .app_data(RouteLabel(listed))
        .default_service(not_allowed(allow_header(methods)))
}

pub fn configure(cfg: &mut web::ServiceConfig, abuse: &AbuseSettings) {
    // Public: rate-limited, and CORS-open for the listed methods only, so that an editor
    // method on the same path (resetting an article's votes) is never callable from a page.
    let public = |methods: &[&'static str], resource: Resource| {
        resource
            .wrap(from_fn(rate_limit))
            .wrap(public_cors(&abuse.cors_origins, methods))
    };
    cfg.app_data(web::QueryConfig::default().error_handler(|error, _| {
        ApiError::InvalidInput(format!("bad query string: {error}")).into()
    }));
    // actix tries resources in this order, matching each dynamic path with a regex, so the
    // routes every reader's widget calls come first; no two of these paths overlap.
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
            .route(web::delete().to(articles::reset)),
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
    .service(operational("/healthz", health::healthz))
    .service(operational("/readyz", health::readyz))
    .service(operational("/metrics", crate::telemetry::render_metrics))
    .service(operational("/openapi.yaml", openapi::yaml))
    .service(operational("/openapi.json", openapi::json))
    .service(
        resource("/v1/articles/{article_id}")
            .route(get().to(articles::get))
            .route(web::put().to(articles::put)),
    )
    .service(operational("/v1/reports/articles", reports::articles))
    .service(operational(
        "/v1/reports/articles/{article_id}",
        reports::article,
    ))
    .service(operational("/v1/reports/summary", reports::summary))
    .service(operational("/v1/reports/feedback", reports::feedback))
    .service(operational("/v1/reports/audit", reports::audit))
    .configure(widget::configure)
    .configure(docs::configure)
    .default_service(web::to(|req: HttpRequest| async move {
        Err::<actix_web::HttpResponse, _>(ApiError::NotFound(format!(
            "no such resource: {}",
            req.path()
        )))
    }));
}

/// A GET-only resource for operators, tools and editors: not rate-limited, not CORS-open.
fn operational<F, Args>(path: &str, handler: F) -> Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    resource(path).route(get().to(handler))
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

/// GET routes answer HEAD too, as HTTP expects; actix sends no body for HEAD.
fn get() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// 405 with the `Allow` header, for a known path asked with the wrong method.
fn not_allowed(allow: String) -> Route {
    web::route().to(move |req: HttpRequest| {
        let allow = allow.clone();
        async move {
            Err::<actix_web::HttpResponse, _>(ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allow,
            })
        }
    })
}

/// Path segments arrive as strings; this turns the article's into an [`ArticleId`] or a 400.
fn article_id(raw: &str) -> Result<crate::domain::ArticleId, ApiError> {
    crate::domain::ArticleId::parse(raw).map_err(ApiError::InvalidInput)
}
