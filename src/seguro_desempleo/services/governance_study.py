"""The art. 10 study from the fund's own data (issue 28): the experience figures by year, sex and
sector as the law counts them, the ``experience-YYYY`` assumption set the valuation engine
projects, the stored studies and the calendar of the next one. Moved out of
:mod:`seguro_desempleo.services.governance` (issue 24: no file over 600 lines), which still
answers these names."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from seguro_desempleo.domain import governance as gd
from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.errors import InputError, NotFoundError
from seguro_desempleo.parameters.model import (
    ParameterSet,
)
from seguro_desempleo.services.governance import (
    YEAR_CLOSE_EVENT,
    _audit,
    _repo,
    basis_label,
    net_assets,
    operational_parameters,
    parameters_for,
)


def _d(x: Any) -> Decimal:
    return Decimal(int(x or 0))


def experience_figures(uow: Any, year: int, base: ParameterSet | None = None) -> dict[str, Any]:
    """The fund's experience in *year* from its own records: by sex (workers) and sector
    (employers), each with its count and amounts in céntimos; averages to the céntimo.

    Covered workers, worker-months and insurable pay are counted as the law counts them (decision
    0424: inside the phase of coverage in force, art. 3; under a covered contract; without a former
    employer's post-termination pay; the charged base) — these feed the assumption set; the
    ``declared_*`` figures beside them count every month of an active declaration."""
    data = _repo(uow).experience_data(year, year_close_event=YEAR_CLOSE_EVENT, params=parameters_for(uow, base))
    total, claims, payments, sex_of = data.total, data.claims, data.payments, data.sex_of
    declared_total = data.declared_total
    by_sex: dict[str, dict[str, Any]] = {k: dict(v) for k, v in data.by_sex.items()}
    by_sector: dict[str, dict[str, Any]] = {k: dict(v) for k, v in data.by_sector.items()}
    declared, collected = dict(data.declared), dict(data.collected)
    for sector, row in by_sector.items():
        row["contributions_declared"] = declared.get(sector, 0)
        row["contributions_collected"] = collected.get(sector, 0)

    # Claims filed in the year and the benefits paid in it, by the worker's sex.
    paid_claims = {cid for cid, *_ in payments}
    eligible_states = {"approved", "paying", "suspended", "exhausted"}

    def claim_block(keep: Any) -> dict[str, Any]:
        mine = [(cid, st) for cid, ref, st in claims if keep(sex_of.get(str(ref), "?"))]
        pays = [(cid, amt) for cid, amt, ref in payments if keep(sex_of.get(str(ref), "?"))]
        denied = sum(1 for _, st in mine if st == "denied")
        eligible = sum(1 for cid, st in mine if st in eligible_states or (st == "closed" and cid in paid_claims))
        n_paid_claims = len({cid for cid, _ in pays})
        amount = sum(int(a) for _, a in pays)
        return {"claims_filed": len(mine), "claims_eligible": eligible, "claims_denied": denied,
                "eligibility_rate": _ratio(eligible, eligible + denied),
                "benefit_payments": len(pays), "benefits_paid": amount, "claims_paid": n_paid_claims,
                "average_benefit": _avg_cents(amount, len(pays)),
                "average_duration_months": _ratio(len(pays), n_paid_claims, "0.01"),
                "average_monthly_beneficiaries": _ratio(len(pays), 12, "0.01")}

    totals = claim_block(lambda _: True)
    for sex in set(by_sex) | {sex_of.get(str(r), "?") for _, r, _ in claims}:
        by_sex.setdefault(sex, {"covered_workers": 0, "worker_months": 0, "insurable_pay": 0, "declared_workers": 0,
                                "declared_worker_months": 0, "declared_insurable_pay": 0})
        by_sex[sex].update(claim_block(lambda x, sex=sex: x == sex))
    for row in (*by_sex.values(), *by_sector.values()):
        row["average_insurable_pay"] = _avg_cents(row["insurable_pay"], row["worker_months"])

    def flow(account: str, side: str) -> int:
        debit, credit = data.flows.get(account, (0, 0))
        return int(debit if side == "debit" else credit)

    result = {
        "year": year,
        "total": {"covered_workers": int(total[0]), "worker_months": int(total[1]),
                  "insurable_pay": int(total[2]), "average_insurable_pay": _avg_cents(int(total[2]), int(total[1])),
                  "average_monthly_contributors": _ratio(int(total[1]), 12, "0.01"),
                  "declared_workers": int(declared_total[0]), "declared_worker_months": int(declared_total[1]),
                  "declared_insurable_pay": int(declared_total[2]),
                  "contributions_declared": sum(declared.values()),
                  "contributions_collected": sum(collected.values()),
                  "recoveries": flow(Accounts.OVERPAYMENT_RECEIVABLE, "credit"),
                  "admin_costs": flow(Accounts.ADMIN_EXPENSE, "debit"),
                  "investment_income": flow(Accounts.INVESTMENT_INCOME, "credit"), **totals},
        "by_sex": dict(sorted(by_sex.items())),
        "by_sector": dict(sorted(by_sector.items())),
    }
    return result


def _ratio(num: int, den: int, q: str = "0.0001") -> str | None:
    if not den:
        return None
    return str((Decimal(num) / Decimal(den)).quantize(Decimal(q), rounding=ROUND_HALF_EVEN))


def _avg_cents(total: int, n: int) -> int | None:
    if not n:
        return None
    return int((Decimal(total) / n).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


STUDY_HORIZON_YEARS = 10


def experience_assumption_set(figures: Mapping[str, Any], *, opening_reserve_cents: int,
                              contribution_rate: Decimal) -> dict[str, Any]:
    """The ``experience-YYYY`` assumption set (the shape of ``ilo-2021.yaml``): the study year's
    insurable pay, beneficiaries, average benefit, contributors and admin-cost rate from the
    books; later years carried on at the ILO 2021 set's growth (its macro path; no forecast of
    this tool's own); the opening reserve is the fund's net assets at the start of the year."""
    from seguro_desempleo.actuarial.assumptions import extend_to, load_assumptions

    year = int(figures["year"])
    last = year + STUDY_HORIZON_YEARS
    ilo = extend_to(load_assumptions("ilo-2021"), last)
    t = figures["total"]
    thousand = Decimal(100_000)                                  # céntimos in a thousand soles

    def grown(first_value: Decimal, series: Mapping[int, Decimal]) -> dict[int, str]:
        out = {year: first_value}
        for y in range(year + 1, last + 1):
            prev, cur = series.get(y - 1), series.get(y)
            g = (cur / prev) if prev and cur else Decimal(1)
            out[y] = out[y - 1] * g
        return {y: str(v.quantize(Decimal("0.0001"))) for y, v in out.items()}

    earnings = Decimal(t["insurable_pay"]) / thousand
    beneficiaries = Decimal(t["average_monthly_beneficiaries"] or 0)
    avg_benefit = (Decimal(t["average_benefit"]) / 100) if t["average_benefit"] else ilo.average_monthly_benefit.get(
        year, Decimal(0))
    admin_rate = (Decimal(t["admin_costs"]) / Decimal(t["insurable_pay"])).quantize(Decimal("0.000001")) \
        if t["admin_costs"] and t["insurable_pay"] else ilo.admin_cost_rate
    contributors = Decimal(t["average_monthly_contributors"] or 0)
    src = f"experience study {year}: the fund's books (art. 10)"
    growth = "later years at the ILO 2021 set's growth (assumption, not the fund's experience)"
    macro = {k: {y: str(v.get(y, v[max(v)])) for y in range(min(ilo.first_year, year), last + 1)}
             for k, v in ilo.macro.items()}
    return {
        "name": f"experience-{year}",
        "title": f"Estudio de experiencia del fondo {year} (art. 10)",
        "years": {"first": year, "last": last},
        "conventions": {"admin_cost_basis": "insurable_earnings", "interest_crediting": ilo.interest_crediting,
                        "benefit_start_year": year},
        "scalars": {
            "opening_reserve": {"value": str((Decimal(opening_reserve_cents) / thousand).quantize(Decimal("0.001"))),
                                "source": f"{src}: net assets at 1 January {year}"},
            "contribution_rate": {"value": str(contribution_rate), "source": "parameter financing.contribution_rate"},
            "admin_cost_rate": {"value": str(admin_rate),
                                "source": f"{src}: admin costs / insurable pay" if t["admin_costs"]
                                else "ilo-2021 (no admin costs in the books)"},
            "reserve_target_multiple": {"value": "2", "source": "art. 8 target, 24 months"},
        },
        "series": {
            "insurable_earnings": {"source": f"{src}; {growth}",
                                   "values": grown(earnings, ilo.insurable_earnings)},
            "average_monthly_beneficiaries": {"source": f"{src}; {growth}",
                                              "values": grown(beneficiaries, ilo.average_monthly_beneficiaries)},
            "average_monthly_benefit": {"source": f"{src}; {growth}",
                                        "values": grown(avg_benefit, ilo.average_monthly_benefit)},
            "real_interest_rate": {"source": "ilo-2021 (held)",
                                   "values": {y: str(ilo.real_interest_rate.get(y, ilo.real_interest_rate[
                                       max(ilo.real_interest_rate)])) for y in range(year, last + 1)}},
            "contributors": {"source": f"{src}; {growth}", "values": grown(contributors, ilo.contributors)},
        },
        "macro": {"source": "ilo-2021 macro path (held after 2030)", **macro},
    }


def run_study(uow: Any, year: int, *, actor: str, on: dt.date, base: ParameterSet | None = None) -> dict[str, Any]:
    """The art. 10 experience study of *year*: figures from the books, the assumption set they
    feed, its valuation (projection at the rate in force), stored with its inputs and report."""
    import yaml

    from seguro_desempleo.actuarial.assumptions import parse_assumptions

    if not 2000 <= year <= 2100:
        raise InputError("a year from 2000 to 2100", field="year")
    if dt.date(year, 12, 31) > on:
        raise InputError(f"the year {year} has not ended on {on.isoformat()}", field="year")
    figures = experience_figures(uow, year, base)
    rate = Decimal(operational_parameters(uow, base).at(dt.date(year, 12, 31))["financing.contribution_rate"])
    raw = experience_assumption_set(figures, opening_reserve_cents=net_assets(uow, dt.date(year - 1, 12, 31)),
                                    contribution_rate=rate)
    text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    a = parse_assumptions(yaml.safe_load(text), where=raw["name"])
    from seguro_desempleo.actuarial.projection import project
    from seguro_desempleo.actuarial.valuation import table

    rows = table(project(a))
    previous = _repo(uow).previous_study_year(year)
    report = {"assumptions": raw["name"], "basis": basis_label(raw["name"]), "projection": rows,
              "previous_study_year": previous}
    due = gd.next_study_due(year, year)
    study_id = _repo(uow).add_study(year=year, run_on=on, next_due=due,
                                    inputs=json.loads(json.dumps(figures, default=str)),
                                    report=json.loads(json.dumps(report, default=str)), assumptions_yaml=text,
                                    run_by=actor[:80])
    _audit(uow, actor, "study.run", f"study:{study_id}", None, {"year": year, "next_due": due})
    return {"id": study_id, "year": year, "figures": figures, "assumptions": raw["name"], "projection": rows,
            "next_due": due}


def latest_studies(uow: Any) -> list[Any]:
    return _repo(uow).studies(10)


def latest_experience_set(uow: Any) -> str | None:
    year = _repo(uow).latest_study_year()
    return f"experience-{year}" if year is not None else None


def study_calendar(uow: Any, on: dt.date) -> dict[str, Any]:
    last = _repo(uow).last_study_year()
    first_period = _repo(uow).first_declared_period()
    first_year = int(first_period) // 12 if first_period is not None else on.year
    due = gd.next_study_due(int(last) if last is not None else None, first_year)
    return {"last_study_year": last, "next_due": due, "overdue": on > due}


def _experience_from(uow: Any, year: int, name: str) -> Any:
    import yaml

    from seguro_desempleo.actuarial.assumptions import parse_assumptions

    text = _repo(uow).study_assumptions(year)
    if text is None:
        raise NotFoundError(f"no experience study for {year}: run 'seguro-desempleo study {year}'",
                            field="assumptions")
    return parse_assumptions(yaml.safe_load(text), where=name)


def experience_assumptions(uow: Any, name: str) -> Any:
    """The stored ``experience-YYYY`` set (the latest study of that year), read through *uow*.

    The valuation engine reaches it by name through the loader the composition root registers
    (:func:`seguro_desempleo.bootstrap.register_assumption_loaders`): ``actuarial/`` never imports
    a service."""
    try:
        year = int(name.removeprefix("experience-"))
    except ValueError:
        raise NotFoundError(f"unknown assumption set '{name}' (experience-YYYY)", field="assumptions") from None
    return _experience_from(uow, year, name)
