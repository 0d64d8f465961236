"""The governance records in SQL (issue 28), behind the port
:class:`seguro_desempleo.domain.governance.GovernanceRepository` (issue 24: services hold no SQL).

Reached as ``uow.governance`` inside one unit of work: every statement runs in its session, so a
governance change, its ledger entries and its audit record commit or roll back together. Records
come back as plain read-only objects (the row's columns), safe after the unit of work ends. A
write the database refuses (a unique key, a CHECK) leaves as a
:class:`~seguro_desempleo.errors.ConflictError` (:mod:`.errors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from seguro_desempleo.domain.governance import ExperienceData
from seguro_desempleo.parameters.model import ParameterSet, default_parameters
from seguro_desempleo.periods import first_day
from seguro_desempleo.storage.errors import translated
from seguro_desempleo.storage.models_governance import AlertRow, InstrumentRow, ProposalRow, StudyRow, VoteRow

if TYPE_CHECKING:
    from seguro_desempleo.storage.history_bulk import Period

_AUDIT_SINK = "governance_audit"


def _plain(row: Any) -> Any:
    """An ORM row as a plain read-only record (its columns), safe after the unit of work ends."""
    if row is None:
        return None
    return SimpleNamespace(**{c.key: getattr(row, c.key) for c in row.__table__.columns})


class SqlGovernanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _add(self, row: Any) -> int:
        with translated():
            self.session.add(row)
            self.session.flush()
        return int(row.id)

    # ---------------------------------------------------------------------------------- instruments

    def instruments(self) -> list[Any]:
        rows = self.session.scalars(select(InstrumentRow).order_by(InstrumentRow.effective_date, InstrumentRow.id))
        return [_plain(r) for r in rows]

    def instruments_stamp(self) -> tuple[Any, ...]:
        """Which instruments the database holds, in one small fixed query on the driver (issue 25:
        speed): the engine and its URL, the count, the highest id, the latest recording time.
        Instruments are append-only (triggers refuse updates and deletes): a new one changes it."""
        from seguro_desempleo.storage.uow import driver_connection

        bind = self.session.get_bind()
        sql = "SELECT count(*), max(id), max(recorded_at) FROM gov_instrument"
        cur = driver_connection(self.session).cursor()
        try:
            cur.execute(sql)
            count, top, at = cur.fetchone()
        except Exception as exc:
            # the driver's own error as SQLAlchemy's (no table: "run db init"; locked: busy, 503)
            base = getattr(bind.dialect.dbapi, "Error", None)
            if base is not None and isinstance(exc, base):
                raise DBAPIError.instance(sql, None, exc, base) from exc
            raise
        finally:
            cur.close()
        return (id(bind), bind.engine.url, int(count), top, str(at))

    def instrument(self, instrument_id: int) -> Any | None:
        return _plain(self.session.get(InstrumentRow, instrument_id))

    def instrument_for_proposal(self, proposal_id: int) -> Any | None:
        return _plain(self.session.scalar(select(InstrumentRow).where(InstrumentRow.proposal_id == proposal_id)))

    def instrument_exists(self, type: str, number: str) -> bool:
        return self.session.scalar(select(InstrumentRow.id).where(InstrumentRow.type == type,
                                                                  InstrumentRow.number == number)) is not None

    def add_instrument(self, **columns: Any) -> int:
        return self._add(InstrumentRow(**columns))

    # ------------------------------------------------------------------------------------ the board

    def add_proposal(self, **columns: Any) -> int:
        return self._add(ProposalRow(**columns))

    def proposal(self, proposal_id: int, *, lock: bool = False) -> Any | None:
        q = select(ProposalRow).where(ProposalRow.id == proposal_id)
        if lock:
            q = q.with_for_update()
        return _plain(self.session.scalar(q))

    def proposals(self) -> list[Any]:
        return [_plain(r) for r in self.session.scalars(select(ProposalRow).order_by(ProposalRow.id.desc()))]

    def close_proposal(self, proposal_id: int, *, status: str, outcome: str, decided_on: dt.date) -> None:
        row = self.session.get(ProposalRow, proposal_id)
        if row is None:
            raise LookupError(proposal_id)   # the service looked it up (locked) in this transaction
        row.status, row.outcome, row.decided_on = status, outcome, decided_on
        with translated():
            self.session.flush()

    def has_voted(self, proposal_id: int, member: str) -> bool:
        return self.session.scalar(select(VoteRow.id).where(VoteRow.proposal_id == proposal_id,
                                                            VoteRow.member == member)) is not None

    def votes_in_sector(self, proposal_id: int, sector: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(VoteRow).where(
            VoteRow.proposal_id == proposal_id, VoteRow.sector == sector)) or 0)

    def add_vote(self, **columns: Any) -> int:
        return self._add(VoteRow(**columns))

    def votes(self, proposal_id: int) -> list[Any]:
        return [_plain(v) for v in self.session.scalars(
            select(VoteRow).where(VoteRow.proposal_id == proposal_id).order_by(VoteRow.id))]

    def vote_choices(self, proposal_id: int) -> list[tuple[str, str]]:
        return [(s, c) for s, c in self.session.execute(
            select(VoteRow.sector, VoteRow.choice).where(VoteRow.proposal_id == proposal_id))]

    # --------------------------------------------------------------------------------------- alerts

    def alert_raised(self, kind: str, on: dt.date) -> bool:
        return self.session.scalar(select(AlertRow.id).where(AlertRow.kind == kind,
                                                             AlertRow.raised_on == on)) is not None

    def add_alert(self, **columns: Any) -> int:
        return self._add(AlertRow(**columns))

    def alerts(self, limit: int) -> list[Any]:
        return [_plain(r) for r in self.session.scalars(select(AlertRow).order_by(AlertRow.id.desc()).limit(limit))]

    # ------------------------------------------------------------------------------ art. 10 studies

    def add_study(self, **columns: Any) -> int:
        return self._add(StudyRow(**columns))

    def studies(self, limit: int) -> list[Any]:
        return [_plain(r) for r in self.session.scalars(select(StudyRow).order_by(StudyRow.id.desc()).limit(limit))]

    def previous_study_year(self, year: int) -> int | None:
        return self.session.scalar(select(func.max(StudyRow.year)).where(StudyRow.year < year))

    def latest_study_year(self) -> int | None:
        """The year of the study run last (not the latest year studied)."""
        return self.session.scalar(select(StudyRow.year).order_by(StudyRow.id.desc()).limit(1))

    def last_study_year(self) -> int | None:
        """The latest year studied."""
        return self.session.scalar(select(func.max(StudyRow.year)))

    def study_assumptions(self, year: int) -> str | None:
        """The assumption set (YAML) of the latest study of *year*."""
        return self.session.scalar(select(StudyRow.assumptions_yaml).where(StudyRow.year == year)
                                   .order_by(StudyRow.id.desc()).limit(1))

    def first_declared_period(self) -> int | None:
        from seguro_desempleo.storage.models import DeclarationRow

        return self.session.scalar(select(func.min(DeclarationRow.period)))

    def experience_data(self, year: int, *, year_close_event: str,
                        params: ParameterSet | None = None) -> ExperienceData:
        """What the art. 10 study reads from the books for *year* (see :class:`ExperienceData`).

        Workers, worker-months and insurable pay twice (decision 0424): *declared* — every month
        of an active declaration — and *covered*, as the law counts them, the reading of the claim
        and of ``storage.history.charged_history_bulk``: a former employer's pay after the
        T-Registro period ended is left out (``rules.post_termination``); an employer-month counts
        only inside the phase of coverage in force (art. 3 and the Segunda disposición final:
        ``rules.coverage.employer_covered``; an employer without a recorded size as
        ``coverage.unknown_size_charged`` says) under a covered contract (``contract_charged``:
        part-time 02 is charged nothing), with pay; its pay is the charged base (floored at the
        RMV in force, Ley 26790 art. 6, as the import charges it). *params*: the law in force
        (``services.governance.parameters_for``); default the baseline."""
        from seguro_desempleo.storage.history_bulk import employment_periods_bulk

        params = params if params is not None else default_parameters()
        first, last = year * 12, year * 12 + 11
        s = self.session
        rows, sex_by = _declared_worker_months(s, first, last)
        periods = employment_periods_bulk(s, sorted(rows))      # spans and contracts: set-based reads
        groups = _worker_month_groups(s, rows, sex_by, periods, list(range(first, last + 1)), params)
        declared, collected = _contributions_by_sector(s, first, last)
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        claims, payments, sex_of = _claims_and_payments(s, start, end, first, last)
        return ExperienceData(
            total=_figures(groups, "covered", "total", ""), declared_total=_figures(groups, "declared", "total", ""),
            by_sex=_by_group(groups, "sex"), by_sector=_by_group(groups, "sector"),
            declared=declared, collected=collected, claims=claims, payments=payments, sex_of=sex_of,
            flows=self.period_totals(start, end, exclude_event=year_close_event))

    # ------------------------------------------------------------------------ the books, the audit log

    def period_totals(self, start: dt.date, end: dt.date, *, exclude_event: str) -> dict[str, tuple[int, int]]:
        """Each account's (debit, credit) over entries dated *start*–*end*, *exclude_event* left out."""
        from seguro_desempleo.storage.models import LedgerEntryRow, LedgerLineRow

        q = (select(LedgerLineRow.account, func.sum(LedgerLineRow.debit), func.sum(LedgerLineRow.credit))
             .join(LedgerEntryRow, LedgerEntryRow.id == LedgerLineRow.entry_id)
             .where(and_(LedgerEntryRow.at >= start, LedgerEntryRow.at <= end,
                         LedgerEntryRow.event_type != exclude_event))
             .group_by(LedgerLineRow.account))
        return {a: (int(d or 0), int(c or 0)) for a, d, c in self.session.execute(q)}

    def audit(self, actor: str, action: str, entity: str, before: Any, after: Any) -> None:
        """Append to the hash-chained audit log, in this transaction (one sink per session)."""
        from seguro_desempleo.storage.claims_repositories import SqlAuditSink

        sink = self.session.info.get(_AUDIT_SINK)
        if sink is None:
            sink = self.session.info[_AUDIT_SINK] = SqlAuditSink(self.session)
        sink.append(who=actor[:80], when=dt.datetime.now(dt.UTC), action=action, entity=entity, before=before,
                    after=after)


