"""The persistent employment-service adapter and the registration store (issue 24: split out of
:mod:`.claims_repositories`, unchanged).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from seguro_desempleo.employment_service.obligations import (
    Obligation,
    ObligationKind,
    Outcome,
    Placement,
    PlacementSource,
    record_outcome,
)
from seguro_desempleo.errors import ConflictError, NotFoundError
from seguro_desempleo.storage.claims_sql_common import (
    _O,
    _PL,
    _R,
    _dialect,
)
from seguro_desempleo.storage.uow import driver_connection

# --------------------------------------------------------------------------------------------- employment service


def _obligation(r: Any) -> Obligation:
    return Obligation(r.id, r.claim_id, ObligationKind(r.kind), r.due_date, Outcome(r.outcome), r.recorded_on,
                      r.just_cause or "", r.recorded_by or "")


_SCHEDULE_MANY_PG = (
    "INSERT INTO es_obligation (id, claim_id, kind, due_date, outcome, recorded_on, just_cause, recorded_by) "
    "SELECT %s::varchar || '-O' || (n.c + v.i)::text, %s, v.kind, v.due, %s, NULL, '', '' "
    "FROM (SELECT count(*) AS c FROM es_obligation WHERE claim_id = %s) n, "
    "unnest(%s::varchar[], %s::date[]) WITH ORDINALITY AS v(kind, due, i) RETURNING id, kind, due_date")
"""The claim's planned obligations (kinds and due dates, two arrays bound), numbered after its
existing ones (``WITH ORDINALITY``: 1, 2, … in the plan's order), in one statement."""


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
        params = (claim_id, claim_id, Outcome.PENDING.value, claim_id, [kind.value for kind, _ in planned],
                  [due for _, due in planned])
        raw: Any = driver_connection(self.session)
        with raw.cursor() as cur:       # on the driver cursor: one fixed statement, the plan as two arrays
            cur.execute(_SCHEDULE_MANY_PG, params)
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
