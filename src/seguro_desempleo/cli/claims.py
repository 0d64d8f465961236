"""CLI: ``claims file|decide|auto-decide|acts|act|notify|show|letter|pay-run|reconcile|reemployment|obligation|
appeal|resolve-appeal|register-employment`` and ``audit verify`` — thin wrappers over :mod:`seguro_desempleo.services.claims_app`.

Each command is one unit of work: it commits when it succeeds and writes nothing when it fails
(the error is one line, exit status 2). Dates are ISO or dd/mm/aaaa and default to today.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from seguro_desempleo.cli.db import DbOption
from seguro_desempleo.cli.users import actor_option_callback
from seguro_desempleo.errors import InputError

DateOption = Annotated[str | None, typer.Option("--date", help="Date of the act (ISO or dd/mm/aaaa; default today).")]
ActorOption = Annotated[str, typer.Option("--actor", callback=actor_option_callback, help=(
    "The account acting (recorded in the audit log; must be an enabled account). Default: the OS user."))]
FormatOption = Annotated[str, typer.Option("--format", help="text or json")]


def _date(text: str | None, field: str = "--date") -> dt.date:
    from seguro_desempleo.periods import parse_date

    return parse_date(text, field=field) if text else dt.date.today()


def _fmt(fmt: str) -> str:
    if fmt not in ("text", "json"):
        raise InputError(f"unknown format '{fmt}' (text|json)", field="--format")
    return fmt


def _echo(data: dict[str, Any], fmt: str, text: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json" else text)


def _outcome(c: Any) -> str:
    """``approved, S/ 10,500.00 in 5 installments``, ``denied (contributions)`` or the state."""
    from seguro_desempleo.money import format_soles

    total = f", {format_soles(c.decision.total)} in {len(c.decision.benefits)} installments" \
        if c.decision and c.decision.eligible else ""
    failed = [r["requirement"] for r in c.decision.reasons if not r["met"]] if c.decision else []
    why = f" ({', '.join(failed)})" if failed and c.state.value == "denied" else ""
    return f"{c.state.value}{why}{total}"


def _worker_ref(ctx: Any, worker: str | None, doc: str | None, doc_type: str) -> str:
    if worker:
        from seguro_desempleo.domain.identifiers import canonical_worker_ref

        return canonical_worker_ref(worker, field="--worker")
    if not doc:
        raise InputError("give the worker's registry id (--worker) or document (--doc)", field="--worker")
    w = ctx.uow.workers.by_document(doc_type, doc)
    if w is None or w.id is None:
        raise InputError("no insured worker with this document", field="--doc")
    return str(w.id)


claims_app = typer.Typer(help="Unemployment claims: file, decide, pay, appeal.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@claims_app.command("file")
def file_(worker: Annotated[str | None, typer.Option("--worker", help="Registry worker id.")] = None,
          doc: Annotated[str | None, typer.Option("--doc", help="Document number (instead of --worker).")] = None,
          doc_type: Annotated[str, typer.Option("--doc-type", help="Tabla 3 document type.")] = "01",
          date: DateOption = None, actor: ActorOption = "cli",
          decide_now: Annotated[bool, typer.Option("--decide", help=(
              "Decide it at once with the rules, as of the claim date, in the same transaction."))] = False,
          fmt: FormatOption = "text", db: DbOption = None) -> None:
    """File a claim after the worker's separation (one open claim per worker)."""
    from seguro_desempleo.bootstrap import claims_session as session

    fmt = _fmt(fmt)
    with session(db) as ctx:
        ref = _worker_ref(ctx, worker, doc, doc_type)
        if decide_now:
            c = ctx.service.file_and_decide(ref, _date(date), actor=actor)
        else:
            c = ctx.service.file_claim(ref, _date(date), actor=actor)
    if decide_now and c.state.value == "waiting":
        _echo(c.to_dict(), fmt, f"claim {c.id} filed: waiting (the waiting period is not over; "
                                "decide it again once it is)")
    elif decide_now:
        _echo(c.to_dict(), fmt, f"claim {c.id} filed and decided: {_outcome(c)}")
    else:
        _echo(c.to_dict(), fmt, f"claim {c.id} filed ({c.state.value})")


