"""The books: ledger balances, the summary report and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, require
from seguro_desempleo.api.resources.common import Limit, R

router = APIRouter(prefix="/api/v1")


@router.get("/ledger/balances", tags=["contabilidad"], summary="Account balances (analyst, board)")
def ledger_balances(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services import ledger

    require(p, R.ANALYST, R.BOARD)
    tb = ledger.trial_balance(ctx.uow)
    return {"balanced": tb.balanced, "accounts": [a.as_dict() for a in tb.accounts]}


@router.get("/reports/summary", tags=["reportes"], summary="Fund, contributions, claims and payments in totals")
def report_summary(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.claims_app import summary

    require(p, R.ANALYST, R.BOARD, R.CASEWORKER)
    return summary(ctx)


@router.get("/audit", tags=["auditoría"], summary="Latest audit records (admin), or one entity's")
def audit_records(p: CurrentPrincipal, ctx: Ctx, entity: Annotated[str | None, Query(max_length=80)] = None,
                  limit: Limit = 100) -> dict[str, Any]:
    require(p, R.ADMIN)
    recs = ctx.audit.for_entity(entity, limit) if entity else ctx.audit.recent(limit)
    return {"items": [r.to_dict() for r in recs]}


@router.get("/audit/verify", tags=["auditoría"], summary="Verify the hash chain (admin)")
def audit_verify(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.claims.books import verify_books

    require(p, R.ADMIN, R.BOARD)
    books = verify_books(ctx.uow)        # both chains and the money rows against the log (issue 25)
    rep = books.audit
    return {"ok": books.ok, "checked": rep.checked, "first_broken": rep.first_broken, "reason": rep.reason,
            "message": rep.one_line(), "ledger": books.as_dict()["ledger"], "problems": books.problems,
            "heads": books.heads().to_dict()}
