//! Quotas shared through Redis: instances on one Redis allow one quota between them, and an
//! instance whose Redis fails goes on limiting by itself, then shares again once it is back.
//!
//! They use the Redis at `PLAUDIT_TEST_REDIS_URL` (default redis://127.0.0.1:6379), each test
//! under a key prefix of its own, so that they neither see nor clear each other's keys.

use crate::helpers::{TestApp, metric_value, new_voter, test_settings};
use plaudit::config::Settings;
use plaudit::startup::Application;
use reqwest::{Response, StatusCode};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

fn redis_url() -> String {
    std::env::var("PLAUDIT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Fails with what to do when the test Redis does not answer, rather than with a count.
async fn require_redis() {
    let url = redis_url();
    let answered = async {
        let client = redis::Client::open(url.as_str()).ok()?;
        let mut redis = client.get_multiplexed_async_connection().await.ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut redis)
            .await
            .ok()
    };
    if tokio::time::timeout(Duration::from_secs(2), answered)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        panic!(
            "these tests need Redis at {url}: start redis-server, or set PLAUDIT_TEST_REDIS_URL"
        );
    }
}

/// Three votes at once, then one a minute, counted in the Redis at `url`.
fn shared_settings(app: &TestApp, url: String) -> Settings {
    let mut settings = test_settings(&app.database);
    settings.abuse.rate_limit_enabled = true;
    settings.abuse.writes_per_minute = 1;
    settings.abuse.writes_burst = 3;
    settings.scale_out.redis_url = Some(url);
    settings.scale_out.redis_key_prefix = format!("plaudit-test:{}:", uuid::Uuid::new_v4());
    settings
}

/// An instance on `settings`, as another server process would be; its address.
async fn instance(settings: &Settings) -> String {
    let application = Application::build(settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run());
    address
}

