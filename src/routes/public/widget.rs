//! The embeddable widget and its demo pages, compiled into the binary so that one file serves
//! everything.

use crate::routes::assets::{Asset, STRICT_CSP, serve_assets};
use actix_web::web;

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
