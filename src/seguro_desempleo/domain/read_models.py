"""What the pages and the API read that is not an entity: a worker's months by employer, an
employer's months declared and paid, the fund's flows by month, and the age bands the public
figures use (issue 24: the rows come from ``storage/read_models.py``, through ``uow.reads``).

Plain dataclasses with céntimos as ``int``; nothing here reads a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from seguro_desempleo.periods import format_period

# ---------------------------------------------------------------- worker


@dataclass(frozen=True)
class EmployerMonth:
    ruc: str
    name: str
    pay: int          # insurable pay, céntimos
    paid: bool        # the employer paid that month's contributions in full


@dataclass
class MeterMonth:
    period: int
    employers: list[EmployerMonth] = field(default_factory=list)
    counts: bool = False

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def pay(self) -> int:
        return sum(e.pay for e in self.employers)

    @property
    def declared(self) -> bool:
        return bool(self.employers)

    @property
    def paid(self) -> bool:
        return any(e.paid for e in self.employers)


@dataclass(frozen=True)
class Job:
    ruc: str
    name: str
    size_class: str | None
    sector: str
    start: dt.date
    end: dt.date | None
    cause: str | None


# ---------------------------------------------------------------- employer


@dataclass(frozen=True)
class DeclaredMonth:
    period: int
    version: int
    workers: int
    due: int
    employer_due: int
    cts_due: int
    paid: int

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def outstanding(self) -> int:
        return max(self.due - self.paid, 0)


# ---------------------------------------------------------------- dashboard


@dataclass
class MonthFlows:
    period: int
    declared: int = 0            # contributions declared (art. 8)
    collected: int = 0           # employer payments received
    benefits: int = 0            # benefits expense booked
    fund: int = 0                # cash + investments at the end of the month
    reserve_ratio: float | None = None   # fund / benefits + admin costs of the last 12 months (model ratio)

    @property
    def label(self) -> str:
        return format_period(self.period)


AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 120))


def age_band(birth: dt.date | None, at: dt.date) -> str:
    if birth is None:
        return "—"
    age = at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}+" if hi == 120 else f"{lo}-{hi}"
    return "<18"


@dataclass(frozen=True)
class Breakdown:
    dimension: str                      # sex | age_band | region | sector
    rows: list[tuple[str, int | None]]  # (category, count or None when suppressed)
