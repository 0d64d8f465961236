"""CLI: ``payroll`` — import declarations, register employers and workers, payments, arrears, history."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from seguro_desempleo.cli.db import DbOption
from seguro_desempleo.errors import InputError, SeguroError

FormatOption = Annotated[str, typer.Option("--format", help="text or json")]


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise InputError(f"unknown format '{fmt}' (text|json)", field="--format")


def _soles(amount: object) -> str:
    """A soles string of a JSON answer (``"1680.00"``) as people read it: ``S/ 1,680.00``."""
    from seguro_desempleo.money import format_soles, parse_soles

    return format_soles(parse_soles(str(amount), allow_negative=True))


def _date(value: str | None, field: str) -> dt.date:
    from seguro_desempleo.periods import parse_date

    return parse_date(value, field=field) if value else dt.date.today()


def _renamed(exc: SeguroError, options: dict[str, str]) -> SeguroError:
    """*exc* with the service's field name replaced by the command's option (``paid_on`` → ``--date``)."""
    if exc.field not in options:
        return exc
    return type(exc)(exc.message, field=options[exc.field], where=exc.where)


_PAY_OPTIONS = {"ruc": "--ruc", "period": "--period", "amount": "--amount", "paid_on": "--date",
                "interest": "--interest", "reference": "--reference"}


payroll = typer.Typer(help="Payroll declarations (PLAME, T-Registro, CSV), employers, payments and arrears.",
                      no_args_is_help=True)


@payroll.command("import")
def import_(
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help="0601AAAAMM<RUC>.rem, RP_<RUC>.per, "
                                               "0601AAAAMM<RUC>.snl/.jor, RP_<RUC>.tra, .csv or .parquet "
                                               "files; the other PLAME/T-Registro files are skipped "
                                               "with a notice.")],
    partial: Annotated[bool, typer.Option("--partial", help="Keep the good lines of a file with bad lines.")]
    = False,
    fmt: FormatOption = "text",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date taken as today: for 'period in the future' "
                                              "and as the date of the import's ledger entries "
                                              "(default: today).")] = None,
    db: DbOption = None,
) -> None:
    """Import payroll files in one transaction: each file whole or not at all (unless --partial).

    Exit status: 0 when every file was accepted, already imported or skipped (a PLAME or
    T-Registro file the insurance does not need), 1 when some file was rejected (the others
    are imported), 2 on an error that stopped the import.
    """
    from seguro_desempleo.bootstrap import import_files  # the import wired: parsers, unit of work

    _check_format(fmt)
    today = _date(as_of, "--as-of")
    if fmt == "text" and len(files) > 50:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("importing", total=len(files))
            summary = import_files(files, db=db, partial=partial, today=today,
                                   progress=lambda done, _total: bar.update(task, completed=done))
    else:
        summary = import_files(files, db=db, partial=partial, today=today)
    if fmt == "json":
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        d = summary.as_dict()
        typer.echo(f"{d['files']} file(s): {d['accepted']} accepted, {d['rejected']} rejected, "
                   f"{d['duplicates']} already imported (unchanged), {d['superseded']} declaration(s) superseded; "
                   f"{d['contributions']} contribution record(s), {_soles(d['contribution_due'])} due")
        for f in summary.files:
            if f.status == "duplicate":
                typer.echo(f"{f.file}: already imported, nothing changed")
        for notice in summary.notices[:200]:  # accepted, read in a way worth saying (issue 31)
            typer.echo("notice: " + notice.one_line())
        if len(summary.notices) > 200:
            typer.echo(f"... and {len(summary.notices) - 200} more notice(s); use --format json")
        for issue in summary.issues[:200]:
            typer.echo(issue.one_line(), err=True)
        if len(summary.issues) > 200:
            typer.echo(f"... and {len(summary.issues) - 200} more issue(s); use --format json", err=True)
    if summary.rejected:
        raise typer.Exit(1)


@payroll.command("employer")
def employer(
    ruc: Annotated[str, typer.Option("--ruc", help="The employer's RUC (11 digits).")],
    name: Annotated[str, typer.Option("--name", help="Razón social.")],
    size: Annotated[str | None, typer.Option("--size", help="micro|small|medium|large (declared)")] = None,
    sales_uit: Annotated[str | None, typer.Option("--sales-uit", help="Annual sales in UIT (Ley 30056)")] = None,
    sector: Annotated[str, typer.Option("--sector", help="private or public.")] = "private",
    region: Annotated[str | None, typer.Option("--region", help="Region (departamento).")] = None,
    db: DbOption = None,
) -> None:
    """Register or update an employer."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.services.registry import is_covered, register_employer

    with unit_of_work(db) as uow:
        e = register_employer(uow, ruc, name, size_class=size, annual_sales_uit=sales_uit, sector=sector,
                              region=region)
        covered = is_covered(e, uow=uow)        # the phase in force, instruments included (issue 28)
        uow.commit()
    typer.echo(f"employer {e.ruc}: size {e.size_class or 'unknown'} ({e.size_source}), "
               f"{'covered' if covered else 'not covered'} in the current phase")


