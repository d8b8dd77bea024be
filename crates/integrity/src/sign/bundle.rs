//! The OMS v1.0 signature file: a Sigstore bundle v0.3 (JSON) holding a DSSE
//! envelope whose payload is an in-toto Statement v1 with the predicate
//! `https://model_signing/signature/v1.0`.
//!
//! Reading treats the file as hostile: a size limit before parsing, limits
//! on the number of resources, certificates and signatures, every digest
//! checked as hex of the right length, shard names checked as
//! `path:start:end`, duplicate names refused, and the subject digest (SHA-256
//! over the raw resource digests, in listed order) recomputed. A parse never
//! trusts anything: the caller checks the envelope signature before using
//! the statement.

use super::ec::pae;
use crate::Error;
use crate::hash::{
    HashAlgorithm, MAX_PATH_LEN, MAX_RESOURCES, MAX_SHARD_SIZE, MIN_SHARD_SIZE, Manifest,
    Serialization, digest_hex,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";

/// Largest signature file read (a million-file manifest is ~150 MB).
pub const MAX_SIGNATURE_BYTES: usize = 256 << 20;
/// Most certificates in the bundle's chain, and bytes in one.
pub const MAX_CERTIFICATES: usize = 16;
pub const MAX_CERTIFICATE_BYTES: usize = 64 << 10;
/// Most DSSE signatures looked at (model_signing uses the first only).
pub const MAX_SIGNATURES: usize = 16;
/// Most ignore entries in the serialization parameters.
pub const MAX_IGNORE_PATHS: usize = 10_000;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BundleJson {
    media_type: String,
    verification_material: MaterialJson,
    dsse_envelope: EnvelopeJson,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct MaterialJson {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    public_key: Option<PublicKeyJson>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    x509_certificate_chain: Option<ChainJson>,
    #[serde(default)]
    tlog_entries: Vec<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct PublicKeyJson {
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ChainJson {
    certificates: Vec<CertJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertJson {
    raw_bytes: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeJson {
    payload: String,
    payload_type: String,
    signatures: Vec<SigJson>,
}

#[derive(Serialize, Deserialize)]
struct SigJson {
    sig: String,
    #[serde(default)]
    keyid: String,
}

/// What the bundle says about the signer's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Material {
    /// A public key, named by its hint (may be absent in old signatures).
    PublicKey { hint: Option<String> },
    /// DER certificates: the signing certificate first, then the chain.
    Certificates(Vec<Vec<u8>>),
}

/// One resource as signed: its OMS name and hex digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedResource {
    pub name: String,
    /// The file path (the name without `:start:end` for a shard).
    pub path: String,
    pub digest: String,
}

/// A parsed (not yet trusted) signature.
#[derive(Clone, Debug)]
pub struct ParsedSignature {
    pub material: Material,
    /// The exact bytes that were signed (DSSE PAE of the payload).
    pub signed_bytes: Vec<u8>,
    /// The first DSSE signature (DER ECDSA).
    pub signature: Vec<u8>,
    pub model_name: String,
    pub algorithm: HashAlgorithm,
    pub serialization: Serialization,
    pub allow_symlinks: bool,
    pub ignore_paths: Vec<String>,
    pub resources: Vec<SignedResource>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Bundle(msg.into())
}

fn b64(s: &str, what: &str) -> Result<Vec<u8>, Error> {
    STANDARD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .map_err(|_| bad(format!("{what} is not base64")))
}

/// Parse a signature file. Every structural problem is an `Error::Bundle`.
pub fn parse_signature(bytes: &[u8]) -> Result<ParsedSignature, Error> {
    if bytes.len() > MAX_SIGNATURE_BYTES {
        return Err(bad(format!("larger than {MAX_SIGNATURE_BYTES} bytes")));
    }
    let b: BundleJson =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not a Sigstore bundle: {e}")))?;
    if b.media_type != BUNDLE_MEDIA_TYPE {
        return Err(bad(format!(
            "media type {:?}, expected {BUNDLE_MEDIA_TYPE}",
            b.media_type
        )));
    }
    let material = match (
        b.verification_material.public_key,
        b.verification_material.x509_certificate_chain,
    ) {
        (_, Some(chain)) => {
            if chain.certificates.is_empty() || chain.certificates.len() > MAX_CERTIFICATES {
                return Err(bad(format!(
                    "certificate chain must hold 1..={MAX_CERTIFICATES} certificates"
                )));
            }
            let mut ders = Vec::new();
            for c in &chain.certificates {
                if c.raw_bytes.len() > MAX_CERTIFICATE_BYTES * 2 {
                    return Err(bad("certificate too large"));
                }
                ders.push(b64(&c.raw_bytes, "certificate")?);
            }
            Material::Certificates(ders)
        }
        (Some(pk), None) => Material::PublicKey {
            hint: pk.hint.filter(|h| !h.is_empty()),
        },
        (None, None) => return Err(bad("no verification material")),
    };
    let env = b.dsse_envelope;
    if env.payload_type != PAYLOAD_TYPE {
        return Err(bad(format!(
            "payload type {:?}, expected {PAYLOAD_TYPE}",
            env.payload_type
        )));
    }
    if env.signatures.is_empty() || env.signatures.len() > MAX_SIGNATURES {
        return Err(bad(format!(
            "envelope must hold 1..={MAX_SIGNATURES} signatures"
        )));
    }
    let signature = env
        .signatures
        .first()
        .map(|s| b64(&s.sig, "signature"))
        .transpose()?
        .unwrap_or_default();
    let payload = b64(&env.payload, "payload")?;
    let st = parse_statement(&payload)?;
    Ok(ParsedSignature {
        material,
        signed_bytes: pae(&env.payload_type, &payload),
        signature,
        model_name: st.model_name,
        algorithm: st.algorithm,
        serialization: st.serialization,
        allow_symlinks: st.allow_symlinks,
        ignore_paths: st.ignore_paths,
        resources: st.resources,
    })
}

struct Statement {
    model_name: String,
    algorithm: HashAlgorithm,
    serialization: Serialization,
    allow_symlinks: bool,
    ignore_paths: Vec<String>,
    resources: Vec<SignedResource>,
}

#[derive(Deserialize)]
struct StatementJson {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<SubjectJson>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    predicate: PredicateJson,
}

#[derive(Deserialize)]
struct SubjectJson {
    #[serde(default)]
    name: String,
    digest: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct PredicateJson {
    serialization: SerializationJson,
    resources: Vec<ResourceJson>,
}

#[derive(Deserialize)]
struct SerializationJson {
    method: String,
    hash_type: String,
    #[serde(default)]
    allow_symlinks: bool,
    #[serde(default)]
    shard_size: Option<serde_json::Number>,
    #[serde(default)]
    ignore_paths: Vec<String>,
}

#[derive(Deserialize)]
struct ResourceJson {
    name: String,
    algorithm: String,
    digest: String,
}

fn parse_statement(payload: &[u8]) -> Result<Statement, Error> {
    let st: StatementJson =
        serde_json::from_slice(payload).map_err(|e| bad(format!("statement: {e}")))?;
    if st.type_ != STATEMENT_TYPE {
        return Err(bad(format!(
            "statement type {:?}, expected {STATEMENT_TYPE}",
            st.type_
        )));
    }
    if st.predicate_type != PREDICATE_TYPE {
        return Err(bad(format!(
            "predicate type {:?} is not supported (expected {PREDICATE_TYPE})",
            st.predicate_type
        )));
    }
    let [subject] = st.subject.as_slice() else {
        return Err(bad("statement must have exactly one subject"));
    };
    let ser = &st.predicate.serialization;
    let algorithm = HashAlgorithm::from_name(&ser.hash_type)
        .ok_or_else(|| bad(format!("hash type {:?} is not supported", ser.hash_type)))?;
    let serialization = match ser.method.as_str() {
        "files" => Serialization::Files,
        "shards" => Serialization::Shards {
            shard_size: shard_size(ser.shard_size.as_ref())?,
        },
        other => {
            return Err(bad(format!(
                "serialization method {other:?} is not supported"
            )));
        }
    };
    if ser.ignore_paths.len() > MAX_IGNORE_PATHS
        || ser.ignore_paths.iter().any(|p| p.len() > MAX_PATH_LEN)
    {
        return Err(bad("too many or too long ignore paths"));
    }
    if st.predicate.resources.len() > MAX_RESOURCES {
        return Err(bad(format!("more than {MAX_RESOURCES} resources")));
    }
    let mut root = Sha256::new();
    let mut seen = HashSet::new();
    let mut resources = Vec::with_capacity(st.predicate.resources.len());
    for r in &st.predicate.resources {
        if !r.algorithm.starts_with(algorithm.name()) {
            return Err(bad(format!(
                "resource {:?}: algorithm {:?} does not match {}",
                r.name,
                r.algorithm,
                algorithm.name()
            )));
        }
        let raw = from_hex32(&r.digest).ok_or_else(|| {
            bad(format!(
                "resource {:?}: digest is not 32 bytes of hex",
                r.name
            ))
        })?;
        root.update(raw);
        let path = resource_path(&r.name, serialization)?;
        if !seen.insert(r.name.as_str()) {
            return Err(bad(format!("resource {:?} listed twice", r.name)));
        }
        resources.push(SignedResource {
            name: r.name.clone(),
            path,
            digest: r.digest.to_ascii_lowercase(),
        });
    }
    let want = subject
        .digest
        .get("sha256")
        .ok_or_else(|| bad("subject has no sha256 digest"))?;
    if !want.eq_ignore_ascii_case(&digest_hex(&root.finalize())) {
        return Err(bad(
            "subject digest does not match the resources (inconsistent manifest)",
        ));
    }
    Ok(Statement {
        model_name: subject.name.clone(),
        algorithm,
        serialization,
        allow_symlinks: ser.allow_symlinks,
        ignore_paths: ser.ignore_paths.clone(),
        resources,
    })
}

/// model_signing writes `shard_size` as an integer, or (through protobuf's
/// Struct) as a float such as `1024.0`; both are accepted when integral.
fn shard_size(n: Option<&serde_json::Number>) -> Result<u64, Error> {
    let n = n.ok_or_else(|| bad("shards serialization without shard_size"))?;
    let v = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= MAX_SHARD_SIZE as f64)
            .map(|f| f as u64)
    });
    match v {
        Some(v) if (MIN_SHARD_SIZE..=MAX_SHARD_SIZE).contains(&v) => Ok(v),
        _ => Err(bad(format!(
            "shard_size {n} is outside {MIN_SHARD_SIZE}..={MAX_SHARD_SIZE}"
        ))),
    }
}

fn resource_path(name: &str, ser: Serialization) -> Result<String, Error> {
    if name.is_empty() || name.len() > MAX_PATH_LEN + 48 {
        return Err(bad("empty or too long resource name"));
    }
    match ser {
        Serialization::Files => Ok(name.to_string()),
        Serialization::Shards { .. } => {
            let mut it = name.split(':');
            let (Some(p), Some(s), Some(e), None) = (it.next(), it.next(), it.next(), it.next())
            else {
                return Err(bad(format!("shard name {name:?} is not path:start:end")));
            };
            let (Ok(s), Ok(e)) = (s.parse::<u64>(), e.parse::<u64>()) else {
                return Err(bad(format!("shard name {name:?} has bad offsets")));
            };
            if s >= e {
                return Err(bad(format!("shard name {name:?} has an empty range")));
            }
            Ok(p.to_string())
        }
    }
}

fn from_hex32(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        let hi = char::from(*b.get(2 * i)?).to_digit(16)?;
        let lo = char::from(*b.get(2 * i + 1)?).to_digit(16)?;
        *o = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// The in-toto statement for a manifest, as JSON bytes (the DSSE payload).
pub fn statement_json(m: &Manifest) -> Result<Vec<u8>, Error> {
    let mut root = Sha256::new();
    let mut resources = Vec::with_capacity(m.resources.len());
    let alg = match m.serialization {
        Serialization::Files => m.algorithm.name().to_string(),
        Serialization::Shards { shard_size } => {
            format!("{}-sharded-{shard_size}", m.algorithm.name())
        }
    };
    for r in &m.resources {
        let raw = from_hex32(&r.digest).ok_or_else(|| bad("manifest digest is not 32 bytes"))?;
        root.update(raw);
        resources.push(serde_json::json!({"name": r.name(), "algorithm": alg, "digest": r.digest}));
    }
    let mut ser = serde_json::json!({
        "method": match m.serialization { Serialization::Files => "files", Serialization::Shards { .. } => "shards" },
        "hash_type": m.algorithm.name(),
        "allow_symlinks": m.allow_symlinks,
    });
    if let (Serialization::Shards { shard_size }, Some(o)) = (m.serialization, ser.as_object_mut())
    {
        o.insert("shard_size".into(), shard_size.into());
    }
    if let (false, Some(o)) = (m.ignore_paths.is_empty(), ser.as_object_mut()) {
        o.insert("ignore_paths".into(), m.ignore_paths.clone().into());
    }
    let st = serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": m.model_name, "digest": {"sha256": digest_hex(&root.finalize())}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {"serialization": ser, "resources": resources},
    });
    serde_json::to_vec_pretty(&st).map_err(|e| bad(e.to_string()))
}

/// The bundle JSON around a signed payload.
pub fn bundle_json(payload: &[u8], sig_der: &[u8], material: &Material) -> Result<Vec<u8>, Error> {
    let vm = match material {
        Material::PublicKey { hint } => MaterialJson {
            public_key: Some(PublicKeyJson { hint: hint.clone() }),
            ..MaterialJson::default()
        },
        Material::Certificates(ders) => MaterialJson {
            x509_certificate_chain: Some(ChainJson {
                certificates: ders
                    .iter()
                    .map(|d| CertJson {
                        raw_bytes: STANDARD.encode(d),
                    })
                    .collect(),
            }),
            ..MaterialJson::default()
        },
    };
    let b = BundleJson {
        media_type: BUNDLE_MEDIA_TYPE.into(),
        verification_material: vm,
        dsse_envelope: EnvelopeJson {
            payload: STANDARD.encode(payload),
            payload_type: PAYLOAD_TYPE.into(),
            signatures: vec![SigJson {
                sig: STANDARD.encode(sig_der),
                keyid: String::new(),
            }],
        },
    };
    serde_json::to_vec_pretty(&b).map_err(|e| bad(e.to_string()))
}
