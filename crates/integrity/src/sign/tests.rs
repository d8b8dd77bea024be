use super::*;
use crate::hash::Serialization;
use std::fs;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DATA}{name}")).unwrap()
}

fn model() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir_all(d.path().join("sub")).unwrap();
    fs::write(d.path().join("config.json"), b"{}").unwrap();
    fs::write(d.path().join("sub/weights.bin"), vec![1u8; 20_000]).unwrap();
    d
}

fn key() -> EcSigningKey {
    EcSigningKey::from_pem(&read("p256-sec1.pem")).unwrap()
}

fn pubkey(name: &str) -> Trust {
    Trust::PublicKey(EcVerifyingKey::from_pem(&read(name)).unwrap())
}

fn roots(name: &str) -> Trust {
    Trust::Roots(certificates_from_pem(read(name).as_bytes()).unwrap())
}

fn verify(d: &tempfile::TempDir, sig: &[u8], t: &Trust) -> Verification {
    verify_model(d.path(), sig, t, &VerifyOptions::default()).unwrap()
}

#[test]
fn pkcs8_and_sec1_forms_of_a_key_are_the_same_key() {
    let a = EcSigningKey::from_pem(&read("p256-sec1.pem")).unwrap();
    let b = EcSigningKey::from_pem(&read("p256-pkcs8.pem")).unwrap();
    assert_eq!(a.verifying_key(), b.verifying_key());
    let c = EcSigningKey::from_pem(&read("p384-sec1.pem")).unwrap();
    assert_eq!(c.curve(), "P-384");
    assert!(
        EcSigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .is_err()
    );
}

#[test]
fn key_hint_is_sha256_of_the_openssl_pem_text() {
    let pem = read("p256-pub.pem");
    let k = EcVerifyingKey::from_pem(&pem).unwrap();
    assert_eq!(k.spki_pem(), pem);
}

#[test]
fn round_trip_files_and_shards_on_both_curves() {
    let d = model();
    for (priv_, pub_) in [
        ("p256-pkcs8.pem", "p256-pub.pem"),
        ("p384-pkcs8.pem", "p384-pub.pem"),
    ] {
        let k = EcSigningKey::from_pem(&read(priv_)).unwrap();
        for ser in [
            Serialization::Files,
            Serialization::Shards { shard_size: 8192 },
        ] {
            let opts = HashOptions {
                serialization: ser,
                ..HashOptions::default()
            };
            let sig = sign_model(d.path(), &opts, &k, SignerIdentity::Key).unwrap();
            let v = verify(&d, &sig, &pubkey(pub_));
            assert!(v.verified(), "{priv_} {ser:?}: {:?}", v.problems);
            assert_eq!(
                v.resources_checked,
                if ser == Serialization::Files { 2 } else { 4 }
            );
        }
    }
}

#[test]
fn modified_missing_and_extra_files_are_named() {
    let d = model();
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &key(),
        SignerIdentity::Key,
    )
    .unwrap();
    fs::write(d.path().join("config.json"), b"{\"x\":1}").unwrap();
    fs::remove_file(d.path().join("sub/weights.bin")).unwrap();
    fs::write(d.path().join("payload.py"), b"import os").unwrap();
    let v = verify(&d, &sig, &pubkey("p256-pub.pem"));
    assert_eq!(
        v.problems,
        [
            Problem::Modified {
                path: "config.json".into()
            },
            Problem::Missing {
                path: "sub/weights.bin".into()
            },
            Problem::Extra {
                path: "payload.py".into()
            },
        ]
    );
}

#[test]
fn a_shard_change_names_the_file_once() {
    let d = model();
    let opts = HashOptions {
        serialization: Serialization::Shards { shard_size: 4096 },
        ..HashOptions::default()
    };
    let sig = sign_model(d.path(), &opts, &key(), SignerIdentity::Key).unwrap();
    fs::write(d.path().join("sub/weights.bin"), vec![1u8; 20_001]).unwrap();
    let v = verify(&d, &sig, &pubkey("p256-pub.pem"));
    assert_eq!(
        v.problems,
        [Problem::Modified {
            path: "sub/weights.bin".into()
        }]
    );
}

#[test]
fn wrong_key_is_reported_as_such() {
    let d = model();
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &key(),
        SignerIdentity::Key,
    )
    .unwrap();
    let v = verify(&d, &sig, &pubkey("other-pub.pem"));
    assert!(
        matches!(v.problems.as_slice(), [Problem::WrongKey { .. }]),
        "{:?}",
        v.problems
    );
}