@claims_app.command("decide")
def decide(claim_id: Annotated[str, typer.Argument(help="Claim id, e.g. C-000001")],
           date: DateOption = None, actor: ActorOption = "cli",
           expected_version: Annotated[int | None, typer.Option("--expected-version", help="Refuse if the claim changed since this version (from claims show).")] = None,
           fmt: FormatOption = "text", db: DbOption = None) -> None:
    """Decide a filed or waiting claim with the rules (art. 3, 6, 7)."""
    from seguro_desempleo.bootstrap import claims_session as session

    fmt = _fmt(fmt)
    with session(db) as ctx:
        c = ctx.service.decide(claim_id, _date(date), actor=actor, expected_version=expected_version)
    _echo(c.to_dict(), fmt, f"claim {c.id}: {_outcome(c)}")


@claims_app.command("auto-decide")
def auto_decide(at: Annotated[str | None, typer.Option("--at", help=(
                    "The day the job runs for (ISO or dd/mm/aaaa; default today)."))] = None,
                actor: ActorOption = "system:auto-decide", fmt: FormatOption = "text",
                db: DbOption = None) -> None:
    """The daily job: decide every claim whose waiting period has ended (art. 7); idempotent."""
    from seguro_desempleo.bootstrap import claims_session as session

    fmt = _fmt(fmt)
    with session(db) as ctx:
        run = ctx.service.auto_decide(_date(at, "--at"), actor=actor)
    out = run.summary()
    lines = [f"auto-decide {out['date']}: {out['decided']} decided ({out['approved']} approved, "
             f"{out['denied']} denied), {out['still_waiting']} still waiting, {out['failed']} not decided"]
    lines += [f"  {e['id']}: {e['reason']}" for e in out["errors"]]
    _echo(out, fmt, "\n".join(lines))


@claims_app.command("acts")
def acts(claim_id: Annotated[str, typer.Argument(help="Claim id, e.g. C-000001")],
         fmt: FormatOption = "text", db: DbOption = None) -> None:
    """The claim's issued acts (Ley 27444): number, kind, issue and notification dates, hash check."""
    from seguro_desempleo.bootstrap import claims_session as session

    fmt = _fmt(fmt)
    with session(db) as ctx:
        items = [a.to_dict() for a in ctx.service.acts_for(claim_id)]
    lines = [f"{a['number']}  {a['kind']:<17} issued {a['issued_on']}  notified {a['notified_on'] or '-':<10}  "
             f"{'hash ok' if a['verified'] else 'HASH MISMATCH'}  {a['summary']}" for a in items]
    _echo({"claim_id": claim_id, "acts": items}, fmt, "\n".join(lines) or f"claim {claim_id} has no issued acts")


@claims_app.command("notify")
def notify(number: Annotated[str, typer.Argument(help="Act number, e.g. RES-2025-000001")],
           date: DateOption = None, actor: ActorOption = "cli", db: DbOption = None) -> None:
    """Record the day an act was notified (once); the appeal term runs from it (art. 218.2)."""
    from seguro_desempleo.bootstrap import claims_session as session

    with session(db) as ctx:
        act = ctx.service.record_notification(number, _date(date), actor=actor)
    typer.echo(f"act {act.number} notified on {act.notified_on.isoformat() if act.notified_on else '-'}")


