#!/usr/bin/env python3
"""Code and secret rules, side by side: aigis against bandit, ruff (S rules)
and detect-secrets on the same inputs, in one run.

    python3 bench/code_bench.py --aigis target/release/aigis --venv bench/.venv-code \\
        --fixtures crates/pycode/tests/fixtures --corpus DIR --big DIR --out bench/out/code

- code detection: every rule's fixture pair (bad.py must be flagged, good.py
  must not) and safe_forms.py (must not be flagged), file by file, for aigis,
  bandit and ruff --select S. A tool "flags" a file when it reports anything
  in it (bandit and ruff have no rule for most of these patterns, so a
  rule-by-rule comparison would say nothing more).
- secret detection: the planted secrets and the bait of the corpus written by
  bench/secrets_corpus.py (its manifest.json), for aigis and detect-secrets:
  found, missed, false alarms on bait, other reports.
- time: wall and CPU (user+sys) and peak RSS of each tool on the big corpus
  (synthetic filler with the planted files) and on real ML source (`--real`:
  transformers and diffusers, replicated; see bench/code_run.sh), and MB/s.
  On the real source each tool's number of reports is given too: it is code
  written by careful people, so most reports there are noise.

Writes OUT/results.md and OUT/raw.json. Standard library only.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path


def run(cmd, cwd=None, timeout=3600):
    """Run a command under GNU time: wall, CPU (user+sys), peak RSS (MB), stdout, exit."""
    stats = Path(os.environ.get("TMPDIR", "/tmp"), f"code_bench_time.{os.getpid()}")
    timed = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats)] + list(cmd)
    # A session of its own, so that a timeout also stops the tool's worker
    # processes (detect-secrets forks workers that outlive a plain kill and
    # would load the machine under the next tools' timings).
    p = subprocess.Popen(timed, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return {"wall": float(timeout), "cpu": 0.0, "rss_mb": 0.0, "out": b"", "exit": "timeout"}
    wall, user, sys_, rss_kb = stats.read_text().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(sys_),
            "rss_mb": int(rss_kb) / 1024, "out": out, "exit": p.returncode}


def tree_bytes(root, suffixes=None):
    total = 0
    for p in Path(root).rglob("*"):
        if p.is_file() and (suffixes is None or p.suffix in suffixes):
            total += p.stat().st_size
    return total


# ---- tools ------------------------------------------------------------------

def aigis_files(aigis, target, domains):
    """{relative path: [(line, rule name)]} from aigis's JSON report."""
    r = run([aigis, "scan", str(target), "--format", "json", "--only", domains,
             "--allow-inconclusive", "--fail-on", "critical"])
    found = {}
    try:
        report = json.loads(r["out"] or b"{}")
    except json.JSONDecodeError:
        report = {}
    for f in report.get("files", []):
        for x in f.get("findings", []):
            loc = x.get("location", {})
            rel = os.path.relpath(loc.get("path", f.get("path", "")), target)
            found.setdefault(rel, []).append((loc.get("line"), x.get("rule_name")))
    return found, r


def bandit_files(venv, target, timeout=3600):
    r = run([f"{venv}/bin/bandit", "-r", str(target), "-f", "json", "-q"], timeout=timeout)
    found = {}
    try:
        doc = json.loads(r["out"] or b"{}")
    except json.JSONDecodeError:
        doc = {}
    for x in doc.get("results", []):
        rel = os.path.relpath(x["filename"], target)
        found.setdefault(rel, []).append((x.get("line_number"), x.get("test_id")))
    return found, r


def ruff_files(venv, target):
    r = run([f"{venv}/bin/ruff", "check", "--select", "S", "--output-format", "json",
             "--no-cache", "--isolated", "--exit-zero", str(target)])
    found = {}
    try:
        doc = json.loads(r["out"] or b"[]")
    except json.JSONDecodeError:
        doc = []
    for x in doc:
        rel = os.path.relpath(x["filename"], target)
        found.setdefault(rel, []).append((x.get("location", {}).get("row"), x.get("code")))
    return found, r


def detect_secrets_files(venv, target, timeout):
    r = run([f"{venv}/bin/detect-secrets", "scan", "--all-files", str(target)],
            cwd=str(target), timeout=timeout)
    found = {}
    try:
        doc = json.loads(r["out"] or b"{}")
    except json.JSONDecodeError:
        doc = {}
    for path, items in doc.get("results", {}).items():
        rel = os.path.relpath(os.path.join(target, path), target)
        for x in items:
            found.setdefault(rel, []).append((x.get("line_number"), x.get("type")))
    return found, r


