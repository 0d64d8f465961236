"""The payroll import's writes and reads, behind the ``PayrollSink`` port (issue 24, decision 0803).

``uow.payroll_sink`` is a :class:`SqlPayrollSink` on the unit of work's connection: what the
import (``services/payroll_import.py``) asked of the database before the move, statement by
statement and in the same order — the chunk writer (:func:`_write_chunk`: files, employers,
workers, declarations with their versions, contribution records), the ids resolved in bulk
(:func:`_resolve`), a first load's index drop/rebuild (``storage/payroll_bulk.py``), the
T-Registro and PLAME-other rows, the pending bajas, the provenance flags, and the one translation
of the drivers' refusals into :class:`~seguro_desempleo.errors.ConflictError` (:func:`conflicts`).
*run* is the import's state (``services.payroll_import._Run``), read and updated here as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl
import psycopg
from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from seguro_desempleo.domain.registry import FOREIGN_DOCUMENTS
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.storage import intake, payroll_bulk, provenance
from seguro_desempleo.storage.employer_sizes import employer_months_charged
from seguro_desempleo.storage.payroll_bulk import (
    _BINARY_HEADER,
    _binary_int4_pairs,
    _binary_rows,
    _copy_frame,
    _empty,
    _marks,
    _next_ids,
    _sequence,
    _stage,
    _timed,
)


@contextlib.contextmanager
def conflicts() -> Iterator[None]:
    """The drivers' refusals of a concurrent import, as one :class:`ConflictError` (nothing imported)."""
    try:
        yield
    except (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError):  # bulk writes use the driver's cursor
        # Two imports of the same employer-month at the same moment: the loser changes nothing.
        raise ConflictError("another import wrote the same declarations at the same time; "
                            "nothing was imported, run the command again") from None
    except (OperationalError, sqlite3.OperationalError) as exc:
        if isinstance(getattr(exc, "orig", None), psycopg.errors.DeadlockDetected):
            raise ConflictError("another transaction held the payroll tables; nothing was imported, "
                                "run the command again") from None
        # SQLite has one writer: a second import (or any write) started meanwhile is refused at once.
        if "database is locked" not in str(getattr(exc, "orig", exc)):
            raise
        raise ConflictError("another import or write holds the SQLite database; nothing was imported, "
                            "run the command again") from None


