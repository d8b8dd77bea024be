//! TLS with rustls (ring provider): TLS 1.3 only unless `tls.min_version =
//! "1.2"`, ALPN h2 and http/1.1, and a certificate that can be swapped while
//! running ([`ReloadingCert`]): new handshakes use the new certificate,
//! established connections are untouched.
//!
//! Toward `https://` upstreams, [`upstream_client_config`]: TLS 1.3 or 1.2,
//! the server certificate checked against the route's `upstream_ca` (or the
//! bundled Mozilla roots) and its host name, and optionally a client
//! certificate (mTLS).

use crate::Error;
use crate::config::{Route, Tls};
use arc_swap::ArcSwap;
use rustls::crypto::ring as provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::path::Path;
use std::sync::Arc;

/// Most certificates read from a chain file.
pub const MAX_CHAIN_LEN: usize = 16;
/// Most CA certificates read from an `upstream_ca` file.
pub const MAX_CA_CERTS: usize = 1024;

/// A certificate resolver whose certificate can be replaced.
#[derive(Debug)]
pub struct ReloadingCert(ArcSwap<CertifiedKey>);

impl ReloadingCert {
    pub fn load(tls: &Tls) -> Result<Arc<ReloadingCert>, Error> {
        Ok(Arc::new(ReloadingCert(ArcSwap::from_pointee(
            load_certified_key(&tls.cert, &tls.key)?,
        ))))
    }

    /// Re-read the files; on error the old certificate stays.
    pub fn reload(&self, tls: &Tls) -> Result<(), Error> {
        self.0
            .store(Arc::new(load_certified_key(&tls.cert, &tls.key)?));
        Ok(())
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.load_full())
    }
}

fn tls_err(p: &Path, why: String) -> Error {
    Error::Tls(format!("{}: {why}", p.display()))
}

/// Up to `max` certificates from a PEM file; none is an error.
fn read_certs(path: &Path, max: usize) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_err(path, e.to_string()))?
        .take(max)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err(path, e.to_string()))?;
    if certs.is_empty() {
        return Err(tls_err(path, "no certificate found".into()));
    }
    Ok(certs)
}

fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, Error> {
    let chain = read_certs(cert, MAX_CHAIN_LEN)?;
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| tls_err(key, e.to_string()))?;
    let signing =
        provider::sign::any_supported_type(&key_der).map_err(|e| tls_err(key, e.to_string()))?;
    let ck = CertifiedKey::new(chain, signing);
    ck.keys_match()
        .map_err(|e| tls_err(key, format!("does not match the certificate: {e}")))?;
    Ok(ck)
}

/// The server configuration for the public listener.
pub fn server_config(tls: &Tls, cert: Arc<ReloadingCert>) -> Result<ServerConfig, Error> {
    let versions: &[&'static rustls::SupportedProtocolVersion] = if tls.min_version == "1.2" {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    let mut cfg = ServerConfig::builder_with_provider(Arc::new(provider::default_provider()))
        .with_protocol_versions(versions)
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(cert);
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

/// The client configuration for one `https://` route.
pub fn upstream_client_config(route: &Route) -> Result<ClientConfig, Error> {
    let mut roots = RootCertStore::empty();
    match &route.upstream_ca {
        Some(ca) => {
            for cert in read_certs(ca, MAX_CA_CERTS)? {
                roots
                    .add(cert)
                    .map_err(|e| tls_err(ca, format!("not a usable CA certificate: {e}")))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let builder = ClientConfig::builder_with_provider(Arc::new(provider::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots);
    // ALPN is left to the connector (h2 or http/1.1, per `upstream_http2`).
    match (&route.upstream_client_cert, &route.upstream_client_key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert, MAX_CHAIN_LEN)?;
            let key_der =
                PrivateKeyDer::from_pem_file(key).map_err(|e| tls_err(key, e.to_string()))?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| tls_err(key, e.to_string()))
        }
        _ => Ok(builder.with_no_client_auth()),
    }
}
