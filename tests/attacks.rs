//! The attack suite: the known JWT attacks (jwt_tool's playbook, RFC 8725, other libraries'
//! CVEs) and path tricks, thrown at the real tasks example over loopback HTTP.
//!
//! The service runs in both modes: HS256 with the e2e secret, and JWKS from a loopback server
//! publishing one Ed25519 key (the RFC 8037 test key). Every case states the status it expects
//! and why; where the RFCs allow more than one answer, the choice is written beside the case.
//! Every answer is also checked for what must never happen: a 5xx, a missing
//! `WWW-Authenticate` on a 401, or the token echoed in the body.

use test_support as common;

use auth_runtime::env::{
    ACCESS_TOKEN_ISSUER_VAR, BETTER_AUTH_URL_VAR, JWKS_AUDIENCE_VAR, JWKS_ISSUER_VAR,
    JWKS_USER_ID_CLAIM_VAR, RESOURCE_VAR, SECRET_VAR,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_runtime::testing::{self, Ed25519Key};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::service::{SECRET, Service};
use common::{Request, fetch, request};
use jsonwebtoken::{Algorithm, EncodingKey};
use libtest_mimic::Trial;
use serde_json::{Value, json};

/// RFC 8037 §A.1/A.2: the public half of the Ed25519 key pair published in the RFC
/// (`Ed25519Key::rfc8037()`).
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const KID: &str = "test-key-1";
/// The attacker's key, published with its private part.
const LEAKED_KID: &str = "leaked-key";
/// The attacker's key, published with `key_ops: ["sign"]`.
const SIGN_ONLY_KID: &str = "sign-only-key";
/// The Ed25519 identity point, published as a key.
const SMALL_ORDER_KID: &str = "small-order-key";
/// An ES256 key the test makes at start-up.
const ES256_KID: &str = "es256-key";

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn claims(uid: &str) -> Value {
    json!({"uid": uid, "sub": uid, "iat": now(), "exp": now() + 600})
}

/// `claims(uid)` with `patch` applied: each member set, and `"-name": null` removing `name`.
fn patched(uid: &str, patch: Value) -> Value {
    let mut c = claims(uid);
    for (k, v) in patch.as_object().expect("object") {
        if v.is_null() && k.starts_with('-') {
            c.as_object_mut().expect("object").remove(&k[1..]);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

/// Signs exactly these header and payload bytes (so that malformed JSON can be signed too).
fn sign_with(header: &str, payload: &[u8], key: &EncodingKey, alg: Algorithm) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).expect("sign");
    format!("{input}.{signature}")
}

fn hs(header: &str, payload: &[u8], secret: &[u8]) -> String {
    testing::sign_hs256_raw(header.as_bytes(), payload, secret)
}

fn hs_claims(claims: &Value) -> String {
    hs(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        claims.to_string().as_bytes(),
        SECRET.as_bytes(),
    )
}

/// A validly signed token whose header segment uses the standard alphabet ('+', '/'), which
/// base64url forbids.
fn standard_alphabet_token() -> String {
    let payload = claims("alice").to_string();
    for filler in 0..64 {
        let header = format!(r#"{{"alg":"HS256","x":"{}???"}}"#, "a".repeat(filler));
        let token = hs(&header, payload.as_bytes(), SECRET.as_bytes());
        let (head, rest) = token.split_once('.').expect("jws");
        if head.contains(['-', '_']) {
            return format!("{}.{rest}", head.replace('-', "+").replace('_', "/"));
        }
    }
    unreachable!("'???' encodes to '_' at some alignment")
}

/// Another Ed25519 key than the one the JWKS publishes (the attacker's).
fn attacker_key() -> Ed25519Key {
    Ed25519Key::from_seed(std::array::from_fn(|i| i as u8))
}

fn ed(header: &str, payload: &[u8]) -> String {
    Ed25519Key::rfc8037().sign_raw(header.as_bytes(), payload)
}

fn ed_claims(claims: &Value) -> String {
    ed(
        &format!(r#"{{"alg":"EdDSA","kid":"{KID}"}}"#),
        claims.to_string().as_bytes(),
    )
}

/// The encoding of the Ed25519 identity point (y = 1).
fn identity_point() -> [u8; 32] {
    let mut point = [0u8; 32];
    point[0] = 1;
    point
}

/// The public JWK of an ES256 key, under [`ES256_KID`].
fn es256_jwk(key: &p256::ecdsa::SigningKey) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({
        "kty": "EC", "crv": "P-256", "kid": ES256_KID, "alg": "ES256",
        "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
    })
}

/// An ES256 token of `claims`, its signature's S as signed (`high_s` false) or replaced by
/// n − S (true): both verify, as both do for WebCrypto (which Better Auth signs with).
fn es256_token(key: &p256::ecdsa::SigningKey, claims: &Value, high_s: bool) -> String {
    use p256::ecdsa::signature::Signer as _;
    let input = format!(
        "{}.{}",
        b64(format!(r#"{{"alg":"ES256","kid":"{ES256_KID}"}}"#)),
        b64(claims.to_string())
    );
    // n − S is the other valid signature of the same message; p256 may sign with either.
    let signed: p256::ecdsa::Signature = key.sign(input.as_bytes());
    let low = signed.normalize_s().unwrap_or(signed);
    let signature = if high_s {
        let (r, s) = low.split_scalars();
        p256::ecdsa::Signature::from_scalars(r, -s).expect("a valid signature")
    } else {
        low
    };
    assert_eq!(signature.normalize_s().is_some(), high_s, "the S asked for");
    format!("{input}.{}", b64(signature.to_bytes()))
}

/// A loopback server that publishes the JWKS, and a loopback listener that counts connections
/// (the target of `jku`/`x5u`, which must never be contacted).
async fn jwks_server(es256: Value) -> (SocketAddr, SocketAddr, Arc<AtomicUsize>) {
    // Beside the real key: the attacker's key published with its private part (`d`, as a
    // misconfigured server would leak it), and again restricted to signing by `key_ops`.
    // Neither may ever verify a token.
    let attacker = attacker_key();
    let mut leaked = attacker.jwk(LEAKED_KID);
    leaked["d"] = json!(b64([7u8; 32]));
    let mut sign_only = attacker.jwk(SIGN_ONLY_KID);
    sign_only["key_ops"] = json!(["sign"]);
    let jwks = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": KID, "alg": "EdDSA"},
        leaked,
        sign_only,
        es256,
        // The identity point: of small order, it would "verify" R = identity, S = 0.
        {"kty": "OKP", "crv": "Ed25519", "x": b64(identity_point()), "kid": SMALL_ORDER_KID},
    ]});
    let app = axum::Router::new().route(
        "/api/auth/jwks",
        axum::routing::get(move || async move { axum::Json(jwks) }),
    );
    let jwks_addr = common::serve(app).await;

    let trap = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let trap_addr = trap.local_addr().expect("addr");
    let contacted = Arc::new(AtomicUsize::new(0));
    let counter = contacted.clone();
    tokio::spawn(async move {
        while trap.accept().await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (jwks_addr, trap_addr, contacted)
}

struct Case {
    category: &'static str,
    name: String,
    request: Request,
    expected: u16,
    why: &'static str,
}

struct Suite {
    cases: Vec<Case>,
    category: &'static str,
}

impl Suite {
    fn category(&mut self, name: &'static str) {
        self.category = name;
    }

    fn case(
        &mut self,
        name: impl Into<String>,
        request: Request,
        expected: u16,
        why: &'static str,
    ) {
        self.cases.push(Case {
            category: self.category,
            name: name.into(),
            request,
            expected,
            why,
        });
    }

    /// A GET of alice's tasks with `Authorization: Bearer <token>`.
    fn token(&mut self, name: impl Into<String>, token: &str, expected: u16, why: &'static str) {
        self.case(name, fetch("/api/alice/tasks").bearer(token), expected, why);
    }
}

/// Every case runs against one service (both modes); each is then reported as its own test,
/// named `category::case`, so a failure names the attack.
fn main() -> std::process::ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let trials = runtime.block_on(run_suite());
    libtest_mimic::run(&args, trials).exit_code()
}

/// Runs every case, then the checks that need them all to have run.
async fn run_suite() -> Vec<Trial> {
    let es256 = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let (jwks_addr, trap_addr, contacted) = jwks_server(es256_jwk(&es256)).await;
    let origin = format!("http://{jwks_addr}");
    let service = Service::start(
        &[],
        &[
            (SECRET_VAR, SECRET),
            (BETTER_AUTH_URL_VAR, &origin),
            // Stock-like tokens of the JWKS mode carry iss/aud = origin; these test tokens use uid.
            (JWKS_ISSUER_VAR, "test-issuer"),
            (JWKS_AUDIENCE_VAR, "test-audience"),
            (JWKS_USER_ID_CLAIM_VAR, "uid"),
            // OAuth access tokens (typ at+jwt) for this resource, from this issuer.
            (RESOURCE_VAR, "https://api.test"),
            (ACCESS_TOKEN_ISSUER_VAR, "test-as"),
        ],
    );
    let addr = service.addr;
    let valid = hs_claims(&claims("alice"));
    let (header_b64, rest) = valid.split_once('.').expect("jws");
    let (payload_b64, signature_b64) = rest.split_once('.').expect("jws");
    let mut ed_base = claims("alice");
    ed_base["iss"] = json!("test-issuer");
    ed_base["aud"] = json!("test-audience");
    let ed_valid = ed_claims(&ed_base);
    let hs_header = r#"{"alg":"HS256","typ":"JWT"}"#;

    let mut s = Suite {
        cases: Vec::new(),
        category: "",
    };

    s.category("baseline");
    s.token(
        "valid HS256 token",
        &valid,
        200,
        "the owner with a valid token",
    );
    s.token(
        "valid EdDSA token from the JWKS",
        &ed_valid,
        200,
        "the owner with a valid JWKS token",
    );

    s.category("Authorization header");
    s.case(
        "absent",
        fetch("/api/alice/tasks"),
        401,
        "no credential: 401 without error code (RFC 6750 §3.1)",
    );
    s.case(
        "Basic scheme",
        fetch("/api/alice/tasks").header("Authorization", "Basic YWxpY2U6cGFzcw=="),
        401,
        "another scheme is no bearer credential",
    );
    s.case(
        "Token scheme with a valid JWT",
        fetch("/api/alice/tasks").header("Authorization", format!("Token {valid}")),
        401,
        "only the Bearer scheme carries tokens",
    );
    s.case(
        "scheme in lower case",
        fetch("/api/alice/tasks").header("Authorization", format!("bearer {valid}")),
        200,
        "auth schemes are case-insensitive (RFC 7235 §2.1)",
    );
    s.case(
        "scheme in upper case",
        fetch("/api/alice/tasks").header("Authorization", format!("BEARER {valid}")),
        200,
        "auth schemes are case-insensitive (RFC 7235 §2.1)",
    );
    s.case(
        "several spaces after the scheme",
        fetch("/api/alice/tasks").header("Authorization", format!("Bearer   {valid}")),
        200,
        "RFC 6750 §2.1 allows 1*SP",
    );
    s.case(
        "tab after the scheme",
        fetch("/api/alice/tasks").header("Authorization", format!("Bearer\t{valid}")),
        401,
        "chosen: only SP separates the scheme (RFC 6750 §2.1)",
    );
    s.case(
        "scheme only",
        fetch("/api/alice/tasks").header("Authorization", "Bearer"),
        401,
        "an empty credential is malformed",
    );
    s.case(
        "scheme and a space",
        fetch("/api/alice/tasks").header("Authorization", "Bearer "),
        401,
        "an empty credential is malformed",
    );
    s.case(
        "empty header",
        fetch("/api/alice/tasks").header("Authorization", ""),
        401,
        "no credential",
    );
    s.case(
        "two Authorization headers",
        fetch("/api/alice/tasks").bearer(&valid).bearer(&valid),
        401,
        "chosen: ambiguous credentials are refused, even when equal",
    );
    s.case(
        "two tokens in one header",
        fetch("/api/alice/tasks").header("Authorization", format!("Bearer {valid} {valid}")),
        401,
        "one credential per header",
    );
    s.case(
        "comma-separated credentials",
        fetch("/api/alice/tasks")
            .header("Authorization", format!("Bearer {valid}, Bearer {valid}")),
        401,
        "one credential per header",
    );
    s.case(
        "token only in a cookie",
        fetch("/api/alice/tasks").header(
            "Cookie",
            format!("token={valid}; better-auth.session_token={valid}"),
        ),
        401,
        "cookies are never read",
    );
    s.case(
        "token only in the query string",
        fetch(&format!("/api/alice/tasks?access_token={valid}")),
        401,
        "RFC 6750 §2.3 query tokens are not supported",
    );
    s.case(
        "non-ASCII bytes",
        fetch("/api/alice/tasks").header("Authorization", b"Bearer \xc3\xa9\xff"),
        401,
        "not a b64token",
    );

    s.category("token structure");
    s.token("one segment", header_b64, 401, "a JWS has three segments");
    s.token(
        "two segments",
        &format!("{header_b64}.{payload_b64}"),
        401,
        "a JWS has three segments",
    );
    s.token(
        "four segments",
        &format!("{valid}.{signature_b64}"),
        401,
        "a JWS has three segments",
    );
    s.token(
        "JWE shape (five segments)",
        &format!("{header_b64}.{payload_b64}.{payload_b64}.{payload_b64}.{signature_b64}"),
        401,
        "JWE is not accepted",
    );
    s.token("empty segments", "..", 401, "empty header and payload");
    s.token(
        "empty signature",
        &format!("{header_b64}.{payload_b64}."),
        401,
        "an unsigned token",
    );
    s.token(
        "padding in the header",
        &format!("{header_b64}=.{payload_b64}.{signature_b64}"),
        401,
        "base64url without padding (RFC 7515 §2)",
    );
    s.token(
        "standard base64 alphabet ('+' and '/')",
        &standard_alphabet_token(),
        401,
        "only the base64url alphabet (RFC 7515 §2)",
    );
    s.token(
        "non-base64 characters",
        &format!("{header_b64}.{payload_b64}!.{signature_b64}"),
        401,
        "only the base64url alphabet",
    );
    s.token(
        "header is not JSON",
        &hs(
            "not json",
            claims("alice").to_string().as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "the header must be a JSON object",
    );
    s.token(
        "header is a JSON array",
        &hs(
            r#"["HS256"]"#,
            claims("alice").to_string().as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "the header must be a JSON object",
    );
    s.token(
        "header is a JSON string",
        &hs(
            r#""HS256""#,
            claims("alice").to_string().as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "the header must be a JSON object",
    );
    s.token(
        "payload is not JSON (signed)",
        &hs(hs_header, b"uid=alice", SECRET.as_bytes()),
        401,
        "the claims must be a JSON object",
    );
    s.token(
        "payload is a JSON array (signed)",
        &hs(hs_header, b"[\"alice\"]", SECRET.as_bytes()),
        401,
        "the claims must be a JSON object",
    );
    s.token(
        "payload is invalid UTF-8 (signed)",
        &hs(hs_header, b"{\"uid\":\"\xff\xfe\"}", SECRET.as_bytes()),
        401,
        "JSON is UTF-8",
    );
    s.token(
        "payload with trailing data (signed)",
        &hs(
            hs_header,
            format!("{}{{}}", claims("alice")).as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "exactly one JSON value",
    );

    s.category("algorithm");
    let payload = claims("alice").to_string();
    for none in ["none", "None", "NONE", "nOnE"] {
        s.token(
            format!("alg {none}, no signature"),
            &format!(
                "{}.{}.",
                b64(format!(r#"{{"alg":"{none}"}}"#)),
                b64(&payload)
            ),
            401,
            "unsigned tokens are never accepted",
        );
        s.token(
            format!("alg {none}, HMAC signature kept"),
            &format!(
                "{}.{}.{signature_b64}",
                b64(format!(r#"{{"alg":"{none}"}}"#)),
                payload_b64
            ),
            401,
            "unsigned tokens are never accepted",
        );
    }
    for (alg, jalg) in [("HS384", Algorithm::HS384), ("HS512", Algorithm::HS512)] {
        let token = sign_with(
            &format!(r#"{{"alg":"{alg}"}}"#),
            payload.as_bytes(),
            &EncodingKey::from_secret(SECRET.as_bytes()),
            jalg,
        );
        s.token(
            format!("{alg} with the right secret"),
            &token,
            401,
            "the algorithm is pinned to HS256",
        );
    }
    for alg in ["RS256", "ES256", "EdDSA", "PS256", "hs256", "Hs256"] {
        s.token(
            format!("{alg} header on an HMAC signature"),
            &hs(
                &format!(r#"{{"alg":"{alg}","kid":"{KID}"}}"#),
                payload.as_bytes(),
                SECRET.as_bytes(),
            ),
            401,
            "the header's alg never selects HMAC with another key",
        );
    }
    let public_key = URL_SAFE_NO_PAD.decode(ED_X).expect("x");
    s.token(
        "key confusion: HS256 keyed with the JWKS public key",
        &hs(
            &format!(r#"{{"alg":"HS256","kid":"{KID}"}}"#),
            payload.as_bytes(),
            &public_key,
        ),
        401,
        "HS256 is only checked with the secret",
    );
    s.token(
        "key confusion: HS256 keyed with the public JWK text",
        &hs(hs_header, payload.as_bytes(), ED_X.as_bytes()),
        401,
        "HS256 is only checked with the secret",
    );
    s.token(
        "psychic signature: ES256 with r = s = 0",
        &format!(
            "{}.{}.{}",
            b64(format!(r#"{{"alg":"ES256","kid":"{KID}"}}"#)),
            b64(&payload),
            b64([0u8; 64])
        ),
        401,
        "CVE-2022-21449; and the key is EdDSA, not ES256",
    );
    s.token(
        "EdDSA signature of zeros",
        &format!(
            "{}.{}.{}",
            b64(format!(r#"{{"alg":"EdDSA","kid":"{KID}"}}"#)),
            b64(&payload),
            b64([0u8; 64])
        ),
        401,
        "a forged signature",
    );
    for (kid, why) in [
        (
            LEAKED_KID,
            "a key published with its private part is compromised: never loaded",
        ),
        (
            SIGN_ONLY_KID,
            "a key whose key_ops lack verify is never loaded (RFC 7517 §4.3)",
        ),
    ] {
        s.token(
            format!("signed by the JWKS key {kid}"),
            &attacker_key().sign_raw(
                format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#).as_bytes(),
                ed_base.to_string().as_bytes(),
            ),
            401,
            why,
        );
    }
    s.token(
        "R = identity, S = 0 under the identity key",
        &{
            let input = format!(
                "{}.{}",
                b64(format!(r#"{{"alg":"EdDSA","kid":"{SMALL_ORDER_KID}"}}"#)),
                b64(ed_base.to_string())
            );
            let mut signature = identity_point().to_vec();
            signature.extend([0u8; 32]);
            format!("{input}.{}", b64(signature))
        },
        401,
        "an Ed25519 key of small order is never loaded: it would verify this for any message",
    );
    s.token(
        "ES256 with a low S",
        &es256_token(&es256, &ed_base, false),
        200,
        "a valid ES256 token",
    );
    s.token(
        "ES256 with a high S",
        &es256_token(&es256, &ed_base, true),
        200,
        "kept: WebCrypto (Better Auth's signer) does not normalise S, so half its real tokens are high-S; the twin is not a forgery (same claims, same key)",
    );
    s.token(
        "ES256 header with the EdDSA key's kid",
        &{
            let t = ed_claims(&ed_base);
            let (_, rest) = t.split_once('.').expect("jws");
            format!(
                "{}.{rest}",
                b64(format!(r#"{{"alg":"ES256","kid":"{KID}"}}"#))
            )
        },
        401,
        "each JWKS key is bound to its own algorithm",
    );
    s.token(
        "duplicate alg (none then HS256)",
        &hs(
            r#"{"alg":"none","alg":"HS256"}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "duplicate header members are refused",
    );
    s.token(
        "duplicate alg (HS256 then none)",
        &hs(
            r#"{"alg":"HS256","alg":"none"}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "duplicate header members are refused",
    );
    s.token(
        "an unknown header member given twice",
        &hs(
            r#"{"alg":"HS256","typ":"JWT","x":1,"x":2}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "no header member may be given twice (RFC 7515 §4)",
    );
    s.token(
        "two jku members",
        &hs(
            &format!(
                r#"{{"alg":"HS256","jku":"http://{trap_addr}/a","jku":"http://{trap_addr}/b"}}"#
            ),
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "no header member may be given twice, whatever it is",
    );
    s.token(
        "x5u given twice through an escape",
        &hs(
            &format!(r#"{{"alg":"HS256","x5u":"http://{trap_addr}/","\u0078\u0035u":"x"}}"#),
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "escaped names are the same name",
    );
    s.token(
        "alg as an array",
        &hs(
            r#"{"alg":["HS256"]}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "alg is a string",
    );
    s.token(
        "no alg",
        &hs(r#"{"typ":"JWT"}"#, payload.as_bytes(), SECRET.as_bytes()),
        401,
        "alg is required",
    );

    s.category("signature");
    for weak in [
        "secret",
        "",
        "your-256-bit-secret",
        "better-auth-secret-123456789",
        "changeme",
        SECRET.trim_end_matches('z'),
    ] {
        s.token(
            format!("signed with {weak:?}"),
            &hs(hs_header, payload.as_bytes(), weak.as_bytes()),
            401,
            "only the configured secret verifies",
        );
    }
    s.token(
        "truncated signature",
        &valid[..valid.len() - 4],
        401,
        "the signature is 32 bytes",
    );
    s.token(
        "extended signature",
        &format!("{valid}AAAA"),
        401,
        "the signature is 32 bytes",
    );
    let mut flipped = URL_SAFE_NO_PAD.decode(signature_b64).expect("sig");
    flipped[7] ^= 0x01;
    s.token(
        "one bit of the signature flipped",
        &format!("{header_b64}.{payload_b64}.{}", b64(&flipped)),
        401,
        "HMAC verification",
    );
    s.token(
        "header and payload swapped",
        &format!("{payload_b64}.{header_b64}.{signature_b64}"),
        401,
        "the signature covers both in order",
    );
    let bobs = hs_claims(&claims("bob"));
    s.token(
        "alice's claims with bob's signature",
        &format!(
            "{header_b64}.{payload_b64}.{}",
            bobs.rsplit('.').next().unwrap_or_default()
        ),
        401,
        "a signature belongs to its own signing input",
    );
    s.token(
        "EdDSA token signed with another key",
        &attacker_key().sign_raw(
            format!(r#"{{"alg":"EdDSA","kid":"{KID}"}}"#).as_bytes(),
            ed_base.to_string().as_bytes(),
        ),
        401,
        "only the JWKS key verifies",
    );
    s.token(
        "EdDSA token with an unknown kid",
        &ed(
            r#"{"alg":"EdDSA","kid":"not-in-the-jwks"}"#,
            ed_base.to_string().as_bytes(),
        ),
        401,
        "unknown kid after a rate-limited refetch",
    );
    s.token(
        "EdDSA token without kid",
        &ed(r#"{"alg":"EdDSA"}"#, ed_base.to_string().as_bytes()),
        401,
        "JWKS tokens must name their key",
    );

    s.category("header injection");
    let attacker = b"attacker-secret-attacker-secret!";
    s.token(
        "kid path traversal, signed with an empty key",
        &hs(
            r#"{"alg":"HS256","kid":"../../../../../../dev/null"}"#,
            payload.as_bytes(),
            b"",
        ),
        401,
        "kid never names a file",
    );
    s.token(
        "kid SQL injection",
        &hs(
            r#"{"alg":"HS256","kid":"x' UNION SELECT 'attacker-secret-attacker-secret!' --"}"#,
            payload.as_bytes(),
            attacker,
        ),
        401,
        "kid never reaches a query",
    );
    s.token(
        "kid SQL injection on an EdDSA token",
        &ed(
            r#"{"alg":"EdDSA","kid":"' OR '1'='1"}"#,
            ed_base.to_string().as_bytes(),
        ),
        401,
        "kid is only a map lookup",
    );
    s.token(
        "jku pointing at a loopback listener",
        &hs(
            &format!(r#"{{"alg":"HS256","jku":"http://{trap_addr}/jwks.json"}}"#),
            payload.as_bytes(),
            attacker,
        ),
        401,
        "jku is never followed",
    );
    s.token(
        "x5u pointing at a loopback listener",
        &hs(
            &format!(r#"{{"alg":"HS256","x5u":"http://{trap_addr}/cert.pem"}}"#),
            payload.as_bytes(),
            attacker,
        ),
        401,
        "x5u is never followed",
    );
    s.token(
        "EdDSA with jku pointing at a loopback listener",
        &attacker_key().sign_raw(
            format!(r#"{{"alg":"EdDSA","kid":"attacker","jku":"http://{trap_addr}/jwks"}}"#)
                .as_bytes(),
            ed_base.to_string().as_bytes(),
        ),
        401,
        "jku is never followed",
    );
    s.token("embedded jwk (the attacker's key)", &attacker_key().sign_raw(
            format!(r#"{{"alg":"EdDSA","kid":"{KID}","jwk":{{"kty":"OKP","crv":"Ed25519","x":"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"}}}}"#).as_bytes(),
            ed_base.to_string().as_bytes(),
        ), 401, "an embedded jwk is never trusted");
    s.token(
        "x5c chain",
        &hs(
            r#"{"alg":"HS256","x5c":["MIIB"]}"#,
            payload.as_bytes(),
            attacker,
        ),
        401,
        "x5c is never trusted",
    );
    s.token(
        "crit, validly signed",
        &hs(
            r#"{"alg":"HS256","crit":["exp"]}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "RFC 7515 §4.1.11: unknown critical extensions are refused",
    );
    s.token(
        "b64 false, validly signed",
        &hs(
            r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "RFC 7797 unencoded payloads are not supported",
    );
    s.token(
        "typ JWE",
        &hs(
            r#"{"alg":"HS256","typ":"JWE"}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "chosen: typ, when present, must be JWT",
    );
    s.category("OAuth access tokens");
    // An access token: typ at+jwt, the access-token issuer, this resource, and scopes.
    let at_header = format!(r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{KID}"}}"#);
    let at = |patch: Value| {
        let mut c = patched(
            "alice",
            json!({"iss": "test-as", "aud": "https://api.test", "scope": "tasks:read", "client_id": "test-client"}),
        );
        for (k, v) in patch.as_object().expect("object") {
            c[k] = v.clone();
        }
        ed(&at_header, c.to_string().as_bytes())
    };
    s.token(
        "access token with tasks:read for its user",
        &at(json!({})),
        200,
        "the route names tasks:read: a user-delegated token reads its user's tasks",
    );
    s.token(
        "access token with the session tokens' audience",
        &at(json!({"aud": "test-audience"})),
        401,
        "an access token is held to this resource as its audience, never the session one",
    );
    s.token(
        "access token with the session tokens' issuer",
        &at(json!({"iss": "test-issuer"})),
        401,
        "an access token is held to the access-token issuer",
    );
    s.token(
        "session-typ token with the access token's issuer and audience",
        &ed_claims(&patched(
            "alice",
            json!({"iss": "test-as", "aud": "https://api.test", "scope": "tasks:read"}),
        )),
        401,
        "typ picks the kind: without at+jwt it is a session token, held to the session issuer",
    );
    s.token(
        "access token for another resource",
        &at(json!({"aud": ["https://other.test", "test-audience"]})),
        401,
        "aud must hold this resource",
    );
    s.token(
        "access token without scope",
        &at(json!({"scope": null})),
        401,
        "a scope claim that is not a string is invalid",
    );
    s.token(
        "access token with no scope claim",
        &ed(
            &at_header,
            patched(
                "alice",
                json!({"iss": "test-as", "aud": "https://api.test", "client_id": "test-client"}),
            )
            .to_string()
            .as_bytes(),
        ),
        403,
        "no scope grants nothing: insufficient_scope",
    );
    s.token(
        "access token with a scope that only starts like tasks:read",
        &at(json!({"scope": "tasks:readall TASKS:READ tasks"})),
        403,
        "scopes are compared exactly, one by one",
    );
    s.token(
        "access token with its scopes as an array",
        &at(json!({"scope": ["tasks:read"]})),
        401,
        "RFC 9068: scope is a space-separated string; anything else is an invalid claim",
    );
    s.token(
        "access token of another user",
        &at(json!({"sub": "mallory", "uid": "mallory"})),
        403,
        "the scope adds to the owner rule; it never replaces it",
    );
    s.token(
        "HS256 token typed at+jwt",
        &hs(
            r#"{"alg":"HS256","typ":"at+jwt"}"#,
            patched(
                "alice",
                json!({"iss": "test-as", "aud": "https://api.test", "scope": "tasks:read"}),
            )
            .to_string()
            .as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "Better Auth signs access tokens with its JWKS keys, never the shared secret",
    );
    s.token(
        "access token naming the resource with upper case and a trailing slash",
        &at(json!({"aud": "HTTPS://API.Test/"})),
        200,
        "the MCP spec: scheme and host compared case-insensitively, a trailing slash ignored",
    );
    s.token(
        "access token for a path below the resource",
        &at(json!({"aud": "https://api.test/v1"})),
        401,
        "a longer path is another resource",
    );
    s.token(
        "access token granted only tasks:write reads",
        &at(json!({"scope": "tasks:write"})),
        200,
        "the example's scope hierarchy: tasks:write implies tasks:read",
    );
    s.token(
        "access token with a scope that only starts like tasks:write",
        &at(json!({"scope": "tasks:writer TASKS:WRITE"})),
        403,
        "an implication follows the exact scope: a near miss implies nothing",
    );
    s.token(
        "access token without client_id",
        &at(json!({"client_id": null})),
        401,
        "RFC 9068 requires client_id: without it a client's own token cannot be told from a user's",
    );
    s.token(
        "client_credentials token whose client id is the path's user",
        &at(json!({"sub": "alice", "uid": "alice", "client_id": "alice"})),
        403,
        "a token a client holds for itself (sub = client_id) owns no user's path",
    );
    s.token(
        "access token with an admin role claim on another user's path",
        &at(json!({"sub": "mallory", "uid": "mallory", "role": "admin"})),
        403,
        "an access token's authority is its scopes: its role claim is not read (or_role)",
    );
    s.token(
        "DPoP-bound access token sent as Bearer",
        &at(json!({"cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})),
        401,
        "RFC 9449 §7.1: a key-bound token without its proof is refused, not downgraded to Bearer",
    );
    s.case(
        "access token on a role route",
        fetch("/api/admin/users").bearer(&at(json!({"role": "admin"}))),
        403,
        "a route admits access tokens only by naming their scopes",
    );
    s.case(
        "access token writing with tasks:read",
        request("POST", "/api/alice/tasks")
            .bearer(&at(json!({})))
            .json(r#"{"title":"x"}"#),
        403,
        "writes name tasks:write",
    );
    s.case(
        "session token on a scope-only route",
        fetch("/api/stats").bearer(&ed_valid),
        401,
        "only an access token is admitted there",
    );

    s.token(
        "kid with a valid HS256 signature",
        &hs(
            r#"{"alg":"HS256","kid":"anything"}"#,
            payload.as_bytes(),
            SECRET.as_bytes(),
        ),
        200,
        "kid is ignored in HS256 mode; the signature decides",
    );

    s.category("time claims");
    let with = |patch: Value| hs_claims(&patched("alice", patch));
    let t = now();
    s.token(
        "expired an hour ago",
        &with(json!({"exp": t - 3600})),
        401,
        "exp is in the past",
    );
    s.token(
        "expired beyond the 5 s leeway",
        &with(json!({"exp": t - 30})),
        401,
        "exp is in the past beyond the leeway",
    );
    s.token(
        "exp missing",
        &with(json!({"-exp": null})),
        401,
        "exp is required",
    );
    s.token(
        "exp null",
        &with(json!({"exp": null})),
        401,
        "NumericDate is a number",
    );
    s.token(
        "exp as a string",
        &with(json!({"exp": (t + 600).to_string()})),
        401,
        "NumericDate is a number",
    );
    s.token(
        "exp as a float",
        &with(json!({"exp": (t + 600) as f64 + 0.5})),
        401,
        "chosen: integer NumericDates only (RFC 7519 allows fractions)",
    );
    s.token(
        "exp negative",
        &with(json!({"exp": -1})),
        401,
        "before the epoch",
    );
    s.token(
        "exp zero",
        &with(json!({"exp": 0})),
        401,
        "the epoch is in the past",
    );
    s.token(
        "exp 1e300",
        &with(json!({"exp": 1e300})),
        401,
        "not an integer",
    );
    s.token(
        "exp u64::MAX",
        &with(json!({"exp": u64::MAX})),
        200,
        "chosen: a far-future exp is valid (no overflow); short lifetimes are the issuer's job",
    );
    s.token(
        "nbf in the future",
        &with(json!({"nbf": t + 3600})),
        401,
        "not valid yet",
    );
    s.token(
        "nbf null",
        &with(json!({"nbf": null})),
        401,
        "NumericDate is a number",
    );
    s.token(
        "iat as a string",
        &with(json!({"iat": "today"})),
        401,
        "NumericDate is a number",
    );
    s.token(
        "duplicate exp (expired, then valid)",
        &hs(
            hs_header,
            format!(r#"{{"uid":"alice","exp":{},"exp":{}}}"#, t - 3600, t + 600).as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "duplicate claims are refused (RFC 7519 §4)",
    );
    s.token(
        "an unregistered claim given twice",
        &hs(
            hs_header,
            format!(
                r#"{{"uid":"alice","exp":{},"activeOrganizationId":"org_1","activeOrganizationId":"org_2"}}"#,
                t + 600
            )
            .as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "no claim may be given twice: another parser could read the other value",
    );
    s.token(
        "duplicate exp through an escape",
        &hs(
            hs_header,
            format!(
                r#"{{"uid":"alice","exp":{},"\u0065xp":{}}}"#,
                t + 600,
                t - 3600
            )
            .as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "escaped names are the same name",
    );

    s.category("user-id claim");
    for (label, uid) in [
        ("missing", json!(null)),
        ("null", Value::Null),
        ("a number", json!(42)),
        ("an array", json!(["alice"])),
        ("an object", json!({"id": "alice"})),
        ("a boolean", json!(true)),
        ("empty", json!("")),
        ("whitespace", json!("   ")),
    ] {
        let token = if label == "missing" {
            with(json!({"-uid": null}))
        } else {
            with(json!({"uid": uid}))
        };
        s.token(
            format!("uid {label}"),
            &token,
            401,
            "the user id is a non-empty string",
        );
    }
    s.token(
        "uid in another case",
        &with(json!({"uid": "Alice"})),
        403,
        "exact comparison, no case folding",
    );
    s.token(
        "uid with a Cyrillic homoglyph",
        &with(json!({"uid": "\u{0430}lice"})),
        403,
        "exact comparison, code point by code point",
    );
    s.token(
        "uid with a trailing space",
        &with(json!({"uid": "alice "})),
        403,
        "no trimming",
    );
    s.token(
        "uid alice, sub bob",
        &with(json!({"uid": "alice", "sub": "bob"})),
        200,
        "in HS256 mode the user id is uid; sub is not consulted",
    );
    s.case(
        "uid alice, sub bob, on bob's path",
        fetch("/api/bob/tasks").bearer(&with(json!({"uid": "alice", "sub": "bob"}))),
        403,
        "sub never grants access in HS256 mode",
    );
    s.token(
        "uid nested in a duplicate",
        &hs(
            hs_header,
            format!(r#"{{"uid":"bob","uid":"alice","exp":{}}}"#, t + 600).as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "duplicate claims are refused",
    );

    s.category("roles");
    // mallory is not alice: alice's tasks open to her only as an admin (or_role), and
    // /api/admin/users only to admins (role).
    let mallory = |patch: Value| patched("mallory", patch);
    let admin_claims = mallory(json!({"role": "admin"}));
    let mut ed_admin = admin_claims.clone();
    ed_admin["iss"] = json!("test-issuer");
    ed_admin["aud"] = json!("test-audience");
    let admin = hs_claims(&admin_claims);
    s.token(
        "an admin reads alice's tasks",
        &admin,
        200,
        "or_role = \"admin\" admits admins",
    );
    s.token(
        "an admin of the JWKS reads alice's tasks",
        &ed_claims(&ed_admin),
        200,
        "roles are read in both modes",
    );
    s.token(
        "more roles than the limit, admin among them",
        &hs_claims(&mallory(json!({
            "role": format!("{}admin", "r,".repeat(auth_runtime::limits::MAX_CLAIM_VALUES))
        }))),
        401,
        "a role claim holding more than MAX_CLAIM_VALUES roles is refused (the cache's bound)",
    );
    s.token(
        "an ID token (at_hash) with the session issuer and audience",
        &ed_claims(&patched(
            "alice",
            json!({"iss": "test-issuer", "aud": "test-audience", "at_hash": "x4Bv2_3aW8rZ"}),
        )),
        401,
        "OIDC ID tokens grant nothing at an API, whatever iss and aud say",
    );
    s.token(
        "an HS256 ID token (auth_time)",
        &hs_claims(&patched("alice", json!({"auth_time": now()}))),
        401,
        "refused in both modes",
    );
    s.token(
        "a session token bound to a key (cnf) sent as Bearer",
        &hs_claims(&patched("alice", json!({"cnf": {"jkt": "abc"}}))),
        401,
        "any cnf: the holder must prove the key, which a Bearer request cannot",
    );
    s.case(
        "an admin writes alice's tasks",
        request("POST", "/api/alice/tasks")
            .bearer(&admin)
            .json(r#"{"title":"x"}"#),
        403,
        "writes stay owner-only",
    );
    s.case(
        "no token on the admin route",
        fetch("/api/admin/users"),
        401,
        "401 before any role check",
    );
    s.case(
        "a user's token on the admin route",
        fetch("/api/admin/users").bearer(&hs_claims(&mallory(json!({"role": "user"})))),
        403,
        "insufficient_scope",
    );
    s.token(
        "admin, signed with another secret",
        &hs(
            hs_header,
            admin_claims.to_string().as_bytes(),
            b"another-secret-0123456789-abcdefghijklmnopq",
        ),
        401,
        "a role is read only after the signature verifies",
    );
    s.token(
        "admin, EdDSA signed with another key",
        &attacker_key().sign_raw(
            format!(r#"{{"alg":"EdDSA","kid":"{KID}"}}"#).as_bytes(),
            ed_admin.to_string().as_bytes(),
        ),
        401,
        "only the JWKS key verifies",
    );
    s.token(
        "admin, alg none",
        &format!(
            "{}.{}.",
            b64(r#"{"alg":"none"}"#),
            b64(admin_claims.to_string())
        ),
        401,
        "no unsigned token",
    );
    let mut expired_admin = admin_claims.clone();
    expired_admin["exp"] = json!(t - 600);
    s.token(
        "admin, expired",
        &hs_claims(&expired_admin),
        401,
        "exp first",
    );
    s.token(
        "role in the header",
        &hs(
            r#"{"alg":"HS256","typ":"JWT","role":"admin"}"#,
            claims("mallory").to_string().as_bytes(),
            SECRET.as_bytes(),
        ),
        403,
        "roles come from the payload only",
    );
    s.token(
        "role nested in a user object",
        &hs_claims(&mallory(json!({"user": {"role": "admin"}}))),
        403,
        "the role claim is a top-level claim (the session cache's user.role is not)",
    );
    s.token(
        "role given twice",
        &hs(
            hs_header,
            format!(
                r#"{{"uid":"mallory","exp":{},"role":"user","role":"admin"}}"#,
                t + 600
            )
            .as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "a claim given twice makes the token invalid, roles included",
    );
    s.token(
        "role under another claim name",
        &hs_claims(&mallory(json!({"roles": ["admin"]}))),
        403,
        "only the configured role claim is read",
    );
    for (label, role) in [
        ("in capitals", json!("ADMIN")),
        ("with a NUL", json!("admin\u{0}")),
        ("with a Cyrillic homoglyph", json!("\u{0430}dmin")),
        ("as an object", json!({"admin": true})),
        ("in a nested array", json!([["admin"]])),
        ("as a number", json!(1)),
    ] {
        s.token(
            format!("role {label}"),
            &hs_claims(&mallory(json!({"role": role}))),
            403,
            "roles are compared exactly; other types grant none",
        );
    }
    s.token(
        "role with a trailing comma",
        &hs_claims(&mallory(json!({"role": "admin,"}))),
        200,
        "split on commas, as Better Auth's admin plugin reads it",
    );

    s.category("path");
    let nfc = with(json!({"uid": "jos\u{e9}"}));
    for (path, expected, why) in [
        ("/api/ALICE/tasks", 403, "exact comparison"),
        (
            "/api/%61lice/tasks",
            200,
            "chosen: percent-decoding happens before the comparison, as it does for the handler's Path",
        ),
        (
            "/api/%2561lice/tasks",
            403,
            "decoded once: %2561 is the literal %61",
        ),
        (
            "/api/alice%2Fx/tasks",
            403,
            "an encoded slash stays inside the segment",
        ),
        (
            "/api/alice%00/tasks",
            403,
            "a NUL byte is part of the value",
        ),
        ("/api/alice%20/tasks", 403, "no trimming"),
        (
            "/api/%D0%B0lice/tasks",
            403,
            "a Cyrillic homoglyph is another user",
        ),
        (
            "/api/../api/alice/tasks",
            404,
            "no route matches an un-normalised path",
        ),
        (
            "/api/bob/../alice/tasks",
            404,
            "no route matches an un-normalised path",
        ),
        (
            "/api/alice/tasks/",
            404,
            "a trailing slash is another route",
        ),
        ("/api//tasks", 403, "an empty capture is nobody's user id"),
        (
            "/api/bob/tasks?user_id=alice",
            403,
            "the query string is never consulted",
        ),
        (
            "/api/%ff/tasks",
            400,
            "chosen: invalid UTF-8 does not deserialize into the handler's Path, so it names nobody (400, never the handler)",
        ),
        (
            "/api/bob/tasks/%ff",
            400,
            "a malformed capture on another user's path is refused before the handler",
        ),
        (
            "/api/bob/tasks/1",
            403,
            "the tuple binding's user id is compared, not the task id",
        ),
        (
            "/api/bob/tasks/alice",
            403,
            "a capture equal to the token's user id at another position is not the owner",
        ),
    ] {
        s.case(
            format!("GET {path}"),
            fetch(path).bearer(&valid),
            expected,
            why,
        );
    }
    s.case(
        "NFD path, NFC uid",
        fetch("/api/jose%CC%81/tasks").bearer(&nfc),
        403,
        "no Unicode normalisation",
    );
    s.case(
        "NFC path, NFC uid",
        fetch("/api/jos%C3%A9/tasks").bearer(&nfc),
        200,
        "the same code points",
    );

    s.category("size");
    s.token(
        "a 9 KiB token",
        &"a".repeat(9 * 1024),
        401,
        "tokens over 8 KiB are refused before decoding",
    );
    s.token(
        "a valid signature over a 9 KiB payload",
        &hs(
            hs_header,
            format!(
                r#"{{"uid":"alice","exp":{},"pad":"{}"}}"#,
                t + 600,
                "x".repeat(7000)
            )
            .as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "tokens over 8 KiB are refused before decoding",
    );
    s.token(
        "deeply nested aud (signed)",
        &hs(
            hs_header,
            format!(
                r#"{{"uid":"alice","exp":{},"aud":{}1{}}}"#,
                t + 600,
                "[".repeat(2000),
                "]".repeat(2000)
            )
            .as_bytes(),
            SECRET.as_bytes(),
        ),
        401,
        "serde_json's recursion limit; no stack overflow",
    );
    let mut many = fetch("/api/alice/tasks").bearer(&valid);
    for i in 0..80 {
        many = many.header(&format!("X-Filler-{i}"), "x");
    }
    s.case(
        "80 extra headers",
        many,
        200,
        "ordinary header counts are served",
    );
    s.case(
        "a 10 KiB path segment",
        fetch(&format!("/api/{}/tasks", "a".repeat(10 * 1024))).bearer(&valid),
        403,
        "another user id, however long",
    );
    s.case(
        "a 64 KiB Authorization header",
        fetch("/api/alice/tasks")
            .header("Authorization", format!("Bearer {}", "a".repeat(64 * 1024))),
        401,
        "tokens over 8 KiB are refused before decoding",
    );
    s.case(
        "a 1 MiB Authorization header",
        fetch("/api/alice/tasks").header(
            "Authorization",
            format!("Bearer {}", "a".repeat(1024 * 1024)),
        ),
        431,
        "hyper refuses oversized headers before any handler runs",
    );

    let total = s.cases.len();
    let mut trials = Vec::with_capacity(total + 3);
    let mut names = std::collections::BTreeSet::new();
    for case in s.cases {
        let name = format!("{}::{}", case.category, case.name);
        assert!(names.insert(name.clone()), "two cases are named {name}");
        let outcome = run_case(case, addr).await;
        trials.push(Trial::test(name, move || outcome.map_err(Into::into)));
    }
    let contacts = contacted.load(Ordering::SeqCst);
    trials.push(Trial::test(
        "suite::jku_and_x5u_are_never_contacted",
        move || match contacts {
            0 => Ok(()),
            n => Err(format!("the jku/x5u listener was contacted {n} times").into()),
        },
    ));
    let log = service.log();
    let fetches = log.matches("JWKS fetched").count();
    let compromised: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("private key material"))
        .collect();
    let compromised_logged = match compromised.as_slice() {
        _ if fetches == 0 => Err("the JWKS was never fetched".to_owned()),
        lines if lines.len() != fetches => Err(format!(
            "{} error lines about the leaked key for {fetches} fetches",
            lines.len()
        )),
        lines => match lines
            .iter()
            .find(|line| !line.contains("ERROR") || !line.contains(LEAKED_KID))
        {
            Some(line) => Err(format!("not an error naming the kid: {line}")),
            None => Ok(()),
        },
    };
    trials.push(Trial::test(
        "suite::a_published_private_key_is_logged_as_an_error_once_per_fetch",
        move || compromised_logged.map_err(Into::into),
    ));
    let leaked = log.contains(&valid) || log.contains(SECRET);
    trials.push(Trial::test(
        "suite::no_token_or_secret_in_the_log",
        move || match leaked {
            false => Ok(()),
            true => Err("a token or the secret is in the service's log".into()),
        },
    ));
    trials.push(Trial::test(
        "suite::has_the_documented_194_cases",
        move || match total {
            194 => Ok(()),
            n => Err(format!("the suite has {n} cases: update SECURITY.md and README.md").into()),
        },
    ));
    trials
}

/// Sends one case and checks its answer: the expected status, and never a 5xx, a 401 without
/// a `Bearer` challenge, or the token echoed.
async fn run_case(case: Case, addr: SocketAddr) -> Result<(), String> {
    let token_marker = case.request.authorization_credential();
    let response = case.request.send(addr).await;
    let mut problems = Vec::new();
    if response.status != case.expected {
        problems.push(format!(
            "status {} (expected {}: {})",
            response.status, case.expected, case.why
        ));
    }
    if response.status >= 500 {
        problems.push("a 5xx".to_owned());
    }
    if response.status == 401
        && response
            .header("www-authenticate")
            .is_none_or(|v| !v.starts_with("Bearer"))
    {
        problems.push("401 without WWW-Authenticate: Bearer".to_owned());
    }
    if let Some(token) = token_marker.filter(|t| t.len() >= 16)
        && (response.body.contains(&token)
            || response.headers.iter().any(|(_, v)| v.contains(&token)))
    {
        problems.push("the token is echoed".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
