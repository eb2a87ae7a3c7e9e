//! What the benchmarks share: a loopback JWKS publishing one key of each kind Better Auth signs
//! with by default (Ed25519) or on request (P-256, P-521, RSA-2048 for RS256 and for PS256),
//! `Auth`s that trust it, and stock-shaped tokens signed by each key.

#![allow(dead_code)]

use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use auth_runtime::testing::Ed25519Key;
use auth_runtime::{Auth, Jwks};
use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::{RandomizedSigner as _, Signer as _};
use rsa::signature::SignatureEncoding as _;
use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;

pub const USER: &str = "mkvPrwH3kBvG3yDD9sOmW6JOXq7UVYJs";

/// Polls a future that never waits (HS256 verification, or JWKS with a warm cache) once.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmarked path waited"),
    }
}

pub struct Setup {
    /// Kept alive: the JWKS server runs on it.
    pub rt: tokio::runtime::Runtime,
    pub auth: Auth,
    /// The same key source with the token cache off: every call verifies in full.
    pub uncached: Auth,
    pub origin: String,
    pub ed: Ed25519Key,
    pub es: p256::ecdsa::SigningKey,
    pub es512: p521::ecdsa::SigningKey,
    pub rs: rsa::pkcs1v15::SigningKey<Sha256>,
    pub ps: rsa::pss::SigningKey<Sha256>,
    /// The RSA key's modulus and exponent, big-endian, as ring verifies with them.
    pub rsa_n: Vec<u8>,
    pub rsa_e: Vec<u8>,
}

pub fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let ed = Ed25519Key::rfc8037();
        let es = p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).expect("a scalar");
        let es512 = p521::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let rsa_key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("a key");
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let point = es.verifying_key().to_encoded_point(false);
        let point512 = p521::ecdsa::VerifyingKey::from(&es512).to_encoded_point(false);
        let (rsa_n, rsa_e) = (rsa_key.n().to_bytes_be(), rsa_key.e().to_bytes_be());
        let jwks = serde_json::json!({"keys": [
            ed.jwk("ed"),
            {"kty": "EC", "crv": "P-256", "kid": "es", "alg": "ES256",
             "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y"))},
            {"kty": "EC", "crv": "P-521", "kid": "es512", "alg": "ES512",
             "x": b64(point512.x().expect("x")), "y": b64(point512.y().expect("y"))},
            {"kty": "RSA", "kid": "rs", "alg": "RS256", "n": b64(&rsa_n), "e": b64(&rsa_e)},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": b64(&rsa_n), "e": b64(&rsa_e)},
        ]});
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
        let uncached = Auth::builder()
            .jwks(Jwks::better_auth(&origin))
            .token_cache_max_bytes(0)
            .build()
            .expect("valid configuration");
        let setup = Setup {
            rt,
            auth,
            uncached,
            origin,
            ed,
            es,
            es512,
            rsa_n,
            rsa_e,
            ps: rsa::pss::SigningKey::new(rsa_key.clone()),
            rs: rsa::pkcs1v15::SigningKey::new(rsa_key),
        };
        // The first verification fetches the JWKS; every later one finds it cached.
        let first = setup.token("ed", 0);
        for auth in [&setup.auth, &setup.uncached] {
            setup
                .rt
                .block_on(auth.verify(&first))
                .expect("the JWKS is fetched");
        }
        setup
    })
}

impl Setup {
    /// The public key of the P-256 or P-521 key as SEC 1 uncompressed bytes.
    pub fn ec_point(&self, kid: &str) -> Vec<u8> {
        match kid {
            "es" => self
                .es
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            _ => p521::ecdsa::VerifyingKey::from(&self.es512)
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        }
    }

    /// The Ed25519 public key's bytes.
    pub fn ed_public(&self) -> [u8; 32] {
        *self.ed_verifying_key().as_bytes()
    }

    /// The Ed25519 public key, as ed25519-dalek verifies with it.
    pub fn ed_verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        let x: [u8; 32] = URL_SAFE_NO_PAD
            .decode(self.ed.x())
            .expect("x")
            .try_into()
            .expect("32 bytes");
        ed25519_dalek::VerifyingKey::from_bytes(&x).expect("a key")
    }

    /// A stock-shaped Better Auth token (the whole user object), unique by `jti`.
    pub fn token(&self, kid: &str, jti: u64) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = serde_json::json!({"id": USER, "sub": USER, "name": "Alice Example",
            "email": "alice.example@example.com", "emailVerified": true, "image": null,
            "createdAt": "2026-11-30T10:00:00.000Z", "updatedAt": "2026-11-30T10:00:00.000Z",
            "iat": now, "exp": now + 900, "iss": self.origin, "aud": self.origin, "jti": jti});
        if kid == "ed" {
            return self.ed.sign_raw(
                br#"{"alg":"EdDSA","kid":"ed"}"#,
                claims.to_string().as_bytes(),
            );
        }
        let alg = match kid {
            "es" => "ES256",
            "es512" => "ES512",
            "rs" => "RS256",
            "ps" => "PS256",
            _ => panic!("no key {kid}"),
        };
        let header = format!(r#"{{"alg":"{alg}","kid":"{kid}"}}"#);
        let signing_input = format!("{}.{}", b64(header), b64(claims.to_string()));
        let message = signing_input.as_bytes();
        let signature = match kid {
            "es" => {
                let signature: p256::ecdsa::Signature = self.es.sign(message);
                signature.to_bytes().to_vec()
            }
            "es512" => {
                let signature: p521::ecdsa::Signature =
                    self.es512.sign_with_rng(&mut rand_core::OsRng, message);
                signature.to_bytes().to_vec()
            }
            "rs" => self.rs.sign(message).to_vec(),
            _ => self
                .ps
                .sign_with_rng(&mut rand_core::OsRng, message)
                .to_vec(),
        };
        format!("{signing_input}.{}", b64(signature))
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The signing input and decoded signature of a token: what a bare verification gets.
pub fn parts(token: &str) -> (String, Vec<u8>) {
    let (input, signature) = token.rsplit_once('.').expect("jws");
    (
        input.to_owned(),
        URL_SAFE_NO_PAD.decode(signature).expect("b64"),
    )
}

pub fn next_jti() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
