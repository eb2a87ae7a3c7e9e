//! `METRICS_ADDR`: the Prometheus text of auth-runtime's metrics (and any the service adds) at
//! `http://METRICS_ADDR/metrics`, on a listener of its own so that it can stay on an internal
//! address. Unset, no recorder is installed: nothing is recorded or served. An address other
//! than loopback is refused at start-up unless `METRICS_ALLOW_REMOTE=1` says so.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

pub const METRICS_ADDR_VAR: &str = "METRICS_ADDR";
/// `1` lets `METRICS_ADDR` be an address other than loopback: `/metrics` has no
/// authentication, so serving it beyond this machine is a choice to make explicitly.
pub const METRICS_ALLOW_REMOTE_VAR: &str = "METRICS_ALLOW_REMOTE";

/// First-seen verifications take microseconds (a cache hit is not timed): buckets from 10 µs
/// to 50 ms.
const VERIFY_BUCKETS: &[f64] = &[
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05,
];

/// The metrics endpoint, bound but not yet serving.
pub struct Exporter {
    listener: TcpListener,
    handle: PrometheusHandle,
}

/// Installs the Prometheus recorder and binds `METRICS_ADDR`, when it is set.
pub async fn from_env() -> Result<Option<Exporter>, String> {
    let Ok(addr) = std::env::var(METRICS_ADDR_VAR) else {
        return Ok(None);
    };
    let Ok(addr) = addr.trim().parse::<SocketAddr>() else {
        return Err(format!(
            "{METRICS_ADDR_VAR} is not an address such as 127.0.0.1:9464"
        ));
    };
    if !addr.ip().is_loopback() {
        match std::env::var(METRICS_ALLOW_REMOTE_VAR).as_deref() {
            Ok("1" | "true") => tracing::warn!(
                %addr,
                "/metrics is served beyond loopback, without authentication ({METRICS_ALLOW_REMOTE_VAR}=1)"
            ),
            _ => {
                return Err(format!(
                    "{METRICS_ADDR_VAR} is not a loopback address, and /metrics has no authentication: bind it to 127.0.0.1, or set {METRICS_ALLOW_REMOTE_VAR}=1 to serve it on {addr} anyway (an internal network a scraper reaches)"
                ));
            }
        }
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|error| format!("{METRICS_ADDR_VAR}: cannot listen on {addr}: {error}"))?;
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(auth_runtime::metric_names::VERIFY_SECONDS.to_owned()),
            VERIFY_BUCKETS,
        )
        .and_then(|builder| builder.install_recorder())
        .map_err(|error| format!("{METRICS_ADDR_VAR}: cannot install the recorder: {error}"))?;
    Ok(Some(Exporter { listener, handle }))
}

impl Exporter {
    /// Where it answers.
    pub fn url(&self) -> String {
        match self.listener.local_addr() {
            Ok(addr) => format!("http://{addr}/metrics"),
            Err(_) => "(unknown address)".to_owned(),
        }
    }

    /// Serves `/metrics` until the process ends, and keeps the histograms' windows rolling.
    pub fn spawn(self) {
        let upkeep = self.handle.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                upkeep.run_upkeep();
            }
        });
        let handle = self.handle;
        let app = Router::new().route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                async move { handle.render() }
            }),
        );
        tokio::spawn(async move {
            if let Err(error) = axum::serve(self.listener, app).await {
                tracing::error!(%error, "the metrics endpoint stopped");
            }
        });
    }
}
