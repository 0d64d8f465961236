"""The claims service wired to the database: one :class:`ClaimService` per unit of work.

::

    with bootstrap.unit_of_work(db_url) as uow:
        svc = claim_service(uow)
        claim = svc.file_claim(worker_ref, today, actor="worker:17")
        uow.commit()

Everything the service writes (claim, payments, ledger, audit, obligations) goes into the one
transaction of *uow*; leaving the block without ``commit`` writes nothing. The web pages and the
API use :func:`claim_service`; the CLI opens, calls and commits with ``bootstrap.claims_session``.
The SQL stores come from the unit of work (``uow.claim_stores``, ``storage/claims_wiring.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seguro_desempleo.claims.audit import ChainReport, verify_chain
from seguro_desempleo.claims.service import ClaimService, PaymentRun
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.payments.bank_file import payee_name

log = logging.getLogger(__name__)


@dataclass
class ClaimsContext:
    """The service plus the concrete stores (for listings the Protocols do not name): the unit of
    work's SQL stores (``storage/claims_wiring.ClaimStores``)."""

    uow: Any
    service: ClaimService
    claims: Any
    payments: Any
    audit: Any
    employment: Any
    history: Any


def claims_context(uow: Any, *, params: ParameterSet | None = None,
                   clock: Callable[[], dt.datetime] | None = None,
                   registered: Callable[[str, dt.date], bool] | None = None,
                   schedule_obligations: bool = True) -> ClaimsContext:
    # the law's baseline plus the instruments recorded (issue 28): operations read both; a what-if
    # set passed in (a test's, a reform's) is used as it is — the one rule of governance.parameters_for
    from seguro_desempleo.services.governance import parameters_for

    params = parameters_for(uow, params)
    stores = uow.claim_stores(registered=registered, params=params)
    claims, payments, audit = stores.claims, stores.payments, stores.audit
    employment, history = stores.employment, stores.history
    svc = ClaimService(claims=claims, history=history, payments=payments, ledger=stores.ledger,
                       audit=audit, employment=employment, params=params,
                       schedule_obligations=schedule_obligations, acts=uow.acts)
    if clock is not None:
        svc.clock = clock
    from seguro_desempleo.services.evaluation import code_labels

    svc.cause_labels, svc.contract_labels = code_labels()     # "07 (No renovación…)", not "07"
    return ClaimsContext(uow, svc, claims, payments, audit, employment, history)


def claim_service(uow: Any, *, params: ParameterSet | None = None,
                  clock: Callable[[], dt.datetime] | None = None) -> ClaimService:
    """A :class:`ClaimService` over the SQL stores of *uow* (the caller commits)."""
    return claims_context(uow, params=params, clock=clock).service


REGISTRATION_CHANNELS = ("centro_empleo", "empleos_peru", "other")
"""Where the worker registered with the employment service (art. 7): a Centro de Empleo, the
Empleos Perú platform, or another channel of the service."""


def record_employment_registration(ctx: ClaimsContext, worker_ref: str, registered_on: dt.date, channel: str, *,
                                   actor: str, reference: str = "", self_declared: bool = False,
                                   today: dt.date | None = None) -> dict[str, Any]:
    """Record that the worker registered with the employment service (art. 7) on *registered_on*;
    audited as ``worker.es_registration``. The caller commits.

    *self_declared* (the worker recording it themself): the date is today's (*today*, default the
    machine's) and no other — a worker cannot date their own registration in the past to meet
    art. 7 (issue 25); an earlier date is recorded by the employment service or a caseworker.
    """
    from seguro_desempleo.domain.dates import check_date
    from seguro_desempleo.domain.dates import today as machine_today
    from seguro_desempleo.errors import InputError, NotFoundError
    from seguro_desempleo.periods import format_date_pe

    check_date(registered_on, ctx.service.params, field="registered_on")
    if self_declared and registered_on != (today or machine_today()):
        raise InputError(f"un trabajador registra su inscripción con la fecha de hoy "
                         f"({format_date_pe(today or machine_today())}); una fecha anterior la registra "
                         "el servicio de empleo", field="registered_on")
    if channel not in REGISTRATION_CHANNELS:
        raise InputError(f"unknown channel '{channel}' ({'|'.join(REGISTRATION_CHANNELS)})", field="channel")
    if len(reference) > 120:
        raise InputError("reference longer than 120 characters", field="reference")
    if not ctx.history.known_worker(worker_ref):
        raise NotFoundError(f"no worker {worker_ref} in the registry", field="worker")
    now = ctx.service.clock()
    row = ctx.uow.registrations.add(int(worker_ref), registered_on, channel, reference.strip(),
                                                     actor, now.isoformat())
    ctx.history.forget(worker_ref)      # its cached registration date is stale now
    ctx.audit.append(who=actor, when=now, action="worker.es_registration", entity=f"worker:{worker_ref}",
                     before=None, after=row)
    return row


