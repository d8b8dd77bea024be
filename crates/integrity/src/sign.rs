//! OpenSSF model-signing (OMS v1.0) compatible signing and verification.
//!
//! `sign_model` hashes a model (see `hash`), writes the in-toto statement,
//! signs its DSSE encoding with an EC key and wraps it in a Sigstore bundle
//! v0.3 holding either the key's hint or an X.509 chain. `verify_model`
//! parses a bundle as hostile input, checks the key or the chain and the
//! envelope signature, and only then rehashes the model and compares it to
//! the signed manifest, reporting modified, missing and extra files by name.
//! Keyless (Fulcio/Rekor) Sigstore signatures are not supported yet.

mod bundle;
mod compare;
mod ec;
mod x509;

pub use bundle::{
    BUNDLE_MEDIA_TYPE, MAX_SIGNATURE_BYTES, Material, PAYLOAD_TYPE, PREDICATE_TYPE,
    ParsedSignature, SignedResource, parse_signature,
};
pub use ec::{EcSigningKey, EcVerifyingKey, pae};
pub use x509::{certificates_from_pem, verify_chain};

use crate::Error;
use crate::hash::{HashOptions, Manifest, hash_model};
use serde::Serialize;
use std::path::Path;

/// How the signer identifies itself in the bundle.
#[derive(Debug)]
pub enum SignerIdentity<'a> {
    /// Only the public key's hint (`model_signing sign key`).
    Key,
    /// DER certificates, the signing certificate first
    /// (`model_signing sign certificate`).
    Certificates(&'a [Vec<u8>]),
}

/// Sign an already computed manifest; returns the bundle JSON.
pub fn sign_manifest(
    m: &Manifest,
    key: &EcSigningKey,
    id: SignerIdentity<'_>,
) -> Result<Vec<u8>, Error> {
    let material = match id {
        SignerIdentity::Key => Material::PublicKey {
            hint: Some(key.verifying_key().hint()),
        },
        SignerIdentity::Certificates(ders) => {
            let leaf = ders
                .first()
                .ok_or_else(|| Error::Certificate("no signing certificate".into()))?;
            if x509::certificate_key(leaf)? != key.verifying_key() {
                return Err(Error::Certificate(
                    "the signing certificate's key does not match the private key".into(),
                ));
            }
            Material::Certificates(ders.to_vec())
        }
    };
    let payload = bundle::statement_json(m)?;
    let sig = key.sign_der(&pae(PAYLOAD_TYPE, &payload));
    bundle::bundle_json(&payload, &sig, &material)
}

/// Hash `model` with `opts` and sign the manifest; returns the bundle JSON.
pub fn sign_model(
    model: &Path,
    opts: &HashOptions,
    key: &EcSigningKey,
    id: SignerIdentity<'_>,
) -> Result<Vec<u8>, Error> {
    let m = hash_model(model, opts)?;
    sign_manifest(&m, key, id)
}

/// What the verifier trusts.
#[derive(Debug)]
pub enum Trust {
    /// This public key (`model_signing verify key`).
    PublicKey(EcVerifyingKey),
    /// These DER root certificates (`model_signing verify certificate`).
    Roots(Vec<Vec<u8>>),
}

/// One reason a verification failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    /// The signature file is not a well-formed OMS bundle.
    MalformedSignature { reason: String },
    /// The bundle names another public key than the one given.
    WrongKey {
        signed_with: String,
        expected: String,
    },
    /// The certificate chain does not lead to a trusted root.
    UntrustedCertificate { reason: String },
    /// The bundle carries no certificates but a root was given, or the
    /// reverse is impossible to check.
    MissingCertificate,
    /// The envelope signature does not verify.
    BadSignature,
    /// A signed file whose contents differ.
    Modified { path: String },
    /// A signed file that is not there.
    Missing { path: String },
    /// A file that is not in the signature.
    Extra { path: String },
}

/// The outcome of `verify_model`.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    /// Empty when the model verified.
    pub problems: Vec<Problem>,
    /// Who signed: the key hint or the certificate subject (when known).
    pub signer: Option<String>,
    /// The signed model name (informative).
    pub model_name: Option<String>,
    /// Resources compared (0 when the signature itself failed).
    pub resources_checked: usize,
}

impl Verification {
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }

    fn failed(p: Problem, signer: Option<String>) -> Self {
        Verification {
            problems: vec![p],
            signer,
            model_name: None,
            resources_checked: 0,
        }
    }
}

/// Options of a verification that do not come from the signature.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Follow symbolic links (as `--allow_symlinks` of model_signing).
    pub allow_symlinks: bool,
    /// Also leave these out (e.g. the signature file inside the model).
    pub ignore_paths: Vec<String>,
    /// Do not add `.git*` to the ignore list.
    pub no_ignore_git_paths: bool,
}

/// Verify `model` against the bundle bytes. `Err` only for failures to read
/// the model (I/O, limits, refused files); every verification failure is a
/// `Problem` in the result.
pub fn verify_model(
    model: &Path,
    bundle_bytes: &[u8],
    trust: &Trust,
    opts: &VerifyOptions,
) -> Result<Verification, Error> {
    let parsed = match parse_signature(bundle_bytes) {
        Ok(p) => p,
        Err(e) => {
            let reason = match e {
                Error::Bundle(r) => r,
                other => other.to_string(),
            };
            return Ok(Verification::failed(
                Problem::MalformedSignature { reason },
                None,
            ));
        }
    };
    let (key, signer) = match (trust, &parsed.material) {
        (Trust::PublicKey(k), Material::PublicKey { hint }) => {
            let expected = k.hint();
            match hint {
                Some(h) if !h.eq_ignore_ascii_case(&expected) => {
                    let p = Problem::WrongKey {
                        signed_with: h.clone(),
                        expected,
                    };
                    return Ok(Verification::failed(p, Some(h.clone())));
                }
                _ => (k.clone(), Some(expected)),
            }
        }
        // model_signing's key verifier checks a certificate bundle's
        // signature against the given key alone; so does this.
        (Trust::PublicKey(k), Material::Certificates(ders)) => {
            (k.clone(), ders.first().map(|d| x509::subject(d)))
        }
        (Trust::Roots(roots), Material::Certificates(ders)) => {
            let who = ders.first().map(|d| x509::subject(d));
            match verify_chain(ders, roots) {
                Ok(k) => (k, who),
                Err(reason) => {
                    return Ok(Verification::failed(
                        Problem::UntrustedCertificate { reason },
                        who,
                    ));
                }
            }
        }
        (Trust::Roots(_), Material::PublicKey { .. }) => {
            return Ok(Verification::failed(Problem::MissingCertificate, None));
        }
    };
    if !key.verify_der(&parsed.signed_bytes, &parsed.signature) {
        return Ok(Verification::failed(Problem::BadSignature, signer));
    }
    let mut ignore_paths = parsed.ignore_paths.clone();
    ignore_paths.extend(opts.ignore_paths.iter().cloned());
    let hopts = HashOptions {
        algorithm: parsed.algorithm,
        serialization: parsed.serialization,
        allow_symlinks: opts.allow_symlinks,
        ignore_git_paths: !opts.no_ignore_git_paths,
        ignore_paths,
    };
    let actual = hash_model(model, &hopts)?;
    let problems = compare::diff(&parsed.resources, &actual);
    Ok(Verification {
        problems,
        signer,
        model_name: Some(parsed.model_name),
        resources_checked: parsed.resources.len(),
    })
}

#[cfg(test)]
mod tests;
