#!/usr/bin/env bash
# Rate-limit accuracy (docs/benchmarks.md "Rate-limit accuracy"): one API key,
# a per-key limit of RATE requests per second (burst BURST), driven with wrk
# well above the limit for DUR seconds:
#   shared: two aigis gateway instances sharing one redis-server (each under
#           its own wrk, at the same time, same key),
#   memory: one aigis gateway with the in-memory limiter.
# Accuracy = allowed / (RATE x measured duration + BURST), in percent; the
# target is within +-1% over 10 s. Also prints the Redis round trips (EVALSHA
# calls) per allowed request, from INFO commandstats.
#
# Needs: wrk, redis-server, redis-cli, openssl (Debian: apt-get install wrk
# redis-server).
# Usage: bench/ratelimit_accuracy.sh [SECONDS=10] [RATE=1000] [BURST=50] [CONNECTIONS=8]
set -euo pipefail
DUR=${1:-10}
RATE=${2:-1000}
BURST=${3:-50}
CONNS=${4:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d /tmp/aigis-rl-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.2; rm -rf "$WORK"; }
trap cleanup EXIT

UP=127.0.0.1:18100; REDIS_PORT=18379
GW=(127.0.0.1:18201 127.0.0.1:18202 127.0.0.1:18203)
ADMIN=(127.0.0.1:19201 127.0.0.1:19202 127.0.0.1:19203)

if [ -z "${AIGIS_BIN:-}" ]; then
  # Two commands: with --example, cargo builds only the examples named.
  cargo build --release -p aigis --bin aigis >&2
  cargo build --release -p aigis-gateway --example demo_model_server >&2
  AIGIS_BIN=$TARGET/release/aigis
  DEMO_BIN=$TARGET/release/examples/demo_model_server
fi

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$WORK" >"$WORK/redis.log" 2>&1 & PIDS+=($!)
"$DEMO_BIN" "$UP" 2>/dev/null & PIDS+=($!)

export AIGIS_KEY_HASH_SECRET=$(openssl rand -hex 32)
config() { # index redis?
  cat <<TOML
key_store = "keys.db"
key_hash_secret = "env:AIGIS_KEY_HASH_SECRET"
audit_log = "audit$1.jsonl"
[listen]
public = "${GW[$1]}"
admin = "${ADMIN[$1]}"
[limits]
max_concurrent_per_key = 1024
[rate_limits]
per_key = { requests = $RATE, per = "1s", burst = $BURST }
TOML
  if [ "$2" = redis ]; then
    printf '[rate_limits.redis]\nurl = "redis://127.0.0.1:%s/0"\non_error = "closed"\n' "$REDIS_PORT"
  fi
  cat <<TOML
[[routes]]
name = "kserve"
path_prefix = "/v2/"
models = ["bench"]
upstream = "http://$UP"
[roles.bench]
models = ["bench"]
routes = ["kserve"]
methods = ["POST"]
TOML
}
config 0 redis > "$WORK/gw0.toml"
config 1 redis > "$WORK/gw1.toml"
config 2 memory > "$WORK/gw2.toml"
KEY=$("$AIGIS_BIN" keys -c "$WORK/gw0.toml" create --role bench 2>/dev/null)
for i in 0 1 2; do
  ( cd "$WORK" && exec "$AIGIS_BIN" gateway -c "gw$i.toml" 2>"$WORK/gw$i.log" ) & PIDS+=($!)
done
sleep 1.5

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"inputs":[{"name":"x","datatype":"FP32","shape":[4],"data":[1,2,3,4]}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("BENCH_KEY") or ""
LUA
URL=/v2/models/bench/infer
drive() { # gateway-index output-file
  BENCH_KEY=$KEY wrk -t1 -c"$CONNS" -d"${DUR}s" -s "$WORK/post.lua" "http://${GW[$1]}$URL" >"$2" 2>&1
}
# "N requests in 10.00s" and "Non-2xx or 3xx responses: M" -> "N M seconds"
parse() { awk '/requests in/ {n=$1; s=$4; sub(/s,?$/,"",s)} /Non-2xx/ {bad=$NF}
  END {printf "%d %d %s\n", n, (bad==""?0:bad), s}' "$1"; }
statuses() { curl -s "http://${ADMIN[$1]}/metrics" | awk -F'[{}" ]+' '/^aigis_gateway_requests_total/ {printf "%s:%s ", $5, $NF}'; }
evalsha() { redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_evalsha:/ {print $2}'; }

echo "limit: $RATE/s, burst $BURST, $DUR s, wrk -c$CONNS per instance; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
drive 0 "$WORK/wrk0.txt" & A=$!
drive 1 "$WORK/wrk1.txt" & B=$!
wait $A $B
read -r n0 bad0 s0 < <(parse "$WORK/wrk0.txt")
read -r n1 bad1 s1 < <(parse "$WORK/wrk1.txt")
ok=$(( n0 - bad0 + n1 - bad1 ))
secs=$(python3 -c "print(max($s0, $s1))")
calls=$(evalsha)
python3 - "$ok" "$secs" "$RATE" "$BURST" "$((n0 + n1))" "${calls:-0}" <<'PY'
import sys
ok, secs, rate, burst, total, calls = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
limit = rate * secs + burst
print(f"shared (2 instances, Redis): {total} requests ({total/secs:.0f}/s offered), {ok} allowed, "
      f"limit {limit:.0f}: {100*ok/limit:.2f}%  ({calls} EVALSHA calls, {calls/max(ok,1):.3f} per allowed request)")
PY
echo "  instance 0 statuses: $(statuses 0)"
echo "  instance 1 statuses: $(statuses 1)"
grep -h '"level":"WARN"' "$WORK/gw0.log" "$WORK/gw1.log" | head -3 || true

drive 2 "$WORK/wrk2.txt"
read -r n2 bad2 s2 < <(parse "$WORK/wrk2.txt")
python3 - "$((n2 - bad2))" "$s2" "$RATE" "$BURST" "$n2" <<'PY'
import sys
ok, secs, rate, burst, total = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
limit = rate * secs + burst
print(f"memory (1 instance):         {total} requests ({total/secs:.0f}/s offered), {ok} allowed, "
      f"limit {limit:.0f}: {100*ok/limit:.2f}%")
PY
echo "  instance 2 statuses: $(statuses 2)"
curl -s "http://${ADMIN[0]}/metrics" | grep -E '^aigis_gateway_redis' || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
