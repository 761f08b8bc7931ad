//! The HTTP API, by audience: the public widget API (readers' browsers, rate-limited and
//! CORS-open), the editors' API (a key in `Authorization`), and operations (orchestrators,
//! scrapers, developers). Each group wires up its own resources; this module holds the route
//! table they are all checked against, and what they share.

mod assets;
mod conditional;
mod dashboard;
pub mod editors;
mod operations;
mod public;

use crate::config::AbuseSettings;
use crate::domain::ArticleId;
use crate::error::ApiError;
use crate::telemetry::RouteLabel;
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
    ("/v1/webhooks", "GET, POST"),
    ("/v1/webhooks/{webhook_id}", "GET, PATCH, DELETE"),
    ("/v1/webhooks/{webhook_id}/test", "POST"),
    ("/v1/webhooks/{webhook_id}/deliveries", "GET"),
    ("/v1/reports/daily", "GET"),
    ("/v1/session", "GET, POST, DELETE"),
    ("/v1/feedback/{feedback_id}", "PATCH, DELETE"),
    ("/widget.js", "GET"),
    ("/widget/lang/{file}", "GET"),
    ("/demo", "GET"),
    ("/demo/front", "GET"),
    ("/demo/demo.css", "GET"),
    ("/docs", "GET"),
    ("/docs/docs.js", "GET"),
    ("/docs/docs.css", "GET"),
    ("/dashboard", "GET"),
    ("/dashboard/{file}", "GET"),
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
    cfg.app_data(web::QueryConfig::default().error_handler(|error, _| {
        ApiError::InvalidInput(format!("bad query string: {error}")).into()
    }));
    // actix tries resources in the order they are made, matching each dynamic path with a
    // regex, so the routes every reader's widget calls come first; no two paths overlap.
    cfg.configure(|cfg| public::configure(cfg, abuse))
        .configure(operations::configure)
        .configure(editors::configure)
        .configure(dashboard::configure)
        .default_service(web::to(|req: HttpRequest| async move {
            Err::<actix_web::HttpResponse, _>(ApiError::NotFound(format!(
                "no such resource: {}",
                req.path()
            )))
        }));
}

/// A GET-only resource: for operators, tools and editors, not rate-limited, not CORS-open.
fn get_only<F, Args>(path: &str, handler: F) -> Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    resource(path).route(get().to(handler))
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
fn article_id(raw: &str) -> Result<ArticleId, ApiError> {
    ArticleId::parse(raw).map_err(ApiError::InvalidInput)
}

/// A time given as `name` (`from`, `to`, `published_at`) as Unix milliseconds, or a 400.
fn time_param(name: &str, raw: &str) -> Result<i64, ApiError> {
    crate::time::parse(raw).map_err(|error| ApiError::InvalidInput(format!("{name} {error}")))
}
