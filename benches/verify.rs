//! Micro-benchmarks: the cost of verifying a realistic Better Auth token, beside the physical
//! floor (HMAC-SHA256 with a prepared key + base64url decode + a JSON parse of the claims),
//! beside `jsonwebtoken::decode` with equivalent validation, through a real Router, and for
//! the JWKS (EdDSA) path with a warm cache.
//!
//! `cargo bench --bench verify` (PERFORMANCE.md has the numbers and how to read them).

use std::hint::black_box;

use auth_runtime::testing::{TEST_SECRET, token_for};
use auth_runtime::{Auth, Hs256, authorized};
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

mod support;

use support::{USER, ready};

fn main() {
    divan::main();
}

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

/// This library's verification (header policy, signature, every claim check), with the cache
/// on: the same token again and again, so a cache hit after the first call.
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

/// JWKS mode (`support::setup`): each bench sees first-seen tokens (a unique `jti` each, signed
/// outside the timed loop) or a fixed token with the cache off, beside the fastest bare
/// signature check in the tree for the same bytes (ring where ring has the algorithm, with its
/// key parse, as `UnparsedPublicKey` does it; p521 for ES512), and a cache hit.
mod jwks {
    use super::*;
    use ring::signature::{self as ring_sig, UnparsedPublicKey};
    use support::{next_jti, parts, setup};

    /// A first-seen Ed25519 token through `Auth::verify`: parse, key lookup, ring's Ed25519,
    /// claims, and the cache insert.
    #[divan::bench]
    fn eddsa_first_seen(bencher: divan::Bencher) {
        let setup = setup();
        bencher
            .with_inputs(|| setup.token("ed", next_jti()))
            .bench_refs(|token| ready(setup.auth.verify(black_box(token))).expect("valid"));
    }

    /// ring's Ed25519 alone, over the same kind of bytes.
    #[divan::bench]
    fn eddsa_bare_ring(bencher: divan::Bencher) {
        let setup = setup();
        let key = setup.ed_public();
        bencher
            .with_inputs(|| parts(&setup.token("ed", next_jti())))
            .bench_refs(|(input, signature)| {
                UnparsedPublicKey::new(&ring_sig::ED25519, &key)
                    .verify(black_box(input.as_bytes()), signature)
                    .expect("valid")
            });
    }

    /// ed25519-dalek's `verify_strict` alone (the verifier before ring), over the same bytes.
    #[divan::bench]
    fn eddsa_bare_verify_strict(bencher: divan::Bencher) {
        let setup = setup();
        let key = setup.ed_verifying_key();
        bencher
            .with_inputs(|| parts(&setup.token("ed", next_jti())))
            .bench_refs(|(input, signature)| {
                let signature = ed25519_dalek::Signature::from_slice(signature).expect("64 bytes");
                key.verify_strict(black_box(input.as_bytes()), &signature)
                    .expect("valid")
            });
    }

    /// A token of `kid` through `Auth::verify` with the cache off (signing a fresh token per
    /// iteration would dominate the run): parse, key lookup, signature, claims.
    fn uncached(bencher: divan::Bencher, kid: &str) {
        let setup = setup();
        let token = setup.token(kid, next_jti());
        bencher.bench(|| ready(setup.uncached.verify(black_box(&token))).expect("valid"));
    }

    /// ring's verification of a token of `kid` with `algorithm` and the key's `public` bytes.
    fn bare_ring(
        bencher: divan::Bencher,
        kid: &str,
        algorithm: &'static dyn ring_sig::VerificationAlgorithm,
        public: &[u8],
    ) {
        let setup = setup();
        let (input, signature) = parts(&setup.token(kid, next_jti()));
        bencher.bench(|| {
            UnparsedPublicKey::new(algorithm, public)
                .verify(black_box(input.as_bytes()), &signature)
                .expect("valid")
        });
    }

    /// ring's RSA verification of a token of `kid` with `params`.
    fn bare_ring_rsa(bencher: divan::Bencher, kid: &str, params: &'static ring_sig::RsaParameters) {
        let setup = setup();
        let (input, signature) = parts(&setup.token(kid, next_jti()));
        let key = ring_sig::RsaPublicKeyComponents {
            n: &setup.rsa_n,
            e: &setup.rsa_e,
        };
        bencher.bench(|| {
            key.verify(params, black_box(input.as_bytes()), &signature)
                .expect("valid")
        });
    }

    #[divan::bench]
    fn es256_uncached(bencher: divan::Bencher) {
        uncached(bencher, "es");
    }

    #[divan::bench]
    fn es256_bare_ring(bencher: divan::Bencher) {
        let point = setup().ec_point("es");
        bare_ring(bencher, "es", &ring_sig::ECDSA_P256_SHA256_FIXED, &point);
    }

    #[divan::bench]
    fn es512_uncached(bencher: divan::Bencher) {
        uncached(bencher, "es512");
    }

    /// p521's ECDSA alone (ring has no P-521).
    #[divan::bench]
    fn es512_bare_p521(bencher: divan::Bencher) {
        let setup = setup();
        let key = p521::ecdsa::VerifyingKey::from(&setup.es512);
        let (input, signature) = parts(&setup.token("es512", next_jti()));
        bencher.bench(|| {
            let signature = p521::ecdsa::Signature::from_slice(&signature).expect("r || s");
            p521::ecdsa::signature::Verifier::verify(&key, black_box(input.as_bytes()), &signature)
                .expect("valid")
        });
    }

    /// RS256 (2048-bit) through `Auth::verify` with the cache off.
    #[divan::bench]
    fn rs256_uncached(bencher: divan::Bencher) {
        uncached(bencher, "rs");
    }

    #[divan::bench]
    fn rs256_bare_ring(bencher: divan::Bencher) {
        bare_ring_rsa(bencher, "rs", &ring_sig::RSA_PKCS1_2048_8192_SHA256);
    }

    /// PS256 (2048-bit) through `Auth::verify` with the cache off.
    #[divan::bench]
    fn ps256_uncached(bencher: divan::Bencher) {
        uncached(bencher, "ps");
    }

    #[divan::bench]
    fn ps256_bare_ring(bencher: divan::Bencher) {
        bare_ring_rsa(bencher, "ps", &ring_sig::RSA_PSS_2048_8192_SHA256);
    }

    /// The same stock EdDSA token again and again: a cache hit.
    #[divan::bench]
    fn eddsa_cache_hit(bencher: divan::Bencher) {
        let setup = setup();
        let token = setup.token("ed", next_jti());
        ready(setup.auth.verify(&token)).expect("valid");
        bencher.bench(|| ready(setup.auth.verify(black_box(&token))).expect("valid"));
    }
}

/// HS256 with the cache off: every call verifies (the cost a cache hit is held to).
#[divan::bench]
fn hs256_uncached(bencher: divan::Bencher) {
    let token = token();
    let auth = Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET).issuer(ORIGIN).audience(ORIGIN))
        .token_cache_max_bytes(0)
        .build()
        .expect("valid configuration");
    bencher.bench(|| ready(auth.verify(black_box(&token))).expect("valid"));
}
