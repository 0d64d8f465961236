"""What every resource module of the API shares: roles, paging, the input model base, the
claim a caller may see, the strict worker reference and the claim summaries (also used by
``api/fastpath.py``, which answers the two hot routes ahead of the framework)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from seguro_desempleo.api.auth import STAFF, Principal, Role
from seguro_desempleo.api.deps import Ctx
from seguro_desempleo.claims.ports import Claim
from seguro_desempleo.errors import NotFoundError, PermissionDeniedError
from seguro_desempleo.money import cents_to_str

R = Role
CASE_ROLES = (R.CASEWORKER,)
READ_ROLES = tuple(STAFF)
MAX_UPLOAD = 64 * 1024 * 1024

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
DateText = Annotated[str | None, Field(default=None, max_length=10, description="YYYY-MM-DD or dd/mm/aaaa")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _claim_for(ctx: Ctx, p: Principal, claim_id: str) -> Claim:
    """The claim if the caller may see it (404 before 403 would leak existence: 403 for both)."""
    if p.role is R.EMPLOYER:
        raise PermissionDeniedError("employers do not see claims")
    try:
        claim = ctx.claims.get(claim_id)
    except NotFoundError:
        if p.role is R.WORKER:
            raise PermissionDeniedError("this record belongs to another worker") from None
        raise
    p.check_worker(claim.worker_ref)
    return claim


def _worker_id(text: str) -> int:
    """The one strict parser of worker references (:mod:`seguro_desempleo.domain.identifiers`)."""
    from seguro_desempleo.domain.identifiers import parse_worker_ref

    return parse_worker_ref(text, field="worker_id")


def _decided_summary(c: Claim) -> dict[str, Any]:
    """The answer to a decision: the claim's summary and its decision without the trace (kept
    whole in the store: ``GET /claims/{id}/decision``)."""
    out = _claim_summary(c)
    if c.decision is not None:
        out["decision"] = c.decision.to_dict(trace=False)
    return out


def _claim_summary(c: Claim) -> dict[str, Any]:
    return {"id": c.id, "worker_id": c.worker_ref, "state": c.state.value, "version": c.version,
            "filed_on": c.filed_on.isoformat(), "separation_date": c.separation_date.isoformat(),
            "decided_on": c.decided_on.isoformat() if c.decided_on else None,
            "eligible": c.decision.eligible if c.decision else None,
            "total": cents_to_str(c.decision.total) if c.decision and c.decision.eligible else None}
