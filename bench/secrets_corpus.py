#!/usr/bin/env python3
"""Planted-secret corpus for the aigis secret scanner (standard library only).

Writes a directory of .py, .env, .yaml, .json, .md and .ipynb files with
FAKE secrets planted (random values in each provider's format, at least one
per rule, in several syntaxes) and bait that must not fire (digests, UUIDs,
git revisions, base64 PNG outputs, integrity hashes, long numeric ids,
placeholders, environment lookups), plus manifest.json:

    {"secrets": [{"file", "line", "end_line", "rule", "personal"}...],
     "bait":    [{"file", "line", "what"}...]}

`line`..`end_line` (1-based) is where the planted block sits; a scanner
should report the rule inside it. Personal data is planted in notebook
outputs only. `--mb N` pads the files with source-like filler to about N MiB
in total, for throughput measurements:

    python3 bench/secrets_corpus.py --out /tmp/secrets-corpus --mb 200

Deterministic for a given --seed. Nothing here is a real credential.
"""

import argparse
import base64
import json
import os
import random
import string

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def s(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def pem(self, kind):
        body = self.s(B64, 64 * 6)
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return [f"-----BEGIN {kind}PRIVATE KEY-----", "MIIEpAIBAAKCAQEA" + lines[0][16:], *lines[1:], f"-----END {kind}PRIVATE KEY-----"]

    def jwt(self):
        enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
        claims = {"sub": self.s(HEX, 12), "iat": 1700000000 + self.r.randrange(10**6)}
        return enc({"alg": "HS256", "typ": "JWT"}) + "." + enc(claims) + "." + self.s(URLSAFE, 43)


def assignments(g):
    """(rule, variable name, value): planted as NAME = "value" in every syntax."""
    return [
        ("aws-access-key-id", "aws_access_key_id", "AKIA" + g.s(string.ascii_uppercase + "234567", 16)),
        ("aws-secret-access-key", "aws_secret_access_key", g.s(ALNUM, 20) + "/" + g.s(ALNUM, 19)),
        ("gcp-api-key", "maps_key", "AIza" + g.s(URLSAFE, 35)),
        ("openai-api-key", "OPENAI_API_KEY", "sk-proj-" + g.s(URLSAFE, 74) + "T3BlbkFJ" + g.s(URLSAFE, 74)),
        ("anthropic-api-key", "ANTHROPIC_API_KEY", "sk-ant-api03-" + g.s(URLSAFE, 93) + "AA"),
        ("anthropic-admin-key", "ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-" + g.s(URLSAFE, 93) + "AA"),
        ("huggingface-user-token", "HF_TOKEN", "hf_" + g.s(string.ascii_letters, 34)),
        ("huggingface-org-token", "HF_ORG_TOKEN", "api_org_" + g.s(string.ascii_letters, 34)),
        ("cohere-api-key", "COHERE_API_KEY", g.s(ALNUM, 38) + "Q7"),
        ("mistral-api-key", "MISTRAL_API_KEY", g.s(ALNUM, 30) + "k9"),
        ("groq-api-key", "GROQ_API_KEY", "gsk_" + g.s(ALNUM, 52)),
        ("replicate-api-token", "REPLICATE_API_TOKEN", "r8_" + g.s(ALNUM, 37)),
        ("wandb-api-key", "WANDB_API_KEY", g.s(HEX, 40)),
        ("pinecone-api-key", "PINECONE_API_KEY", "pcsk_" + g.s(ALNUM, 6) + "_" + g.s(ALNUM, 63)),
        ("langsmith-api-key", "LANGSMITH_API_KEY", "lsv2_pt_" + g.s(HEX, 32) + "_" + g.s(HEX, 10)),
        ("gemini-api-key", "GEMINI_API_KEY", "AIza" + g.s(URLSAFE, 35)),
        ("github-classic-token", "GITHUB_TOKEN", "ghp_" + g.s(ALNUM, 36)),
        ("github-fine-grained-token", "GH_PAT", "github_pat_" + g.s(ALNUM, 22) + "_" + g.s(ALNUM, 59)),
        ("gitlab-personal-access-token", "GITLAB_TOKEN", "glpat-" + g.s(ALNUM, 20)),
        ("slack-token", "SLACK_BOT_TOKEN", "xoxb-" + g.s("123456789", 11) + "-" + g.s("123456789", 13) + "-" + g.s(ALNUM, 24)),
        ("slack-webhook-url", "SLACK_WEBHOOK", "https://hooks.slack.com/services/T" + g.s(string.ascii_uppercase + string.digits, 8) + "/B" + g.s(string.ascii_uppercase + string.digits, 10) + "/" + g.s(ALNUM, 24)),
        ("stripe-live-secret-key", "STRIPE_KEY", "sk_live_" + g.s(ALNUM, 24)),
        ("twilio-api-key", "TWILIO_API_KEY", "SK" + g.s(HEX, 32)),
        ("sendgrid-api-key", "SENDGRID_API_KEY", "SG." + g.s(URLSAFE, 22) + "." + g.s(URLSAFE, 43)),
        ("npm-access-token", "NPM_TOKEN", "npm_" + g.s(ALNUM, 36)),
        ("pypi-upload-token", "PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc" + g.s(URLSAFE, 70)),
        ("json-web-token", "SESSION_JWT", g.jwt()),
        ("database-url-password", "DATABASE_URL", "postgresql://app:" + g.s(ALNUM, 14) + "@db.internal.acme.io:5432/app"),
        ("hardcoded-password", "DB_PASSWORD", g.s(ALNUM, 10) + "#7x"),
        ("hardcoded-secret", "CLIENT_SECRET", g.s(ALNUM, 22) + "9q"),
    ]


def blocks(g):
    """(rule, lines): multi-line plants, written as they are in a .py file."""
    sid, tok = "AC" + g.s(HEX, 32), g.s(HEX, 32)
    sa_key = "\\n".join(g.pem("")[:-1]) + "\\n-----END PRIVATE KEY-----\\n"
    ssh = g.s(B64, 64 * 3)
    return [
        ("private-key-pem", ['PEM = """'] + g.pem("RSA ") + ['"""']),
        ("private-key-pem", ['EC_KEY = """'] + g.pem("EC ") + ['"""']),
        ("openssh-private-key", ['SSH = """', "-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" + ssh[:22]] + [ssh[i : i + 64] for i in range(22, len(ssh), 64)] + ["-----END OPENSSH PRIVATE KEY-----", '"""']),
        ("gcp-service-account-key", ["SA = '{\"type\": \"service_account\", \"project_id\": \"demo\", \"private_key\": \"" + sa_key + "\", \"client_email\": \"svc@demo.iam.gserviceaccount.com\"}'"]),
        ("azure-storage-account-key", ["AZURE = 'DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=" + g.s(B64, 86) + "==;EndpointSuffix=core.windows.net'"]),
        ("twilio-auth-token", ["# twilio client", f'account_sid = "{sid}"', f'auth_token = "{tok}"']),
    ]


PERSONAL = [
    ("email-address-in-output", lambda g: f"sent to {g.s(string.ascii_lowercase, 6)}.{g.s(string.ascii_lowercase, 5)}@contoso.com"),
    ("phone-number-in-output", lambda g: f"phone +1 415 555 01{g.s(string.digits, 2)}"),
    ("payment-card-number-in-output", lambda g: "card 4111 1111 1111 1111"),
    ("ipv4-address-in-output", lambda g: f"client 203.0.113.{g.r.randrange(1, 250)} connected"),
    ("ipv6-address-in-output", lambda g: f"peer 2001:db8:{g.s(HEX, 4)}::{g.s(HEX, 3)}1 joined"),
]


def bait(g):
    png = "iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAYAAAA" + g.s(B64, 4000) + "=="
    return [
        ("sha1-digest", f'sha1 = "{g.s(HEX, 40)}"'),
        ("sha256-digest", f'"sha256": "{g.s(HEX, 64)}"'),
        ("git-revision", f'revision = "{g.s(HEX, 40)}"'),
        ("uuid", f'request_id = "{g.s(HEX, 8)}-{g.s(HEX, 4)}-4{g.s(HEX, 3)}-a{g.s(HEX, 3)}-{g.s(HEX, 12)}"'),
        ("integrity-hash", f'"integrity": "sha512-{g.s(B64, 86)}=="'),
        ("numeric-id", f'"id": {g.r.randrange(10**18, 10**19)}'),
        ("placeholder", 'password = "changeme"'),
        ("template", "api_key: ${OPENAI_API_KEY}"),
        ("env-lookup", 'token = os.environ["HF_TOKEN"]'),
        ("tokenizer", 'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")'),
        ("png-base64", f'IMAGE = "{png}"'),
    ]


FILLER = [
    "import torch",
    "from transformers import AutoModelForCausalLM, AutoTokenizer",
    "def collate(batch, tokenizer, max_length=512):",
    '    enc = tokenizer([b["text"] for b in batch], truncation=True, max_length=max_length)',
    "    return {k: torch.tensor(v) for k, v in enc.items()}",
    "for epoch in range(num_epochs):",
    "    loss = model(**inputs).loss",
    "    loss.backward(); optimizer.step(); scheduler.step()",
    '    logger.info("epoch %d loss %.4f", epoch, loss.item())',
    "# evaluate on the held-out split every 500 steps",
]


def syntax(ext, name, value):
    if ext == ".py":
        return f'{name} = "{value}"'
    if ext == ".env":
        return f"{name}={value}"
    if ext == ".yaml":
        return f"{name.lower()}: {value}"
    if ext == ".md":
        return f"    export {name}={value}"
    return f'  "{name}": "{value}",'


class Writer:
    def __init__(self, root):
        self.root, self.manifest = root, {"secrets": [], "bait": []}

    def write(self, name, lines):
        with open(os.path.join(self.root, name), "w") as f:
            f.write("\n".join(lines) + "\n")

    def plant(self, file, lines, start, count, rule, personal=False):
        self.manifest["secrets"].append({"file": file, "line": start, "end_line": start + count - 1, "rule": rule, "personal": personal})


def text_files(w, g):
    for ext in [".py", ".env", ".yaml", ".json", ".md"]:
        name = "planted" + ext
        lines = ["{"] if ext == ".json" else []
        for rule, var, value in assignments(g):
            if rule == "twilio-api-key":
                lines.append(syntax(ext, "TWILIO_ACCOUNT", "twilio-main") if ext != ".json" else '  "twilio": "main",')
            lines.append(syntax(ext, var, value))
            w.plant(name, lines, len(lines), 1, rule)
            lines.append("")
        if ext == ".py":
            for rule, block in blocks(g):
                w.plant(name, lines, len(lines) + 1, len(block), rule)
                lines.extend(block + [""])
        for what, line in bait(g):
            lines.append(line if ext in (".py", ".yaml", ".env", ".md") else f'  "bait_{what}": {json.dumps(line)},')
            w.manifest["bait"].append({"file": name, "line": len(lines), "what": what})
        if ext == ".json":
            lines.append('  "end": true\n}')
        w.write(name, lines)


def notebook(w, g):
    """A notebook: secrets in code cells and outputs, personal data in outputs, PNG bait."""
    cells, line_of = [], []
    picks = assignments(g)[::3]
    for rule, var, value in picks:
        cells.append({"cell_type": "code", "execution_count": 1, "metadata": {}, "id": g.s(HEX, 8),
                      "source": ["import os\n", f'{var} = "{value}"\n'],
                      "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"using {value}\n"]}]})
        line_of.append(rule)
    for rule, make in PERSONAL:
        cells.append({"cell_type": "code", "execution_count": 2, "metadata": {}, "id": g.s(HEX, 8), "source": ["df.head()\n"],
                      "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
                                   "data": {"text/plain": [make(g) + "\n"]}}]})
        line_of.append(rule)
    png = "iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAYAAAA" + g.s(B64, 20000) + "=="
    cells.append({"cell_type": "code", "execution_count": 3, "metadata": {}, "id": g.s(HEX, 8), "source": ["plt.show()\n"],
                  "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}]})
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "cells": cells}
    text = json.dumps(nb, indent=1)
    lines = text.split("\n")
    # Locate each plant by its cell: the lines from the cell's "id" to the next cell's.
    starts = [i + 1 for i, l in enumerate(lines) if l.startswith('   "id": ')]
    for k, rule in enumerate(line_of):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        w.plant("planted.ipynb", lines, starts[k], end - starts[k] + 1, rule, rule.endswith("-in-output"))
    png_line = next(i + 1 for i, l in enumerate(lines) if '"image/png"' in l)
    w.manifest["bait"].append({"file": "planted.ipynb", "line": png_line, "what": "png-base64"})
    w.write("planted.ipynb", lines)


def pad(root, mb, g):
    """Filler-only files until the directory holds about `mb` MiB."""
    total = sum(os.path.getsize(os.path.join(root, f)) for f in os.listdir(root))
    n = 0
    while total < mb << 20:
        lines = [g.r.choice(FILLER) for _ in range(20000)]
        name = f"filler_{n:04d}.py"
        with open(os.path.join(root, name), "w") as f:
            f.write("\n".join(lines) + "\n")
        total += os.path.getsize(os.path.join(root, name))
        n += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=int, default=0, help="pad to about this many MiB with filler files")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    g = Gen(a.seed)
    w = Writer(a.out)
    text_files(w, g)
    notebook(w, g)
    pad(a.out, a.mb, g)
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(w.manifest, f, indent=1)
    print(f"{len(w.manifest['secrets'])} secrets, {len(w.manifest['bait'])} bait in {a.out}")


if __name__ == "__main__":
    main()