# ------------------------------------------------------------------- the art. 10 study's reads of the books

_DeclaredRows = dict[int, list[tuple[int, int, str, int]]]
"""worker → (month, employer, sector, declared pay) of each worker-month-employer declared."""
_Groups = dict[tuple[str, str, str], dict[Any, Any]]
"""(declared | covered, dimension, group) → workers (set), worker-months (set), pay."""
_Claims = tuple[tuple[Any, str, str], ...]
"""(claim id, worker ref, state) of each claim."""
_Payments = tuple[tuple[Any, int, str], ...]
"""(claim id, amount, worker ref) of each benefit payment."""


def _declared_worker_months(s: Session, first: int, last: int) -> tuple[_DeclaredRows, dict[int, str]]:
    """(worker, month, employer) → sector, sex, declared pay: the active declarations of months
    *first*–*last*; and each worker's sex."""
    from seguro_desempleo.storage.models import ContributionRow, DeclarationRow, EmployerRow, WorkerRow

    rows: _DeclaredRows = {}
    sex_by: dict[int, str] = {}
    for w, p, e, sector, x, pay in s.execute(
            select(ContributionRow.worker_id, ContributionRow.period, DeclarationRow.employer_id,
                   EmployerRow.sector, WorkerRow.sex, func.sum(ContributionRow.insurable_pay))
            .join(DeclarationRow, DeclarationRow.id == ContributionRow.declaration_id)
            .join(EmployerRow, EmployerRow.id == DeclarationRow.employer_id)
            .join(WorkerRow, WorkerRow.id == ContributionRow.worker_id)
            .where(DeclarationRow.status == "active", ContributionRow.period >= first,
                   ContributionRow.period <= last)
            .group_by(ContributionRow.worker_id, ContributionRow.period, DeclarationRow.employer_id,
                      EmployerRow.sector, WorkerRow.sex)):
        rows.setdefault(int(w), []).append((int(p), int(e), str(sector or "?"), int(pay or 0)))
        sex_by[int(w)] = str(x or "?")
    return rows, sex_by