@claims_app.command("act")
def act(number: Annotated[str, typer.Argument(help="Act number, e.g. RES-2025-000001")],
        out: Annotated[Path, typer.Option("--out", help="Output file (.html or .pdf)")],
        db: DbOption = None) -> None:
    """Write an issued act exactly as issued (the stored bytes; the PDF is printed once and kept)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.services.claims_app import act_bytes

    kind = "pdf" if out.suffix.lower() == ".pdf" else "html"
    with session(db) as ctx:
        data = act_bytes(ctx, number, kind)
    out.write_bytes(data)
    typer.echo(f"act {number} written to {out} ({kind}, {len(data)} bytes)")


@claims_app.command("list")
def list_(state: Annotated[str | None, typer.Option("--state", help="Only claims in this state "
                                                    "(filed, waiting, approved, paying, denied, …).")] = None,
          worker: Annotated[str | None, typer.Option("--worker", help="Only this worker's claims "
                                                     "(registry id).")] = None,
          period: Annotated[str | None, typer.Option("--period", help="Only claims filed in this month, "
                                                     "YYYY-MM.")] = None,
          limit: Annotated[int, typer.Option("--limit", help="At most this many claims.")] = 100,
          offset: Annotated[int, typer.Option("--offset", help="Skip this many first.")] = 0,
          fmt: FormatOption = "text", db: DbOption = None) -> None:
    """Claims by id, with their state and outcome; filter by state, worker and month filed."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.money import format_soles, parse_soles
    from seguro_desempleo.services.claims_list import list_claims

    fmt = _fmt(fmt)
    with session(db) as ctx:
        rows = list_claims(ctx, state=state, worker=worker, period=period, limit=limit, offset=offset)
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        outcome = (f"{format_soles(parse_soles(r['total']))}" if r["total"] else
                   f"denied for {', '.join(r['denied_for'])}" if r["denied_for"] else "")
        typer.echo(f"{r['id']}  worker {r['worker_id']:>8}  filed {r['filed_on']}  {r['state']:<9} {outcome}"
                   .rstrip())
    if not rows:
        typer.echo("no claims")


@claims_app.command("show")
def show(claim_id: Annotated[str, typer.Argument(help="Claim id, e.g. C-000001")], fmt: FormatOption = "text", db: DbOption = None) -> None:
    """A claim with its installments, payments, obligations and appeals."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.money import format_soles, parse_soles
    from seguro_desempleo.services.claims_app import claim_view

    def soles(amount: str) -> str:
        return format_soles(parse_soles(amount))

    fmt = _fmt(fmt)
    with session(db) as ctx:
        view = claim_view(ctx, claim_id)
    lines = [f"claim {view['id']}  worker {view['worker_ref']}  state {view['state']} (v{view['version']})",
             f"  filed {view['filed_on']}  separation {view['separation_date']}  decided {view['decided_on']}"]
    decision = view.get("decision") or {}
    if decision and not decision.get("eligible"):
        lines += [f"  denied: {r['requirement']} ({r['article']}): {r['detail']}"
                  for r in decision.get("reasons", []) if not r.get("met")]
    lines += [f"  installment {i['number']} {i['period']} {soles(i['amount'])}" for i in view["installments"]]
    lines += [f"  paid {p['key']} on {p['paid_on']} {soles(p['amount'])}" for p in view["payments"]]
    lines += [f"  obligation {o['id']} {o['kind']} due {o['due_date']}: {o['outcome']}" for o in view["obligations"]]
    lines += [f"  appeal {a['id']} {a['kind']} filed {a['filed_on']}: {a['outcome']}" for a in view["appeals"]]
    _echo(view, fmt, "\n".join(lines))


@claims_app.command("letter")
def letter(claim_id: Annotated[str, typer.Argument(help="Claim id, e.g. C-000001")],
           out: Annotated[Path, typer.Option("--out", help="Output file (.html or .pdf)")],
           letter_format: Annotated[str | None, typer.Option("--letter-format", help="html or pdf "
                                                             "(default: from the file suffix)")] = None,
           db: DbOption = None) -> None:
    """Write the decision letter (resolución) as HTML or PDF."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.services.claims_app import decision_letter

    kind = letter_format or ("pdf" if out.suffix.lower() == ".pdf" else "html")
    with session(db) as ctx:
        data = decision_letter(ctx, claim_id, kind)
    out.write_bytes(data)
    typer.echo(f"resolución of {claim_id} written to {out} ({kind}, {len(data)} bytes)")


