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
    return evaluate_case(case, params)  # type: ignore[arg-type]


def install(app: FastAPI) -> None:
    from seguro_desempleo.web.routes import render

    @app.get("/trabajador", response_class=HTMLResponse, include_in_schema=False)
    def worker_home(request: Request) -> HTMLResponse:
        principal = require(request, Role.WORKER)
        wid = worker_id_of(principal)
        on = today(request)
        snap = request.app.state.params.at(on)
        window = int(snap["requirements.qualifying_window_months"])
        needed = int(snap["requirements.qualifying_contributions"])
        with unit_of_work(request) as uow:
            try:
                uow.workers.get(wid)
            except SeguroError:
                return render(request, "worker_home.html", status_code=404, meter=[], counted=0, needed=needed,
                              window=window, jobs=[], decision=None, unknown=True)
            meter = queries.worker_meter(uow, wid, period_of(on), window,
                                         bool(snap["requirements.count_declared_unpaid_months"]))
            jobs = queries.worker_jobs(uow, wid)
        counted = sum(1 for m in meter if m.counts)
        decision = estimate_today(meter, jobs, on, int(snap["requirements.waiting_period_days"]),
                                  request.app.state.params)
        return render(request, "worker_home.html", meter=meter, counted=counted, needed=needed, window=window,
                      jobs=jobs, decision=decision, unknown=False)