class SqlPayrollSink:
    """The payroll import's database work on one connection (``uow.payroll_sink``)."""

    PENDING_TERMINATION_MONTHS = intake.PENDING_TERMINATION_MONTHS

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the run ---------------------------------------------------------------------------
    def prepare(self) -> None:
        _create_stage(self.conn)

    def shareable(self) -> bool:
        return _shareable(self.conn)

    def last_declaration_id(self) -> int:
        return intake.last_declaration_id(self.conn)

    def ambiguous_documents(self) -> set[str]:
        return intake.ambiguous_documents(self.conn)

    def start_bulk(self, *, registry_lookups: bool = False) -> dict[str, list[str]]:
        return payroll_bulk._start_bulk(self.conn, registry_lookups=registry_lookups)

    def only_ours(self, bulk: dict[str, list[str]], per_files: bool) -> set[str]:
        return payroll_bulk._only_ours(self.conn, bulk, per_files)

    def preload_keys(self, table: str) -> pl.DataFrame:
        return payroll_bulk._preload_keys(self.conn, table)

    def first_free_id(self, table: str) -> int:
        return payroll_bulk._first_free_id(self.conn, table)

    def claim_ids(self, run: Any) -> None:
        _claim_ids(self.conn, run)

    def end_bulk(self, tables: dict[str, list[str]]) -> None:
        payroll_bulk._end_bulk(self.conn, tables)

    # -- a chunk -----------------------------------------------------------------------------
    def known_hashes(self, hashes: list[str]) -> set[str]:
        return _known_hashes(self.conn, hashes)

    def known_hashes_apart(self, hashes: list[str]) -> set[str]:
        return _known_hashes_apart(self.conn, hashes)

    def record_files(self, files: pl.DataFrame) -> pl.DataFrame:
        return _record_files(self.conn, files)

    def concept_flags(self, rucs: list[str]) -> Any:
        return intake.concept_flags(self.conn, rucs)

    def months_charged(self, rucs: list[str], periods: list[int], params: Any) -> Any:
        return employer_months_charged(self.conn, rucs, periods, params)

    def resolve_in_memory(self, run: Any, table: str, key_columns: tuple[str, ...],
                          keys: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame | None]:
        return _resolve(None, run, table, key_columns, keys, {})

    def write_chunk(self, run: Any, files: pl.DataFrame, units: pl.DataFrame, unit_sums: pl.DataFrame,
                    contrib: pl.DataFrame, new_workers: pl.DataFrame | None = None) -> None:
        _write_chunk(self.conn, run, files, units, unit_sums, contrib, new_workers)

    # -- T-Registro and the other PLAME files ------------------------------------------------
    def keep_country(self, worker_id: int, country: str | None) -> None:
        conn = self.conn
        if country is not None and intake.issuing_country(conn, worker_id) is None:
            conn.execute(intake.worker_document_country.insert().values(worker_id=worker_id, country=country))

    def record_contract(self, employer_id: int, worker_id: int, contract_type: str, today: dt.date) -> None:
        conn, c = self.conn, intake.worker_contract
        conn.execute(delete(c).where(c.c.employer_id == employer_id, c.c.worker_id == worker_id,
                                     c.c.recorded_on == today))
        conn.execute(c.insert().values(employer_id=employer_id, worker_id=worker_id, contract_type=contract_type,
                                       recorded_on=today))
        # the open period's own contract type (T-Registro), when there is one
        intake.set_open_period_contract(conn, employer_id, worker_id, contract_type)

    def replace_month(self, kind: str, employer_id: int, period: int, rows: list[dict[str, Any]]) -> None:
        """The employer's month of ``.snl`` (``suspension_days``) or ``.jor`` (``work_time``) rows."""
        table = intake.suspension_days if kind == "snl" else intake.work_time
        intake.replace_month(self.conn, table, employer_id, period, rows)

    def set_concept_flag(self, employer_id: int, code: str, essalud: bool) -> None:
        intake.set_concept_flag(self.conn, employer_id, code, essalud)

    # -- bajas without a start -------------------------------------------------------------
    def pending_waiting(self) -> bool:
        pend = intake.pending_termination
        return self.conn.execute(select(pend.c.id).where(pend.c.status == "pending").limit(1)).first() is not None

    def employers_declared_after(self, declaration_id: int) -> set[int]:
        return intake.employers_declared_after(self.conn, declaration_id)

    def pending_of(self, employers: set[int]) -> Sequence[Any]:
        pend = intake.pending_termination
        return self.conn.execute(select(pend.c.id, pend.c.employer_id, pend.c.worker_id, pend.c.end_date,
                                        pend.c.cause)
                                 .where(pend.c.status == "pending", pend.c.employer_id.in_(sorted(employers)))
                                 .order_by(pend.c.id)).all()

    def drop_pending(self, rid: int) -> None:
        pend = intake.pending_termination
        self.conn.execute(delete(pend).where(pend.c.id == rid))

    def keep_pending(self, employer_id: int, worker_id: int, end: dt.date, cause: str, today: dt.date) -> None:
        pend, conn = intake.pending_termination, self.conn
        conn.execute(delete(pend).where(pend.c.employer_id == employer_id, pend.c.worker_id == worker_id,
                                        pend.c.end_date == end))
        conn.execute(pend.insert().values(employer_id=employer_id, worker_id=worker_id, end_date=end, cause=cause,
                                          recorded_on=today, status="pending"))

    def close_or_open(self, employer_id: int, worker_id: int, end: dt.date, cause: str) -> str | None:
        return intake.close_or_open_period(self.conn, employer_id, worker_id, end, cause)

    def expire_pending(self, before: dt.date, today: dt.date) -> Any:
        return intake.expire_pending(self.conn, before, today)

    def expired_terminations(self, employer_id: int | None) -> list[dict[str, Any]]:
        return intake.expired_terminations(self.conn, employer_id)

    # -- provenance flags (decision 0413) ------------------------------------------------------
    def new_months_flags(self, declarations_after: int, today: dt.date, *, needed: int, window: int) -> list[Any]:
        return provenance.new_months_flags(self.conn, declarations_after, today, needed=needed, window=window)

    def enqueue_flags(self, flags: Sequence[Any], *, at: str) -> None:
        provenance.enqueue(self.conn, flags, at=at)

    @staticmethod
    def describe_flags(flags: Sequence[Any]) -> str:
        return provenance.describe(flags)


