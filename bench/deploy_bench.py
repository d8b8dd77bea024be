#!/usr/bin/env python3
"""Deployment configuration rules side by side: aigis vs checkov and hadolint.

Builds a repository-like tree (samples/deploy plus generated Dockerfiles,
compose files, a Helm-style rendered manifest stream and nginx configs),
runs every tool once over it (aigis several times, for a stable median),
and writes a Markdown table of findings per file and per tool, and times.
Findings are counted as each tool reports them: aigis findings, checkov
failed checks, hadolint diagnostics. Nothing here judges which are right.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def generate(repo: pathlib.Path) -> None:
    """samples/deploy plus deterministic variants, as a mid-sized ML repository."""
    shutil.copytree(ROOT / "samples" / "deploy", repo / "samples")
    for i in range(12):
        d = repo / "services" / f"svc{i}"
        d.mkdir(parents=True)
        user = "USER 10001\n" if i % 2 else ""
        base = "python:3.12-slim" if i % 3 else "pytorch/pytorch:latest"
        (d / "Dockerfile").write_text(
            f"FROM {base} AS build\nRUN pip install --no-cache-dir -r requirements.txt\n"
            f"FROM {base}\nRUN apt-get update && apt-get install -y curl git\n"
            f"COPY --from=build /usr/local /usr/local\nCOPY . /app\n{user}"
            f"ENV MODEL_NAME=svc{i}\nEXPOSE {8000 + i}\nCMD [\"python\", \"/app/serve.py\"]\n")
        (d / "compose.yaml").write_text(
            f"services:\n  svc{i}:\n    build: .\n    ports:\n      - \"{8000 + i}:{8000 + i}\"\n"
            f"    environment:\n      MODEL_NAME: svc{i}\n    volumes:\n      - ./models:/models:ro\n"
            + ("    privileged: true\n" if i % 4 == 0 else "    read_only: true\n"))
    docs = []
    for i in range(60):
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model-{i}\n  namespace: serving\n"
            f"spec:\n  template:\n    spec:\n      containers:\n      - name: server\n"
            f"        image: ghcr.io/acme/model-{i}:1.{i}.0\n        ports:\n        - containerPort: 8080\n"
            f"        resources:\n          limits: {{cpu: '2', memory: 4Gi}}\n"
            + ("        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n" if i % 2 else ""))
        docs.append(
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: model-{i}\n  namespace: serving\n"
            f"spec:\n  type: {'NodePort' if i % 5 == 0 else 'ClusterIP'}\n  ports:\n  - port: 8080\n")
    (repo / "deploy" / "rendered").mkdir(parents=True)
    (repo / "deploy" / "rendered" / "all.yaml").write_text("---\n".join(docs))
    n = repo / "ops" / "nginx"
    (n / "conf.d").mkdir(parents=True)
    (n / "nginx.conf").write_text(
        "events {}\nhttp {\n  server_tokens off;\n  include conf.d/*.conf;\n}\n")
    for i in range(4):
        (n / "conf.d" / f"m{i}.conf").write_text(
            f"server {{\n  listen 443 ssl;\n  server_name m{i}.example.com;\n"
            f"  ssl_protocols TLSv1.2 TLSv1.3;\n  location /v1/ {{ proxy_pass http://model-{i}:8080; }}\n}}\n")


def run(cmd, cwd=None, env=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    return p, time.perf_counter() - t


def aigis_counts(aigis, repo, repeat):
    times = []
    for _ in range(repeat):
        p, dt = run([aigis, "scan", ".", "--only", "deployment", "--format", "json"], cwd=repo)
        times.append(dt)
    counts = {}
    for f in json.loads(p.stdout)["files"]:
        path = f["path"].removeprefix("./")
        counts[path] = counts.get(path, 0) + len(f["findings"])
    return counts, statistics.median(times), min(times)


def checkov_counts(venv, repo):
    exe = venv / "bin" / "checkov"
    p, dt = run([str(exe), "-d", ".", "-o", "json", "--quiet", "--compact", "--skip-download",
                 "--framework", "dockerfile", "kubernetes", "--soft-fail"], cwd=repo,
                env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"})
    counts = {}
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError:
        return None, dt, p.stderr[-500:]
    for rep in out if isinstance(out, list) else [out]:
        for c in rep.get("results", {}).get("failed_checks", []):
            path = c["file_path"].lstrip("/")
            counts[path] = counts.get(path, 0) + 1
    return counts, dt, ""


def hadolint_counts(venv, repo):
    exe = venv / "bin" / "hadolint"
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("Dockerfile"))
    p, dt = run([str(exe), "--no-fail", "-f", "json", *files], cwd=repo)
    counts = {}
    for d in json.loads(p.stdout or "[]"):
        counts[d["file"]] = counts.get(d["file"], 0) + 1
    return counts, dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aigis", required=True)
    ap.add_argument("--venv", type=pathlib.Path, required=True)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args()
    repo = a.out / "repo"
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    generate(repo)
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file())
    nbytes = sum((repo / f).stat().st_size for f in files)
    ai, ai_med, ai_min = aigis_counts(a.aigis, repo, a.repeat)
    ck, ck_t, ck_err = checkov_counts(a.venv, repo)
    hd, hd_t = hadolint_counts(a.venv, repo)
    lines = [f"Tree: {len(files)} files, {nbytes} bytes (samples/deploy plus generated configs).", "",
             "| file | aigis | checkov | hadolint |", "|---|---|---|---|"]
    show = [f for f in files if f.startswith("samples/") or f.endswith(("svc0/Dockerfile", "svc0/compose.yaml", "all.yaml", "nginx.conf", "m0.conf"))]
    cell = lambda d, f: "n/s" if d is None else str(d.get(f, 0))
    for f in show:
        lines.append(f"| {f} | {ai.get(f, 0)} | {cell(ck, f)} | {hd.get(f, '-') if f.endswith('Dockerfile') else '-'} |")
    tot = lambda d: "n/s" if d is None else str(sum(d.values()))
    lines.append(f"| **all {len(files)} files** | {tot(ai)} | {tot(ck)} | {tot(hd)} |")
    lines += ["", "| tool | wall s (whole tree) | ratio to aigis |", "|---|---|---|",
              f"| aigis scan --only deployment (median of {a.repeat}; min {ai_min * 1000:.1f} ms) | {ai_med:.4f} | 1 |",
              f"| checkov (dockerfile, kubernetes) | {ck_t:.2f} | {ck_t / ai_med:.0f}x |",
              f"| hadolint (Dockerfiles only) | {hd_t:.3f} | {hd_t / ai_med:.1f}x |"]
    if ck_err:
        lines += ["", f"checkov output was not JSON: {ck_err}"]
    text = "\n".join(lines) + "\n"
    (a.out / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
