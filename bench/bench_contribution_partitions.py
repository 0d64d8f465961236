"""Benchmark: ``contribution`` as one table or partitioned by month on PostgreSQL (decision 0110).

The measurement behind decision 0110. Two layouts of the same records in one throwaway cluster
(pgserver), each in its own schema with the tables the claims' history read joins
(``declaration``, ``employer_payment``):

- ``plain``: one table with the index ``(worker_id, period)``, as in production;
- ``part``: ``PARTITION BY RANGE (period)``, one partition a month, the same index on each.

Figures, each for both layouts and as the ratio partitioned / plain measured in the same run:

1. **Read, one worker.** The claims' own statement (:data:`seguro_desempleo.storage.history.MONTHS_PG`,
   24-month window, prepared by psycopg as the API's connection does, on a new connection per
   layout and round) for ``--probes`` random workers: mean, p50 and p99 in µs, and how many
   generic and custom plans the server ran (``plan_cache_mode = auto`` lets it choose; the
   partitioned layout is measured again with ``force_generic_plan``).
2. **Read, bulk.** The history of ``--bulk`` workers at once
   (:func:`seguro_desempleo.storage.history.contribution_history_bulk`).
3. **Write, the next month.** One more month of records (one per worker, in the import's order:
   chunks of about an eighth of the employers, each in worker order) written into the live
   index (``plain``), against a new partition filled first and indexed after, then attached
   (``part``): what partitioning would save a next-month import.

    .venv/bin/python bench/bench_contribution_partitions.py [--workers 300000] [--months 36]
                                                           [--probes 5000] [--bulk 20000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import sqlalchemy as sa

from seguro_desempleo.storage.history import MONTHS_PG, contribution_history_bulk

FIRST_PERIOD = 2023 * 12          # month indices as stored (year * 12 + month - 1)
PER_EMPLOYER = 10                 # workers per employer


def _schema(cur: psycopg.Cursor[Any], name: str, months: int, partitioned: bool) -> None:
    cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    cur.execute(f"CREATE SCHEMA {name}")
    cur.execute(f"CREATE TABLE {name}.declaration (id integer PRIMARY KEY, employer_id integer, "
                "period integer, version integer, status varchar(10), total_due bigint)")
    cur.execute(f"CREATE TABLE {name}.employer_payment (id serial PRIMARY KEY, employer_id integer, "
                "period integer, amount bigint)")
    if partitioned:
        cur.execute(f"CREATE TABLE {name}.contribution (declaration_id integer, worker_id integer, "
                    "period integer, insurable_pay bigint) PARTITION BY RANGE (period)")
        for k in range(months):
            p = FIRST_PERIOD + k
            cur.execute(f"CREATE TABLE {name}.contribution_{p} PARTITION OF {name}.contribution "
                        f"FOR VALUES FROM ({p}) TO ({p + 1})")
    else:
        cur.execute(f"CREATE TABLE {name}.contribution (declaration_id integer, worker_id integer, "
                    "period integer, insurable_pay bigint)")


def _load(cur: psycopg.Cursor[Any], name: str, workers: int, months: int) -> float:
    employers = max(1, workers // PER_EMPLOYER)
    t = time.perf_counter()
    cur.execute(f"INSERT INTO {name}.declaration SELECT m * %(e)s::int + e + 1, e + 1, %(p0)s::int + m, 1, "
                "'active', 1000 FROM generate_series(0, %(m)s - 1) m, generate_series(0, %(e)s - 1) e",
                {"e": employers, "m": months, "p0": FIRST_PERIOD})
    cur.execute(f"INSERT INTO {name}.employer_payment (employer_id, period, amount) "
                f"SELECT employer_id, period, total_due FROM {name}.declaration")
    for k in range(months):   # month by month, as the imports write them
        cur.execute(f"INSERT INTO {name}.contribution SELECT %(k)s::int * %(e)s::int + (w %% %(e)s::int) + 1, w, "
                    "%(p)s::int, 102500 + (w::bigint * 7919 + %(k)s::bigint * 104729) %% 1400000 "
                    "FROM generate_series(1, %(w)s) w",
                    {"k": k, "e": employers, "p": FIRST_PERIOD + k, "w": workers})
    cur.execute(f"CREATE INDEX ON {name}.contribution (worker_id, period)")
    cur.execute(f"CREATE INDEX ON {name}.declaration (employer_id, period, status)")
    cur.execute(f"CREATE INDEX ON {name}.employer_payment (employer_id, period)")
    return time.perf_counter() - t


def _probe(uri: str, name: str, workers: int, months: int, probes: int, seed: int,
           plan_cache_mode: str = "auto") -> tuple[list[float], int, int]:
    """Timings (µs) of the claims' statement for *probes* random workers on a new connection (its
    own prepared statement, as an API connection has), and how many generic and custom plans the
    server ran for it (``pg_prepared_statements``)."""
    query = MONTHS_PG
    last = FIRST_PERIOD + months - 1
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, workers + 1, probes)
    out: list[float] = []
    with psycopg.connect(uri, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"SET search_path = {name}")
        cur.execute(f"SET plan_cache_mode = {plan_cache_mode}")
        for w in ids[:50]:                      # warm the prepared statement and the cache
            cur.execute(query, (int(w), last - 23, last), prepare=True)
            cur.fetchall()
        for w in ids:
            t = time.perf_counter_ns()
            cur.execute(query, (int(w), last - 23, last), prepare=True)
            rows = cur.fetchall()
            out.append((time.perf_counter_ns() - t) / 1000)
            if len(rows) != 24:
                raise SystemExit(f"{name}: worker {w} has {len(rows)} months in the window, expected 24")
        cur.execute("SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
                    "FROM pg_prepared_statements WHERE statement LIKE '%FROM contribution c%'")
        generic, custom = cur.fetchone() or (0, 0)
    return out, int(generic), int(custom)


def _bulk(url: str, name: str, workers: int, months: int, bulk: int, seed: int) -> float:
    engine = sa.create_engine(url, connect_args={"options": f"-c search_path={name}"})
    last = FIRST_PERIOD + months - 1
    ids = np.random.default_rng(seed).choice(np.arange(1, workers + 1), bulk, replace=False)
    with engine.connect() as c:
        contribution_history_bulk(c, ids[:100], last - 23, last)      # warm
        t = time.perf_counter()
        h = contribution_history_bulk(c, ids, last - 23, last)
        elapsed = time.perf_counter() - t
    engine.dispose()
    if not bool(h.declared.all()):
        raise SystemExit(f"{name}: the bulk read missed months")
    return elapsed


def _next_month(cur: psycopg.Cursor[Any], name: str, workers: int, months: int,
                partitioned: bool) -> float:
    employers = max(1, workers // PER_EMPLOYER)
    p = FIRST_PERIOD + months
    # In the import's order: chunks of about an eighth of the employers, each in worker order.
    select = ("SELECT %(k)s::int * %(e)s::int + (w %% %(e)s::int) + 1, w, %(p)s::int, 150000 "
              "FROM generate_series(1, %(w)s) w ORDER BY ((w %% %(e)s::int) * 8) / %(e)s::int, w")
    args = {"k": months, "e": employers, "p": p, "w": workers}
    cur.execute("CHECKPOINT")
    t = time.perf_counter()
    if partitioned:   # a first load into its own partition: filled, indexed, attached
        cur.execute(f"CREATE TABLE {name}.contribution_{p} (LIKE {name}.contribution)")
        cur.execute(f"INSERT INTO {name}.contribution_{p} " + select, args)
        cur.execute(f"CREATE INDEX ON {name}.contribution_{p} (worker_id, period)")
        cur.execute(f"ALTER TABLE {name}.contribution ATTACH PARTITION {name}.contribution_{p} "
                    f"FOR VALUES FROM ({p}) TO ({p + 1})")
    else:
        cur.execute(f"INSERT INTO {name}.contribution " + select, args)
    return time.perf_counter() - t


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=300_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--probes", type=int, default=5_000)
    ap.add_argument("--bulk", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=2, help="alternating read rounds per layout")
    args = ap.parse_args()
    if args.months < 24:
        raise SystemExit("--months: at least 24 (the window read is 24 months)")
    for opt in ("workers", "probes", "bulk", "rounds"):
        if getattr(args, opt) < 1:
            raise SystemExit(f"--{opt}: at least 1")
    args.bulk = min(args.bulk, args.workers)

    import pgserver

    base = Path(tempfile.mkdtemp(prefix="bench_partitions_pg_"))
    server = pgserver.get_server(str(base), cleanup_mode="delete")
    uri = str(server.get_uri())
    url = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    layouts = (("plain", False), ("part", True))
    try:
        with psycopg.connect(uri, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            version = (cur.fetchone() or ("?",))[0]
            print(f"{args.workers:,} workers × {args.months} months = {args.workers * args.months:,} records "
                  f"per layout, PostgreSQL {version} (pgserver)")
            for name, partitioned in layouts:
                _schema(cur, name, args.months, partitioned)
                s = _load(cur, name, args.workers, args.months)
                cur.execute(f"VACUUM ANALYZE {name}.contribution")
                cur.execute(f"VACUUM ANALYZE {name}.declaration")
                cur.execute(f"VACUUM ANALYZE {name}.employer_payment")
                print(f"  loaded {name:5s} in {s:6.1f} s")

            variants = (("plain", "plain", "auto"), ("part", "part", "auto"),
                        ("part, generic", "part", "force_generic_plan"))
            probe: dict[str, list[float]] = {v: [] for v, _, _ in variants}
            plans: dict[str, list[int]] = {v: [0, 0] for v, _, _ in variants}
            bulk: dict[str, list[float]] = {n: [] for n, _ in layouts}
            for r in range(args.rounds):      # alternate, so a slow phase of the machine hits both
                for label, name, mode in (variants if r % 2 == 0 else variants[::-1]):
                    times, generic, custom = _probe(uri, name, args.workers, args.months, args.probes, r, mode)
                    probe[label] += times
                    plans[label][0] += generic
                    plans[label][1] += custom
                for name, _ in (layouts if r % 2 == 0 else layouts[::-1]):
                    bulk[name].append(_bulk(url, name, args.workers, args.months, args.bulk, seed=r))

            print("\nread: one worker, 24-month window (the claims' statement, prepared; plans the server ran)")
            for label, _, _ in variants:
                print(f"  {label:13s}  mean {statistics.fmean(probe[label]):7.0f} µs   "
                      f"p50 {_pct(probe[label], 0.5):7.0f} µs   p99 {_pct(probe[label], 0.99):7.0f} µs   "
                      f"generic {plans[label][0]:,}, custom {plans[label][1]:,}")
            for label in ("part", "part, generic"):
                print(f"  ratio {label} / plain: mean "
                      f"{statistics.fmean(probe[label]) / statistics.fmean(probe['plain']):.2f}×, p99 "
                      f"{_pct(probe[label], 0.99) / _pct(probe['plain'], 0.99):.2f}×")
            print(f"\nread: {args.bulk:,} workers at once (contribution_history_bulk), best of {args.rounds}")
            for name, _ in layouts:
                print(f"  {name:5s}  {min(bulk[name]):6.2f} s")
            print(f"  ratio partitioned / plain: {min(bulk['part']) / min(bulk['plain']):.2f}×")

            print(f"\nwrite: the next month, {args.workers:,} records")
            write = {name: _next_month(cur, name, args.workers, args.months, partitioned)
                     for name, partitioned in layouts}
            print(f"  plain  into the live index            {write['plain']:6.2f} s")
            print(f"  part   new partition, indexed, attached {write['part']:6.2f} s")
            print(f"  ratio partitioned / plain: {write['part'] / write['plain']:.2f}×")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
