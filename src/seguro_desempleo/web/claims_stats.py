"""Claims figures for the dashboard: by state, denial reasons, beneficiaries, average benefit,
time to decision, re-employment. Aggregates only, small cells suppressed.

Reads the claims tables through ``services.claims_app`` (issue 5); returns ``None`` when the
claims persistence is not installed in this database (the dashboard then omits the section).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.web.queries import suppress, suppress_cells

DIMENSIONS = ("sex", "age_band", "region", "sector")

MAX_CLAIMS = 200_000


def claim_statistics(uow: Any, request: Request, on: dt.date) -> dict[str, Any] | None:
    try:
        from seguro_desempleo.services.claims_app import claims_context
    except ImportError:
        return None

    def read() -> tuple[list[Any], tuple[int, int, int]]:
        ctx = claims_context(uow, params=request.app.state.params)
        return ctx.claims.in_states(list(ClaimState))[:MAX_CLAIMS], uow.reads.benefit_payment_totals()

    got = uow.reads.in_savepoint(read)     # None: the claims tables are not in this database
    if got is None:
        return None
    claims, (people, n_paid, total_paid) = got
    by_state = Counter(c.state.value for c in claims)
    reasons: Counter[str] = Counter()
    days: list[int] = []
    decided = reemployed = 0
    for c in claims:
        if c.decision is not None and c.decided_on is not None:
            days.append((c.decided_on - c.filed_on).days)
            if not c.decision.eligible:
                for r in c.decision.reasons:
                    if not r.get("met"):
                        reasons[str(r.get("requirement"))] += 1
            else:
                decided += 1
                if c.reemployment_date is not None:
                    reemployed += 1
    beneficiaries = sum(by_state[s] for s in ("approved", "paying", "suspended"))
    groups = _by_group(uow, claims, on)
    return {
        "total": suppress(len(claims)),
        "by_state": suppress_cells(sorted(by_state.items())),
        "reasons": suppress_cells(reasons.most_common()),
        "beneficiaries": suppress(beneficiaries),
        # an average over fewer than 5 people would let one person's amount be read back
        "average_benefit": (total_paid // n_paid) if people >= 5 else None,
        "median_days_to_decision": statistics.median(days) if len(days) >= 5 else None,
        "reemployment_rate": round(reemployed / decided, 3) if decided >= 5 else None,
        "groups": groups,
        "monthly": _monthly_payments(uow),
    }


@dataclass(frozen=True)
class GroupRow:
    dimension: str
    category: str
    claims: int | None             # suppressed below 5
    approved: int | None
    approval_rate: float | None    # only on 5 or more decided claims (a model ratio, not money)


def _by_group(uow: Any, claims: list[Any], on: dt.date) -> list[GroupRow]:
    """Claims and approvals by sex, age band, region and sector (of the employer at separation)."""
    # ASCII digits only (str.isdigit() also takes "٥٢٧", which once reached the SQL text), bound.
    refs = sorted({int(c.worker_ref) for c in claims
                   if str(c.worker_ref).isascii() and str(c.worker_ref).isdigit() and len(str(c.worker_ref)) <= 10})
    attrs: dict[str, tuple[str, str, str, str]] = uow.reads.worker_attributes(refs, on)
    counts: dict[tuple[str, str], list[int]] = {}
    for c in claims:
        a = attrs.get(str(c.worker_ref), ("—", "—", "—", "—"))
        for dim, value in zip(DIMENSIONS, a, strict=True):
            slot = counts.setdefault((dim, value), [0, 0, 0])
            slot[0] += 1
            if c.decision is not None:
                slot[1] += 1
                slot[2] += int(c.decision.eligible)
    out = []
    for dim in DIMENSIONS:
        cells = sorted((k[1], v) for k, v in counts.items() if k[0] == dim)
        shown = dict(suppress_cells([(k, v[0]) for k, v in cells]))
        for k, (_n, decided, approved) in cells:
            visible = shown[k] is not None
            shown_approved = approved if visible and suppress(approved) is not None else None
            # A rate next to a hidden count would give the count back: both are shown or neither.
            out.append(GroupRow(dim, k, shown[k], shown_approved,
                                round(approved / decided, 3) if shown_approved is not None and decided >= 5 else None))
    return out


def _monthly_payments(uow: Any) -> list[tuple[int, int | None, int | None]]:
    """(period, beneficiaries paid, average payment in céntimos) by month of the installment."""
    rows = uow.reads.benefit_payments_by_month()
    return [(p, suppress(n), total // n if n >= 5 else None) for p, n, total in rows]
