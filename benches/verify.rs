//! Micro-benchmarks: the cost of verifying a realistic Better Auth token, beside the physical
//! floor (HMAC-SHA256 with a prepared key + base64url decode + a JSON parse of the claims),
//! beside `jsonwebtoken::decode` with equivalent validation, through a real Router, and for
//! the JWKS (EdDSA) path with a warm cache.
//!
//! `cargo bench --bench verify` (PERFORMANCE.md has the numbers and how to read them).

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use auth_runtime::testing::{Ed25519Key, TEST_SECRET, token_for};
use auth_runtime::{Auth, Hs256, Jwks, authorized};
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::Request;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tower::ServiceExt;

fn main() {
    divan::main();
}

const USER: &str = "mkvPrwH3kBvG3yDD9sOmW6JOXq7UVYJs";
const ORIGIN: &str = "http://localhost:3000";

/// A realistic token: what the HS256 sign hook of Better Auth issues (about 350 bytes).
fn token() -> String {
    token_for(USER)
        .claim("sub", USER)
        .claim("email", "alice.example@example.com")
        .claim("name", "Alice Example")
        .claim("iss", ORIGIN)
        .claim("aud", ORIGIN)
        .sign()
}

fn auth() -> Auth {
    Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET).issuer(ORIGIN).audience(ORIGIN))
        .build()
        .expect("valid configuration")
}

/// Polls a future that never waits (HS256 verification, or JWKS with a warm cache) once.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmarked path waited"),
    }
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorClaims {
    uid: String,
    sub: String,
    email: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

mod floor {
    use super::*;

    #[divan::bench]
    fn hmac_sha256_prepared_key(bencher: divan::Bencher) {
        let token = token();
        let (input, signature) = token.rsplit_once('.').expect("jws");
        let signature = URL_SAFE_NO_PAD.decode(signature).expect("b64");
        let key = Hmac::<Sha256>::new_from_slice(TEST_SECRET.as_bytes()).expect("key");
        bencher.bench(|| {
            let mut mac = key.clone();
            mac.update(black_box(input).as_bytes());
            mac.verify_slice(black_box(&signature)).is_ok()
        });
    }

    #[divan::bench]
    fn base64url_decode_payload(bencher: divan::Bencher) {
        let token = token();
        let payload = token.split('.').nth(1).expect("payload").to_owned();
        bencher.bench(|| URL_SAFE_NO_PAD.decode(black_box(&payload)).expect("b64"));
    }

    #[divan::bench]
    fn serde_json_claims(bencher: divan::Bencher) {
        let token = token();
        let payload = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).expect("payload"))
            .expect("b64");
        bencher.bench(|| serde_json::from_slice::<FloorClaims>(black_box(&payload)).expect("json"));
    }

    #[divan::bench]
    fn split_and_signature_decode(bencher: divan::Bencher) {
        let token = token();
        bencher.bench(|| {
            let token = black_box(&token);
            let (input, signature) = token.rsplit_once('.').expect("jws");
            let mut out = [0u8; 32];
            URL_SAFE_NO_PAD
                .decode_slice(signature, &mut out)
                .expect("b64");
            (input.len(), out)
        });
    }

    /// All four in a row: the floor's sum, measured as one.
    #[divan::bench]
    fn sum(bencher: divan::Bencher) {
        let token = token();
        let key = Hmac::<Sha256>::new_from_slice(TEST_SECRET.as_bytes()).expect("key");
        bencher.bench(|| {
            let token = black_box(&token);
            let (input, signature) = token.rsplit_once('.').expect("jws");
            let mut sig = [0u8; 32];
            URL_SAFE_NO_PAD
                .decode_slice(signature, &mut sig)
                .expect("b64");
            let mut mac = key.clone();
            mac.update(input.as_bytes());
            assert!(mac.verify_slice(&sig).is_ok());
            let payload = URL_SAFE_NO_PAD
                .decode(input.split_once('.').expect("jws").1)
                .expect("b64");
            serde_json::from_slice::<FloorClaims>(&payload).expect("json")
        });
    }
}

/// This library's verification (header policy, signature, every claim check).
#[divan::bench]
fn auth_runtime_verify(bencher: divan::Bencher) {
    let token = token();
    let auth = auth();
    bencher.bench(|| ready(auth.verify(black_box(&token))).expect("valid"));
}

/// `jsonwebtoken::decode` with equivalent validation (HS256 only, exp, iss, aud required).
#[divan::bench]
fn jsonwebtoken_decode(bencher: divan::Bencher) {
    let token = token();
    let key = jsonwebtoken::DecodingKey::from_secret(TEST_SECRET.as_bytes());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_issuer(&[ORIGIN]);
    validation.set_audience(&[ORIGIN]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.leeway = 5;
    bencher.bench(|| {
        jsonwebtoken::decode::<FloorClaims>(black_box(&token), &key, &validation).expect("valid")
    });
}

#[authorized(path_param = "user_id")]
async fn protected(Path(user_id): Path<String>) -> String {
    user_id
}

async fn open(Path(user_id): Path<String>) -> String {
    user_id
}

/// The whole request through a Router: header, verification, ownership, handler, response.
mod router {
    use super::*;

    fn request(path: &str, token: &str) -> Request<Body> {
        Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    }

    #[divan::bench]
    fn protected_route(bencher: divan::Bencher) {
        let token = token();
        let app = Router::new()
            .route("/api/{user_id}/tasks", get(protected))
            .layer(auth().layer());
        let path = format!("/api/{USER}/tasks");
        bencher.bench(|| {
            let response = ready(app.clone().oneshot(request(&path, &token))).expect("infallible");
            assert!(response.status().is_success());
        });
    }

    /// The same router and handler body without the attribute: the difference is our cost.
    #[divan::bench]
    fn unprotected_route(bencher: divan::Bencher) {
        let token = token();
        let app = Router::new()
            .route("/api/{user_id}/tasks", get(open))
            .layer(auth().layer());
        let path = format!("/api/{USER}/tasks");
        bencher.bench(|| {
            let response = ready(app.clone().oneshot(request(&path, &token))).expect("infallible");
            assert!(response.status().is_success());
        });
    }
}

/// JWKS mode (EdDSA) with a warm cache: the JWKS is served on loopback and fetched once.
#[divan::bench]
fn jwks_eddsa_warm_cache(bencher: divan::Bencher) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let key = Ed25519Key::rfc8037();
    let jwks = serde_json::json!({"keys": [key.jwk("k1")]});
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().route(
            "/api/auth/jwks",
            get(move || async move { axum::Json(jwks) }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
    let origin = format!("http://{addr}");
    let auth = Auth::builder()
        .jwks(Jwks::better_auth(&origin))
        .build()
        .expect("valid configuration");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = serde_json::json!({"sub": USER, "email": "alice.example@example.com",
        "name": "Alice Example", "iat": now, "exp": now + 900, "iss": origin, "aud": origin});
    let token = key.sign_raw(
        br#"{"alg":"EdDSA","kid":"k1"}"#,
        claims.to_string().as_bytes(),
    );
    rt.block_on(auth.verify(&token))
        .expect("the first call fetches the JWKS");
    bencher.bench(|| ready(auth.verify(black_box(&token))).expect("valid"));
}
