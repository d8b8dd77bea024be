//! Engine tests: bait that must not fire, allow comments, positions,
//! redaction of real matches, hostile input (invalid UTF-8, huge lines).

use crate::{Kinds, MAX_MATCHES, SecretMatch, SecretScanner};

fn scan(text: &str) -> Vec<SecretMatch> {
    scanner().scan(text.as_bytes(), Kinds::SECRETS)
}

fn scanner() -> &'static SecretScanner {
    static S: std::sync::OnceLock<SecretScanner> = std::sync::OnceLock::new();
    S.get_or_init(|| SecretScanner::new().expect("builtin rules load"))
}

fn ghp() -> String {
    ["ghp_", "CXCU81tqCVNAEs3u0kgNJbnnSsTWzo3SQukZ"].concat()
}

#[test]
fn scanner_is_send_and_sync() {
    fn assert_both<T: Send + Sync>() {}
    assert_both::<SecretScanner>();
}

#[test]
fn positions_are_bytes_and_lines_one_based() {
    let text = format!("a = 1\n# é\ntoken: {}\n", ghp());
    let found = scan(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!(m.rule.name, "github-classic-token");
    assert_eq!((m.line, m.column), (3, 8));
    assert_eq!(&text.as_bytes()[m.start..m.end], ghp().as_bytes());
    assert_eq!(m.secret(), ghp());
}

#[test]
fn redaction_and_debug_never_show_the_secret() {
    let text = format!("GITHUB_TOKEN={}", ghp());
    let m = &scan(&text)[0];
    assert_eq!(m.redacted, "ghp_…(40)");
    assert!(!format!("{m:?}").contains(&ghp()[4..]));
    assert_eq!(m.fingerprint_key().len(), 64);
    let json = serde_json::to_string(m).expect("serializes");
    assert!(
        json.contains("\"rule\":\"AIG330\"") && !json.contains(&ghp()[4..]),
        "{json}"
    );
    assert!(!m.fingerprint_key().contains(&ghp()[4..]));
}

#[test]
fn allow_comment_with_reason_suppresses() {
    let key = ghp();
    assert!(
        scan(&format!(
            "t = '{key}'  # aigis: allow-secret revoked 2024-05"
        ))
        .is_empty()
    );
    assert!(scan(&format!("// aigis: allow-secret test fixture\nt = '{key}'")).is_empty());
    assert_eq!(
        scan(&format!("t = '{key}'  # aigis: allow-secret")).len(),
        1
    );
    assert_eq!(
        scan(&format!("// aigis: allow-secret fixture\n\nt = '{key}'")).len(),
        1,
        "two lines above does not count"
    );
}

#[test]
fn entropy_bait_does_not_fire() {
    let bait = [
        "sha1 = da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "\"sha256\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
        "revision = \"967a64cb14028d512c9791e558e08baa7196b50a\"",
        "id: 123e4567-e89b-12d3-a456-426614174000",
        "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\"",
        "\"id\": 1234567890123456789, \"user_id\": 98765432109876543",
        "commit c2f86702824c1c099724caf4941d4072014b3ce107f80e222f828767efc2f916",
        "secret_token = hashlib.sha256(data).hexdigest()",
        "tokens = tokenizer(text, return_tensors=\"pt\")",
    ];
    for b in bait {
        let found = scanner().scan(b.as_bytes(), Kinds::ALL);
        assert!(found.is_empty(), "{b}: {found:?}");
    }
}

#[test]
fn base64_png_blob_does_not_fire() {
    // A PNG header then pseudo-random base64, as a notebook image output holds it.
    let mut blob = String::from("\"image/png\": \"iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAYAAAA");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 12345;
    for i in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        blob.push(char::from(alphabet[(x >> 16) as usize % 64]));
        if i % 76 == 75 {
            blob.push_str("\\n");
        }
    }
    blob.push_str("==\"");
    let found = scanner().scan(blob.as_bytes(), Kinds::ALL);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn invalid_utf8_is_scanned_around() {
    let mut text = vec![0xff, 0xfe, b'\n', 0xc3];
    text.extend_from_slice(b" key=");
    text.extend_from_slice(ghp().as_bytes());
    text.extend_from_slice(&[0x80, 0x00, b'\n', 0xed, 0xa0, 0x80]);
    let found = scanner().scan(&text, Kinds::ALL);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 2);
    for n in 0..text.len() {
        let _ = scanner().scan(&text[..n], Kinds::ALL);
    }
}

#[test]
fn huge_line_is_scanned_and_bounded() {
    let mut text = "x".repeat(4 << 20);
    text.push_str(&format!(" password = \"Xq7vL2pz9KdR\" {} ", ghp()));
    text.push_str(&"y=1;".repeat(1 << 20));
    let found = scan(&text);
    let names: Vec<_> = found.iter().map(|m| m.rule.name).collect();
    assert_eq!(names, ["hardcoded-password", "github-classic-token"]);
    assert_eq!(found[1].line, 1);
}

#[test]
fn matches_are_capped() {
    let line = format!("t={}\n", ghp());
    let text = line.repeat(MAX_MATCHES + 50);
    assert_eq!(scan(&text).len(), MAX_MATCHES);
}

#[test]
fn most_specific_rule_wins_an_overlap() {
    let text = [
        "api_key = \"sk-ant-api03-",
        &"Zq8rT4vLm2Kp".repeat(8),
        "AA\"",
    ]
    .concat();
    let found = scan(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule.name, "anthropic-api-key");
}

#[test]
fn personal_data_only_when_asked() {
    let text = "mailed jane.doe@contoso.com from 203.0.113.9";
    assert!(scanner().scan(text.as_bytes(), Kinds::SECRETS).is_empty());
    let found = scanner().scan(text.as_bytes(), Kinds::ALL);
    let names: Vec<_> = found.iter().map(|m| m.rule.name).collect();
    assert_eq!(names, ["email-address-in-output", "ipv4-address-in-output"]);
    let none = Kinds::default();
    assert!(scanner().scan(ghp().as_bytes(), none).is_empty());
}
