//! Usefulness reports: rankings that account for vote counts, windows, pages, CSV.

use crate::editors::{editor, key};
use crate::helpers::{TestApp, assert_problem, new_voter};
use plaudit::domain::Scope;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// "lucky": one 5-star vote; "solid": 10 votes averaging 4.8; "weak": 10 votes averaging 1.6.
async fn seed(app: &TestApp, admin: &str) {
    app.vote("lucky", &new_voter(), 5).await;
    for stars in [5, 5, 5, 5, 5, 5, 5, 5, 4, 4] {
        app.vote("solid", &new_voter(), stars).await;
    }
    for stars in [1, 1, 1, 1, 1, 2, 2, 2, 2, 3] {
        app.vote("weak", &new_voter(), stars).await;
    }
    for (article, section) in [
        ("lucky", "sport"),
        ("solid", "economy"),
        ("weak", "economy"),
    ] {
        let meta = json!({ "title": format!("={article}"), "section": section });
        editor(
            app,
            Method::PUT,
            &format!("/v1/articles/{article}"),
            admin,
            Some(meta),
        )
        .await;
    }
}

async fn report(app: &TestApp, key: &str, path: &str) -> Value {
    let response = editor(app, Method::GET, path, key, None).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

fn ids(report: &Value) -> Vec<String> {
    report["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["article_id"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends!(
    many_good_votes_outrank_one_perfect_vote,
    filters_windows_and_pages,
    an_article_report_shows_days_revisions_and_feedback,
    the_summary_totals_sections_and_flags_weak_articles,
    report_lists_come_as_csv_too
);

async fn many_good_votes_outrank_one_perfect_vote(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    seed(&app, &admin).await;
    let by_bayes = report(&app, &admin, "/v1/reports/articles?sort=bayesian_average").await;
    assert_eq!(ids(&by_bayes), ["solid", "lucky", "weak"]);
    let by_raw = report(&app, &admin, "/v1/reports/articles?sort=average").await;
    assert_eq!(ids(&by_raw), ["lucky", "solid", "weak"]);
    let by_wilson = report(
        &app,
        &admin,
        "/v1/reports/articles?sort=wilson_lower_bound&order=asc",
    )
    .await;
    assert_eq!(ids(&by_wilson), ["weak", "lucky", "solid"]);

    // The prior is the mean of all 21 votes: (5 + 48 + 16) / 21.
    let prior = by_bayes["prior"]["mean"].as_f64().unwrap();
    assert!((prior - 69.0 / 21.0).abs() < 1e-9, "{prior}");
    let solid = &by_bayes["articles"][0];
    assert_eq!(solid["count"], 10);
    assert_eq!(solid["average"], 4.8);
    assert_eq!(solid["section"], "economy");
    let bayes = solid["bayesian_average"].as_f64().unwrap();
    assert!(
        (bayes - (10.0 * prior + 48.0) / 20.0).abs() < 1e-9,
        "{bayes}"
    );
    let wilson = solid["wilson_lower_bound"].as_f64().unwrap();
    assert!(wilson > 0.0 && wilson < 1.0, "{wilson}");
    assert_eq!(by_bayes["articles"][2]["low_share"], 0.9);
}

async fn filters_windows_and_pages(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    seed(&app, &admin).await;
    assert_eq!(
        ids(&report(
            &app,
            &admin,
            "/v1/reports/articles?section=economy&sort=count"
        )
        .await)
        .len(),
        2
    );
    assert_eq!(
        ids(&report(&app, &admin, "/v1/reports/articles?min_votes=2").await).len(),
        2
    );
    assert_eq!(
        ids(&report(&app, &admin, "/v1/reports/articles?from=2999-01-01").await).len(),
        0
    );
    assert_eq!(
        ids(&report(&app, &admin, "/v1/reports/articles?to=2000-01-01T00:00:00Z").await).len(),
        0
    );
    assert_eq!(
        ids(&report(
            &app,
            &admin,
            "/v1/reports/articles?from=2000-01-01&to=2999-01-01"
        )
        .await)
        .len(),
        3
    );

    let mut seen = Vec::new();
    let mut path = "/v1/reports/articles?sort=count&limit=2".to_owned();
    loop {
        let page = report(&app, &admin, &path).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/reports/articles?sort=count&limit=2&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(seen, ["solid", "weak", "lucky"]);

    for bad in [
        "limit=501",
        "limit=0",
        "sort=title",
        "order=up",
        "from=yesterday",
        "cursor=zz",
        "colour=red",
        "from=2026-01-02&to=2026-01-01",
    ] {
        let response = editor(
            &app,
            Method::GET,
            &format!("/v1/reports/articles?{bad}"),
            &admin,
            None,
        )
        .await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}

async fn an_article_report_shows_days_revisions_and_feedback(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    let voters: Vec<String> = (0..4).map(|_| new_voter()).collect();
    for (voter, (stars, revision)) in
        voters
            .iter()
            .zip([(1, "v1"), (2, "v1"), (5, "v2"), (4, "v2")])
    {
        app.post_json(
            "/v1/articles/a1/votes",
            &json!({ "voter": voter, "stars": stars, "revision": revision }),
        )
        .await;
    }
    // A reader who changes their vote after the edit moves to the new revision.
    app.post_json(
        "/v1/articles/a1/votes",
        &json!({ "voter": voters[1], "stars": 4, "revision": "v2" }),
    )
    .await;
    app.post_json(
        "/v1/articles/a1/feedback",
        &json!({ "voter": voters[0], "text": "needs sources" }),
    )
    .await;

    let report = report(&app, &admin, "/v1/reports/articles/a1").await;
    assert_eq!(report["figures"]["count"], 4);
    let daily = report["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 1);
    assert_eq!(daily[0]["votes"], 4);
    assert_eq!(daily[0]["average"], 3.5);
    let today = plaudit::time::format(plaudit::store::now_millis());
    assert_eq!(daily[0]["date"], today[..10]);
    let revisions = report["revisions"].as_array().unwrap();
    let by_name =
        |name: &str| revisions.iter().find(|r| r["revision"] == name).unwrap()["figures"].clone();
    assert_eq!(by_name("v1")["count"], 1);
    assert_eq!(by_name("v1")["average"], 1.0);
    assert_eq!(by_name("v2")["count"], 3);
    assert_eq!(report["feedback"][0]["text"], "needs sources");
    assert_problem(
        editor(&app, Method::GET, "/v1/reports/articles/nope", &admin, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn the_summary_totals_sections_and_flags_weak_articles(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    seed(&app, &admin).await;
    let summary = report(&app, &admin, "/v1/reports/summary?min_votes=5").await;
    assert_eq!(summary["articles"], 3);
    assert_eq!(summary["figures"]["count"], 21);
    let sections = summary["sections"].as_array().unwrap();
    let economy = sections.iter().find(|s| s["section"] == "economy").unwrap();
    assert_eq!(economy["articles"], 2);
    assert_eq!(economy["figures"]["count"], 20);
    let attention: Vec<&str> = summary["needs_attention"]["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(attention, ["weak", "solid"]);
}

async fn report_lists_come_as_csv_too(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    seed(&app, &admin).await;
    let response = app
        .client
        .get(app.url("/v1/reports/articles?sort=count"))
        .bearer_auth(&admin)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "{body}");
    assert!(lines[0].starts_with("article_id,title,section,count,average,bayesian_average"));
    // Titles start with "=" in the seed: defused, never a formula.
    assert!(
        lines[1].starts_with("solid,'=solid,economy,10,4.8000,"),
        "{}",
        lines[1]
    );

    let feedback = app
        .client
        .get(app.url("/v1/reports/feedback"))
        .bearer_auth(&admin)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(
        feedback.text().await.unwrap(),
        "id,article_id,stars,revision,text,created_at\r\n"
    );
}
