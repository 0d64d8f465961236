"""CLI of the fund's governance (issue 28; PL 5510/2022-CR arts. 8, 9, 10 and 12).

    seguro-desempleo instrument add --type decreto_supremo --number 001-2026-TR --date 2026-01-10 \\
        --effective 2026-03-01 --set requirements.waiting_period_days=15 [--transfer 1000000.00]
    seguro-desempleo instrument list
    seguro-desempleo proposal draft --kind waiting_period --title ... --set NAME=VALUE --effective DATE
    seguro-desempleo proposal vote N --sector state|employers|workers --member CODE --choice yes|no|abstain
    seguro-desempleo proposal decide N | list | show N
    seguro-desempleo study YEAR                     # art. 10 experience study → experience-YEAR
    seguro-desempleo fund admin-cost|pay-admin|invest|income|transfer-received|close|statements|position|triggers
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from seguro_desempleo.cli.db import DbOption
from seguro_desempleo.errors import InputError

SetOpt = Annotated[list[str] | None, typer.Option("--set", help="NAME=VALUE the instrument sets (repeatable)")]
AmountArg = Annotated[str, typer.Argument(help="Amount in soles, e.g. 1200.50")]
DateOpt = Annotated[str | None, typer.Option("--date", help="Date of the instrument or event (YYYY-MM-DD)")]


def _actor() -> str:
    # the OS user who ran it, in the one audit format (decision 0320: ``os:<user>``)
    try:
        return f"os:{getpass.getuser()}"[:80]
    except Exception:  # no user name in the environment
        return "os:-"


def _date(text: str | None, fld: str) -> dt.date:
    from seguro_desempleo.periods import parse_date

    return parse_date(text, field=fld) if text else dt.date.today()


def _cents(text: str | None, fld: str) -> int | None:
    from seguro_desempleo.money import parse_soles

    return parse_soles(text, field=fld) if text else None


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


_STUDY_MONEY = frozenset({"insurable_pay", "average_insurable_pay", "contributions_declared",
                          "contributions_collected", "recoveries", "admin_costs", "investment_income",
                          "benefits_paid", "average_benefit", "declared_insurable_pay"})
"""The study's amounts, kept in céntimos in the books: shown in JSON as soles (decision 0380)."""


def _figures_in_soles(value: Any, key: str = "") -> Any:
    """The experience figures with each amount in céntimos as a decimal string in soles (``"1750.00"``)."""
    from seguro_desempleo.money import cents_to_str

    if isinstance(value, dict):
        return {k: _figures_in_soles(v, k) for k, v in value.items()}
    if key in _STUDY_MONEY and isinstance(value, int) and not isinstance(value, bool):
        return cents_to_str(value)
    return value


def _uow(db: str | None) -> Any:
    from seguro_desempleo.bootstrap import unit_of_work

    return unit_of_work(db)


ins_app = typer.Typer(help="Legal instruments that change the parameters (Ley, DS, Resolución, Acuerdo).",
                      no_args_is_help=True)
prop_app = typer.Typer(help="The board's proposals and votes (art. 12).", no_args_is_help=True)
fund_app = typer.Typer(help="Solvency in the books: costs, investments, art. 9 transfer, close, statements.",
                       no_args_is_help=True)


@ins_app.command("add")
def instrument_add(
    type: Annotated[str, typer.Option("--type", help="ley | decreto_supremo | resolucion | acuerdo_directorio")],
    number: Annotated[str, typer.Option("--number", help="Official number, e.g. 012-2026-TR")],
    effective: Annotated[str, typer.Option("--effective", help="Effective date (YYYY-MM-DD)")],
    date: DateOpt = None,
    values: SetOpt = None,
    publication: Annotated[str, typer.Option("--publication", help="e.g. El Peruano, 2026-01-11")] = "",
    approved_by: Annotated[str, typer.Option("--approved-by", help="Who approved it (body or officer)")] = "",
    transfer: Annotated[str | None, typer.Option("--transfer", help="Art. 9 transfer in soles")] = None,
    proposal: Annotated[int | None, typer.Option("--proposal", help="The board proposal it enacts")] = None,
    db: DbOption = None,
) -> None:
    """Record an instrument; its values apply from its effective date (law-fixed values: Ley only)."""
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        i = g.add_instrument(uow, type=type, number=number, issued_on=_date(date, "--date"),
                             effective_date=_date(effective, "--effective"),
                             values=g.parse_values(values or []), publication=publication,
                             approved_by=approved_by, actor=_actor(), proposal_id=proposal,
                             transfer_cents=_cents(transfer, "--transfer"))
        uow.commit()
    typer.echo(f"instrument {i} recorded")


