//! Metrics, end to end: the example with `METRICS_ADDR`, a known mix of requests (every reason
//! the example's routes can give, owners, an admin, cache hits, a JWKS outage), then a scrape of
//! `/metrics` parsed by a real Prometheus text parser (the Python `prometheus-client`, installed
//! by the test into the target directory) and exact counts per label.

use test_support as common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_runtime::env::{
    AUDIENCE_VAR, BETTER_AUTH_URL_VAR, ISSUER_VAR, JWKS_MIN_REFETCH_VAR, SECRET_VAR,
};
use auth_runtime::testing::{Ed25519Key, sign_hs256_raw, token_for};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::service::{SECRET, Service};
use common::{fetch, request};
use serde_json::{Value, json};

/// The pinned parser, from PyPI.
const PARSER: &str = "prometheus-client==0.21.1";
const ISSUER: &str = "https://auth.metrics.test";
const AUDIENCE: &str = "tasks-api";

/// What the test's JWKS endpoint answers.
#[derive(Clone, Copy)]
enum Jwks {
    /// 503.
    Down,
    /// 200 with a body that is no key set.
    Garbage,
    /// The key set.
    Up,
}

async fn jwks_server(key: &Ed25519Key) -> (String, Arc<Mutex<Jwks>>) {
    let mode = Arc::new(Mutex::new(Jwks::Down));
    let served = Arc::clone(&mode);
    let set = json!({ "keys": [key.jwk("k1")] }).to_string();
    let app = axum::Router::new().route(
        "/api/auth/jwks",
        axum::routing::get(move || {
            let mode = *served.lock().expect("not poisoned");
            let set = set.clone();
            async move {
                match mode {
                    Jwks::Down => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    Jwks::Garbage => "<html>maintenance</html>".into_response(),
                    Jwks::Up => ([("content-type", "application/json")], set).into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (origin, mode)
}

/// An HS256 token with the issuer and audience the service expects.
fn hs(user: &str) -> auth_runtime::testing::TokenBuilder {
    token_for(user)
        .secret(SECRET)
        .claim("iss", ISSUER)
        .claim("aud", AUDIENCE)
}

fn eddsa(key: &Ed25519Key, kid: &str, origin: &str, sub: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = json!({"sub": sub, "iat": now, "exp": now + 900, "iss": origin, "aud": origin});
    key.sign_raw(
        format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#).as_bytes(),
        claims.to_string().as_bytes(),
    )
}

/// What the test expects the service to have counted.
#[derive(Default)]
struct Expected {
    requests: BTreeMap<(&'static str, &'static str), f64>,
    hits: f64,
    misses: f64,
    verified: BTreeMap<&'static str, f64>,
}

impl Expected {
    fn decision(&mut self, outcome: &'static str, reason: &'static str) {
        *self.requests.entry((outcome, reason)).or_default() += 1.0;
    }

    /// A first-seen token whose signature was checked with `alg` (`None`: refused before a
    /// key was at hand: not a JWS, an algorithm or type refused, the JWKS unavailable, an
    /// unknown kid).
    fn miss(&mut self, checked: Option<&'static str>) {
        self.misses += 1.0;
        if let Some(alg) = checked {
            *self.verified.entry(alg).or_default() += 1.0;
        }
    }
}

#[tokio::test]
async fn every_counter_moves_exactly_as_the_mix_predicts() {
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    let key = Ed25519Key::from_seed([7; 32]);
    let (origin, jwks) = jwks_server(&key).await;
    let service = Service::start(
        &[],
        &[
            (SECRET_VAR, SECRET),
            (ISSUER_VAR, ISSUER),
            (AUDIENCE_VAR, AUDIENCE),
            (BETTER_AUTH_URL_VAR, &origin),
            (JWKS_MIN_REFETCH_VAR, "1"),
            ("METRICS_ADDR", "127.0.0.1:0"),
        ],
    );
    let addr = service.addr;
    let metrics_url = service
        .stdout
        .iter()
        .find_map(|line| line.strip_prefix("metrics on "))
        .expect("the service says where its metrics are")
        .to_owned();
    let metrics_addr = metrics_url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .and_then(|addr| addr.parse().ok())
        .expect("http://ADDR/metrics");

    let mut expected = Expected::default();
    let alice = hs("alice").sign();
    let send = async |path: &str, token: Option<&str>, status: u16| {
        let mut req = fetch(path);
        if let Some(token) = token {
            req = req.bearer(token);
        }
        let response = req.send(addr).await;
        assert_eq!(response.status, status, "{path}: {}", response.body);
    };

    // Allowed: the owner (first seen, then twice from the cache), an admin reading alice's
    // tasks and the admin route.
    send("/api/alice/tasks", Some(&alice), 200).await;
    expected.miss(Some("HS256"));
    expected.decision("allowed", "owner");
    for _ in 0..2 {
        send("/api/alice/tasks", Some(&alice), 200).await;
        expected.hits += 1.0;
        expected.decision("allowed", "owner");
    }
    let admin = hs("carol").claim("role", "admin").sign();
    send("/api/alice/tasks", Some(&admin), 200).await;
    expected.miss(Some("HS256"));
    expected.decision("allowed", "role");
    send("/api/admin/users", Some(&admin), 200).await;
    expected.hits += 1.0;
    expected.decision("allowed", "role");

    // Refused after authentication: another user's path, a missing role, a path no handler can
    // read.
    let bob = hs("bob").sign();
    send("/api/alice/tasks/1/complete", None, 405).await; // no decision: the router refuses the method
    let post = request("POST", "/api/alice/tasks")
        .bearer(&bob)
        .json(r#"{"title":"not hers"}"#)
        .send(addr)
        .await;
    assert_eq!(post.status, 403);
    expected.miss(Some("HS256"));
    expected.decision("forbidden", "not_owner");
    send("/api/admin/users", Some(&bob), 403).await;
    expected.hits += 1.0;
    expected.decision("forbidden", "missing_role");
    // Another user's data on an owner-or-admin route: the owner rule's reason, not a role's.
    send("/api/alice/tasks", Some(&bob), 403).await;
    expected.hits += 1.0;
    expected.decision("forbidden", "not_owner");
    send("/api/%FF/tasks", Some(&bob), 400).await;
    expected.hits += 1.0;
    expected.decision("bad_path", "invalid_path");

    // Unauthenticated, one per reason the HS256 source can give.
    send("/api/alice/tasks", None, 401).await;
    expected.decision("unauthenticated", "missing_token");
    send("/api/alice/tasks", Some("garbage"), 401).await;
    expected.miss(None);
    expected.decision("unauthenticated", "malformed");
    let refused: [(String, Option<&'static str>, &'static str); 7] = [
        (hs("alice").expired().sign(), Some("HS256"), "expired"),
        (
            hs("alice").not_yet_valid().sign(),
            Some("HS256"),
            "not_yet_valid",
        ),
        (
            hs("alice")
                .secret("another-secret-0123456789-abcdefghijklmnop")
                .sign(),
            Some("HS256"),
            "bad_signature",
        ),
        (
            hs("alice").claim("iss", "https://elsewhere.test").sign(),
            Some("HS256"),
            "issuer",
        ),
        (
            hs("alice").claim("aud", "another-api").sign(),
            Some("HS256"),
            "audience",
        ),
        (
            sign_hs256_raw(
                br#"{"alg":"HS512"}"#,
                br#"{"uid":"alice"}"#,
                SECRET.as_bytes(),
            ),
            None,
            "algorithm",
        ),
        (
            sign_hs256_raw(
                br#"{"alg":"HS256","typ":"at+jwt"}"#,
                br#"{"uid":"alice"}"#,
                SECRET.as_bytes(),
            ),
            None,
            "type",
        ),
    ];
    for (token, alg, reason) in &refused {
        send("/api/alice/tasks", Some(token), 401).await;
        expected.miss(*alg);
        expected.decision("unauthenticated", reason);
    }

    // The JWKS: down, then garbage (keys unavailable: 503), then up; an unknown kid. The
    // refetch rate limit is 1 s: the test polls (bounded) until the fetch it waits for has
    // happened, as the scrape shows, and counts every request it sent meanwhile.
    let eve = eddsa(&key, "k1", &origin, "eve");
    let stranger = eddsa(&key, "k2", &origin, "eve");
    let mut poll = Poll::new();
    // The first fetch needs no wait: nothing was attempted before.
    send("/api/eve/tasks", Some(&eve), 503).await;
    expected.miss(None);
    expected.decision("unavailable", "keys_unavailable");
    assert_eq!(jwks_fetches(metrics_addr, "http_status").await, 1);

    *jwks.lock().expect("not poisoned") = Jwks::Garbage;
    while jwks_fetches(metrics_addr, "invalid").await == 0 {
        poll.next("a fetch of the garbage key set").await;
        send("/api/eve/tasks", Some(&eve), 503).await;
        expected.miss(None);
        expected.decision("unavailable", "keys_unavailable");
    }

    *jwks.lock().expect("not poisoned") = Jwks::Up;
    loop {
        poll.next("a fetch of the key set").await;
        let status = fetch("/api/eve/tasks").bearer(&eve).send(addr).await.status;
        if status == 200 {
            expected.miss(Some("EdDSA"));
            expected.decision("allowed", "owner");
            break;
        }
        assert_eq!(status, 503);
        expected.miss(None);
        expected.decision("unavailable", "keys_unavailable");
    }
    send("/api/eve/tasks", Some(&eve), 200).await;
    expected.hits += 1.0;
    expected.decision("allowed", "owner");

    // An unknown kid is refused whether or not it may refetch; it does once the limit allows.
    loop {
        send("/api/eve/tasks", Some(&stranger), 401).await;
        expected.miss(None);
        expected.decision("unauthenticated", "unknown_key");
        if jwks_fetches(metrics_addr, "ok").await == 2 {
            break;
        }
        poll.next("a refetch for the unknown kid").await;
    }
    send("/health", None, 200).await; // an open route: no decision

    let scrape = fetch("/metrics").send(metrics_addr).await;
    assert_eq!(scrape.status, 200);
    let samples = parse_exposition(&scrape.body);

    let mut requests = BTreeMap::new();
    for sample in samples.iter().filter(|s| s.name == "auth_requests_total") {
        let key = (sample.label("outcome"), sample.label("reason"));
        assert_eq!(
            sample.labels.len(),
            2,
            "only outcome and reason: {sample:?}"
        );
        requests.insert(key, sample.value);
    }
    let expected_requests: BTreeMap<(String, String), f64> = expected
        .requests
        .iter()
        .map(|((outcome, reason), n)| ((outcome.to_string(), reason.to_string()), *n))
        .collect();
    assert_eq!(requests, expected_requests);

    let one = |name: &str| -> f64 {
        let found: Vec<&Sample> = samples.iter().filter(|s| s.name == name).collect();
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        found[0].value
    };
    assert_eq!(one("auth_token_cache_hits_total"), expected.hits);
    assert_eq!(one("auth_token_cache_misses_total"), expected.misses);
    // alice, carol, bob and eve's EdDSA token: the valid tokens seen.
    assert_eq!(one("auth_token_cache_entries"), 4.0);
    assert_eq!(one("auth_jwks_keys"), 1.0);
    let last_success = one("auth_jwks_last_success_timestamp_seconds");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    assert!(
        started <= last_success && last_success <= now,
        "{last_success}"
    );

    let mut fetches = BTreeMap::new();
    for sample in samples
        .iter()
        .filter(|s| s.name == "auth_jwks_fetches_total")
    {
        fetches.insert(sample.label("result"), sample.value);
    }
    let expected_fetches: BTreeMap<String, f64> =
        [("http_status", 1.0), ("invalid", 1.0), ("ok", 2.0)]
            .into_iter()
            .map(|(result, n)| (result.to_owned(), n))
            .collect();
    assert_eq!(fetches, expected_fetches);

    let mut verified = BTreeMap::new();
    for sample in samples
        .iter()
        .filter(|s| s.name == "auth_verify_seconds_count")
    {
        verified.insert(sample.label("alg"), sample.value);
    }
    let expected_verified: BTreeMap<String, f64> = expected
        .verified
        .iter()
        .map(|(alg, n)| (alg.to_string(), *n))
        .collect();
    assert_eq!(verified, expected_verified);
    // A histogram: cumulative buckets ending in +Inf, which holds every observation.
    for (alg, count) in &expected_verified {
        let inf = samples
            .iter()
            .find(|s| {
                s.name == "auth_verify_seconds_bucket"
                    && s.label("alg") == *alg
                    && s.label("le") == "+Inf"
            })
            .unwrap_or_else(|| panic!("a +Inf bucket for {alg}"));
        assert_eq!(inf.value, *count);
    }

    // No label value is user data: no user id, kid, path or token anywhere in the text.
    for secret in [
        "alice", "bob", "carol", "eve", "k1", "k2", "/api", &alice, &eve,
    ] {
        assert!(!scrape.body.contains(secret), "{secret} in the metrics");
    }
}

/// A bounded poll: a short pause between attempts, and a failure past the bound.
struct Poll {
    deadline: std::time::Instant,
}

impl Poll {
    fn new() -> Poll {
        Poll {
            deadline: std::time::Instant::now() + Duration::from_secs(60),
        }
    }

    async fn next(&mut self, waiting_for: &str) {
        assert!(
            std::time::Instant::now() < self.deadline,
            "no {waiting_for} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `auth_jwks_fetches_total{result}` read off a scrape (the whole text goes through the real
/// parser at the end).
async fn jwks_fetches(metrics: std::net::SocketAddr, result: &str) -> u64 {
    let scrape = fetch("/metrics").send(metrics).await;
    let prefix = format!("auth_jwks_fetches_total{{result=\"{result}\"}} ");
    scrape
        .body
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

#[tokio::test]
async fn without_metrics_addr_nothing_is_served() {
    let service = Service::with_secret();
    assert!(
        !service.stdout.iter().any(|line| line.contains("metrics")),
        "{:?}",
        service.stdout
    );
}

#[test]
fn a_bad_metrics_addr_stops_the_service() {
    let stderr = common::service::refused_at_start_up(&[
        (SECRET_VAR, SECRET),
        ("METRICS_ADDR", "localhost"),
    ]);
    assert!(
        stderr.starts_with("error: METRICS_ADDR is not an address"),
        "{stderr}"
    );
}

/// One sample of the exposition, as the parser read it.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

impl Sample {
    fn label(&self, name: &str) -> String {
        self.labels
            .get(name)
            .unwrap_or_else(|| panic!("no {name} label: {self:?}"))
            .clone()
    }
}

/// Parses the Prometheus text with `prometheus_client.parser` (failing on anything it refuses)
/// and returns every sample.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let output = common::python("metrics/parse.py", PARSER, text.as_bytes());
    assert!(
        output.status.success(),
        "the Prometheus parser refused the exposition: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("JSON from parse.py");
    let families = parsed.as_array().expect("a list of families");
    let types: BTreeMap<&str, &str> = families
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or(""),
                f["type"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for (family, kind) in [
        ("auth_requests", "counter"),
        ("auth_token_cache_hits", "counter"),
        ("auth_token_cache_misses", "counter"),
        ("auth_token_cache_entries", "gauge"),
        ("auth_jwks_fetches", "counter"),
        ("auth_jwks_keys", "gauge"),
        ("auth_jwks_last_success_timestamp_seconds", "gauge"),
        ("auth_verify_seconds", "histogram"),
    ] {
        assert_eq!(types.get(family), Some(&kind), "{family}: {types:?}");
    }
    families
        .iter()
        .flat_map(|family| family["samples"].as_array().cloned().unwrap_or_default())
        .map(|sample| Sample {
            name: sample["name"].as_str().expect("name").to_owned(),
            labels: sample["labels"]
                .as_object()
                .expect("labels")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("a label value").to_owned()))
                .collect(),
            value: sample["value"].as_f64().expect("a value"),
        })
        .collect()
}
