"""The law as a service: decide claim cases and list the parameters in force (no storage)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from seguro_desempleo.periods import parse_date
from seguro_desempleo.services.evaluation import evaluate_cases, parse_cases

router = APIRouter(prefix="/api/v1", tags=["ley"])


class ContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(description="YYYY-MM", examples=["2024-07"])
    remuneration: str = Field(description="Soles as a decimal string", examples=["2400.00"])
    paid: bool = True


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    separation_date: str = Field(examples=["2025-06-30"])
    claim_date: str = Field(examples=["2025-07-10"])
    termination_cause: str = Field(description="SUNAT Tabla 17 code", examples=["03"])
    employer_size: str = Field(examples=["large"])
    registered_with_employment_service: bool
    contributions: list[ContributionIn] = Field(max_length=600)
    contract_type: str | None = None
    sector: str | None = None
    reemployment_date: str | None = None


class EvaluateRequest(BaseModel):
    """``{"cases": [...]}``; a bare list of cases or one case (what the CLI's ``evaluate`` reads) is
    taken as ``{"cases": ...}``, its ``at`` and ``trace`` then given as query parameters."""
    model_config = ConfigDict(extra="forbid")
    cases: list[CaseIn] = Field(min_length=1, max_length=10_000)
    at: str | None = Field(default=None, description="Judge under the parameters in force on this date")
    trace: bool | None = Field(default=None, description="Include the trace (default: yes)")

    @model_validator(mode="before")
    @classmethod
    def _bare_cases(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"cases": data}
        if isinstance(data, dict) and "cases" not in data and "id" in data:
            return {"cases": [data]}
        return data


@router.post("/evaluate", summary="Decide claim cases against arts. 3, 5, 6 and 7",
             description="The body is {\"cases\": [...], \"at\": ..., \"trace\": ...}, or what the CLI's "
                         "'evaluate' reads: a list of cases or one case (then 'at' and 'trace' may be given as "
                         "query parameters).")
def evaluate(body: EvaluateRequest, request: Request,
             at: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (a list or one case)")] = None,
             trace: Annotated[bool, Query(description="Include the trace (a list or one case)")] = True,
             ) -> dict[str, Any]:
    body = EvaluateRequest(cases=body.cases, at=body.at or at, trace=trace if body.trace is None else body.trace)
    raw = [c.model_dump(exclude_none=True) for c in body.cases]
    on = parse_date(body.at, field="at") if body.at else None
    cases = parse_cases(raw)
    decisions = evaluate_cases(cases, request.app.state.params, on)
    return {"decisions": [d.to_dict(with_trace=body.trace is not False) for d in decisions]}


@router.get("/parameters", summary="Every parameter in force on a date")
def parameters(request: Request, at: Annotated[str | None, Query(description="YYYY-MM-DD")] = None
               ) -> dict[str, Any]:
    params = request.app.state.params
    date = parse_date(at, field="at") if at else dt.date.today()
    snap = params.at(date)
    rows = [{**snap.read(n).as_dict(), "note": params[n].note} for n in params.names() if n in snap]
    return {"date": date.isoformat(), "parameter_set": params.name, "parameters": rows}
