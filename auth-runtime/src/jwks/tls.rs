//! Whom the JWKS client trusts over https: Mozilla's roots, the operating system's store, and an
//! optional PEM bundle (a private CA), all read once at start-up.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls::{ClientConfig, RootCertStore};

/// The certificates of a PEM bundle, each checked to be usable as a trust anchor.
pub(crate) fn read_pem_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, &'static str> {
    let bytes = std::fs::read(path).map_err(|_| "the file cannot be read")?;
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "the file holds malformed PEM")?;
    if certificates.is_empty() {
        return Err("the file holds no PEM certificate");
    }
    let mut store = RootCertStore::empty();
    for certificate in &certificates {
        store
            .add(certificate.clone())
            .map_err(|_| "the file holds a certificate that cannot be a trust anchor")?;
    }
    Ok(certificates)
}

/// rustls with the ring provider, trusting Mozilla's roots, the operating system's store (where
/// it can be read) and `extra`.
pub(crate) fn client_config(extra: &[CertificateDer<'static>]) -> Result<ClientConfig, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::warn!(%error, "part of the system's certificate store cannot be read");
    }
    roots.add_parsable_certificates(native.certs);
    for certificate in extra {
        roots
            .add(certificate.clone())
            .map_err(|error| error.to_string())?;
    }
    Ok(
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|error| error.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}
