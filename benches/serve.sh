#!/usr/bin/env bash
# Measures the release server on this machine, loopback only, bounded in time:
#   - start-up time: process start → /readyz answers 200 (fresh database and an existing one)
#   - idle memory: VmRSS of `serve` after sign-ins settle
#   - requests per second for GET /api/v1/me with a bearer token (wrk, 10 s)
# Usage: cargo build --release && bash benches/serve.sh   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/weiquan
PORT=${PORT:-18181}
DATA=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
export WEIQUAN_DATA_DIR="$DATA" WEIQUAN_LOG=warn

wait_ready() {
  local t0=$1
  for _ in $(seq 1 2000); do
    if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; then
      echo $(( ($(date +%s%N) - t0) / 1000000 ))
      return
    fi
    sleep 0.005
  done
  echo "server did not become ready" >&2
  exit 1
}

t0=$(date +%s%N)
$BIN serve --demo --bind 127.0.0.1:$PORT >/dev/null & PID=$!
first=$(wait_ready "$t0")
kill -TERM $PID; wait $PID || true

t0=$(date +%s%N)
$BIN serve --bind 127.0.0.1:$PORT >/dev/null & PID=$!
again=$(wait_ready "$t0")
sleep 3
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)

TOKEN=$(curl -s -X POST -H 'content-type: application/json' \
  -d '{"username":"demo-officer","password":"demo12345"}' "http://127.0.0.1:$PORT/api/v1/auth/token" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/me" >/dev/null

echo "== wrk: GET /api/v1/me with a bearer token, 2 threads, 32 connections, 10 s =="
wrk -t2 -c32 -d10s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/me" | tee "$DATA/wrk.txt"
rss_load=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
sleep 2
rss_after=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)

echo
echo "== results =="
echo "start-up, new database (migrate + demo data + bind): ${first} ms"
echo "start-up, existing database:                          ${again} ms"
echo "idle RSS after start:                                 $((rss_idle / 1024)) MiB (${rss_idle} kB)"
echo "RSS right after the load run:                         $((rss_load / 1024)) MiB"
echo "RSS 2 s after the load run:                           $((rss_after / 1024)) MiB"
grep -E "Requests/sec|99%|50%" "$DATA/wrk.txt" | sed 's/^/wrk /'