@payroll.command("concept")
def concept_cmd(
    ruc: Annotated[str, typer.Option("--ruc", help="The employer's RUC (11 digits).")],
    concept: Annotated[str, typer.Option("--concept", help="Tabla 22 'otros conceptos' code, 1001-1040.")],
    essalud: Annotated[str, typer.Option("--essalud", help="si|no: whether the employer set the concept "
                                         "as affected by EsSalud (its PLAME configuration).")],
    db: DbOption = None,
) -> None:
    """Register the EsSalud flag an employer set for one of its 'otros conceptos' (1001-1040).

    Until it is registered, the concept's lines are imported but not counted as insurable pay
    (with a notice)."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.errors import InputError
    from seguro_desempleo.services.payroll_import import register_concept_flag

    flag = essalud.strip().lower()
    if flag not in ("si", "sí", "yes", "no"):
        raise InputError("must be si or no", field="--essalud")
    with unit_of_work(db) as uow:
        code = register_concept_flag(uow, ruc, concept, flag != "no")
        uow.commit()
    typer.echo(f"concept {code}: {'counted' if flag != 'no' else 'not counted'} as insurable pay for this employer")


@payroll.command("employer-sizes")
def employer_sizes_cmd(
    ruc: Annotated[str, typer.Option("--ruc", help="The employer's RUC (11 digits).")],
    db: DbOption = None,
) -> None:
    """An employer's size history (confirmed, pending, rejected), and the size in force."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.errors import NotFoundError

    with unit_of_work(db) as uow:
        e = uow.employers.by_ruc(ruc.strip())
        if e is None or e.id is None:
            raise NotFoundError(f"no employer with RUC '{ruc.strip()}'", field="ruc")
        rows = uow.employer_sizes.history(e.id)
    typer.echo(f"employer {e.ruc}: size in force {e.size_class or 'unknown'}")
    for r in rows:
        typer.echo(f"  #{r.id} from {r.valid_from.isoformat()}: {r.size_class} ({r.source}, {r.status})")


@payroll.command("size-review")
def size_review(
    size_id: Annotated[int, typer.Option("--id", help="The pending size record (see employer-sizes)")],
    accept: Annotated[bool, typer.Option("--accept/--reject", help="Accept the declared size, or reject it.")],
    actor: Annotated[str, typer.Option("--actor", help="The staff member who reviews (audited)")],
    db: DbOption = None,
) -> None:
    """Staff accept or reject a size an employer declared itself (issue 25: pending until reviewed)."""
    import datetime as dt

    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.services import employer_size

    with unit_of_work(db) as uow:
        # an accepted size re-liquidates the months it now covers (issue 26)
        rec = employer_size.review_size(uow, size_id, accept=accept, by=actor)
        uow.audit.append(
            who=actor, when=dt.datetime.now(dt.UTC), action="employer.size_review",
            entity=f"employer_size:{size_id}", before={"status": "pending"}, after=rec.to_dict())
        uow.commit()
    typer.echo(f"size record #{rec.id}: {rec.size_class} from {rec.valid_from.isoformat()} {rec.status}")