def _worker_month_groups(s: Session, rows: _DeclaredRows, sex_by: dict[int, str],
                         periods: Mapping[int, Sequence[Period]], months: list[int], params: ParameterSet) -> _Groups:
    """Workers, worker-months and pay in total, by sex and by sector: *declared* (every row) and
    *covered* (as the law counts them: see :meth:`SqlGovernanceRepository.experience_data`); the
    contract types of all workers read at once (``contract_types_bulk``, never a query per worker)."""
    from seguro_desempleo.rules.coverage import contract_charged, employer_covered
    from seguro_desempleo.rules.post_termination import months_without_a_job
    from seguro_desempleo.storage.employer_sizes import sizes_by_month
    from seguro_desempleo.storage.history_bulk import contract_types_bulk, spans_of

    sizes = sizes_by_month(s, sorted({e for rs in rows.values() for _, e, _, _ in rs}), months)
    snaps = {p: params.at(first_day(p)) for p in months}
    rmv = {p: int(v) for p, v in zip(months, params.monthly_series("economy.rmv", months), strict=True)}

    def employer_in(e: int, sector: str, p: int) -> bool:
        size = sizes.get((e, p))
        if size is None:
            return bool(snaps[p]["coverage.unknown_size_charged"]) and sector in snaps[p]["coverage.sectors"]
        return employer_covered(size, sector, p, params)

    groups: _Groups = {}

    def add(kind: str, dim: str, key: str, w: int, p: int, pay: int) -> None:
        g = groups.setdefault((kind, dim, key), {"workers": set(), "months": set(), "pay": 0})
        g["workers"].add(w)
        g["months"].add((w, p))
        g["pay"] += pay

    kept_by: _DeclaredRows = {}
    for w, rs in rows.items():
        for p, _, sector, pay in rs:
            for dim, key in (("total", ""), ("sex", sex_by[w]), ("sector", sector)):
                add("declared", dim, key, w, p, pay)
        total: dict[int, int] = {}
        for p, _, _, pay in rs:
            total[p] = total.get(p, 0) + pay
        drop = months_without_a_job([p for p in total if total[p] > 0], [(p, e) for p, e, _, pay in rs if pay > 0],
                                    spans_of(periods.get(w, ())), max(total))
        kept = [r for r in rs if r[0] not in drop and r[3] > 0 and employer_in(r[1], r[2], r[0])]
        if kept:
            kept_by[w] = kept
    contracts_by = contract_types_bulk(s, {w: (sorted({e for _, e, _, _ in kept}), sorted({p for p, *_ in kept}))
                                           for w, kept in kept_by.items()}, periods)
    for w, kept in kept_by.items():
        contracts = contracts_by[w]
        for p, e, sector, pay in kept:
            if not contract_charged(contracts.get((e, p)), p, params):
                continue
            base = max(pay, rmv[p]) if snaps[p]["insurable_pay.rmv_minimum_base"] else pay
            for dim, key in (("total", ""), ("sex", sex_by[w]), ("sector", sector)):
                add("covered", dim, key, w, p, base)
    return groups


