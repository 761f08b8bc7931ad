//! Random requests (paths, methods, headers, bodies) against the real app: none may get a 5xx
//! or bring the server down. Generated with proptest's strategies; the seed varies per run, and
//! a failure prints the request that caused it.

use crate::editors::key;
use crate::helpers::TestApp;
use plaudit::domain::Scope;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Cases per backend; CI runs both, so twice this many requests.
const CASES: usize = 1000;

#[derive(Debug, Clone)]
struct RawRequest {
    method: &'static str,
    path: String,
    content_type: Option<String>,
    authorized: bool,
    body: Vec<u8>,
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a1".to_owned()),
        Just(uuid::Uuid::nil().to_string()),
        "[A-Za-z0-9._:-]{0,140}",
        "\\PC{0,20}".prop_map(|s| s
            .chars()
            .map(|c| format!("%{:02X}", u32::from(c) % 256))
            .collect()),
        "[%/?#&=+ a-z0-9]{0,20}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    let templates = prop::sample::select(vec![
        "/v1/articles/{}/votes",
        "/v1/articles/{}/votes/{}",
        "/v1/articles/{}/feedback",
        "/v1/articles/{}/rating",
        "/v1/articles/{}",
        "/v1/ratings?article_id={}&article_id={}",
        "/v1/ratings?{}={}",
        "/v1/reports/articles?sort={}&cursor={}",
        "/v1/reports/articles/{}?from={}",
        "/v1/reports/summary?min_votes={}",
        "/v1/reports/feedback?article_id={}&cursor={}",
        "/v1/reports/audit?limit={}",
        "/{}/{}",
    ]);
    (templates, segment(), segment())
        .prop_map(|(template, a, b)| template.replacen("{}", &a, 1).replacen("{}", &b, 1))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let json_value = prop_oneof![
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
        "\\PC{0,30}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just(format!("\"{}\"", uuid::Uuid::new_v4())),
        Just("[1,2,3]".to_owned()),
        Just("{\"nested\":{\"deep\":[{}]}}".to_owned()),
    ];
    let field = prop::sample::select(vec![
        "voter",
        "stars",
        "text",
        "revision",
        "title",
        "url",
        "section",
        "authors",
        "published_at",
        "extra",
    ]);
    // Near-valid votes and feedback get past the parser to the store.
    let near_valid = (0i64..8, prop::option::of("\\PC{0,80}"), any::<bool>()).prop_map(
        |(stars, text, extra)| {
            let mut body = serde_json::json!({ "voter": uuid::Uuid::new_v4(), "stars": stars });
            if let Some(text) = text {
                body = serde_json::json!({ "voter": uuid::Uuid::nil(), "text": text });
            }
            if extra {
                body["revision"] = serde_json::json!("r1");
            }
            body.to_string().into_bytes()
        },
    );
    prop_oneof![
        3 => near_valid,
        2 => prop::collection::vec((field, json_value), 0..5).prop_map(|fields| {
            let members: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", members.join(",")).into_bytes()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => "\\PC{0,100}".prop_map(String::into_bytes),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "article_id",
        "from",
        "to",
        "section",
        "min_votes",
        "sort",
        "order",
        "limit",
        "cursor",
        "x",
    ]);
    let value = prop_oneof![
        segment(),
        Just("2026-11-01".to_owned()),
        Just("bayesian_average".to_owned()),
        Just("asc".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    prop::collection::vec((key, value), 0..4).prop_map(|pairs| {
        let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    })
}

/// Mostly a method the route takes, so requests get past routing; sometimes anything.
fn target() -> impl Strategy<Value = (&'static str, String)> {
    let operations: Vec<(&'static str, &'static str)> = plaudit::routes::ROUTES
        .iter()
        .flat_map(|(path, methods)| methods.split(", ").map(move |method| (method, *path)))
        .collect();
    let listed = (
        prop::sample::select(operations),
        segment(),
        segment(),
        query(),
    )
        .prop_map(|((method, path), article, voter, query)| {
            (
                method,
                format!(
                    "{}{query}",
                    path.replace("{article_id}", &article)
                        .replace("{voter}", &voter)
                ),
            )
        });
    prop_oneof![4 => listed, 1 => (method(), path())]
}

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
    ])
}

fn request() -> impl Strategy<Value = RawRequest> {
    let content_type = prop::option::of(prop_oneof![
        4 => Just("application/json".to_owned()),
        1 => Just("application/json; charset=utf-8".to_owned()),
        1 => Just("application/problem+json".to_owned()),
        1 => Just("text/plain".to_owned()),
        1 => "[a-z/+;= -]{0,30}",
    ]);
    (target(), content_type, any::<bool>(), body()).prop_map(
        |((method, path), content_type, authorized, body)| RawRequest {
            method,
            path,
            content_type,
            authorized,
            body,
        },
    )
}

on_both_backends!(random_requests_never_get_a_server_error);

async fn random_requests_never_get_a_server_error(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    app.vote("a1", &uuid::Uuid::nil().to_string(), 3).await;
    let mut runner = TestRunner::default();
    let strategy = request();
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..CASES {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
        let Ok(url) = reqwest::Url::parse(&app.url(&case.path)) else {
            continue;
        };
        let mut builder = app.client.request(method, url).body(case.body.clone());
        if let Some(content_type) = &case.content_type {
            builder = builder.header("content-type", content_type.as_str());
        }
        if case.authorized {
            builder = builder.bearer_auth(&admin);
        }
        let response = builder
            .send()
            .await
            .unwrap_or_else(|e| panic!("{case:?}: {e}"));
        let status = response.status();
        assert!(
            !status.is_server_error(),
            "{status} for {case:?}: {:?}",
            response.text().await
        );
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
    }
    assert_eq!(app.get("/healthz").await.status(), reqwest::StatusCode::OK);
    let article = plaudit::domain::ArticleId::parse("a1").unwrap();
    assert_eq!(
        app.store.rating(&article).await.unwrap(),
        app.store.recount(&article).await.unwrap()
    );
    eprintln!("fuzz: {CASES} requests, 0 server errors; statuses {statuses:?}");
}