@payroll.command("reliquidate")
def reliquidate_cmd(
    ruc: Annotated[str, typer.Option("--ruc", help="The employer's RUC (11 digits).")],
    since: Annotated[str, typer.Option("--since", help="First day re-liquidated (YYYY-MM-DD or dd/mm/aaaa).")],
    actor: Annotated[str, typer.Option("--actor", help="The staff member who runs it (audited)")],
    db: DbOption = None,
) -> None:
    """Re-liquidate an employer's declared months from a date by the sizes on record (issue 26):
    a catch-up for a size confirmed elsewhere; idempotent (nothing posted when in line)."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.errors import NotFoundError
    from seguro_desempleo.services import employer_size

    with unit_of_work(db) as uow:
        e = uow.employers.by_ruc(ruc.strip())
        if e is None or e.id is None:
            raise NotFoundError(f"no employer with RUC '{ruc.strip()}'", field="ruc")
        out = employer_size.reliquidate(uow, e.id, _date(since, "--since"), actor=actor, on=dt.date.today())
        uow.commit()
    typer.echo(f"employer {out.ruc}: {len(out.months)} month(s) re-liquidated, "
               f"change in dues S/ {out.as_dict()['delta']}")


@payroll.command("worker")
def worker(
    doc_type: Annotated[str, typer.Option("--doc-type", help="Tabla 3 code, 01 = DNI")],
    doc_number: Annotated[str, typer.Option("--doc-number", help="Document number (8 digits for a DNI).")],
    sex: Annotated[str | None, typer.Option("--sex", help="M or F")] = None,
    birth_date: Annotated[str | None, typer.Option("--birth-date", help="YYYY-MM-DD or dd/mm/aaaa")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region (departamento).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Full name (personal data)")] = None,
    doc_country: Annotated[str | None, typer.Option(
        "--doc-country", help="Issuing country (Tabla 26 code, e.g. 604 Perú) of a 07/24 document: part of "
        "the worker's identity (decision 0411); ignored for documents Peru issues.")] = None,
    db: DbOption = None,
) -> None:
    """Register a worker, or complete one first seen in a payroll file."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.services.registry import register_worker

    with unit_of_work(db) as uow:
        w = register_worker(uow, doc_type, doc_number, sex=sex, birth_date=birth_date, region=region,
                            full_name=name, doc_country=doc_country)
        uow.commit()
    typer.echo(f"worker registered (id {w.id})")


