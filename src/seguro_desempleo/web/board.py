"""The board's and the public dashboard (art. 2 transparency, art. 12 tripartite board).

``/transparencia`` is public; ``/tablero`` (role ``board``) adds the trial balance. Both show the
fund balance and reserve ratio over time, contributions vs benefits by month, coverage by sex,
age band, region and sector, the claims figures (beneficiaries, average benefit, approval and
denial reasons, time to decision, re-employment) and the latest actuarial valuation summary —
every chart with its table and a CSV. Counts from 1 to 4 are suppressed; no personal data.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from seguro_desempleo.domain.access import Role
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period, period_of
from seguro_desempleo.services import ledger
from seguro_desempleo.web import charts, i18n, queries
from seguro_desempleo.web.common import PageDenied, require, today, unit_of_work

DATASETS = ("flujos", "cobertura", "reclamos", "valuacion")
FLOW_MONTHS = 24
COMPLETE_LAG = 2


DASHBOARD_SIM = {"persons": 50_000, "months": 36, "seed": 1, "burn_in": 24}
"""The microsimulation behind the dashboard's second basis: small (about 1 s, numpy engine while the
compiled kernels are not cached) — the figures move by about a percent with the seed."""


def _basis_rows(a: Any) -> dict[str, Any]:
    from seguro_desempleo.actuarial.basis import basis_label, basis_label_en
    from seguro_desempleo.actuarial.projection import project
    from seguro_desempleo.actuarial.valuation import solve, table

    rows = table(project(a))
    solved = solve(a, "reserve_multiple=2")
    return {"assumptions": a.name, "basis": basis_label(a.name), "basis_en": basis_label_en(a.name), "rows": rows,
            "rate_pct": solved["rate_pct"], "final_ratio": rows[-1]["reserve_ratio"]}


@cache
def valuation_summary() -> dict[str, Any]:
    """The latest valuation (ILO 2021 assumptions, the bill's design): yearly table and solvency; beside it
    the same projection on the microsimulation of the bill (``microsim-bill``) and the reserve target of
    ``financing.reserve_target_months`` (issue 29: every projection labelled with its basis)."""
    from seguro_desempleo.actuarial.valuation import Request as ValuationRequest
    from seguro_desempleo.actuarial.valuation import build
    from seguro_desempleo.parameters.model import default_parameters

    ilo = _basis_rows(build(ValuationRequest()))
    bases = [ilo]
    try:
        from seguro_desempleo.actuarial.microsim import assumptions_from_result, simulate_design

        result = simulate_design("bill", DASHBOARD_SIM["persons"], DASHBOARD_SIM["months"], DASHBOARD_SIM["seed"],
                                 DASHBOARD_SIM["burn_in"])
        bases.append(_basis_rows(assumptions_from_result(result)))
    except Exception:
        pass
    months = Decimal(str(default_parameters().at(today_for_params())["financing.reserve_target_months"]))
    return {**ilo, "bases": bases, "target_months": int(months), "target_years": float(months / 12)}


def today_for_params() -> Any:
    import datetime as dt

    return dt.date.today()


def _reserve(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _fingerprint(uow: Any) -> tuple[int, ...]:
    """Changes whenever a figure of the dashboard can change (new entries, declarations, claim events)."""
    fingerprint: tuple[int, ...] = uow.reads.dashboard_fingerprint()
    return fingerprint


def gather_data(request: Request) -> dict[str, Any]:
    """The dashboard's figures (no charts): aggregates only, small cells suppressed."""
    on = today(request)
    with unit_of_work(request) as uow:
        fingerprint = (on.isoformat(), *_fingerprint(uow))
        cache: dict[Any, Any] = request.app.state.__dict__.setdefault("_dashboard_cache", {})
        if ("data", fingerprint) in cache:
            return dict(cache[("data", fingerprint)])
        flows = queries.monthly_flows(uow)[-FLOW_MONTHS:]
        position = queries.fund_position(uow)
        # PLAME for month M is filed during M+1: the last complete month is two months back.
        coverage_period = period_of(on) - COMPLETE_LAG
        insured, breakdown = queries.coverage(uow, coverage_period)
        trial = ledger.trial_balance(uow)
        from seguro_desempleo.web.claims_stats import claim_statistics

        claims = claim_statistics(uow, request, on)
    data = {"flows": flows, "position": position, "insured": insured, "breakdown": breakdown, "trial": trial,
            "claims": claims, "valuation": valuation_summary(), "reserve": _reserve,
            "coverage_period": format_period(coverage_period), "fund_now": flows[-1].fund if flows else 0,
            "fingerprint": fingerprint, "period_label": format_period}
    cache.clear()       # one state of the books at a time
    cache[("data", fingerprint)] = data
    return dict(data)


def charts_for(request: Request, data: dict[str, Any], lang: str) -> dict[str, str]:
    """The SVG charts of *data* in *lang*, rendered once per state of the books."""
    cache: dict[Any, Any] = request.app.state.__dict__.setdefault("_dashboard_cache", {})
    key = ("svg", lang, data["fingerprint"])
    if key in cache:
        return dict(cache[key])
    t = lambda k: i18n.text(k, lang)  # noqa: E731
    flows: list[queries.MonthFlows] = data["flows"]
    labels = [i18n.mes(f.label, lang) for f in flows]                  # months for people (issue 30)
    svg: dict[str, str] = {}
    books = f"{t('basis')}: {t('basis_books')}"
    if flows:
        svg["fund"] = charts.line_chart(t("chart_fund"), labels, {t("fund_balance"): [f.fund / 100 for f in flows]},
                                        ylabel="S/", subtitle=books)
        svg["reserve"] = charts.line_chart(t("chart_reserve_ratio"), labels,
                                           {t("reserve_ratio"): [f.reserve_ratio for f in flows]}, subtitle=books)
        svg["flows"] = charts.bar_chart(t("chart_flows"), labels, {
            t("declared"): [f.declared / 100 for f in flows], t("collected"): [f.collected / 100 for f in flows],
            t("benefits_paid"): [f.benefits / 100 for f in flows]}, ylabel="S/")
    for b in data["breakdown"]:
        shown = [(k, v) for k, v in b.rows if v is not None]
        if shown:
            svg["cov_" + b.dimension] = charts.bar_chart(f"{t('insured')} — {t('dim_' + b.dimension)}",
                                                         [i18n.category(b.dimension, k, lang) for k, _ in shown],
                                                         {t('insured'): [v for _, v in shown]},
                                                         horizontal=True)
    claims = data["claims"]
    if claims and claims["reasons"]:
        shown = [(k, v) for k, v in claims["reasons"] if v is not None]
        if shown:
            svg["reasons"] = charts.bar_chart(t("chart_reasons"), [t("reqname_" + k) for k, _ in shown],
                                              {t("claims"): [v for _, v in shown]}, horizontal=True)
    if claims and claims["monthly"]:
        svg["beneficiaries"] = charts.bar_chart(t("chart_beneficiaries"), [i18n.mes(p, lang) for p, _, _ in claims["monthly"]],
                                                {t("beneficiaries"): [n for _, n, _ in claims["monthly"]]})
    val = data["valuation"]
    label = "basis" if lang == "es" else "basis_en"
    svg["valuation"] = charts.line_chart(t("chart_valuation"), [str(r["year"]) for r in val["rows"]],
                                         {t("reserve_ratio"): [float(Decimal(r["reserve_ratio"])) for r in val["rows"]]},
                                         subtitle=f"{t('basis')}: {val[label]}")
    svg["bases"] = charts.line_chart(
        t("chart_bases"), [str(r["year"]) for r in val["rows"]],
        {b[label]: [float(Decimal(r["reserve_ratio"])) for r in b["rows"]] for b in val["bases"]},
        hlines={f"{t('reserve_target')} ({val['target_months']} m)": val["target_years"]})
    cache[key] = svg
    return dict(svg)


def gather(request: Request, lang: str) -> dict[str, Any]:
    data = gather_data(request)
    return {**data, "svg": charts_for(request, data, lang)}


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (CSV injection): text that starts with
    ``= + - @``, a tab or a carriage return gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` with every cell passed through :func:`safe_cell` (the public datasets)."""

    def __init__(self, writer: Any) -> None:
        self._w = writer

    def writerow(self, row: Any) -> Any:
        return self._w.writerow([safe_cell(v) for v in row])


def dataset_csv(request: Request, name: str) -> str:
    data = gather_data(request)
    buf = io.StringIO()
    w = SafeCsvWriter(csv.writer(buf, lineterminator="\n"))
    if name == "flujos":
        w.writerow(["periodo", "aportes_declarados", "aportes_cobrados", "prestaciones", "saldo_fondo",
                    "ratio_reserva"])
        for f in data["flows"]:
            w.writerow([f.label, cents_to_str(f.declared), cents_to_str(f.collected), cents_to_str(f.benefits),
                        cents_to_str(f.fund), "" if f.reserve_ratio is None else f"{f.reserve_ratio:.4f}"])
    elif name == "cobertura":
        w.writerow(["dimension", "categoria", "asegurados"])
        for b in data["breakdown"]:
            for k, v in b.rows:
                w.writerow([b.dimension, k, "<5" if v is None else v])
    elif name == "reclamos":
        w.writerow(["indicador", "categoria", "valor"])
        c = data["claims"] or {}
        for k, v in c.get("by_state", []):
            w.writerow(["estado", k, "<5" if v is None else v])
        for k, v in c.get("reasons", []):
            w.writerow(["motivo_denegacion", k, "<5" if v is None else v])
        for g in c.get("groups", []):
            w.writerow([f"solicitudes_{g.dimension}", g.category, "<5" if g.claims is None else g.claims])
            w.writerow([f"aprobadas_{g.dimension}", g.category, "<5" if g.approved is None else g.approved])
            w.writerow([f"tasa_aprobacion_{g.dimension}", g.category,
                        "" if g.approval_rate is None else g.approval_rate])
        for p, n, avg in c.get("monthly", []):
            w.writerow(["beneficiarios_mes", format_period(p), "<5" if n is None else n])
            w.writerow(["pago_promedio_mes", format_period(p), "" if avg is None else cents_to_str(avg)])
        for key in ("beneficiaries", "average_benefit", "median_days_to_decision", "reemployment_rate"):
            if key in c:
                w.writerow([key, "", "" if c[key] is None else c[key]])
    elif name == "valuacion":
        rows = data["valuation"]["rows"]
        w.writerow(list(rows[0]))
        for r in rows:
            w.writerow(list(r.values()))
    return buf.getvalue()


def _fund_alerts(request: Request) -> list[dict[str, Any]]:
    """The latest payment runs the fund could not pay in full (issue 25), for the board."""
    from seguro_desempleo.services.controls import fund_alerts

    with unit_of_work(request) as uow:
        return [{**a, "period_label": format_period(int(a["period"]))} for a in fund_alerts(uow, limit=12)]


def install(app: FastAPI) -> None:
    from seguro_desempleo.web.routes import language, render

    @app.get("/transparencia", response_class=HTMLResponse, include_in_schema=False)
    def public_dashboard(request: Request) -> HTMLResponse:
        return render(request, "dashboard.html", board=False, **gather(request, language(request)))

    @app.get("/tablero", response_class=HTMLResponse, include_in_schema=False)
    def board_dashboard(request: Request) -> HTMLResponse:
        require(request, Role.BOARD, Role.ANALYST)
        return render(request, "dashboard.html", board=True, fund_alerts=_fund_alerts(request),
                      **gather(request, language(request)))

    @app.get("/transparencia/datos/{name}.csv", include_in_schema=False)
    def dataset(name: str, request: Request) -> Response:
        if name not in DATASETS:
            raise PageDenied(404, "not_found")
        return Response(dataset_csv(request, name), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