@ins_app.command("list")
def instrument_list(fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
                    db: DbOption = None) -> None:
    """Every instrument recorded, by effective date."""
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        rows = g.list_instruments(uow)
    if fmt == "json":
        _echo_json(rows)
        return
    for r in rows:
        vals = ", ".join(f"{k}={v}" for k, v in r["values"].items())
        typer.echo(f"{r['id']:>4}  {r['title']:<40} vigente desde {r['effective_date'].isoformat()}  {vals}")


@prop_app.command("draft")
def proposal_draft(
    kind: Annotated[str, typer.Option("--kind", help="rate_revision | waiting_period | coverage_phase | "
                                                     "transfer_request | investment_policy | other_parameter")],
    title: Annotated[str, typer.Option("--title", help="Short title of the proposal")],
    values: SetOpt = None,
    effective: Annotated[str | None, typer.Option("--effective", help="Proposed effective date (YYYY-MM-DD)")] = None,
    summary: Annotated[str, typer.Option("--summary", help="What it changes and why")] = "",
    transfer: Annotated[str | None, typer.Option("--transfer", help="Art. 9 amount requested, soles")] = None,
    document: Annotated[list[str] | None, typer.Option("--document", help="TITLE=URL (repeatable)")] = None,
    date: DateOpt = None,
    db: DbOption = None,
) -> None:
    """Put a proposal to the board (a rate revision gets its supporting valuation)."""
    from seguro_desempleo.services import governance as g

    docs = []
    for d in document or []:
        title_, _, href = d.partition("=")
        docs.append({"title": title_.strip(), "href": href.strip()})
    with _uow(db) as uow:
        p = g.draft_proposal(uow, kind=kind, title=title, actor=_actor(), on=_date(date, "--date"),
                             summary=summary, values=g.parse_values(values or []),
                             effective_date=_date(effective, "--effective") if effective else None,
                             transfer_cents=_cents(transfer, "--transfer"), documents=docs)
        uow.commit()
    typer.echo(f"proposal {p} drafted")


@prop_app.command("vote")
def proposal_vote(
    proposal: int,
    sector: Annotated[str, typer.Option("--sector", help="state | employers | workers")],
    member: Annotated[str, typer.Option("--member", help="The director's code (no names)")],
    choice: Annotated[str, typer.Option("--choice", help="yes | no | abstain")],
    date: DateOpt = None,
    db: DbOption = None,
) -> None:
    """One director's vote."""
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        g.cast_vote(uow, proposal, sector=sector, member=member, choice=choice, actor=_actor(),
                    on=_date(date, "--date"))
        uow.commit()
    typer.echo(f"vote recorded on proposal {proposal}")


@prop_app.command("decide")
def proposal_decide(proposal: int, date: DateOpt = None, db: DbOption = None) -> None:
    """Close the vote: approved (quorum and majority) becomes an instrument; else rejected."""
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        out = g.decide(uow, proposal, actor=_actor(), on=_date(date, "--date"))
        uow.commit()
    typer.echo(f"proposal {proposal}: {out['status']} — {out['outcome']}"
               + (f" (instrument {out['instrument_id']})" if out["instrument_id"] else ""))


@prop_app.command("list")
def proposal_list(db: DbOption = None) -> None:
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        for p in g.list_proposals(uow):
            typer.echo(f"{p.id:>4}  {p.status:<9} {p.kind:<18} {p.title}")


@prop_app.command("show")
def proposal_show(proposal: int, db: DbOption = None) -> None:
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        d = g.proposal_detail(uow, proposal, dt.date.today())
        p = d["proposal"]
        _echo_json({"id": p.id, "kind": p.kind, "title": p.title, "status": p.status, "outcome": p.outcome,
                    "values": p.params, "effective_date": p.effective_date, "valuation": p.valuation,
                    "documents": p.documents,
                    "votes": [{"sector": v.sector, "member": v.member, "choice": v.choice} for v in d["votes"]],
                    "tally": d["tally"].reason})


