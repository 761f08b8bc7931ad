//! openapi.yaml, the route table and the running app describe the same API.

use crate::helpers::{PROBLEM_JSON, TestApp, new_voter};
use plaudit::routes::{ROUTES, allow_header};
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

fn spec_operations() -> BTreeSet<(String, String)> {
    let spec: serde_json::Value =
        serde_norway::from_str(include_str!("../../openapi.yaml")).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method.to_lowercase()).is_some() {
                operations.insert((path.clone(), method.to_owned()));
            }
        }
    }
    operations
}

fn table_operations() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .split(", ")
                .map(|m| ((*path).to_owned(), m.to_owned()))
        })
        .collect()
}

#[test]
fn the_spec_describes_exactly_the_routes_the_app_has() {
    let (spec, table) = (spec_operations(), table_operations());
    let missing: Vec<_> = table.difference(&spec).collect();
    let extra: Vec<_> = spec.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "served but not in openapi.yaml: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in openapi.yaml but not served: {extra:?}"
    );
}

on_both_backends!(the_route_table_is_what_the_app_serves);

// Each listed method reaches a handler and each other method gets 405 with the listed
// `Allow`, so the route table is what the app really serves.
async fn the_route_table_is_what_the_app_serves(app: TestApp) {
    let voter = new_voter();
    for (path, methods) in ROUTES {
        let concrete = path
            .replace("{article_id}", "a1")
            .replace("{voter}", &voter);
        for method in METHODS {
            let response = app
                .client
                .request(
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    app.url(&concrete),
                )
                .send()
                .await
                .unwrap();
            let status = response.status();
            if methods.split(", ").any(|m| m == method) {
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                let is_problem = response
                    .headers()
                    .get("content-type")
                    .is_some_and(|v| v == PROBLEM_JSON);
                if status == StatusCode::NOT_FOUND && is_problem {
                    let body: serde_json::Value = response.json().await.unwrap();
                    let detail = body["detail"].as_str().unwrap_or_default();
                    assert!(
                        !detail.starts_with("no such resource"),
                        "{method} {path}: {detail}"
                    );
                }
            } else {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert_eq!(
                    response.headers()["allow"],
                    allow_header(methods).as_str(),
                    "{path}"
                );
            }
        }
    }
}

/// A tool checking responses against the spec (Prism, a generated client) reads the YAML
/// document as text, since that is what it is; schemathesis parses it first and sees an
/// object. The JSON one is an object to all.
#[test]
fn the_spec_describes_its_own_documents_as_what_they_are() {
    let spec: serde_json::Value =
        serde_norway::from_str(include_str!("../../openapi.yaml")).unwrap();
    let schema = |path: &str, media: &str| {
        spec["paths"][path]["get"]["responses"]["200"]["content"][media]["schema"]["type"].clone()
    };
    assert_eq!(
        schema("/openapi.yaml", "application/yaml"),
        serde_json::json!(["string", "object"])
    );
    assert_eq!(schema("/openapi.json", "application/json"), "object");
}
