//! A real PostgreSQL server of the test's own: a fresh cluster (initdb) in a temporary directory,
//! listening on a loopback port, run as a non-root user, stopped and removed when dropped.
//!
//! The server comes from the machine: `POSTGRES_BIN_DIR`, else Debian's
//! `/usr/lib/postgresql/<newest>/bin`, else `PATH`. `.ci/run` installs Debian's package; on a
//! machine without it the PostgreSQL tests say so in one line and pass, except under
//! `CI=true`, where they fail.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::service::TempDir;

/// The role the tests connect as (trusted on loopback: the cluster lives only for the test).
pub const ROLE: &str = "tasks";
/// The longest a server may take to start before the test fails (a bound, not a wait).
const START_BOUND: Duration = Duration::from_secs(90);

pub struct Postgres {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
    /// `uid:gid` to run as when the tests run as root (PostgreSQL refuses to run as root).
    run_as: Option<(u32, u32)>,
    child: Option<Child>,
    log: Arc<Mutex<String>>,
}

impl Postgres {
    /// A new cluster, started. `None` (after one line on stderr) when PostgreSQL is not
    /// installed and this is not CI.
    pub fn start() -> Option<Postgres> {
        let Some(bin) = binaries() else {
            let how = "PostgreSQL is not installed: apt-get install postgresql (or set POSTGRES_BIN_DIR to the directory of initdb and postgres)";
            let ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
            assert!(!ci, "{how}; under CI=true the PostgreSQL tests must run");
            eprintln!("skipping the PostgreSQL half of this test: {how}");
            return None;
        };
        let dir = TempDir::new("postgres");
        let run_as = run_as();
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("hand the cluster's directory to the server's user");
        }
        let mut postgres = Postgres {
            bin,
            dir,
            port: 0,
            run_as,
            child: None,
            log: Arc::default(),
        };
        postgres.initdb();
        // A free port is looked up, then bound by the server: another process may take it in
        // between, so a refused bind is tried again on another port.
        for _ in 0..5 {
            postgres.port = free_port();
            if postgres.spawn() {
                return Some(postgres);
            }
        }
        panic!("PostgreSQL did not start:\n{}", postgres.log());
    }

    /// `postgres://tasks@127.0.0.1:PORT/<database>`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database.
    pub async fn create_database(&self, name: &str) {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::postgres::PgConnection::connect(&self.url("postgres"))
            .await
            .expect("connect to the test cluster");
        let sql = format!("CREATE DATABASE \"{name}\"");
        admin
            .execute(sqlx::AssertSqlSafe(sql))
            .await
            .expect("CREATE DATABASE");
        admin.close().await.expect("close");
    }

    /// Stops the server (fast shutdown: sessions are cut) and waits until it has exited.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// Starts the stopped server again, on the same port, with the same data.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart a stopped server");
        assert!(
            self.spawn(),
            "PostgreSQL did not start again:\n{}",
            self.log()
        );
    }

    pub fn log(&self) -> String {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match self.run_as {
            Some((uid, gid)) => {
                // setpriv execs the program itself: its pid is the server's.
                let mut command = Command::new("setpriv");
                command
                    .arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    fn initdb(&self) {
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(self.data())
            .args([
                "-U",
                ROLE,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .current_dir(self.dir.path())
            .output()
            .expect("initdb runs");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server and waits for the line that says it accepts connections; false when
    /// it exited first (its log says why).
    fn spawn(&mut self) -> bool {
        let mut child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .arg("-k")
            .arg(self.dir.path())
            .args(["-c", "fsync=off", "-c", "max_connections=200"])
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("postgres runs");
        let stderr = child.stderr.take().expect("stderr");
        let (ready, ready_rx) = mpsc::channel();
        let log = Arc::clone(&self.log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("database system is ready to accept connections") {
                    let _ = ready.send(());
                }
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        match ready_rx.recv_timeout(START_BOUND) {
            Ok(()) => {
                self.child = Some(child);
                true
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = child.wait();
                false
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("PostgreSQL did not get ready:\n{}", self.log());
            }
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The directory holding `initdb` and `postgres`.
fn binaries() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("POSTGRES_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return has_both(&dir).then_some(dir);
    }
    let newest_debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_both(bin))
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    newest_debian.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).find(|dir| has_both(dir))
    })
}

/// As root, the server runs as the `postgres` user of the distribution's package (else
/// `nobody`).
fn run_as() -> Option<(u32, u32)> {
    let id = |args: &[&str]| -> Option<u32> {
        let output = Command::new("id").args(args).output().ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()?.trim().parse().ok()
    };
    if id(&["-u"])? != 0 {
        return None;
    }
    ["postgres", "nobody"]
        .iter()
        .find_map(|user| Some((id(&["-u", user])?, id(&["-g", user])?)))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
