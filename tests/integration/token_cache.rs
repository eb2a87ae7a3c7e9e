//! The cache of verified tokens: what a hit is checked against again (the clock, the key that
//! verified the token), what never enters it, and that it stays bounded. The clock is the `now`
//! passed to `Auth::verify_at`; the JWKS comes from a loopback server whose key set the test
//! changes.

use std::sync::{Arc, Mutex};

use auth_runtime::testing::{Ed25519Key, TEST_SECRET, sign_hs256_raw, token_for};
use auth_runtime::{Auth, AuthError, Hs256, Jwks, TokenError};
use serde_json::{Value, json};

const NOW: u64 = 1_900_000_000;
const LEEWAY: u64 = 5;

fn hs256_auth(max_bytes: usize) -> Auth {
    Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET))
        .token_cache_max_bytes(max_bytes)
        .build()
        .expect("valid configuration")
}

fn hs256_token(uid: &str, exp: u64) -> String {
    token_for(uid).claim("iat", NOW).claim("exp", exp).sign()
}

fn invalid(reason: TokenError) -> Result<String, AuthError> {
    Err(AuthError::InvalidToken(reason))
}

async fn user_of(auth: &Auth, token: &str, now: u64) -> Result<String, AuthError> {
    auth.verify_at(token, now)
        .await
        .map(|verified| verified.user_id().to_owned())
}

