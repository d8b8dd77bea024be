#!/usr/bin/env bash
# Side-by-side benchmark: aigis vs picklescan, ModelScan, fickling, ModelAudit.
#
#   bench/run.sh                 # everything: venv, samples, big inputs, detection, timing, corpus (if fetched)
#   TOOLS=aigis,picklescan bench/run.sh    # a subset of tools
#   SKIP_BIG=1 bench/run.sh      # no 15 MB / 256 MB / 2 GB inputs
#   AIGIS=/path/to/aigis bench/run.sh
#
# Writes bench/out/samples, bench/out/big, bench/out/raw/*.jsonl and bench/out/results.md.
# The anchors are pinned below; aigis is /work/.../target/release/aigis (skipped with a
# message when it has not been built: this script never builds it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="$HERE/out"
VENV="$HERE/.venv"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

PINS=(picklescan==1.0.5 modelscan==0.8.8 fickling==0.1.12 modelaudit==0.2.54
      numpy==2.4.6 scikit-learn==1.9.1 joblib==1.6.0 scipy==1.17.1 pandas==3.1.1 lz4==4.4.5)
# The sample generator's --real models need the libraries the test fixtures pin
# (Keras, onnx, safetensors, gguf, ...). They get a venv of their own inside the
# anchors' one: modelscan 0.8.8 cannot share a venv with them (rich<14).
GEN_VENV="$VENV/gen"
GEN_REQS="$ROOT/scripts/test-requirements.txt"

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time"; (apt-get update -qq && apt-get install -y -qq time) >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip freeze 2>/dev/null | grep -qx "modelaudit==0.2.54"; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "${PINS[@]}"
fi
# installed once per version of the requirements (a copy marks what is in)
if [ ! -x "$GEN_VENV/bin/python" ]; then
  "$PYTHON" -m venv "$GEN_VENV"
fi
if ! cmp -s "$GEN_REQS" "$GEN_VENV/requirements.installed"; then
  "$GEN_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$GEN_REQS" lz4==4.4.5
  cp "$GEN_REQS" "$GEN_VENV/requirements.installed"
fi

rm -rf "$OUT/samples"
"$GEN_VENV/bin/python" "$ROOT/samples/generate.py" "$OUT/samples" --real --selftest
if [ -z "${SKIP_BIG:-}" ]; then
  "$VENV/bin/python" "$HERE/make_big.py" "$OUT/big"
fi

AIGIS="${AIGIS:-$ROOT/target/release/aigis}"
export AIGIS
if [ ! -x "$AIGIS" ]; then
  echo "NOTE: $AIGIS does not exist yet; the aigis column is skipped."
fi

ARGS=(--samples "$OUT/samples" --out "$OUT" --tools "${TOOLS:-aigis,picklescan,picklescan-strict,modelscan,fickling,modelaudit}")
[ -z "${SKIP_BIG:-}" ] && ARGS+=(--big "$OUT/big")
[ -d "$HERE/corpus/files" ] && [ -z "${SKIP_CORPUS:-}" ] && ARGS+=(--corpus "$HERE/corpus/files")
"$VENV/bin/python" "$HERE/bench.py" ${REUSE:+--reuse} "${ARGS[@]}"
echo "results: $OUT/results.md"
