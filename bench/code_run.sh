#!/usr/bin/env bash
# Code and secret rules side by side: aigis vs bandit, ruff --select S and
# detect-secrets, on the pycode rule fixtures and on a generated corpus with
# planted fake secrets and bait (bench/secrets_corpus.py).
#
#   bench/code_run.sh              # 200 MB timing corpora
#   MB=20 bench/code_run.sh        # smaller ones
#   TIMEOUT=600 bench/code_run.sh  # seconds before a tool run is called unfinished
#
# Two timing corpora of MB each: synthetic filler with the planted files, and
# real ML source: the .py files of the pinned transformers and diffusers
# wheels (downloaded once into bench/out/code/wheels, about 80 MB of source)
# copied as often as needed.
#
# semgrep runs with local rules (bench/semgrep-rules.yml): its registry rule
# sets cannot be reached from this machine (no internet beyond the package
# registries). ripsecrets (a Rust secret scanner) is built with cargo install.
# SKIP_SEMGREP=1 / SKIP_RIPSECRETS=1 leave them out; SEMGREP=/path/semgrep and
# RIPSECRETS=/path/ripsecrets use existing ones.
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
REAL_PINS=(transformers==5.23.0 diffusers==0.42.1)
mkdir -p "$OUT/wheels"
ls "$OUT"/wheels/transformers-*.whl >/dev/null 2>&1 ||
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$OUT/wheels" "${REAL_PINS[@]}"
rm -rf "$OUT/real"
python3 - "$OUT/wheels" "$OUT/real" "${MB:-200}" <<'PY'
import sys, zipfile
from pathlib import Path
wheels, out, mb = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
sources = []
for w in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(w) as z:
        sources += [(i.filename, z.read(i)) for i in z.infolist() if i.filename.endswith(".py")]
total, copy = 0, 0
while total < mb * 2**20:
    for name, data in sources:
        if total >= mb * 2**20:
            break
        path = out / f"copy{copy}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
    copy += 1
print(f"real ML source: {total / 2**20:.0f} MiB in {copy} copies")
PY
EXTRA=()
if [ -n "${SEMGREP:-}" ]; then
  EXTRA+=(--semgrep "$SEMGREP")
elif [ -z "${SKIP_SEMGREP:-}" ]; then
  SG_VENV="$HERE/.venv-semgrep"
  [ -x "$SG_VENV/bin/semgrep" ] || { python3 -m venv "$SG_VENV" &&
    "$SG_VENV/bin/pip" install -q --disable-pip-version-check semgrep==1.185.0; }
  EXTRA+=(--semgrep "$SG_VENV/bin/semgrep")
fi
if [ -n "${RIPSECRETS:-}" ]; then
  EXTRA+=(--ripsecrets "$RIPSECRETS")
elif [ -z "${SKIP_RIPSECRETS:-}" ]; then
  [ -x "$OUT/tools/bin/ripsecrets" ] ||
    cargo install -q --locked ripsecrets@0.1.11 --root "$OUT/tools"
  EXTRA+=(--ripsecrets "$OUT/tools/bin/ripsecrets")
fi
python3 "$HERE/code_bench.py" --aigis "$AIGIS" --venv "$VENV" "${EXTRA[@]}" \
  --fixtures "$ROOT/crates/pycode/tests/fixtures" --corpus "$OUT/corpus" --big "$OUT/big" \
  --real "$OUT/real" --out "$OUT" --timeout "${TIMEOUT:-1800}"