def semgrep_files(semgrep, rules, target, timeout):
    """semgrep with the local rules of bench/semgrep-rules.yml (no registry here).
    semgrep skips paths under a `tests` directory by default, so such a target
    (the rule fixtures) is scanned from a copy."""
    if "tests" in Path(target).resolve().parts:
        import shutil
        import tempfile
        copy = Path(tempfile.mkdtemp()) / "target"
        shutil.copytree(target, copy)
        found, r = semgrep_files(semgrep, rules, copy, timeout)
        shutil.rmtree(copy.parent)
        return found, r
    r = run([semgrep, "scan", "--config", rules, "--json", "--metrics=off",
             "--disable-version-check", "--quiet", "--no-git-ignore", str(target)],
            timeout=timeout)
    found = {}
    try:
        doc = json.loads(r["out"] or b"{}")
    except json.JSONDecodeError:
        doc = {}
    for x in doc.get("results", []):
        rel = os.path.relpath(x["path"], target)
        found.setdefault(rel, []).append((x.get("start", {}).get("line"), x.get("check_id")))
    return found, r


def ripsecrets_files(ripsecrets, target, timeout):
    """ripsecrets prints `path:line:match` for each secret it finds."""
    r = run([ripsecrets, str(target)], timeout=timeout)
    found = {}
    for line in (r["out"] or b"").decode("utf-8", "replace").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1].isdigit():
            rel = os.path.relpath(parts[0], target)
            found.setdefault(rel, []).append((int(parts[1]), "secret"))
    return found, r


# ---- scoring ----------------------------------------------------------------

def code_detection(args):
    fx = Path(args.fixtures)
    pairs = sorted(d.name for d in fx.iterdir() if d.is_dir())
    tools = {
        "aigis": aigis_files(args.aigis, fx, "code")[0],
        "bandit": bandit_files(args.venv, fx)[0],
        "ruff-S": ruff_files(args.venv, fx)[0],
    }
    if args.semgrep:
        tools["semgrep (local rules)"] = semgrep_files(args.semgrep, args.semgrep_rules, fx,
                                                       args.timeout)[0]
    rows = []
    for name, found in tools.items():
        bad = [d for d in pairs if any(Path(d, f).as_posix() in found
                                       for f in os.listdir(fx / d) if f.startswith("bad"))]
        good = [d for d in pairs if any(Path(d, f).as_posix() in found
                                        for f in os.listdir(fx / d) if f.startswith("good"))]
        safe = "safe_forms.py" in found
        rows.append({"tool": name, "rules": len(pairs), "bad_flagged": len(bad),
                     "good_flagged": len(good), "safe_forms_flagged": safe,
                     "missed": sorted(set(pairs) - set(bad)), "false": good})
    return rows


def secret_detection(args):
    corpus = Path(args.corpus)
    manifest = json.loads((corpus / "manifest.json").read_text())
    plants = manifest["secrets"]
    bait = {(b["file"], b["line"]) for b in manifest.get("bait", [])}
    tools = {
        "aigis": aigis_files(args.aigis, corpus, "secrets,notebooks")[0],
        "detect-secrets": detect_secrets_files(args.venv, corpus, args.timeout)[0],
    }
    if args.ripsecrets:
        tools["ripsecrets"] = ripsecrets_files(args.ripsecrets, corpus, args.timeout)[0]

    def inside(p, f, line):
        return f == p["file"] and line is not None and p["line"] <= line <= p["end_line"]

    rows = []
    for name, found in tools.items():
        hits = {(f, line) for f, xs in found.items() for line, _ in xs}
        for personal in (False, True):
            group = [p for p in plants if bool(p.get("personal")) == personal]
            got = [p for p in group if any(inside(p, f, line) for f, line in hits)]
            missed = [f"{p['file']}:{p['line']} {p['rule']}" for p in group if p not in got]
            row = {"tool": name, "kind": "personal data" if personal else "secrets",
                   "planted": len(group), "found": len(got), "missed": missed}
            if not personal:
                row["false_on_bait"] = sorted(h for h in hits if h in bait)
                row["other"] = sorted(h for h in hits if h not in bait
                                      and not any(inside(p, *h) for p in plants))
                row["bait"] = len(bait)
            rows.append(row)
    return rows


