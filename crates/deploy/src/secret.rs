//! Judging `NAME=value` pairs of environments (Dockerfile ENV/ARG, compose
//! `environment`, Kubernetes `env`): a credential-like name with a literal
//! value. Values are never copied into findings, only a redacted form.

/// Words of a variable name that make it a credential.
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "PASS",
    "APIKEY",
    "CREDENTIALS",
    "CREDENTIAL",
    "PRIVATEKEY",
];
/// Adjacent word pairs that make a credential (`API_KEY`, `ACCESS_KEY`, ...).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
    ("PRIVATE", "KEY"),
    ("AUTH", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("SIGNING", "KEY"),
    ("CLIENT", "SECRET"),
];
/// A last word that makes the variable a reference or a setting, not the secret itself.
const NOT_SECRET_LAST: &[&str] = &[
    "FILE",
    "PATH",
    "DIR",
    "ID",
    "NAME",
    "USER",
    "USERNAME",
    "URL",
    "HOST",
    "PORT",
    "ENABLED",
    "LENGTH",
    "LEN",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "HEADER",
    "TYPE",
    "MODE",
    "REF",
    "KEYREF",
    "SECRETREF",
    "POLICY",
    "ENDPOINT",
    "REGION",
    "LIMIT",
    "TIMEOUT",
    "PARALLELISM",
];

/// Whether `name` looks like it holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_LAST.contains(last) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(w))
        || words
            .windows(2)
            .any(|p| matches!(p, [a, b] if SECRET_PAIRS.contains(&(*a, *b))))
}

/// Whether `value` is a literal credential rather than a reference,
/// interpolation or placeholder.
pub fn is_literal_value(value: &str) -> bool {
    let v = value.trim();
    if v.chars().count() < 4 || v.contains('$') || v.starts_with('/') || v.starts_with("./") {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    let placeholder = (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('{') && v.ends_with('}'))
        || [
            "your",
            "replace",
            "placeholder",
            "example",
            "dummy",
            "redacted",
            "xxxx",
            "****",
        ]
        .iter()
        .any(|p| lower.contains(p))
        || matches!(
            lower.as_str(),
            "none" | "null" | "true" | "false" | "empty" | "secret" | "token" | "password"
        )
        || v.chars().all(|c| c == v.chars().next().unwrap_or(' '));
    !placeholder
}

/// A redacted form for messages: the first two characters and the length.
pub fn redact(value: &str) -> String {
    let head: String = value.chars().take(2).collect();
    format!("{head}… ({} chars)", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "HF_TOKEN",
            "OPENAI_API_KEY",
            "DB_PASSWORD",
            "aws_secret_access_key",
            "CLIENT_SECRET",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "TOKENIZERS_PARALLELISM",
            "HF_TOKEN_FILE",
            "PASSWORD_PATH",
            "AWS_ACCESS_KEY_ID",
            "MODEL",
            "KEY",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn values() {
        assert!(is_literal_value("hf_live_3kP9xQ2mZ7wL5vR8tY1nB4cD6fG0hJ"));
        assert!(is_literal_value("s3cr3t-Pa55w0rd"));
        for v in [
            "",
            "${HF_TOKEN}",
            "$TOKEN",
            "<your-token>",
            "changeme-your-key",
            "xxxxxxxx",
            "/run/secrets/t",
        ] {
            assert!(!is_literal_value(v), "{v}");
        }
    }
}