/// A loopback JWKS endpoint serving whatever key set the test puts in the returned slot.
async fn jwks_server(keys: Vec<Value>) -> (String, Arc<Mutex<Vec<Value>>>) {
    let published = Arc::new(Mutex::new(keys));
    let served = Arc::clone(&published);
    let app = axum::Router::new().route(
        "/api/auth/jwks",
        axum::routing::get(move || {
            let keys = served.lock().expect("not poisoned").clone();
            async move { axum::Json(json!({ "keys": keys })) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (origin, published)
}

/// A Better-Auth-shaped EdDSA token for `sub`, signed by `key` under `kid`.
fn eddsa_token(key: &Ed25519Key, kid: &str, origin: &str, sub: &str) -> String {
    let claims = json!({"sub": sub, "iat": NOW, "exp": NOW + 900, "iss": origin, "aud": origin});
    key.sign_raw(
        format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#).as_bytes(),
        claims.to_string().as_bytes(),
    )
}

#[tokio::test]
async fn a_cached_token_is_refused_once_past_exp() {
    let auth = hs256_auth(1 << 20);
    let token = hs256_token("alice", NOW + 60);
    assert_eq!(user_of(&auth, &token, NOW).await.as_deref(), Ok("alice"));
    assert_eq!(auth.cached_tokens(), 1);
    // A hit within the leeway is still accepted; at exp + leeway it is refused, and dropped.
    assert_eq!(
        user_of(&auth, &token, NOW + 60 + LEEWAY - 1)
            .await
            .as_deref(),
        Ok("alice")
    );
    assert_eq!(
        user_of(&auth, &token, NOW + 60 + LEEWAY).await,
        invalid(TokenError::Expired)
    );
    assert_eq!(auth.cached_tokens(), 0, "an entry never outlives its exp");
    assert_eq!(
        user_of(&auth, &token, NOW + 10_000).await,
        invalid(TokenError::Expired)
    );
}

#[tokio::test]
async fn a_cached_token_is_refused_before_nbf() {
    let auth = hs256_auth(1 << 20);
    let token = token_for("alice")
        .claim("exp", NOW + 900)
        .claim("nbf", NOW)
        .sign();
    assert!(user_of(&auth, &token, NOW).await.is_ok());
    // Verified and cached at NOW; a clock set back before nbf - leeway refuses it again.
    assert_eq!(
        user_of(&auth, &token, NOW - LEEWAY - 1).await,
        invalid(TokenError::NotYetValid)
    );
}

#[tokio::test]
async fn a_token_one_byte_off_a_cached_one_is_verified_afresh() {
    let auth = hs256_auth(1 << 20);
    let token = hs256_token("alice", NOW + 900);
    assert!(user_of(&auth, &token, NOW).await.is_ok());
    for i in 0..token.len() {
        let mut bytes = token.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("ascii");
        if tampered == token {
            continue;
        }
        assert!(
            user_of(&auth, &tampered, NOW).await.is_err(),
            "byte {i} changed was accepted"
        );
    }
    // A refused token never enters the cache.
    assert_eq!(auth.cached_tokens(), 1);
    // The same claims signed with another secret: another token, refused.
    let forged = sign_hs256_raw(
        br#"{"alg":"HS256","typ":"JWT"}"#,
        &token_payload(&token),
        b"another-secret-0123456789-abcdefghijkl",
    );
    assert_eq!(
        user_of(&auth, &forged, NOW).await,
        invalid(TokenError::BadSignature)
    );
}

fn token_payload(token: &str) -> Vec<u8> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("three segments");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url")
}

#[tokio::test]
async fn a_cached_token_is_refused_once_its_key_leaves_the_jwks() {
    let old = Ed25519Key::rfc8037();
    let new = Ed25519Key::from_seed([7; 32]);
    let (origin, published) = jwks_server(vec![old.jwk("old"), new.jwk("new")]).await;
    let auth = Auth::builder()
        .jwks(Jwks::better_auth(&origin))
        .build()
        .expect("valid configuration");
    let by_old = eddsa_token(&old, "old", &origin, "alice");
    let by_new = eddsa_token(&new, "new", &origin, "bob");
    assert_eq!(user_of(&auth, &by_old, NOW).await.as_deref(), Ok("alice"));
    assert_eq!(user_of(&auth, &by_new, NOW).await.as_deref(), Ok("bob"));
    assert_eq!(auth.cached_tokens(), 2);

    // The same set fetched again keeps both keys, and both cached tokens stay accepted.
    assert_eq!(auth.refetch_jwks().await, Ok(2));
    assert_eq!(user_of(&auth, &by_old, NOW).await.as_deref(), Ok("alice"));
    assert_eq!(auth.cached_tokens(), 2);

    // The old key is rotated out: once the set is refetched, its cached token is refused.
    *published.lock().expect("not poisoned") = vec![new.jwk("new")];
    assert_eq!(
        user_of(&auth, &by_old, NOW).await.as_deref(),
        Ok("alice"),
        "until the set is refetched, the old key is still the published one"
    );
    assert_eq!(auth.refetch_jwks().await, Ok(1));
    assert_eq!(
        user_of(&auth, &by_old, NOW).await,
        invalid(TokenError::UnknownKey)
    );
    assert_eq!(user_of(&auth, &by_new, NOW).await.as_deref(), Ok("bob"));

    // The kid published again with another key: the cached token of the old key is refused.
    *published.lock().expect("not poisoned") = vec![new.jwk("new"), new.jwk("old")];
    assert_eq!(auth.refetch_jwks().await, Ok(2));
    assert_eq!(
        user_of(&auth, &by_old, NOW).await,
        invalid(TokenError::BadSignature)
    );
}

#[tokio::test]
async fn more_tokens_than_the_bound_keep_the_cache_within_its_bytes_and_every_answer_right() {
    const MAX_BYTES: usize = 128 * 1024;
    let auth = hs256_auth(MAX_BYTES);
    let tokens: Vec<(String, String)> = (0..2_000)
        .map(|i| {
            let uid = format!("user-{i}");
            let token = hs256_token(&uid, NOW + 900);
            (uid, token)
        })
        .collect();
    let (mut most_bytes, mut most_tokens) = (0, 0);
    for round in 0..2 {
        for (uid, token) in &tokens {
            assert_eq!(
                user_of(&auth, token, NOW).await.as_deref(),
                Ok(uid.as_str()),
                "round {round}"
            );
            most_bytes = most_bytes.max(auth.cached_bytes());
            most_tokens = most_tokens.max(auth.cached_tokens());
        }
    }
    assert!(
        most_bytes <= MAX_BYTES as u64,
        "the cache weighed {most_bytes} bytes for a bound of {MAX_BYTES}"
    );
    assert!(
        (1..2_000).contains(&most_tokens),
        "the cache held {most_tokens} tokens"
    );
}

/// Better Auth puts the whole user object in the token, and a user edits their `name` and
/// `image`: large tokens weigh more, so fewer of them fit in the same bytes.
#[tokio::test]
async fn large_tokens_weigh_what_they_hold() {
    const MAX_BYTES: usize = 256 * 1024;
    let auth = hs256_auth(MAX_BYTES);
    let image = format!("data:image/png;base64,{}", "A".repeat(5_500));
    let large: Vec<String> = (0..200)
        .map(|i| {
            token_for(&format!("user-{i}"))
                .claim("iat", NOW)
                .claim("exp", NOW + 900)
                .claim("image", image.as_str())
                .sign()
        })
        .collect();
    assert!(
        large
            .iter()
            .all(|t| (7_000..=auth_runtime::limits::MAX_TOKEN_LEN).contains(&t.len()))
    );
    for token in &large {
        assert!(user_of(&auth, token, NOW).await.is_ok());
        assert!(auth.cached_bytes() <= MAX_BYTES as u64);
    }
    let held = auth.cached_tokens();
    // Each weighs its token, its payload twice (what a handler may copy out of it later) and
    // the bookkeeping: more than 2.3 times the token, so at most ~15 of them fit in 256 KiB.
    assert!(
        (1..=16).contains(&held),
        "{held} large tokens held in {MAX_BYTES} bytes"
    );
    assert!(auth.cached_bytes() >= held as u64 * 2 * 7_000);
}

#[tokio::test]
async fn a_bound_of_zero_bytes_answers_exactly_as_the_cache_does() {
    let cached = hs256_auth(1 << 20);
    let uncached = hs256_auth(0);
    let valid = hs256_token("alice", NOW + 60);
    let cases = [
        valid.clone(),
        hs256_token("bob", NOW - 100),
        format!("{valid}x"),
        sign_hs256_raw(br#"{"alg":"HS384"}"#, b"{}", TEST_SECRET.as_bytes()),
        "not a token".to_owned(),
        "a".repeat(9_000),
    ];
    for now in [NOW, NOW + 30, NOW + 65, NOW + 10_000] {
        for token in &cases {
            // Twice: the second call is a hit where the cache is on.
            for _ in 0..2 {
                assert_eq!(
                    user_of(&cached, token, now).await,
                    user_of(&uncached, token, now).await,
                    "at {now}"
                );
            }
        }
    }
    assert_eq!(uncached.cached_tokens(), 0);
}
