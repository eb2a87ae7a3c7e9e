//! Instruction counts of the EdDSA paths: deterministic, unlike time on a shared machine.
//! `bench/micro.sh` runs it under callgrind, collecting only inside the `measure_*` functions:
//!
//! ```text
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='instructions::measure_*' \
//!     target/release/deps/instructions-<hash> first_seen 200
//! ```
//!
//! - `first_seen`: 200 stock-shaped EdDSA tokens, each new, through `Auth::verify` (parse, key
//!   lookup, ring's Ed25519, claims, the cache insert).
//! - `bare`: ed25519-dalek's `verify_strict` of 200 tokens of the same size (signature decoded
//!   outside the measured function).
//! - `bare_ring`: ring's Ed25519 verification of the same (what `first_seen` verifies with).
//! - `cache_hit`: one stock EdDSA token verified 200 times after its first verification.
//! - `hs256`: one HS256 token verified 200 times with the cache off.
//! - `route_open`, `route_protected`: 200 requests through an axum router, to one handler
//!   without and with `#[authorized(path_param = "user_id")]`, with one stock EdDSA token
//!   (verified once before, so each request is a cache hit). With `METRICS=1`, a Prometheus
//!   recorder is installed first, so every decision and cache lookup is recorded
//!   (`bench/metrics-cost.sh`).

mod support;

use std::hint::black_box;

use auth_runtime::testing::{TEST_SECRET, token_for};
use auth_runtime::{Auth, Hs256};
use axum::extract::Path;
use axum::routing::get;
use support::{parts, ready, setup};
use tower::ServiceExt as _;

/// Fixed-width `jti`s, so that every token has the same length.
const FIRST_JTI: u64 = 10_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    let n: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    const PATHS: [&str; 7] = [
        "first_seen",
        "bare",
        "bare_ring",
        "cache_hit",
        "hs256",
        "route_open",
        "route_protected",
    ];
    if !PATHS.contains(&which.as_str()) {
        eprintln!(
            "instructions: run by bench/micro.sh under callgrind ({} [count])",
            PATHS.join("|")
        );
        return;
    }
    let _recorder = (std::env::var("METRICS").as_deref() == Ok("1")).then(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .expect("the only recorder")
    });
    let setup = setup();
    let tokens: Vec<String> = (0..n).map(|i| setup.token("ed", FIRST_JTI + i)).collect();
    match which.as_str() {
        "first_seen" => measure_first_seen(&setup.auth, &tokens),
        "bare" => {
            let key = setup.ed_verifying_key();
            let parts: Vec<(String, Vec<u8>)> = tokens.iter().map(|token| parts(token)).collect();
            measure_bare(&key, &parts);
        }
        "bare_ring" => {
            let key = setup.ed_public();
            let parts: Vec<(String, Vec<u8>)> = tokens.iter().map(|token| parts(token)).collect();
            measure_bare_ring(&key, &parts);
        }
        "cache_hit" => {
            let token = &tokens[0];
            ready(setup.auth.verify(token)).expect("valid");
            measure_cache_hit(&setup.auth, token, n);
        }
        "hs256" => {
            let auth = Auth::builder()
                .hs256(Hs256::secret(TEST_SECRET))
                .token_cache_max_bytes(0)
                .build()
                .expect("valid configuration");
            measure_hs256(&auth, &token_for(support::USER).sign(), n);
        }
        "route_open" | "route_protected" => {
            let route = which.trim_start_matches("route_");
            let app = router(&setup.auth);
            let token = &tokens[0];
            let request = || {
                axum::http::Request::get(format!("/{route}/{}/tasks", support::USER))
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .expect("a request")
            };
            // The token verified, the counters registered: the measured requests are hits.
            let first = ready(app.clone().oneshot(request())).expect("infallible");
            assert_eq!(first.status(), 200);
            let requests: Vec<_> = (0..n).map(|_| request()).collect();
            measure_requests(&app, requests);
        }
        // `cargo bench` and `cargo test` run every bench target with their own flags: this one
        // only measures under callgrind, when bench/micro.sh names a path (checked above).
        _ => {}
    }
}

#[auth_runtime::authorized(path_param = "user_id")]
async fn protected(Path(user_id): Path<String>) -> String {
    user_id
}

async fn open(Path(user_id): Path<String>) -> String {
    user_id
}

fn router(auth: &Auth) -> axum::Router {
    axum::Router::new()
        .route(
            auth_runtime::route_path!("/protected/{user_id}/tasks", protected),
            get(protected),
        )
        .route("/open/{user_id}/tasks", get(open))
        .layer(auth.layer())
}

#[inline(never)]
fn measure_requests(app: &axum::Router, requests: Vec<axum::http::Request<axum::body::Body>>) {
    for request in requests {
        let response = ready(app.clone().oneshot(black_box(request))).expect("infallible");
        assert_eq!(response.status(), 200);
        black_box(response);
    }
}

#[inline(never)]
fn measure_first_seen(auth: &Auth, tokens: &[String]) {
    for token in tokens {
        black_box(ready(auth.verify(black_box(token))).expect("valid"));
    }
}

#[inline(never)]
fn measure_bare(key: &ed25519_dalek::VerifyingKey, parts: &[(String, Vec<u8>)]) {
    for (input, signature) in parts {
        let signature = ed25519_dalek::Signature::from_slice(signature).expect("64 bytes");
        key.verify_strict(black_box(input.as_bytes()), &signature)
            .expect("valid");
    }
}

#[inline(never)]
fn measure_bare_ring(key: &[u8; 32], parts: &[(String, Vec<u8>)]) {
    for (input, signature) in parts {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, key)
            .verify(black_box(input.as_bytes()), signature)
            .expect("valid");
    }
}

#[inline(never)]
fn measure_cache_hit(auth: &Auth, token: &str, n: u64) {
    for _ in 0..n {
        black_box(ready(auth.verify(black_box(token))).expect("valid"));
    }
}

#[inline(never)]
fn measure_hs256(auth: &Auth, token: &str, n: u64) {
    for _ in 0..n {
        black_box(ready(auth.verify(black_box(token))).expect("valid"));
    }
}
