#!/usr/bin/env bash
# Intake benchmarks (issue 3): complaints accepted per second through the API, and lead-import
# rows per second, on SQLite and on PostgreSQL, against the release binary on this machine.
#
#   - machine facts, and what one fsync costs on the disk the data goes to
#   - complaints: `serve --demo` on a fresh database, a bearer token for demo-enterprise, then
#     wrk POSTs /api/v1/complaints (benches/complaint.lua) for DURATION seconds with CONNS
#     connections; complaints/s counts 201 answers only (every one is committed, with its audit
#     entry, before it is answered)
#   - import: a fresh demo database, then `weiquan import leads FILE --org 3` of ROWS generated
#     leads (benches/gen_leads.py); rows/s = ROWS / the seconds the command reports; on SQLite
#     also the ceiling in the same run: SQLite itself copying exactly the rows the import wrote
#     into the database as it was before (benches/sqlite_ceiling.py), and the import's share of it
#   Each measure runs RUNS times (fresh database each time); the median is reported.
#
# Usage: cargo build --release && bash benches/intake.sh
#   env: RUNS=3 DURATION=10 CONNS=32 ROWS=100000 BACKENDS="sqlite pg pg-socket" BIN=target/release/weiquan
#        PARTS="complaints import" (either alone to measure one)
#        PG_URL=postgres://postgres@127.0.0.1:5432 (the benchmark creates and drops weiquan_bench)
#        PG_SOCKET=/var/run/postgresql (for pg-socket: the same server over its Unix socket)
# Needs wrk (apt-get install wrk), python3, GNU time (/usr/bin/time) and psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/target/release/weiquan}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
ROWS=${ROWS:-100000}
BACKENDS=${BACKENDS:-sqlite pg pg-socket}
PARTS=${PARTS:-complaints import}
declare -A CPS P50 P99 IMP
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_SOCKET=${PG_SOCKET:-/var/run/postgresql}
PORT=${PORT:-18191}
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export WEIQUAN_LOG=warn

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Points DATABASE_URL / WEIQUAN_DATA_DIR at a fresh, empty database of backend $1.
fresh_db() {
  unset DATABASE_URL
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  export WEIQUAN_DATA_DIR=$WORK/data
  case $1 in
    sqlite) ;;
    pg | pg-socket)
      psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS weiquan_bench" \
        -c "CREATE DATABASE weiquan_bench" >/dev/null 2>&1
      if [ "$1" = pg ]; then
        export DATABASE_URL=$PG_URL/weiquan_bench
      else
        export DATABASE_URL="${PG_URL%%@*}@localhost/weiquan_bench?host=$PG_SOCKET"
      fi
      ;;
  esac
}

available() {
  case $1 in
    sqlite) return 0 ;;
    pg) psql -q "$PG_URL/postgres" -c "select 1" >/dev/null 2>&1 ;;
    pg-socket) [ -S "$PG_SOCKET/.s.PGSQL.5432" ] && psql -q "$PG_URL/postgres" -c "select 1" >/dev/null 2>&1 ;;
  esac
}

echo "== machine =="
echo "cpus: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "disk: $(df -h "$WORK" | awk 'NR==2 {print $1", "$2" ("$5" used)"}'), $(findmnt -no FSTYPE,OPTIONS -T "$WORK" | cut -c1-60)"
echo "kernel: $(uname -r); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync.bin")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
for label, op in [("append 4 KiB + fsync", lambda: (os.write(fd, b"x" * 4096), os.fsync(fd))),
                  ("overwrite 4 KiB + fdatasync", lambda: (os.pwrite(fd, b"y" * 4096, 0), os.fdatasync(fd)))]:
    n, t = 0, time.perf_counter()
    while time.perf_counter() - t < 2:
        op(); n += 1
    dt = time.perf_counter() - t
    print(f"disk: {label}: {n / dt:,.0f}/s ({dt / n * 1e6:.0f} µs each)")
os.close(fd)
PY

