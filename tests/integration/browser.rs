//! The full stack in a real browser: the demo in `examples/browser-demo` (Better Auth with the
//! stock `jwt` plugin, EdDSA over JWKS, and a static page, on `http://localhost:<port>`) and the
//! tasks example (on `127.0.0.1:<another port>`, `BETTER_AUTH_URL` = the demo's origin,
//! `CORS_ALLOWED_ORIGINS` = the same), driven in headless Chromium by playwright-core
//! (`examples/browser-demo/e2e.mjs`). Every API call from the page is cross-origin with a real
//! preflight.
//!
//! Chromium: `CHROMIUM`, or Debian's `/usr/bin/chromium` (`apt-get install chromium`; `.ci/run`
//! installs it). Outside CI, a machine without it skips this test with one line; under
//! `CI=true` it must run.

use test_support as common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use auth_runtime::env::BETTER_AUTH_URL_VAR;
use common::service::Service;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/browser-demo")
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

/// The demo's Node server; killed when dropped.
struct Demo {
    child: Child,
    origin: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the demo server, whose page calls the API at `api_url`, and waits for the line it
/// prints once listening.
fn start_demo(api_url: &str) -> Demo {
    let mut child = Command::new("node")
        .arg("server.mjs")
        .current_dir(demo_dir())
        .env("PORT", "0")
        .env("API_URL", api_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let origin = lines
        .find_map(|line| {
            line.strip_prefix("demo listening on ")
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_owned)
        })
        .expect("the demo prints its origin");
    // Keep draining stdout, so that the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Demo { child, origin }
}

#[tokio::test]
async fn a_person_signs_up_and_manages_their_tasks_in_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true: Chromium is required (apt-get install chromium, or set CHROMIUM)"
        );
        println!(
            "skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM)"
        );
        return;
    };
    common::npm_ci(&demo_dir());
    // The API's port is chosen first, so that the demo can point its page at it before the
    // API (which needs the demo's origin) starts.
    let api_port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    let api_url = format!("http://127.0.0.1:{api_port}");
    let demo = start_demo(&api_url);
    let service = Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, demo.origin.as_str()),
            ("CORS_ALLOWED_ORIGINS", demo.origin.as_str()),
            ("BIND_ADDR", &format!("127.0.0.1:{api_port}")),
        ],
    );
    assert_eq!(service.addr.port(), api_port);

    let mut driver = Command::new("node");
    driver
        .arg("e2e.mjs")
        .arg(&demo.origin)
        .current_dir(demo_dir())
        .env("CHROMIUM", &chromium);
    if let Some(path) = std::env::var_os("BROWSER_SCREENSHOT") {
        driver.arg(path);
    }
    let output = tokio::task::spawn_blocking(move || driver.output())
        .await
        .expect("the driver's thread")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}\nservice log:\n{}",
        service.log()
    );
    assert!(stdout.contains("browser: all checks passed"), "{stdout}");

    // The page's calls were cross-origin: the browser sent preflights, which the API answered
    // before any extractor (they appear in its request log with a 200).
    let log = service.log();
    let preflights = log
        .lines()
        .filter(|line| line.contains("method=OPTIONS") && line.contains("status=200"))
        .count();
    assert!(preflights > 0, "no preflight in the service's log:\n{log}");
    let refused_preflights = log
        .lines()
        .filter(|line| line.contains("method=OPTIONS") && !line.contains("status=200"))
        .count();
    assert_eq!(refused_preflights, 0, "{log}");
}
