"""The employer's pages: upload the month's PLAME file (progress bar with htmx, a plain form
without JavaScript) with a line-by-line error report; declared vs paid by month; arrears."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seguro_desempleo import bootstrap
from seguro_desempleo.domain.access import Principal, Role
from seguro_desempleo.domain.payroll import FileReport, ImportSummary, LineIssue
from seguro_desempleo.errors import SeguroError
from seguro_desempleo.formats import plame_other
from seguro_desempleo.formats.file_names import PER_NAME_RE, REM_NAME_RE
from seguro_desempleo.services.employer_payments import arrears
from seguro_desempleo.services.payroll_import import expired_terminations
from seguro_desempleo.web import queries
from seguro_desempleo.web.common import PageDenied, check_employer, require, today, unit_of_work

MAX_UPLOAD = 20 * 1024 * 1024
"""One employer-month (all the files of one upload together): far below this even for a large
payroll; bigger files go through the CLI."""

RUC_IN_NAME = re.compile(r"^(?:0601\d{6}|RP_|RD_)(\d{11})", re.IGNORECASE)
"""A RUC written in a PLAME / T-Registro file name (``0601AAAAMM<RUC>.rem``, ``RP_<RUC>.per``)."""

UPLOAD_KINDS = (".rem", ".snl", ".jor", ".per", ".tra")
"""What the page reads; the other files of a PLAME / T-Registro export are skipped with a notice."""


def upload_name_ok(name: str) -> bool:
    """A name the export of PDT PLAME or T-Registro gives (the import checks it further)."""
    if REM_NAME_RE.match(name) or PER_NAME_RE.match(name):
        return True
    ext = os.path.splitext(name)[1].lower()
    return (ext in UPLOAD_KINDS and RUC_IN_NAME.match(name) is not None) or plame_other.skipped(name)


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


def page(request: Request, ruc: str, reports: list[FileReport] | None = None, error: str | None = None,
         status: int = 200) -> HTMLResponse:
    from seguro_desempleo.web.routes import render

    on = today(request)
    with unit_of_work(request) as uow:
        employer = uow.employers.by_ruc(ruc)
        months = queries.employer_months(uow, employer.id) if employer and employer.id else []
        late = arrears(uow, on, ruc=ruc, params=request.app.state.params) if employer else []
        expired = expired_terminations(uow, ruc) if employer else []
    return render(request, "employer_home.html", status_code=status, employer=employer, ruc=ruc,
                  months=months, arrears=late, reports=reports or [], error=error, expired=expired, today=on,
                  total_outstanding=sum(a.outstanding for a in late),
                  total_interest=sum(a.interest for a in late))

def employer_home(request: Request) -> HTMLResponse:
    principal = require(request, Role.EMPLOYER, Role.CASEWORKER)
    return page(request, _ruc(principal, request))

async def upload(request: Request) -> HTMLResponse:
    principal = require(request, Role.EMPLOYER)
    ruc = _ruc(principal, request)
    form = await request.form()
    try:
        return await _handle_upload(request, ruc, form.getlist("file"))
    finally:
        await form.close()      # the spooled upload is deleted now, not at garbage collection

async def _handle_upload(request: Request, ruc: str, uploads: Sequence[object]) -> HTMLResponse:
    """One or more files of the month's export, as PDT PLAME / T-Registro write them (``.rem``,
    ``.snl``, ``.jor``, ``.per``, ``.tra``; the others the insurance does not read are skipped
    with a notice): imported together, in one transaction, as the CLI does (issue 31)."""
    files = [u for u in uploads if isinstance(u, UploadFile) and u.filename]
    if not files:
        return page(request, ruc, error="choose_file", status=422)
    names = [os.path.basename(u.filename or "") for u in files]
    if len(set(names)) != len(names):   # two files of one name: one would silently replace the other
        return page(request, ruc, error="same_file_name", status=422)
    for name in names:
        if not upload_name_ok(name):
            return page(request, ruc, error="bad_file_name", status=422)
        if any(r != ruc for r in RUC_IN_NAME.findall(name)):
            # The RUC is in the file name: an employer uploads only its own payroll.
            return page(request, ruc, error="other_ruc", status=403)
    contents: list[bytes] = []
    room = MAX_UPLOAD
    for u in files:
        data = await u.read(room + 1)
        if len(data) > room:
            return page(request, ruc, error="too_large", status=413)
        room -= len(data)
        contents.append(data)

    try:
        summary = await run_in_threadpool(_run_import, request, ruc, names, contents)  # the loop keeps serving
    except SeguroError as exc:
        report = FileReport(file=", ".join(names), kind="rem", status="rejected",
                            issues=[LineIssue(names[0], 0, exc.field or "file", exc.message, code="other",
                                              message_es=exc.message)])
        return page(request, ruc, reports=[report], status=422)
    reports = []
    for report in summary.files:
        name = os.path.basename(report.file)       # the temporary directory is not the employer's business
        report.file = name
        report.issues = [dataclasses.replace(i, file=name) for i in report.issues]
        report.notices = [dataclasses.replace(i, file=name) for i in report.notices]
        reports.append(report)
    bad = any(r.status == "rejected" for r in reports)
    return page(request, ruc, reports=reports, status=422 if bad else 200)


def _run_import(request: Request, ruc: str, names: list[str], contents: list[bytes]) -> ImportSummary:
    """The upload's files written to a temporary directory and imported in one transaction."""
    with tempfile.TemporaryDirectory(prefix="sd-upload-") as tmp:
        paths = []
        for name, data in zip(names, contents, strict=True):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(path)
        with unit_of_work(request) as uow:
            result = bootstrap.import_files(paths, uow=uow, params=request.app.state.params,
                                            today=today(request), employer_ruc=ruc)
            uow.commit()
            return result


def install(app: FastAPI) -> None:
    app.get("/empleador", response_class=HTMLResponse, include_in_schema=False)(employer_home)
    app.post("/empleador/planilla", response_class=HTMLResponse, include_in_schema=False)(upload)
