//! TLS with rustls (ring provider): TLS 1.3 only unless `tls.min_version =
//! "1.2"`, ALPN h2 and http/1.1, and a certificate that can be swapped while
//! running ([`ReloadingCert`]): new handshakes use the new certificate,
//! established connections are untouched.

use crate::Error;
use crate::config::Tls;
use arc_swap::ArcSwap;
use rustls::ServerConfig;
use rustls::crypto::ring as provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::Path;
use std::sync::Arc;

/// Most certificates read from a chain file.
pub const MAX_CHAIN_LEN: usize = 16;

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

fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, Error> {
    let tls_err = |p: &Path, why: String| Error::Tls(format!("{}: {why}", p.display()));
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| tls_err(cert, e.to_string()))?
        .take(MAX_CHAIN_LEN)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(tls_err(cert, "no certificate found".into()));
    }
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
