"""The one date policy at the boundary (issue 25, decision 0304).

Every date that enters the claims side of the system — a claim's date, a decision's date, a
payment run's date and period, a registration with the employment service, a re-employment — lies
in the window

    insurance start  ≤  date  ≤  today + FUTURE_TOLERANCE_DAYS

*insurance start* is the first day on which every parameter of the law has a value (the latest
of the parameters' first effective dates: 01/01/2021 for the base set, ``requirements.*``): no
benefit can be computed before it, so no event of the insurance can be dated before it. *today*
is the machine's date (not a test's pinned audit clock). The tolerance (:data:`FUTURE_TOLERANCE_DAYS`)
lets staff prepare the next month's run or date a decision for the next working day; it is not a
way to pay in advance: a run's period may not be after the month of its date (:func:`check_run`).

A year-9999 date, a year-1 date, never reaches storage: the service refuses it with a one-line
reason naming the field (422), before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from seguro_desempleo.errors import InputError
from seguro_desempleo.periods import format_date_pe, format_period, period_of


class ParameterSet(Protocol):
    """What the policy needs of the law's parameters (the domain never imports ``parameters/``):
    the first day on which all of them are in force, as
    :meth:`seguro_desempleo.parameters.ParameterSet.in_force_from` gives it."""

    def in_force_from(self) -> dt.date: ...

FUTURE_TOLERANCE_DAYS = 31
"""How far past today an event may be dated (one month: a run prepared ahead of payday)."""

today: Callable[[], dt.date] = dt.date.today
"""The machine's date (a module attribute so a test can pin it)."""

_START_CACHE: dict[int, dt.date] = {}


def insurance_start(params: ParameterSet) -> dt.date:
    """The first day on which every parameter of *params* is in force."""
    key = id(params)
    found = _START_CACHE.get(key)
    if found is None:
        found = params.in_force_from()
        if len(_START_CACHE) > 64:
            _START_CACHE.clear()
        _START_CACHE[key] = found
    return found


def latest_allowed(on: dt.date | None = None) -> dt.date:
    return (on or today()) + dt.timedelta(days=FUTURE_TOLERANCE_DAYS)


def check_date(value: dt.date, params: ParameterSet, *, field: str) -> dt.date:
    """*value* if it lies in the window of the module's docstring; otherwise :class:`InputError`."""
    if not isinstance(value, dt.date):
        raise InputError("a date is required", field=field)
    start = insurance_start(params)
    if value < start:
        raise InputError(f"fecha {format_date_pe(value)} anterior al inicio del seguro "
                         f"({format_date_pe(start)})", field=field)
    if value > latest_allowed():
        raise InputError(f"fecha {format_date_pe(value)} en el futuro (se admite hasta "
                         f"{format_date_pe(latest_allowed())})", field=field)
    return value


def check_run(period: int, on: dt.date, params: ParameterSet) -> None:
    """A payment run: its date in the window, and its period not after the month of its date
    (a run for 2030-12 dated today would pay every remaining installment in advance)."""
    check_date(on, params, field="date")
    if period > period_of(on):
        raise InputError(f"el periodo {format_period(period)} es posterior al mes de la fecha de pago "
                         f"({format_period(period_of(on))}); no se paga por adelantado", field="period")
    if period < period_of(insurance_start(params)):
        raise InputError(f"el periodo {format_period(period)} es anterior al inicio del seguro", field="period")
