//! The editors' dashboard: an HTML page and its modules, styles and vendored chart library,
//! compiled into the binary and served like the widget (gzipped, revalidated by ETag). The page
//! holds no data; it signs in through `/v1/session` and reads the editors' API.

use super::assets::{Asset, STRICT_CSP};
use super::{get, resource};
use crate::error::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static PAGE: Asset = Asset::new(
    include_str!("../../static/dashboard/index.html"),
    "text/html; charset=utf-8",
    Some(STRICT_CSP),
);

macro_rules! file {
    ($name:literal, $type:expr) => {
        (
            $name,
            Asset::new(
                include_str!(concat!("../../static/dashboard/", $name)),
                $type,
                None,
            ),
        )
    };
}

/// Every file under `/dashboard/`, by the name it is asked for (openapi.yaml lists the same).
static FILES: [(&str, Asset); 11] = [
    file!("app.js", JS),
    file!("api.js", JS),
    file!("ui.js", JS),
    file!("overview.js", JS),
    file!("articles.js", JS),
    file!("article.js", JS),
    file!("feedback.js", JS),
    file!("audit.js", JS),
    file!("dashboard.css", CSS),
    (
        "uPlot.esm.js",
        Asset::new(
            include_str!("../../static/dashboard/vendor/uplot/uPlot.esm.js"),
            JS,
            None,
        ),
    ),
    (
        "uPlot.min.css",
        Asset::new(
            include_str!("../../static/dashboard/vendor/uplot/uPlot.min.css"),
            CSS,
            None,
        ),
    ),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/dashboard").route(get().to(|req: HttpRequest| async move { PAGE.serve(&req) })),
    )
    .service(resource("/dashboard/{file}").route(get().to(file)));
}

async fn file(req: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    FILES
        .iter()
        .find(|(listed, _)| *listed == name.as_str())
        .map(|(_, asset)| asset.serve(&req))
        .ok_or_else(|| ApiError::NotFound(format!("the dashboard has no file {:?}", name.as_str())))
}
