//! The API documentation at /docs: a page that renders openapi.json for a person, in the
//! browser. Compiled into the binary and served under the demo pages' strict CSP, so it needs
//! no CDN and works offline.

use crate::routes::assets::{Asset, STRICT_CSP, serve_assets};
use actix_web::web;

static DOCS_PAGE: Asset = Asset::new(
    include_str!("../../../static/docs.html"),
    "text/html; charset=utf-8",
    Some(STRICT_CSP),
);
static DOCS_JS: Asset = Asset::new(
    include_str!("../../../static/docs.js"),
    "text/javascript; charset=utf-8",
    None,
);
static DOCS_CSS: Asset = Asset::new(
    include_str!("../../../static/docs.css"),
    "text/css; charset=utf-8",
    None,
);

pub fn configure(cfg: &mut web::ServiceConfig) {
    serve_assets(
        cfg,
        &[
            ("/docs", &DOCS_PAGE),
            ("/docs/docs.js", &DOCS_JS),
            ("/docs/docs.css", &DOCS_CSS),
        ],
    );
}
