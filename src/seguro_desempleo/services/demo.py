"""The end-to-end demo: a synthetic but realistic population fed month by month through the real path.

What happens, month by month (``run_demo``):

1. every employer's **PLAME** ``0601AAAAMM<RUC>.rem`` for the month is written and imported with
   the real payroll import service (contributions computed, declared, posted to the ledger);
   hires and separations go in **T-Registro** ``RP_<RUC>.per`` files, imported the same way;
2. employers pay the previous month's contributions (most on time, a few a month late);
3. separated workers file **claims** a few days after the separation (most with a covered
   cause, some after resigning); caseworkers **decide** them with the rules a few days later;
4. the employment service records **obligation** outcomes (complied, missed with a just cause,
   missed without one — which suspends payment until the worker complies again);
5. the **monthly payment run** pays what is due and writes the bank file; re-employment seen in
   the payroll stops the benefit (and books any overpayment); placements are recorded;
6. a few denied claimants **appeal**; one appeal is upheld after the worker proves the
   registration with the employment service, and the arrears are paid.

The population follows ``/work/shared/reference/peru_facts.md``: employment by firm size (large
57 %, micro 21 %, small + medium 22 %), men ≈ 56 % of the employed, average formal private wage
S/ 2,728 (men) and S/ 2,220 (women), separations of about 2 % a month and a job-finding rate of
about 10 % a month in the formal sector. Splits by region are an assumption (labelled so).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from stdnum.pe import ruc as ruc_mod

from seguro_desempleo.domain.access import Principal, Role, actor, system_actor
from seguro_desempleo.domain.payroll_parsers import PayrollParsers
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import first_day, format_period, parse_period
from seguro_desempleo.services import demo_accounts

Progress = Callable[[str, int, int], None]

COVERED_CAUSES = ("03", "04", "07")
CAUSES = ("01", "03", "04", "07", "08")
CAUSE_SHARES = (0.33, 0.22, 0.05, 0.35, 0.05)            # assumption: Tabla 17 shares are not published
SIZES = ("large", "medium", "small", "micro")
EMPLOYMENT_SHARE = (0.57, 0.08, 0.14, 0.21)                # peru_facts §5 (2017/2024)
FIRMS_SHARE = (0.08, 0.07, 0.30, 0.55)
SALES_UIT = {"large": (2400, 60000), "medium": (1750, 2290), "small": (160, 1690), "micro": (20, 149)}
PAY_FACTOR = {"large": 1.12, "medium": 1.0, "small": 0.85, "micro": 0.7}
REGIONS = ("Lima", "Arequipa", "La Libertad", "Piura", "Callao", "Lambayeque", "Cusco", "Junín", "Ica", "Áncash")
REGION_SHARES = (0.46, 0.08, 0.07, 0.06, 0.06, 0.05, 0.05, 0.05, 0.05, 0.07)   # assumption (unverified)
MEAN_PAY = {"M": 2728.0, "F": 2220.0}                        # peru_facts §6 (MTPE, Sep 2022)
MALE_SHARE = 0.56
SEPARATION_RATE = 0.02            # a month
JOB_FINDING_RATE = 0.10           # a month, formal sector
FILE_IF_COVERED = 0.9
FILE_IF_NOT = 0.12
NOT_REGISTERED = 0.04             # claimants who had not reported to the employment service
DEMO_MARK = "demo.start"

# The demo's audit names accounts, not roles (issue 27, decision 0440): one real account per staff
# role (``demo.caseworker`` …, a password and a TOTP secret written to a file only the user can
# read, next to the database) and one account per worker (``w<id>``, no password: the demo
# log-in, or a worker's identity provider bound by the DNI, signs in to it) are created with the
# population; the actor text is the one format of domain/access.py.
DEMO_STAFF = tuple((f"demo.{r.value}", r) for r in (Role.CASEWORKER, Role.EMPLOYMENT_OFFICER, Role.ANALYST,
                                                    Role.BOARD, Role.ADMIN))
CASEWORKER = actor(Principal(Role.CASEWORKER, account="user:demo.caseworker"))
OFFICER = actor(Principal(Role.EMPLOYMENT_OFFICER, account="user:demo.employment_officer"))
DEMO_ACTOR = system_actor("demo")        # the demo's own marks (demo.start, demo.end)


def _worker_actor(ref: str) -> str:
    return actor(Principal(Role.WORKER, ref, account=f"user:w{ref}"))
DEFAULT_START = "2024-01"


@dataclass
class DemoConfig:
    workers: int = 2000
    months: int = 24
    seed: int = 42
    start: str = DEFAULT_START
    db: str | None = None
    keep_files: Path | None = None


@dataclass
class _Worker:
    doc: str
    sex: str
    region: str
    pay: float                       # monthly soles (a model quantity; written as 2-decimal text)
    employer: int | None
    start: dt.date
    ref: str = ""


@dataclass
class _State:
    rng: np.random.Generator
    rucs: list[str]
    sizes: list[str]
    workers: list[_Worker]
    pending_per: dict[int, list[tuple[int, dt.date, dt.date | None, str]]] = field(default_factory=dict)
    filings: list[tuple[dt.date, int]] = field(default_factory=list)       # (claim date, worker index)
    decisions: list[tuple[dt.date, str]] = field(default_factory=list)     # (decision date, claim id)
    unregistered: set[str] = field(default_factory=set)
    appealed: set[str] = field(default_factory=set)
    placed: set[str] = field(default_factory=set)
    events: dict[str, int] = field(default_factory=dict)
    separated: dict[int, dict[int, tuple[int, dt.date]]] = field(default_factory=dict)
    arrears_cents: int = 0            # money, kept out of the event counts

    def count(self, name: str, n: int = 1) -> None:
        self.events[name] = self.events.get(name, 0) + n


def make_ruc(n: int) -> str:
    body = f"20{n:08d}"
    return body + ruc_mod.calc_check_digit(body)


# ------------------------------------------------------------------------------------------ database


class DemoDatabase(Protocol):
    """The demo's port on the database (``storage/demo_database.py``, wired by
    ``bootstrap.demo_database``): the services open no database themselves (issue 24)."""

    def prepare(self, db: str | None, mark: str) -> str:
        """A fresh database for the demo (its URL); refuses one whose audit log does not start
        with *mark* (one the demo did not create)."""
        ...

    def unit_of_work(self, url: str) -> Any:
        """A unit of work (one transaction) on *url*."""
        ...

    def safe_url(self, url: str) -> str:
        """*url* without its password, for the result."""
        ...

    def last_record_after(self, db: str | None, mark: str, action: str) -> Any:
        """The ``after`` of the last *action* record of a database the demo made (audit log
        starting with *mark*); None otherwise, or when it cannot be read."""
        ...


# ------------------------------------------------------------------------------------------ population


def build_population(workers: int, seed: int, start: dt.date) -> _State:
    if not 10 <= workers <= 200_000:
        raise InputError(f"--workers must be between 10 and 200000, got {workers}", field="--workers")
    rng = np.random.default_rng(seed)
    n_emp = max(8, workers // 80)
    firm_sizes = list(rng.choice(SIZES, size=n_emp, p=FIRMS_SHARE))
    for s in SIZES:                                  # every size class present
        if s not in firm_sizes:
            firm_sizes[SIZES.index(s)] = s
    rucs = [make_ruc(10_000 + 37 * i) for i in range(n_emp)]
    by_size = {s: [i for i, fs in enumerate(firm_sizes) if fs == s] for s in SIZES}
    size_of = rng.choice(SIZES, size=workers, p=EMPLOYMENT_SHARE)
    sexes = np.where(rng.random(workers) < MALE_SHARE, "M", "F")
    regions = rng.choice(REGIONS, size=workers, p=REGION_SHARES)
    out = []
    for i in range(workers):
        size = str(size_of[i])
        emp = int(rng.choice(by_size[size]))
        sex = str(sexes[i])
        mean = MEAN_PAY[sex] * PAY_FACTOR[size]
        sigma = 0.5
        pay = float(rng.lognormal(np.log(mean) - sigma**2 / 2, sigma))
        tenure_days = int(rng.integers(30, 3650))
        out.append(_Worker(f"{40_000_000 + i * 7 + 3:08d}", sex, str(regions[i]), pay, emp,
                           start - dt.timedelta(days=tenure_days)))
    return _State(rng, rucs, firm_sizes, out)


def _birth(rng: np.random.Generator, start: dt.date) -> dt.date:
    age = 18 + min(46.0, float(rng.gamma(4.0, 4.5)))
    return start - dt.timedelta(days=int(age * 365.25))


def _day_in(rng: np.random.Generator, period: int, lo: int = 1, hi: int = 28) -> dt.date:
    return first_day(period) + dt.timedelta(days=int(rng.integers(lo - 1, hi)))


# ------------------------------------------------------------------------------------------ files


def _money(x: float) -> str:
    return f"{Decimal(str(round(x, 2))):.2f}"


def _write_month(st: _State, period: int, directory: Path, rmv: float) -> list[Path]:
    """PLAME .rem per employer for *period*, T-Registro .per for the month's hires and separations."""
    per_employer: dict[int, list[str]] = {}
    last = first_day(period + 1) - dt.timedelta(days=1)
    for w in st.workers:
        if w.employer is None or w.start > last:
            continue
        pay = max(w.pay * float(st.rng.normal(1.0, 0.03)), rmv)
        per_employer.setdefault(w.employer, []).append(f"01|{w.doc}|0121|{_money(pay)}|{_money(pay)}|")
    for w_idx, (emp, end) in _separated_this_month(st, period).items():
        w = st.workers[w_idx]
        days = (min(end, last) - first_day(period)).days + 1
        pay = max(w.pay * days / 30.0, 1.0)
        per_employer.setdefault(emp, []).append(f"01|{w.doc}|0121|{_money(pay)}|{_money(pay)}|")
    month_dir = directory / format_period(period)
    month_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    y, m = divmod(period, 12)
    for emp in sorted(per_employer):
        p = month_dir / f"0601{y:04d}{m + 1:02d}{st.rucs[emp]}.rem"
        p.write_bytes(("\r\n".join(per_employer[emp]) + "\r\n").encode("latin-1"))
        paths.append(p)
    for emp, raw in sorted(st.pending_per.items()):
        last_of = {(w, s): (w, s, e, c) for w, s, e, c in raw}      # a hire and its end in one month: one line
        lines = list(last_of.values())
        p = month_dir / f"RP_{st.rucs[emp]}.per"
        text = "".join(f"01|{st.workers[w].doc}|604|1|1|{s.strftime('%d/%m/%Y')}|"
                       f"{e.strftime('%d/%m/%Y') if e else ''}|{cause}||\n" for w, s, e, cause in lines)
        p.write_bytes(text.encode("latin-1"))
        paths.append(p)
    st.pending_per = {}
    return paths