#[test]
fn wrong_key_without_a_hint_is_a_bad_signature() {
    let d = model();
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &key(),
        SignerIdentity::Key,
    )
    .unwrap();
    let mut j: serde_json::Value = serde_json::from_slice(&sig).unwrap();
    j["verificationMaterial"]["publicKey"] = serde_json::json!({});
    let sig = serde_json::to_vec(&j).unwrap();
    assert!(verify(&d, &sig, &pubkey("p256-pub.pem")).verified());
    assert_eq!(
        verify(&d, &sig, &pubkey("other-pub.pem")).problems,
        [Problem::BadSignature]
    );
}

#[test]
fn a_flipped_signature_byte_or_edited_payload_is_a_bad_signature() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let d = model();
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &key(),
        SignerIdentity::Key,
    )
    .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&sig).unwrap();
    let mut raw = b64
        .decode(j["dsseEnvelope"]["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 1;
    let mut k = j.clone();
    k["dsseEnvelope"]["signatures"][0]["sig"] = b64.encode(&raw).into();
    assert_eq!(
        verify(
            &d,
            &serde_json::to_vec(&k).unwrap(),
            &pubkey("p256-pub.pem")
        )
        .problems,
        [Problem::BadSignature]
    );
    // Re-sign nothing, but swap the model name inside the payload.
    let payload = String::from_utf8(
        b64.decode(j["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let edited = payload.replacen("\"name\": \"", "\"name\": \"x", 1);
    let mut k = j.clone();
    k["dsseEnvelope"]["payload"] = b64.encode(edited.as_bytes()).into();
    assert_eq!(
        verify(
            &d,
            &serde_json::to_vec(&k).unwrap(),
            &pubkey("p256-pub.pem")
        )
        .problems,
        [Problem::BadSignature]
    );
}

#[test]
fn garbage_signature_files_are_malformed_not_errors() {
    let d = model();
    for bad in [&b""[..], b"{}", b"[1,2", b"{\"mediaType\":\"x\"}"] {
        let v = verify(&d, bad, &pubkey("p256-pub.pem"));
        assert!(
            matches!(v.problems.as_slice(), [Problem::MalformedSignature { .. }]),
            "{bad:?}"
        );
    }
}

#[test]
fn certificate_chain_round_trip_and_untrusted_root() {
    let d = model();
    let k = EcSigningKey::from_pem(&read("leaf.key")).unwrap();
    let mut chain = certificates_from_pem(read("leaf.pem").as_bytes()).unwrap();
    chain.extend(certificates_from_pem(read("int.pem").as_bytes()).unwrap());
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &k,
        SignerIdentity::Certificates(&chain),
    )
    .unwrap();
    let v = verify(&d, &sig, &roots("root.pem"));
    assert!(v.verified(), "{:?}", v.problems);
    assert!(v.signer.unwrap().contains("aigis test signer"));
    let v = verify(&d, &sig, &roots("other-root.pem"));
    assert!(
        matches!(
            v.problems.as_slice(),
            [Problem::UntrustedCertificate { .. }]
        ),
        "{:?}",
        v.problems
    );
    // Without the intermediate in the bundle, no path to the root.
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &k,
        SignerIdentity::Certificates(&chain[..1]),
    )
    .unwrap();
    assert!(matches!(
        verify(&d, &sig, &roots("root.pem")).problems.as_slice(),
        [Problem::UntrustedCertificate { .. }]
    ));
    // A key bundle checked against a root has no certificate to check.
    let sig = sign_model(d.path(), &HashOptions::default(), &k, SignerIdentity::Key).unwrap();
    assert_eq!(
        verify(&d, &sig, &roots("root.pem")).problems,
        [Problem::MissingCertificate]
    );
}

#[test]
fn a_certificate_for_another_key_is_refused_at_signing() {
    let d = model();
    let chain = certificates_from_pem(read("leaf.pem").as_bytes()).unwrap();
    let e = sign_model(
        d.path(),
        &HashOptions::default(),
        &key(),
        SignerIdentity::Certificates(&chain),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Certificate(_)));
}

#[test]
fn signature_file_inside_the_model_is_left_out() {
    let d = model();
    let opts = VerifyOptions {
        ignore_paths: vec!["model.sig".into()],
        ..VerifyOptions::default()
    };
    let sig = sign_model(
        d.path(),
        &HashOptions::default(),
        &key(),
        SignerIdentity::Key,
    )
    .unwrap();
    fs::write(d.path().join("model.sig"), &sig).unwrap();
    let v = verify_model(d.path(), &sig, &pubkey("p256-pub.pem"), &opts).unwrap();
    assert!(v.verified(), "{:?}", v.problems);
}
