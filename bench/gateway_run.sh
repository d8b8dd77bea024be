#!/usr/bin/env bash
# Gateway benchmark (docs/benchmarks.md "Gateway"): wrk over loopback against
#   (a) the demo model server directly (plain HTTP),
#   (b) nginx: TLS 1.3, an X-API-Key check (map), limit_req, proxy_pass,
#       request id and X-Forwarded-For, a buffered JSON access log (and the
#       same without the log, run "nginx_nolog"),
#   (c) aigis gateway: TLS 1.3, API key, RBAC, per-key rate limit (too high
#       to trigger), metrics and audit log on,
# same upstream, interleaved rounds, bounded durations. Also: idle RSS of
# the gateway with 10,000 keys, 401s and 429s against accepted requests,
# latency at moderate load (CONNS_LOW connections), and each proxy's own CPU
# time per request (from /proc: on 2 cores wrk competes for the CPU, so
# requests/s alone mixes the proxy's cost with the load generator's).
#
# Needs: wrk, nginx, openssl, python3 (Debian: apt-get install wrk nginx).
# Usage: bench/gateway_run.sh [SECONDS_PER_RUN=10] [ROUNDS=3] [CONNECTIONS=16]
# Env: NGINX_WORKERS (default 2, as many as aigis's runtime threads on 2
# cores), CONNS_LOW (default 2), PERF_OUT (a file: `perf record` the
# gateway during the runs named PERF_RUN, default aigis; read it with
# `perf report -i`).
set -euo pipefail
DUR=${1:-10}
ROUNDS=${2:-3}
CONNS=${3:-16}
CONNS_LOW=${CONNS_LOW:-2}
NGINX_WORKERS=${NGINX_WORKERS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d /tmp/aigis-gw-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

UP=127.0.0.1:18000; NGINX=127.0.0.1:18443; AIGIS=127.0.0.1:18444; ADMIN=127.0.0.1:19090
NGINX_NOLOG=127.0.0.1:18445

# AIGIS_BIN / DEMO_BIN: use already-built binaries (skips the release build).
if [ -z "${AIGIS_BIN:-}" ]; then
  # (--example alone would build only the example, not the aigis binary)
  cargo build --release -p aigis --bin aigis >&2
  cargo build --release -p aigis-gateway --example demo_model_server >&2
  AIGIS_BIN=$TARGET/release/aigis
  DEMO_BIN=$TARGET/release/examples/demo_model_server
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

"$DEMO_BIN" "$UP" 2>/dev/null & PIDS+=($!)

# --- aigis -----------------------------------------------------------------
export AIGIS_KEY_HASH_SECRET=$(openssl rand -hex 32)
cat > "$WORK/gateway.toml" <<TOML
key_store = "keys.db"
key_hash_secret = "env:AIGIS_KEY_HASH_SECRET"
audit_log = "audit.jsonl"
[listen]
public = "$AIGIS"
admin = "$ADMIN"
[tls]
cert = "cert.pem"
key = "key.pem"
[limits]
max_concurrent_per_key = 1024
[rate_limits]
per_key = { requests = 1000000, per = "1s" }
# Only the key of tenant "limited" has a tenant: it is refused (429) after one request.
per_tenant = { requests = 1, per = "1h", burst = 1 }
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
KEY=$("$AIGIS_BIN" keys -c "$WORK/gateway.toml" create --role bench 2>/dev/null)
KEY429=$("$AIGIS_BIN" keys -c "$WORK/gateway.toml" create --role bench --tenant limited 2>/dev/null)
# 9,999 more keys straight into the store (same hashing: HMAC-SHA256 over the
# whole key under the secret); their secrets are random and thrown away.
python3 - "$WORK/keys.db" <<'PY'
import hmac, hashlib, os, secrets, sqlite3, sys, time, base64
db = sqlite3.connect(sys.argv[1]); k = bytes(os.environ["AIGIS_KEY_HASH_SECRET"], "ascii")
rows = []
for _ in range(9999):
    kid = secrets.token_hex(8)
    key = "aig_%s_%s" % (kid, base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())
    rows.append((kid, hmac.new(k, key.encode(), hashlib.sha256).digest(), "bench", None, int(time.time())))
db.executemany("INSERT INTO api_keys (id, hash, role, tenant, created) VALUES (?,?,?,?,?)", rows); db.commit()
PY
( cd "$WORK" && exec "$AIGIS_BIN" gateway -c gateway.toml 2>"$WORK/gateway.log" ) & PIDS+=($!)
AIGIS_PID=$!

# --- nginx -----------------------------------------------------------------
mkdir -p "$WORK/nginx"
# What aigis does per request, nginx does too: a request id sent upstream
# and back, X-Forwarded-For, X-Powered-By hidden, and one access-log line
# per request (buffered, as aigis's audit writer batches its writes; the
# key is logged by a label, never its value). NGINX_NOLOG is the same
# server with the access log off, for comparison.
cat > "$WORK/nginx/location.conf" <<NGX
location /v2/ {
  if (\$key_ok = 0) { return 401; }
  limit_req zone=perkey burst=1000 nodelay;
  limit_req zone=limited;
  proxy_http_version 1.1; proxy_set_header Connection "";
  proxy_set_header X-Api-Key "";
  proxy_set_header X-Request-Id \$request_id;
  proxy_set_header X-Forwarded-For \$remote_addr;
  proxy_hide_header X-Powered-By;
  add_header X-Request-Id \$request_id always;
  proxy_pass http://model;
}
NGX
cat > "$WORK/nginx.conf" <<NGX
worker_processes $NGINX_WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  map_hash_bucket_size 128;
  map \$http_x_api_key \$key_ok { default 0; "$KEY" 1; "$KEY429" 1; }
  map \$http_x_api_key \$key_id { default "-"; "$KEY" "bench"; "$KEY429" "limited"; }
  map \$http_x_api_key \$limited_key { default ""; "$KEY429" \$http_x_api_key; }
  log_format audit escape=json '{"time":"\$time_iso8601","request_id":"\$request_id",'
    '"identity":"\$key_id","method":"\$request_method","uri":"\$uri","client":"\$remote_addr",'
    '"status":\$status,"latency":\$request_time,"bytes_in":\$request_length,"bytes_out":\$bytes_sent}';
  limit_req_zone \$http_x_api_key zone=perkey:10m rate=1000000r/s;
  limit_req_zone \$limited_key zone=limited:1m rate=1r/m;
  limit_req_status 429;
  upstream model { server $UP; keepalive 64; }
  ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem;
  ssl_protocols TLSv1.3;
  server_tokens off;
  server {
    listen $NGINX ssl;
    access_log $WORK/nginx/access.log audit buffer=64k flush=1s;
    include $WORK/nginx/location.conf;
  }
  server {
    listen $NGINX_NOLOG ssl;
    access_log off;
    include $WORK/nginx/location.conf;
  }
}
NGX
nginx -c "$WORK/nginx.conf" -g 'daemon off;' & PIDS+=($!)
sleep 2

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"inputs":[{"name":"x","datatype":"FP32","shape":[4],"data":[1,2,3,4]}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("BENCH_KEY") or ""
LUA

RSS_IDLE=$(awk '/VmRSS/ {print $2}' /proc/$AIGIS_PID/status)
echo "aigis idle RSS with $(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from api_keys").fetchone()[0])' "$WORK/keys.db") keys: ${RSS_IDLE} kB"

