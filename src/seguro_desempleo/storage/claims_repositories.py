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
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Engine, Table, delete, event, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seguro_desempleo.claims.appeals import Appeal, AppealKind, AppealOutcome
from seguro_desempleo.claims.audit import AuditRecord, build_records, canonical_json, link_texts
from seguro_desempleo.claims.decision import StoredDecision
from seguro_desempleo.claims.ports import Claim, SuspensionReason
from seguro_desempleo.claims.state import OPEN_STATES, ClaimState, ClaimStatus
from seguro_desempleo.employment_service.obligations import (
    Obligation,
    ObligationKind,
    Outcome,
    Placement,
    PlacementSource,
    record_outcome,
)
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.payments.schedule import Payment
from seguro_desempleo.storage.claims_models import (
    AuditLogRow,
    AuditOutboxRow,
    BenefitPaymentRow,
    ClaimAppealRow,
    ClaimRow,
    EsObligationRow,
    EsPlacementRow,
    EsRegistrationRow,
)
from seguro_desempleo.storage.uow import driver_connection

AUDIT_LOCK_KEY = 5510_2022
"""pg_advisory_xact_lock key that serialises appends to the audit chain."""

_C: Table = ClaimRow.__table__  # type: ignore[assignment]
_A: Table = ClaimAppealRow.__table__  # type: ignore[assignment]
_P: Table = BenefitPaymentRow.__table__  # type: ignore[assignment]
_L: Table = AuditLogRow.__table__  # type: ignore[assignment]
_OB: Table = AuditOutboxRow.__table__  # type: ignore[assignment]
_O: Table = EsObligationRow.__table__  # type: ignore[assignment]
_PL: Table = EsPlacementRow.__table__  # type: ignore[assignment]
_R: Table = EsRegistrationRow.__table__  # type: ignore[assignment]


_CREATE_OPEN_PG = (
    "WITH n AS (SELECT nextval('claim_number_seq') AS n) "
    "INSERT INTO claim (id, worker_ref, filed_on, separation_date, state, version, open_worker) "
    "SELECT 'C-' || CASE WHEN n.n < 1000000 THEN lpad(n.n::text, 6, '0') ELSE n.n::text END, "
    "%s, %s, %s, %s, %s, %s FROM n "
    "WHERE NOT EXISTS (SELECT 1 FROM claim WHERE worker_ref = %s AND separation_date = %s) "
    "ON CONFLICT DO NOTHING RETURNING id")
_CLAIM_COLUMNS = ("id, worker_ref, filed_on, separation_date, state, version, decided_on, first_period, "
                  "reemployment_date, suspension_reason, decision, open_worker")
_GET_CLAIM = f"SELECT {_CLAIM_COLUMNS} FROM claim WHERE id = %s"
_SAVE_CLAIM = ("UPDATE claim SET worker_ref = %s, filed_on = %s, separation_date = %s, state = %s, version = %s, "
               "decided_on = %s, first_period = %s, reemployment_date = %s, suspension_reason = %s, "
               "decision = %s::json, open_worker = %s WHERE id = %s AND version = %s")


_orjson: Any
try:
    import orjson as _orjson
except ImportError:             # optional: the standard library's encoder does the same, slower
    _orjson = None


def fast_json(value: Any) -> str:
    """Compact JSON text of a JSON-ready value (orjson when installed: the 13 KB decision with its
    trace in a tenth of the time); anything orjson refuses goes through :func:`json.dumps`."""
    if _orjson is not None:
        try:
            return str(_orjson.dumps(value).decode("utf-8"))
        except TypeError:
            pass
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value: str) -> str:
    """A str as a COPY text-format field (backslash, tab, newline and carriage return escaped)."""
    return value if value.isprintable() and "\\" not in value else value.translate(_COPY_ESCAPES)


