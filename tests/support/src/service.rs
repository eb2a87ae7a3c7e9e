//! The tasks example as a child process on a loopback port.

use auth_runtime::env::SECRET_VAR;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The secret the end-to-end tests start the service with.
pub const SECRET: &str = "e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/// Variables of the service's configuration, cleared so that the caller's environment cannot
/// leak into a test: auth-runtime's own list, and the example's.
pub fn config_vars() -> impl Iterator<Item = &'static str> {
    auth_runtime::env::ALL.into_iter().chain([
        "CORS_ALLOWED_ORIGINS",
        "DATABASE_URL",
        "DATABASE_MAX_CONNECTIONS",
        "DATABASE_TIMEOUT_MS",
        "METRICS_ADDR",
        "METRICS_ALLOW_REMOTE",
    ])
}

/// A directory of its own under the system's temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(purpose: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "auth-runtime-{purpose}-{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand_suffix()
        ));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// `sqlite://<dir>/<name>`: a database file of its own.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The tasks example (the `tasks` package's `tasks` binary), built (or found up to date) once
/// per test run. With `TASKS_EXAMPLE_PROFILE=release` the tests drive the release build
/// instead.
pub fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_example_bin("tasks")).clone()
}

/// The `mint` command of the `tasks` package, built like [`binary`].
pub fn mint() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_example_bin("mint")).clone()
}

/// Builds the `tasks` package's binary `name`: only what the example uses (none of the tests'
/// dev-dependencies), in the profile the tests ask for.
fn build_example_bin(name: &str) -> PathBuf {
    let release = std::env::var("TASKS_EXAMPLE_PROFILE").is_ok_and(|p| p == "release");
    let mut cargo = Command::new(env!("CARGO"));
    // Cargo sets these for the test process; inherited, they would change the
    // environment that build scripts (ring's) fingerprint, and rebuild them each time.
    for (var, _) in std::env::vars_os() {
        let var = var.to_string_lossy();
        if [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_",
            "CARGO_TARGET_TMPDIR",
        ]
        .iter()
        .any(|prefix| var.starts_with(prefix))
        {
            cargo.env_remove(&*var);
        }
    }
    cargo.args([
        "build",
        "--quiet",
        "-p",
        "tasks",
        "--bin",
        name,
        "--manifest-path",
    ]);
    cargo.arg(crate::workspace_root().join("Cargo.toml"));
    if release {
        cargo.arg("--release");
    }
    assert!(
        cargo.status().expect("cargo runs").success(),
        "cargo build -p tasks --bin {name} failed"
    );
    target_dir()
        .join(if release { "release" } else { "debug" })
        .join(name)
}

/// The target directory the running test binary was built in (`target/`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .and_then(|profile| profile.parent())
        .expect("target/<profile>/deps")
        .to_path_buf()
}

/// A running service; killed when dropped.
pub struct Service {
    pub child: Child,
    pub addr: SocketAddr,
    pub stdout: Vec<String>,
    log: PathBuf,
    /// The SQLite file of a service started without a `DATABASE_URL` of the test's.
    _database: Option<TempDir>,
}

impl Service {
    /// Starts the example with `args` and `env` (on top of a cleared configuration). Without a
    /// `DATABASE_URL` in `env`, the service keeps its tasks in a SQLite file of its own, removed
    /// with it.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Service {
        Service::launch(args, env, None)
    }

    /// Starts the example in `dir` as its working directory, with no `DATABASE_URL` unless
    /// `env` has one: where the default `tasks.db` goes.
    pub fn start_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Service {
        Service::launch(args, env, Some(dir))
    }

    fn launch(args: &[&str], env: &[(&str, &str)], dir: Option<&std::path::Path>) -> Service {
        let log = std::env::temp_dir().join(format!(
            "tasks-e2e-{}-{}.log",
            std::process::id(),
            rand_suffix()
        ));
        let mut command = Command::new(binary());
        for var in config_vars() {
            command.env_remove(var);
        }
        command
            .args(args)
            .env("BIND_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info,auth_runtime=debug")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"));
        let database = if let Some(dir) = dir {
            command.current_dir(dir);
            None
        } else if env.iter().any(|(name, _)| *name == "DATABASE_URL") {
            None
        } else {
            let dir = TempDir::new("tasks-db");
            command.env("DATABASE_URL", dir.sqlite_url("tasks.db"));
            Some(dir)
        };
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the example starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut stdout = Vec::new();
        let mut line = String::new();
        let addr = loop {
            line.clear();
            let read = reader.read_line(&mut line).expect("read stdout");
            assert!(
                read > 0,
                "the service exited before listening: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            if let Some(addr) = line
                .trim()
                .strip_prefix("tasks service listening on http://")
            {
                break addr.parse().expect("a socket address");
            }
            // Everything the service prints before it listens (the dev walkthrough).
            stdout.push(line.trim_end().to_owned());
        };
        // Keep draining stdout, so that the service never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines().map_while(Result::ok) {});
        Service {
            child,
            addr,
            stdout,
            log,
            _database: database,
        }
    }

    /// Stops the service the way an orchestrator does (SIGTERM) and waits until it has exited.
    pub fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM");
        let exit = self.child.wait().expect("wait");
        assert!(
            exit.success(),
            "a graceful stop exits 0: {exit:?}\n{}",
            self.log()
        );
    }

    /// Whether the process is still running (it never exits on its own).
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    pub fn with_secret() -> Service {
        Service::start(&[], &[(SECRET_VAR, SECRET)])
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Starts the service with only `env` configured, waits (bounded) for it to exit, and returns
/// its standard error: a configuration it must refuse at start-up.
pub fn refused_at_start_up(env: &[(&str, &str)]) -> String {
    refused_at_start_up_with(&[], env)
}

/// [`refused_at_start_up`] with command-line arguments (`--dev`).
pub fn refused_at_start_up_with(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(binary());
    command.args(args);
    for var in config_vars() {
        command.env_remove(var);
    }
    // Whatever it may create (a default tasks.db) lands in a directory of its own.
    let dir = TempDir::new("refused");
    command
        .current_dir(dir.path())
        .env("BIND_ADDR", "127.0.0.1:0")
        .envs(env.iter().copied());
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let pid = child.id();
    // Waits for the exit on a thread of its own: the test fails if it does not come within
    // the bound (a service that started instead of refusing runs until it is killed).
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = exited.send(child.wait_with_output());
    });
    let output = match exit.recv_timeout(Duration::from_secs(30)) {
        Ok(output) => output.expect("output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("still running with {env:?}");
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{env:?}");
    // Refused before it listens: nobody could have reached it.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("listening"),
        "{env:?} listened first: {stdout}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    stderr
}
