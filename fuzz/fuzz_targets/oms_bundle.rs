#![no_main]
//! Parse any bytes as an OMS signature (Sigstore bundle, DSSE envelope,
//! in-toto statement, model_signing predicate); nothing may panic, and what
//! parses must hold: bounded resources, one path per resource, the signed
//! bytes in DSSE form. Any certificates are then run through the chain
//! checker (against themselves as roots) and the signature through ECDSA
//! (KEY is the public key the model_signing seeds were signed with).

use aigis_integrity::hash::MAX_RESOURCES;
use aigis_integrity::sign::{EcVerifyingKey, Material, parse_signature, verify_chain};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESidc+ymSfyqQzpr3tdWfyBH2xY34
kzIiK3lzezrx6N2f7oz3d7uMEYSoZmr7AFxMpvB1JdhTuqGWCQwT5ngtLg==
-----END PUBLIC KEY-----
";

fuzz_target!(|data: &[u8]| {
    let Ok(p) = parse_signature(data) else { return };
    assert!(p.resources.len() <= MAX_RESOURCES);
    assert!(p.signed_bytes.starts_with(b"DSSEv1 "));
    for r in &p.resources {
        assert!(r.name.starts_with(&r.path));
    }
    if let Material::Certificates(ders) = &p.material {
        if let Ok(k) = verify_chain(ders, ders) {
            let _ = k.verify_der(&p.signed_bytes, &p.signature);
        }
    }
    if let Ok(k) = EcVerifyingKey::from_pem(KEY) {
        let _ = k.verify_der(&p.signed_bytes, &p.signature);
    }
});
