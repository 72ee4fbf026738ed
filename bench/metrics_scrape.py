"""The credit figures of a `/metrics` scrape on a big ledger: one full pass (what every scrape did before) against
the incremental tally (what a scrape does now: only the rows written since the last one).

    .venv/bin/python -m bench.metrics_scrape [--rows 500000] [--new 100] [--scrapes 20]

A throw-away database gets `--rows` ledger rows (holds, captures, releases, grants), then each scrape is preceded
by `--new` fresh rows. Prints the median milliseconds of each, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import psycopg
from sqlalchemy.orm import Session

from bench.scratch import libpq, scratch_database
from storage.db import Database
from storage.stats import CreditTally, CreditTotals
from storage.stats import _sums as full_sums  # the query every scrape ran before: the whole ledger


def full_pass(session: Session) -> CreditTotals:
    return full_sums(session)


FILL = """
INSERT INTO users (id, display_name, balance, held) VALUES (1, 'bench', 0, 0);
INSERT INTO credit_transactions
    (user_id, type, amount, hold_delta, balance_after, held_after, reference, idempotency_key, note, created_at)
SELECT 1, (ARRAY['hold', 'capture', 'release', 'grant'])[1 + i %% 4],
       CASE i %% 4 WHEN 1 THEN -10 WHEN 3 THEN 10 ELSE 0 END,
       CASE i %% 4 WHEN 0 THEN 10 WHEN 1 THEN -10 WHEN 2 THEN -10 ELSE 0 END,
       0, 0, '', %(prefix)s || i, '', now() - interval '1 hour'
FROM generate_series(1, %(rows)s) AS i
"""


def add_rows(url: str, prefix: str, rows: int) -> None:
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(FILL.split(";")[1], {"prefix": prefix, "rows": rows})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--scrapes", type=int, default=20)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with scratch_database(server) as url:
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute(FILL.split(";")[0])
        add_rows(url, "old:", args.rows)
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute("ANALYZE credit_transactions")  # as autovacuum does after a bulk load
        db = Database(url, pool_size=1)
        tally = CreditTally()
        with db.session() as s:
            tally.refresh(s)  # the process's first scrape: one full pass
        full, incremental = [], []
        for n in range(args.scrapes):
            add_rows(url, f"new{n}:", args.new)
            with db.session() as s:
                started = time.perf_counter()
                expected = full_pass(s)
                full.append(time.perf_counter() - started)
                started = time.perf_counter()
                got = tally.refresh(s)
                incremental.append(time.perf_counter() - started)
            assert got == expected, (got, expected)
        db.dispose()
    f, i = statistics.median(full) * 1000, statistics.median(incremental) * 1000
    print(f"ledger rows: {args.rows:,} (+{args.new} per scrape), {args.scrapes} scrapes")
    print(f"full pass per scrape (before): {f:.1f} ms median")
    print(f"incremental tally (now):       {i:.2f} ms median  ({f / i:.0f}x less)")


if __name__ == "__main__":
    main()
