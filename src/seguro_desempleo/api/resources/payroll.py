"""Payroll uploads: PLAME .rem, T-Registro .per, CSV or Parquet files over HTTP."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import MAX_UPLOAD, R, _now
from seguro_desempleo.errors import CapacityError, InputError, PermissionDeniedError

router = APIRouter(prefix="/api/v1")


@router.post("/payroll/uploads", tags=["planillas"], status_code=201,
             summary="Upload PLAME .rem, T-Registro .per or CSV payroll files (multipart)")
async def upload_payroll(request: Request, p: CurrentPrincipal, ctx: Ctx,
                         files: Annotated[list[UploadFile], File(description="one or more files")],
                         partial: Annotated[bool, Form()] = False) -> dict[str, Any]:
    from seguro_desempleo.bootstrap import import_files  # the import wired (formats' parsers)
    from seguro_desempleo.services.payroll_import import KINDS

    require(p, R.EMPLOYER, R.CASEWORKER)
    if not files:
        raise InputError("attach at least one file", field="files")
    with tempfile.TemporaryDirectory(prefix="sd_upload_") as tmp:
        paths = []
        total = 0
        names: set[str] = set()
        for f in files:
            name = Path(f.filename or "").name
            if len(name.encode("utf-8")) > 255:
                raise InputError("a file name is longer than 255 bytes", field="files")
            if not name or Path(name).suffix.lower() not in KINDS:
                raise InputError(f"file '{name[:80]}' is not a .rem, .per, .csv or .parquet payroll file",
                                 field="files")
            if name in names:      # the second would overwrite the first: nothing is imported
                raise InputError(f"two files named '{name[:80]}' in one upload; send each once", field="files")
            names.add(name)
            if p.role is R.EMPLOYER and (not p.subject or p.subject not in name):
                raise PermissionDeniedError("an employer uploads only files named with its own RUC")
            data = await f.read()
            total += len(data)
            if total > MAX_UPLOAD:
                raise CapacityError(f"upload larger than {MAX_UPLOAD // 2**20} MiB; use the CLI for national files",
                                    field="files")
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(path)
        # An employer's upload is checked line by line too: a CSV or Parquet file names its
        # employers in its rows, and each must be the caller's.
        summary = import_files(paths, uow=ctx.uow, params=request.app.state.params, partial=partial,
                               today=day(request, None, "today"),
                               employer_ruc=p.subject if p.role is R.EMPLOYER else None)
        for r in summary.files:  # the names the caller gave, not the server's temporary paths
            r.file = Path(r.file).name
            r.issues = [dataclasses.replace(i, file=r.file) for i in r.issues]
            r.notices = [dataclasses.replace(i, file=r.file) for i in r.notices]
    reports = [r.as_dict(max_issues=50) for r in summary.files]
    ctx.audit.append(who=actor(p), when=_now(), action="payroll.upload", entity="payroll:upload", before=None,
                     after=[{"file": r["file"], "status": r["status"], "lines": r.get("lines"),
                             "accepted_lines": r.get("accepted_lines")} for r in reports])
    ctx.uow.commit()
    return {"accepted": summary.accepted, "rejected": summary.rejected, "duplicates": summary.duplicates,
            "files": reports}
