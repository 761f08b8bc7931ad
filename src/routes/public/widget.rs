//! The embeddable widget, its texts in other languages, and its demo pages, compiled into the
//! binary so that one file serves everything.

use crate::error::ApiError;
use crate::routes::assets::{Asset, STRICT_CSP, serve_assets};
use actix_web::{HttpRequest, HttpResponse, web};

static WIDGET_JS: Asset = Asset::new(
    include_str!("../../../static/widget.js"),
    "text/javascript; charset=utf-8",
    None,
);
static DEMO_ARTICLE: Asset = Asset::new(
    include_str!("../../../static/demo.html"),
    "text/html; charset=utf-8",
    Some(STRICT_CSP),
);
static DEMO_FRONT_PAGE: Asset = Asset::new(
    include_str!("../../../static/front.html"),
    "text/html; charset=utf-8",
    Some(STRICT_CSP),
);
static DEMO_CSS: Asset = Asset::new(
    include_str!("../../../static/demo.css"),
    "text/css; charset=utf-8",
    None,
);

macro_rules! language {
    ($code:literal) => {
        (
            concat!($code, ".json"),
            Asset::new(
                include_str!(concat!("../../../static/lang/", $code, ".json")),
                "application/json; charset=utf-8",
                None,
            ),
        )
    };
}

/// The widget's texts in every language it has besides English (which widget.js holds, so
/// that English pages make no second request), by file name; openapi.yaml lists the same.
static LANGUAGES: [(&str, Asset); 17] = [
    language!("ar"),
    language!("cs"),
    language!("da"),
    language!("de"),
    language!("es"),
    language!("fi"),
    language!("fr"),
    language!("he"),
    language!("it"),
    language!("ja"),
    language!("nb"),
    language!("nl"),
    language!("pl"),
    language!("pt"),
    language!("sv"),
    language!("zh"),
    language!("zh-Hant"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    serve_assets(
        cfg,
        &[
            ("/widget.js", &WIDGET_JS),
            ("/demo", &DEMO_ARTICLE),
            ("/demo/front", &DEMO_FRONT_PAGE),
            ("/demo/demo.css", &DEMO_CSS),
        ],
    );
}

/// One language's texts, cached and revalidated like widget.js.
pub async fn language(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    LANGUAGES
        .iter()
        .find(|(listed, _)| *listed == file.as_str())
        .map(|(_, asset)| asset.serve(&req))
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "the widget has no language file {:?}",
                file.as_str()
            ))
        })
}