def employment_registrations(ctx: ClaimsContext, worker_ref: str) -> list[dict[str, Any]]:
    """The worker's registrations with the employment service, oldest first."""
    from seguro_desempleo.errors import NotFoundError

    if not ctx.history.known_worker(worker_ref):
        raise NotFoundError(f"no worker {worker_ref} in the registry", field="worker")
    return ctx.uow.registrations.of_worker(int(worker_ref))


def verify_audit(uow: Any) -> ChainReport:
    """Check the whole hash chain of the audit log."""
    return verify_chain(uow.audit.records())


def claim_view(ctx: ClaimsContext, claim_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """The claim with its installments, payments, obligations and appeals (JSON-ready)."""
    from seguro_desempleo.money import cents_to_str
    from seguro_desempleo.periods import format_period

    claim = ctx.claims.get(claim_id)
    today = today or dt.date.today()
    out = claim.to_dict()
    if out.get("decision"):
        out["decision"] = {k: v for k, v in out["decision"].items() if k != "trace"}
    out["installments"] = [{"number": i.number, "period": format_period(i.period), "amount": cents_to_str(i.amount)}
                           for i in ctx.service.plan(claim)]
    out["payments"] = [{"key": p.key, "number": p.number, "period": format_period(p.period),
                        "amount": cents_to_str(p.amount), "paid_on": p.paid_on.isoformat()}
                       for p in ctx.payments.payments(claim.id)]
    out["obligations"] = [o.to_dict() for o in ctx.employment.obligations(claim.id)]
    out["appeals"] = [{**a.to_dict(), "clock": a.clock(today).to_dict() if a.outcome.value == "pending" else None}
                      for a in ctx.claims.appeals_for(claim.id)]
    return out


def decision_letter(ctx: ClaimsContext, claim_id: str, fmt: str = "html") -> bytes:
    """The resolución of a decided claim as HTML (UTF-8) or PDF bytes."""
    from seguro_desempleo.claims.decision import LetterContext, render_resolution_html, render_resolution_pdf
    from seguro_desempleo.errors import ConflictError, InputError

    if fmt not in ("html", "pdf"):
        raise InputError(f"unknown letter format '{fmt}' (html|pdf)", field="format")
    claim = ctx.claims.get(claim_id)
    if claim.decision is None:
        raise ConflictError("the claim has no decision yet; a letter follows the decision",
                            where=f"claim {claim.id}")
    from seguro_desempleo.claims.acts import ActKind

    issued = [a for a in ctx.service.acts_for(claim.id) if a.kind is ActKind.DECISION]
    if issued:          # issue 26 item 9: the act as issued, never re-rendered from today's data
        return act_bytes(ctx, issued[-1].number, fmt)
    payee = ctx.history.payee(claim.worker_ref)
    number = f"RES-{claim.decision.decided_on.year}-{claim.id.split('-', 1)[-1]}"
    lctx = LetterContext(number, payee.name, "DNI" if payee.doc_type == "01" else payee.doc_type,
                         payee.doc_number, issued_on=claim.decided_on, reemployment_date=claim.reemployment_date)
    if fmt == "pdf":
        return render_resolution_pdf(claim.decision, lctx)
    return render_resolution_html(claim.decision, lctx).encode("utf-8")


def act_bytes(ctx: ClaimsContext, number: str, fmt: str = "html") -> bytes:
    """An issued act's stored bytes (issue 26 item 9): the HTML as issued; the PDF printed once from
    that HTML and kept, so every later request returns the same bytes. Hashes are checked."""
    from seguro_desempleo.errors import ConflictError, InputError

    if fmt not in ("html", "pdf"):
        raise InputError(f"unknown letter format '{fmt}' (html|pdf)", field="format")
    store = ctx.service.acts
    if store is None:
        raise ConflictError("issued acts are not stored here")
    act = store.get(number)
    if not act.verify():
        raise ConflictError(f"act {number} does not match its hash; it must not be served", where=f"act {number}")
    if fmt == "html":
        return act.html
    if act.pdf is not None:
        return act.pdf
    import weasyprint  # heavy import, only when a PDF is asked for

    pdf = bytes(weasyprint.HTML(string=act.html.decode("utf-8")).write_pdf())
    store.set_pdf(number, pdf)
    return pdf


def summary(ctx: ClaimsContext) -> dict[str, Any]:
    """Totals for the board and the demo: fund, contributions, claims by outcome/reason/sex, benefits."""
    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.money import cents_to_str
    from seguro_desempleo.services import ledger

    reads = ctx.uow.reads                   # storage/read_models.py
    balances = {b.code: b.balance for b in ledger.balances(ctx.uow)}
    # The contribution records in force and their dues: the active declarations' counts and sums.
    contrib = reads.active_declaration_totals()
    rows = reads.claims_with_sex()
    by_state: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    by_sex: dict[str, dict[str, int]] = {}
    outcome: dict[str, int] = {"approved": 0, "denied": 0, "pending": 0}
    for state, decision, sex in rows:
        by_state[state] = by_state.get(state, 0) + 1
        sx = by_sex.setdefault(sex or "?", {"claims": 0, "approved": 0, "denied": 0, "benefits_paid": 0})
        sx["claims"] += 1
        if not decision:
            outcome["pending"] += 1
            continue
        key = "approved" if decision.get("eligible") else "denied"
        outcome[key] += 1
        sx[key] += 1
        if key == "denied":
            for r in decision.get("reasons", []):
                if not r.get("met"):
                    by_reason[r["requirement"]] = by_reason.get(r["requirement"], 0) + 1
    paid_by_sex = reads.benefits_paid_by_sex()
    for sex, _n, amount in paid_by_sex:
        by_sex.setdefault(sex or "?", {"claims": 0, "approved": 0, "denied": 0, "benefits_paid": 0})[
            "benefits_paid"] = int(amount)
    n_paid, total_paid = ctx.payments.totals()
    placements = ctx.employment.placements()
    # Money as decimal strings in soles, like every JSON answer (decision 0380).
    return {
        "fund_balance": cents_to_str(int(balances.get(Accounts.BANK, 0))),
        "contributions": {"worker_months": int(contrib[0]), "amount": cents_to_str(int(contrib[1]))},
        "contribution_income": cents_to_str(int(balances.get(Accounts.CONTRIBUTION_INCOME_EMPLOYER, 0))
                                            + int(balances.get(Accounts.CONTRIBUTION_INCOME_CTS, 0))),
        "benefits_expense": cents_to_str(int(balances.get(Accounts.BENEFITS_EXPENSE, 0))),
        "claims": {"total": len(rows), "by_outcome": outcome, "by_state": dict(sorted(by_state.items())),
                   "denied_by_reason": dict(sorted(by_reason.items()))},
        "benefits_paid": {"installments": n_paid, "amount": cents_to_str(int(total_paid))},
        "by_sex": {k: {**v, "benefits_paid": cents_to_str(int(v["benefits_paid"]))}
                   for k, v in sorted(by_sex.items())},
        "placements": len(placements),
    }


RUN_LOCK_BASE = 5510_0000
"""Advisory-lock key base for payment runs (plus the month index)."""


def run_payments(ctx: ClaimsContext, period: int, on: dt.date, *, actor: str, sequence: int = 1) -> PaymentRun:
    """The monthly run, serialised per month on PostgreSQL.

    The payment key alone already prevents paying an installment twice; the transaction-level
    advisory lock makes a second concurrent run for the same month wait for the first one's
    commit and then find nothing left to pay, instead of failing on the claims' version checks.
    (SQLite allows one writer at a time anyway.)
    """
    ctx.uow.payment_run.lock(RUN_LOCK_BASE + period)
    run = ctx.service.run_payments(period, on, actor=actor, sequence=sequence)
    raise_fund_alert(ctx, run, on, actor=actor)
    return run


def raise_fund_alert(ctx: ClaimsContext, run: PaymentRun, on: dt.date, *, actor: str) -> None:
    """When *run* left installments due for lack of cash: a ``fund_alert`` row (the board's dashboard
    and the caseworkers' run page show it) and an audit record, in the run's transaction (a
    preview, rolled back, writes nothing)."""
    if not run.unpaid:
        return
    from seguro_desempleo.periods import format_period

    now = ctx.service.clock()
    due = run.total + run.shortfall
    ctx.uow.controls.record_fund_alert(period=run.period, run_date=on, available=int(run.available or 0),
                                       due=due, shortfall=run.shortfall, unpaid=len(run.unpaid), raised_by=actor,
                                       raised_at=now.isoformat())
    ctx.audit.append(who=actor, when=now, action="fund.shortfall", entity=f"payment_run:{format_period(run.period)}",
                     before=None, after={"available": int(run.available or 0), "due": due,
                                         "shortfall": run.shortfall, "unpaid": len(run.unpaid)})
    log.warning("payment run %s: the fund lacks %d céntimos; %d installments stay due",
                format_period(run.period), run.shortfall, len(run.unpaid))



_AMOUNT_RE = re.compile(r"^\d+\.\d\d$")
BULK_STATES = ("approved", "paying")
MAX_INSTALLMENTS = 6
"""Installments read per claim by the bulk run (the law pays five; one spare for a reform)."""


def _cents(text: str) -> int:
    from seguro_desempleo.money import parse_soles

    return int(text.replace(".", "")) if _AMOUNT_RE.match(text) else parse_soles(text, field="benefits.amount")


def _run_audit_texts(plain: list[Any], done: list[Any], final: dict[str, tuple[Any, int, str]],
                     version: dict[str, int], reasons: dict[str, list[str]], actor: str,
                     now: dt.datetime) -> list[dict[str, Any]]:
    """One audit record per claim the bulk run touched (action ``payment.run``, entity
    ``claim:<id>``): its payments (key, number, period, amount) and its state and version before
    and after, with the reasons of the moves — instead of one record per payment and per move.

    The payloads are rendered as canonical JSON text (keys sorted, compact) and hashed and stored
    as such (:func:`~seguro_desempleo.claims.audit.link_texts`).
    """
    from seguro_desempleo.claims.audit import quote
    from seguro_desempleo.errors import InputError
    from seguro_desempleo.periods import format_period

    if now.tzinfo is None:
        raise InputError("audit time must carry a time zone", field="when")
    when = now.isoformat()
    by_claim: dict[str, list[str]] = {}
    months: dict[int, str] = {}
    for p in done:
        month = months.get(p.period)
        if month is None:
            month = months[p.period] = quote(format_period(p.period))
        item = f'{{"amount":{int(p.amount)},"key":{quote(p.key)},"number":{int(p.number)},"period":{month}}}'
        got = by_claim.get(p.claim_id)
        if got is None:
            by_claim[p.claim_id] = [item]
        else:
            got.append(item)
    quoted: dict[str, str] = {}                         # the few states and reasons, quoted once

    def q(text: str) -> str:
        got = quoted.get(text)
        if got is None:
            got = quoted[text] = quote(text)
        return got
    out: list[dict[str, Any]] = []
    append = out.append
    for r in plain:                                     # claim id order
        cid = r.id
        pays = by_claim.get(cid)
        moved = final.get(cid)
        if pays is None and moved is None:
            continue
        state0 = r.state
        why = reasons.get(cid)
        after = (f'{{"payments":[{",".join(pays) if pays else ""}],'
                 + (f'"reason":{q("; ".join(why))},' if why else "")
                 + f'"state":{q(moved[2] if moved is not None else state0)},"version":{int(version[cid])}}}')
        append({"who": actor, "when": when, "action": "payment.run", "entity": f"claim:{cid}",
                "before_json": f'{{"state":{q(state0)},"version":{int(r.version)}}}', "after_json": after})
    return out


def bulk_run_payments(ctx: ClaimsContext, period: int, on: dt.date, *, actor: str,
                      sequence: int = 1) -> PaymentRun:
    """The national monthly run: the ordinary claims in a few set-based statements.

    Claims that need a judgement — suspended, re-employed (found now or before), with an
    unjustified missed obligation, or exhausted lately (late payroll) — go through
    :meth:`ClaimService.run_payments` one by one, with the same rules; every other approved or
    paying claim is paid in bulk: the due mask of :func:`seguro_desempleo.payments.bulk.due_mask`,
    multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``, one ledger entry for the run, one
    audit record per claim touched (its payments and state change, :func:`_run_audit_texts`) in one
    ``COPY``, the state changes (approved → paying → exhausted) as
    compare-and-set updates on the versions read. A claim changed meanwhile makes the run fail
    with a ConflictError (nothing written); run it again.
    """
    from seguro_desempleo.domain.dates import check_run
    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.errors import ConflictError
    from seguro_desempleo.payments.bank_file import PaymentFile, PaymentLine
    from seguro_desempleo.payments.bulk import fund_cut
    from seguro_desempleo.payments.schedule import Installment, Payment, idempotency_key
    from seguro_desempleo.periods import format_period
    from seguro_desempleo.services import ledger as ledger_service

    check_run(period, on, ctx.service.params)
    store = ctx.uow.payment_run             # the run's SQL (storage/payment_run_sql.py)
    store.lock(RUN_LOCK_BASE + period)
    held = ctx.service.held_claims()
    # The installments' amounts as JSON text, parsed once per distinct text; the payee's document
    # and name come along (the bank file's lines), from the registry.
    rows = store.claims([*BULK_STATES, "suspended", "exhausted"])
    amounts_of = _amounts_reader()
    reemployed = _reemployment_check(store)
    unjustified = store.unjustified()
    plain, special, held_now = _bulk_split(rows, held, period, amounts_of, reemployed, unjustified)
    one = ctx.service.run_payments(period, on, actor=actor, sequence=sequence, only=special) if special else None
    amounts, paid, index, first, ii, jj = _due_installments(store, plain, amounts_of, period)
    ids = [r.id for r in plain]
    # The fund: after the one-by-one part's payments (posted in this transaction), the cash left
    # pays the due installments in payment_order (oldest month, then claim number, then number);
    # from the first that does not fit, the rest stays due (decision 0306).
    available = ctx.service.available_cash()
    unpaid: list[Installment] = list(one.unpaid) if one else []
    ii, jj = fund_cut(available, unpaid, ii, jj, first, amounts, ids)
    new = [Payment(idempotency_key(ids[i], j + 1), ids[i], j + 1, per, amount, on)
           for i, j, per, amount in zip(ii.tolist(), jj.tolist(), (first[ii] + jj).tolist(),
                                        amounts[ii, jj].tolist(), strict=True)]
    inserted = ctx.payments.record_many(new)
    done = [p for p in new if p.key in inserted]
    total = sum(p.amount for p in done)
    if total:
        ledger_service.post(ctx.uow, "claims.benefit_payment", ((Accounts.BENEFITS_EXPENSE, total, 0),
                                                               (Accounts.BANK, 0, total)),
                            ref=f"benefit_run:{format_period(period)}:{on.isoformat()}:{sequence}", at=on)
    moves, final, version, reasons, updates = _state_moves(plain, paid, index, done, period)
    now = ctx.service.clock()

    def audit_and_lines() -> tuple[list[dict[str, Any]], list[PaymentLine]]:
        """The run's audit records and bank lines: Python only (runs during the state update)."""
        return _run_audit_texts(plain, done, final, version, reasons, actor, now), _bank_lines(one, plain, done)
    if updates:
        changed, (texts, lines) = store.update_states(updates, audit_and_lines)
        if changed < len(updates):
            raise ConflictError("claims changed while the run was computed; run it again", where="payment run")
    else:
        texts, lines = audit_and_lines()
    ctx.audit.append_texts(texts)
    exhausted_ids = tuple(r.id for r, to in moves if to == "exhausted")
    run = PaymentRun(period, (*(one.paid if one else ()), *done), PaymentFile(on, period, tuple(lines), sequence),
                     one.suspended if one else (), one.resumed if one else (),
                     (*(one.exhausted if one else ()), *exhausted_ids), one.overpayments if one else (),
                     available=(one.available if one else available), unpaid=tuple(unpaid),
                     held=(*(one.held if one else ()), *held_now))
    raise_fund_alert(ctx, run, on, actor=actor)
    return run


def _amounts_reader() -> Callable[[Any], tuple[int, ...]]:
    """A claim row's installment amounts (céntimos) from its JSON text, parsed once per distinct text."""
    import json

    parsed: dict[str | None, tuple[int, ...]] = {None: ()}

    def amounts_of(r: Any) -> tuple[int, ...]:
        got = parsed.get(r.benefits)
        if got is None:
            got = parsed[r.benefits] = tuple(_cents(str(b["amount"])) for b in json.loads(r.benefits))
        return got
    return amounts_of


def _reemployment_check(store: Any) -> Callable[[Any], bool]:
    """Whether a claim row's worker was declared with pay after the separation month or started a
    job after the separation date (the run's claimants' latest month and start, read once)."""
    from seguro_desempleo.periods import period_of

    months, starts = store.latest_by_worker((*BULK_STATES, "suspended", "exhausted"))

    def reemployed(r: Any) -> bool:
        m = months.get(r.worker_ref)
        st = starts.get(r.worker_ref)
        return (m is not None and m > period_of(r.separation_date)) or (st is not None and st > r.separation_date)
    return reemployed


def _bulk_split(rows: list[Any], held: Any, period: int, amounts_of: Callable[[Any], tuple[int, ...]],
                reemployed: Callable[[Any], bool], unjustified: set[str]) -> tuple[list[Any], set[str], list[str]]:
    """The bulk run's claims in three: those it pays itself (*plain*, in claim id order), those that
    need a judgement and go through ``ClaimService.run_payments`` one by one (*special*), and those
    waiting for a second staff approval (*held_now*, not paid)."""
    from seguro_desempleo.claims.service import LATE_REEMPLOYMENT_MONTHS

    special: set[str] = set()
    plain = []
    held_now = []
    for r in rows:
        if r.id in held and r.state != "exhausted":
            held_now.append(r.id)           # awaiting a second staff approval: not paid
            continue
        if r.state == "exhausted":
            n = len(amounts_of(r))
            if r.reemployment_date is None and r.first_period is not None and \
                    r.first_period + n - 1 >= period - LATE_REEMPLOYMENT_MONTHS and reemployed(r):
                special.add(r.id)
            continue
        if r.state == "suspended" or r.reemployment_date is not None or r.suspension_reason is not None \
                or r.id in unjustified or r.first_period is None or reemployed(r):
            special.add(r.id)
        else:
            plain.append(r)
    return plain, special, held_now


def _due_installments(store: Any, plain: list[Any], amounts_of: Callable[[Any], tuple[int, ...]],
                      period: int) -> tuple[Any, Any, dict[str, int], Any, Any, Any]:
    """The bulk claims' installments as arrays: ``(amounts, paid, index, first, ii, jj)`` — the
    amounts (céntimos), the installments already paid (or absent), claim id → row, each claim's
    first month, and the (row, installment) pairs due by *period*."""
    import numpy as np

    from seguro_desempleo.payments.bulk import due_mask

    n = len(plain)
    k = MAX_INSTALLMENTS
    amounts = np.zeros((n, k), dtype=np.int64)
    have = np.zeros((n, k), dtype=np.bool_)
    for i, r in enumerate(plain):
        got = amounts_of(r)[:k]
        amounts[i, :len(got)] = got
        have[i, :len(got)] = True
    index = {r.id: i for i, r in enumerate(plain)}
    paid = ~have
    store.mark_paid(BULK_STATES, index, paid)       # the installments already paid
    first = np.array([r.first_period for r in plain], dtype=np.int64)
    due = due_mask(first, paid, period) if n else np.zeros((0, k), dtype=np.bool_)
    ii, jj = np.nonzero(due)
    return amounts, paid, index, first, ii, jj


def _state_moves(plain: list[Any], paid: Any, index: dict[str, int], done: list[Any], period: int) -> tuple[
        list[tuple[Any, str]], dict[str, tuple[Any, int, str]], dict[str, int], dict[str, list[str]],
        list[dict[str, Any]]]:
    """The claims' state changes after the run's payments: first payment → paying; nothing left →
    exhausted (releases the open-claim slot). Returns the moves, each moved claim's (row, version
    read, final state), the new versions, the reasons and the compare-and-set updates."""
    import numpy as np

    from seguro_desempleo.claims.state import OPEN_STATES
    from seguro_desempleo.periods import format_period

    paid_now = paid.copy()
    for p in done:
        paid_now[index[p.claim_id], p.number - 1] = True
    moves: list[tuple[Any, str]] = []
    touched = {p.claim_id for p in done}
    all_paid = np.asarray(paid_now.all(axis=1), dtype=np.bool_).tolist()
    for i, r in enumerate(plain):
        exhausted = all_paid[i]
        if exhausted and (r.id in touched or r.state == "paying"):
            if r.state == "approved":
                moves.append((r, "paying"))
            moves.append((r, "exhausted"))
        elif r.state == "approved" and r.id in touched:
            moves.append((r, "paying"))
    open_values = {st.value for st in OPEN_STATES}
    version = {r.id: r.version for r in plain}
    final: dict[str, tuple[Any, int, str]] = {}          # claim id → (row, version read, final state)
    reasons: dict[str, list[str]] = {}
    first_payment = f"primer pago {format_period(period)}"
    for r, to in moves:
        reasons.setdefault(r.id, []).append(first_payment if to == "paying" else "prestación agotada")
        version[r.id] += 1
        final[r.id] = (r, r.version, to)
    updates = [{"b_id": cid, "b_v": v0, "b_state": to, "b_new": version[cid],
                "b_open": r.worker_ref if to in open_values else None} for cid, (r, v0, to) in final.items()]
    return moves, final, version, reasons, updates


def _bank_lines(one: PaymentRun | None, plain: list[Any], done: list[Any]) -> list[Any]:
    """The bank file's lines: the one-by-one part's, then the bulk part's."""
    from seguro_desempleo.payments.bank_file import PaymentLine

    row_of = {r.id: r for r in plain}
    lines = list(one.bank_file.lines) if one else []
    for p in done:
        r = row_of[p.claim_id]
        if r.doc_type is None or r.doc_number is None:      # no registry row for the reference (outer join)
            lines.append(PaymentLine(p.key, "01", "00000000", payee_name(None, r.worker_ref), p.amount))
        else:
            lines.append(PaymentLine(p.key, r.doc_type, r.doc_number, payee_name(r.full_name, r.worker_ref),
                                     p.amount))
    return lines
