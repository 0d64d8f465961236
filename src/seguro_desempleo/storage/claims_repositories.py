"""SQL implementations of the claims ports (:mod:`seguro_desempleo.claims.ports`) over one session.

They work inside the caller's unit of work (:class:`~seguro_desempleo.storage.uow.SqlUnitOfWork`)
and never commit. Concurrency is the database's:

- :class:`SqlClaimRepository` — ``add`` relies on the UNIQUE ``claim.open_worker`` (one open claim
  per worker), ``save`` is ``UPDATE … WHERE id = :id AND version = :expected`` (zero rows →
  :class:`~seguro_desempleo.errors.ConflictError`).
- :class:`SqlPaymentStore` — ``INSERT … ON CONFLICT DO NOTHING`` on the payment key: of two
  concurrent runs the second waits for the first's commit and then inserts nothing.
- :class:`SqlAuditSink` — queues the records and, just before the transaction commits, writes
  them: on PostgreSQL into the audit outbox (no lock), linked into the chain after the commit by
  the sequencer :func:`drain_audit_outbox` under a transaction-level advisory lock; on SQLite (one
  writer at a time) linked to the last record at once. ``seq`` and ``hash`` are unique, so a
  broken lock could never fork the chain silently.
- :class:`SqlEmploymentService` — the persistent :class:`EmploymentServiceAdapter`.

The stores live one per module (issue 24): :mod:`.claims_claim_repository`,
:mod:`.claims_payment_store`, :mod:`.claims_employment`, the shared pieces in
:mod:`.claims_sql_common`; the audit sink and its sequencer stay here, and so do the ``Session``
listeners that write the audit at commit: importing this module installs them, as before. Every
name importers used from here is still importable from here.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.orm import Session

from seguro_desempleo.claims.audit import AuditRecord, build_records, canonical_json, link_texts
from seguro_desempleo.errors import InputError
from seguro_desempleo.storage.claims_claim_repository import SqlClaimRepository
from seguro_desempleo.storage.claims_employment import SqlEmploymentService, SqlRegistrationStore
from seguro_desempleo.storage.claims_payment_store import SqlPaymentStore
from seguro_desempleo.storage.claims_sql_common import (
    _L,
    _OB,
    AUDIT_LOCK_KEY,
    _dialect,
    claim_from_row,
    copy_escape,
    copy_text_lines,
    copy_text_rows,
    fast_json,
)
from seguro_desempleo.storage.uow import driver_connection

__all__ = ["AUDIT_LOCK_KEY", "AuditSequencer", "SqlAuditSink", "SqlClaimRepository", "SqlEmploymentService",
           "SqlPaymentStore", "SqlRegistrationStore", "claim_from_row", "copy_escape", "copy_text_lines",
           "copy_text_rows", "drain_audit_outbox", "fast_json"]


# --------------------------------------------------------------------------------------------- audit


def _record(r: Any) -> AuditRecord:
    return AuditRecord(int(r.seq), r.who, r.at, r.action, r.entity, r.before, r.after, r.prev_hash, r.hash)


_HEAD = ("SELECT seq, who, at, action, entity, before, after, prev_hash, hash FROM audit_log "
         "ORDER BY seq DESC LIMIT 1")
_TAKE = "DELETE FROM audit_outbox RETURNING id, who, at, action, entity, before, after"
_LOCK_HEAD_TAKE = (
    "SELECT pg_advisory_xact_lock(55102022); "
    "SELECT seq, who, at, action, entity, before, after, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1; "
    "DELETE FROM audit_outbox RETURNING id, who, at, action, entity, before, after")
"""The chain's lock (the key is :data:`AUDIT_LOCK_KEY`), :data:`_HEAD` and :data:`_TAKE`: three
statements in one round trip (simple query protocol, so the key is written out, not bound; tested):
in READ COMMITTED each later statement takes its snapshot after the first has the lock, so they
read the true head and every outbox record committed before it."""
_HEAD_TAKE = (
    "SELECT seq, who, at, action, entity, before, after, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1; "
    "DELETE FROM audit_outbox RETURNING id, who, at, action, entity, before, after")
""":data:`_HEAD` and :data:`_TAKE` in one round trip (the lock already held)."""
_INSERT_OUTBOX = ("INSERT INTO audit_outbox (who, at, action, entity, before, after) "
                  "VALUES (%s, %s, %s, %s, %s::json, %s::json)")
_INSERT_OUTBOX_MANY = ("INSERT INTO audit_outbox (who, at, action, entity, before, after) "
                       "SELECT u.who, u.at, u.action, u.entity, u.b::json, u.a::json "
                       "FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::text[], %s::text[]) "
                       "WITH ORDINALITY AS u(who, at, action, entity, b, a, i) ORDER BY u.i")
"""A transaction's several records in one fixed statement, the columns bound as six arrays (in
order: the outbox's ids follow the records' order)."""
_INSERT_LOG = ("INSERT INTO audit_log (seq, who, at, action, entity, before, after, prev_hash, hash) "
               "VALUES (%s, %s, %s, %s, %s, %s::json, %s::json, %s, %s)")

log = logging.getLogger(__name__)


def _json_text(value: Any) -> str:
    return "null" if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"),
                                                   ensure_ascii=False)


def _link(cur: Any, head_row: Any, taken: list[Any], own: list[dict[str, Any]]) -> AuditRecord | None:
    """Link the outbox rows taken (in ``id`` order), then *own*, after the head; insert them.

    Runs under the chain's lock, on a driver cursor of the locking transaction; returns the new head.
    """
    head = AuditRecord(int(head_row[0]), *head_row[1:]) if head_row is not None else None
    items = [{"who": r[1], "when": r[2], "action": r[3], "entity": r[4], "before": r[5], "after": r[6]}
             for r in sorted(taken, key=lambda r: int(r[0]))]
    items.extend(own)
    if not items:
        return head
    recs = build_records(head, items)
    rows = [(r.seq, r.who, r.when, r.action, r.entity, _json_text(r.before), _json_text(r.after), r.prev_hash,
             r.hash) for r in recs]
    if len(rows) == 1:
        cur.execute(_INSERT_LOG, rows[0])
    else:
        cur.executemany(_INSERT_LOG, rows)
    return recs[-1]


def drain_audit_outbox(engine: Engine, *, wait: bool = False, rounds: int = 8) -> int | None:
    """The sequencer: link the committed outbox records into the hash chain, in batches.

    Each round is one transaction on its own pooled connection: the chain's advisory lock, the
    head, ``DELETE … RETURNING`` of every committed outbox row, their chained inserts, commit — so
    a record is either in the outbox or in the chain, never lost, never twice. Without *wait* the
    lock is only tried: if another sequencer holds it, that one looks at the outbox again once it
    has released the lock (rounds repeat until the outbox is empty after the release, or the
    lock is busy), so the last transaction to commit leaves the outbox empty. Returns the records chained, ``None`` if the lock was
    busy at the first try. PostgreSQL only.
    """
    moved = 0
    fairy = engine.raw_connection()
    try:
        conn: Any = fairy.driver_connection
        for _ in range(rounds):
            with conn.cursor() as cur:
                if wait:
                    cur.execute(_LOCK_HEAD_TAKE)
                    cur.nextset()
                else:
                    cur.execute("SELECT pg_try_advisory_xact_lock(%s)", (AUDIT_LOCK_KEY,))
                    got = cur.fetchone()
                    if not (got and got[0]):
                        conn.rollback()
                        return moved if moved else None
                    cur.execute(_HEAD_TAKE)
                head = cur.fetchone()
                cur.nextset()
                taken = cur.fetchall()
                if taken:
                    _link(cur, head, taken, [])
                conn.commit()
                moved += len(taken)
                if wait:
                    break
                # The lock is released now: a transaction that committed records while we held it
                # found the lock busy and left them to us — look once more.
                cur.execute("SELECT EXISTS (SELECT 1 FROM audit_outbox)")
                more = cur.fetchone()
                conn.rollback()
                if not (more and more[0]):
                    break
    except Exception:
        fairy.invalidate()
        raise
    finally:
        fairy.close()
    return moved


class AuditSequencer:
    """The sequencer of one engine in this process. In a server (:attr:`background`), a daemon
    thread that drains the outbox when a transaction has committed records into it
    (:meth:`notify`), so requests do not wait for it.

    Told after each commit; it clears its flag before draining, so a record committed during a
    drain is taken by the next one. The thread ends after a minute without work and is started
    again on demand; at interpreter exit a last drain runs. Records left by a crash wait in the
    outbox, durable, for the next drain (any writer's, or a reader's: reads drain first).
    """

    _by_engine: ClassVar[dict[int, AuditSequencer]] = {}
    _guard: ClassVar[threading.Lock] = threading.Lock()
    IDLE_SECONDS: ClassVar[float] = 60.0
    BATCH_SECONDS: ClassVar[float] = 0.05

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    background: ClassVar[bool] = False
    """Drain in a thread (the API server, :func:`seguro_desempleo.api.app.app_from_env`); otherwise
    the committing thread drains at once if the lock is free (CLI, tests, demo: the chain is up to
    date when ``commit`` returns)."""

    @classmethod
    def notify(cls, engine: Engine) -> None:
        if not cls.background:
            try:
                drain_audit_outbox(engine)
            except Exception as exc:     # committed already: the records wait in the outbox, safe
                log.warning("audit outbox not drained after commit (%s)", type(exc).__name__)
            return
        with cls._guard:
            seq = cls._by_engine.get(id(engine))
            if seq is None or seq.engine is not engine:
                seq = cls._by_engine[id(engine)] = AuditSequencer(engine)
            seq.wake.set()
            if seq.thread is None:
                seq.thread = threading.Thread(target=seq._run, name="audit-sequencer", daemon=True)
                seq.thread.start()

    def _run(self) -> None:
        while True:
            if not self.wake.wait(self.IDLE_SECONDS):
                with AuditSequencer._guard:
                    if not self.wake.is_set():
                        self.thread = None
                        AuditSequencer._by_engine.pop(id(self.engine), None)
                        return
            time.sleep(self.BATCH_SECONDS)      # let a batch gather: one drain transaction for many commits
            self.wake.clear()
            try:
                drain_audit_outbox(self.engine, wait=True)
            except Exception as exc:    # the records wait in the outbox; retried on the next commit
                log.warning("audit sequencer: outbox not drained (%s)", type(exc).__name__)
                time.sleep(0.2)

    @classmethod
    def drain_all(cls) -> None:
        """Drain every engine's outbox now (at interpreter exit)."""
        for seq in list(cls._by_engine.values()):
            with contextlib.suppress(Exception):    # the database may be gone; records stay in the outbox
                drain_audit_outbox(seq.engine, wait=True)


