"""Job-search obligations, their outcomes, and when non-compliance suspends payment.

The bill (art. 7 and the third final provision) links the benefit with the employment service
and leaves the details to the regulation. This module follows the list in peru_facts.md — a
reasonable default, not the law:

- ``registration``: registration with the Centro de Empleo or Empleos Perú (art. 7 requires
  reporting the contingency to the employment service);
- ``counselling``: a job-search counselling session (Asesoría para la Búsqueda de Empleo);
- ``training_referral``: a referral to training (Impulsa Perú, Jóvenes Productivos …).

Rule (:func:`suspensions`): an obligation recorded as **not complied without a just cause** (a
code of ``just_causes.csv``) suspends payment from its due date; the suspension ends on the date
the worker complies with a later obligation of the same kind (the rescheduled session). A missed
obligation with a valid just cause suspends nothing. Pending obligations never suspend: only an
officer's (or the adapter's) recorded outcome does.

Reading: an installment is withheld for every calendar month with at least one day under
suspension (:func:`suspended_periods`); compliance resumes payment from the following month.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.periods import format_date_pe, period_of

ARTICLE = "PL 5510/2022-CR, art. 7 y tercera disposición complementaria final"


class ObligationKind(StrEnum):
    REGISTRATION = "registration"
    COUNSELLING = "counselling"
    TRAINING_REFERRAL = "training_referral"


KIND_LABELS_ES = {
    ObligationKind.REGISTRATION: "inscripción en el Centro de Empleo o Empleos Perú",
    ObligationKind.COUNSELLING: "sesión de asesoría para la búsqueda de empleo",
    ObligationKind.TRAINING_REFERRAL: "derivación a capacitación",
}


class Outcome(StrEnum):
    PENDING = "pending"
    COMPLIED = "complied"
    NOT_COMPLIED = "not_complied"


@dataclass(frozen=True)
class JustCause:
    code: str
    description_es: str
    evidence: str


@lru_cache(maxsize=1)
def just_causes() -> dict[str, JustCause]:
    """The coded just causes for non-compliance (``just_causes.csv``, shipped with the package)."""
    text = resources.files(__package__).joinpath("just_causes.csv").read_text(encoding="utf-8")
    return {row["code"]: JustCause(row["code"], row["description_es"], row["evidence"])
            for row in csv.DictReader(text.splitlines())}


@dataclass(frozen=True)
class Obligation:
    id: str
    claim_id: str
    kind: ObligationKind
    due_date: dt.date
    outcome: Outcome = Outcome.PENDING
    recorded_on: dt.date | None = None
    just_cause: str = ""              # a code of just_causes(), only with NOT_COMPLIED
    recorded_by: str = ""             # officer id or "adapter:<name>"

    @property
    def unjustified(self) -> bool:
        return self.outcome is Outcome.NOT_COMPLIED and not self.just_cause

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "claim_id": self.claim_id, "kind": self.kind.value,
                "due_date": self.due_date.isoformat(), "outcome": self.outcome.value,
                "recorded_on": self.recorded_on.isoformat() if self.recorded_on else None,
                "just_cause": self.just_cause or None, "recorded_by": self.recorded_by}


def parse_kind(text: object) -> ObligationKind:
    try:
        return ObligationKind(str(text))
    except ValueError:
        names = ", ".join(k.value for k in ObligationKind)
        raise InputError(f"'{text}' is not an obligation kind (one of {names})", field="kind") from None


def record_outcome(ob: Obligation, outcome: Outcome, recorded_on: dt.date, *, just_cause: str = "",
                   recorded_by: str = "") -> Obligation:
    """The obligation with its outcome; refuses unknown just causes and a second outcome."""
    where = f"obligation {ob.id}"
    if ob.outcome is not Outcome.PENDING:
        raise ConflictError(f"outcome already recorded ({ob.outcome.value})", where=where)
    if outcome is Outcome.PENDING:
        raise InputError("record complied or not_complied", field="outcome", where=where)
    if just_cause:
        if outcome is not Outcome.NOT_COMPLIED:
            raise InputError("a just cause goes only with not_complied", field="just_cause", where=where)
        if just_cause not in just_causes():
            raise InputError(f"'{just_cause}' is not a coded just cause (JC01–JC{len(just_causes()):02d})",
                             field="just_cause", where=where)
    return replace(ob, outcome=outcome, recorded_on=recorded_on, just_cause=just_cause, recorded_by=recorded_by)


@dataclass(frozen=True)
class Suspension:
    start: dt.date
    end: dt.date | None            # the day compliance was recorded (payable again from then); None: open
    obligation_id: str
    kind: ObligationKind

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def reason_es(self) -> str:
        return (f"Incumplimiento injustificado de la {KIND_LABELS_ES[self.kind]} del "
                f"{format_date_pe(self.start)} ({ARTICLE})")


def _compliance_date(ob: Obligation) -> dt.date:
    return ob.recorded_on or ob.due_date


def suspensions(obligations: Iterable[Obligation]) -> list[Suspension]:
    """Every suspension the records imply, in order of start (pure; any order of records)."""
    obs = sorted(obligations, key=lambda o: (o.due_date, o.id))
    out = []
    for ob in obs:
        if not ob.unjustified:
            continue
        cured = [_compliance_date(o) for o in obs
                 if o.kind is ob.kind and o.outcome is Outcome.COMPLIED and o.due_date >= ob.due_date
                 and o.id != ob.id and _compliance_date(o) >= ob.due_date]
        out.append(Suspension(ob.due_date, min(cured) if cured else None, ob.id, ob.kind))
    return out


def suspended_on(obligations: Iterable[Obligation], day: dt.date) -> Suspension | None:
    """The suspension in force on *day*, if any (the earliest one when several overlap)."""
    return next((s for s in suspensions(obligations) if s.covers(day)), None)


def suspended_periods(obligations: Iterable[Obligation], up_to: dt.date) -> set[int]:
    """Month indices with at least one day under suspension, up to *up_to*."""
    months: set[int] = set()
    for s in suspensions(obligations):
        last = (s.end - dt.timedelta(days=1)) if s.end is not None else up_to
        if last < s.start:
            continue
        months.update(range(period_of(s.start), period_of(min(last, up_to)) + 1))
    return months


def overdue(obligations: Iterable[Obligation], today: dt.date) -> list[Obligation]:
    """Pending obligations past their due date: for the officer's worklist (they suspend nothing)."""
    return [o for o in obligations if o.outcome is Outcome.PENDING and o.due_date < today]


