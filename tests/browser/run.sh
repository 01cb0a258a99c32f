#!/usr/bin/env bash
# Starts the demo server on a free loopback port with a temporary data folder and runs the
# Chromium checks against it. Needs: chromium (apt-get install chromium), node + npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${WEIQUAN_BIN:-target/debug/weiquan}
[ -x "$BIN" ] || cargo build
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WEIQUAN_DATA_DIR="$DATA" WEIQUAN_LOG=warn "$BIN" serve --demo --bind "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
PID=$!
# The server writes its audit checkpoint as it stops: wait for it before removing its folder.
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
(cd tests/browser && npm install --no-audit --no-fund --silent >/dev/null)
# Each file prints "N passed, N failed" last; every file runs, then the totals decide.
PASSED=0
FAILED=0
STATUS=0
for t in smoke a11y phone notices reports funds; do
  echo "== $t"
  node "tests/browser/$t.mjs" "http://127.0.0.1:$PORT" | tee "$DATA/$t.out" || STATUS=1
  read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$DATA/$t.out" | tail -n 1) || true
  [ -n "${p:-}" ] || { echo "$t.mjs ended without a tally"; STATUS=1; p=0; f=1; }
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  unset p f
done
echo "browser: $PASSED passed, $FAILED failed"
exit $STATUS
