//! The HTTPS listener: the same app behind TLS, with a self-signed certificate for `127.0.0.1`
//! and `localhost` (Azure's SDK refuses to send a bearer token over plain HTTP). The certificate
//! is generated once and kept in the directory the binary chooses, so clients can trust it.
//! The connection manager ([`crate::conn`]) serves it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::AppState;

/// A certificate and its key, and where the certificate was written.
#[derive(Debug)]
pub struct TlsIdentity {
    /// The certificate file (PEM) to hand to clients.
    pub cert_path: PathBuf,
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

/// Loads `dir/cert.pem` and `dir/key.pem`, or generates a self-signed pair for `127.0.0.1`,
/// `::1` and `localhost` and writes it there.
pub fn load_or_create_identity(dir: &Path) -> std::io::Result<TlsIdentity> {
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    if cert_path.exists() && key_path.exists() {
        return Ok(TlsIdentity {
            cert_pem: std::fs::read(&cert_path)?,
            key_pem: std::fs::read(&key_path)?,
            cert_path,
        });
    }
    std::fs::create_dir_all(dir)?;
    let names = vec![
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
        "localhost".to_owned(),
    ];
    let ck = rcgen::generate_simple_self_signed(names).map_err(std::io::Error::other)?;
    let cert_pem = ck.cert.pem().into_bytes();
    let key_pem = ck.signing_key.serialize_pem().into_bytes();
    std::fs::write(&key_path, &key_pem)?;
    std::fs::write(&cert_path, &cert_pem)?;
    Ok(TlsIdentity {
        cert_path,
        cert_pem,
        key_pem,
    })
}

impl TlsIdentity {
    /// The certificate (PEM), for clients to trust.
    pub fn cert_pem(&self) -> &[u8] {
        &self.cert_pem
    }
}

/// `GET /_vpcpeer/tls/cert.pem`: the HTTPS listener's certificate (PEM), so a client can trust
/// it without knowing the server's data directory (the README's Azure sample fetches it). It is
/// served on HTTP too: it is a public certificate, and the plain listener is loopback by default.
/// `404` when the server runs without HTTPS (`--tls-listen off`).
pub(crate) async fn cert_handler(
    axum::extract::State(st): axum::extract::State<Arc<AppState>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match st.tls_certificate() {
        Some(pem) => (
            [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
            pem.to_vec(),
        )
            .into_response(),
        None => crate::json_error(
            axum::http::StatusCode::NOT_FOUND,
            "this server has no HTTPS listener (it was started with --tls-listen off)",
        ),
    }
}

fn server_config(id: &TlsIdentity) -> std::io::Result<rustls::ServerConfig> {
    let certs = CertificateDer::pem_slice_iter(&id.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(std::io::Error::other)?;
    let key = PrivateKeyDer::from_pem_slice(&id.key_pem).map_err(std::io::Error::other)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(std::io::Error::other)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// A bound HTTPS listener, ready to serve.
#[derive(Debug)]
pub struct TlsListener {
    pub(crate) listener: std::net::TcpListener,
    pub(crate) config: Arc<rustls::ServerConfig>,
}

impl TlsListener {
    /// Wraps a bound listener with `identity`.
    pub fn new(listener: std::net::TcpListener, identity: &TlsIdentity) -> std::io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(TlsListener {
            listener,
            config: Arc::new(server_config(identity)?),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}
