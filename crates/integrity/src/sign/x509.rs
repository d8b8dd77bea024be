//! X.509 certificate chains for OMS "certificate" signatures.
//!
//! The bundle carries the signing certificate first, then intermediates; the
//! verifier brings its trusted roots. As model_signing does (through
//! OpenSSL), the chain is checked at the signing certificate's `notBefore`
//! instant, so a signature outlives the certificate's expiry: every
//! certificate on the path must be valid then, every issuer must be a CA
//! (basicConstraints CA, keyCertSign when keyUsage is present) and sign the
//! certificate below it, and the signing certificate must allow
//! digitalSignature (keyUsage) or code signing (extendedKeyUsage).
//! Not checked (stated, not hidden): path-length and name constraints,
//! policies, unknown critical extensions, revocation.

use super::ec::EcVerifyingKey;
use crate::Error;
use x509_parser::prelude::*;

/// Longest path walked from the signing certificate to a root.
pub const MAX_CHAIN_DEPTH: usize = 8;
/// Most certificates read from a PEM file of roots or of a chain.
pub const MAX_PEM_CERTIFICATES: usize = 256;

/// DER certificates from PEM text (every `CERTIFICATE` block, in order).
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for item in Pem::iter_from_buffer(pem) {
        let p = item.map_err(|e| Error::Certificate(format!("PEM: {e}")))?;
        if p.label != "CERTIFICATE" {
            continue;
        }
        if out.len() >= MAX_PEM_CERTIFICATES {
            return Err(Error::Certificate(format!(
                "more than {MAX_PEM_CERTIFICATES} certificates"
            )));
        }
        parse(&p.contents)?;
        out.push(p.contents);
    }
    if out.is_empty() {
        return Err(Error::Certificate("no PEM CERTIFICATE block found".into()));
    }
    Ok(out)
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, Error> {
    match X509Certificate::from_der(der) {
        Ok(([], c)) => Ok(c),
        Ok(_) => Err(Error::Certificate(
            "trailing bytes after a certificate".into(),
        )),
        Err(e) => Err(Error::Certificate(format!("cannot parse: {e}"))),
    }
}

/// The EC public key of a DER certificate.
pub fn certificate_key(der: &[u8]) -> Result<EcVerifyingKey, Error> {
    let c = parse(der)?;
    EcVerifyingKey::from_spki_der(c.public_key().raw)
}

/// A short name for reports: the subject DN.
pub fn subject(der: &[u8]) -> String {
    parse(der)
        .map(|c| c.subject().to_string())
        .unwrap_or_default()
}

/// Check `chain` (signing certificate first) against `roots`; on success
/// return the signing certificate's public key. The error string says why
/// the chain is not trusted.
pub fn verify_chain(chain: &[Vec<u8>], roots: &[Vec<u8>]) -> Result<EcVerifyingKey, String> {
    let certs: Vec<X509Certificate<'_>> = chain
        .iter()
        .map(|d| parse(d))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let anchors: Vec<X509Certificate<'_>> = roots
        .iter()
        .map(|d| parse(d))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let leaf = certs.first().ok_or("empty certificate chain")?;
    let at = leaf.validity().not_before;
    check_leaf_usage(leaf)?;
    let mut current = leaf;
    for _ in 0..MAX_CHAIN_DEPTH {
        if !current.validity().is_valid_at(at) {
            return Err(format!(
                "certificate {} is not valid at signing time {at}",
                current.subject()
            ));
        }
        if let Some(root) = anchors.iter().find(|r| issued_by(current, r)) {
            if !root.validity().is_valid_at(at) {
                return Err(format!(
                    "root {} is not valid at signing time {at}",
                    root.subject()
                ));
            }
            check_ca(root)?;
            return EcVerifyingKey::from_spki_der(leaf.public_key().raw).map_err(|e| e.to_string());
        }
        if anchors.iter().any(|r| r.as_raw() == current.as_raw()) {
            return EcVerifyingKey::from_spki_der(leaf.public_key().raw).map_err(|e| e.to_string());
        }
        let next = certs
            .iter()
            .skip(1)
            .find(|c| c.as_raw() != current.as_raw() && issued_by(current, c))
            .ok_or_else(|| {
                format!(
                    "no trusted root or intermediate issued {}",
                    current.subject()
                )
            })?;
        check_ca(next)?;
        current = next;
    }
    Err(format!(
        "no trusted root within {MAX_CHAIN_DEPTH} certificates"
    ))
}

fn issued_by(c: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    c.issuer().as_raw() == issuer.subject().as_raw()
        && c.verify_signature(Some(issuer.public_key())).is_ok()
}

fn check_ca(c: &X509Certificate<'_>) -> Result<(), String> {
    let is_ca = matches!(c.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
    // A version-1 self-signed root has no extensions and is a CA by trust.
    let v1_root = c.version() == X509Version::V1 && c.subject().as_raw() == c.issuer().as_raw();
    if !is_ca && !v1_root {
        return Err(format!("issuer {} is not a CA", c.subject()));
    }
    if let Ok(Some(ku)) = c.key_usage()
        && !ku.value.key_cert_sign()
    {
        return Err(format!(
            "issuer {} may not sign certificates (keyUsage)",
            c.subject()
        ));
    }
    Ok(())
}

fn check_leaf_usage(c: &X509Certificate<'_>) -> Result<(), String> {
    let ds = matches!(c.key_usage(), Ok(Some(ku)) if ku.value.digital_signature());
    let cs = matches!(c.extended_key_usage(), Ok(Some(eku)) if eku.value.code_signing);
    if ds || cs {
        Ok(())
    } else {
        Err(format!(
            "signing certificate {} cannot be used for signing (no digitalSignature key usage or codeSigning extended key usage)",
            c.subject()
        ))
    }
}
