"""Read-only figures the pages need that the repositories do not offer (aggregates for the
dashboard, a worker's months by employer, an employer's months declared and paid).

The rows come from the unit of work's read models (``uow.reads``, ``storage/read_models.py``:
issue 24 moved the SQL there); this module keeps what the pages decide about publishing. Dashboard
counts are published with small cells suppressed (:func:`suppress`): no personal data leaves these
functions for the public pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from seguro_desempleo.domain.ledger import ACCOUNTS, balance_of
from seguro_desempleo.domain.read_models import (  # noqa: F401  (the pages' names for the records)
    AGE_BANDS,
    Breakdown,
    DeclaredMonth,
    EmployerMonth,
    Job,
    MeterMonth,
    MonthFlows,
    age_band,
)

SMALL_CELL = 5
"""Counts from 1 to 4 are not published (shown as "< 5"): they could point to a person."""


def suppress(n: int, k: int = SMALL_CELL) -> int | None:
    """*n*, or ``None`` when it is a small cell (0 < n < k)."""
    return None if 0 < n < k else n


# ---------------------------------------------------------------- worker


def worker_meter(uow: Any, worker_id: int, end_month: int, window: int,
                 count_unpaid: bool) -> list[MeterMonth]:
    """The art. 7 window month by month (oldest first) with each employer's declaration."""
    return uow.reads.worker_meter(worker_id, end_month, window, count_unpaid)


def worker_jobs(uow: Any, worker_id: int) -> list[Job]:
    return uow.reads.worker_jobs(worker_id)


# ---------------------------------------------------------------- employer


def employer_months(uow: Any, employer_id: int) -> list[DeclaredMonth]:
    return uow.reads.employer_months(employer_id)


# ---------------------------------------------------------------- dashboard


def monthly_flows(uow: Any) -> list[MonthFlows]:
    return uow.reads.monthly_flows()


def fund_position(uow: Any) -> dict[str, int]:
    """Balances of the accounts the board reads first (normal side), céntimos."""
    totals = uow.ledger.totals()
    return {code: balance_of(code, *totals.get(code, (0, 0))) for code in ACCOUNTS}


def coverage(uow: Any, period: int) -> tuple[int, list[Breakdown]]:
    """Insured workers with insurable pay declared in *period*, by sex, age band, region and sector."""
    seen = uow.reads.insured(period)
    return len(seen), breakdowns(seen.values())


def breakdowns(items: Iterable[tuple[str, str, str, str]]) -> list[Breakdown]:
    counts: list[dict[str, int]] = [defaultdict(int) for _ in range(4)]
    for item in items:
        for i, v in enumerate(item):
            counts[i][v] += 1
    return [Breakdown(dim, suppress_cells(sorted(c.items())))
            for dim, c in zip(("sex", "age_band", "region", "sector"), counts, strict=True)]


def suppress_cells(cells: list[tuple[str, int]]) -> list[tuple[str, int | None]]:
    """Small cells hidden, plus one more when a single cell would be hidden: with the total
    published, one hidden cell could be recomputed (complementary suppression)."""
    hidden = {k for k, v in cells if suppress(v) is None}
    if len(hidden) == 1:
        others = sorted((v, k) for k, v in cells if k not in hidden and v > 0)
        if others:
            hidden.add(others[0][1])
    return [(k, None if k in hidden else v) for k, v in cells]