def study(
    year: Annotated[int, typer.Argument(help="The calendar year studied (ended)")],
    date: DateOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    db: DbOption = None,
) -> None:
    """Art. 10 experience study from the books; stores the experience-YEAR assumption set."""
    from seguro_desempleo.money import format_soles
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        out = g.run_study(uow, year, actor=_actor(), on=_date(date, "--date"))
        uow.commit()
    if fmt == "json":
        from seguro_desempleo.actuarial.output import projection_json  # thousands → soles (decision 0451)

        _echo_json({**out, "figures": _figures_in_soles(out["figures"]),
                    "projection": projection_json(out["projection"])})
        return
    t = out["figures"]["total"]
    typer.echo(f"Estudio de experiencia {year} (art. 10) → conjunto de supuestos {out['assumptions']}")
    typer.echo(f"  asegurados cubiertos {t['covered_workers']}, aportantes promedio/mes "
               f"{t['average_monthly_contributors']}, remuneración asegurable {format_soles(t['insurable_pay'])}")
    typer.echo(f"  aportes declarados {format_soles(t['contributions_declared'])}, cobrados "
               f"{format_soles(t['contributions_collected'])}")
    typer.echo(f"  solicitudes {t['claims_filed']}, elegibles {t['claims_eligible']}, denegadas "
               f"{t['claims_denied']}, prestación promedio "
               f"{format_soles(t['average_benefit']) if t['average_benefit'] is not None else '—'}, "
               f"duración promedio {t['average_duration_months'] or '—'} meses")
    typer.echo(f"  próximo estudio: a más tardar el {out['next_due'].strftime('%d/%m/%Y')}")
    typer.echo(f"  valuar: seguro-desempleo valuation --assumptions {out['assumptions']}")


def _fund_post(fn_name: str, amount: str, date: str | None, db: str | None, **kw: Any) -> None:
    from seguro_desempleo.services import governance as g

    cents = _cents(amount, "amount")
    with _uow(db) as uow:
        entry = getattr(g, fn_name)(uow, cents, at=_date(date, "--date"), actor=_actor(), **kw)
        uow.commit()
    typer.echo(f"ledger entry {entry} posted")


@fund_app.command("admin-cost")
def admin_cost(amount: AmountArg, date: DateOpt = None, db: DbOption = None) -> None:
    """Accrue an administrative cost (art. 8)."""
    _fund_post("accrue_admin_cost", amount, date, db)


@fund_app.command("pay-admin")
def pay_admin(amount: AmountArg, date: DateOpt = None, db: DbOption = None) -> None:
    """Pay accrued administrative costs from the bank."""
    _fund_post("pay_admin_cost", amount, date, db)


@fund_app.command("invest")
def invest(amount: AmountArg, date: DateOpt = None, db: DbOption = None) -> None:
    """Move cash into the reserve's investments."""
    _fund_post("invest", amount, date, db)


@fund_app.command("income")
def income(amount: AmountArg, date: DateOpt = None,
           cash: Annotated[bool, typer.Option("--cash", help="Paid into the bank (default: reinvested)")] = False,
           db: DbOption = None) -> None:
    """Investment income of the reserve."""
    _fund_post("investment_income", amount, date, db, reinvested=not cash)


@fund_app.command("transfer-received")
def transfer_received(instrument: int, amount: AmountArg, date: DateOpt = None, db: DbOption = None) -> None:
    """The Treasury's art. 9 transfer arriving, against its instrument."""
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        entry = g.transfer_received(uow, instrument, _cents(amount, "amount") or 0, at=_date(date, "--date"),
                                    actor=_actor())
        uow.commit()
    typer.echo(f"ledger entry {entry} posted")


@fund_app.command("close")
def close(year: int, db: DbOption = None) -> None:
    """Close the year: income and expense to the result, the surplus to the reserve (art. 8)."""
    from seguro_desempleo.services import governance as g

    with _uow(db) as uow:
        entry = g.year_close(uow, year, actor=_actor())
        uow.commit()
    typer.echo(f"year {year} closed (entry {entry})" if entry else f"year {year} was already closed")


