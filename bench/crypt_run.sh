#!/usr/bin/env bash
# aigis model encrypt/decrypt against age and openssl enc on a generated model
# directory (4 files, GB gigabytes in all; default 2), warm page cache, one
# run each. Writes bench/out/crypt/results.md (a markdown table with wall
# time, throughput, CPU time and peak RSS from /usr/bin/time -v, and ratios
# against aigis) and prints it.
#
#   GB=2 bench/crypt_run.sh            # AIGIS=path/to/aigis to pick a binary
#   WORK=/dev/shm/aigis-crypt GB=2 bench/crypt_run.sh   # files on tmpfs: the tools, not the disk
#
# Needs: age and age-keygen (apt-get install age), openssl, GNU time.
# Note: `openssl enc` has no AEAD mode for streams (it refuses GCM), so the
# openssl rows are AES-256-CTR: encryption without any integrity check.
set -euo pipefail
cd "$(dirname "$0")/.."
GB=${GB:-2}
AIGIS=${AIGIS:-target/release/aigis}
results=bench/out/crypt
out=${WORK:-$results}
[ -c /dev/null ] || { echo "crypt_run.sh: /dev/null is not a device; fix it first" >&2; exit 2; }
for tool in age age-keygen openssl /usr/bin/time "$AIGIS"; do
  command -v "$tool" >/dev/null || { echo "crypt_run.sh: $tool not found" >&2; exit 2; }
done
rm -rf "$out" && mkdir -p "$out/model" "$out/enc" "$out/dec" "$results"
per_file=$((GB * 1024 / 4))   # MiB per file
for i in 1 2 3 4; do
  # Incompressible bytes, fast: AES-CTR keystream of zeros.
  head -c $((per_file * 1024 * 1024)) /dev/zero \
    | openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:aigis-bench-$i \
    > "$out/model/model-0000$i-of-00004.safetensors"
done
bytes=$(cat "$out"/model/* | wc -c)

umask 077
"$AIGIS" model keygen "$out/aigis.key" >/dev/null
age-keygen -o "$out/age.key" 2>/dev/null
age_pub=$(age-keygen -y "$out/age.key")
ossl_key=$(openssl rand -hex 32)
ossl_iv=$(openssl rand -hex 16)
export AIGIS_BENCH_KEY_FILE="$out/aigis.key"

enc_cmd() { # tool in out
  case $1 in
    aigis) "$AIGIS" model encrypt "$2" "$3" --key env:AIGIS_BENCH_KEY ;;
    age) age -r "$age_pub" -o "$3" "$2" ;;
    openssl) openssl enc -aes-256-ctr -K "$ossl_key" -iv "$ossl_iv" -in "$2" -out "$3" ;;
  esac
}
dec_cmd() {
  case $1 in
    aigis) "$AIGIS" model decrypt "$2" "$3" --key env:AIGIS_BENCH_KEY ;;
    age) age -d -i "$out/age.key" -o "$3" "$2" ;;
    openssl) openssl enc -d -aes-256-ctr -K "$ossl_key" -iv "$ossl_iv" -in "$2" -out "$3" ;;
  esac
}
export -f enc_cmd dec_cmd
export AIGIS age_pub ossl_key ossl_iv out

# One timed run of all four files: "wall cpu rss_kb".
measure() { # op tool
  local from to
  if [ "$1" = enc ]; then from=model; to=enc; else from=enc; to=dec; fi
  rm -f "$out/$to"/*
  cat "$out/$from"/* > /dev/null   # warm the page cache
  /usr/bin/time -v -o "$out/time.txt" bash -c '
    for f in "$out/'"$from"'"/*; do '"$1"'_cmd '"$2"' "$f" "$out/'"$to"'/$(basename "$f")"; done'
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { cpu += $2 } /System time/ { cpu += $2 }
    /Maximum resident/ { rss = $2 }
    END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$out/time.txt"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A W C R
for tool in aigis age openssl; do
  for op in enc dec; do
    read -r W[$tool-$op] C[$tool-$op] R[$tool-$op] < <(measure $op $tool)
    if [ $op = dec ]; then
      cmp -s <(cat "$out"/model/*) <(cat "$out"/dec/*) || { echo "$tool: decrypted output differs" >&2; exit 1; }
    fi
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Start-up: 20 encryptions of an empty file, mean wall time.
: > "$out/empty"
t0=$(date +%s%N)
for i in $(seq 20); do
  "$AIGIS" model encrypt "$out/empty" "$out/empty.enc" --key env:AIGIS_BENCH_KEY --force
done
startup_ms=$(( ($(date +%s%N) - t0) / 20 / 1000000 ))

{
  echo "Generated model: 4 files, $((bytes / 1024 / 1024)) MiB in all, in $out ($(df --output=fstype "$out" | tail -1)); $(nproc) CPUs; load average before $load_before, after $load_after."
  echo
  echo "| tool | operation | wall s | GB/s (wall) | CPU s | peak RSS MB | wall vs aigis |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  for op in enc dec; do
    for tool in aigis age openssl; do
      name=$tool; [ $tool = openssl ] && name="openssl enc (AES-256-CTR, no integrity)"
      [ $tool = aigis ] && name="aigis (AES-256-GCM STREAM)"
      [ $tool = age ] && name="age (ChaCha20-Poly1305 STREAM)"
      opname=encrypt; [ $op = dec ] && opname=decrypt
      awk -v n="$name" -v o="$opname" -v w="${W[$tool-$op]}" -v c="${C[$tool-$op]}" -v r="${R[$tool-$op]}" \
          -v a="${W[aigis-$op]}" -v b="$bytes" 'BEGIN {
        printf "| %s | %s | %.2f | %.2f | %.2f | %.1f | %.2fx |\n", n, o, w, (w > 0 ? b / w / 1e9 : 0), c, r / 1024, (a > 0 ? w / a : 0) }'
    done
  done
  echo
  echo "aigis start-up (encrypting an empty file, mean of 20): ${startup_ms} ms."
} > "$results/results.md"
cat "$results/results.md"
rm -rf "$out/model" "$out/enc" "$out/dec"
