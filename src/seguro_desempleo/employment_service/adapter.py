"""The interface to the employment service, and a local in-memory implementation.

A real adapter would talk to the Centro de Empleo / Empleos Perú systems of the Ministerio de
Trabajo; the insurance only needs what this Protocol names. Workers are identified by the claim
id (an opaque reference): the adapter, not this code, maps it to the person, so no DNI travels
through the insurance's logs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Protocol, runtime_checkable

from seguro_desempleo.employment_service.obligations import (
    Obligation,
    ObligationKind,
    Outcome,
    Placement,
    record_outcome,
)
from seguro_desempleo.errors import NotFoundError


@runtime_checkable
class EmploymentServiceAdapter(Protocol):
    def schedule(self, claim_id: str, kind: ObligationKind, due_date: dt.date) -> Obligation:
        """Create an obligation (registration, counselling session, training referral)."""
        ...

    def record_outcome(self, obligation_id: str, outcome: Outcome, recorded_on: dt.date, *,
                       just_cause: str = "", recorded_by: str = "") -> Obligation:
        """An officer's (or the service's) outcome for one obligation."""
        ...

    def obligations(self, claim_id: str) -> list[Obligation]: ...

    def outcomes_since(self, since: dt.date) -> list[Obligation]:
        """Outcomes recorded on or after *since* (what a nightly sync pulls)."""
        ...

    def record_placement(self, placement: Placement) -> None: ...

    def placements(self, claim_id: str | None = None) -> list[Placement]: ...


class InMemoryEmploymentService:
    """Local implementation: obligations and placements in dictionaries (tests, the demo)."""

    def __init__(self, prefix: str = "OB") -> None:
        self._prefix = prefix
        self._ids = itertools.count(1)
        self._obligations: dict[str, Obligation] = {}
        self._placements: list[Placement] = []

    def schedule(self, claim_id: str, kind: ObligationKind, due_date: dt.date) -> Obligation:
        ob = Obligation(f"{self._prefix}-{next(self._ids):06d}", claim_id, kind, due_date)
        self._obligations[ob.id] = ob
        return ob

    def record_outcome(self, obligation_id: str, outcome: Outcome, recorded_on: dt.date, *,
                       just_cause: str = "", recorded_by: str = "") -> Obligation:
        ob = self._obligations.get(obligation_id)
        if ob is None:
            raise NotFoundError(f"no obligation '{obligation_id}'", field="obligation_id")
        new = record_outcome(ob, outcome, recorded_on, just_cause=just_cause, recorded_by=recorded_by)
        self._obligations[ob.id] = new
        return new

    def obligations(self, claim_id: str) -> list[Obligation]:
        return sorted((o for o in self._obligations.values() if o.claim_id == claim_id),
                      key=lambda o: (o.due_date, o.id))

    def outcomes_since(self, since: dt.date) -> list[Obligation]:
        return sorted((o for o in self._obligations.values()
                       if o.recorded_on is not None and o.recorded_on >= since),
                      key=lambda o: (o.recorded_on or since, o.id))

    def record_placement(self, placement: Placement) -> None:
        self._placements.append(placement)

    def placements(self, claim_id: str | None = None) -> list[Placement]:
        return [p for p in self._placements if claim_id is None or p.claim_id == claim_id]
