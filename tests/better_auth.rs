//! Interop with real Better Auth tokens: `tests/better-auth/issue-tokens.mjs` runs better-auth
//! 1.7 (installed by `npm ci` from the lockfile, here) with the stock `jwt` plugin (EdDSA,
//! JWKS served over loopback HTTP) and with the HS256 sign hook; the tasks example verifies
//! its tokens end to end.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::service::{SECRET, Service};
use common::{Response, fetch};
use serde::Deserialize;

#[derive(Deserialize, Clone)]
struct User {
    id: String,
    token: String,
}

#[derive(Deserialize, Clone)]
struct Fixture {
    origin: String,
    jwks_url: String,
    alice: User,
    bob: User,
    expired: String,
    carol: User,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/better-auth")
}

/// `npm ci` once, when node_modules is missing (a clean clone).
fn npm_ci() {
    let dir = fixture_dir();
    if dir.join("node_modules/.package-lock.json").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .expect("npm is installed (Node 20+ is needed for the Better Auth interop tests)");
    assert!(status.success(), "npm ci failed in tests/better-auth");
}

/// The Node process issuing tokens and serving the JWKS; it exits when this test binary does
/// (its stdin closes).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<(Fixture, Mutex<Child>)> = OnceLock::new();
    &FIXTURE
        .get_or_init(|| {
            npm_ci();
            let mut child = Command::new("node")
                .arg("issue-tokens.mjs")
                .current_dir(fixture_dir())
                .env("BETTER_AUTH_SECRET", SECRET)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("node runs");
            let stdout = child.stdout.take().expect("stdout");
            let line = BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find_map(|line| line.strip_prefix("FIXTURE ").map(str::to_owned))
                .expect("the fixture prints its tokens");
            let fixture: Fixture = serde_json::from_str(&line).expect("fixture JSON");
            (fixture, Mutex::new(child))
        })
        .0
}

/// How many times the JWKS was fetched with `?client=<client>`.
async fn jwks_fetches(fixture: &Fixture, client: &str) -> u64 {
    let addr: SocketAddr = fixture
        .origin
        .trim_start_matches("http://")
        .parse()
        .expect("loopback origin");
    fetch(&format!("/fixture/jwks-fetches?client={client}"))
        .send(addr)
        .await
        .json()["count"]
        .as_u64()
        .expect("count")
}

async fn tasks(addr: SocketAddr, user: &str, token: &str) -> Response {
    fetch(&format!("/api/{user}/tasks"))
        .bearer(token)
        .send(addr)
        .await
}

fn invalid_description(response: &Response) -> &str {
    response.header("www-authenticate").unwrap_or_default()
}

/// The token with its header replaced (the signature no longer matches, or names another key).
fn with_header(token: &str, header: &str) -> String {
    let (_, rest) = token.split_once('.').expect("jws");
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header))
}