def copy_text_lines(cur: Any, statement: str, lines: Iterable[str], *, chunk: int = 20_000) -> None:
    """``COPY … FROM STDIN`` of lines already in COPY text format (fields escaped with
    :func:`copy_escape`, tab-separated), written in large blocks: far less Python per row than
    psycopg's ``write_row``."""
    with cur.copy(statement) as cp:
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= chunk:
                cp.write(("\n".join(block) + "\n").encode("utf-8"))
                block = []
        if block:
            cp.write(("\n".join(block) + "\n").encode("utf-8"))


def copy_text_rows(cur: Any, statement: str, rows: Iterable[tuple[Any, ...]], *, chunk: int = 20_000) -> None:
    """:func:`copy_text_lines` of tuples: str (escaped), int, date, or None (``\\N``)."""
    copy_text_lines(cur, statement, ("\t".join(["\\N" if v is None else copy_escape(v) if isinstance(v, str)
                                                else str(v) for v in row]) for row in rows), chunk=chunk)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --------------------------------------------------------------------------------------------- claims


def claim_from_row(r: Any) -> Claim:
    state = ClaimState(r.state)
    return Claim(
        id=r.id, worker_ref=r.worker_ref, filed_on=r.filed_on, separation_date=r.separation_date,
        status=ClaimStatus(r.id, state, r.version),
        decision=StoredDecision.from_dict(r.decision) if r.decision else None,
        decided_on=r.decided_on, first_period=r.first_period, reemployment_date=r.reemployment_date,
        suspension_reason=SuspensionReason(r.suspension_reason) if r.suspension_reason else None)


def _claim_values(c: Claim) -> dict[str, Any]:
    return {"worker_ref": c.worker_ref, "filed_on": c.filed_on, "separation_date": c.separation_date,
            "state": c.state.value, "version": c.version, "decided_on": c.decided_on,
            "first_period": c.first_period, "reemployment_date": c.reemployment_date,
            "suspension_reason": c.suspension_reason.value if c.suspension_reason else None,
            "decision": c.decision.to_dict() if c.decision else None,
            "open_worker": c.worker_ref if c.state in OPEN_STATES else None}


def _appeal_from_row(r: Any) -> Appeal:
    return Appeal(r.id, r.claim_id, AppealKind(r.kind), r.notified_on, r.filed_on, r.filing_deadline,
                  r.resolution_due, AppealOutcome(r.outcome), r.resolved_on, r.grounds or "")


def _appeal_values(a: Appeal) -> dict[str, Any]:
    return {"claim_id": a.claim_id, "kind": a.kind.value, "notified_on": a.notified_on, "filed_on": a.filed_on,
            "filing_deadline": a.filing_deadline, "resolution_due": a.resolution_due,
            "outcome": a.outcome.value, "resolved_on": a.resolved_on, "grounds": a.grounds}


class SqlClaimRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = _dialect(session)

    def next_id(self) -> str:
        if _dialect(self.session) == "postgresql":
            n = int(self.session.execute(text("SELECT nextval('claim_number_seq')")).scalar_one())
        else:
            last = self.session.execute(select(func.max(_C.c.id))).scalar()
            n = int(last.split("-", 1)[1]) + 1 if last else 1
        return f"C-{n:06d}"

    def add(self, claim: Claim) -> None:
        # No savepoint (a round trip each way): the service checks for an open claim first, so a
        # unique violation here means a concurrent filing won; the transaction is lost anyway.
        try:
            self.session.execute(insert(_C).values(id=claim.id, **_claim_values(claim)))
        except IntegrityError:
            raise ConflictError("the worker already has an open claim (filed meanwhile), the contingency "
                                "already has a claim, or the claim id is taken; one open claim per worker, "
                                "una solicitud por contingencia", where=f"claim {claim.id}") from None

    def create_open(self, worker_ref: str, filed_on: dt.date, separation_date: dt.date) -> Claim | None:
        """A new filed claim in one statement on PostgreSQL (number, insert, one-open-claim check).

        ``INSERT … ON CONFLICT (open_worker) DO NOTHING RETURNING``: the UNIQUE ``open_worker``
        still decides (a concurrent filing waits for the other's commit); ``None`` when the worker
        already has an open claim. PostgreSQL only; the service uses :meth:`next_id` and
        :meth:`add` elsewhere.
        """
        status = ClaimStatus("")
        with self._raw().cursor() as cur:        # a fixed statement on the driver cursor
            cur.execute(_CREATE_OPEN_PG, (worker_ref, filed_on, separation_date, status.state.value, status.version,
                                          worker_ref, worker_ref, separation_date))
            row = cur.fetchone()
        if row is None:
            return None
        cid = str(row[0])
        return Claim(cid, worker_ref, filed_on, separation_date, ClaimStatus(cid))

    def _raw(self) -> Any:
        return driver_connection(self.session)

    def get(self, claim_id: str) -> Claim:
        if self.dialect == "postgresql":       # the hot path: a fixed statement on the driver cursor
            with self._raw().cursor(row_factory=namedtuple_row) as cur:
                cur.execute(_GET_CLAIM, (claim_id,))
                row = cur.fetchone()
        else:
            row = self.session.execute(select(_C).where(_C.c.id == claim_id)).first()
        if row is None:
            raise NotFoundError(f"no claim '{claim_id}'", field="claim_id")
        return claim_from_row(row)

    def open_claim_for(self, worker_ref: str) -> Claim | None:
        row = self.session.execute(select(_C).where(_C.c.open_worker == worker_ref)).first()
        return claim_from_row(row) if row is not None else None

    def month_reviews(self, worker_ref: str) -> dict[int, str]:
        """period → status of the worker's flagged months (review queue)."""
        from seguro_desempleo.storage.money_safety import reviews_of

        return reviews_of(self.session, int(worker_ref))

    def flag_months(self, worker_ref: str, flags: list[tuple[int, int, str]], *, at: str) -> int:
        from seguro_desempleo.storage.money_safety import flag_months

        return flag_months(self.session, int(worker_ref), flags, at=at)

    def request_approval(self, claim_id: str, *, total: int, reasons: str, maker: str, at: str) -> None:
        from seguro_desempleo.storage.money_safety import request_approval

        request_approval(self.session, claim_id, total=total, reasons=reasons, maker=maker, at=at)

    def check_award(self, claim_id: str, approve: bool, *, checker: str, at: str) -> dict[str, Any]:
        from seguro_desempleo.storage.money_safety import check_award

        return check_award(self.session, claim_id, approve, checker=checker, at=at)

    def held_claims(self) -> set[str]:
        """Claims whose award awaits a second staff member (maker-checker)."""
        from seguro_desempleo.storage.money_safety import held_claims

        return held_claims(self.session)

    def claim_for_contingency(self, worker_ref: str, separation_date: dt.date) -> Claim | None:
        """The claim of the contingency (worker, separation), any state; a claim not denied first."""
        row = self.session.execute(select(_C).where(_C.c.worker_ref == worker_ref,
                                                    _C.c.separation_date == separation_date)
                                   .order_by((_C.c.state == ClaimState.DENIED.value), _C.c.id).limit(1)).first()
        return claim_from_row(row) if row is not None else None

    def save(self, claim: Claim, *, expected_version: int) -> None:
        try:
            if self.dialect == "postgresql":
                rowcount = self._save_pg(claim, expected_version)
            else:
                res = self.session.execute(update(_C).where(_C.c.id == claim.id, _C.c.version == expected_version)
                                           .values(**_claim_values(claim)))
                rowcount = res.rowcount   # type: ignore[attr-defined]
        except IntegrityError:
            raise ConflictError("the worker already has another open claim; one open claim per worker",
                                where=f"claim {claim.id}") from None
        if rowcount != 1:
            stored = self.get(claim.id)
            raise ConflictError(f"claim changed meanwhile (version {stored.version}, expected "
                                f"{expected_version}); reload it and try again", where=f"claim {claim.id}")

    def _save_pg(self, claim: Claim, expected_version: int) -> int:
        """The compare-and-set ``UPDATE`` as one fixed statement on the driver cursor, the decision
        as compact JSON text (its trace included): no statement building per call."""
        v = _claim_values(claim)
        decision = None if v["decision"] is None else fast_json(v["decision"])
        try:
            with self._raw().cursor() as cur:
                cur.execute(_SAVE_CLAIM, (v["worker_ref"], v["filed_on"], v["separation_date"], v["state"],
                                          v["version"], v["decided_on"], v["first_period"], v["reemployment_date"],
                                          v["suspension_reason"], decision, v["open_worker"], claim.id,
                                          expected_version))
                return int(cur.rowcount)
        except psycopg.errors.UniqueViolation as exc:
            raise IntegrityError(_SAVE_CLAIM, None, exc) from exc

    def in_states(self, states: Iterable[ClaimState]) -> list[Claim]:
        wanted = [s.value for s in states]
        rows = self.session.execute(select(_C).where(_C.c.state.in_(wanted)).order_by(_C.c.id))
        return [claim_from_row(r) for r in rows]

    def search(self, *, worker_ref: str | None = None, state: ClaimState | None = None,
             worker_refs: Iterable[str] | None = None, limit: int = 100, offset: int = 0,
             filed_from: dt.date | None = None, filed_before: dt.date | None = None) -> list[Claim]:
        q = select(_C).order_by(_C.c.id).limit(limit).offset(offset)
        if filed_from is not None:
            q = q.where(_C.c.filed_on >= filed_from)
        if filed_before is not None:
            q = q.where(_C.c.filed_on < filed_before)
        if worker_ref is not None:
            q = q.where(_C.c.worker_ref == worker_ref)
        if worker_refs is not None:
            q = q.where(_C.c.worker_ref.in_(list(worker_refs)))
        if state is not None:
            q = q.where(_C.c.state == state.value)
        return [claim_from_row(r) for r in self.session.execute(q)]

    def count_by_state(self) -> dict[str, int]:
        rows = self.session.execute(select(_C.c.state, func.count()).group_by(_C.c.state))
        return {str(s): int(n) for s, n in rows}

    def add_appeal(self, appeal: Appeal) -> None:
        try:
            with self.session.begin_nested():
                self.session.execute(insert(_A).values(id=appeal.id, **_appeal_values(appeal)))
        except IntegrityError:
            raise ConflictError(f"appeal {appeal.id} already exists", where=f"claim {appeal.claim_id}") from None

    def get_appeal(self, appeal_id: str) -> Appeal:
        row = self.session.execute(select(_A).where(_A.c.id == appeal_id)).first()
        if row is None:
            raise NotFoundError(f"no appeal '{appeal_id}'", field="appeal_id")
        return _appeal_from_row(row)

    def save_appeal(self, appeal: Appeal) -> None:
        res = self.session.execute(update(_A).where(_A.c.id == appeal.id).values(**_appeal_values(appeal)))
        if res.rowcount != 1:   # type: ignore[attr-defined]
            raise NotFoundError(f"no appeal '{appeal.id}'", field="appeal_id")

    def appeals_for(self, claim_id: str) -> list[Appeal]:
        rows = self.session.execute(select(_A).where(_A.c.claim_id == claim_id).order_by(_A.c.filed_on, _A.c.id))
        return [_appeal_from_row(r) for r in rows]

    def appeals(self, *, pending_only: bool = False, limit: int = 100, offset: int = 0) -> list[Appeal]:
        q = select(_A).order_by(_A.c.id).limit(limit).offset(offset)
        if pending_only:
            q = q.where(_A.c.outcome == AppealOutcome.PENDING.value)
        return [_appeal_from_row(r) for r in self.session.execute(q)]


