//! Resident memory of the cache of verified tokens under a flood of distinct valid tokens: a
//! benchmark, not a test (the allocator decides what resident memory is).
//!
//! ```text
//! cargo bench --bench cache_memory -- flood
//! ```
//!
//! Each case runs in a process of its own (this binary, started again), so that one case's
//! freed memory does not hide the next one's growth. A case verifies tokens of one size, each
//! for a new user, through an `Auth` with the default bound (16 MiB), until it has seen four
//! times what the bound holds; it prints the cache's weight, its entries and the growth of
//! the process's resident memory (`VmRSS`), and the ratio of that growth to the bound.

use auth_runtime::testing::{TEST_SECRET, token_for};
use auth_runtime::{Auth, DEFAULT_TOKEN_CACHE_MAX_BYTES, Hs256, MAX_TOKEN_LEN};

const NOW: u64 = 1_900_000_000;
const ORIGIN: &str = "http://localhost:3000";

/// The token sizes measured: a stock Better Auth payload, and the largest token accepted
/// (a user whose `image` is a data URL, up to the 8 KiB limit).
const CASES: [&str; 2] = ["stock", "largest"];

fn main() {
    // `cargo bench` adds `--bench`.
    let mut args = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"));
    match (args.next().as_deref(), args.next()) {
        (Some("flood"), None) => {
            println!("the cache of verified tokens under a flood of distinct valid tokens");
            println!("bound: {DEFAULT_TOKEN_CACHE_MAX_BYTES} bytes (the default)");
            println!(
                "| tokens | token bytes | tokens sent | entries held | cache weight (bytes) | RSS growth (bytes) | RSS growth / bound |"
            );
            println!("|---|---|---|---|---|---|---|");
            for case in CASES {
                let exe = std::env::current_exe().expect("this benchmark's path");
                let output = std::process::Command::new(exe)
                    .args(["case", case])
                    .output()
                    .expect("the case runs");
                assert!(output.status.success(), "case {case} failed");
                print!("{}", String::from_utf8_lossy(&output.stdout));
            }
        }
        (Some("case"), Some(case)) => run_case(&case),
        // `cargo bench` and `cargo test` run every bench target with their own flags: this one
        // only measures when asked to.
        _ => eprintln!("cache_memory: run with `cargo bench --bench cache_memory -- flood`"),
    }
}

/// A Better-Auth-shaped HS256 token for a new user: the whole user object, with `image` of
/// `image_len` bytes.
fn token(i: usize, image_len: usize) -> String {
    let id = format!("user-{i:08}-AbCdEfGhIjKlMnOpQr");
    let image = if image_len == 0 {
        serde_json::Value::Null
    } else {
        format!("data:image/png;base64,{}", "A".repeat(image_len)).into()
    };
    token_for(&id)
        .claim("id", id.as_str())
        .claim("sub", id.as_str())
        .claim("name", "Alice Example")
        .claim("email", format!("{id}@example.com"))
        .claim("emailVerified", false)
        .claim("image", image)
        .claim("createdAt", "2026-12-04T08:00:00.000Z")
        .claim("updatedAt", "2026-12-04T08:00:00.000Z")
        .claim("iat", NOW)
        .claim("exp", NOW + 900)
        .claim("iss", ORIGIN)
        .claim("aud", ORIGIN)
        .sign()
}

/// The longest `image` that keeps the token within [`MAX_TOKEN_LEN`].
fn largest_image() -> usize {
    let base = token(0, 1).len();
    // Base64url turns 3 payload bytes into 4 token bytes.
    let mut image = (MAX_TOKEN_LEN - base) * 3 / 4;
    while token(0, image).len() > MAX_TOKEN_LEN {
        image -= 1;
    }
    image
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

fn run_case(case: &str) {
    let image_len = match case {
        "stock" => 0,
        "largest" => largest_image(),
        _ => panic!("unknown case {case}"),
    };
    let auth = Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET))
        .build()
        .expect("valid configuration");
    let token_len = token(0, image_len).len();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    // Warm-up: the runtime, the allocator's first arenas, the signer.
    runtime.block_on(async {
        for i in 0..100 {
            auth.verify_at(&token(i, image_len), NOW)
                .await
                .expect("valid");
        }
    });
    let before = rss_bytes();
    // Four times as many tokens as the bound holds, each new: the cache fills, then evicts.
    let sent = 4 * DEFAULT_TOKEN_CACHE_MAX_BYTES / token_len;
    runtime.block_on(async {
        for i in 100..100 + sent {
            // Made one at a time and dropped: only the cache keeps what it holds.
            auth.verify_at(&token(i, image_len), NOW)
                .await
                .expect("valid");
        }
    });
    let growth = rss_bytes().saturating_sub(before);
    println!(
        "| {case} | {token_len} | {sent} | {} | {} | {growth} | {:.2} |",
        auth.cached_tokens(),
        auth.cached_bytes(),
        growth as f64 / DEFAULT_TOKEN_CACHE_MAX_BYTES as f64,
    );
}