@claims_app.command("pay-run")
def pay_run(period: Annotated[str, typer.Option("--period", help="Month paid, YYYY-MM")],
            out: Annotated[Path, typer.Option("--out", help="Bank payment file to write")],
            date: DateOption = None, sequence: Annotated[int, typer.Option("--sequence", help="Number of the run in the month (bank file name).")] = 1,
            actor: ActorOption = "cli", fmt: FormatOption = "text", db: DbOption = None) -> None:
    """The monthly payment run: pay what is due once, write the bank file, post the ledger."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.money import format_soles
    from seguro_desempleo.payments.bank_file import write_payment_file
    from seguro_desempleo.payments.files import reserve
    from seguro_desempleo.periods import parse_period
    from seguro_desempleo.services.claims_app import bulk_run_payments

    fmt = _fmt(fmt)
    month = parse_period(period)
    # The file first, exclusively: an existing one is refused before anything is paid.
    with reserve(out) as fh, session(db) as ctx:
        run = bulk_run_payments(ctx, month, _date(date), actor=actor, sequence=sequence)
        fh.write(write_payment_file(run.bank_file))
    s = run.summary()
    _echo({**s, "bank_file": str(out)}, fmt,
          f"run {s['period']}: {s['payments']} payments, {format_soles(run.total)}; suspended "
          f"{s['suspended']}, resumed {s['resumed']}, exhausted {s['exhausted']}, overpayments "
          f"{s['overpayments']}; bank file {out}")


@claims_app.command("bank-file")
def bank_file(period: Annotated[str, typer.Option("--period", help="Month of the run, YYYY-MM")],
              date: Annotated[str, typer.Option("--date", help="Date of the run (YYYY-MM-DD)")],
              out: Annotated[Path, typer.Option("--out", help="Bank payment file to write (a new file)")],
              sequence: Annotated[int, typer.Option("--sequence", help="Number of the run in the month (bank file name).")] = 1, db: DbOption = None) -> None:
    """Write a run's bank file again from the payments booked that day (nothing is paid)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.money import format_soles
    from seguro_desempleo.payments.bank_file import write_payment_file
    from seguro_desempleo.payments.files import rebuild, reserve
    from seguro_desempleo.periods import parse_period

    month = parse_period(period)
    on = _date(date)
    with session(db) as ctx:
        pf = rebuild(ctx.uow.books, month, on, sequence)
    with reserve(out) as fh:
        fh.write(write_payment_file(pf))
    typer.echo(f"bank file {out}: {len(pf.lines)} payments, {format_soles(pf.total)} (re-exported)")


@claims_app.command("reconcile")
def reconcile_(sent: Annotated[Path, typer.Option("--sent", help="The bank file sent")],
               answer: Annotated[Path, typer.Option("--answer", help="The bank's answer file")],
               date: DateOption = None, actor: ActorOption = "cli", db: DbOption = None) -> None:
    """Book returned payments back to the fund; their installments become due again."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.payments.bank_file import read_payment_file

    files = []
    for p in (sent, answer):
        if not p.is_file():
            raise InputError(f"no such file: {p}", field="--sent" if p is sent else "--answer")
        files.append(read_payment_file(p.read_text(encoding="latin-1")))
    with session(db) as ctx:
        keys = ctx.service.reconcile_returns(files[0], files[1], _date(date), actor=actor)
    typer.echo(f"{len(keys)} returned payments booked back to the fund")


@claims_app.command("reemployment")
def reemployment(claim_id: Annotated[str, typer.Argument(help="Claim id, e.g. C-000001")],
                 start: Annotated[str, typer.Option("--start", help="First day of the new job")],
                 actor: ActorOption = "cli", db: DbOption = None) -> None:
    """Record a re-employment: remaining installments stop; later payments become overpayments."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.money import format_soles

    with session(db) as ctx:
        c, over = ctx.service.record_reemployment(claim_id, _date(start, "--start"), actor=actor)
    typer.echo(f"claim {c.id}: {c.state.value}; overpayments {len(over)} "
               f"({format_soles(sum(o.amount for o in over))})")


