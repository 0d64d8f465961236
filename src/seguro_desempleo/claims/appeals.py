"""Appeals against a claim decision: reconsideración and apelación (Ley 27444, TUO D.S. 004-2019-JUS).

- Art. 218.2: both are filed within **15 días perentorios** (business days, art. 145) counted from
  the day after notification, and must be resolved within **30 días** (read as business days,
  as for prior-evaluation procedures, art. 39).
- Art. 219: the reconsideración goes to the same authority and needs new evidence; it is optional.
- Art. 220: the apelación goes to the superior authority; it may follow a reconsideración (counted
  from the notification of the reconsideración's result) or be filed directly.
- Art. 222: once the term has passed the decision is final (acto firme); a late appeal is refused.

Reading: the clock for resolving runs from the filing date; days left are business days. Not
modelled: silencio administrativo negativo after the 30 days (the claimant may then go to court or
to the next instance); the clock just reports the appeal as overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from seguro_desempleo.claims.calendar import DEFAULT_CALENDAR, BusinessCalendar
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.periods import format_date_pe

FILING_DAYS = 15
RESOLUTION_DAYS = 30
ARTICLE_FILING = "Ley 27444 (TUO D.S. 004-2019-JUS), art. 218.2"
ARTICLE_FINAL = "Ley 27444 (TUO D.S. 004-2019-JUS), art. 222"


class AppealKind(StrEnum):
    RECONSIDERATION = "reconsideracion"   # art. 219
    APPEAL = "apelacion"                  # art. 220


class AppealOutcome(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"          # fundado: the decision is reversed
    REJECTED = "rejected"      # infundado: the decision stands
    INADMISSIBLE = "inadmissible"


KIND_LABELS_ES = {AppealKind.RECONSIDERATION: "recurso de reconsideración",
                  AppealKind.APPEAL: "recurso de apelación"}


def parse_kind(text: object) -> AppealKind:
    try:
        return AppealKind(str(text))
    except ValueError:
        raise InputError(f"'{text}' is not an appeal kind (reconsideracion or apelacion)",
                         field="kind") from None


def filing_deadline(notified_on: dt.date, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    """Last day to file: the 15th business day after notification (art. 218.2)."""
    return calendar.add_business_days(notified_on, FILING_DAYS)


def resolution_deadline(filed_on: dt.date, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    """Last day to resolve: the 30th business day after filing (art. 218.2)."""
    return calendar.add_business_days(filed_on, RESOLUTION_DAYS)


@dataclass(frozen=True)
class DeadlineClock:
    due: dt.date
    days_left: int            # business days after today up to the due date; 0 on the due date
    overdue: bool
    days_overdue: int

    def one_line(self) -> str:
        if self.overdue:
            return f"vencido el {format_date_pe(self.due)} ({self.days_overdue} días hábiles de retraso)"
        return f"vence el {format_date_pe(self.due)} ({self.days_left} días hábiles restantes)"

    def to_dict(self) -> dict[str, Any]:
        return {"due": self.due.isoformat(), "days_left": self.days_left, "overdue": self.overdue,
                "days_overdue": self.days_overdue}


def clock(due: dt.date, today: dt.date, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> DeadlineClock:
    """Business days left until *due* as seen on *today*, or how far past it."""
    if today <= due:
        return DeadlineClock(due, calendar.business_days_between(today, due), False, 0)
    return DeadlineClock(due, 0, True, calendar.business_days_between(due, today))


@dataclass(frozen=True)
class Appeal:
    id: str
    claim_id: str
    kind: AppealKind
    notified_on: dt.date         # notification of the act appealed
    filed_on: dt.date
    filing_deadline: dt.date
    resolution_due: dt.date
    outcome: AppealOutcome = AppealOutcome.PENDING
    resolved_on: dt.date | None = None
    grounds: str = ""

    def clock(self, today: dt.date, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> DeadlineClock:
        return clock(self.resolution_due, today, calendar)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "claim_id": self.claim_id, "kind": self.kind.value,
                "notified_on": self.notified_on.isoformat(), "filed_on": self.filed_on.isoformat(),
                "filing_deadline": self.filing_deadline.isoformat(),
                "resolution_due": self.resolution_due.isoformat(), "outcome": self.outcome.value,
                "resolved_on": self.resolved_on.isoformat() if self.resolved_on else None}


def file_appeal(appeal_id: str, claim_id: str, kind: AppealKind, *, notified_on: dt.date,
                filed_on: dt.date, grounds: str = "",
                calendar: BusinessCalendar = DEFAULT_CALENDAR) -> Appeal:
    """An appeal filed in time, with its resolution due date; a late one is refused (art. 222)."""
    if filed_on < notified_on:
        raise InputError(f"filed on {format_date_pe(filed_on)}, before the notification of "
                         f"{format_date_pe(notified_on)}", field="filed_on")
    last = filing_deadline(notified_on, calendar)
    if filed_on > last:
        raise InputError(
            f"out of time: the {KIND_LABELS_ES[kind]} had to be filed by {format_date_pe(last)} "
            f"(15 business days after notification on {format_date_pe(notified_on)}), it was filed on "
            f"{format_date_pe(filed_on)}; the decision is final ({ARTICLE_FINAL})", field="filed_on")
    return Appeal(appeal_id, claim_id, kind, notified_on, filed_on, last,
                  resolution_deadline(filed_on, calendar), grounds=grounds)


def resolve_appeal(appeal: Appeal, outcome: AppealOutcome, resolved_on: dt.date) -> Appeal:
    if appeal.outcome is not AppealOutcome.PENDING:
        raise ConflictError(f"appeal already resolved ({appeal.outcome.value})", where=f"appeal {appeal.id}")
    if outcome is AppealOutcome.PENDING:
        raise InputError("an appeal is resolved with upheld, rejected or inadmissible", field="outcome")
    if resolved_on < appeal.filed_on:
        raise InputError("resolved before it was filed", field="resolved_on")
    return Appeal(appeal.id, appeal.claim_id, appeal.kind, appeal.notified_on, appeal.filed_on,
                  appeal.filing_deadline, appeal.resolution_due, outcome, resolved_on, appeal.grounds)
