#!/usr/bin/env bash
# Gateway benchmark (docs/benchmarks.md "Gateway"): wrk over loopback against
#   (a) the demo model server directly (plain HTTP),
#   (b) nginx: TLS 1.3, an X-API-Key check (map), limit_req, proxy_pass,
#   (c) aigis gateway: TLS 1.3, API key, RBAC, per-key rate limit (too high
#       to trigger), metrics and audit log on,
# same upstream, interleaved rounds, bounded durations. Also: idle RSS of
# the gateway with 10,000 keys, and 401s against accepted requests.
#
# Needs: wrk, nginx, openssl, python3 (Debian: apt-get install wrk nginx).
# Usage: bench/gateway_run.sh [SECONDS_PER_RUN=10] [ROUNDS=3] [CONNECTIONS=16]
set -euo pipefail
DUR=${1:-10}
ROUNDS=${2:-3}
CONNS=${3:-16}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d /tmp/aigis-gw-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

UP=127.0.0.1:18000; NGINX=127.0.0.1:18443; AIGIS=127.0.0.1:18444; ADMIN=127.0.0.1:19090

# AIGIS_BIN / DEMO_BIN: use already-built binaries (skips the release build).
if [ -z "${AIGIS_BIN:-}" ]; then
  cargo build --release -p aigis -p aigis-gateway --example demo_model_server >&2
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
cat > "$WORK/nginx.conf" <<NGX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  map_hash_bucket_size 128;
  map \$http_x_api_key \$key_ok { default 0; "$KEY" 1; }
  limit_req_zone \$http_x_api_key zone=perkey:10m rate=1000000r/s;
  upstream model { server $UP; keepalive 64; }
  server {
    listen $NGINX ssl;
    ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.3;
    server_tokens off;
    location /v2/ {
      if (\$key_ok = 0) { return 401; }
      limit_req zone=perkey burst=1000 nodelay;
      proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Api-Key "";
      proxy_pass http://model;
    }
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

run() { # name url key
  BENCH_KEY=$3 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -s "$WORK/post.lua" "$2" 2>&1 |
    awk -v n="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      END {printf "%-10s rps=%s p50=%s p99=%s non2xx=%s\n", n, rps, p50, p99, (bad==""?0:bad)}'
}
URL=/v2/models/bench/infer
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  run direct "http://$UP$URL" "$KEY"
  run nginx "https://$NGINX$URL" "$KEY"
  run aigis "https://$AIGIS$URL" "$KEY"
  run aigis401 "https://$AIGIS$URL" "${KEY:0:20}_wrongsecret"
  run nginx401 "https://$NGINX$URL" "bad"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "aigis RSS after load: $(awk '/VmRSS/ {print $2}' /proc/$AIGIS_PID/status) kB"
echo "audit lines: $(wc -l < "$WORK/audit.jsonl")"
curl -s "http://$ADMIN/metrics" | grep -E '^aigis_gateway_(requests_total|upstream)' | head -5