# --------------------------------------------------------------------------------------------
# Placements (re-employment through the service or otherwise)


class PlacementSource(StrEnum):
    EMPLOYMENT_SERVICE = "employment_service"   # placed through the Bolsa de Trabajo / Empleos Perú
    PAYROLL = "payroll"                         # seen in a new employer's PLAME / T-Registro
    SELF_REPORTED = "self_reported"


@dataclass(frozen=True)
class Placement:
    claim_id: str
    start_date: dt.date
    employer_ruc: str
    source: PlacementSource

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "start_date": self.start_date.isoformat(),
                "employer_ruc": self.employer_ruc, "source": self.source.value}


@dataclass(frozen=True)
class PlacementSummary:
    claims: int
    placed: int
    placed_by_service: int
    placed_within: int            # placed within the horizon (months) after the claim date

    @property
    def rate(self) -> float:      # a model ratio for the board, not money
        return self.placed / self.claims if self.claims else 0.0


def placement_summary(claim_dates: dict[str, dt.date], placements: Iterable[Placement], *,
                      horizon_months: int = 6) -> PlacementSummary:
    """Re-employment of claimants: how many were placed, through the service, and how fast."""
    first: dict[str, Placement] = {}
    for p in placements:
        if p.claim_id in claim_dates and (p.claim_id not in first or p.start_date < first[p.claim_id].start_date):
            first[p.claim_id] = p
    within = sum(1 for cid, p in first.items()
                 if period_of(p.start_date) - period_of(claim_dates[cid]) <= horizon_months)
    by_service = sum(1 for p in first.values() if p.source is PlacementSource.EMPLOYMENT_SERVICE)
    return PlacementSummary(len(claim_dates), len(first), by_service, within)
