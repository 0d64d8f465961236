"""Pay from a former employer after the employment ended is not a job (issue 26 item 3).

Vacaciones truncas, CTS, gratificación trunca, a liquidación paid late — SUNAT Tabla 22's
post-termination concepts — are declared by the former employer for months after the T-Registro
period ended. They are not a new job (no re-employment) and not a month of contribution with an
RMV floor (arts. 5 and 7): only a new period, or pay from an employer the worker has no T-Registro
period with (payroll only), is.

One rule, read by the claim (``storage.claims_sql.SqlHistoryProvider``), by the bulk history of
batch decisions (``storage.history.charged_history_bulk``) and by the bulk re-employment reading
(``storage.history.reemployment_starts_bulk``); a parity test holds them together
(``tests/rules/test_bulk_history_parity.py``). Pure: no database, dates and month indices only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from seguro_desempleo.periods import first_day, period_of

Span = tuple[dt.date, dt.date | None]
"""A T-Registro period of the worker with one employer: (start, end or None while open)."""

K = TypeVar("K", bound=Hashable)
"""What names an employer (its id, or its RUC)."""


def employed_in(spans: Sequence[Span], period: int) -> bool:
    """Pay of an employer in month *period* is from a job: one of the worker's periods with that
    employer (*spans*) covers the month, or the worker has no period with it at all (payroll only)."""
    if not spans:
        return True
    lo, nxt = first_day(period), first_day(period + 1)
    return any(start < nxt and (end is None or end >= lo) for start, end in spans)


def months_without_a_job(months_with_pay: Iterable[int], paying: Iterable[tuple[int, K]],
                         spans: Mapping[K, Sequence[Span]], last_month: int) -> set[int]:
    """The months to leave out: months with pay, after the first month a period of the worker ended
    (*spans*, all employers), in which no employer paying that month (*paying*: (month, employer)
    with pay > 0) was a job (:func:`employed_in`). Nothing is left out when no period ended before
    *last_month* (the last month read)."""
    ends = [period_of(end) for ss in spans.values() for _, end in ss if end is not None]
    if not ends or min(ends) >= last_month:
        return set()
    first_end = min(ends)
    suspect = {m for m in months_with_pay if m > first_end}
    if not suspect:
        return set()
    job: dict[int, bool] = {}
    for month, employer in paying:
        if month in suspect:
            job[month] = job.get(month, False) or employed_in(spans.get(employer, ()), month)
    return {m for m in suspect if not job.get(m, True)}


def first_job_month(paying: Iterable[tuple[int, K]], spans: Mapping[K, Sequence[Span]],
                    after_month: int) -> int | None:
    """The first month after *after_month* with pay from an employer that was a job that month
    (*paying* in any order), ``None`` if none: the payroll sign of a re-employment."""
    found = [m for m, e in paying if m > after_month and employed_in(spans.get(e, ()), m)]
    return min(found) if found else None
