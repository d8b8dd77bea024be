//! A small planted corpus built like `bench/secrets_corpus.py` (same token
//! shapes, syntaxes, blocks, notebook layout and bait), in Rust so that the
//! test needs no Python: every planted secret must be found as its rule in
//! its block, no bait line may fire, and nothing may fire outside the plants.

use aigis_secrets::{Kinds, SecretScanner};
use serde_json::json;

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const HEX: &str = "0123456789abcdef";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Deterministic random strings (xorshift), like the generator's `Gen.s`.
struct Gen(u64);

impl Gen {
    fn s(&mut self, alphabet: &str, n: usize) -> String {
        let a = alphabet.as_bytes();
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                char::from(a[(self.0 % a.len() as u64) as usize])
            })
            .collect()
    }

    fn pem(&mut self, kind: &str) -> Vec<String> {
        let mut lines = vec![format!("-----BEGIN {kind}PRIVATE KEY-----")];
        lines.push(format!("MIIEpAIBAAKCAQEA{}", self.s(B64, 48)));
        lines.extend((0..5).map(|_| self.s(B64, 64)));
        lines.push(format!("-----END {kind}PRIVATE KEY-----"));
        lines
    }
}

fn assignments(g: &mut Gen) -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "aws-access-key-id",
            "aws_access_key_id",
            format!("AKIA{}", g.s(UPPER32, 16)),
        ),
        (
            "aws-secret-access-key",
            "aws_secret_access_key",
            format!("{}/{}", g.s(ALNUM, 20), g.s(ALNUM, 19)),
        ),
        (
            "gcp-api-key",
            "maps_key",
            format!("AIza{}", g.s(URLSAFE, 35)),
        ),
        (
            "openai-api-key",
            "OPENAI_API_KEY",
            format!("sk-proj-{}T3BlbkFJ{}", g.s(URLSAFE, 74), g.s(URLSAFE, 74)),
        ),
        (
            "anthropic-api-key",
            "ANTHROPIC_API_KEY",
            format!("sk-ant-api03-{}AA", g.s(URLSAFE, 93)),
        ),
        (
            "anthropic-admin-key",
            "ANTHROPIC_ADMIN_KEY",
            format!("sk-ant-admin01-{}AA", g.s(URLSAFE, 93)),
        ),
        (
            "huggingface-user-token",
            "HF_TOKEN",
            format!("hf_{}", g.s(&ALNUM[..52], 34)),
        ),
        (
            "huggingface-org-token",
            "HF_ORG_TOKEN",
            format!("api_org_{}", g.s(&ALNUM[..52], 34)),
        ),
        (
            "cohere-api-key",
            "COHERE_API_KEY",
            format!("{}Q7", g.s(ALNUM, 38)),
        ),
        (
            "mistral-api-key",
            "MISTRAL_API_KEY",
            format!("{}k9", g.s(ALNUM, 30)),
        ),
        (
            "groq-api-key",
            "GROQ_API_KEY",
            format!("gsk_{}", g.s(ALNUM, 52)),
        ),
        (
            "replicate-api-token",
            "REPLICATE_API_TOKEN",
            format!("r8_{}", g.s(ALNUM, 37)),
        ),
        ("wandb-api-key", "WANDB_API_KEY", g.s(HEX, 40)),
        (
            "pinecone-api-key",
            "PINECONE_API_KEY",
            format!("pcsk_{}_{}", g.s(ALNUM, 6), g.s(ALNUM, 63)),
        ),
        (
            "langsmith-api-key",
            "LANGSMITH_API_KEY",
            format!("lsv2_pt_{}_{}", g.s(HEX, 32), g.s(HEX, 10)),
        ),
        (
            "gemini-api-key",
            "GEMINI_API_KEY",
            format!("AIza{}", g.s(URLSAFE, 35)),
        ),
        (
            "github-classic-token",
            "GITHUB_TOKEN",
            format!("ghp_{}", g.s(ALNUM, 36)),
        ),
        (
            "github-fine-grained-token",
            "GH_PAT",
            format!("github_pat_{}_{}", g.s(ALNUM, 22), g.s(ALNUM, 59)),
        ),
        (
            "gitlab-personal-access-token",
            "GITLAB_TOKEN",
            format!("glpat-{}", g.s(ALNUM, 20)),
        ),
        (
            "slack-token",
            "SLACK_BOT_TOKEN",
            format!(
                "xoxb-{}-{}-{}",
                g.s("123456789", 11),
                g.s("123456789", 13),
                g.s(ALNUM, 24)
            ),
        ),
        (
            "slack-webhook-url",
            "SLACK_WEBHOOK",
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                g.s(&ALNUM[..26], 8),
                g.s(&ALNUM[..26], 10),
                g.s(ALNUM, 24)
            ),
        ),
        (
            "stripe-live-secret-key",
            "STRIPE_KEY",
            format!("sk_live_{}", g.s(ALNUM, 24)),
        ),
        (
            "twilio-api-key",
            "TWILIO_API_KEY",
            format!("SK{}", g.s(HEX, 32)),
        ),
        (
            "sendgrid-api-key",
            "SENDGRID_API_KEY",
            format!("SG.{}.{}", g.s(URLSAFE, 22), g.s(URLSAFE, 43)),
        ),
        (
            "npm-access-token",
            "NPM_TOKEN",
            format!("npm_{}", g.s(ALNUM, 36)),
        ),
        (
            "pypi-upload-token",
            "PYPI_TOKEN",
            format!("pypi-AgEIcHlwaS5vcmc{}", g.s(URLSAFE, 70)),
        ),
        (
            "json-web-token",
            "SESSION_JWT",
            format!(
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ{}In0.{}",
                g.s(ALNUM, 16),
                g.s(URLSAFE, 43)
            ),
        ),
        (
            "database-url-password",
            "DATABASE_URL",
            format!(
                "postgresql://app:{}@db.internal.acme.io:5432/app",
                g.s(ALNUM, 14)
            ),
        ),
        (
            "hardcoded-password",
            "DB_PASSWORD",
            format!("{}#7x", g.s(ALNUM, 10)),
        ),
        (
            "hardcoded-secret",
            "CLIENT_SECRET",
            format!("{}9q", g.s(ALNUM, 22)),
        ),
    ]
}