@claims_app.command("register-employment")
def register_employment(
        worker: Annotated[str, typer.Argument(help="Registry worker id.")],
        date: DateOption = None,
        channel: Annotated[str, typer.Option("--channel", help="centro_empleo | empleos_peru | other")] = "",
        reference: Annotated[str, typer.Option("--reference", help="Office or reference (optional).")] = "",
        actor: ActorOption = "cli", fmt: FormatOption = "text", db: DbOption = None) -> None:
    """Record the worker's registration with the employment service (art. 7)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.services.claims_app import record_employment_registration

    fmt = _fmt(fmt)
    if not channel:
        raise InputError("give the channel (--channel centro_empleo|empleos_peru|other)", field="--channel")
    with session(db) as ctx:
        row = record_employment_registration(ctx, worker, _date(date), channel, actor=actor, reference=reference)
    _echo(row, fmt, f"worker {worker} registered with the employment service on {row['registered_on']} "
                    f"({row['channel']})")


@claims_app.command("obligation")
def obligation(
    claim_id: Annotated[str, typer.Argument(help="Claim id (to schedule or list) or obligation id")],
    outcome: Annotated[str | None, typer.Option("--outcome", help="complied or not_complied")] = None,
    schedule: Annotated[str | None, typer.Option("--schedule", help="Kind to schedule: registration, "
                                                 "counselling, training_referral")] = None,
    just_cause: Annotated[str, typer.Option("--just-cause", help="Coded just cause (JC..)")] = "",
    date: DateOption = None, actor: ActorOption = "cli", db: DbOption = None,
) -> None:
    """List a claim's obligations, schedule one, or record an obligation's outcome."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.employment_service.obligations import Outcome, parse_kind

    with session(db) as ctx:
        if outcome is not None:
            try:
                oc = Outcome(outcome)
            except ValueError:
                raise InputError(f"'{outcome}' is not an outcome (complied|not_complied)",
                                 field="--outcome") from None
            before = ctx.employment.get(claim_id)
            ob = ctx.employment.record_outcome(claim_id, oc, _date(date), just_cause=just_cause,
                                               recorded_by=actor)
            ctx.audit.append(who=actor, when=dt.datetime.now(dt.UTC), action="obligation.outcome",
                             entity=f"obligation:{ob.id}", before=before.to_dict(), after=ob.to_dict())
            c = ctx.service.apply_obligations(ob.claim_id, _date(date), actor=actor)
            typer.echo(f"obligation {ob.id}: {ob.outcome.value}; claim {c.id} {c.state.value}")
            return
        if schedule is not None:
            ctx.claims.get(claim_id)
            ob = ctx.employment.schedule(claim_id, parse_kind(schedule), _date(date))
            ctx.audit.append(who=actor, when=dt.datetime.now(dt.UTC), action="obligation.schedule",
                             entity=f"obligation:{ob.id}", before=None, after=ob.to_dict())
            typer.echo(f"obligation {ob.id} scheduled: {ob.kind.value} due {ob.due_date.isoformat()}")
            return
        ctx.claims.get(claim_id)
        for o in ctx.employment.obligations(claim_id):
            typer.echo(f"{o.id}  {o.kind.value:<18} due {o.due_date.isoformat()}  {o.outcome.value}"
                       + (f" ({o.just_cause})" if o.just_cause else ""))


@claims_app.command("appeal")
def appeal(claim_id: Annotated[str, typer.Argument(help="Claim id, e.g. C-000001")],
           kind: Annotated[str, typer.Option("--kind", help="reconsideracion or apelacion")] = "reconsideracion",
           grounds: Annotated[str, typer.Option("--grounds", help="The appellant's grounds (free text).")] = "",
           date: DateOption = None, actor: ActorOption = "cli", db: DbOption = None) -> None:
    """File a reconsideración or apelación within 15 business days (Ley 27444, art. 218.2)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.claims.appeals import parse_kind

    with session(db) as ctx:
        a = ctx.service.file_appeal(claim_id, parse_kind(kind), _date(date), actor=actor, grounds=grounds)
    typer.echo(f"appeal {a.id} filed; to be resolved by {a.resolution_due.isoformat()} "
               f"({a.clock(_date(date)).one_line()})")


@claims_app.command("resolve-appeal")
def resolve_appeal(appeal_id: Annotated[str, typer.Argument(help="Appeal id")],
                   outcome: Annotated[str, typer.Option("--outcome", help="upheld, rejected or inadmissible")],
                   date: DateOption = None, actor: ActorOption = "cli", db: DbOption = None) -> None:
    """Resolve an appeal; an upheld appeal against a denial re-runs the claim and pays arrears."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.claims.appeals import AppealOutcome
    from seguro_desempleo.money import format_soles

    try:
        oc = AppealOutcome(outcome)
    except ValueError:
        raise InputError(f"'{outcome}' is not an outcome (upheld|rejected|inadmissible)",
                         field="--outcome") from None
    with session(db) as ctx:
        a, c, paid = ctx.service.resolve_appeal(appeal_id, oc, _date(date), actor=actor)
    typer.echo(f"appeal {a.id}: {a.outcome.value}; claim {c.id} {c.state.value}; arrears paid "
               f"{format_soles(sum(p.amount for p in paid))}")