if [[ " $PARTS " == *" complaints "* ]]; then
echo
echo "== complaints: wrk -t2 -c$CONNS -d${DURATION}s POST /api/v1/complaints, $RUNS runs each =="
for backend in $BACKENDS; do
  available "$backend" || { echo "$backend: not available, skipped"; continue; }
  : >"$WORK/rps" ; : >"$WORK/p50" ; : >"$WORK/p99"
  for run in $(seq "$RUNS"); do
    fresh_db "$backend"
    "$BIN" serve --demo --bind 127.0.0.1:$PORT >/dev/null 2>&1 & PID=$!
    for _ in $(seq 400); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
    TOKEN=$(curl -s -X POST -H 'content-type: application/json' \
      -d '{"username":"demo-enterprise","password":"demo12345"}' "http://127.0.0.1:$PORT/api/v1/auth/token" |
      sed -E 's/.*"token":"([^"]+)".*/\1/')
    WQ_TOKEN=$TOKEN wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s benches/complaint.lua \
      "http://127.0.0.1:$PORT/api/v1/complaints" >"$WORK/wrk.txt"
    kill -TERM $PID; wait $PID || true; PID=
    created=$(sed -nE 's/^created ([0-9]+), other ([0-9]+)$/\1/p' "$WORK/wrk.txt")
    other=$(sed -nE 's/^created ([0-9]+), other ([0-9]+)$/\2/p' "$WORK/wrk.txt")
    secs=$(sed -nE 's/.* in ([0-9.]+)s, .*/\1/p' "$WORK/wrk.txt")
    rps=$(awk -v c="$created" -v s="$secs" 'BEGIN {printf "%.0f", c / s}')
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
    echo "$backend run $run: $rps complaints/s ($created created, $other not), p50 $p50, p99 $p99, load $(cut -d' ' -f1 /proc/loadavg)"
    echo "$rps" >>"$WORK/rps"
    echo "$p50" | sed -E 's/ms$//; s/([0-9.]+)s$/\1*1000/; s/([0-9.]+)us$/\1\/1000/' | bc -l >>"$WORK/p50"
    echo "$p99" | sed -E 's/ms$//; s/([0-9.]+)s$/\1*1000/; s/([0-9.]+)us$/\1\/1000/' | bc -l >>"$WORK/p99"
  done
  CPS[$backend]=$(median <"$WORK/rps")
  P50[$backend]=$(median <"$WORK/p50" | xargs printf "%.1f")
  P99[$backend]=$(median <"$WORK/p99" | xargs printf "%.1f")
done
fi

if [[ " $PARTS " == *" import "* ]]; then

echo
echo "== import: $ROWS leads (benches/gen_leads.py), weiquan import leads --org 3, $RUNS runs each =="
python3 benches/gen_leads.py "$ROWS" >"$WORK/leads.csv"
for backend in $BACKENDS; do
  available "$backend" || continue
  : >"$WORK/imp"; : >"$WORK/ceil"; : >"$WORK/share"
  for run in $(seq "$RUNS"); do
    fresh_db "$backend"
    (cd "$WORK" && "$BIN" demo >/dev/null 2>&1)
    if [ "$backend" = sqlite ]; then
      rm -f "$WORK/base.db"
      python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
        "$WORK/data/weiquan.db" "$WORK/base.db"
    fi
    out=$(cd "$WORK" && /usr/bin/time -f '%M' -o "$WORK/rss" "$BIN" import leads "$WORK/leads.csv" --org 3 2>/dev/null | grep -E 'imported')
    secs=$(echo "$out" | sed -nE 's/.*, ([0-9.]+) 秒.*/\1/p')
    rps=$(awk -v n="$ROWS" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
    rss=$(awk '{printf "%.0f", $1 / 1024}' "$WORK/rss")
    echo "$backend run $run: $secs s = $rps rows/s, peak RSS $rss MB ($(du -m "$WORK/leads.csv" | cut -f1) MB file), load $(cut -d' ' -f1 /proc/loadavg)"
    echo "$rps" >>"$WORK/imp"
    if [ "$backend" = sqlite ]; then
      # The ceiling on the same machine in the same run: SQLite copying exactly the rows this
      # import wrote into the database as it was before it (benches/sqlite_ceiling.py).
      ceil=$(python3 benches/sqlite_ceiling.py "$WORK/base.db" "$WORK/data/weiquan.db" "$WORK/ceil.db")
      csecs=$(echo "$ceil" | sed -nE 's/^ceiling ([0-9.]+) s.*/\1/p')
      crps=$(awk -v n="$ROWS" -v s="$csecs" 'BEGIN {printf "%.0f", n / s}')
      echo "  $ceil"
      echo "  ceiling: $crps leads/s; the import reached $(awk -v a="$rps" -v c="$crps" 'BEGIN {printf "%.0f", 100 * a / c}') % of it"
      echo "$crps" >>"$WORK/ceil"
      echo "$rps $crps" | awk '{printf "%.1f\n", 100 * $1 / $2}' >>"$WORK/share"
      rm -f "$WORK/ceil.db" "$WORK/ceil.db-wal" "$WORK/ceil.db-shm"
    fi
  done
  IMP[$backend]=$(median <"$WORK/imp")
done
fi

echo
echo "== results (medians of $RUNS runs) =="
for backend in $BACKENDS; do
  [ -n "${CPS[$backend]:-}" ] &&
    echo "complaints/s  $backend: ${CPS[$backend]} (p50 ${P50[$backend]} ms, p99 ${P99[$backend]} ms, $CONNS connections)"
done
for backend in $BACKENDS; do
  [ -n "${IMP[$backend]:-}" ] && echo "import rows/s $backend: ${IMP[$backend]} ($ROWS leads)"
done
if [ -s "$WORK/ceil" ]; then
  echo "sqlite ceiling (INSERT … SELECT of the same rows): $(median <"$WORK/ceil") leads/s;" \
    "the import at $(median <"$WORK/share") % of it (target ≥ 50 %)"
fi
