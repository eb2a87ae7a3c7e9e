//! Resident memory of the cache of verified tokens where users feel it: the tasks example under
//! a flood of distinct valid tokens, with the cache on (the default 16 MiB bound) against off.
//! A benchmark, not a test (the allocator decides what resident memory is).
//!
//! ```text
//! cargo bench --bench cache_memory -- flood
//! ```
//!
//! It builds the example in release mode, serves a JWKS of its own on loopback (Ed25519, as
//! Better Auth's default), and for each token shape starts the example twice, with
//! `AUTH_TOKEN_CACHE_MAX_BYTES` at its default and at 0, both with `MALLOC_ARENA_MAX=1` (one
//! malloc arena, so that glibc's per-thread arenas do not blur the count). It warms each up,
//! reads the process's `VmRSS`, sends four times as many distinct tokens as the bound holds
//! (each for a new user, on another user's path: verified, cached, then refused 403 without a
//! database query), and reads `VmRSS` again. The cache's cost is the growth with the cache
//! minus the growth without it; the table gives it as a fraction of the bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use auth_runtime::limits::{DEFAULT_TOKEN_CACHE_MAX_BYTES, MAX_CLAIM_VALUES};
use auth_runtime::testing::Ed25519Key;
use serde_json::{Value, json};

const KID: &str = "bench-key";

/// The token shapes: a stock Better Auth session token, tokens at the limit of roles and of
/// scopes (one character each), and tokens far past it (refused, so never cached).
const CASES: [(&str, &str); 5] = [
    (
        "stock",
        "a stock Better Auth session token (the whole user object)",
    ),
    ("roles-64", "64 one-character roles (the limit)"),
    (
        "roles-2000",
        "2,000 one-character roles (refused: over the limit)",
    ),
    (
        "scopes-64",
        "an access token with 64 one-character scopes (the limit)",
    ),
    (
        "scopes-2000",
        "an access token with 2,000 one-character scopes (refused)",
    ),
];

fn main() {
    // `cargo bench` adds `--bench`.
    let mut args = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"));
    if args.next().as_deref() != Some("flood") {
        // `cargo bench` and `cargo test` run every bench target with their own flags: this one
        // only measures when asked to.
        eprintln!("cache_memory: run with `cargo bench --bench cache_memory -- flood`");
        return;
    }
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "tasks", "--bin", "tasks"])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the example builds");
    let binary = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/tasks");

    let key = Ed25519Key::from_seed([7; 32]);
    let origin = serve_jwks(json!({ "keys": [key.jwk(KID)] }).to_string());
    println!("the example's resident memory under a flood of distinct valid tokens");
    println!("bound: {DEFAULT_TOKEN_CACHE_MAX_BYTES} bytes (the default); MALLOC_ARENA_MAX=1");
    println!(
        "| tokens | token bytes | tokens sent | answers | RSS growth, cache on (bytes) | RSS growth, cache off (bytes) | (on − off) / bound |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (case, description) in CASES {
        let token_len = token(&key, case, 0, "").len();
        let sent = 4 * DEFAULT_TOKEN_CACHE_MAX_BYTES / token_len;
        let (on, answer) = flood(&binary, &origin, &key, case, sent, None);
        let (off, _) = flood(&binary, &origin, &key, case, sent, Some("0"));
        println!(
            "| {description} | {token_len} | {sent} | {answer} | {on} | {off} | {:.2} |",
            (on as f64 - off as f64) / DEFAULT_TOKEN_CACHE_MAX_BYTES as f64
        );
    }
}