@claims_app.command("reviews")
def reviews(fmt: FormatOption = "text", db: DbOption = None) -> None:
    """Declared months flagged as implausible, waiting for staff (issue 25)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.money import format_soles
    from seguro_desempleo.periods import format_period
    from seguro_desempleo.services.controls import controls

    fmt = _fmt(fmt)
    with session(db) as ctx:
        items = controls(ctx).review_queue()
    lines = [f"{r['id']}  worker {r['worker_id']}  {format_period(int(r['period']))}  "
             f"{format_soles(int(r['remuneration']))}  {r['reasons']}" for r in items]
    _echo({"items": items}, fmt, "\n".join(lines) or "no flagged months pending")


@claims_app.command("review")
def review(review_id: Annotated[str, typer.Argument(help="Flagged month number (claims reviews).")],
           accept: Annotated[bool, typer.Option("--accept/--reject", help="Count the month, or never.")],
           actor: ActorOption = "cli", db: DbOption = None) -> None:
    """Accept or reject a flagged month (audited)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.services.controls import controls

    with session(db) as ctx:
        row = controls(ctx).decide_review(review_id, accept, actor=actor)
    typer.echo(f"flagged month {row['id']}: {row['status']}")


@claims_app.command("approve")
def approve(claim_id: Annotated[str, typer.Argument()],
            approve_: Annotated[bool, typer.Option("--approve/--reject", help="Pay the award, or deny it.")],
            actor: ActorOption = "cli", db: DbOption = None) -> None:
    """Second staff member's approval of a held award (maker-checker: never the maker)."""
    from seguro_desempleo.bootstrap import claims_session as session

    with session(db) as ctx:
        c = ctx.service.approve_award(claim_id, approve=approve_, actor=actor)
    typer.echo(f"claim {c.id}: award {'approved' if approve_ else 'rejected'} by {actor}; {c.state.value}")


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", help="A file written by 'audit checkpoint': its heads must still be in the chains")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    db: DbOption = None,
) -> None:
    """Check the audit log's and the ledger's hash chains, the claim and payment rows against
    the audit log and, with --checkpoint, the heads anchored outside the database (exit 1 if
    anything does not fit)."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.claims.books import Checkpoint, verify_books

    if fmt not in ("text", "json"):
        raise InputError(f"unknown format '{fmt}' (text|json)", field="--format")
    cp = Checkpoint.load(checkpoint) if checkpoint is not None else None
    with session(db) as ctx:
        report = verify_books(ctx.uow, cp)
    if fmt == "json":
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint_cmd(
    file: Annotated[Path, typer.Option("--file", help="The checkpoint file (kept outside the database; "
                                                      "an earlier one there is verified first, then replaced)")],
    db: DbOption = None,
) -> None:
    """Verify the books and write the heads of both chains to a file kept outside the database."""
    from seguro_desempleo.bootstrap import claims_session as session
    from seguro_desempleo.claims.books import write_checkpoint

    with session(db) as ctx:
        cp = write_checkpoint(ctx.uow, file)
    typer.echo(f"checkpoint written to {file}: audit seq {cp.audit_seq} {cp.audit_hash}; "
               f"ledger entry {cp.ledger_id} {cp.ledger_hash}")


def register(app: typer.Typer) -> None:
    app.add_typer(claims_app, name="claims")
    app.add_typer(audit_app, name="audit")
