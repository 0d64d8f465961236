"""Claims figures for the dashboard: by state, denial reasons, beneficiaries, average benefit,
time to decision, re-employment. Aggregates only, small cells suppressed.

Reads the claims tables through ``services.claims_app`` (issue 5); returns ``None`` when the
claims persistence is not installed in this database (the dashboard then omits the section).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.storage.uow import SqlUnitOfWork
from seguro_desempleo.web.queries import suppress, suppress_cells

MAX_CLAIMS = 200_000


def claim_statistics(uow: SqlUnitOfWork, request: Request, on: dt.date) -> dict[str, Any] | None:
    try:
        from seguro_desempleo.services.claims_app import claims_context
    except ImportError:
        return None
    try:
        with uow.session.begin_nested():
            ctx = claims_context(uow, params=request.app.state.params)
            claims = ctx.claims.in_states(list(ClaimState))[:MAX_CLAIMS]
            n_paid, total_paid = ctx.payments.totals()
    except SQLAlchemyError:
        return None
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
    return {
        "total": suppress(len(claims)),
        "by_state": suppress_cells(sorted(by_state.items())),
        "reasons": suppress_cells(reasons.most_common()),
        "beneficiaries": suppress(beneficiaries),
        "average_benefit": (total_paid // n_paid) if n_paid >= 5 else None,
        "median_days_to_decision": statistics.median(days) if len(days) >= 5 else None,
        "reemployment_rate": round(reemployed / decided, 3) if decided >= 5 else None,
    }
