"""The worker's pages: my contribution months (the 12-of-24 meter by month and employer) and what
I would receive if I lost my job today; the claim pages are in :mod:`.claims_pages`."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from seguro_desempleo.domain.access import Role
from seguro_desempleo.errors import SeguroError
from seguro_desempleo.periods import period_of
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, Decision, evaluate_case
from seguro_desempleo.services.governance import parameters_for
from seguro_desempleo.web import queries
from seguro_desempleo.web.common import require, today, unit_of_work, worker_id_of

ESTIMATE_CAUSE = "03"
"""Tabla 17 code used for "if I lost my job today": despido o destitución (a covered cause, art. 6)."""


def estimate_today(meter: list[queries.MeterMonth], jobs: list[queries.Job], on: dt.date, waiting_days: int,
                   params: object) -> Decision:
    """The decision the rules would give if the worker were dismissed *on* and claimed once the
    waiting period is served (same rules as a real decision)."""
    size = next((j.size_class for j in jobs if j.size_class), None) or "large"
    sector = next((j.sector for j in jobs), "private")
    contributions = tuple(ContributionMonth(m.period, m.pay, m.paid) for m in meter if m.declared)
    case = ClaimCase(id="estimate", separation_date=on, claim_date=on + dt.timedelta(days=waiting_days),
                     termination_cause=ESTIMATE_CAUSE, employer_size=size, registered_with_employment_service=True,
                     contributions=contributions, sector=sector)
    from seguro_desempleo.services.evaluation import code_labels

    return evaluate_case(case, params, None, *code_labels())  # type: ignore[arg-type]


def install(app: FastAPI) -> None:
    from seguro_desempleo.web.routes import render

    @app.get("/trabajador", response_class=HTMLResponse, include_in_schema=False)
    def worker_home(request: Request) -> HTMLResponse:
        principal = require(request, Role.WORKER)
        wid = worker_id_of(principal)
        on = today(request)
        with unit_of_work(request) as uow:
            # what the rules read: the law's baseline plus the instruments in force (decision 0424)
            params = parameters_for(uow, request.app.state.params)
            snap = params.at(on)
            window = int(snap["requirements.qualifying_window_months"])
            needed = int(snap["requirements.qualifying_contributions"])
            try:
                uow.workers.get(wid)
            except SeguroError:
                return render(request, "worker_home.html", status_code=404, meter=[], counted=0, needed=needed,
                              window=window, jobs=[], decision=None, unknown=True)
            meter = queries.worker_meter(uow, wid, period_of(on), window,
                                         bool(snap["requirements.count_declared_unpaid_months"]))
            jobs = queries.worker_jobs(uow, wid)
            open_claim = _open_claim(uow, str(wid), params)
        counted = sum(1 for m in meter if m.counts)
        # "If I lost my job today" only for a worker who has a job today (issue 30).
        # A job is an open T-Registro period; with no period on record, pay declared in the last
        # two months (the PLAME of the month arrives the next month) stands for one.
        employed = (any(j.start <= on and (j.end is None or j.end >= on) for j in jobs)
                    or (not jobs and any(m.declared and m.period >= period_of(on) - 2 for m in meter)))
        decision = estimate_today(meter, jobs, on, int(snap["requirements.waiting_period_days"]),
                                  params) if employed else None
        return render(request, "worker_home.html", meter=meter, counted=counted, needed=needed, window=window,
                      jobs=jobs, decision=decision, unknown=False, employed=employed, open_claim=open_claim)


FINAL_STATES = ("denied", "closed", "exhausted")


def _open_claim(uow: object, worker_ref: str, params: object) -> dict[str, object] | None:
    """The worker's open claim (the latest not denied, closed or exhausted), its state and the next
    installment not yet paid: what a claimant comes to the page to see first."""
    from seguro_desempleo.claims.state import STATE_LABELS_ES
    from seguro_desempleo.services.claims_app import claims_context

    ctx = claims_context(uow, params=params)  # type: ignore[arg-type]
    mine = [c for c in ctx.claims.search(worker_ref=worker_ref, limit=500) if c.state.value not in FINAL_STATES]
    if not mine:
        return None
    claim = mine[-1]
    paid = {p.key for p in ctx.payments.payments(claim.id)}
    upcoming = [i for i in ctx.service.plan(claim) if i.key not in paid]
    return {"claim": claim, "state_label": STATE_LABELS_ES[claim.state],
            "next": upcoming[0] if upcoming and claim.state.value in ("approved", "paying") else None}