def _separated_this_month(st: _State, period: int) -> dict[int, tuple[int, dt.date]]:
    return st.separated.get(period, {})


# ------------------------------------------------------------------------------------------ the run


def run_demo(cfg: DemoConfig, params: ParameterSet | None = None,
             progress: Progress | None = None, *, database: DemoDatabase,
             parsers: PayrollParsers) -> dict[str, Any]:
    """Run the demo (the module's docstring) on *database*, its payroll files read by *parsers*
    (both wired by :mod:`seguro_desempleo.demo`)."""
    if not 1 <= cfg.months <= 120:
        raise InputError(f"--months must be between 1 and 120, got {cfg.months}", field="--months")
    params = params or default_parameters()
    t0 = time.perf_counter()
    start_period = parse_period(cfg.start)
    start = first_day(start_period)
    url = database.prepare(cfg.db, DEMO_MARK)
    st = build_population(cfg.workers, cfg.seed, start)
    work = cfg.keep_files or Path(tempfile.mkdtemp(prefix="seguro_demo_"))
    work.mkdir(parents=True, exist_ok=True)
    total_steps = cfg.months + 1
    step = 0

    def tick(label: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(label, step, total_steps)

    try:
        with database.unit_of_work(url) as uow:
            staff_credentials = _open_population(uow, cfg, st, start, params)
            uow.commit()
        tick("population")

        for k in range(cfg.months):
            period = start_period + k
            paths = _labour_market(st, period, work, params)
            with database.unit_of_work(url) as uow:
                _run_month(uow, st, period, start_period, paths, work, params, parsers)
                uow.commit()
            tick(format_period(period))

        last_date = first_day(start_period + cfg.months) - dt.timedelta(days=1)
        with database.unit_of_work(url) as uow:
            out, chain = _close(uow, last_date, params)
    finally:
        if cfg.keep_files is None:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - t0
    return {
        "database": database.safe_url(url), "workers": cfg.workers, "employers": len(st.rucs),
        "months": cfg.months,
        "first_month": cfg.start, "last_month": format_period(start_period + cfg.months - 1), "seed": cfg.seed,
        "last_date": last_date.isoformat(),
        "events": dict(sorted(st.events.items())), "arrears_paid": cents_to_str(st.arrears_cents), **out,
        "audit": {"records": chain.checked, "intact": chain.ok},
        **demo_accounts.hand_over(url, staff_credentials),
        "seconds": round(elapsed, 1),
        "files": str(cfg.keep_files) if cfg.keep_files else None,
    }


def _open_population(uow: Any, cfg: DemoConfig, st: _State, start: dt.date,
                     params: ParameterSet) -> list[dict[str, str]]:
    """The demo's mark, the employers and workers, the demo's accounts and the opening T-Registro
    (the first transaction); the staff credentials to hand over."""
    from seguro_desempleo.services.claims_app import claims_context
    from seguro_desempleo.services.registry import register_employer, register_worker

    ctx = claims_context(uow, params=params)
    ctx.audit.append(who=DEMO_ACTOR, when=dt.datetime.now(dt.UTC), action=DEMO_MARK, entity="demo",
                     before=None, after={"workers": cfg.workers, "months": cfg.months, "seed": cfg.seed,
                                         "start": cfg.start})
    for i, (ruc, size) in enumerate(zip(st.rucs, st.sizes, strict=True)):
        lo, hi = SALES_UIT[size]
        sales = Decimal(int(st.rng.integers(lo, hi)))
        register_employer(uow, ruc, f"EMPRESA DEMO {i + 1:04d} S.A.C.", annual_sales_uit=sales,
                          region=REGIONS[i % len(REGIONS)], params=params, at=start)
    for w in st.workers:
        reg = register_worker(uow, "01", w.doc, sex=w.sex, birth_date=_birth(st.rng, start), region=w.region)
        w.ref = str(reg.id)
    staff_credentials = demo_accounts.create(uow, [int(w.ref) for w in st.workers])
    # The opening T-Registro: every current employment period.
    for idx, w in enumerate(st.workers):
        assert w.employer is not None
        st.pending_per.setdefault(w.employer, []).append((idx, w.start, None, ""))
    return staff_credentials


def _labour_market(st: _State, period: int, work: Path, params: ParameterSet) -> list[Path]:
    """Separations and hires in the month, and its PLAME and T-Registro files (their paths)."""
    month_start = first_day(period)
    snap = params.at(month_start)
    rmv = float(snap["economy.rmv"])
    seps: dict[int, tuple[int, dt.date]] = {}
    for idx, w in enumerate(st.workers):
        if w.employer is not None and w.start < month_start:
            if st.rng.random() < SEPARATION_RATE:
                end = _day_in(st.rng, period)
                cause = str(st.rng.choice(CAUSES, p=CAUSE_SHARES))
                seps[idx] = (w.employer, end)
                st.pending_per.setdefault(w.employer, []).append((idx, w.start, end, cause))
                file_p = FILE_IF_COVERED if cause in COVERED_CAUSES else FILE_IF_NOT
                if st.rng.random() < file_p:
                    st.filings.append((end + dt.timedelta(days=int(st.rng.integers(2, 20))), idx))
                w.employer = None
                st.count("separations")
        elif w.employer is None and idx not in seps and st.rng.random() < JOB_FINDING_RATE:
            emp = int(st.rng.integers(0, len(st.rucs)))
            w.employer, w.start = emp, _day_in(st.rng, period)
            st.pending_per.setdefault(emp, []).append((idx, w.start, None, ""))
            st.count("hires")
    st.separated[period] = seps
    return _write_month(st, period, work, rmv)


def _run_month(uow: Any, st: _State, period: int, start_period: int, paths: list[Path], work: Path,
               params: ParameterSet, parsers: PayrollParsers) -> None:
    """One month in one transaction: the payroll imported, last month's contributions paid, claims
    filed and decided, appeals resolved, obligations recorded, the payment run, placements."""
    from seguro_desempleo.services.claims_app import claims_context
    from seguro_desempleo.services.employer_payments import record_payment
    from seguro_desempleo.services.payroll_import import import_files

    month_start = first_day(period)
    month_end = first_day(period + 1) - dt.timedelta(days=1)
    ctx = claims_context(uow, params=params)
    rep = import_files(paths, parsers=parsers, uow=uow, params=params, today=month_end + dt.timedelta(days=10))
    st.count("payroll_files", len(paths))
    st.count("payroll_rejected", rep.rejected)
    # --- employers pay last month's contributions (a few pay a month late)
    for emp_ruc in st.rucs:
        for back, share in ((1, 0.95), (2, 0.05)):
            due_p = period - back
            if due_p < start_period or st.rng.random() >= share:
                continue
            _pay_declared(uow, record_payment, emp_ruc, due_p, month_start + dt.timedelta(days=11))
    _file_and_decide(ctx, st, month_end)
    _resolve_appeals(ctx, st, month_end)
    _record_obligations(ctx, st, month_end)
    _pay_and_place(ctx, st, period, month_end, work)


def _file_and_decide(ctx: Any, st: _State, month_end: dt.date) -> None:
    """Claims filed and decided in the month (the denied may appeal)."""
    from seguro_desempleo.claims.appeals import AppealKind
    from seguro_desempleo.claims.state import ClaimState

    for on, idx in sorted(x for x in st.filings if x[0] <= month_end):
        w = st.workers[idx]
        if st.rng.random() < NOT_REGISTERED:
            st.unregistered.add(w.ref)
        else:                                   # art. 7: registered with the service
            _register(ctx, w.ref, on, st.rng.random())
        try:
            c = ctx.service.file_claim(w.ref, on, actor=_worker_actor(w.ref))
        except ConflictError:
            st.count("claims_refused_open")
            continue
        st.count("claims_filed")
        st.decisions.append((on + dt.timedelta(days=int(st.rng.integers(1, 8))), c.id))
    st.filings = [x for x in st.filings if x[0] > month_end]
    waiting = []
    for on, cid in sorted(x for x in st.decisions if x[1] and x[0] <= month_end):
        c = ctx.service.decide(cid, on, actor=CASEWORKER)
        if c.state is ClaimState.WAITING:
            waiting.append((on + dt.timedelta(days=7), cid))
        elif c.state is ClaimState.DENIED:
            _maybe_appeal(st, ctx, c, on, AppealKind)
    st.decisions = [x for x in st.decisions if x[0] > month_end] + waiting


def _resolve_appeals(ctx: Any, st: _State, month_end: dt.date) -> None:
    """Appeals resolved within their 30 business days."""
    from seguro_desempleo.claims.appeals import AppealOutcome

    for a in ctx.claims.appeals(pending_only=True, limit=10_000):
        if a.filed_on + dt.timedelta(days=20) <= month_end:
            claim = ctx.claims.get(a.claim_id)
            upheld = claim.worker_ref in st.unregistered
            if upheld:
                st.unregistered.discard(claim.worker_ref)     # the registration was proven
                _register(ctx, claim.worker_ref, claim.filed_on, 0.0, actor=CASEWORKER)
            try:
                _, _, paid = ctx.service.resolve_appeal(
                    a.id, AppealOutcome.UPHELD if upheld else AppealOutcome.REJECTED,
                    a.filed_on + dt.timedelta(days=20), actor=CASEWORKER)
            except ConflictError:
                _, _, paid = ctx.service.resolve_appeal(a.id, AppealOutcome.REJECTED,
                                                        a.filed_on + dt.timedelta(days=20),
                                                        actor=CASEWORKER)
                upheld = False
            st.count("appeals_upheld" if upheld else "appeals_rejected")
            st.count("arrears_payments", len(paid))
            st.arrears_cents += sum(p.amount for p in paid)


def _record_obligations(ctx: Any, st: _State, month_end: dt.date) -> None:
    """Employment-service outcomes for the obligations due this month."""
    from seguro_desempleo.claims.state import ClaimState
    from seguro_desempleo.employment_service.obligations import Outcome

    for cl in ctx.claims.in_states([ClaimState.APPROVED, ClaimState.PAYING, ClaimState.SUSPENDED]):
        for ob in ctx.employment.obligations(cl.id):
            if ob.outcome is not Outcome.PENDING or ob.due_date > month_end:
                continue
            u = st.rng.random()
            oc, jc = ((Outcome.COMPLIED, "") if u < 0.86 else
                      (Outcome.NOT_COMPLIED, "JC01") if u < 0.95 else (Outcome.NOT_COMPLIED, ""))
            ctx.employment.record_outcome(ob.id, oc, ob.due_date + dt.timedelta(days=1), just_cause=jc,
                                          recorded_by=OFFICER)
            st.count("obligations_" + (oc.value if not (oc is Outcome.NOT_COMPLIED and not jc)
                                       else "unjustified"))
            if oc is Outcome.NOT_COMPLIED and not jc:
                # The worker attends the rescheduled session the next month.
                ctx.employment.schedule(cl.id, ob.kind, ob.due_date + dt.timedelta(days=30))


def _pay_and_place(ctx: Any, st: _State, period: int, month_end: dt.date, work: Path) -> None:
    """The monthly payment run (its bank file written) and the claimants seen back at work placed."""
    from seguro_desempleo.claims.state import ClaimState
    from seguro_desempleo.employment_service.obligations import Placement, PlacementSource
    from seguro_desempleo.payments.bank_file import write_payment_file
    from seguro_desempleo.services.claims_app import bulk_run_payments

    run = bulk_run_payments(ctx, period, month_end - dt.timedelta(days=2), actor=system_actor("payment-run"))
    if run.paid:
        (work / format_period(period) / f"BN_{format_period(period)}.txt").write_text(
            write_payment_file(run.bank_file), encoding="latin-1", newline="")
    st.count("payment_runs")
    st.count("suspended", len(run.suspended))
    st.count("overpayments", len(run.overpayments))
    # --- placements: claimants seen back at work
    for cl in ctx.claims.in_states([ClaimState.SUSPENDED, ClaimState.CLOSED]):
        if cl.reemployment_date is not None and cl.id not in st.placed:
            st.placed.add(cl.id)
            src = (PlacementSource.EMPLOYMENT_SERVICE if st.rng.random() < 0.3
                   else PlacementSource.PAYROLL)
            w_emp = next((st.workers[i].employer for i in range(len(st.workers))
                          if st.workers[i].ref == cl.worker_ref), None)
            ruc = st.rucs[w_emp] if w_emp is not None else st.rucs[0]
            ctx.employment.record_placement(Placement(cl.id, cl.reemployment_date, ruc, src))


def _close(uow: Any, last_date: dt.date, params: ParameterSet) -> tuple[dict[str, Any], Any]:
    """The ``demo.end`` record committed; the summary and the audit chain's verification."""
    from seguro_desempleo.claims.audit import verify_chain
    from seguro_desempleo.services.claims_app import claims_context, summary

    ctx = claims_context(uow, params=params)
    record_last_date(ctx, last_date)            # serve opens the database at this date
    uow.commit()
    out = summary(ctx)
    chain = verify_chain(ctx.audit.records())
    return out, chain


def _pay_declared(uow: Any, record_payment: Callable[..., Any], ruc: str, period: int, on: dt.date) -> None:
    due = uow.employer_months.outstanding(ruc, period)
    if due is not None and due > 0:
        record_payment(uow, ruc, period, due, on, reference=f"DEMO-{ruc}-{period}", today=on)


def _register(ctx: Any, ref: str, on: dt.date, u: float, *, actor: str | None = None) -> None:
    """Record the worker's registration with the employment service (art. 7) dated *on*."""
    from seguro_desempleo.services.claims_app import record_employment_registration

    channel = "empleos_peru" if u < 0.6 else "centro_empleo" if u < 0.95 else "other"
    record_employment_registration(ctx, ref, on, channel, actor=actor or OFFICER)


def _maybe_appeal(st: _State, ctx: Any, claim: Any, on: dt.date, kind: Any) -> None:
    """Denied claimants who had not registered appeal (and will prove it); a few others too."""
    if claim.id in st.appealed or claim.decision is None:
        return
    failed = {r["requirement"] for r in claim.decision.reasons if not r["met"]}
    if failed == {"employment_service"} or ("contributions" in failed and st.rng.random() < 0.08):
        st.appealed.add(claim.id)
        ctx.service.file_appeal(claim.id, kind.RECONSIDERATION, on + dt.timedelta(days=5),
                                actor=_worker_actor(claim.worker_ref), grounds="demo")
        st.count("appeals_filed")


# ------------------------------------------------------------------------------------------ its date
# The demo records the last day it simulated; ``serve`` opens a demo database at that date
# (decision 0381). A demo of 2024-01 … 2025-12 browsed on a later real date would show every
# installment as paid long ago; the date travels with the database, so no variable is needed.

DEMO_END = "demo.end"


def record_last_date(ctx: Any, last: dt.date) -> None:
    """Append the ``demo.end`` record: the last day the demo simulated."""
    ctx.audit.append(who=DEMO_ACTOR, when=dt.datetime.now(dt.UTC), action=DEMO_END, entity="demo",
                     before=None, after={"last_date": last.isoformat()})


def demo_last_date(db: str | None, *, database: DemoDatabase) -> dt.date | None:
    """The last date of the demo that made *db*; ``None`` for a database the demo did not make,
    one that does not exist, or one that cannot be read (serve then uses the real date)."""
    after = database.last_record_after(db, DEMO_MARK, DEMO_END)
    if isinstance(after, str):
        import json

        after = json.loads(after)
    try:
        return dt.date.fromisoformat(after["last_date"]) if after else None
    except (KeyError, TypeError, ValueError):
        return None
