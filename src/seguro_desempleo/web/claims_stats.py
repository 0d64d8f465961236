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
from sqlalchemy import bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.storage.uow import SqlUnitOfWork
from seguro_desempleo.web.queries import age_band, suppress, suppress_cells

DIMENSIONS = ("sex", "age_band", "region", "sector")

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
            people, n_paid, total_paid = (int(x or 0) for x in uow.connection().execute(text(
                "SELECT COUNT(DISTINCT claim_id), COUNT(*), SUM(amount) FROM benefit_payment")).one())
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


_GROUP_ATTRS = text(
    "SELECT w.id, w.sex, w.birth_date, w.region, (SELECT e.sector FROM employment_period p "
    "JOIN employer e ON e.id = p.employer_id WHERE p.worker_id = w.id "
    "ORDER BY COALESCE(p.end_date, p.start_date) DESC "
    "LIMIT 1) FROM worker w WHERE w.id IN :ids").bindparams(bindparam("ids", expanding=True))


def _by_group(uow: SqlUnitOfWork, claims: list[Any], on: dt.date) -> list[GroupRow]:
    """Claims and approvals by sex, age band, region and sector (of the employer at separation)."""
    # ASCII digits only (str.isdigit() also takes "٥٢٧", which once reached the SQL text), bound.
    refs = sorted({int(c.worker_ref) for c in claims
                   if str(c.worker_ref).isascii() and str(c.worker_ref).isdigit() and len(str(c.worker_ref)) <= 10})
    attrs: dict[str, tuple[str, str, str, str]] = {}
    conn = uow.connection()
    for i in range(0, len(refs), 5000):
        rows = conn.execute(_GROUP_ATTRS, {"ids": refs[i:i + 5000]}).all()
        for wid, sex, birth, region, sector in rows:
            born = birth if isinstance(birth, dt.date) or birth is None else dt.date.fromisoformat(str(birth)[:10])
            attrs[str(wid)] = (sex or "—", age_band(born, on), region or "—", sector or "—")
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


def _monthly_payments(uow: SqlUnitOfWork) -> list[tuple[int, int | None, int | None]]:
    """(period, beneficiaries paid, average payment in céntimos) by month of the installment."""
    rows = uow.connection().execute(text(
        "SELECT period, COUNT(DISTINCT claim_id), SUM(amount) FROM benefit_payment GROUP BY period ORDER BY period"
    )).all()
    return [(int(p), suppress(int(n)), int(total) // int(n) if int(n) >= 5 else None) for p, n, total in rows]
