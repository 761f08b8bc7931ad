//! The API contract, served as committed: as YAML, and as JSON for tools (and the docs page)
//! that do not read YAML.

use actix_web::HttpResponse;
use std::sync::OnceLock;

pub const SPEC: &str = include_str!("../../../openapi.yaml");

pub async fn yaml() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(SPEC)
}

pub async fn json() -> HttpResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| {
        let spec: serde_json::Value =
            serde_norway::from_str(SPEC).expect("openapi.yaml is valid YAML (a test checks it)");
        spec.to_string()
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_spec_parses() {
        let spec: serde_json::Value = serde_norway::from_str(super::SPEC).unwrap();
        assert_eq!(spec["openapi"], "3.1.0");
    }
}
