"""The employer's pages: upload the month's PLAME file (progress bar with htmx, a plain form
without JavaScript) with a line-by-line error report; declared vs paid by month; arrears."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seguro_desempleo.domain.access import Principal, Role
from seguro_desempleo.domain.payroll import FileReport, ImportSummary, LineIssue
from seguro_desempleo.errors import SeguroError
from seguro_desempleo.formats.file_names import REM_NAME_RE
from seguro_desempleo.services.employer_payments import arrears
from seguro_desempleo.services.payroll_import import import_files
from seguro_desempleo.web import queries
from seguro_desempleo.web.common import PageDenied, check_employer, require, today, unit_of_work

MAX_UPLOAD = 20 * 1024 * 1024
"""One employer-month: far below this even for a large payroll; bigger files go through the CLI."""


def _ruc(principal: Principal, request: Request) -> str:
    asked = request.query_params.get("ruc")
    if principal.role is Role.EMPLOYER:
        # an employer account may hold several RUCs (issue 27): ?ruc= picks one of its own;
        # any other RUC shows its own, as before
        ruc = asked if asked and asked in principal.rucs else principal.subject
    else:
        ruc = asked
    if not ruc:
        raise PageDenied(403, "forbidden_row")
    check_employer(principal, ruc)
    return ruc


def install(app: FastAPI) -> None:
    from seguro_desempleo.web.routes import render

    def page(request: Request, ruc: str, report: FileReport | None = None, error: str | None = None,
             status: int = 200) -> HTMLResponse:
        on = today(request)
        with unit_of_work(request) as uow:
            employer = uow.employers.by_ruc(ruc)
            months = queries.employer_months(uow, employer.id) if employer and employer.id else []
            late = arrears(uow, on, ruc=ruc, params=request.app.state.params) if employer else []
        return render(request, "employer_home.html", status_code=status, employer=employer, ruc=ruc,
                      months=months, arrears=late, report=report, error=error, today=on,
                      total_outstanding=sum(a.outstanding for a in late),
                      total_interest=sum(a.interest for a in late))

    @app.get("/empleador", response_class=HTMLResponse, include_in_schema=False)
    def employer_home(request: Request) -> HTMLResponse:
        principal = require(request, Role.EMPLOYER, Role.CASEWORKER)
        return page(request, _ruc(principal, request))

    @app.post("/empleador/planilla", response_class=HTMLResponse, include_in_schema=False)
    async def upload(request: Request) -> HTMLResponse:
        principal = require(request, Role.EMPLOYER)
        ruc = _ruc(principal, request)
        form = await request.form()
        try:
            return await _handle_upload(request, ruc, form.get("file"))
        finally:
            await form.close()      # the spooled upload is deleted now, not at garbage collection

    async def _handle_upload(request: Request, ruc: str, upload: object) -> HTMLResponse:
        if not isinstance(upload, UploadFile) or not upload.filename:
            return page(request, ruc, error="choose_file", status=422)
        name = os.path.basename(upload.filename)
        m = REM_NAME_RE.match(name)
        if not m:
            return page(request, ruc, error="bad_file_name", status=422)
        if m.group(3) != ruc:
            # The RUC is in the file name: an employer uploads only its own payroll.
            return page(request, ruc, error="other_ruc", status=403)
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return page(request, ruc, error="too_large", status=413)
        def run_import() -> ImportSummary:
            with tempfile.TemporaryDirectory(prefix="sd-upload-") as tmp:
                path = Path(tmp) / name
                path.write_bytes(data)
                with unit_of_work(request) as uow:
                    result = import_files([path], uow=uow, params=request.app.state.params, today=today(request),
                                          employer_ruc=ruc)
                    uow.commit()
                    return result

        try:
            summary = await run_in_threadpool(run_import)     # the event loop keeps serving meanwhile
        except SeguroError as exc:
            report = FileReport(file=name, kind="rem", status="rejected",
                                issues=[LineIssue(name, 0, exc.field or "file", exc.message, code="other",
                                                  message_es=exc.message)])
            return page(request, ruc, report=report, status=422)
        report = summary.files[0]
        report.file = name
        report.issues = [dataclasses.replace(i, file=name) for i in report.issues]
        report.notices = [dataclasses.replace(i, file=name) for i in report.notices]
        return page(request, ruc, report=report, status=200 if report.status != "rejected" else 422)
