#!/usr/bin/env bash
# Evidence upload benchmark (issue 6), loopback only:
#   - a 1 GiB file (a PDF header, then random bytes) uploaded with curl through
#     POST /api/v1/cases/{id}/evidence against the release binary: wall time and throughput;
#   - the same size written to the same disk by `dd ... conv=fsync` (the server fsyncs too);
#   - how long after the 201 the server has the SM3 (computed from the stored bytes, D15);
#   - the server's peak RSS (VmHWM from /proc/PID/status) before and after the upload.
# Usage: cargo build --release && bash benches/evidence.sh   [SIZE_MIB=1024] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/weiquan
PORT=${PORT:-18182}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null && wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
export WEIQUAN_DATA_DIR="$WORK/data" WEIQUAN_LOG=warn
BASE="http://127.0.0.1:$PORT"

# The files to upload: identical bytes would be stored once, so each run gets its own.
for r in $(seq 1 "$RUNS"); do
  { printf '%%PDF-1.7\n'; head -c $((SIZE_MIB * 1024 * 1024 - 9)) /dev/urandom; } > "$WORK/in$r.pdf"
done
BYTES=$(stat -c %s "$WORK/in1.pdf")

echo "== dd, $SIZE_MIB MiB to $WORK (conv=fsync)"
for r in $(seq 1 "$RUNS"); do
  sync; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true
  dd if="$WORK/in$r.pdf" of="$WORK/dd.bin" bs=1M conv=fsync 2>&1 | tail -1
  rm -f "$WORK/dd.bin"
done

# The demo data is loaded by a separate process, so that the server's peak RSS is the serving's
# own (loading hashes seven demo passwords with Argon2, 19 MiB each, at once).
$BIN demo >/dev/null
# So is the first search index (built once per schema version, by `serve` if not before).
$BIN reindex >/dev/null 2>&1
$BIN serve --bind 127.0.0.1:$PORT >/dev/null & PID=$!
for _ in $(seq 1 2000); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.01; done
token() {
  curl -s -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"demo12345\"}" "$BASE/api/v1/auth/token" |
    sed -E 's/.*"token":"([^"]+)".*/\1/'
}
ENT=$(token demo-enterprise)
CASE=$(curl -s -X POST -H "authorization: Bearer $ENT" -H 'content-type: application/json' \
  -d '{"description":"基准测试用的投诉，涉及网店许诺销售与专利相同的产品。","channel":"e_commerce","region_code":"320612","complainant_standing":"patentee","rights":[{"kind":"invention_patent","number":"ZL202310123456.6","title":"一种锂电池隔膜"}],"respondents":[{"name":"某某科技有限公司"}]}' \
  "$BASE/api/v1/complaints" | sed -E 's/.*"id":([0-9]+).*/\1/')
echo "== server pid $PID, case $CASE; VmHWM before uploads: $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status), VmRSS $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status)"

echo "== upload through the API, $BYTES bytes"
for r in $(seq 1 "$RUNS"); do
  sync; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true
  out=$(curl -s -o "$WORK/resp.json" -w '%{http_code} %{time_total}' -H "authorization: Bearer $ENT" \
    -F kind=other -F description=benchmark -F "file=@$WORK/in$r.pdf;type=application/pdf" \
    "$BASE/api/v1/cases/$CASE/evidence")
  code=${out% *}; secs=${out#* }
  [ "$code" = 201 ] || { echo "upload failed: $code $(cat "$WORK/resp.json")"; exit 1; }
  awk -v b="$BYTES" -v s="$secs" 'BEGIN { printf "run: %.2f s, %.0f MB/s", s, b / s / 1e6 }'
  # Then wait for the seal, so that the next upload does not share the CPU with it.
  EID=$(sed -E 's/.*"id":([0-9]+).*/\1/' "$WORK/resp.json")
  t0=$(date +%s.%N)
  until curl -s -H "authorization: Bearer $ENT" "$BASE/api/v1/cases/$CASE/evidence" |
      grep -q "\"id\":$EID,[^}]*\"sm3\":\"[0-9a-f]\{64\}\""; do
    sleep 0.05
  done
  awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { printf "; SM3 recorded %.2f s after the 201\n", t1 - t0 }'
done
echo "== VmHWM after uploads: $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status), VmRSS $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status)"
sha256sum "$WORK/in$RUNS.pdf" | cut -c1-64 | sed "s/^/local sha256 of the last file: /"
grep -o '"sha256":"[0-9a-f]*"' "$WORK/resp.json" | sed 's/^/server answer (last run): /'