def _figures(groups: _Groups, kind: str, dim: str, key: str) -> tuple[int, int, int]:
    g = groups.get((kind, dim, key))
    return (len(g["workers"]), len(g["months"]), int(g["pay"])) if g else (0, 0, 0)


def _by_group(groups: _Groups, dim: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key in sorted({k for _, d, k in groups if d == dim}):
        c, d = _figures(groups, "covered", dim, key), _figures(groups, "declared", dim, key)
        out[key] = {"covered_workers": c[0], "worker_months": c[1], "insurable_pay": c[2],
                    "declared_workers": d[0], "declared_worker_months": d[1], "declared_insurable_pay": d[2]}
    return out


def _contributions_by_sector(s: Session, first: int, last: int) -> tuple[dict[str, int], dict[str, int]]:
    """Contributions declared (active declarations) and paid, by sector, over months *first*–*last*."""
    from seguro_desempleo.storage.models import DeclarationRow, EmployerPaymentRow, EmployerRow

    declared = {str(g or "?"): int(v or 0) for g, v in s.execute(
        select(EmployerRow.sector, func.sum(DeclarationRow.total_due)).join(
            EmployerRow, EmployerRow.id == DeclarationRow.employer_id)
        .where(DeclarationRow.status == "active", DeclarationRow.period >= first, DeclarationRow.period <= last)
        .group_by(EmployerRow.sector))}
    collected = {str(g or "?"): int(v or 0) for g, v in s.execute(
        select(EmployerRow.sector, func.sum(EmployerPaymentRow.amount)).join(
            EmployerRow, EmployerRow.id == EmployerPaymentRow.employer_id)
        .where(EmployerPaymentRow.period >= first, EmployerPaymentRow.period <= last)
        .group_by(EmployerRow.sector))}
    return declared, collected


def _claims_and_payments(s: Session, start: dt.date, end: dt.date, first: int, last: int
                         ) -> tuple[_Claims, _Payments, dict[str, str]]:
    """The claims filed *start*–*end*, the benefits paid for months *first*–*last*, and the sex of
    each worker they refer to (worker id as text)."""
    from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow
    from seguro_desempleo.storage.models import WorkerRow

    claims = tuple((cid, ref, st) for cid, ref, st in s.execute(
        select(ClaimRow.id, ClaimRow.worker_ref, ClaimRow.state)
        .where(ClaimRow.filed_on >= start, ClaimRow.filed_on <= end)))
    payments = tuple((cid, amt, ref) for cid, amt, ref in s.execute(
        select(BenefitPaymentRow.claim_id, BenefitPaymentRow.amount, ClaimRow.worker_ref)
        .join(ClaimRow, ClaimRow.id == BenefitPaymentRow.claim_id)
        .where(BenefitPaymentRow.period >= first, BenefitPaymentRow.period <= last)))
    refs = {int(r) for _, r, _ in claims if str(r).isdigit()} | {int(r) for *_, r in payments if str(r).isdigit()}
    sex_of: dict[str, str] = {}
    ids = sorted(refs)
    for i in range(0, len(ids), 5000):
        for wid, sex in s.execute(select(WorkerRow.id, WorkerRow.sex).where(WorkerRow.id.in_(ids[i:i + 5000]))):
            sex_of[str(wid)] = sex or "?"
    return claims, payments, sex_of