# --------------------------------------------------------------------------------------------- payments


def _payment(r: Any) -> Payment:
    return Payment(r.key, r.claim_id, r.number, r.period, r.amount, r.paid_on)


class SqlPaymentStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self) -> Any:
        if _dialect(self.session) == "postgresql":
            return postgresql.insert(_P).on_conflict_do_nothing(index_elements=["key"])
        return sqlite.insert(_P).on_conflict_do_nothing(index_elements=["key"])

    def record(self, payment: Payment) -> bool:
        res = self.session.execute(self._insert().values(
            key=payment.key, claim_id=payment.claim_id, number=payment.number, period=payment.period,
            amount=payment.amount, paid_on=payment.paid_on).returning(_P.c.key))
        return res.first() is not None

    def record_many(self, payments: list[Payment]) -> set[str]:
        """Bulk :meth:`record`; the keys actually inserted (the others were paid already)."""
        if not payments:
            return set()
        if _dialect(self.session) == "postgresql":
            return self._record_many_pg(payments)
        rows = [{"key": p.key, "claim_id": p.claim_id, "number": p.number, "period": p.period,
                 "amount": p.amount, "paid_on": p.paid_on} for p in payments]
        # executemany with RETURNING: SQLAlchemy batches it as multi-row VALUES ("insertmanyvalues").
        res = self.session.execute(self._insert().returning(_P.c.key), rows)
        return {str(k) for k in res.scalars()}

    def _record_many_pg(self, payments: list[Payment]) -> set[str]:
        """COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING."""
        self.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS stage_benefit_payment "
                                  "(LIKE benefit_payment INCLUDING DEFAULTS) ON COMMIT DROP"))
        self.session.execute(text("TRUNCATE stage_benefit_payment"))
        raw: Any = driver_connection(self.session)
        cols = ("key", "claim_id", "number", "period", "amount", "paid_on")
        with raw.cursor() as cur:
            esc = copy_escape
            copy_text_lines(cur, f"COPY stage_benefit_payment ({', '.join(cols)}) FROM STDIN",
                            (f"{esc(p.key)}\t{esc(p.claim_id)}\t{int(p.number)}\t{int(p.period)}\t"
                             f"{int(p.amount)}\t{p.paid_on.isoformat()}" for p in payments))
            cur.execute("INSERT INTO benefit_payment (key, claim_id, number, period, amount, paid_on) "
                        "SELECT key, claim_id, number, period, amount, paid_on FROM stage_benefit_payment "
                        "ON CONFLICT (key) DO NOTHING RETURNING key")
            return {k for (k,) in cur.fetchall()}

    def payments(self, claim_id: str) -> list[Payment]:
        rows = self.session.execute(select(_P).where(_P.c.claim_id == claim_id).order_by(_P.c.number))
        return [_payment(r) for r in rows]

    def remove(self, key: str) -> None:
        self.session.execute(delete(_P).where(_P.c.key == key))

    def search(self, *, claim_ids: Iterable[str] | None = None, period: int | None = None,
             limit: int = 100, offset: int = 0) -> list[Payment]:
        q = select(_P).order_by(_P.c.claim_id, _P.c.number).limit(limit).offset(offset)
        if claim_ids is not None:
            q = q.where(_P.c.claim_id.in_(list(claim_ids)))
        if period is not None:
            q = q.where(_P.c.period == period)
        return [_payment(r) for r in self.session.execute(q)]

    def totals(self) -> tuple[int, int]:
        n, total = self.session.execute(select(func.count(), func.coalesce(func.sum(_P.c.amount), 0))
                                        .select_from(_P)).one()
        return int(n), int(total)


