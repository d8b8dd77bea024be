#!/usr/bin/env bash
# Code and secret rules side by side: aigis vs bandit, ruff --select S and
# detect-secrets, on the pycode rule fixtures and on a generated corpus with
# planted fake secrets and bait (bench/secrets_corpus.py).
#
#   bench/code_run.sh              # 200 MB timing corpus
#   MB=20 bench/code_run.sh        # a smaller one
#   TIMEOUT=600 bench/code_run.sh  # seconds before a tool run is called unfinished
#
# semgrep is not in the table: its rules come from the semgrep registry, which
# this machine cannot reach (no internet beyond the package registries).
# Writes bench/out/code/results.md. aigis must be built (cargo build --release).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="$HERE/out/code"
VENV="$HERE/.venv-code"
AIGIS="${AIGIS:-$ROOT/target/release/aigis}"
PINS=(detect-secrets==1.5.0 bandit==1.9.4 ruff==0.17.5)

[ -x "$AIGIS" ] || { echo "build aigis first: cargo build --release" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
  (apt-get update -qq && apt-get install -y -qq time) >/dev/null
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if [ "$(cat "$VENV/pins.installed" 2>/dev/null)" != "${PINS[*]}" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}"
  echo "${PINS[*]}" > "$VENV/pins.installed"
fi
mkdir -p "$OUT"
rm -rf "$OUT/corpus" "$OUT/big"
python3 "$HERE/secrets_corpus.py" --out "$OUT/corpus"
python3 "$HERE/secrets_corpus.py" --out "$OUT/big" --mb "${MB:-200}"
python3 "$HERE/code_bench.py" --aigis "$AIGIS" --venv "$VENV" \
  --fixtures "$ROOT/crates/pycode/tests/fixtures" --corpus "$OUT/corpus" --big "$OUT/big" \
  --out "$OUT" --timeout "${TIMEOUT:-1800}"
