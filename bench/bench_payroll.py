"""Benchmark: one national month of PLAME remuneration files imported on SQLite and PostgreSQL.

Targets (issue 4, this 2-core machine): 5,000,000 remuneration lines from 300,000 employers
parsed, validated and committed — on SQLite in ≤ 20 s; on PostgreSQL within 2× a bare ``COPY``
of the same rows measured in the same run; peak memory under 2 GiB. Each import runs in a spawned
child process so its peak RSS is measured alone (``VmHWM``, see :func:`peak_rss_mib`).

    .venv/bin/python bench/bench_payroll.py [--lines 5000000] [--employers 300000] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import multiprocessing as mp
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from stdnum.pe import ruc as ruc_mod

from proc_cpu import delta, pgserver_pid, tree_cpu_s

CONCEPTS = ("0121", "0201", "0105", "0118", "0406", "0909")


def make_ruc(n: int) -> str:
    body = f"20{n:08d}"
    return body + ruc_mod.calc_check_digit(body)


DNI_SPAN = 89_999_989
"""DNIs drawn from 10,000,000 + [0, DNI_SPAN): ``shuffled`` documents are the bijection
k -> (k * DNI_STEP) mod DNI_SPAN of the k-th worker, all distinct and in no order."""
DNI_STEP = 55_623_052  # coprime with DNI_SPAN, about DNI_SPAN / the golden ratio: each next DNI far from the last


def generate(directory: Path, lines: int, employers: int, seed: int = 11,
             documents: str = "shuffled") -> tuple[list[Path], int]:
    """Write ``employers`` files of month 2025-03 with about ``lines`` lines in total.

    *documents*: ``shuffled`` gives the workers distinct DNIs in no order, as real files have
    them (an employer's staff are not numbered one after another); ``sorted`` numbers them one
    after another across the files (the layout of the bench before 3 December 2026, whose
    indexes are built from input already in order)."""
    rng = np.random.default_rng(seed)
    per_employer = np.maximum(1, rng.poisson(lines / employers, employers))
    per_employer[-1] += max(0, lines - int(per_employer.sum()))
    paths: list[Path] = []
    worker = 10_000_000
    k = 0
    total = 0
    for e in range(employers):
        n = int(per_employer[e])
        concepts = 1 + n % 3
        workers = max(1, n // concepts)
        rows = []
        amounts = rng.integers(1_025_00, 15_000_00, workers)
        for w in range(workers):
            worker += 1
            k += 1
            doc = worker if documents == "sorted" else 10_000_000 + (k * DNI_STEP) % DNI_SPAN
            a = int(amounts[w])
            amount = f"{a // 100}.{a % 100:02d}"
            for c in CONCEPTS[:concepts]:
                rows.append(f"01|{doc:08d}|{c}|{amount}|{amount}|")
        if worker > 99_000_000:
            worker = 10_000_000
        p = directory / f"0601202503{make_ruc(e + 1)}.rem"
        p.write_text("\n".join(rows) + "\n")
        paths.append(p)
        total += len(rows)
    return paths, total


def warm_fast_path() -> float:
    """Compile (or load from numba's cache) the fast path for clean lines before the timed runs."""
    from seguro_desempleo.formats import rem_scan

    t0 = time.perf_counter()
    rem_scan.scan_clean(b"01|45678912|0121|1000.00|1000.00|\n", np.array([34]))
    return time.perf_counter() - t0


def _run_import(url: str, paths: list[str], out: mp.Queue) -> None:
    from seguro_desempleo.bootstrap import import_files
    from seguro_desempleo.storage import payroll_bulk

    # How long the indexes a first load builds after its last chunk take (payroll_bulk._end_bulk):
    # one backend's work at the end, with nothing left for the import's own processes to do.
    end_bulk = payroll_bulk._end_bulk
    tail = [0.0]

    def timed_end_bulk(conn: Any, tables: dict[str, list[str]]) -> None:
        t = time.perf_counter()
        end_bulk(conn, tables)
        tail[0] += time.perf_counter() - t

    payroll_bulk._end_bulk = timed_end_bulk
    t0 = time.perf_counter()
    summary = import_files(paths, db=url, today=dt.date(2025, 6, 1))
    elapsed = time.perf_counter() - t0
    rss = peak_rss_mib()
    me, readers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out.put((elapsed, rss, summary.accepted, summary.rejected, sum(f.contributions for f in summary.files),
             me.ru_utime + me.ru_stime, readers.ru_utime + readers.ru_stime, tail[0]))


def next_month_files(paths: list[Path], directory: Path) -> list[Path]:
    """The same files under the next month's names (symbolic links): month 2025-04 of every employer."""
    directory.mkdir(exist_ok=True)
    out = []
    for p in paths:
        q = directory / p.name.replace("0601202503", "0601202504")
        if not q.exists():
            q.symlink_to(p)
        out.append(q)
    return out


def peak_rss_mib() -> float:
    """This process's own peak resident memory (MiB): ``VmHWM`` of its address space. (Linux keeps
    ``ru_maxrss`` across ``exec``, so a spawned child would report its parent's peak.)"""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timed(NamedTuple):
    """One import run in its own process: what it took and what it used."""

    elapsed: float
    rss: float
    accepted: int
    rejected: int
    contributions: int
    cpu_import: float    # the importing process (all its threads)
    cpu_readers: float   # its reading processes
    index_tail: float    # the indexes built after the last chunk (a first load; 0 otherwise), elapsed
    cpu_server: float | None  # PostgreSQL's processes meanwhile (None: SQLite, or no /proc)


def timed_import(url: str, paths: list[Path], pg_pid: int | None = None) -> Timed:
    """*paths* imported into *url* in a spawned process; *pg_pid*: the PostgreSQL server's
    postmaster, whose process tree's CPU is counted meanwhile."""
    from seguro_desempleo.storage.db import upgrade

    upgrade(url)
    q: mp.Queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_run_import, args=(url, [str(p) for p in paths], q))
    server0 = tree_cpu_s(pg_pid)
    proc.start()
    result = q.get()
    proc.join()
    return Timed._make((*result, delta(server0, tree_cpu_s(pg_pid))))


def cpu_line(run: Timed, copy_s: float | None = None, copy_server_s: float | None = None) -> str:
    """Where the run's CPU went, against the cores the machine has (and the bare COPY's server CPU)."""
    parts = [f"the import's process {run.cpu_import:.1f} CPU-s, its readers {run.cpu_readers:.1f}"]
    used = run.cpu_import + run.cpu_readers
    if run.cpu_server is not None:
        used += run.cpu_server
        server = f"PostgreSQL's server {run.cpu_server:.1f} CPU-s"
        if copy_s:   # the server's work alone, against what the 2x target allows the whole import
            server += " ("
            if copy_server_s:
                server += f"{run.cpu_server / copy_server_s:.2f}× the bare COPY's {copy_server_s:.1f}, "
            server += f"{run.cpu_server / copy_s:.2f}× its {copy_s:.1f} s elapsed)"
        parts.insert(0, server)
    cores = os.cpu_count() or 1
    line = (f"  CPU: {'; '.join(parts)}: {used:.1f} CPU-s in {run.elapsed:.1f} s on {cores} cores "
            f"({used / (run.elapsed * cores):.0%} of the machine)")
    if run.index_tail >= 0.05:
        line += f"; the indexes built after the last chunk {run.index_tail:.1f} s"
    if copy_s and run.cpu_server is not None:
        # What a 2x target leaves: 2 x the COPY's elapsed time on every core, less the server's work;
        # while the indexes are built at the end, one backend works and the import waits for it.
        window = 2 * copy_s
        budget = window * cores - run.cpu_server - run.index_tail * (cores - 1)
        line += (f"\n  within 2× the COPY ({window:.1f} s on {cores} cores) the import's own processes could "
                 f"use at most {max(budget, 0):.1f} CPU-s beside the server's work; they used "
                 f"{run.cpu_import + run.cpu_readers:.1f}")
    return line


def copy_baseline(pg_uri: str, paths: list[Path], pg_pid: int | None = None) -> tuple[float, float | None]:
    """A bare COPY of the same rows (RUC, month and the five fields, as text) into a plain table:
    its elapsed time, and the CPU seconds of the server's processes (*pg_pid*'s tree) meanwhile."""
    import psycopg

    buf = io.StringIO()
    for p in paths:
        ruc = p.name[10:21]
        for line in p.read_text().splitlines():
            buf.write(f"{ruc}|2025-03|{line[:-1]}\n")
    data = buf.getvalue().encode()
    with psycopg.connect(pg_uri) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute("CREATE TABLE copy_baseline (ruc text, period text, tipo_doc text, num_doc text, "
                     "concepto text, devengado text, pagado text)")
        conn.commit()
        server0 = tree_cpu_s(pg_pid)
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY copy_baseline FROM STDIN (DELIMITER '|')") as cp:
            cp.write(data)
        conn.commit()
        elapsed = time.perf_counter() - t0
        server = delta(server0, tree_cpu_s(pg_pid))
        conn.execute("DROP TABLE copy_baseline")
        conn.commit()
    return elapsed, server


FLOOR_TABLES = ("worker", "contribution")
"""The tables whose rows dominate a first national month: ~3 million new workers (unique document
index) and ~3 million contribution records (one index since migration 0204)."""


def sqlite_floor(imported: Path, scratch: Path) -> float:
    """The floor of this schema on SQLite: ``executemany`` of the rows the import wrote to
    ``worker`` and ``contribution``, read back, into the same (migrated, empty) tables of another
    database (the contribution index, where the schema has one, built after the rows as a first
    load does). Only the inserts, the index and the commit are timed."""
    import sqlite3

    from seguro_desempleo.storage.db import upgrade

    upgrade(f"sqlite:///{scratch}")
    src = sqlite3.connect(imported)
    dst = sqlite3.connect(scratch)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-131072"):
        dst.execute(f"PRAGMA {pragma}")
    elapsed = 0.0
    # Built after the rows as a first load does — where the schema has it (PostgreSQL's layout; on
    # SQLite since migration 0205 the records are the B-tree of their key and there is no index).
    index = dst.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_contribution_worker_period'").fetchone()
    if index:
        dst.execute("DROP INDEX ix_contribution_worker_period")
    for table in FLOOR_TABLES:
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
        cur = src.execute(f"SELECT {', '.join(cols)} FROM {table}")
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        while rows := cur.fetchmany(200_000):
            t0 = time.perf_counter()
            dst.executemany(sql, rows)
            elapsed += time.perf_counter() - t0
    t0 = time.perf_counter()
    if index:
        dst.execute(index[0])
    dst.commit()
    elapsed += time.perf_counter() - t0
    src.close()
    dst.close()
    return elapsed


def pg_floor(uri: str, database: str) -> float:
    """The floor of this schema on PostgreSQL: ``COPY`` of the rows the import wrote to ``worker``
    and ``contribution`` (copied out first, untimed, in binary) into empty tables of the same
    columns, then their indexes and constraints built, as a first load does."""
    import psycopg

    elapsed = 0.0
    with psycopg.connect(uri.replace("/postgres?", f"/{database}?")) as conn:
        for table in FLOOR_TABLES:
            buf = bytearray()
            with conn.cursor() as cur, cur.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as cp:
                for block in cp:
                    buf += block
            conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS)")
            indexes = [r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", (table,))]
            conn.commit()
            t0 = time.perf_counter()
            with conn.cursor() as cur, cur.copy(f"COPY floor_{table} FROM STDIN (FORMAT binary)") as cp:
                cp.write(bytes(buf))
            for d in indexes:  # "CREATE [UNIQUE] INDEX name ON public.table USING btree (...)"
                conn.execute(d.replace(" INDEX ", " INDEX floor_", 1).replace(f" ON public.{table} ",
                                                                               f" ON public.floor_{table} "))
            conn.commit()
            elapsed += time.perf_counter() - t0
            conn.execute(f"DROP TABLE floor_{table}")
            conn.commit()
    return elapsed


def write_csv(paths: list[Path], target: Path) -> Path:
    """The same rows as one national CSV file (the documented layout), for the single-file path."""
    with target.open("w") as out:
        out.write("ruc,periodo,tipo_doc,num_doc,concepto,devengado,pagado\n")
        for p in paths:
            prefix = f"{p.name[10:21]},2025-03,"
            out.writelines(prefix + line.rstrip("|").replace("|", ",") + "\n" for line in p.read_text().splitlines())
    return target


def generated(directory: Path, lines: int, employers: int, documents: str) -> tuple[list[Path], int, Path]:
    """The month's files and national CSV in *directory*: generated, or reused when a marker says
    they were generated there for the same size and order of documents."""
    marker = directory / f"generated-{lines}-{employers}{'' if documents == 'sorted' else '-' + documents}"
    files_dir = directory / "files"
    csv = directory / "national.csv"
    if marker.exists():
        paths = sorted(files_dir.iterdir())
        return paths, int(marker.read_text()), csv
    shutil.rmtree(files_dir, ignore_errors=True)
    files_dir.mkdir(parents=True)
    for old in directory.glob("generated-*"):
        old.unlink()
    paths, total = generate(files_dir, lines, employers, documents=documents)
    write_csv(paths, csv)
    marker.write_text(str(total))
    return paths, total, csv


def sqlite_baseline(path: Path, paths: list[Path]) -> float:
    """A bare ``executemany`` of the same rows (RUC, month and the five fields, as text) into a plain
    SQLite table in one transaction: what the machine can do at all, for the ratio."""
    import sqlite3

    rows: list[tuple[str, ...]] = []
    for p in paths:
        ruc = p.name[10:21]
        rows.extend((ruc, "2025-03", *line[:-1].split("|")) for line in p.read_text().splitlines())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE baseline (ruc, period, tipo_doc, num_doc, concepto, devengado, pagado)")
    t0 = time.perf_counter()
    conn.executemany("INSERT INTO baseline VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--employers", type=int, default=300_000)
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--layouts", default="rem,csv", help="rem: one PLAME file per employer; csv: one national file")
    ap.add_argument("--next-month", action="store_true",
                    help="after the first month (.rem layout), import the same files again as the next month into "
                         "the same database: every worker known, every table indexed")
    ap.add_argument("--data", type=Path, help="keep the generated files in this directory and reuse them on the next "
                    "run with the same --lines and --employers (generating a national month takes over a minute)")
    ap.add_argument("--documents", choices=("shuffled", "sorted"), default="shuffled",
                    help="shuffled: the workers' DNIs in no order, as in real files (default); sorted: numbered one "
                         "after another across the files, as the bench generated them before 3 December 2026")
    args = ap.parse_args()
    print(f"load average before the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    engines = args.engines.split(",")
    layouts = args.layouts.split(",")
    work = Path(tempfile.mkdtemp(prefix="bench_payroll_"))
    try:
        print(f"compiled fast path (formats.rem_scan) ready in {warm_fast_path():.1f} s (numba compiles it once per "
              "installation and caches it; the imports below load it from the cache)")
        t0 = time.perf_counter()
        paths, total, csv = generated(args.data or work, args.lines, args.employers, args.documents)
        print(f"{total:,} lines in {len(paths):,} files and one CSV, documents {args.documents} "
              f"({time.perf_counter() - t0:.1f} s)")
        inputs = {"rem": paths, "csv": [csv]}
        if "sqlite" in engines:
            base_s = sqlite_baseline(work / "baseline.sqlite3", paths)
            print(f"SQLite bare executemany baseline: {base_s:6.1f} s ({total / base_s:,.0f} rows/s)")
            for layout in layouts:
                run = timed_import(f"sqlite:///{work / f'bench_{layout}.sqlite3'}", inputs[layout])
                el, rss, acc, rej, contrib = run[:5]
                print(f"SQLite     {layout}: {el:6.1f} s ({total / el:,.0f} lines/s), peak RSS {rss:,.0f} MiB, "
                      f"{acc:,} file(s) accepted, {rej} rejected, {contrib:,} contribution records; "
                      f"ratio to the 20 s target {el / 20:.2f}, to the bare insert {el / base_s:.2f}")
                print(cpu_line(run))
                if layout == layouts[0]:
                    floor = sqlite_floor(work / f"bench_{layout}.sqlite3", work / "floor.sqlite3")
                    print(f"SQLite floor: executemany of the {' and '.join(FLOOR_TABLES)} rows, indexes built after, "
                          f"{floor:6.1f} s ({floor / base_s:.2f}× the bare insert); the import is "
                          f"{el / floor:.2f}× that")
                if layout == "rem" and args.next_month:
                    run2 = timed_import(f"sqlite:///{work / f'bench_{layout}.sqlite3'}",
                                        next_month_files(paths, work / "next"))
                    el2, rss2, acc2, _, contrib2 = run2[:5]
                    print(f"SQLite     rem, next month: {el2:6.1f} s ({total / el2:,.0f} lines/s), peak RSS "
                          f"{rss2:,.0f} MiB, {acc2:,} file(s) accepted, {contrib2:,} contribution records; ratio to "
                          f"the 20 s target {el2 / 20:.2f}, to the bare insert {el2 / base_s:.2f}")
                    print(cpu_line(run2))
        if "postgresql" in engines:
            import pgserver

            server = pgserver.get_server(str(work / "pg"), cleanup_mode="delete")
            try:
                uri = str(server.get_uri())
                tune_for_bulk_loads(server, uri)
                pg_pid = pgserver_pid(server)
                copy_s, copy_cpu = copy_baseline(uri, paths, pg_pid)
                print(f"PostgreSQL COPY baseline: {copy_s:6.1f} s ({total / copy_s:,.0f} rows/s)"
                      + (f", {copy_cpu:.1f} s of server CPU" if copy_cpu is not None else ""))
                for layout in layouts:
                    with psycopg_connect(uri) as conn:
                        conn.execute(f"CREATE DATABASE bench_{layout}")
                    url = uri.replace("postgresql://", "postgresql+psycopg://").replace("/postgres?",
                                                                                        f"/bench_{layout}?")
                    run = timed_import(url, inputs[layout], pg_pid)
                    el, rss, acc, rej, contrib = run[:5]
                    print(f"PostgreSQL {layout}: {el:6.1f} s ({total / el:,.0f} lines/s), peak RSS {rss:,.0f} MiB, "
                          f"{acc:,} file(s) accepted, {contrib:,} contribution records; "
                          f"ratio to COPY {el / copy_s:.2f} (target ≤ 2)")
                    print(cpu_line(run, copy_s, copy_cpu))
                    if layout == layouts[0]:
                        floor = pg_floor(uri, f"bench_{layout}")
                        print(f"PostgreSQL floor: COPY of the {' and '.join(FLOOR_TABLES)} rows, indexes built after, "
                              f"{floor:6.1f} s ({floor / copy_s:.2f}× the bare COPY); the import is "
                              f"{el / floor:.2f}× that")
                    if layout == "rem" and args.next_month:
                        run2 = timed_import(url, next_month_files(paths, work / "next"), pg_pid)
                        el2, rss2, acc2, _, contrib2 = run2[:5]
                        print(f"PostgreSQL rem, next month: {el2:6.1f} s ({total / el2:,.0f} lines/s), peak RSS "
                              f"{rss2:,.0f} MiB, {acc2:,} file(s) accepted, {contrib2:,} contribution records; "
                              f"ratio to COPY {el2 / copy_s:.2f}")
                        print(cpu_line(run2, copy_s, copy_cpu))
            finally:
                # The server may still flush its WAL while pgserver removes the directory.
                with contextlib.suppress(OSError):
                    server.cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)


BULK_SETTINGS = {"shared_buffers": "1GB", "max_wal_size": "16GB", "checkpoint_timeout": "1h"}
"""The server settings docs/storage.md recommends for the monthly national import (PostgreSQL's
defaults — 128 MB of shared buffers, a checkpoint every 1 GB of WAL — make a 3-million-row load
with indexes checkpoint several times). The bare COPY baseline runs on the same server."""


def tune_for_bulk_loads(server: Any, uri: str) -> None:
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    with psycopg_connect(uri) as conn:
        for key, value in BULK_SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {key} = '{value}'")
    pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    print("PostgreSQL settings: " + ", ".join(f"{k} = {v}" for k, v in BULK_SETTINGS.items()))


def psycopg_connect(uri: str) -> Any:
    import psycopg

    return psycopg.connect(uri, autocommit=True)


if __name__ == "__main__":
    main()
