//! The widget's texts in other languages: one JSON file per language, served like widget.js
//! (gzipped, cacheable, revalidated by ETag) and CORS-open, since the widget fetches it from
//! publishers' pages; every file has every text English has, in a shape the widget can use.

use crate::helpers::{PROBLEM_JSON, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;

const WIDGET: &str = include_str!("../../static/widget.js");

/// The language files openapi.yaml lists, which the widget's own list must match.
fn listed_files() -> Vec<String> {
    let spec: Value = serde_norway::from_str(include_str!("../../openapi.yaml")).unwrap();
    let parameters = &spec["paths"]["/widget/lang/{file}"]["parameters"][0];
    parameters["schema"]["enum"]
        .as_array()
        .expect("openapi.yaml lists the language files")
        .iter()
        .map(|file| file.as_str().unwrap().to_owned())
        .collect()
}

/// The English texts, as widget.js holds them: `name: 'text',` lines inside `TEXTS = {`.
fn english_texts() -> Vec<(String, String)> {
    let start = WIDGET.find("const TEXTS = {").expect("widget.js has TEXTS");
    let block = &WIDGET[start..start + WIDGET[start..].find("\n  };").unwrap()];
    block
        .lines()
        .skip(1)
        .map(|line| {
            let (name, rest) = line.trim().split_once(": '").expect("name: 'text'");
            let text = &rest[..rest.rfind('\'').unwrap()];
            (name.to_owned(), text.to_owned())
        })
        .collect()
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

async fn fetch(app: &TestApp, file: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(&format!("/widget/lang/{file}")));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

on_both_backends!(every_language_file_is_served_like_the_widget_and_open_to_any_page);

async fn every_language_file_is_served_like_the_widget_and_open_to_any_page(app: TestApp) {
    let files = listed_files();
    assert_eq!(files.len(), 17, "{files:?}");
    // The widget asks for exactly these: the languages it knows it has, but English.
    let line = WIDGET
        .lines()
        .find(|line| line.contains("const LANGUAGES = '"))
        .unwrap();
    let known: BTreeSet<_> = line.split('\'').nth(1).unwrap().split(' ').collect();
    let served: BTreeSet<_> = files
        .iter()
        .map(|f| f.strip_suffix(".json").unwrap())
        .collect();
    assert_eq!(known.difference(&served).collect::<Vec<_>>(), [&"en"]);
    assert!(served.is_subset(&known));
    for file in &files {
        let response = fetch(
            &app,
            file,
            &[
                ("accept-encoding", "gzip"),
                ("origin", "https://news.example"),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/json; charset=utf-8");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(headers["content-encoding"], "gzip");
        assert_eq!(headers["access-control-allow-origin"], "*");
        let bytes = response.bytes().await.unwrap();
        let mut json = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut json)
            .unwrap();
        let texts: Value = serde_json::from_str(&json).unwrap();
        assert!(texts.is_object(), "{file}");

        let revalidated = fetch(
            &app,
            file,
            &[("if-none-match", headers["etag"].to_str().unwrap())],
        )
        .await;
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED, "{file}");
    }
}

on_both_backends!(a_language_the_widget_does_not_have_is_a_404_problem);

async fn a_language_the_widget_does_not_have_is_a_404_problem(app: TestApp) {
    // English lives in widget.js; the others are not files of this folder.
    for file in [
        "en.json",
        "xx.json",
        "de",
        "DE.json",
        "de.js",
        "..%2Fwidget.js",
        "zh-hant.json",
    ] {
        let response = fetch(&app, file, &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{file}");
        assert_eq!(response.headers()["content-type"], PROBLEM_JSON, "{file}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 404, "{file}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("language file"),
            "{problem}"
        );
    }
    let response = app
        .client
        .post(app.url("/widget/lang/de.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// Every language has every text, with the placeholders the widget fills, five star labels,
/// and vote counts in plural forms the widget can pick from.
#[test]
fn every_language_has_every_text_in_a_shape_the_widget_can_use() {
    let english = english_texts();
    assert!(english.len() >= 20, "{english:?}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/lang");
    for file in listed_files() {
        let json = std::fs::read_to_string(dir.join(&file)).unwrap();
        let texts: serde_json::Map<String, Value> = serde_json::from_str(&json).unwrap();
        let names: Vec<_> = texts.keys().cloned().collect();
        let expected: Vec<_> = english.iter().map(|(name, _)| name.clone()).collect();
        assert_eq!(names, expected, "{file} has the texts English has");
        for (name, english_text) in &english {
            let text = texts[name].as_str().unwrap();
            assert!(!text.trim().is_empty(), "{file} {name}");
            let mut wanted = placeholders(english_text);
            let mut found = placeholders(text);
            if name == "average" {
                // The count may come as {count} or as {votes}, its plural phrase; 5 as {max}.
                found.retain(|p| !["count", "votes", "max"].contains(p));
                wanted.retain(|p| *p != "count");
                assert!(
                    text.contains("{count}") || text.contains("{votes}"),
                    "{file}"
                );
            }
            assert_eq!(found, wanted, "{file} {name}: {text}");
        }
        let stars = texts["stars"].as_str().unwrap();
        assert_eq!(stars.split('|').count(), 5, "{file}: {stars}");
        let votes = texts["votes"].as_str().unwrap();
        let rules = ["zero", "one", "two", "few", "many", "other"];
        for form in votes.split('|') {
            let (rule, _) = form.split_once(':').expect("rule:form");
            assert!(rules.contains(&rule), "{file}: {form}");
        }
        assert!(
            votes.split('|').any(|form| form.starts_with("other:")),
            "{file}"
        );
    }
}