# CPU ticks (user+system) of the processes whose pids are given.
ticks() { local t=0; for p in "$@"; do
  t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
NGINX_MASTER=$(cat "$WORK/nginx/nginx.pid")
NGINX_PIDS="$NGINX_MASTER $(pgrep -P "$NGINX_MASTER" | tr '\n' ' ')"
HZ=$(getconf CLK_TCK)

run() { # name url key connections pids...
  local name=$1 url=$2 key=$3 conns=$4; shift 4
  local before; before=$(ticks "$@") perf_pid=
  if [ -n "${PERF_OUT:-}" ] && [ "$name" = "${PERF_RUN:-aigis}" ]; then
    perf record -q -F 499 --call-graph dwarf,16384 -p "$1" -o "$PERF_OUT" 2>/dev/null & perf_pid=$!
  fi
  BENCH_KEY=$key wrk -t1 -c"$conns" -d"${DUR}s" --latency -s "$WORK/post.lua" "$url" > "$WORK/wrk.out" 2>&1
  local cpu=$(( $(ticks "$@") - before ))
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  awk -v n="$name" -v cpu="$cpu" -v hz="$HZ" '/Requests\/sec/ {rps=$2} /requests in/ {reqs=$1}
      /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      END {printf "%-12s rps=%s p50=%s p99=%s non2xx=%s cpu_us_per_req=%.1f\n", n, rps, p50, p99,
           (bad==""?0:bad), (reqs>0 ? cpu*1e6/hz/reqs : 0)}' "$WORK/wrk.out"
}
URL=/v2/models/bench/infer
DEMO_PID=${PIDS[0]}
# One request to use up the limited key's allowance (then everything is 429).
curl -s -o /dev/null --cacert "$WORK/cert.pem" -H "x-api-key: $KEY429" -H content-type:application/json \
  -d '{"inputs":[]}' "https://localhost:${AIGIS##*:}$URL" || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  run direct "http://$UP$URL" "$KEY" "$CONNS" "$DEMO_PID"
  run nginx "https://$NGINX$URL" "$KEY" "$CONNS" $NGINX_PIDS
  run nginx_nolog "https://$NGINX_NOLOG$URL" "$KEY" "$CONNS" $NGINX_PIDS
  run aigis "https://$AIGIS$URL" "$KEY" "$CONNS" "$AIGIS_PID"
  run aigis401 "https://$AIGIS$URL" "${KEY:0:20}_wrongsecret" "$CONNS" "$AIGIS_PID"
  run nginx401 "https://$NGINX$URL" "bad" "$CONNS" $NGINX_PIDS
  run aigis429 "https://$AIGIS$URL" "$KEY429" "$CONNS" "$AIGIS_PID"
  run nginx429 "https://$NGINX$URL" "$KEY429" "$CONNS" $NGINX_PIDS
  run direct_low "http://$UP$URL" "$KEY" "$CONNS_LOW" "$DEMO_PID"
  run nginx_low "https://$NGINX$URL" "$KEY" "$CONNS_LOW" $NGINX_PIDS
  run aigis_low "https://$AIGIS$URL" "$KEY" "$CONNS_LOW" "$AIGIS_PID"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "aigis RSS after load: $(awk '/VmRSS/ {print $2}' /proc/$AIGIS_PID/status) kB"
echo "audit lines: $(wc -l < "$WORK/audit.jsonl"), nginx access-log lines: $(wc -l < "$WORK/nginx/access.log")"
curl -s "http://$ADMIN/metrics" | grep -E '^aigis_gateway_(requests_total|upstream)' | head -5
