//! The widget and the demo and docs pages: gzipped at gzip's best level for clients that take
//! it (the widget must stay under 8 KB as sent), plain for the others, one weak ETag for both.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use std::io::Read;

const WIDGET: &str = include_str!("../../static/widget.js");

on_both_backends!(the_widget_is_sent_gzipped_under_8_kb_to_clients_that_accept_it);

async fn the_widget_is_sent_gzipped_under_8_kb_to_clients_that_accept_it(app: TestApp) {
    for accept in ["*", "*, identity;q=0", "br;q=1, gzip;q=0.5"] {
        let response = app
            .client
            .get(app.url("/widget.js"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{accept}"
        );
    }
    let gzipped = app
        .client
        .get(app.url("/widget.js"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["vary"], "Accept-Encoding");
    let etag = gzipped.headers()["etag"].clone();
    let bytes = gzipped.bytes().await.unwrap();
    assert!(
        bytes.len() < 8192,
        "widget.js is {} bytes as sent",
        bytes.len()
    );
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, WIDGET);

    for accept in [
        None,
        Some("identity"),
        Some("gzip;q=0, br"),
        Some("*;q=0, identity"),
    ] {
        let mut request = app.client.get(app.url("/widget.js"));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let plain = request.send().await.unwrap();
        assert!(
            plain.headers().get("content-encoding").is_none(),
            "{accept:?}"
        );
        assert_eq!(plain.headers()["etag"], etag);
        assert_eq!(plain.text().await.unwrap(), WIDGET, "{accept:?}");
    }
    let revalidated = app
        .client
        .get(app.url("/widget.js"))
        .header("accept-encoding", "gzip")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
}
