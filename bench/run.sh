#!/usr/bin/env bash
# Side-by-side benchmark: aigis vs picklescan, ModelScan, fickling, ModelAudit.
#
#   bench/run.sh                 # everything: venv, samples, big inputs, detection, timing, corpus (if fetched)
#   TOOLS=aigis,picklescan bench/run.sh    # a subset of tools
#   SKIP_BIG=1 bench/run.sh      # no 15 MB / 256 MB / 2 GB inputs
#   AIGIS=/path/to/aigis bench/run.sh
#   REUSE=1 bench/run.sh         # keep earlier results for unchanged inputs (bench/out/raw/cache.jsonl)
#   ANCHOR_FORMATS=keras,keras-h5,tensorflow,onnx,safetensors,gguf,tflite,repository bench/run.sh
#                                # anchors only on these formats (others: cached results only)
#   ANCHOR_SKIP=real/onnx/onnx-package/   # sample path prefixes the anchors skip (cache only)
#   ANCHORS_CACHED=1             # run aigis only; anchor results from the cache
#   SKIP_DIR_RUNS=1              # no anchor run over the whole sample directory
#   MODELSCAN_TF=1               # also ModelScan with TensorFlow (column modelscan-tf)
#   AIGIS_RUNS=5 ANCHOR_RUNS=1   # timed runs per input for the per-format and big-input timings
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

# h5py, onnx, safetensors, tflite: ModelScan's and ModelAudit's Keras-HDF5, ONNX, safetensors
# and TFLite scanners import them (without them those formats are skipped or reported as errors).
# TensorFlow (ModelScan's SavedModel scanner) is left out: over 500 MB.
PINS=(picklescan==1.0.5 modelscan==0.8.8 fickling==0.1.12 modelaudit==0.2.54
      numpy==2.4.6 scikit-learn==1.9.1 joblib==1.6.0 scipy==1.17.1 pandas==3.1.1 lz4==4.4.5
      h5py==3.16.0 onnx==1.23.2 safetensors==0.8.0 tflite==2.18.0 flatbuffers==25.12.19)
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
# installed once per pin list (a copy marks what is in)
if [ "$(cat "$VENV/pins.installed" 2>/dev/null)" != "${PINS[*]}" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "${PINS[@]}"
  echo "${PINS[*]}" > "$VENV/pins.installed"
fi
# installed once per version of the requirements (a copy marks what is in)
if [ ! -x "$GEN_VENV/bin/python" ]; then
  "$PYTHON" -m venv "$GEN_VENV"
fi
if ! cmp -s "$GEN_REQS" "$GEN_VENV/requirements.installed"; then
  "$GEN_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$GEN_REQS" lz4==4.4.5
  cp "$GEN_REQS" "$GEN_VENV/requirements.installed"
fi

# MODELSCAN_TF=1: ModelScan again with its tensorflow extra (its .keras and SavedModel
# scanners need TensorFlow), in a venv of its own: ~1.5 GB, not installed by default.
MS_TF="$VENV/modelscan-tf"
if [ -n "${MODELSCAN_TF:-}" ] && [ ! -x "$MS_TF/bin/modelscan" ]; then
  "$PYTHON" -m venv "$MS_TF"
  "$MS_TF/bin/python" -m pip install -q --disable-pip-version-check "modelscan[tensorflow,h5py]==0.8.8" numpy==2.4.6
fi

rm -rf "$OUT/samples"
"$GEN_VENV/bin/python" "$ROOT/samples/generate.py" "$OUT/samples" --real --selftest
if [ -z "${SKIP_BIG:-}" ]; then
  "$GEN_VENV/bin/python" "$HERE/make_big.py" "$OUT/big"   # numpy, onnx, keras
fi

AIGIS="${AIGIS:-$ROOT/target/release/aigis}"
export AIGIS
if [ ! -x "$AIGIS" ]; then
  echo "NOTE: $AIGIS does not exist yet; the aigis column is skipped."
fi

ARGS=(--samples "$OUT/samples" --out "$OUT" --tools "${TOOLS:-aigis,picklescan,picklescan-strict,modelscan,modelscan-tf,fickling,modelaudit}")
[ -z "${SKIP_BIG:-}" ] && ARGS+=(--big "$OUT/big")
[ -n "${ANCHOR_FORMATS:-}" ] && ARGS+=(--anchor-formats "$ANCHOR_FORMATS")
[ -n "${SKIP_DIR_RUNS:-}" ] && ARGS+=(--skip-dir-runs)
[ -n "${ANCHORS_CACHED:-}" ] && ARGS+=(--anchors-cached-only)
[ -n "${ANCHOR_SKIP:-}" ] && ARGS+=(--anchor-skip "$ANCHOR_SKIP")
ARGS+=(--aigis-runs "${AIGIS_RUNS:-5}" --anchor-runs "${ANCHOR_RUNS:-1}")
[ -d "$HERE/corpus/files" ] && [ -z "${SKIP_CORPUS:-}" ] && ARGS+=(--corpus "$HERE/corpus/files")
"$VENV/bin/python" "$HERE/bench.py" ${REUSE:+--reuse} "${ARGS[@]}"
echo "results: $OUT/results.md"