# --------------------------------------------------------------------------------------------- audit


def _record(r: Any) -> AuditRecord:
    return AuditRecord(int(r.seq), r.who, r.at, r.action, r.entity, r.before, r.after, r.prev_hash, r.hash)


_HEAD = ("SELECT seq, who, at, action, entity, before, after, prev_hash, hash FROM audit_log "
         "ORDER BY seq DESC LIMIT 1")
_TAKE = "DELETE FROM audit_outbox RETURNING id, who, at, action, entity, before, after"
_LOCK_HEAD_TAKE = f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY}); {_HEAD}; {_TAKE}"
"""Three statements in one round trip (simple query protocol): in READ COMMITTED each later
statement takes its snapshot after the first has the lock, so they read the true head and every
outbox record committed before it."""
_HEAD_TAKE = f"{_HEAD}; {_TAKE}"
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
            rows.extend((it["who"], when.isoformat(), it["action"], it["entity"],
                         canonical_json(it["before"]).decode("utf-8"), canonical_json(it["after"]).decode("utf-8")))
        values = ", ".join(["(%s, %s, %s, %s, %s::json, %s::json)"] * len(items))
        with self._raw().cursor() as cur:
            cur.execute(f"INSERT INTO audit_outbox (who, at, action, entity, before, after) VALUES {values}", rows)
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


