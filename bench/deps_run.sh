#!/usr/bin/env bash
# Dependency audit benchmark (issue 5): a generated 500-dependency project
# (requirements.txt + poetry.lock, names and versions taken from the OSV data)
# audited against the full PyPI database imported from OSV_ZIP, with aigis;
# then pip-audit on the same requirements.txt (--no-deps --disable-pip), and
# osv-scanner if it is on PATH. Figures go to bench/out/deps/results.txt.
#
#   bench/deps_run.sh [OSV_ZIP]     (default: ../shared/osv/PyPI-all.zip)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
zip=${1:-$root/../shared/osv/PyPI-all.zip}
out=$here/out/deps
venv=${DEPS_VENV:-/work/venvs/deps}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
rm -rf "$out" && mkdir -p "$out"
(cd "$root" && cargo build --release -p aigis -q)
aigis=$CARGO_TARGET_DIR/release/aigis
export AIGIS_DB_DIR=$out/db XDG_CONFIG_HOME=$out/no-config
python3 "$here/deps_gen.py" "$zip" "$out/project"
res=$out/results.txt
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores; aigis $("$aigis" --version)"
  /usr/bin/time -f "import: %e s wall, %M KB max RSS" "$aigis" db update --from "$zip" 2>&1
  "$aigis" db status
} | tee "$res"

# aigis: the whole project (500 pins twice: requirements.txt and poetry.lock),
# and one file alone; median of 10 runs each.
time_runs() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
runs = []
for _ in range(10):
    t = time.perf_counter()
    p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs.append(time.perf_counter() - t)
runs.sort()
print(f"median {runs[len(runs)//2]*1000:.0f} ms, min {runs[0]*1000:.0f} ms, max {runs[-1]*1000:.0f} ms (exit {p.returncode})")
PY
}
{
  echo "aigis scan project/ (requirements.txt + poetry.lock, 2 x 500 pins): $(time_runs "$aigis" scan "$out/project" --only dependencies --format json)"
  echo "aigis scan requirements.txt (500 pins): $(time_runs "$aigis" scan "$out/project/requirements.txt" --only dependencies --format json)"
  "$aigis" scan "$out/project/requirements.txt" --only dependencies --format json >"$out/aigis.json" || true
  python3 - "$out/aigis.json" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
c = collections.Counter(f["rule_id"] for x in r["files"] for f in x["findings"])
deps = {f["evidence"].split()[0] for x in r["files"] for f in x["findings"] if f["rule_id"] == "AIG600"}
print(f"aigis findings on requirements.txt: {dict(c)}; {len(deps)} distinct vulnerable packages")
PY
} | tee -a "$res"

# pip-audit, as it runs here: no dependency resolution, no pip; it queries
# its vulnerability service (PyPI's JSON API by default) over the network.
if [ ! -x "$venv/bin/pip-audit" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q pip-audit
fi
{
  echo "pip-audit $("$venv/bin/pip-audit" --version 2>&1 | tail -1)"
  start=$(date +%s.%N)
  set +e
  "$venv/bin/pip-audit" --no-deps --disable-pip -r "$out/project/requirements.txt" -f json -o "$out/pip-audit.json" >"$out/pip-audit.out" 2>"$out/pip-audit.err"
  rc=$?
  set -e
  end=$(date +%s.%N)
  echo "pip-audit --no-deps --disable-pip -r requirements.txt: $(python3 -c "print(f'{($end-$start):.1f} s')"), exit $rc"
  tail -3 "$out/pip-audit.err" | sed 's/^/  stderr: /'
  python3 - "$out/pip-audit.json" <<'PY' || echo "  no JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
deps = r.get("dependencies", [])
vul = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if d.get("skip_reason")]
print(f"  pip-audit: {len(deps)} dependencies, {len(vul)} with vulnerabilities, {len(skipped)} skipped")
PY
} 2>&1 | tee -a "$res"

if command -v osv-scanner >/dev/null; then
  echo "osv-scanner: $(time_runs osv-scanner --offline --lockfile "requirements.txt:$out/project/requirements.txt")" | tee -a "$res"
else
  echo "osv-scanner: not installed (no Go toolchain on this machine); skipped" | tee -a "$res"
fi
