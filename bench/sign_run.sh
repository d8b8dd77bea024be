#!/usr/bin/env bash
# Hash, sign and verify side by side on a generated model directory (4 files):
# aigis vs sha256sum and `openssl dgst -sha256` (hash), and vs the OpenSSF
# model_signing CLI (sign and verify with an EC P-256 key), plus aigis
# start-up time and every run's peak RSS. Prints a markdown table with ratios
# and writes it to bench/out/sign/results.md.
#
#   bench/sign_run.sh                  # 2 GB model under /tmp/aigis-sign-bench
#   GB=8 DIR=/data/m bench/sign_run.sh # size and place are configurable
#   REPS=5 bench/sign_run.sh           # runs per command (the median is shown)
#   MODEL_SIGNING=/path/to/model_signing bench/sign_run.sh
#
# The page cache is warmed first (targets are "warm cache"). aigis must be
# built: cargo build --release.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="$HERE/out/sign"
AIGIS="${AIGIS:-$ROOT/target/release/aigis}"
GB="${GB:-2}"
DIR="${DIR:-/tmp/aigis-sign-bench}"
REPS="${REPS:-3}"
PINS=(model-signing==1.1.1 pyOpenSSL==26.4.0)
mkdir -p "$OUT"

[ -x "$AIGIS" ] || { echo "build aigis first: cargo build --release" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
  (apt-get update -qq && apt-get install -y -qq time) >"$OUT.apt.log" 2>&1
fi
if [ -z "${MODEL_SIGNING:-}" ]; then
  VENV="$HERE/.venv-sign"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  if [ "$(cat "$VENV/pins.installed" 2>/dev/null)" != "${PINS[*]}" ]; then
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}"
    echo "${PINS[*]}" > "$VENV/pins.installed"
  fi
  MODEL_SIGNING="$VENV/bin/model_signing"
fi
mkdir -p "$OUT" "$DIR"
LOAD="$(cut -d" " -f1-3 /proc/loadavg)"

# The model: 4 files of GB/4 each, pseudo-random (AES-CTR keystream, fast).
bytes=$(( GB * 1024 * 1024 * 1024 / 4 ))
for i in 1 2 3 4; do
  f="$DIR/model-0000$i-of-00004.safetensors"
  if [ "$(stat -c %s "$f" 2>/dev/null || echo 0)" != "$bytes" ]; then
    # (openssl ends on SIGPIPE when head has enough: not an error here)
    { openssl enc -aes-128-ctr -nosalt -pass "pass:aigis-bench-$i" -in /dev/zero 2>"$OUT/openssl.log" || true; } | head -c "$bytes" > "$f"
  fi
done
echo '{"architectures": ["Bench"]}' > "$DIR/config.json"
total=$(du -cb "$DIR"/* | tail -1 | cut -f1)
openssl ecparam -name prime256v1 -genkey -noout -out "$OUT/key.pem"
openssl ec -in "$OUT/key.pem" -pubout -out "$OUT/pub.pem" 2>"$OUT/openssl.log"
printf 'tiny' > "$OUT/tiny.bin"
# Warm the page cache.
cat "$DIR"/* | cksum > "$OUT/warm.txt"

# run NAME CMD...: REPS runs; records the median wall seconds and max RSS.
declare -A WALL RSS CPU
run() {
  local name="$1"; shift
  local walls=() cpus=() rss=0
  for _ in $(seq "$REPS"); do
    /usr/bin/time -f "%e %M %U %S" -o "$OUT/time.txt" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || {
      echo "$name failed: $(tail -3 "$OUT/$name.err")" >&2; exit 1; }
    read -r w m u k < <(tail -1 "$OUT/time.txt")
    walls+=("$w"); cpus+=("$(awk -v u="$u" -v k="$k" 'BEGIN {print u + k}')")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  WALL[$name]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  CPU[$name]=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  RSS[$name]=$rss
}

run aigis_hash "$AIGIS" model hash "$DIR" --output "$OUT/aigis.sha256"
run sha256sum sha256sum "$DIR"/config.json "$DIR"/model-*
run openssl_dgst openssl dgst -sha256 "$DIR"/config.json "$DIR"/model-*
run aigis_sign "$AIGIS" model sign "$DIR" --key "file:$OUT/key.pem" --signature "$OUT/aigis.sig"
run ms_sign "$MODEL_SIGNING" sign key "$DIR" --private_key "$OUT/key.pem" --signature "$OUT/ms.sig"
run aigis_verify "$AIGIS" model verify "$DIR" --signature "$OUT/aigis.sig" --key "$OUT/pub.pem"
run ms_verify "$MODEL_SIGNING" verify key "$DIR" --signature "$OUT/ms.sig" --public_key "$OUT/pub.pem"
run aigis_verify_ms_sig "$AIGIS" model verify "$DIR" --signature "$OUT/ms.sig" --key "$OUT/pub.pem"
run ms_verify_aigis_sig "$MODEL_SIGNING" verify key "$DIR" --signature "$OUT/aigis.sig" --public_key "$OUT/pub.pem"

# Start-up: aigis model hash of a 4-byte file, mean of 50 runs.
start=$(date +%s%N)
for _ in $(seq 50); do "$AIGIS" model hash "$OUT/tiny.bin" > "$OUT/tiny.out"; done
startup_ms=$(( ($(date +%s%N) - start) / 50 / 1000 ))
startup_ms=$(awk -v us="$startup_ms" 'BEGIN {printf "%.2f", us / 1000}')

# The same digests from every hasher.
(cd "$DIR" && sha256sum -c "$OUT/aigis.sha256" > "$OUT/check.txt") || { echo "aigis digests differ from sha256sum" >&2; exit 1; }

gbps() { awk -v b="$total" -v s="$1" 'BEGIN { if (s > 0) printf "%.2f", b / s / 1e9; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }'; }
row() { # label key reference-key
  printf '| %s | %s | %s | %s | %s | %d | %s | %s |\n' "$1" "${WALL[$2]}" "$(gbps "${WALL[$2]}")" "${CPU[$2]}" "$(gbps "${CPU[$2]}")" \
    $(( ${RSS[$2]} / 1024 )) "$(ratio "${WALL[$3]}" "${WALL[$2]}")" "$(ratio "${CPU[$3]}" "${CPU[$2]}")"
}
{
  echo "Model: $DIR, $(awk -v b="$total" 'BEGIN {printf "%.2f", b/1e9}') GB in 5 files (4 x $((bytes / 1024 / 1024)) MiB + config.json), warm page cache; median of $REPS runs; $(nproc) cores; load average before: $LOAD"
  echo
  echo "| run | wall s | GB/s wall | CPU s | GB per CPU-s | peak RSS MB | wall vs aigis | CPU vs aigis |"
  echo "|---|---|---|---|---|---|---|---|"
  row "aigis model hash" aigis_hash aigis_hash
  row "sha256sum" sha256sum aigis_hash
  row "openssl dgst -sha256" openssl_dgst aigis_hash
  row "aigis model sign" aigis_sign aigis_sign
  row "model_signing sign key" ms_sign aigis_sign
  row "aigis model verify" aigis_verify aigis_verify
  row "model_signing verify key" ms_verify aigis_verify
  row "aigis verify of model_signing's signature" aigis_verify_ms_sig aigis_verify
  row "model_signing verify of aigis's signature" ms_verify_aigis_sig aigis_verify
  echo
  echo "aigis start-up (model hash of a 4-byte file, mean of 50): ${startup_ms} ms"
} > "$OUT/results.md"
cat "$OUT/results.md"
