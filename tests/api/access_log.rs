//! The access log as an operator reads it: the real binary, its stderr in a file, one line per
//! request with the request's id, a voter's id never written, in text and in JSON.

use crate::helpers::{TestApp, new_voter};
use std::process::{Child, Command, Stdio};

on_both_backends!(
    each_request_leaves_one_line_with_its_id_and_no_voter,
    json_lines_carry_the_same_fields,
    the_access_log_can_be_turned_off_alone
);

/// The service on its own port and the app's database, logging to a file.
struct Logged {
    child: Child,
    base: String,
    log: tempfile::NamedTempFile,
    client: reqwest::Client,
}

impl Logged {
    async fn start(app: &TestApp, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_plaudit"))
            .env("DATABASE_URL", app.database.url())
            .env("PLAUDIT_BIND", format!("127.0.0.1:{port}"))
            .env_remove("PLAUDIT_LOG")
            .env_remove("PLAUDIT_LOG_FORMAT")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let logged = Logged {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            client: reqwest::Client::new(),
        };
        for _ in 0..300 {
            let ready = logged.client.get(logged.url("/readyz")).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return logged;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the service did not start: {}", logged.lines().join("\n"));
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A vote, then its retraction by a path holding the voter's id, each with a known id.
    async fn vote_and_retract(&self, voter: &str) {
        let vote = self
            .client
            .post(self.url("/v1/articles/a1/votes"))
            .header("x-request-id", "trace-vote")
            .json(&serde_json::json!({"voter": voter, "stars": 4}))
            .send()
            .await
            .unwrap();
        assert!(vote.status().is_success(), "{}", vote.status());
        let retract = self
            .client
            .delete(self.url(&format!("/v1/articles/a1/votes/{voter}")))
            .header("x-request-id", "trace-retract")
            .send()
            .await
            .unwrap();
        assert!(retract.status().is_success(), "{}", retract.status());
    }

    /// Stops it as an operator does (SIGTERM: the log thread writes out its queue), then
    /// reads what it wrote.
    fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap();
        self.lines()
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.log.path())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn finished(lines: &[String]) -> Vec<&String> {
    lines
        .iter()
        .filter(|line| line.contains("request finished"))
        .collect()
}

async fn each_request_leaves_one_line_with_its_id_and_no_voter(app: TestApp) {
    let service = Logged::start(&app, &[]).await;
    let voter = new_voter();
    service.vote_and_retract(&voter).await;
    let lines = service.stop();
    let all = lines.join("\n");
    assert!(!all.contains(&voter), "a voter's id was logged:\n{all}");
    let retraction = "INFO request{method=DELETE request_id=trace-retract}: plaudit::access: \
                      request finished path=/v1/articles/a1/votes/{voter} status=204 latency_ms=";
    let finished = finished(&lines);
    assert_eq!(
        finished
            .iter()
            .filter(|line| line.contains(retraction))
            .count(),
        1,
        "{all}"
    );
    assert_eq!(
        finished
            .iter()
            .filter(|line| line.contains("request_id=trace-vote}"))
            .count(),
        1,
        "{all}"
    );
    // Every line is whole: a timestamp, two spaces, a level.
    for line in &lines {
        let (time, _) = line.split_once("  ").unwrap_or_else(|| panic!("{line}"));
        assert!(humantime::parse_rfc3339(time).is_ok(), "{line}");
    }
}

async fn json_lines_carry_the_same_fields(app: TestApp) {
    let service = Logged::start(&app, &[("PLAUDIT_LOG_FORMAT", "json")]).await;
    let voter = new_voter();
    service.vote_and_retract(&voter).await;
    let lines = service.stop();
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let retraction: Vec<_> = parsed
        .iter()
        .filter(|line| line["span"]["request_id"] == "trace-retract")
        .collect();
    assert_eq!(retraction.len(), 1, "{lines:?}");
    let fields = &retraction[0]["fields"];
    assert_eq!(fields["message"], "request finished");
    assert_eq!(fields["path"], "/v1/articles/a1/votes/{voter}");
    assert_eq!(fields["status"], 204);
    assert_eq!(retraction[0]["span"]["method"], "DELETE");
    assert!(!lines.join("\n").contains(&voter));
}

async fn the_access_log_can_be_turned_off_alone(app: TestApp) {
    let service = Logged::start(&app, &[("PLAUDIT_LOG", "info,plaudit::access=off")]).await;
    service.vote_and_retract(&new_voter()).await;
    let lines = service.stop();
    assert!(finished(&lines).is_empty(), "{lines:?}");
    // The rest of the info lines are still there (the start-up's, at least).
    assert!(
        lines.iter().any(|line| line.contains(" INFO ")),
        "{lines:?}"
    );
}
