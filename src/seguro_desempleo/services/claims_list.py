"""``claims list``: claims filtered by state, worker and the month they were filed (issue 30)."""

from __future__ import annotations

from typing import Any

from seguro_desempleo.errors import InputError

MAX_LIMIT = 10_000


def list_claims(ctx: Any, *, state: str | None = None, worker: str | None = None, period: str | None = None,
                limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """One summary per claim, ordered by id; money as soles strings (decision 0380)."""
    from seguro_desempleo.claims.state import parse_state
    from seguro_desempleo.money import cents_to_str
    from seguro_desempleo.periods import first_day, parse_period

    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"must be between 1 and {MAX_LIMIT}, got {limit}", field="--limit")
    if offset < 0:
        raise InputError(f"must be 0 or more, got {offset}", field="--offset")
    st = parse_state(state, field="--state") if state else None
    month = parse_period(period, field="--period") if period else None
    claims = ctx.claims.search(worker_ref=worker or None, state=st, limit=limit, offset=offset,
                               filed_from=first_day(month) if month is not None else None,
                               filed_before=first_day(month + 1) if month is not None else None)
    out = []
    for c in claims:
        d = c.decision
        out.append({"id": c.id, "worker_id": c.worker_ref, "state": c.state.value, "version": c.version,
                    "filed_on": c.filed_on.isoformat(), "separation_date": c.separation_date.isoformat(),
                    "decided_on": c.decided_on.isoformat() if c.decided_on else None,
                    "eligible": d.eligible if d else None,
                    "total": cents_to_str(d.total) if d and d.eligible else None,
                    "denied_for": [r["requirement"] for r in d.reasons if not r["met"]] if d and not d.eligible
                    else []})
    return out
