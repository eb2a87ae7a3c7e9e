//! The JWKS over https with a private CA, end to end on loopback: a TLS server with a
//! certificate from a CA generated here (rcgen) publishes the JWKS; the service trusts that CA
//! through `Jwks::ca_file`, or does not. A request whose keys cannot be fetched answers 503,
//! and the error log names the JWKS URL and the TLS reason.

use test_support as common;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use auth_runtime::testing::Ed25519Key;
use auth_runtime::{Auth, Claims, Jwks};
use axum::Router;
use axum::routing::get;
use common::{fetch, serve};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A CA and a certificate it issued for `localhost` only.
struct Pki {
    ca_pem: String,
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: Vec<u8>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("a CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "auth-runtime test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("a CA certificate");
    let leaf_key = KeyPair::generate().expect("a server key");
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .expect("server params")
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .expect("a server certificate");
    Pki {
        ca_pem: ca_cert.pem(),
        chain: vec![leaf.der().clone()],
        key: leaf_key.serialize_der(),
    }
}

/// Serves `body` as JSON to every TLS connection (one request each), on loopback.
async fn tls_jwks_server(pki: &Pki, body: String) -> SocketAddr {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(
        pki.chain.clone(),
        rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key.clone().into()),
    )
    .expect("a server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let body = body.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to serve.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

/// Log lines written while the returned guard lives (this thread's default subscriber).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let log = self.clone();
        tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(move || log.clone())
                .finish(),
        )
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn me(claims: Claims) -> String {
    claims.user_id().to_owned()
}

struct Setup {
    ca_file: tempfile_path::Path,
    addr: SocketAddr,
    token: String,
}

mod tempfile_path {
    /// A file in the system's temp directory, removed when dropped.
    pub struct Path(pub std::path::PathBuf);
    impl Drop for Path {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

async fn setup(name: &str) -> Setup {
    let pki = pki();
    let key = Ed25519Key::rfc8037();
    let addr = tls_jwks_server(&pki, json!({ "keys": [key.jwk("k1")] }).to_string()).await;
    let path = std::env::temp_dir().join(format!("auth-runtime-{name}-{}.pem", std::process::id()));
    std::fs::File::create(&path)
        .and_then(|mut file| file.write_all(pki.ca_pem.as_bytes()))
        .expect("write the CA");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let token = key.sign_raw(
        br#"{"alg":"EdDSA","kid":"k1"}"#,
        json!({"sub": "alice", "iat": now, "exp": now + 600, "iss": ISSUER, "aud": ISSUER})
            .to_string()
            .as_bytes(),
    );
    Setup {
        ca_file: tempfile_path::Path(path),
        addr,
        token,
    }
}

/// The `iss` and `aud` of the test tokens: a bare JWKS URL has no origin to derive them from.
const ISSUER: &str = "https://auth.test";

fn app(jwks: Jwks) -> Router {
    let auth = Auth::builder()
        .jwks(jwks.issuer(ISSUER).audience(ISSUER))
        .build()
        .expect("valid configuration");
    Router::new().route("/me", get(me)).layer(auth.layer())
}

#[tokio::test(flavor = "current_thread")]
async fn a_jwks_behind_a_private_ca_is_trusted_through_ca_file() {
    let s = setup("trusted").await;
    let url = format!("https://localhost:{}/jwks", s.addr.port());
    let addr = serve(app(Jwks::url(&url).ca_file(&s.ca_file.0))).await;
    let response = fetch("/me").bearer(&s.token).send(addr).await;
    assert_eq!((response.status, response.body.as_str()), (200, "alice"));
}

#[tokio::test(flavor = "current_thread")]
async fn an_unknown_ca_is_503_with_the_url_and_the_tls_reason_in_the_log() {
    let s = setup("unknown").await;
    let log = Log::default();
    let _guard = log.capture();
    let url = format!("https://localhost:{}/jwks", s.addr.port());
    // Mozilla's roots and the system's store, but not the test CA.
    let addr = serve(app(Jwks::url(&url))).await;
    let response = fetch("/me").bearer(&s.token).send(addr).await;
    assert_eq!(response.status, 503, "{}", response.body);
    let text = log.text();
    assert!(
        text.contains("cannot fetch the JWKS") && text.contains(&url),
        "{text}"
    );
    assert!(
        text.contains("invalid peer certificate: UnknownIssuer"),
        "{text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_certificate_for_another_host_is_503_with_the_tls_reason_in_the_log() {
    let s = setup("wrong-host").await;
    let log = Log::default();
    let _guard = log.capture();
    // The certificate names localhost; the URL names 127.0.0.1.
    let url = format!("https://127.0.0.1:{}/jwks", s.addr.port());
    let addr = serve(app(Jwks::url(&url).ca_file(&s.ca_file.0))).await;
    let response = fetch("/me").bearer(&s.token).send(addr).await;
    assert_eq!(response.status, 503, "{}", response.body);
    let text = log.text();
    assert!(text.contains(&url), "{text}");
    assert!(
        text.contains("invalid peer certificate: certificate not valid for name"),
        "{text}"
    );
}