fn blocks(g: &mut Gen) -> Vec<(&'static str, Vec<String>)> {
    let mut pem = vec!["PEM = \"\"\"".to_string()];
    pem.extend(g.pem("RSA "));
    pem.push("\"\"\"".into());
    let mut ssh = vec![
        "SSH = \"\"\"".to_string(),
        "-----BEGIN OPENSSH PRIVATE KEY-----".into(),
    ];
    ssh.push(format!(
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ{}",
        g.s(B64, 22)
    ));
    ssh.extend((0..3).map(|_| g.s(B64, 64)));
    ssh.extend([
        "-----END OPENSSH PRIVATE KEY-----".to_string(),
        "\"\"\"".into(),
    ]);
    let sa_key = g.pem("")[..7].join("\\n") + "\\n-----END PRIVATE KEY-----\\n";
    let sa = format!(
        "SA = '{{\"type\": \"service_account\", \"project_id\": \"demo\", \"private_key\": \"{sa_key}\", \"client_email\": \"svc@demo.iam.gserviceaccount.com\"}}'"
    );
    let azure = format!(
        "AZURE = 'DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={}==;EndpointSuffix=core.windows.net'",
        g.s(B64, 86)
    );
    let (sid, tok) = (g.s(HEX, 32), g.s(HEX, 32));
    let twilio = vec![
        "# twilio client".to_string(),
        format!("account_sid = \"AC{sid}\""),
        format!("auth_token = \"{tok}\""),
    ];
    vec![
        ("private-key-pem", pem),
        ("openssh-private-key", ssh),
        ("gcp-service-account-key", vec![sa]),
        ("azure-storage-account-key", vec![azure]),
        ("twilio-auth-token", twilio),
    ]
}

fn bait(g: &mut Gen) -> Vec<String> {
    vec![
        format!("sha1 = \"{}\"", g.s(HEX, 40)),
        format!("\"sha256\": \"{}\"", g.s(HEX, 64)),
        format!("revision = \"{}\"", g.s(HEX, 40)),
        format!(
            "request_id = \"{}-{}-4{}-a{}-{}\"",
            g.s(HEX, 8),
            g.s(HEX, 4),
            g.s(HEX, 3),
            g.s(HEX, 3),
            g.s(HEX, 12)
        ),
        format!("\"integrity\": \"sha512-{}==\"", g.s(B64, 86)),
        "\"id\": 1234567890123456789".into(),
        "password = \"changeme\"".into(),
        "api_key: ${OPENAI_API_KEY}".into(),
        "token = os.environ[\"HF_TOKEN\"]".into(),
        "tokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")".into(),
        format!(
            "IMAGE = \"iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAYAAAA{}==\"",
            g.s(B64, 4000)
        ),
    ]
}

fn syntax(ext: &str, name: &str, value: &str) -> String {
    match ext {
        "py" => format!("{name} = \"{value}\""),
        "env" => format!("{name}={value}"),
        "yaml" => format!("{}: {value}", name.to_lowercase()),
        "md" => format!("    export {name}={value}"),
        _ => format!("  \"{name}\": \"{value}\","),
    }
}

