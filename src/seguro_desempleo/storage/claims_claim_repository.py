"""The SQL claim repository (issue 24: split out of :mod:`.claims_repositories`, unchanged).

See :mod:`.claims_repositories` for the concurrency each store relies on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seguro_desempleo.claims.appeals import Appeal, AppealOutcome
from seguro_desempleo.claims.ports import Claim
from seguro_desempleo.claims.state import ClaimState, ClaimStatus
from seguro_desempleo.errors import ConflictError, NotFoundError
from seguro_desempleo.storage.claims_sql_common import (
    _A,
    _C,
    _CREATE_OPEN_PG,
    _GET_CLAIM,
    _SAVE_CLAIM,
    _appeal_from_row,
    _appeal_values,
    _claim_values,
    _dialect,
    claim_from_row,
    fast_json,
)
from seguro_desempleo.storage.uow import driver_connection


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
