"""The SQL of the set-based monthly payment run (``services.claims_app.bulk_run_payments``),
moved here unchanged from the service (issue 24): the month's lock, the claims it reads with
their payees, the workers' latest declared month and employment start, the claims with an
unjustified missed obligation, the installments already paid, and the compare-and-set of the
claims' states (PostgreSQL: ``COPY`` into a staging table and one ``UPDATE`` sent in psycopg's
pipeline mode). Offered as ``uow.payment_run``; the run's arithmetic stays in the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import Integer, Table, bindparam, cast, func, literal_column, select, text, update
from sqlalchemy.orm import Session

from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow, EsObligationRow
from seguro_desempleo.storage.models import ContributionRow, DeclarationRow, EmploymentPeriodRow, WorkerRow
from seguro_desempleo.storage.uow import driver_connection

_T = TypeVar("_T")


class BulkRow(NamedTuple):
    """A claim as the bulk run reads it (with its payee from the registry)."""

    id: str
    worker_ref: str
    state: str
    version: int
    first_period: int | None
    separation_date: dt.date
    reemployment_date: dt.date | None
    suspension_reason: str | None
    benefits: str | None
    doc_type: str | None
    doc_number: str | None
    full_name: str | None


class SqlPaymentRunStore:
    """The bulk run's reads and its state update, in the caller's transaction."""

    def __init__(self, session: Session, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    def lock(self, key: int) -> None:
        """PostgreSQL: the transaction-level advisory lock *key* (one run per month at a time)."""
        if self.dialect == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def claims(self, states: Sequence[str]) -> list[BulkRow]:
        """The claims in *states*, by id, each with the installments' amounts as the stored JSON
        text and the payee's document and name (outer join on the registry)."""
        C: Table = ClaimRow.__table__  # type: ignore[assignment]
        # The installments' amounts in one JSON extraction per claim (the stored decision also holds
        # the trace: every extra path would parse the whole document again).
        W: Table = WorkerRow.__table__  # type: ignore[assignment]
        result = self.session.execute(
            select(C.c.id, C.c.worker_ref, C.c.state, C.c.version, C.c.first_period,
                   C.c.separation_date, C.c.reemployment_date, C.c.suspension_reason,
                   C.c.decision["benefits"].as_string().label("benefits"),
                   W.c.doc_type, W.c.doc_number, W.c.full_name)
            .select_from(C.outerjoin(W, cast(C.c.worker_ref, Integer) == W.c.id))
            .where(C.c.state.in_(list(states)))
            .order_by(C.c.id)).tuples()
        # Plain named tuples (attribute reads in C, not Row lookups), from one fetch of every row.
        return list(map(BulkRow._make, result.all()))

    def latest_by_worker(self, states: Sequence[str]) -> tuple[dict[str, int], dict[str, dt.date]]:
        """Per worker with a claim in *states*: the last month declared with pay, the last employment start."""
        s = self.session
        wid = cast(ClaimRow.worker_ref, Integer)
        claimants = select(wid.label("w")).where(ClaimRow.state.in_(states)).subquery()
        q1 = (select(ContributionRow.worker_id, func.max(ContributionRow.period))
              .join(claimants, claimants.c.w == ContributionRow.worker_id)
              .join(DeclarationRow, DeclarationRow.id == ContributionRow.declaration_id)
              .where(DeclarationRow.status == "active", ContributionRow.insurable_pay > 0)
              .group_by(ContributionRow.worker_id))
        q2 = (select(EmploymentPeriodRow.worker_id, func.max(EmploymentPeriodRow.start_date))
              .join(claimants, claimants.c.w == EmploymentPeriodRow.worker_id)
              .group_by(EmploymentPeriodRow.worker_id))
        # .all(): one fetch of every row (iterating the result fetches them one at a time).
        months = {str(w): int(p) for w, p in s.execute(q1).all()}
        starts = {str(w): d for w, d in s.execute(q2).all()}
        return months, starts

    def unjustified(self) -> set[str]:
        """The claims with an obligation not complied with and no just cause."""
        return {str(c) for c in self.session.execute(
            select(EsObligationRow.claim_id).where(EsObligationRow.outcome == "not_complied",
                                                   EsObligationRow.just_cause == "").distinct()).scalars()}

    def mark_paid(self, states: Sequence[str], index: dict[str, int], paid: npt.NDArray[np.bool_]) -> None:
        """Set ``paid[row, number - 1]`` for every installment already paid to a claim in *states*
        whose id is in *index* (claim id → row), numbers 1 to ``paid.shape[1]``."""
        s = self.session
        k = paid.shape[1]
        C: Table = ClaimRow.__table__  # type: ignore[assignment]
        P: Table = BenefitPaymentRow.__table__  # type: ignore[assignment]
        # Installments already paid, as one bit mask per claim (one row per claim, not per payment).
        if self.dialect == "postgresql":
            mask = func.bit_or(literal_column("1").op("<<")(P.c.number - 1))
            got_rows: list[int] = []
            got_bits: list[int] = []
            for cid, bits in s.execute(select(P.c.claim_id, mask).join(C, C.c.id == P.c.claim_id)
                                       .where(C.c.state.in_(list(states)), P.c.number.between(1, k))
                                       .group_by(P.c.claim_id)).all():
                row_i = index.get(cid)
                if row_i is not None:
                    got_rows.append(row_i)
                    got_bits.append(int(bits))
            if got_rows:
                bits_arr = np.array(got_bits, dtype=np.int64)[:, None] >> np.arange(k, dtype=np.int64)
                paid[np.array(got_rows, dtype=np.int64)] |= (bits_arr & 1).astype(np.bool_)
            return
        for cid, number in s.execute(select(P.c.claim_id, P.c.number).join(C, C.c.id == P.c.claim_id)
                                     .where(C.c.state.in_(list(states)))).all():
            row_i = index.get(cid)
            if row_i is not None and 1 <= number <= k:
                paid[row_i, number - 1] = True

    def update_states(self, updates: list[dict[str, Any]], meanwhile: Callable[[], _T]) -> tuple[int, _T]:
        """Compare-and-set many claims' states; returns how many matched their version, and what
        *meanwhile* returned.

        *meanwhile* is Python work that needs no database: on PostgreSQL it runs while the server
        executes the ``UPDATE`` (sent in psycopg's pipeline mode, its row count read after), so the
        two cores work at once; elsewhere it runs after the update. It must not use the session.
        """
        s = self.session
        if self.dialect == "postgresql":
            s.execute(text("CREATE TEMP TABLE IF NOT EXISTS stage_claim_state (id varchar(24), v integer, "
                           "state varchar(12), new integer, open_worker varchar(24)) ON COMMIT DROP"))
            s.execute(text("TRUNCATE stage_claim_state"))
            from seguro_desempleo.storage.claims_repositories import copy_text_rows

            raw: Any = driver_connection(s)
            with raw.cursor() as cur:
                copy_text_rows(cur, "COPY stage_claim_state (id, v, state, new, open_worker) FROM STDIN",
                               ((u["b_id"], u["b_v"], u["b_state"], u["b_new"], u["b_open"]) for u in updates))
            with raw.pipeline() as pipeline, raw.cursor() as cur:
                cur.execute("UPDATE claim SET state = t.state, version = t.new, open_worker = t.open_worker "
                            "FROM stage_claim_state t WHERE claim.id = t.id AND claim.version = t.v")
                out = meanwhile()
                pipeline.sync()
                return int(cur.rowcount), out
        C: Table = ClaimRow.__table__  # type: ignore[assignment]
        stmt = (update(C).where(C.c.id == bindparam("b_id"), C.c.version == bindparam("b_v"))
                .values(state=bindparam("b_state"), version=bindparam("b_new"), open_worker=bindparam("b_open")))
        res2 = s.connection().execute(stmt, updates)
        changed = len(updates) if res2.rowcount is None or res2.rowcount < 0 else int(res2.rowcount)
        return changed, meanwhile()