# --------------------------------------------------------------------------------------------- employment service


def _obligation(r: Any) -> Obligation:
    return Obligation(r.id, r.claim_id, ObligationKind(r.kind), r.due_date, Outcome(r.outcome), r.recorded_on,
                      r.just_cause or "", r.recorded_by or "")


class SqlEmploymentService:
    """The local employment-service adapter, persistent: obligations ``<claim>-O<n>``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._counts: dict[str, int] = {}

    def schedule(self, claim_id: str, kind: ObligationKind, due_date: dt.date) -> Obligation:
        # Numbers are per claim; the claim's version check serialises writers of one claim, and the
        # count is read once per unit of work.
        n = self._counts.get(claim_id)
        if n is None:
            n = int(self.session.execute(select(func.count()).select_from(_O).where(_O.c.claim_id == claim_id))
                    .scalar_one())
        self._counts[claim_id] = n + 1
        ob = Obligation(f"{claim_id}-O{n + 1}", claim_id, kind, due_date)
        self.session.execute(insert(_O).values(id=ob.id, claim_id=claim_id, kind=kind.value, due_date=due_date,
                                               outcome=ob.outcome.value, recorded_on=None, just_cause="",
                                               recorded_by=""))
        return ob

    def schedule_many(self, claim_id: str, planned: list[tuple[ObligationKind, dt.date]]) -> list[Obligation]:
        """Several obligations of one claim in one INSERT (the plan scheduled on approval)."""
        if not planned:
            return []
        n = self._counts.get(claim_id)
        if n is None and _dialect(self.session) == "postgresql":
            return self._schedule_many_pg(claim_id, planned)
        if n is None:
            n = int(self.session.execute(select(func.count()).select_from(_O).where(_O.c.claim_id == claim_id))
                    .scalar_one())
        obs = [Obligation(f"{claim_id}-O{n + i + 1}", claim_id, kind, due) for i, (kind, due) in enumerate(planned)]
        self._counts[claim_id] = n + len(obs)
        self.session.execute(insert(_O).values([
            {"id": o.id, "claim_id": claim_id, "kind": o.kind.value, "due_date": o.due_date,
             "outcome": o.outcome.value, "recorded_on": None, "just_cause": "", "recorded_by": ""} for o in obs]))
        return obs

    def _schedule_many_pg(self, claim_id: str, planned: list[tuple[ObligationKind, dt.date]]) -> list[Obligation]:
        """Count and insert in one statement (numbers follow the claim's existing obligations)."""
        values = ", ".join(f"({i + 1}, %s::varchar, %s::date)" for i in range(len(planned)))
        params: list[Any] = [claim_id, claim_id, Outcome.PENDING.value, claim_id]
        for kind, due in planned:
            params.extend((kind.value, due))
        raw: Any = driver_connection(self.session)
        with raw.cursor() as cur:       # on the driver cursor: no statement built per call
            cur.execute(
                "INSERT INTO es_obligation (id, claim_id, kind, due_date, outcome, recorded_on, just_cause, "
                "recorded_by) SELECT %s::varchar || '-O' || (n.c + v.i)::text, %s, v.kind, v.due, %s, NULL, '', '' "
                "FROM (SELECT count(*) AS c FROM es_obligation WHERE claim_id = %s) n, "
                f"(VALUES {values}) AS v(i, kind, due) RETURNING id, kind, due_date", params)
            rows = cur.fetchall()
        obs = sorted((Obligation(str(r[0]), claim_id, ObligationKind(r[1]), r[2]) for r in rows),
                     key=lambda o: int(o.id.rsplit("-O", 1)[1]))
        self._counts[claim_id] = int(obs[-1].id.rsplit("-O", 1)[1])
        return obs

    def get(self, obligation_id: str) -> Obligation:
        row = self.session.execute(select(_O).where(_O.c.id == obligation_id)).first()
        if row is None:
            raise NotFoundError(f"no obligation '{obligation_id}'", field="obligation_id")
        return _obligation(row)

    def record_outcome(self, obligation_id: str, outcome: Outcome, recorded_on: dt.date, *,
                       just_cause: str = "", recorded_by: str = "") -> Obligation:
        ob = self.get(obligation_id)
        new = record_outcome(ob, outcome, recorded_on, just_cause=just_cause, recorded_by=recorded_by)
        res = self.session.execute(update(_O).where(_O.c.id == ob.id, _O.c.outcome == Outcome.PENDING.value)
                                   .values(outcome=new.outcome.value, recorded_on=recorded_on,
                                           just_cause=new.just_cause, recorded_by=new.recorded_by))
        if res.rowcount != 1:   # type: ignore[attr-defined]
            raise ConflictError("outcome recorded meanwhile by someone else", where=f"obligation {ob.id}")
        return new

    def obligations(self, claim_id: str) -> list[Obligation]:
        rows = self.session.execute(select(_O).where(_O.c.claim_id == claim_id).order_by(_O.c.due_date, _O.c.id))
        return [_obligation(r) for r in rows]

    def outcomes_since(self, since: dt.date) -> list[Obligation]:
        rows = self.session.execute(select(_O).where(_O.c.recorded_on >= since)
                                    .order_by(_O.c.recorded_on, _O.c.id))
        return [_obligation(r) for r in rows]

    def overdue(self, today: dt.date, limit: int = 200) -> list[Obligation]:
        rows = self.session.execute(select(_O).where(_O.c.outcome == Outcome.PENDING.value, _O.c.due_date < today)
                                    .order_by(_O.c.due_date, _O.c.id).limit(limit))
        return [_obligation(r) for r in rows]

    def record_placement(self, placement: Placement) -> None:
        self.session.execute(insert(_PL).values(claim_id=placement.claim_id, start_date=placement.start_date,
                                                employer_ruc=placement.employer_ruc,
                                                source=placement.source.value))

    def placements(self, claim_id: str | None = None) -> list[Placement]:
        q = select(_PL).order_by(_PL.c.id)
        if claim_id is not None:
            q = q.where(_PL.c.claim_id == claim_id)
        return [Placement(r.claim_id, r.start_date, r.employer_ruc, PlacementSource(r.source))
                for r in self.session.execute(q)]


class SqlRegistrationStore:
    """Registrations with the employment service (art. 7), one row each; ``worker_id`` is the
    registry's worker id. A worker counts as registered on a date when a registration dated on or
    before it exists."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, worker_id: int, registered_on: dt.date, channel: str, reference: str, recorded_by: str,
            created_at: str) -> dict[str, Any]:
        res = self.session.execute(insert(_R).values(
            worker_id=worker_id, registered_on=registered_on, channel=channel, reference=reference,
            recorded_by=recorded_by, created_at=created_at).returning(_R.c.id))
        rid = int(res.scalar_one())
        return {"id": rid, "worker_id": worker_id, "registered_on": registered_on.isoformat(), "channel": channel,
                "reference": reference, "recorded_by": recorded_by, "created_at": created_at}

    def of_worker(self, worker_id: int) -> list[dict[str, Any]]:
        rows = self.session.execute(select(_R).where(_R.c.worker_id == worker_id)
                                    .order_by(_R.c.registered_on, _R.c.id)).mappings().all()
        return [{"id": r["id"], "worker_id": r["worker_id"], "registered_on": r["registered_on"].isoformat(),
                 "channel": r["channel"], "reference": r["reference"], "recorded_by": r["recorded_by"],
                 "created_at": r["created_at"]} for r in rows]

    def registered_on_or_before(self, worker_id: int, on: dt.date) -> bool:
        q = select(_R.c.id).where(_R.c.worker_id == worker_id, _R.c.registered_on <= on).limit(1)
        return self.session.execute(q).first() is not None
