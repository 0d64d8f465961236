"""The board's pages (art. 12) and the parameters with their instruments (issue 28).

- ``/parametros`` (public): every value in force, and each parameter's history — from which date,
  by which instrument (Ley, Decreto Supremo, Resolución, Acuerdo de Directorio) or the law's text.
- ``/directorio`` (role ``board``; ``admin`` too): the reserve against its art. 8 target from the
  fund's own books, the alerts, the proposals; ``/directorio/propuestas/…``: draft, the three
  sectors' votes, the decision and its instrument; ``/directorio/instrumentos``: record one;
  ``/directorio/estados``: balance sheet and income statement (HTML, CSV, PDF);
  ``/directorio/estudio``: the art. 10 study and its calendar.

Every form works without JavaScript; errors are one Spanish line naming the field, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from seguro_desempleo.domain import governance as gd
from seguro_desempleo.domain.access import Principal, Role
from seguro_desempleo.errors import SeguroError
from seguro_desempleo.money import parse_soles
from seguro_desempleo.parameters.model import INSTRUMENT_TYPES
from seguro_desempleo.periods import parse_date
from seguro_desempleo.reports import statements as reports
from seguro_desempleo.services import governance as g
from seguro_desempleo.web import i18n
from seguro_desempleo.web.common import PageDenied, require, today, unit_of_work
from seguro_desempleo.web.routes import language, render

BOARD_ROLES = (Role.BOARD,)


_SPANISH: tuple[tuple[str, str], ...] = (
    # Refusals of the database itself (storage/errors.py): a race lost between the check and the write
    # (first: the generic "… is already recorded" below would match the first one).
    (r"an instrument of this type and number is already recorded",
     "ya está registrado un instrumento de ese tipo y número"),
    (r"this director has already voted on the proposal", "este director(a) ya votó la propuesta"),
    (r"this alert has already been raised on that day", "esta alerta ya se emitió ese día"),
    (r"the database refused the change(.*)$", r"la base de datos rechazó el cambio\1"),
    (r"the law fixes this value \((.*)\): only a Ley can change it, not a (.*)$",
     r"el valor lo fija la ley (\1): solo una Ley puede cambiarlo; no basta un instrumento de tipo \2"),
    (r"value (\S+) is above the maximum (\S+)(.*)$", r"el valor \1 supera el máximo \2\3"),
    (r"value (\S+) is below the minimum (\S+)(.*)$", r"el valor \1 es menor que el mínimo \2\3"),
    (r"a proposal that changes values needs its effective date", "una propuesta que cambia valores necesita su "
                                                                 "fecha de vigencia"),
    (r"a title of 1-200 characters is required", "se requiere un título de 1 a 200 caracteres"),
    (r"an instrument must set at least one value or an art. 9 transfer",
     "un instrumento debe fijar al menos un valor o un aporte del art. 9"),
    (r"(.*) is already recorded", r"\1 ya está registrado"),
    (r"director '(.*)' has already voted on proposal (\d+)", r"el director(a) '\1' ya votó la propuesta \2"),
    (r"the (.*) sector has (\d+) seat\(s\), all have voted", r"el sector \1 ya usó sus \2 puesto(s) en esta votación"),
    (r"proposal (\d+) is already (\w+)", r"la propuesta \1 ya está cerrada (\2)"),
    (r"the year (\d+) has not ended on (.*)$", r"el año \1 no ha terminado al \2"),
    (r"the effective date cannot be before the instrument's date",
     "la vigencia no puede ser anterior a la fecha del instrumento"),
    (r"unknown parameter", "parámetro desconocido"),
    (r"'(.*)' is not a year YYYY or a month YYYY-MM", r"'\1' no es un año AAAA ni un mes AAAA-MM"),
    (r"the director's code \(1-80 characters\) is required", "se requiere el código del director(a)"),
)


def spanish(exc: SeguroError) -> str:
    """The refusal in one Spanish line naming the field (the service's English when not listed)."""
    import re

    message = exc.message
    for pattern, repl in _SPANISH:
        if re.search(pattern, message):
            message = re.sub(pattern, repl, message)
            break
    field = f"campo «{exc.field}»: " if exc.field else ""
    return " ".join(f"{field}{message}".split())


def _actor(p: Principal) -> str:
    from seguro_desempleo.domain.access import actor

    return actor(p)     # the one audit format (decision 0320)


_DIMENSION = {"coverage.sectors": "sector", "coverage.sizes": "size", "requirements.governing_date": "governing_date"}
"""Parameters whose values are codes with a label for people (i18n ``cat_<dimension>_<value>``)."""


def _shown(unit: str, value: Any, name: str = "", lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A parameter's value for people: soles as ``S/ 1,234.56``, codes by their label ("privado",
    not "private"; issue 30's Spanish throughout, on the page issue 29 moved here)."""
    dim = next((d for prefix, d in _DIMENSION.items() if name.startswith(prefix)), "")
    if unit == "soles":
        return i18n.soles(parse_soles(str(value)))
    if isinstance(value, list):
        return ", ".join(i18n.category(dim, v, lang) for v in value)
    if unit == "bool":
        return ("sí" if value else "no") if lang == "es" else ("yes" if value else "no")
    return i18n.category(dim, value, lang) if dim else str(value)


def parameter_rows(request: Request, on: dt.date) -> tuple[list[dict[str, Any]], bool]:
    """Each parameter in force on *on* with its history; False when the database could not be read
    (the page then shows the law's baseline and says so)."""
    base = request.app.state.params
    history: list[dict[str, Any]] | None = None
    if request.app.state.db_url:
        try:
            with unit_of_work(request) as uow:
                history = g.parameter_history(uow, base)
        except (PageDenied, SeguroError):       # no schema/server: PageDenied(503); a refusal: SeguroError
            history = None
    ok = history is not None
    if history is None:
        history = [{"name": n, "label": base[n].label, "unit": base[n].unit, "reference": base[n].reference,
                    "fixed_by_law": base[n].fixed_by_law,
                    "history": [{"from": d, "value": v, "source": g.BASELINE_SOURCE, "instrument": False}
                                for d, v in base[n].values]} for n in base.names()]
    from seguro_desempleo.web.routes import language

    lang = language(request)
    rows = []
    for p in history:
        past = [h for h in p["history"] if h["from"] <= on]
        if not past:
            continue
        current = past[-1]
        rows.append({**p, "shown": _shown(p["unit"], current["value"], p["name"], lang), "effective_date": current["from"],
                     "source": current["source"],
                     "history": [{**h, "shown": _shown(p["unit"], h["value"], p["name"], lang)} for h in p["history"]]})
    return rows, ok


def _form_values(text: str) -> dict[str, str]:
    """``name=value`` lines (or ``;``-separated) of the proposal/instrument form."""
    pairs = [x.strip() for x in text.replace(";", "\n").splitlines() if x.strip()]
    return g.parse_values(pairs)


async def _form(request: Request) -> dict[str, str]:
    """The posted form's fields as text."""
    return {k: str(v) for k, v in (await request.form()).items()}


class _Unreadable(Exception):
    """A field the page cannot read (a number that is not one), with its Spanish line."""


def _read(form: dict[str, str], name: str, parse: Callable[[str], Any], line: str) -> Any:
    """The field *name* read by *parse*; :class:`_Unreadable` with *line* when it cannot be."""
    try:
        return parse(form.get(name, ""))
    except (ValueError, ArithmeticError):
        raise _Unreadable(line) from None


async def _board_form(request: Request, act: Callable[[Any, dict[str, str], str], str],
                      again: Callable[[dict[str, str], str], HTMLResponse]) -> Response:
    """A board member's form: *act* (the unit of work, the posted fields, the actor) reads the
    fields and does the service's work in one transaction, committed, and names the page to go to
    next (303). A refusal (the service's, or :class:`_Unreadable`) writes nothing and shows the
    page again with it in one Spanish line (*again*: the fields and the line; 422)."""
    principal = require(request, *BOARD_ROLES)
    form = await _form(request)
    try:
        with unit_of_work(request) as uow:
            where = act(uow, form, _actor(principal))
            uow.commit()
    except _Unreadable as exc:
        return again(form, str(exc))
    except SeguroError as exc:
        return again(form, spanish(exc))
    return RedirectResponse(where, status_code=303)


router = APIRouter()
"""The pages of this module; ``install(app)`` includes it."""


@router.get("/parametros", response_class=HTMLResponse, include_in_schema=False)
def parameters(request: Request) -> HTMLResponse:
    on = today(request)
    rows, from_db = parameter_rows(request, on)
    return render(request, "parameters.html", rows=rows, date=on, from_db=from_db)


def home_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    on = today(request)
    with unit_of_work(request) as uow:
        position = g.reserve_position(uow, on, request.app.state.params)
        cash = g.available_cash(uow, on)
        alerts = g.list_alerts(uow)
        proposals = g.list_proposals(uow)
        calendar = g.study_calendar(uow, on)
    return render(request, "gov_home.html", status_code=status, position=position, cash=cash, alerts=alerts,
                  proposals=proposals, calendar=calendar, kinds=gd.PROPOSAL_KINDS, error=error, today=on)


@router.get("/directorio", response_class=HTMLResponse, include_in_schema=False)
def board_home(request: Request) -> HTMLResponse:
    require(request, *BOARD_ROLES)
    return home_page(request)


@router.post("/directorio/alertas", include_in_schema=False)
async def run_triggers(request: Request) -> Response:
    def act(uow: Any, form: dict[str, str], actor: str) -> str:
        prob = _read(form, "probability", lambda v: Decimal(v) if v.strip() else None, "probability: no es un número")
        g.check_triggers(uow, today(request), actor=actor, depletion_probability=prob, base=request.app.state.params)
        return "/directorio"

    return await _board_form(request, act, lambda _, error: home_page(request, error=error, status=422))


def new_page(request: Request, form: dict[str, str], error: str | None, status: int = 200) -> HTMLResponse:
    return render(request, "gov_proposal_new.html", status_code=status, form=form, kinds=gd.PROPOSAL_KINDS,
                  error=error)


@router.get("/directorio/propuestas/nueva", response_class=HTMLResponse, include_in_schema=False)
def proposal_form(request: Request) -> HTMLResponse:
    require(request, *BOARD_ROLES)
    return new_page(request, {"kind": "waiting_period"}, None)


def _transfer(form: dict[str, str]) -> int | None:
    """The art. 9 transfer in the form (céntimos; None when left blank)."""
    return parse_soles(form["transfer"], field="transfer") if form.get("transfer", "").strip() else None


@router.post("/directorio/propuestas", include_in_schema=False)
async def proposal_create(request: Request) -> Response:
    def act(uow: Any, form: dict[str, str], actor: str) -> str:
        values = _form_values(form.get("values", ""))
        effective = parse_date(form["effective_date"], field="effective_date") \
            if form.get("effective_date", "").strip() else None
        docs = [{"title": form["doc_title"].strip(), "href": form.get("doc_href", "").strip()}] \
            if form.get("doc_title", "").strip() else []
        pid = g.draft_proposal(uow, kind=form.get("kind", ""), title=form.get("title", ""), actor=actor,
                               on=today(request), summary=form.get("summary", ""), values=values,
                               effective_date=effective, transfer_cents=_transfer(form), documents=docs,
                               base=request.app.state.params)
        return f"/directorio/propuestas/{pid}"

    return await _board_form(request, act, lambda form, error: new_page(request, form, error, status=422))


def proposal_page(request: Request, pid: int, error: str | None = None, status: int = 200) -> HTMLResponse:
    with unit_of_work(request) as uow:
        try:
            detail = g.proposal_detail(uow, pid, today(request), request.app.state.params)
        except SeguroError:
            raise PageDenied(404, "not_found") from None
    return render(request, "gov_proposal.html", status_code=status, d=detail, p=detail["proposal"],
                  sectors=gd.SECTOR_LABELS, choices=gd.CHOICE_LABELS, error=error,
                  instrument_types=INSTRUMENT_TYPES)


@router.get("/directorio/propuestas/{pid}", response_class=HTMLResponse, include_in_schema=False)
def proposal_show(request: Request, pid: int) -> HTMLResponse:
    require(request, *BOARD_ROLES)
    return proposal_page(request, pid)


@router.post("/directorio/propuestas/{pid}/voto", include_in_schema=False)
async def proposal_vote(request: Request, pid: int) -> Response:
    def act(uow: Any, form: dict[str, str], actor: str) -> str:
        g.cast_vote(uow, pid, sector=form.get("sector", ""), member=form.get("member", ""),
                    choice=form.get("choice", ""), actor=actor, on=today(request), base=request.app.state.params)
        return f"/directorio/propuestas/{pid}"

    return await _board_form(request, act, lambda _, error: proposal_page(request, pid, error, status=422))


@router.post("/directorio/propuestas/{pid}/decision", include_in_schema=False)
async def proposal_decide(request: Request, pid: int) -> Response:
    def act(uow: Any, _: dict[str, str], actor: str) -> str:
        g.decide(uow, pid, actor=actor, on=today(request), base=request.app.state.params)
        return f"/directorio/propuestas/{pid}"

    return await _board_form(request, act, lambda _, error: proposal_page(request, pid, error, status=422))


def instruments_page(request: Request, form: dict[str, str], error: str | None, status: int = 200) -> HTMLResponse:
    with unit_of_work(request) as uow:
        rows = g.list_instruments(uow)
    return render(request, "gov_instruments.html", status_code=status, rows=rows, form=form, error=error,
                  types=INSTRUMENT_TYPES)


@router.get("/directorio/instrumentos", response_class=HTMLResponse, include_in_schema=False)
def instruments(request: Request) -> HTMLResponse:
    require(request, *BOARD_ROLES)
    return instruments_page(request, {"type": "decreto_supremo"}, None)


@router.post("/directorio/instrumentos", include_in_schema=False)
async def instrument_add(request: Request) -> Response:
    def act(uow: Any, form: dict[str, str], actor: str) -> str:
        transfer = _transfer(form)
        g.add_instrument(uow, type=form.get("type", ""), number=form.get("number", ""),
                         issued_on=parse_date(form.get("issued_on", ""), field="issued_on"),
                         effective_date=parse_date(form.get("effective_date", ""), field="effective_date"),
                         values=_form_values(form.get("values", "")), publication=form.get("publication", ""),
                         approved_by=form.get("approved_by", ""), actor=actor, transfer_cents=transfer,
                         base=request.app.state.params)
        return "/directorio/instrumentos"

    return await _board_form(request, act, lambda form, error: instruments_page(request, form, error, status=422))


def _statements(request: Request) -> tuple[str, gd.Statements]:
    period = request.query_params.get("periodo") or str(today(request).year)
    with unit_of_work(request) as uow:
        return period, g.fund_statements(uow, period)


@router.get("/directorio/estados", response_class=HTMLResponse, include_in_schema=False)
def statements(request: Request) -> HTMLResponse:
    require(request, *BOARD_ROLES)
    try:
        period, st = _statements(request)
    except SeguroError as exc:
        return render(request, "gov_statements.html", status_code=422, st=None, period="", error=spanish(exc))
    lang = language(request)
    body = Markup(reports.statements_body_html(st, lang=lang))
    return render(request, "gov_statements.html", st=st, period=period, error=None, body=body)


@router.get("/directorio/estados.csv", include_in_schema=False)
def statements_csv(request: Request) -> Response:
    require(request, *BOARD_ROLES)
    try:
        period, st = _statements(request)
    except SeguroError as exc:
        return Response(spanish(exc) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    return Response(reports.statements_csv(st), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="estados-{period}.csv"'})


@router.get("/directorio/estados.pdf", include_in_schema=False)
def statements_pdf(request: Request) -> Response:
    require(request, *BOARD_ROLES)
    try:
        period, st = _statements(request)
    except SeguroError as exc:
        return Response(spanish(exc) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    return Response(reports.statements_pdf(reports.statements_html(st, period)), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="estados-{period}.pdf"'})


def study_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    on = today(request)
    with unit_of_work(request) as uow:
        studies = g.latest_studies(uow)
        calendar = g.study_calendar(uow, on)
    return render(request, "gov_study.html", status_code=status, studies=studies, calendar=calendar,
                  error=error, default_year=on.year - 1)


@router.get("/directorio/estudio", response_class=HTMLResponse, include_in_schema=False)
def study(request: Request) -> HTMLResponse:
    require(request, *BOARD_ROLES)
    return study_page(request)


@router.post("/directorio/estudio", include_in_schema=False)
async def study_run(request: Request) -> Response:
    def act(uow: Any, form: dict[str, str], actor: str) -> str:
        year = _read(form, "year", int, "year: debe ser un año (AAAA)")
        g.run_study(uow, year, actor=actor, on=today(request), base=request.app.state.params)
        return "/directorio/estudio"

    return await _board_form(request, act, lambda _, error: study_page(request, error, status=422))


def install(app: FastAPI) -> None:
    app.include_router(router)
