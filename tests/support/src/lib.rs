//! Shared test plumbing, compiled once for the integration tests and the attack suite: a real
//! server on a loopback port and a raw HTTP/1.1 client, so that tests can send exactly the
//! bytes an attacker would (duplicate headers, odd schemes, …), the tasks example as a child
//! process, a PostgreSQL server of the test's own, and the Node and Python fixtures' runners.

pub mod postgres;
pub mod service;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The project's root directory (where its `Cargo.toml` and `tests/` are).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The resident memory of process `pid` (`VmRSS` in `/proc`, Linux), in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
}

/// Serves `app` on 127.0.0.1 (a free port) until the test's runtime ends.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    addr
}

/// The JSON of segment `index` of a compact JWS (0: the header, 1: the claims), decoded
/// without verifying anything: for asserting what a signer wrote.
pub fn jws_segment(token: &str, index: usize) -> serde_json::Value {
    use base64::Engine as _;
    let segment = token.split('.').nth(index).expect("a compact JWS segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    /// The `detail` of a `{"detail": …}` error body.
    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_else(|| panic!("no detail in {:?}", self.body))
            .to_owned()
    }
}

/// A request under construction.
pub struct Request {
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

/// `npm ci` in `dir` (a Node fixture of the tests), once: skipped when its node_modules is
/// already installed (`npm ci` would delete and reinstall it).
pub fn npm_ci(dir: &std::path::Path) {
    if dir.join("node_modules/.package-lock.json").exists() {
        return;
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .expect("npm is installed (Node 20+ is needed for the Better Auth tests)");
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

/// `pip install --target` of one pinned requirement (`name==version`) into the target
/// directory, once; the directory to put on `PYTHONPATH`.
pub fn pip_target(requirement: &str) -> std::path::PathBuf {
    let dir = service::target_dir()
        .join("tmp")
        .join(format!("python-{}", requirement.replace("==", "-")));
    let marker = dir.join(".installed");
    if !marker.exists() {
        let status = std::process::Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--root-user-action=ignore",
                "--disable-pip-version-check",
                "--no-warn-script-location",
                "--target",
            ])
            .arg(&dir)
            .arg(requirement)
            .status()
            .expect("python3 -m pip runs (Python 3 with pip is needed by this test)");
        assert!(status.success(), "pip install {requirement} failed");
        std::fs::write(&marker, "").expect("mark the install");
    }
    dir
}

/// Runs `python3 tests/SCRIPT` with `requirement` (installed by [`pip_target`]) on its path
/// and `input` on its stdin; its output.
pub fn python(script: &str, requirement: &str, input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("python3")
        .arg(workspace_root().join("tests").join(script))
        .env("PYTHONPATH", pip_target(requirement))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write the input");
    child.wait_with_output().expect("the script ends")
}

/// Runs openapi-spec-validator (pinned) on an OpenAPI 3.1 document; its errors fail the test.
pub fn validate_openapi(document: &serde_json::Value) {
    let output = python(
        "openapi/validate.py",
        "openapi-spec-validator==0.9.0",
        document.to_string().as_bytes(),
    );
    assert!(
        output.status.success(),
        "openapi-spec-validator refused the document:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `node SCRIPT` in a fixture package (after [`npm_ci`]) with `env`, and returns the JSON
/// of the `FIXTURE {...}` line it prints, and the process: it serves until its stdin closes,
/// when the returned child is dropped or the test binary exits.
pub fn node_fixture(
    dir: &std::path::Path,
    script: &str,
    env: &[(&str, &str)],
) -> (String, std::process::Child) {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};
    npm_ci(dir);
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs (Node 20+ is needed for the Better Auth tests)");
    let stdout = child.stdout.take().expect("stdout");
    let line = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("FIXTURE ").map(str::to_owned))
        .expect("the fixture prints its FIXTURE line");
    (line, child)
}

pub fn request(method: &str, target: &str) -> Request {
    Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

pub fn fetch(target: &str) -> Request {
    request("GET", target)
}

impl Request {
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// The credential of the last `Authorization` header, to check that it is never echoed.
    pub fn authorization_credential(&self) -> Option<String> {
        self.headers
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| String::from_utf8_lossy(value).to_string())
            .map(|value| {
                value
                    .split_once(' ')
                    .map_or(value.clone(), |(_, t)| t.trim().to_owned())
            })
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }

    pub fn json(self, body: &str) -> Self {
        self.header("Content-Type", "application/json").body(body)
    }

    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }

    /// Sends the request on a new connection and reads the whole response.
    pub async fn send(self, addr: SocketAddr) -> Response {
        tokio::time::timeout(Duration::from_secs(30), self.send_inner(addr))
            .await
            .expect("the server answers within 30 s")
    }

    async fn send_inner(self, addr: SocketAddr) -> Response {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
            self.method, self.target
        )
        .into_bytes();
        for (name, value) in &self.headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value);
            head.extend_from_slice(b"\r\n");
        }
        let has_length = self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
        if !has_length
            && (!self.body.is_empty() || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH"))
        {
            head.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        stream.write_all(&head).await.expect("write head");
        // The server may answer (403) and close before reading a large body: ignore a failed write.
        let _ = stream.write_all(&self.body).await;
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw).await;
        parse_response(&raw)
    }
}

pub fn parse_response(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("incomplete response: {text:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}