def _shareable(conn: Connection) -> bool:
    """Whether the import's connection may be used by its writer thread: PostgreSQL's, and
    SQLite's on a file (SQLAlchemy opens those for use from any thread; an in-memory database's
    connection belongs to the thread that opened it)."""
    if conn.dialect.name == "postgresql":
        return True
    # An in-memory database (":memory:", or a URI with mode=memory) gets a pool that keeps one
    # connection per thread, or a single one: the writer thread would not share the import's.
    # And only in WAL mode (db.py asks for it; a file system without shared memory refuses it):
    # the parser's reads of known files on a second connection must not wait for the writer.
    return (conn.dialect.name == "sqlite" and not isinstance(conn.engine.pool, SingletonThreadPool | StaticPool)
            and str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower() == "wal")


def _create_stage(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Memory for this transaction's joins, sorts and staging tables (defaults: 4 MB and 8 MB).
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        try:
            with conn.begin_nested():  # refused once the session has used temporary tables
                conn.exec_driver_sql("SET LOCAL temp_buffers = '512MB'")
        except DBAPIError:
            pass


def _known_hashes_apart(conn: Connection, hashes: list[str]) -> set[str]:
    """:func:`_known_hashes` on a second connection, while the writer thread uses the import's.
    It sees the same files: the import holds the lock every import takes on ``import_file`` (no
    other import commits meanwhile), and the files this import has recorded are in ``seen_sha``."""
    return intake.read_apart(conn, lambda other: _known_hashes(other, hashes))


def _known_hashes(conn: Connection, hashes: list[str]) -> set[str]:
    if not hashes:
        return set()
    if conn.dialect.name == "postgresql":  # one array parameter, not thousands of placeholders
        # One text parameter (hex keys joined by commas): psycopg dumps a list element by element.
        rows = conn.exec_driver_sql("SELECT sha256 FROM import_file WHERE sha256 = ANY(string_to_array(%s, ','))",
                                    (",".join(hashes),))
        return {r[0] for r in rows}
    known: set[str] = set()
    for i in range(0, len(hashes), 5000):
        chunk = tuple(hashes[i:i + 5000])
        sql = f"SELECT sha256 FROM import_file WHERE sha256 IN ({', '.join(['?'] * len(chunk))})"
        known.update(r[0] for r in conn.exec_driver_sql(sql, chunk))
    return known


def _record_files(conn: Connection, files: pl.DataFrame) -> pl.DataFrame:
    """The ``import_file`` rows of *files* (``services.payroll_import.FILE_SCHEMA``, in its column
    order), with ids reserved in one block;
    returns ``sha256`` and ``import_file_id``."""
    if not files.height:
        return pl.DataFrame(schema={"sha256": pl.Utf8, "import_file_id": pl.Int64})
    frame = files.select(pl.Series("id", _next_ids(conn, "import_file", files.height)), *files.columns)
    _copy_frame(conn, "import_file", frame)
    return frame.select("sha256", pl.col("id").alias("import_file_id"))


def _write_chunk(conn: Connection, run: Any, files: pl.DataFrame, units: pl.DataFrame, unit_sums: pl.DataFrame,
                 contrib: pl.DataFrame, new_workers: pl.DataFrame | None = None) -> None:
    """Record one chunk's accepted files, write the declarations and contribution records of its
    units (``unit``, ``sha256``, ``ruc``, ``period``, ``round``), and add their dues to the run's
    ledger change.

    Ids are assigned here (see :func:`_resolve`), so each table is written once per chunk, in
    bulk: employers and workers that are new, the declarations with their version and status
    already decided (a later unit of the same employer-month in the chunk supersedes the
    earlier, and the first supersedes the declaration in force, which may be one an earlier
    chunk of this import wrote), and the contribution records.
    """
    file_ids = _record_files(conn, files)
    if not units.height:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    units = (units.join(unit_sums.cast({"unit": pl.Int64}), on="unit", how="left")
             .with_columns(pl.col("workers", "total_due", "employer_due", "cts_due").fill_null(0).cast(pl.Int64))
             .join(file_ids, on="sha256", how="left")
             .sort("unit"))
    units = units.with_columns(
        _resolve(conn, run, "employer", ("ruc",), units.select(pl.col("ruc").alias("key")),
                 {"name": "", "size_source": "declared", "sector": "private", "registered_at": now})[0]
        .alias("employer_id"))
    # The declarations on file for the employer-months of this chunk (none on a first import).
    keys = units.select("employer_id", "period").unique()
    written = run.declared
    if "declaration" in run.bulk and (written is None or not keys.join(written, on=["employer_id", "period"],
                                                                      how="semi").height):
        prior = _prior_declarations(conn, keys.clear())  # a first load, and none written before: no query
    else:
        prior = _prior_declarations(conn, keys)
    units = (units.join(prior, on=["employer_id", "period"], how="left")
             .with_columns(pl.col("last_version").fill_null(0))
             .with_columns((pl.col("last_version") + pl.col("round")).alias("version"),
                           pl.Series("id", _next_ids(conn, "declaration", units.height)))
             .with_columns(pl.col("id").shift(-1).over(["employer_id", "period"], order_by="round")
                           .alias("superseded_by")))
    units = units.with_columns(pl.when(pl.col("superseded_by").is_null()).then(pl.lit("active"))
                               .otherwise(pl.lit("superseded")).alias("status"))
    _timed(_copy_frame, conn, "declaration", units.select(
        "id", "employer_id", "period", "version", "status", "import_file_id", "superseded_by", "workers",
        "total_due", "employer_due", "cts_due"))
    if "declaration" in run.bulk:
        run.declared = keys if written is None else pl.concat([written, keys], rechunk=False)
    # What is superseded: the declarations in force (by the first unit of their employer-month) and
    # the earlier units of this chunk; their dues leave the receivable, the new ones enter it.
    replaced = units.filter(pl.col("prior_id").is_not_null() & (pl.col("round") == 1))
    if replaced.height:  # their payments are reapplied to the new dues after the import (reconcile_months)
        run.rectified.append(replaced.select("employer_id", "period"))
    earlier = units.filter(pl.col("status") == "superseded")
    old_employer = int(replaced["prior_employer_due"].sum() or 0) + int(earlier["employer_due"].sum() or 0)
    old_cts = int(replaced["prior_cts_due"].sum() or 0) + int(earlier["cts_due"].sum() or 0)
    for sha, n in (units.filter(pl.col("prior_id").is_not_null() | (pl.col("round") > 1))
                   .group_by("sha256").len().iter_rows()):
        run.superseded[str(sha)] = run.superseded.get(str(sha), 0) + int(n)
    if replaced.height:
        _supersede(conn, replaced)
    _check_references(conn, run, units)
    unit_frame = units.select("unit", pl.col("id").alias("declaration_id"), "period")
    new_employer = new_cts = 0
    if new_workers is not None:  # resolved by the parser, ahead of this writer
        _timed(_copy_frame, conn, "worker", new_workers)
        _country_unknown(conn, new_workers)
    if contrib.height:
        if "worker_id" not in contrib.columns:
            worker_ids = _resolve(conn, run, "worker", ("doc_type", "doc_number"), contrib.select("key"), {})[0]
            contrib = contrib.with_columns(worker_ids.alias("worker_id")).drop("key")
            del worker_ids
        contrib = (contrib
                   .join(unit_frame, on="unit", how="inner")
                   .select("declaration_id", "worker_id", "period", "insurable_pay", "contribution", "employer_part"))
        new_employer, total = (int(x) for x in contrib.select(pl.col("employer_part").sum(),
                                                               pl.col("contribution").sum()).row(0))
        new_cts = total - new_employer
        _timed(_write_contributions, conn, contrib)
        del contrib
    run.employer_delta += new_employer - old_employer
    run.cts_delta += new_cts - old_cts


def _supersede(conn: Connection, replaced: pl.DataFrame) -> None:
    """The declarations in force that *replaced* (``id``, ``prior_id``) supersedes, marked so."""
    pairs = [(int(new), int(old)) for new, old in replaced.select("id", "prior_id").iter_rows()]
    dbapi: Any = conn.connection.driver_connection
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    with contextlib.closing(dbapi.cursor()) as cur:
        cur.executemany(f"UPDATE declaration SET status = 'superseded', superseded_by = {mark} "
                        f"WHERE id = {mark}", pairs)


def _prior_declarations(conn: Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """For each (employer_id, period) of *keys* on file: the highest version and the declaration in force."""
    schema = {"employer_id": pl.Int64, "period": pl.Int64, "last_version": pl.Int64, "prior_id": pl.Int64,
              "prior_employer_due": pl.Int64, "prior_cts_due": pl.Int64}
    if not keys.height or _empty(conn, "declaration"):
        return pl.DataFrame(schema=schema)
    _stage(conn, "stage_key", "employer_id INTEGER, period INTEGER", keys.select("employer_id", "period"))
    rows = _timed(conn.exec_driver_sql,
                  "SELECT s.employer_id, s.period, max(d.version), "
                  "max(CASE WHEN d.status = 'active' THEN d.id END), "
                  "max(CASE WHEN d.status = 'active' THEN d.employer_due END), "
                  "max(CASE WHEN d.status = 'active' THEN d.cts_due END) "
                  "FROM stage_key s JOIN declaration d ON d.employer_id = s.employer_id AND d.period = s.period "
                  "GROUP BY s.employer_id, s.period").all()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _claim_ids(conn: Connection, run: Any) -> None:
    """Move each sequence past the ids the parser gave (``run.next_id``), as :func:`_next_ids` does."""
    if conn.dialect.name != "postgresql":
        return
    for table, next_id in run.next_id.items():
        seq = _sequence(conn, table)
        conn.exec_driver_sql(f"SELECT setval('{seq}', {next_id}, false)")  # nextval gives next_id


def _resolve(conn: Connection | None, run: Any, table: str, key_columns: tuple[str, ...], keys: pl.DataFrame,
             new_values: dict[str, Any]) -> tuple[pl.Series, pl.DataFrame | None]:
    """The id in *table* of each row of *keys* (one text column ``key``: the natural key's columns
    concatenated, all but the last of fixed width — a worker's is ``doc_type`` (2) + ``doc_number``;
    polars sorts and joins one column many times faster than two).

    Known rows are looked up all at once (the distinct keys go to a staging table and come back
    joined); the missing rows, with *new_values* (constant columns for the other fields), are
    registered with ids from :func:`_next_ids`, in one bulk write. The natural key stays UNIQUE: a
    concurrent import that registers the same row makes one of the two fail whole (``ConflictError``).

    *conn* None: resolve in memory, ahead of the writer (the parser does it for the workers of a
    table it knows whole: ``run.mine`` and ``run.next_id``) — the ids of the missing rows come
    from ``run.next_id`` and their rows are returned for the writer to write; otherwise the rows
    are written here and None is returned with the ids.
    """
    widths = {"doc_type": 2}
    # One sort of the keys gives the distinct ones (the first of each run) and, through the sort's
    # order, each row's place among them: no hash of the keys for unique() and none for the join
    # back (2 of the 4 CPU-seconds a national month spent here).
    key = keys["key"]
    if key.null_count():
        raise RuntimeError(f"{table} keys with nulls")  # a bug, never input: the keys were validated
    order = key.arg_sort().to_numpy()
    ranked = key.gather(order)
    first = (ranked != ranked.shift(1)).fill_null(True)
    group = first.cum_sum().to_numpy().astype(np.int64) - 1  # each sorted row's distinct key
    uniq = pl.DataFrame({"key": ranked.filter(first)}).with_row_index("k")
    del ranked, first
    cols: list[pl.Expr] = []
    pos = 0
    for c in key_columns:
        w = None if c == key_columns[-1] else widths[c]
        cols.append(pl.col("key").str.slice(pos, w).alias(c))
        pos += w or 0
    uniq = uniq.with_columns(*cols)
    found = np.full(uniq.height, -1, dtype=np.int64)
    if conn is None and table not in run.mine:
        raise RuntimeError(f"{table} resolved in memory without knowing it whole")  # a bug, never input
    if table in run.mine:  # every row of the table is in run.known (a first load, or preloaded)
        if table in run.known:
            hit = uniq.select("k", "key").join(run.known[table], on="key", how="inner")
            found[hit["k"].to_numpy()] = hit["id"].to_numpy()
    elif conn is not None and not _empty(conn, table):
        _look_up(conn, table, key_columns, uniq, found)
    missing = np.flatnonzero(found < 0)
    fresh: pl.DataFrame | None = None
    if missing.size:
        if conn is None:  # ahead of the writer: ids from the run's own counter
            start = run.next_id[table]
            run.next_id[table] = start + int(missing.size)
            found[missing] = np.arange(start, start + missing.size, dtype=np.int64)
        else:
            found[missing] = _next_ids(conn, table, int(missing.size))
        fresh = uniq[missing].select(pl.Series("id", found[missing]), *key_columns,
                                     *[pl.lit(v).alias(c) for c, v in new_values.items()])
        if conn is not None:
            _timed(_copy_frame, conn, table, fresh)
            if table == "worker":
                _country_unknown(conn, fresh)
            fresh = None
        if table in run.mine:
            written = uniq[missing].select("key", pl.Series("id", found[missing]))
            run.known[table] = (pl.concat([run.known[table], written], rechunk=False) if table in run.known
                                else written)
    row_ids = np.empty(len(order), dtype=np.int64)
    row_ids[order] = found[group]
    return pl.Series("id", row_ids), fresh


def _look_up(conn: Connection, table: str, key_columns: tuple[str, ...], uniq: pl.DataFrame,
             found: np.ndarray) -> None:
    """The ids on file of *uniq*'s keys (``k``, *key_columns*), written into *found* at ``k``: the
    distinct keys go to a staging table and come back joined (binary ``COPY`` on PostgreSQL)."""
    pg = conn.dialect.name == "postgresql"
    collate = ' COLLATE "C"' if pg else ""  # as the natural keys (migration 0204)
    ddl = ", ".join(["k INTEGER"] + [f"{c} VARCHAR(255){collate}" for c in key_columns])
    _stage(conn, "stage_key", ddl, uniq.select(pl.col("k").cast(pl.Int64), *key_columns))
    on = " AND ".join(f"t.{c} = s.{c}" for c in key_columns)
    ints = "s.k::int4, t.id::int4" if pg else "s.k, t.id"  # the binary read below expects two int4
    query = f"SELECT {ints} FROM stage_key s JOIN {table} t ON {on}"
    dbapi: Any = conn.connection.driver_connection
    if pg:  # millions of pairs: binary COPY read by numpy, no Python tuple per row
        buf = bytearray()
        with dbapi.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as cp:
            for block in cp:
                buf += block
        pairs = _binary_int4_pairs(buf)
        del buf
        found[pairs["k"].astype(np.int64)] = pairs["id"]
        del pairs
    else:
        with contextlib.closing(dbapi.cursor()) as cur:  # plain tuples: numpy reads them at C speed
            cur.execute(query)
            rows = cur.fetchall()
        if rows:
            arr = np.array(rows, dtype=np.int64)
            found[arr[:, 0]] = arr[:, 1]
        del rows


def _country_unknown(conn: Connection, workers: pl.DataFrame) -> None:
    """New workers of PLAME/CSV lines with a 07/24 document: their issuing country is not known
    (``''``, decision 0411) — the column's default is Peru's, right for every other type. A
    handful at most: a national month's are DNIs."""
    ids = workers.filter(pl.col("doc_type").is_in(FOREIGN_DOCUMENTS))["id"].to_list()
    if ids:
        intake.country_not_known(conn, ids)


def _write_contributions(conn: Connection, contrib: pl.DataFrame) -> None:
    """The contribution records: (declaration, worker, month, insurable pay), in worker order (the
    order of their index: a later month's records then walk it once instead of hitting it at
    random). PostgreSQL gets them as a binary ``COPY`` built by numpy (no text formatted or
    parsed), into an empty table (a first load) with the index built after the rows
    (:func:`_start_bulk`); SQLite by packed inserts into the table clustered on
    (worker, month, declaration) (migration 0205), in that order."""
    frame = (contrib.select("declaration_id", "worker_id", "period", "insurable_pay")
             .sort("worker_id", "period", "declaration_id"))
    if frame.select(pl.col("worker_id").is_null().any() | pl.col("declaration_id").is_null().any()).item():
        raise RuntimeError("contribution records without a worker or a declaration")  # a bug, never input
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        types = ("int4", "int4", "int4", "int8")
        with raw.cursor() as cur, cur.copy(f"COPY contribution ({', '.join(frame.columns)}) FROM STDIN "
                                           "(FORMAT binary)") as cp:
            cp.write(_BINARY_HEADER)
            for part in frame.iter_slices(500_000):
                cp.write(_binary_rows(part, types))
            cp.write(b"\xff\xff")
    else:
        _copy_frame(conn, "contribution", frame)


def _check_references(conn: Connection, run: Any, units: pl.DataFrame) -> None:
    """Every new declaration names an employer and an import file that exist: what the dropped
    foreign keys checked row by row, checked for all rows at once (ids come from this import, so
    a failure is a bug, and the import rolls back whole). When the import knows every employer
    (``run.mine``: a first load, or a large run's preloaded keys) the check is made in memory,
    not by a scan of the tables per chunk; the import files are this chunk's own rows."""
    if units.select(pl.col("employer_id").is_null().any() | pl.col("import_file_id").is_null().any()).item():
        raise RuntimeError("declarations without an employer or an import file")
    if "employer" in run.mine:  # every employer row is in run.known; import_file_id: this chunk's rows
        written = run.known["employer"].select(pl.col("id").alias("employer_id"))
        if units.select("employer_id").join(written, on="employer_id", how="anti").height:
            raise RuntimeError("declarations refer to an employer that is not on file")
        return
    first = int(units["id"].min())  # type: ignore[arg-type]
    missing = conn.exec_driver_sql(
        f"SELECT count(*) FROM declaration d WHERE d.id >= {_marks(conn, 1)} AND (NOT EXISTS "
        "(SELECT 1 FROM employer e WHERE e.id = d.employer_id) OR NOT EXISTS "
        "(SELECT 1 FROM import_file i WHERE i.id = d.import_file_id))", (first,)).scalar_one()
    if missing:
        raise RuntimeError(f"{missing} declaration(s) refer to a missing employer or import file")
