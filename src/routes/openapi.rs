//! The API contract, served as committed.

use actix_web::HttpResponse;

const SPEC: &str = include_str!("../../openapi.yaml");

pub async fn spec() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(SPEC)
}