@fund_app.command("statements")
def statements(
    period: Annotated[str, typer.Argument(help="YYYY (a year) or YYYY-MM (a month)")],
    fmt: Annotated[str, typer.Option("--format", help="text, csv or pdf")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (csv/pdf)")] = None,
    db: DbOption = None,
) -> None:
    """Balance sheet and income statement, reconciled with the trial balance."""
    from seguro_desempleo.money import format_soles
    from seguro_desempleo.services import governance as g

    if fmt not in ("text", "csv", "pdf"):
        raise InputError(f"unknown format '{fmt}' (text|csv|pdf)", field="--format")
    if fmt == "pdf" and out is None:
        raise InputError("a PDF needs --out FILE", field="--out")
    with _uow(db) as uow:
        st = g.fund_statements(uow, period)
    from seguro_desempleo.reports.statements import statements_csv, statements_html, statements_pdf

    if fmt == "csv":
        text = statements_csv(st)
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            typer.echo(text, nl=False)
        return
    if fmt == "pdf":
        assert out is not None
        out.write_bytes(statements_pdf(statements_html(st, period)))
        typer.echo(f"written {out}")
        return
    typer.echo(f"Estado de situación al {st.end.strftime('%d/%m/%Y')}")
    for section, items in (("Activo", st.assets), ("Pasivo", st.liabilities), ("Patrimonio", st.reserves)):
        typer.echo(f" {section}")
        for line in items:
            typer.echo(f"   {line.code}  {line.label:<56} {format_soles(line.amount):>20}")
    typer.echo(f"   {'':4}  {'Resultado del período no cerrado':<56} {format_soles(st.unclosed_result):>20}")
    typer.echo(f" Total activo {format_soles(st.total_assets)} = pasivo y patrimonio "
               f"{format_soles(st.total_liabilities + st.total_reserves)}")
    typer.echo(f"Estado de resultados {st.start.strftime('%d/%m/%Y')}–{st.end.strftime('%d/%m/%Y')}")
    for line in (*st.income, *st.expenses):
        typer.echo(f"   {line.code}  {line.label:<56} {format_soles(line.amount):>20}")
    typer.echo(f" Resultado del período {format_soles(st.result)}")
    typer.echo(f"Balance de comprobación: debe {format_soles(st.trial_debit)} = haber "
               f"{format_soles(st.trial_credit)}")


@fund_app.command("position")
def position(date: DateOpt = None, db: DbOption = None) -> None:
    """The reserve in months of benefit spending against the art. 8 target; the cash available."""
    from seguro_desempleo.money import format_soles
    from seguro_desempleo.services import governance as g

    on = _date(date, "--date")
    with _uow(db) as uow:
        pos = g.reserve_position(uow, on)
        cash = g.available_cash(uow, on)
    ratio = "—" if pos["ratio_months"] is None else f"{pos['ratio_months']:.2f}"
    typer.echo(f"activos netos {format_soles(pos['net_assets'])}; prestaciones 12 meses "
               f"{format_soles(pos['benefits_12m'])}; reserva {ratio} meses (meta {pos['target_months']}, art. 8); "
               f"caja disponible {format_soles(cash)}")


@fund_app.command("triggers")
def triggers(
    date: DateOpt = None,
    probability: Annotated[str | None, typer.Option("--depletion-probability",
                                                    help="A stochastic valuation's result (0-1)")] = None,
    stochastic: Annotated[bool, typer.Option("--stochastic", help="Run the stochastic valuation on the "
                                             "latest experience study (else ILO 2021)")] = False,
    db: DbOption = None,
) -> None:
    """Raise the board alerts that fire and draft their proposals."""
    from seguro_desempleo.services import governance as g

    on = _date(date, "--date")
    prob = None
    if probability is not None:
        from seguro_desempleo.actuarial.valuation import parse_decimal

        prob = parse_decimal(probability, "--depletion-probability")
    with _uow(db) as uow:
        if stochastic and prob is None:
            prob = g.stochastic_depletion_probability(g.latest_experience_set(uow) or "ilo-2021")
        alerts = g.check_triggers(uow, on, actor=_actor(), depletion_probability=prob)
        uow.commit()
    if not alerts:
        typer.echo("no alert")
    for a in alerts:
        typer.echo(f"alert {a['id']} ({a['kind']}): {a['message']} → proposal {a['proposal_id']}")


def register(app: typer.Typer) -> None:
    from seguro_desempleo.bootstrap import register_assumption_loaders

    register_assumption_loaders()      # valuation --assumptions experience-YYYY reads the study's set
    app.add_typer(ins_app, name="instrument")
    app.add_typer(prop_app, name="proposal")
    app.add_typer(fund_app, name="fund")
    app.command("study")(study)