/// A planted file: its text, the plants (rule, first line, last line) and bait lines.
struct Planted {
    name: String,
    text: String,
    plants: Vec<(&'static str, u32, u32)>,
    bait: Vec<u32>,
}

fn text_file(g: &mut Gen, ext: &str) -> Planted {
    let mut lines: Vec<String> = if ext == "json" {
        vec!["{".into()]
    } else {
        vec![]
    };
    let mut plants = Vec::new();
    for (rule, var, value) in assignments(g) {
        if rule == "twilio-api-key" {
            lines.push(syntax(ext, "TWILIO_ACCOUNT", "twilio-main"));
        }
        lines.push(syntax(ext, var, &value));
        plants.push((rule, lines.len() as u32, lines.len() as u32));
        lines.push(String::new());
    }
    if ext == "py" {
        for (rule, block) in blocks(g) {
            let first = lines.len() as u32 + 1;
            lines.extend(block);
            plants.push((rule, first, lines.len() as u32));
            lines.push(String::new());
        }
    }
    let mut bait_lines = Vec::new();
    for b in bait(g) {
        lines.push(if ext == "json" {
            format!("  \"bait\": {},", json!(b))
        } else {
            b
        });
        bait_lines.push(lines.len() as u32);
    }
    if ext == "json" {
        lines.push("  \"end\": true\n}".into());
    }
    Planted {
        name: format!("planted.{ext}"),
        text: lines.join("\n") + "\n",
        plants,
        bait: bait_lines,
    }
}

fn notebook(g: &mut Gen) -> Planted {
    let mut cells = Vec::new();
    let mut rules = Vec::new();
    for (rule, var, value) in assignments(g).into_iter().step_by(3) {
        cells.push(json!({"cell_type": "code", "execution_count": 1, "id": g.s(HEX, 8), "metadata": {},
            "source": ["import os\n", format!("{var} = \"{value}\"\n")],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": [format!("using {value}\n")]}]}));
        rules.push(rule);
    }
    let personal: [(&str, String); 5] = [
        (
            "email-address-in-output",
            format!("sent to {}@contoso.com", g.s(&ALNUM[26..52], 8)),
        ),
        ("phone-number-in-output", "phone +1 415 555 0134".into()),
        (
            "payment-card-number-in-output",
            "card 4111 1111 1111 1111".into(),
        ),
        (
            "ipv4-address-in-output",
            "client 203.0.113.42 connected".into(),
        ),
        (
            "ipv6-address-in-output",
            format!("peer 2001:db8:{}::7334 joined", g.s(HEX, 4)),
        ),
    ];
    for (rule, text) in personal {
        cells.push(
            json!({"cell_type": "code", "execution_count": 2, "id": g.s(HEX, 8), "metadata": {},
            "source": ["df.head()\n"],
            "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
                "data": {"text/plain": [format!("{text}\n")]}}]}),
        );
        rules.push(rule);
    }
    let png = format!(
        "iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAYAAAA{}==",
        g.s(B64, 20_000)
    );
    cells.push(
        json!({"cell_type": "code", "execution_count": 3, "id": g.s(HEX, 8), "metadata": {},
        "source": ["plt.show()\n"],
        "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": png}}]}),
    );
    let nb = json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells});
    let text = serde_json::to_string_pretty(&nb).expect("notebook serializes");
    // serde_json sorts keys: a cell spans from its `"cell_type"` line to the next one.
    let starts: Vec<u32> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("\"cell_type\""))
        .map(|(i, _)| i as u32 + 1)
        .collect();
    let total = text.lines().count() as u32;
    let plants = rules
        .iter()
        .enumerate()
        .map(|(k, rule)| (*rule, starts[k], starts.get(k + 1).map_or(total, |n| n - 1)))
        .collect();
    let png_line = text
        .lines()
        .position(|l| l.contains("image/png"))
        .map_or(0, |p| p as u32 + 1);
    Planted {
        name: "planted.ipynb".into(),
        text,
        plants,
        bait: vec![png_line],
    }
}

#[test]
fn every_planted_secret_is_found_and_no_bait_fires() {
    let scanner = SecretScanner::new().expect("builtin rules load");
    let mut g = Gen(0x5eed_1234_abcd_0001);
    let mut files: Vec<Planted> = ["py", "env", "yaml", "json", "md"]
        .iter()
        .map(|e| text_file(&mut g, e))
        .collect();
    files.push(notebook(&mut g));
    let mut problems = Vec::new();
    let mut planted = 0;
    for f in &files {
        let kinds = if f.name.ends_with(".ipynb") {
            Kinds::ALL
        } else {
            Kinds::SECRETS
        };
        let found = scanner.scan(f.text.as_bytes(), kinds);
        for &(rule, lo, hi) in &f.plants {
            planted += 1;
            if !found
                .iter()
                .any(|m| m.rule.name == rule && (lo..=hi).contains(&m.line))
            {
                problems.push(format!("missed {}:{lo}-{hi} {rule}", f.name));
            }
        }
        for m in &found {
            let in_plant = f
                .plants
                .iter()
                .any(|&(_, lo, hi)| (lo..=hi).contains(&m.line));
            if f.bait.contains(&m.line) || !in_plant {
                problems.push(format!(
                    "extra {}:{} {} {}",
                    f.name, m.line, m.rule.name, m.redacted
                ));
            }
        }
    }
    assert!(planted > 150, "{planted} plants");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
