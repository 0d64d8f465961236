"""The default obligations scheduled when a claim is approved.

The bill leaves the content of the link with the employment service to the regulation (third
final provision). This default, easy to replace, is:

- a job-search counselling session (Asesoría para la Búsqueda de Empleo) in each benefit month,
  due on the 10th business day of the month;
- one training referral, due 20 business days after the approval;
- registration with the Centro de Empleo / Empleos Perú is checked at the decision (art. 7), so it
  is scheduled only when the worker was not yet registered, due 5 business days after approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from seguro_desempleo.claims.calendar import DEFAULT_CALENDAR, BusinessCalendar
from seguro_desempleo.employment_service.obligations import ObligationKind
from seguro_desempleo.periods import first_day

COUNSELLING_BUSINESS_DAY = 10
TRAINING_AFTER_DAYS = 20
REGISTRATION_AFTER_DAYS = 5


@dataclass(frozen=True)
class PlannedObligation:
    kind: ObligationKind
    due_date: dt.date


def obligation_plan(approved_on: dt.date, first_period: int, months: int, *, registered: bool = True,
                    calendar: BusinessCalendar = DEFAULT_CALENDAR) -> list[PlannedObligation]:
    """Obligations for a claim approved on *approved_on* whose benefit months start at *first_period*."""
    out = []
    if not registered:
        out.append(PlannedObligation(ObligationKind.REGISTRATION,
                                     calendar.add_business_days(approved_on, REGISTRATION_AFTER_DAYS)))
    for k in range(months):
        start = first_day(first_period + k) - dt.timedelta(days=1)
        due = calendar.add_business_days(start, COUNSELLING_BUSINESS_DAY)
        if due > approved_on:
            out.append(PlannedObligation(ObligationKind.COUNSELLING, due))
    out.append(PlannedObligation(ObligationKind.TRAINING_REFERRAL,
                                 calendar.add_business_days(approved_on, TRAINING_AFTER_DAYS)))
    return sorted(out, key=lambda p: (p.due_date, p.kind.value))