@payroll.command("pay")
def pay(
    ruc: Annotated[str, typer.Option("--ruc", help="The employer's RUC.")],
    period: Annotated[str, typer.Option("--period", help="YYYY-MM")],
    amount: Annotated[str, typer.Option("--amount", help="Soles, e.g. 1234.50")],
    on: Annotated[str | None, typer.Option("--date", help="Payment date (default: today)")] = None,
    interest: Annotated[str, typer.Option("--interest", help="Interest paid, soles")] = "0",
    reference: Annotated[str | None, typer.Option("--reference", help="Bank or receipt reference (optional).")] = None,
    db: DbOption = None,
) -> None:
    """Record an employer's payment of one month's contributions."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.money import format_soles, parse_soles
    from seguro_desempleo.periods import parse_period
    from seguro_desempleo.services.employer_payments import record_payment

    month = parse_period(period, field="--period")
    cents = parse_soles(amount, field="--amount")
    interest_cents = parse_soles(interest, field="--interest")
    paid_on = _date(on, "--date")
    with unit_of_work(db) as uow:
        try:
            r = record_payment(uow, ruc, month, cents, paid_on, interest=interest_cents, reference=reference,
                               today=dt.date.today())
        except SeguroError as exc:
            raise _renamed(exc, _PAY_OPTIONS) from exc
        uow.commit()
    typer.echo(f"payment {r.payment_id}: applied {format_soles(r.applied)}, unapplied "
               f"{format_soles(r.unapplied)}, outstanding {format_soles(r.outstanding_after)}"
               + (f", interest owed {format_soles(r.interest_owed)}" if r.interest_owed else ""))


@payroll.command("arrears")
def arrears_cmd(
    ruc: Annotated[str | None, typer.Option("--ruc", help="Only this employer.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Date of the calculation (default: today)")] = None,
    fmt: FormatOption = "text",
    limit: Annotated[int, typer.Option("--limit", help="At most this many months (at least 1)")] = 1000,
    db: DbOption = None,
) -> None:
    """Months declared and not fully paid after their due date, or paid late without all their
    interest, with the interest owed; payments made after --at are not counted."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.services.employer_payments import arrears

    _check_format(fmt)
    with unit_of_work(db) as uow:
        try:
            rows = arrears(uow, _date(at, "--at"), ruc=ruc, limit=limit)
        except SeguroError as exc:
            raise _renamed(exc, {"limit": "--limit", "ruc": "--ruc"}) from exc
    if fmt == "json":
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    for r in rows:
        d = r.as_dict()
        late = (f"{d['months_late']} month(s) late" if r.outstanding else
                f"paid {d['months_late']} month(s) late")
        typer.echo(f"{d['ruc']} {d['period']}: outstanding {_soles(d['outstanding'])} of {_soles(d['due'])}, "
                   f"{late}, interest {_soles(d['interest'])}")
    if not rows:
        typer.echo("no arrears")


@payroll.command("reconcile")
def reconcile_cmd(
    at: Annotated[str | None, typer.Option("--at", help="Date of the correcting entries (default: today)")]
    = None,
    db: DbOption = None,
) -> None:
    """Bring every paid month's ledger in line with its current declaration and payments.

    Imports and payments keep this right as they go; run it once on a database written before
    they did (3 December 2026): months rectified after a payment, or paid late, get one
    correcting entry each (employer.payment.reapplied). Running it again posts nothing."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.services.employer_payments import reconcile_all

    with unit_of_work(db) as uow:
        posted = reconcile_all(uow, at=_date(at, "--at"))
        uow.commit()
    typer.echo(f"{posted} month(s) corrected" if posted else "every paid month is in line; nothing posted")


@payroll.command("history")
def history(
    doc_type: Annotated[str, typer.Option("--doc-type", help="Tabla 3 code, 01 = DNI")],
    doc_number: Annotated[str, typer.Option("--doc-number", help="Document number (8 digits for a DNI).")],
    first: Annotated[str, typer.Option("--from", help="YYYY-MM")],
    last: Annotated[str, typer.Option("--to", help="YYYY-MM")],
    fmt: FormatOption = "text",
    db: DbOption = None,
) -> None:
    """A worker's monthly insurable pay across all employers, with paid flags."""
    from seguro_desempleo.bootstrap import unit_of_work
    from seguro_desempleo.domain.registry import validate_document
    from seguro_desempleo.errors import NotFoundError
    from seguro_desempleo.money import cents_to_str
    from seguro_desempleo.periods import format_period, parse_period

    _check_format(fmt)
    number = validate_document(doc_type, doc_number, field="--doc-number")
    a, b = parse_period(first, field="--from"), parse_period(last, field="--to")
    if a > b:
        raise InputError(f"{first} is after --to {last}", field="--from")
    with unit_of_work(db) as uow:
        w = uow.workers.by_document(doc_type, number)
        if w is None or w.id is None:
            raise NotFoundError("no worker with that document", field="--doc-number")
        months = uow.reads.contribution_history(w.id, a, b)
    rows = [{"period": format_period(m.period), "insurable_pay": cents_to_str(m.remuneration), "paid": m.paid}
            for m in months]
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['period']}  {_soles(r['insurable_pay']):>15}  {'paid' if r['paid'] else 'declared, unpaid'}")


def register(app: typer.Typer) -> None:
    app.add_typer(payroll, name="payroll")