def timing(args, corpus):
    big = Path(corpus)
    py_bytes = tree_bytes(big, {".py"})
    all_bytes = tree_bytes(big)
    rows = []
    for name, fn, size in [
        ("aigis (code+secrets+notebooks)", lambda: aigis_files(args.aigis, big, "code,secrets,notebooks"), all_bytes),
        ("aigis (code only)", lambda: aigis_files(args.aigis, big, "code"), py_bytes),
        ("aigis (secrets only)", lambda: aigis_files(args.aigis, big, "secrets"), all_bytes),
        ("detect-secrets", lambda: detect_secrets_files(args.venv, big, args.timeout), all_bytes),
        ("bandit", lambda: bandit_files(args.venv, big, args.timeout), py_bytes),
        ("ruff --select S", lambda: ruff_files(args.venv, big), py_bytes),
    ] + ([("ripsecrets", lambda: ripsecrets_files(args.ripsecrets, big, args.timeout), all_bytes)]
         if args.ripsecrets else []) + (
        [("semgrep (local rules)",
          lambda: semgrep_files(args.semgrep, args.semgrep_rules, big, args.timeout), py_bytes)]
        if args.semgrep else []):
        found, r = fn()
        finished = r["exit"] != "timeout"
        rows.append({"tool": name, "bytes": size, "wall": r["wall"], "cpu": r["cpu"],
                     "rss_mb": r["rss_mb"], "finished": finished,
                     "reports": sum(len(v) for v in found.values()) if finished else None,
                     "mb_s_wall": size / 1e6 / r["wall"] if finished else None,
                     "mb_s_cpu": size / 1e6 / r["cpu"] if finished and r["cpu"] else None})
    return rows


def time_table(title, rows):
    out = [title, "",
           "| tool | input MB | wall s | CPU s | MB/s wall | MB/s per CPU-s | peak RSS MB | reports |",
           "|---|---|---|---|---|---|---|---|"]
    fmt = lambda v: f"{v:.1f}" if v is not None else "did not finish"
    for r in rows:
        reports = r.get("reports")
        out.append(f"| {r['tool']} | {r['bytes'] / 1e6:.0f} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                   f"{fmt(r['mb_s_wall'])} | {fmt(r['mb_s_cpu'])} | {r['rss_mb']:.0f} | "
                   f"{reports if reports is not None else '-'} |")
    return out + [""]


def markdown(code, secrets, times, real, load):
    out = ["# Code and secret rules: aigis side by side", "", f"Load: `{load}`", ""]
    if code:
        out += ["## Code rules: fixture pairs", "",
                "| tool | rules | bad.py flagged | good.py flagged | safe_forms.py flagged |",
                "|---|---|---|---|---|"]
        for r in code:
            out.append(f"| {r['tool']} | {r['rules']} | {r['bad_flagged']} | {r['good_flagged']} | "
                       f"{'yes' if r['safe_forms_flagged'] else 'no'} |")
        out.append("")
    if secrets:
        out += ["## Secrets and personal data planted in the generated corpus", "",
                "| tool | kind | planted | found | missed | false alarms on bait (of) | other reports |",
                "|---|---|---|---|---|---|---|"]
        for r in secrets:
            bait = (f"{len(r['false_on_bait'])} (of {r['bait']})" if "bait" in r else "-")
            other = len(r["other"]) if "other" in r else "-"
            out.append(f"| {r['tool']} | {r['kind']} | {r['planted']} | {r['found']} | "
                       f"{len(r['missed'])} | {bait} | {other} |")
        out.append("")
    if times:
        out += time_table("## Time on the synthetic corpus (filler and planted files)", times)
    if real:
        out += time_table("## Time on real ML source (transformers and diffusers, replicated)", real)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--aigis", required=True)
    ap.add_argument("--venv", required=True)
    ap.add_argument("--fixtures")
    ap.add_argument("--corpus")
    ap.add_argument("--big")
    ap.add_argument("--real", help="a tree of real Python source to time the tools on")
    ap.add_argument("--semgrep", help="a semgrep executable (run with --semgrep-rules)")
    ap.add_argument("--semgrep-rules", default=str(Path(__file__).with_name("semgrep-rules.yml")))
    ap.add_argument("--ripsecrets", help="a ripsecrets executable (cargo install ripsecrets)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=int, default=1800,
                    help="seconds before a tool run is called unfinished")
    args = ap.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    code = code_detection(args) if args.fixtures else []
    secrets = secret_detection(args) if args.corpus else []
    times = timing(args, args.big) if args.big else []
    real = timing(args, args.real) if args.real else []
    os.makedirs(args.out, exist_ok=True)
    Path(args.out, "raw.json").write_text(json.dumps(
        {"code": code, "secrets": secrets, "time": times, "real": real, "load": load}, indent=1, default=str))
    md = markdown(code, secrets, times, real, load)
    Path(args.out, "results.md").write_text(md)
    print(md)


if __name__ == "__main__":
    sys.exit(main())