#[tokio::test]
async fn stock_and_hs256_tokens_beside_each_other() {
    let f = fixture();
    // Both modes: JWKS from BETTER_AUTH_URL, HS256 from BETTER_AUTH_SECRET.
    let service = Service::start(
        &[],
        &[
            ("BETTER_AUTH_URL", &f.origin),
            ("BETTER_AUTH_SECRET", SECRET),
        ],
    );
    let addr = service.addr;

    // Stock EdDSA tokens, user id in `sub`.
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
    assert_eq!(tasks(addr, &f.bob.id, &f.bob.token).await.status, 200);
    let other = tasks(addr, &f.bob.id, &f.alice.token).await;
    assert_eq!(other.status, 403, "{}", other.body);

    let expired = tasks(addr, &f.alice.id, &f.expired).await;
    assert_eq!(expired.status, 401);
    assert!(
        invalid_description(&expired).contains("the token has expired"),
        "{:?}",
        expired.headers
    );

    // Tampered: one character of the payload changed, the signature kept.
    let mut tampered = f.alice.token.clone().into_bytes();
    let middle = f.alice.token.find('.').expect("jws") + 10;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let response = tasks(addr, &f.alice.id, &tampered).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("invalid_token"));

    // The HS256 sign hook, user id in `uid`.
    assert_eq!(tasks(addr, &f.carol.id, &f.carol.token).await.status, 200);
    assert_eq!(tasks(addr, &f.alice.id, &f.carol.token).await.status, 403);

    // The user-id claim belongs to the key source: an HS256 token with the user id only in
    // `sub` (as stock tokens carry it) is refused, it is not read through `sub`.
    let sub_only = auth_runtime::testing::token_for("ignored")
        .secret(SECRET)
        .without("uid")
        .claim("sub", f.alice.id.as_str())
        .sign();
    let response = tasks(addr, &f.alice.id, &sub_only).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("no user id claim"));

    // Key confusion: an HS256 token "signed" with the public key bytes, or a stock token whose
    // header claims HS256, never meets the JWKS keys.
    let confused = with_header(&f.alice.token, r#"{"alg":"HS256","typ":"JWT"}"#);
    assert_eq!(tasks(addr, &f.alice.id, &confused).await.status, 401);
    let none = with_header(&f.alice.token, r#"{"alg":"none"}"#);
    assert_eq!(tasks(addr, &f.alice.id, &none).await.status, 401);

    let log = service.log();
    assert!(!log.contains(&f.alice.token) && !log.contains(SECRET));
}

#[tokio::test]
async fn unknown_kids_cause_one_rate_limited_refetch() {
    let f = fixture();
    // JWKS mode alone (no secret), with a 1 s refetch interval; the JWKS URL is marked so that
    // the fixture counts this service's fetches apart from the other tests'.
    let client = "rate-limit-test";
    let service = Service::start(
        &[],
        &[
            ("BETTER_AUTH_URL", &f.origin),
            (
                "BETTER_AUTH_JWKS_URL",
                &format!("{}?client={client}", f.jwks_url),
            ),
            ("AUTH_JWKS_MIN_REFETCH_SECS", "1"),
        ],
    );
    let addr = service.addr;
    let header = |kid: &str| format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#);

    // The first request loads the JWKS.
    let before = jwks_fetches(f, client).await;
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
    assert_eq!(jwks_fetches(f, client).await, before + 1);

    // Within the interval, a flood of unknown kids fetches nothing more.
    for i in 0..50 {
        let forged = with_header(&f.alice.token, &header(&format!("random-kid-{i}")));
        let response = tasks(addr, &f.alice.id, &forged).await;
        assert_eq!(response.status, 401);
        assert!(invalid_description(&response).contains("signing key is unknown"));
    }
    assert_eq!(jwks_fetches(f, client).await, before + 1, "rate-limited");

    // Once the interval has passed, one unknown kid causes exactly one refetch, then 401.
    std::thread::sleep(Duration::from_millis(1100));
    let forged = with_header(&f.alice.token, &header("rotated-away"));
    assert_eq!(tasks(addr, &f.alice.id, &forged).await.status, 401);
    assert_eq!(tasks(addr, &f.alice.id, &forged).await.status, 401);
    assert_eq!(jwks_fetches(f, client).await, before + 2);

    // A token without kid is refused in JWKS mode; HS256 tokens are refused without a secret.
    let no_kid = with_header(&f.alice.token, r#"{"alg":"EdDSA"}"#);
    assert_eq!(tasks(addr, &f.alice.id, &no_kid).await.status, 401);
    let response = tasks(addr, &f.carol.id, &f.carol.token).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("algorithm is not accepted"));
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
}

#[tokio::test]
async fn jwks_down_answers_503_and_hs256_keeps_working() {
    let f = fixture();
    // A loopback port with nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let service = Service::start(
        &[],
        &[
            ("BETTER_AUTH_URL", &f.origin),
            ("BETTER_AUTH_JWKS_URL", &format!("{dead}/api/auth/jwks")),
            ("BETTER_AUTH_SECRET", SECRET),
        ],
    );
    let addr = service.addr;
    let response = tasks(addr, &f.alice.id, &f.alice.token).await;
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(
        response.detail(),
        "Authentication is temporarily unavailable"
    );
    assert_eq!(tasks(addr, &f.carol.id, &f.carol.token).await.status, 200);
    assert!(
        service.log().contains("cannot fetch the JWKS"),
        "{}",
        service.log()
    );
}

#[tokio::test]
async fn issuer_and_audience_are_the_better_auth_origin() {
    let f = fixture();
    // The same JWKS, but a service that expects another origin: the tokens are refused.
    let port = f.origin.rsplit(':').next().expect("port");
    let service = Service::start(
        &[],
        &[
            ("BETTER_AUTH_URL", &format!("http://localhost:{port}")),
            ("BETTER_AUTH_JWKS_URL", &f.jwks_url),
        ],
    );
    let response = tasks(service.addr, &f.alice.id, &f.alice.token).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("issuer is not accepted"));

    // A path or trailing slash in BETTER_AUTH_URL does not change the expected origin.
    let service = Service::start(&[], &[("BETTER_AUTH_URL", &format!("{}/", f.origin))]);
    assert_eq!(
        tasks(service.addr, &f.alice.id, &f.alice.token)
            .await
            .status,
        200
    );
}