async fn vote(client: &reqwest::Client, address: &str) -> Response {
    let body = serde_json::json!({ "voter": new_voter(), "stars": 4 });
    client
        .post(format!("{address}/v1/articles/shared/votes"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

on_both_backends!(
    two_instances_on_one_redis_allow_one_quota,
    an_unreachable_redis_at_start_leaves_limits_local,
    a_redis_outage_falls_back_to_local_limits_and_recovers,
    a_silent_redis_delays_no_request_past_its_timeout,
    a_refused_client_is_refused_locally_until_its_wait_ends
);

async fn two_instances_on_one_redis_allow_one_quota(app: TestApp) {
    require_redis().await;
    let settings = shared_settings(&app, redis_url());
    let instances = [instance(&settings).await, instance(&settings).await];
    let client = reqwest::Client::new();
    // Alternating instances: each alone would allow 3, together 3 in all.
    for (n, remaining) in [2, 1, 0].into_iter().enumerate() {
        let response = vote(&client, &instances[n % 2]).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(header(&response, "ratelimit-policy"), "\"votes\";q=3;w=180");
        let state = header(&response, "ratelimit");
        assert!(
            state.starts_with(&format!("\"votes\";r={remaining};t=")),
            "{state}"
        );
    }
    for address in &instances {
        let refused = vote(&client, address).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        // As governor says it: the next vote in a minute, the whole quota in three.
        let retry: u64 = header(&refused, "retry-after").parse().unwrap();
        assert!((59..=60).contains(&retry), "{retry}");
        assert_eq!(header(&refused, "ratelimit-policy"), "\"votes\";q=3;w=180");
        let state = header(&refused, "ratelimit");
        assert!(state.starts_with("\"votes\";r=0;t=1"), "{state}");
    }
    assert_keys_are_hashed_and_expire(&settings.scale_out.redis_key_prefix).await;
}

/// The keys under `prefix` name no address, and go away once the quota is full again (three
/// minutes for three votes at one a minute).
async fn assert_keys_are_hashed_and_expire(prefix: &str) {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    for key in keys {
        assert!(
            !key.contains("127.0.0.1") && !key.contains("7f000001"),
            "{key}"
        );
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut redis)
            .await
            .unwrap();
        assert!(ttl > 0 && ttl <= 180_000, "{key} expires in {ttl} ms");
    }
}

async fn an_unreachable_redis_at_start_leaves_limits_local(app: TestApp) {
    // Nothing listens on port 1: the instance starts anyway and limits by itself.
    let settings = shared_settings(&app, "redis://127.0.0.1:1".into());
    let instances = [instance(&settings).await, instance(&settings).await];
    let client = reqwest::Client::new();
    for address in &instances {
        for _ in 0..3 {
            assert_eq!(vote(&client, address).await.status(), StatusCode::CREATED);
        }
        assert_eq!(
            vote(&client, address).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        let ready = client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            ready.status(),
            StatusCode::OK,
            "Redis must not fail /readyz"
        );
    }
    let page = client
        .get(format!("{}/metrics", instances[0]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metric_value(&page, "plaudit_rate_limit_local_decisions_total") >= 8.0);
}

async fn a_redis_outage_falls_back_to_local_limits_and_recovers(app: TestApp) {
    require_redis().await;
    let proxy = Proxy::start(redis_address()).await;
    let settings = shared_settings(&app, format!("redis://{}", proxy.address));
    let address = instance(&settings).await;
    let client = reqwest::Client::new();

    // One vote counted in Redis: two left of the shared quota.
    assert_eq!(vote(&client, &address).await.status(), StatusCode::CREATED);

    // Redis gone: no error reaches the client, and the instance's own quota of 3 applies.
    proxy.stop();
    let during: Vec<StatusCode> =
        futures::future::join_all((0..4).map(|_| vote(&client, &address)))
            .await
            .iter()
            .map(Response::status)
            .collect();
    let created = during.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = during
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, refused), (3, 1), "{during:?}");

    // Redis back: once the watcher has seen it, Redis decides again, with its two votes left
    // (the local quota, spent, would refuse them).
    proxy.restart().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after: Vec<StatusCode> = [
        vote(&client, &address).await.status(),
        vote(&client, &address).await.status(),
        vote(&client, &address).await.status(),
    ]
    .into();
    assert_eq!(
        after,
        [
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

async fn a_silent_redis_delays_no_request_past_its_timeout(app: TestApp) {
    // Accepts connections and never answers: a Redis that hangs.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut settings = shared_settings(&app, format!("redis://{silent}"));
    settings.scale_out.redis_timeout_ms = 50;
    let address = instance(&settings).await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let started = std::time::Instant::now();
        statuses.push(vote(&client, &address).await.status());
        // 50 ms of waiting for Redis at most; the rest is the vote itself on a busy machine.
        // Without the bound a request would wait for Redis for ever.
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

async fn a_refused_client_is_refused_locally_until_its_wait_ends(app: TestApp) {
    require_redis().await;
    let settings = shared_settings(&app, redis_url());
    let address = instance(&settings).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(vote(&client, &address).await.status(), StatusCode::CREATED);
    }
    assert_eq!(
        vote(&client, &address).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Redis forgets the client: asked again, it would allow. The instance remembers the
    // refusal until its wait ends, so the flood does not reach Redis, and answers alike.
    let redis = redis::Client::open(redis_url()).unwrap();
    let mut redis = redis.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", settings.scale_out.redis_key_prefix))
        .query_async(&mut redis)
        .await
        .unwrap();
    let deleted: i64 = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let refused = vote(&client, &address).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((58..=60).contains(&retry), "{retry}");
}

fn redis_address() -> SocketAddr {
    let url = redis_url();
    let host_port = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    host_port
        .parse()
        .expect("PLAUDIT_TEST_REDIS_URL as redis://ip:port")
}

/// A TCP relay to Redis that can be cut (listener closed, connections dropped) and started
/// again on the same port: a Redis outage for one instance, without touching the shared Redis.
struct Proxy {
    address: SocketAddr,
    upstream: SocketAddr,
    tasks: Arc<Mutex<JoinSet<()>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Self {
            address: listener.local_addr().unwrap(),
            upstream,
            tasks: Arc::default(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (upstream, tasks) = (self.upstream, self.tasks.clone());
        self.tasks.lock().unwrap().spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                tasks.lock().unwrap().spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
    }

    fn stop(&self) {
        self.tasks.lock().unwrap().abort_all();
    }

    async fn restart(&self) {
        let listener = TcpListener::bind(self.address).await.unwrap();
        self.serve(listener);
    }
}
