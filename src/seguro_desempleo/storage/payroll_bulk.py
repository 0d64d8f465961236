"""The payroll import's bulk SQL (moved from ``services/payroll_import.py``, issue 24, decision 0803).

Statement by statement what the import ran before the move, in the same order: block-reserved ids
(``LOCK TABLE`` and two sequence calls on PostgreSQL, ``max(id) + 1`` on SQLite), ``COPY`` (CSV, or
binary built by numpy) or packed ``executemany`` inserts, temporary staging tables, and a first
load's index and key drop/rebuild (decisions 0101-0110). Table names interpolated into the text are
this module's own constants or the import's fixed table names, never input; every value is bound.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Connection, TextClause, column, func, literal, select
from sqlalchemy import table as table_clause
from sqlalchemy.exc import DBAPIError

from seguro_desempleo.storage import sqlite_bulk

log = logging.getLogger("seguro_desempleo.services.payroll_import")  # the import's timings, as before the move


def _marks(conn: Connection, n: int) -> str:
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    return ", ".join([mark] * n)


def _timed(fn: Callable[..., Any], *args: Any) -> Any:
    """Run one statement or bulk write, logging its duration (DEBUG) — no row data is logged."""
    t0 = time.perf_counter()
    result = fn(*args)
    if log.isEnabledFor(logging.DEBUG):
        what = (args[0] if isinstance(args[0], str | TextClause) else  # a statement, or a bulk write's table
                " ".join([fn.__name__, *(a for a in args[1:2] if isinstance(a, str))]))
        sql = str(what).split(" WHERE")[0][:70]
        log.debug("%.3f s  %s", time.perf_counter() - t0, " ".join(sql.split()))
    return result


def _empty(conn: Connection, table: str) -> bool:
    # a Core construct: the dialect's compiler quotes the table's name (identifiers cannot be bound)
    return conn.execute(select(literal(1)).select_from(table_clause(table)).limit(1)).first() is None


def _max_id_plus_one(conn: Connection, table: str) -> int:
    """``max(id) + 1`` of *table* (1 when empty), as a Core construct."""
    return int(conn.execute(select(func.coalesce(func.max(column("id")), 0))
                            .select_from(table_clause(table))).scalar_one()) + 1


def _stage(conn: Connection, name: str, columns: str, frame: pl.DataFrame) -> None:
    """A temporary table *name* (``columns`` DDL) holding *frame* (dropped at commit on PostgreSQL)."""
    pg = conn.dialect.name == "postgresql"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {'' if pg else 'temp.'}{name}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}){' ON COMMIT DROP' if pg else ''}")
    _copy_frame(conn, name, frame)
    if pg:
        conn.exec_driver_sql(f"ANALYZE {name}")


def _next_ids(conn: Connection, table: str, n: int) -> np.ndarray:
    """*n* fresh primary keys for *table*, reserved as one block.

    On SQLite the import holds the database's write lock (it has written its file records), so
    ``max(id) + 1 …`` are ours. On PostgreSQL the table is locked against other writers (SHARE ROW
    EXCLUSIVE, to the end of the transaction: a concurrent import or registration waits for this
    one to commit) and its sequence is moved past the block in two calls, instead of one ``nextval``
    per row (3 million calls cost seconds).
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if conn.dialect.name == "postgresql":
        seq = _sequence(conn, table)
        conn.exec_driver_sql(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        first = int(conn.exec_driver_sql("SELECT nextval(%s)", (seq,)).scalar_one())
        conn.exec_driver_sql("SELECT setval(%s, %s)", (seq, first + n - 1))
        return np.arange(first, first + n, dtype=np.int64)
    start = _max_id_plus_one(conn, table)
    return np.arange(start, start + n, dtype=np.int64)


def _sequence(conn: Connection, table: str) -> str:
    """The PostgreSQL sequence behind *table*'s id."""
    return str(conn.exec_driver_sql("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).scalar_one())


def _first_free_id(conn: Connection, table: str) -> int:
    """The first id the import may give a new row of *table*, which it knows whole (``run.mine``:
    locked against other writers on PostgreSQL; on SQLite a write by anyone else would make the
    import's first write fail). On PostgreSQL the sequence is moved past the ids used at the end
    (:func:`_claim_ids`)."""
    if conn.dialect.name == "postgresql":
        seq = _sequence(conn, table)
        return int(conn.exec_driver_sql("SELECT nextval(%s)", (seq,)).scalar_one())
    return _max_id_plus_one(conn, table)


def _copy_frame(conn: Connection, table: str, frame: pl.DataFrame, columns: Sequence[str] | None = None) -> None:
    """Every row of *frame* into *table* (its columns in order, or *columns*): ``COPY`` in CSV on
    PostgreSQL; on SQLite one ``INSERT … SELECT`` per slice from the rows packed in a BLOB
    (:mod:`seguro_desempleo.storage.sqlite_bulk`), or ``executemany`` in slices for a frame that
    cannot be packed exactly (bounded memory: a Python tuple costs ~250 bytes)."""
    cols = ", ".join(columns or frame.columns)
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as cp:
            for part in frame.iter_slices(500_000):
                buf = io.BytesIO()
                part.write_csv(buf, include_header=False)
                cp.write(buf.getvalue())
        return
    sql = f"INSERT INTO {table} ({cols}) VALUES ({_marks(conn, frame.width)})"
    dbapi: Any = conn.connection.driver_connection
    cur = dbapi.cursor()
    try:
        if sqlite_bulk.packable(frame):  # the rows packed by numpy, unpacked by SQLite: no tuple per row
            for part in frame.iter_slices(500_000):
                sqlite_bulk.insert(cur, table, part, list(columns) if columns else None)
            return
        for part in frame.iter_slices(200_000):
            cur.executemany(sql, zip(*(part[c].to_list() for c in part.columns), strict=True))
    finally:
        cur.close()


_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
"""PostgreSQL's binary COPY signature, then no flags and no header extension."""

_PAIR = np.dtype([("n", ">i2"), ("lk", ">i4"), ("k", ">i4"), ("li", ">i4"), ("id", ">i4")])


def _binary_int4_pairs(buf: bytearray) -> np.ndarray:
    """The rows of a binary ``COPY … TO STDOUT`` of two non-null ``int4`` columns, read in place
    by numpy; anything else in the buffer (header, field count, lengths, trailer) is refused."""
    body = len(buf) - len(_BINARY_HEADER) - 2
    if (bytes(buf[:len(_BINARY_HEADER)]) != _BINARY_HEADER or bytes(buf[-2:]) != b"\xff\xff"
            or body < 0 or body % _PAIR.itemsize):
        raise RuntimeError("unexpected binary COPY layout")  # a bug, never input
    rows = np.frombuffer(buf, dtype=_PAIR, count=body // _PAIR.itemsize, offset=len(_BINARY_HEADER))
    if rows.size and not ((rows["n"] == 2).all() and (rows["lk"] == 4).all() and (rows["li"] == 4).all()):
        raise RuntimeError("unexpected binary COPY row layout")
    return rows


def _binary_rows(frame: pl.DataFrame, types: Sequence[str]) -> bytes:
    """*frame*'s rows (integer columns, no nulls) in PostgreSQL's binary COPY format: per row the
    field count, then per field its length and its big-endian value — one numpy record array,
    no Python object per row."""
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for i, t in enumerate(types):
        fields += [(f"l{i}", ">i4"), (f"v{i}", ">i8" if t == "int8" else ">i4")]
    rec = np.empty(frame.height, dtype=np.dtype(fields))
    rec["n"] = len(types)
    for i, (col, t) in enumerate(zip(frame.columns, types, strict=True)):
        rec[f"l{i}"] = 8 if t == "int8" else 4
        rec[f"v{i}"] = frame[col].to_numpy()
    return rec.tobytes()


_BULK_INDEXES: dict[str, tuple[tuple[str, str], ...]] = {
    # table: (dialect, or "" for both; the name of an index or unique constraint of its model)
    "import_file": (("postgresql", "uq_import_file_sha256"),),
    "employer": (("postgresql", "uq_employer_ruc"),),
    "declaration": (("postgresql", "uq_declaration_version"), ("", "ix_declaration_employer_period")),
    "worker": (("postgresql", "uq_worker_document"),),
    "contribution": (("postgresql", "ix_contribution_worker_period"),),
}
"""The indexes a first load builds after its rows (dialect or "" for both; the name). Only the
names are here: the definitions are the models' (``storage/models.py``, the same ones the
migrations create; :func:`_bulk_ddl`), so an index changed there is rebuilt as changed. On
PostgreSQL the primary keys are rebuilt too (:func:`_start_bulk` reads them and the foreign keys
that refer to them from the catalogue). On SQLite the primary key is the rowid (no index), the
UNIQUE constraints belong to the table definitions and stay (the import writes new keys in key
order), and the contribution records are themselves the B-tree of their key (migration 0205):
no index to build after them."""


def _bulk_ddl(conn: Connection, table: str, name: str) -> tuple[str, str]:
    """(drop, create) of *table*'s index or unique constraint *name*, compiled for the connection's
    dialect from its definition in the models (``Index``: ``DROP INDEX``/``CREATE INDEX``;
    ``UniqueConstraint``: ``ALTER TABLE … DROP/ADD CONSTRAINT``)."""
    from sqlalchemy import UniqueConstraint
    from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex, ExecutableDDLElement

    from seguro_desempleo.storage.models import Base

    def sql(ddl: ExecutableDDLElement) -> str:
        return str(ddl.compile(dialect=conn.dialect)).strip()

    t = Base.metadata.tables[table]
    for ix in t.indexes:
        if ix.name == name:
            return sql(DropIndex(ix)), sql(CreateIndex(ix))
    for c in t.constraints:
        if isinstance(c, UniqueConstraint) and c.name == name:
            return sql(DropConstraint(c)), sql(AddConstraint(c))
    raise LookupError(f"{table} has no index or unique constraint {name} in its model")  # a bug, never input


def _start_bulk(conn: Connection, *, registry_lookups: bool = False) -> dict[str, list[str]]:
    """A first load: each payroll table that is empty when the import starts has its indexes in
    :data:`_BULK_INDEXES` dropped now and built after its rows by :func:`_end_bulk` — one sort
    per index instead of millions of insertions, as PostgreSQL's "Populating a Database"
    advises. On PostgreSQL its primary key goes too, with the foreign keys of other tables that
    refer to it (3 million workers: 6.6 s to ``COPY`` with the key's index, 2.4 s without; the
    index is then built in about one second), and both are restored with their own names and
    definitions. The DDL is part of the import's transaction: a failure or a kill leaves the
    schema as it was. Returns, for each table concerned, the statements that restore it.

    On PostgreSQL, imports are serialised first (the lock every import takes on ``import_file``).
    Then each empty table, and each table whose foreign key refers to it, is locked against
    readers and writers until the import commits, but only if the locks are free at once
    (``NOWAIT``, in a savepoint): a table someone is reading, or one written meanwhile, is
    imported the ordinary way and its locks released at once — the import never waits for a
    reader, so it cannot deadlock with one. *registry_lookups* (the run has ``.per`` files, which
    look workers and employers up line by line) keeps the worker and employer indexes.
    """
    pg = conn.dialect.name == "postgresql"
    if pg:
        conn.exec_driver_sql("LOCK TABLE import_file IN SHARE ROW EXCLUSIVE MODE")
    tables: dict[str, list[str]] = {}
    for table, steps in _BULK_INDEXES.items():
        mine = [name for dialect, name in steps if dialect in ("", conn.dialect.name)]
        if not mine or (registry_lookups and table in ("worker", "employer")) or not _empty(conn, table):
            continue
        ddl = [_bulk_ddl(conn, table, name) for name in mine]
        drops = [drop for drop, _ in ddl]
        creates = [create for _, create in ddl]
        if not pg:
            for drop in drops:
                conn.exec_driver_sql(drop)
            tables[table] = creates
            continue
        sp = conn.begin_nested()
        try:
            conn.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE NOWAIT")
            if not _empty(conn, table):  # written between the check and the lock: release it
                sp.rollback()
                continue
            keys = _key_constraints(conn, table) if table in _BULK_KEYS else []
            for ref in sorted({r for r, _, _ in keys if r != table}):
                conn.exec_driver_sql(f"LOCK TABLE {ref} IN ACCESS EXCLUSIVE MODE NOWAIT")
            # Foreign keys first (they depend on the primary key); restored after the primary key
            # and the unique constraints (a foreign key may refer to one of those).
            fks = [k for k in keys if k[0] != table or "FOREIGN KEY" in k[2]]
            pk = [k for k in keys if k not in fks]
            for r, name, _ in [*fks, *pk]:
                conn.exec_driver_sql(f"ALTER TABLE {r} DROP CONSTRAINT {name}")
            for drop in drops:
                conn.exec_driver_sql(drop)
        except DBAPIError:  # in use, or a constraint something else depends on: the ordinary way
            sp.rollback()
            continue
        sp.commit()  # releases the savepoint; the locks and the drops stay to the end of the import
        tables[table] = ([f"ALTER TABLE {r} ADD CONSTRAINT {name} {definition}" for r, name, definition in pk]
                         + creates
                         + [f"ALTER TABLE {r} ADD CONSTRAINT {name} {definition}" for r, name, definition in fks])
    return tables


_BULK_KEYS = ("import_file", "employer", "worker")
"""Tables whose primary key a first load on PostgreSQL also drops and rebuilds. Not
``declaration``: a rectification in a later chunk updates an earlier chunk's declaration by id
(without the key, a scan per update; with logical replication, an error: no replica identity)."""


def _only_ours(conn: Connection, bulk: dict[str, list[str]], per_files: bool) -> set[str]:
    """The registry tables (employer, worker) that will hold only this import's rows, so that it
    can find their ids in memory (``run.known``) instead of staging its keys and joining, chunk
    after chunk. On PostgreSQL, those of a first load (locked against everyone until commit). On
    SQLite, those empty now: a write by anyone else before ours would make our first write fail
    (the snapshot this read saw is no longer the latest), and ours then holds the only write lock.
    None when ``.per`` files register workers and employers through the repositories."""
    if per_files:
        return set()
    if conn.dialect.name == "postgresql":
        return {t for t in ("employer", "worker") if t in bulk}
    return {t for t in ("employer", "worker") if _empty(conn, t)}


PRELOAD_SLICE = 4_000_000
"""Ids per text value when :func:`_preload_keys` reads a PostgreSQL table's keys."""


def _preload_keys(conn: Connection, table: str) -> pl.DataFrame:
    """Every natural key of *table* with its id (``key``, ``id``; a worker's key is ``doc_type``
    + ``doc_number``, as :func:`_resolve` builds it), read once for a large run (3 million workers
    in ~1 s on PostgreSQL) instead of staging ~600,000 documents and joining them with the table
    for every chunk (~3.5 s each). The table is locked against other writers first (PostgreSQL: the lock
    :func:`_next_ids` takes anyway when the import registers a new row), so the keys stay exact
    until the import commits; on SQLite a write by anyone else would make the import's first
    write fail (its snapshot would be stale)."""
    key = "doc_type || doc_number" if table == "worker" else "ruc"
    schema = {"key": pl.Utf8, "id": pl.Int64}
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        # Not COPY: psycopg hands a COPY over one row at a time (3 million workers: ~2 s of Python
        # steps). Each slice of ids comes as one text value instead (~1 s for 3 million), of at
        # most PRELOAD_SLICE rows (~20 bytes each, far below PostgreSQL's 1 GB for one value).
        # Keys are validated codes (no tab, no line break); the count checks it all the same.
        lo, hi = conn.exec_driver_sql(f"SELECT min(id), max(id) FROM {table}").one()
        parts = [pl.DataFrame(schema=schema)]
        for start in range(lo or 0, (hi or -1) + 1, PRELOAD_SLICE):
            text_, n = conn.exec_driver_sql(
                f"SELECT string_agg({key} || E'\\t' || id, E'\\n'), count(*) FROM {table} "
                "WHERE id >= %(a)s AND id < %(b)s", {"a": start, "b": start + PRELOAD_SLICE}).one()
            if not n:
                continue
            part = pl.read_csv(text_.encode(), has_header=False, separator="\t", quote_char=None,
                               new_columns=list(schema), schema=schema)
            if part.height != n:
                raise RuntimeError(f"{table}: {n} keys on file, {part.height} read back")
            parts.append(part)
        return pl.concat(parts, rechunk=False)
    dbapi: Any = conn.connection.driver_connection
    with contextlib.closing(dbapi.cursor()) as cur:
        cur.execute(f"SELECT {key}, id FROM {table}")
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _key_constraints(conn: Connection, table: str) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys that refer to *table*, then of its primary
    key (PostgreSQL's catalogue; the names are the migrated schema's)."""
    rows = conn.exec_driver_sql(  # names quoted as SQL needs them; a partition's copy of a key is its parent's
        "SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid), c.contype "
        "FROM pg_constraint c WHERE c.conparentid = 0 AND ((c.confrelid = %(t)s::regclass AND c.contype = 'f') "
        "OR (c.conrelid = %(t)s::regclass AND c.contype = 'p')) "
        "ORDER BY c.contype = 'p', c.conrelid::regclass::text, c.conname", {"t": table}).all()
    return [(str(r), str(n), str(d)) for r, n, d, _ in rows]


def _end_bulk(conn: Connection, tables: dict[str, list[str]]) -> None:
    """Restore what :func:`_start_bulk` dropped: primary keys, then the foreign keys that refer
    to them, then the other indexes (a duplicate key fails here, whole)."""
    for creates in tables.values():
        for create in creates:
            _timed(conn.exec_driver_sql, create)
