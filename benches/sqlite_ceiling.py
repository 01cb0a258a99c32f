#!/usr/bin/env python3
"""SQLite's own ceiling for the rows an import wrote (issue 17).

    sqlite_ceiling.py BASE IMPORTED OUT

BASE is the database as it was before the import (a fresh demo database), IMPORTED the same
database after `weiquan import leads`. OUT becomes a copy of BASE into which every row the import
added (every table's rows past BASE's last rowid) is copied from IMPORTED by `INSERT … SELECT`,
table by table, in one transaction, with the pragmas weiquan's writer uses (WAL,
synchronous=FULL, 16 MiB page cache, checkpoint every 10,000 pages). No parsing, no binding, no
validation: what SQLite needs to store exactly these rows with this schema's indexes.

Rows the import only updated (existing rollup counters, the year's case-number counter) are not
copied, and this runs Python's SQLite rather than the one built into weiquan: the ceiling does a
little less work than the import did.

Prints the seconds of the transaction (to its commit) and the rows copied per table.
"""
import shutil
import sqlite3
import sys
import time

base, imported, out = sys.argv[1:4]
shutil.copyfile(base, out)
db = sqlite3.connect(out, isolation_level=None)
for pragma in ("journal_mode=WAL", "synchronous=FULL", "cache_size=-16384",
               "wal_autocheckpoint=10000", "foreign_keys=ON"):
    db.execute(f"PRAGMA {pragma}")
db.execute("ATTACH DATABASE ? AS src", (imported,))
tables = [r[0] for r in db.execute(
    "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND sql NOT LIKE '%WITHOUT ROWID%' ORDER BY name")]
plan = []
for t in tables:
    last = db.execute(f'SELECT coalesce(max(rowid), 0) FROM main."{t}"').fetchone()[0]
    n = db.execute(f'SELECT count(*) FROM src."{t}" WHERE rowid > ?', (last,)).fetchone()[0]
    if n:
        plan.append((t, last, n))
# Parents before children: the order in which the import writes them.
order = ["case_numbers", "cases", "case_parties", "case_rights", "case_events", "case_clocks"]
plan.sort(key=lambda p: (order.index(p[0]) if p[0] in order else len(order), p[0]))
started = time.perf_counter()
db.execute("BEGIN IMMEDIATE")
for t, last, _ in plan:
    db.execute(f'INSERT INTO main."{t}" SELECT * FROM src."{t}" WHERE rowid > ?', (last,))
db.execute("COMMIT")
secs = time.perf_counter() - started
print(f"ceiling {secs:.2f} s, sqlite {sqlite3.sqlite_version}: "
      + ", ".join(f"{t} {n}" for t, _, n in plan))
