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

mod support;

use std::hint::black_box;

use auth_runtime::testing::{TEST_SECRET, token_for};
use auth_runtime::{Auth, Hs256};
use support::{parts, ready, setup};

/// Fixed-width `jti`s, so that every token has the same length.
const FIRST_JTI: u64 = 10_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    let n: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    if !["first_seen", "bare", "bare_ring", "cache_hit", "hs256"].contains(&which.as_str()) {
        eprintln!(
            "instructions: run by bench/micro.sh under callgrind (first_seen|bare|bare_ring|cache_hit|hs256 [count])"
        );
        return;
    }
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
        // `cargo bench` and `cargo test` run every bench target with their own flags: this one
        // only measures under callgrind, when bench/micro.sh names a path (checked above).
        _ => {}
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
