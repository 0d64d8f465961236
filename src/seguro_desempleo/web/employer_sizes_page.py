"""Staff review of the sizes employers declare for themselves (issue 25; art. 3 by month, issue 26).

``/gestion/tamanos`` lists the pending declarations (oldest first) with the size in force; a
caseworker other than the one who recorded a declaration accepts it (in force from its date) or
rejects it. Every review is audited. The same is available through the API and the CLI
(docs/payroll.md).
"""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from seguro_desempleo.domain.access import Principal, Role
from seguro_desempleo.errors import ConflictError, NotFoundError, SeguroError
from seguro_desempleo.web.common import require, today, unit_of_work

STAFF = (Role.CASEWORKER,)
SIZE_KEYS = {"micro": "size_micro", "small": "size_small", "medium": "size_medium", "large": "size_large"}


def _actor(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.subject}" if principal.subject else principal.role.value


def _rows(uow: object) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = uow.employer_sizes.pending_queue(limit=200)  # type: ignore[attr-defined]
    return rows


def install(app: FastAPI) -> None:
    from seguro_desempleo.web.routes import render

    def page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
        with unit_of_work(request) as uow:
            rows = _rows(uow)
        return render(request, "size_queue.html", status_code=status, rows=rows, error=error,
                      size_keys=SIZE_KEYS)

    @app.get("/gestion/tamanos", response_class=HTMLResponse, include_in_schema=False)
    def size_queue(request: Request) -> HTMLResponse:
        require(request, *STAFF)
        return page(request)

    @app.post("/gestion/tamanos/{size_id}", include_in_schema=False)
    async def review_size(size_id: int, request: Request) -> Response:
        from seguro_desempleo.services import employer_size

        principal = require(request, *STAFF)
        form = await request.form()
        decision = str(form.get("decision", ""))
        if decision not in ("aceptar", "rechazar"):
            return page(request, "size_decision_required", 422)
        who = _actor(principal)
        with unit_of_work(request) as uow:
            try:
                # an accepted size re-liquidates the months it now covers (issue 26)
                rec = employer_size.review_size(uow, size_id, accept=decision == "aceptar", by=who,
                                                today=today(request))
                uow.audit.append(
                    who=who, when=dt.datetime.now(dt.UTC), action="employer.size_review",
                    entity=f"employer_size:{size_id}", before={"status": "pending"}, after=rec.to_dict())
                uow.commit()
            except NotFoundError:
                uow.rollback()
                return page(request, "size_not_found", 404)
            except ConflictError as exc:
                uow.rollback()
                key = "size_four_eyes" if "four eyes" in str(exc) else "size_already_reviewed"
                return page(request, key, 409)
            except SeguroError as exc:
                uow.rollback()
                return page(request, exc.one_line(), exc.http_status)
        return RedirectResponse("/gestion/tamanos", status_code=303)