/// Serves `body` at `/api/auth/jwks` on a loopback port, from a thread of its own; returns the
/// origin.
fn serve_jwks(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let body = body.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                // One request per connection: read the head, answer, close.
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let _ = write!(
                    &stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{addr}")
}

/// The token of shape `case` for user number `i`; `resource` is the example's URL (the
/// audience of access tokens).
fn token(key: &Ed25519Key, case: &str, i: usize, resource: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let id = format!("user-{i:08}-AbCdEfGhIjKlMnOpQr");
    let one_char = |n: usize, separator: &str| {
        (0..n)
            .map(|k| char::from(b'a' + (k % 26) as u8).to_string())
            .collect::<Vec<_>>()
            .join(separator)
    };
    let mut claims = json!({
        "id": id, "sub": id, "name": "Alice Example", "email": format!("{id}@example.com"),
        "emailVerified": false, "image": Value::Null,
        "createdAt": "2026-12-04T08:00:00.000Z", "updatedAt": "2026-12-04T08:00:00.000Z",
        "iat": now, "exp": now + 900, "iss": ORIGIN_CLAIM, "aud": ORIGIN_CLAIM,
    });
    let mut header = json!({"alg": "EdDSA", "kid": KID});
    match case {
        "stock" => {}
        "roles-64" => claims["role"] = one_char(MAX_CLAIM_VALUES, ",").into(),
        "roles-2000" => claims["role"] = one_char(2000, ",").into(),
        "scopes-64" | "scopes-2000" => {
            let n = if case == "scopes-64" {
                MAX_CLAIM_VALUES
            } else {
                2000
            };
            header["typ"] = "at+jwt".into();
            claims = json!({
                "sub": id, "client_id": "bench-client", "azp": "bench-client",
                "scope": one_char(n, " "), "iat": now, "exp": now + 900,
                "iss": format!("{ORIGIN_CLAIM}/api/auth"), "aud": resource,
                "jti": format!("jti-{i}"),
            });
        }
        _ => unreachable!("{case}"),
    }
    key.sign_raw(header.to_string().as_bytes(), claims.to_string().as_bytes())
}

/// The `iss`/`aud` of the session tokens: the example is told this is its Better Auth origin.
const ORIGIN_CLAIM: &str = "http://127.0.0.1:1";

/// Starts the example, floods it with `sent` distinct tokens of shape `case`, and returns the
/// growth of its resident memory and the answer it gave (one status for all, or "mixed").
fn flood(
    binary: &std::path::Path,
    jwks_origin: &str,
    key: &Ed25519Key,
    case: &str,
    sent: usize,
    cache_bytes: Option<&str>,
) -> (i64, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let resource = format!("http://127.0.0.1:{port}");
    let dir = std::env::temp_dir().join(format!("cache-memory-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let mut command = Command::new(binary);
    command
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("MALLOC_ARENA_MAX", "1")
        .env("RUST_LOG", "warn")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("BETTER_AUTH_URL", ORIGIN_CLAIM)
        .env(
            "BETTER_AUTH_JWKS_URL",
            format!("{jwks_origin}/api/auth/jwks"),
        )
        .env("AUTH_RESOURCE", &resource)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(bytes) = cache_bytes {
        command.env("AUTH_TOKEN_CACHE_MAX_BYTES", bytes);
    }
    let mut child = command.spawn().expect("the example starts");
    wait_listening(&mut child);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("an address");
    let mut client = Client::connect(addr);
    // Warm-up: the runtime, the allocator's arena, the JWKS fetch, the database pool.
    for i in 0..200 {
        client.get(&token(key, case, i, &resource));
    }
    let before = rss_bytes(child.id());
    let mut statuses = std::collections::BTreeSet::new();
    for i in 200..200 + sent {
        statuses.insert(client.get(&token(key, case, i, &resource)));
    }
    let growth = rss_bytes(child.id()) as i64 - before as i64;
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let answer = match statuses.len() {
        1 => statuses.first().map(u16::to_string).unwrap_or_default(),
        _ => format!("{statuses:?}"),
    };
    (growth, answer)
}

fn wait_listening(child: &mut Child) {
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        let read = reader.read_line(&mut line).expect("read stdout");
        assert!(read > 0, "the example exited before listening");
        if line.contains("listening on") {
            break;
        }
    }
    std::thread::spawn(move || for _ in reader.lines().map_while(Result::ok) {});
}

/// A keep-alive HTTP/1.1 connection that sends `GET /api/flood/tasks` with a bearer token.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Client {
            writer: stream.try_clone().expect("clone"),
            reader: BufReader::new(stream),
        }
    }

    /// The status of the answer.
    fn get(&mut self, token: &str) -> u16 {
        write!(
            self.writer,
            "GET /api/flood/tasks HTTP/1.1\r\nhost: bench\r\nauthorization: Bearer {token}\r\n\r\n"
        )
        .expect("send");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("a header");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("the body");
        status
    }
}

fn rss_bytes(pid: u32) -> u64 {
    test_support::rss_bytes(pid).unwrap_or(0)
}