atexit.register(AuditSequencer.drain_all)


def _sinks(session: Session) -> list[SqlAuditSink]:
    got: list[SqlAuditSink] = session.info.get("audit_sinks", [])
    return got


@event.listens_for(Session, "before_commit")
def _audit_before_commit(session: Session) -> None:
    for sink in _sinks(session):
        sink._before_commit()


@event.listens_for(Session, "after_commit")
def _audit_after_commit(session: Session) -> None:
    notify = False
    for sink in _sinks(session):
        notify = sink._after_commit() or notify
    if notify and isinstance(bind := session.get_bind(), Engine):
        AuditSequencer.notify(bind)     # (bound to a connection: the next writer or reader drains)


@event.listens_for(Session, "after_rollback")
def _audit_after_rollback(session: Session) -> None:
    for sink in _sinks(session):
        sink._discard()


class SqlAuditSink:
    """The hash-chained audit log in the caller's transaction.

    :meth:`append` only queues the record; the queue is written just before the transaction
    commits (a ``before_commit`` session event), so a rolled-back transaction leaves no record.

    - **PostgreSQL: the audit outbox.** The queued records are inserted into ``audit_outbox`` with
      the business change, without the chain's lock; after the commit the process's sequencer
      thread (:class:`AuditSequencer`, :func:`drain_audit_outbox`) links them into ``audit_log``
      in batches. Many transactions thus
      commit (and wait for their durable flush) at once, instead of one at a time under the lock.
      Reads of the log (:meth:`records`, :meth:`for_entity`, :meth:`recent`) drain the outbox
      first; a transaction that already holds the lock (:meth:`flush`, :meth:`append_many`) links
      its records itself.
    - **SQLite** (one writer at a time): the records are linked to the head and inserted at commit.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: list[dict[str, Any]] = []
        self._pg = _dialect(session) == "postgresql"
        self._locked = False          # this transaction holds the chain's lock (PostgreSQL)
        self._outboxed = False        # this transaction wrote to the outbox: drain after its commit
        self._prepared = False        # the queue was written for the commit under way
        # Session-class listeners (registered once) find the sinks here: cheaper than three
        # event.listen calls per unit of work.
        session.info.setdefault("audit_sinks", []).append(self)

    def _before_commit(self) -> None:
        if self._prepared:        # already done for this commit (SqlUnitOfWork.commit_async runs it first)
            return
        self._prepared = True
        if self._pg and not self._locked:
            self._to_outbox()
        else:
            self.flush()

    def _after_commit(self) -> bool:
        """True if records went to the outbox (the sequencer is told)."""
        outboxed, self._outboxed, self._locked = self._outboxed, False, False
        self._prepared = False
        return outboxed

    def _discard(self) -> None:
        self._pending.clear()
        self._locked = self._outboxed = self._prepared = False

    def _raw(self) -> Any:
        return driver_connection(self.session)

    def _to_outbox(self) -> None:
        if not self._pending:
            return
        items, self._pending = self._pending, []
        rows: list[Any] = []
        for it in items:
            when = it["when"]
            if when.tzinfo is None:
                raise InputError("audit time must carry a time zone", field="when")
            if not it["who"]:
                raise InputError("audit record needs an actor", field="who")
            rows.append((it["who"], when.isoformat(), it["action"], it["entity"],
                         canonical_json(it["before"]).decode("utf-8"), canonical_json(it["after"]).decode("utf-8")))
        with self._raw().cursor() as cur:       # one fixed statement (the driver prepares it once)
            if len(rows) == 1:
                cur.execute(_INSERT_OUTBOX, rows[0])
            else:                               # one statement, one round trip (measured: executemany's pipeline cost more)
                cur.execute(_INSERT_OUTBOX_MANY, [list(col) for col in zip(*rows, strict=True)])
        self._outboxed = True

    def _lock_head(self) -> AuditRecord | None:
        """Take the chain's lock (until the transaction ends) and link what waits: the committed
        outbox records, then this transaction's queue. Returns the head (PostgreSQL)."""
        items, self._pending = self._pending, []
        with self._raw().cursor() as cur:
            if self._locked:
                cur.execute(_HEAD_TAKE)
            else:
                cur.execute(_LOCK_HEAD_TAKE)
                cur.nextset()
            self._locked = True
            head = cur.fetchone()
            cur.nextset()
            return _link(cur, head, cur.fetchall(), items)

    def _sqlite_head(self) -> AuditRecord | None:
        row = self.session.execute(select(_L).order_by(_L.c.seq.desc()).limit(1)).first()
        return _record(row) if row is not None else None

    def append(self, *, who: str, when: dt.datetime, action: str, entity: str, before: Any,
               after: Any) -> None:
        """Queue a record; it is written at commit (see the class)."""
        self._pending.append({"who": who, "when": when, "action": action, "entity": entity, "before": before,
                              "after": after})

    def flush(self) -> int:
        """Link the queued records into the chain now (under the chain's lock until the transaction
        ends; on PostgreSQL the outbox's committed records first)."""
        if self._pg:
            n = len(self._pending)
            self._lock_head()
            return n
        if not self._pending:
            return 0
        items, self._pending = self._pending, []
        recs = build_records(self._sqlite_head(), items)
        self.session.execute(insert(_L), [
            {"seq": r.seq, "who": r.who, "at": r.when, "action": r.action, "entity": r.entity,
             "before": r.before, "after": r.after, "prev_hash": r.prev_hash, "hash": r.hash} for r in recs])
        return len(recs)

    def _for_read(self) -> None:
        """Before reading the log: everything committed (and this transaction's queue) chained."""
        if not self._pg:
            self.flush()
        elif self._pending or self._locked or not isinstance(bind := self.session.get_bind(), Engine):
            self._lock_head()
        else:       # on its own connection, committed: a read-only request need not keep the lock
            drain_audit_outbox(bind, wait=True)

    def append_many(self, items: list[dict[str, Any]], *, plain: bool = False) -> int:
        """Append many records (each a dict of :meth:`append`'s keyword arguments) at once, now."""
        head = self._lock_head() if self._pg else (self.flush(), self._sqlite_head())[1]
        if not items:
            return 0
        recs = build_records(head, items, plain=plain)
        if self._pg:
            with self._raw().cursor() as cur, cur.copy("COPY audit_log (seq, who, at, action, entity, before, "
                                                       "after, prev_hash, hash) FROM STDIN") as cp:
                for r in recs:
                    cp.write_row((r.seq, r.who, r.when, r.action, r.entity,
                                  "null" if r.before is None else json.dumps(r.before),
                                  "null" if r.after is None else json.dumps(r.after), r.prev_hash, r.hash))
            return len(recs)
        rows = [{"seq": r.seq, "who": r.who, "at": r.when, "action": r.action, "entity": r.entity,
                 "before": r.before, "after": r.after, "prev_hash": r.prev_hash, "hash": r.hash} for r in recs]
        for i in range(0, len(rows), 5000):
            self.session.execute(insert(_L), rows[i:i + 5000])
        return len(rows)

    def append_texts(self, items: list[dict[str, Any]]) -> int:
        """Append many records whose payloads are canonical JSON text, now (see
        :func:`~seguro_desempleo.claims.audit.link_texts`): the bulk run's path."""
        head = self._lock_head() if self._pg else (self.flush(), self._sqlite_head())[1]
        if not items:
            return 0
        rows = link_texts(head, items)
        if self._pg:
            with self._raw().cursor() as cur:
                esc = copy_escape
                copy_text_lines(cur, "COPY audit_log (seq, who, at, action, entity, before, after, prev_hash, hash) "
                                "FROM STDIN", (f"{r[0]}\t{esc(r[1])}\t{esc(r[2])}\t{esc(r[3])}\t{esc(r[4])}\t"
                                               f"{esc(r[5])}\t{esc(r[6])}\t{r[7]}\t{r[8]}" for r in rows))
            return len(rows)
        values = [{"seq": r[0], "who": r[1], "at": r[2], "action": r[3], "entity": r[4], "before": json.loads(r[5]),
                   "after": json.loads(r[6]), "prev_hash": r[7], "hash": r[8]} for r in rows]
        for i in range(0, len(values), 5000):
            self.session.execute(insert(_L), values[i:i + 5000])
        return len(values)

    def records(self, *, after_seq: int = 0, batch: int = 5000) -> Iterator[AuditRecord]:
        """Every record in chain order (for :func:`~seguro_desempleo.claims.audit.verify_chain`)."""
        self._for_read()
        last = after_seq
        while True:
            rows = self.session.execute(select(_L).where(_L.c.seq > last).order_by(_L.c.seq).limit(batch)).all()
            if not rows:
                return
            for r in rows:
                yield _record(r)
            last = int(rows[-1].seq)

    def pending_in_outbox(self) -> int:
        """Committed records not yet chained (0 on SQLite)."""
        if not self._pg:
            return 0
        return int(self.session.execute(select(func.count()).select_from(_OB)).scalar_one())

    def for_entity(self, entity: str, limit: int = 200) -> list[AuditRecord]:
        self._for_read()
        rows = self.session.execute(select(_L).where(_L.c.entity == entity).order_by(_L.c.seq).limit(limit))
        return [_record(r) for r in rows]

    def recent(self, limit: int = 100, offset: int = 0) -> list[AuditRecord]:
        self._for_read()
        rows = self.session.execute(select(_L).order_by(_L.c.seq.desc()).limit(limit).offset(offset))
        return [_record(r) for r in rows]
