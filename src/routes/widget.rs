//! The embeddable widget and its demo page, compiled into the binary so that one file serves
//! everything.

use actix_web::{HttpResponse, web};

const WIDGET_JS: &str = include_str!("../../static/widget.js");
const DEMO_HTML: &str = include_str!("../../static/demo.html");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/widget.js", super::get().to(widget_js))
        .route("/demo", super::get().to(demo));
}

async fn widget_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(WIDGET_JS)
}

async fn demo() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(DEMO_HTML)
}
