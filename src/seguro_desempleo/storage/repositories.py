"""Repositories: the only code that maps rows to domain dataclasses and back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.orm import Session

from seguro_desempleo.domain.ledger import Line
from seguro_desempleo.domain.payroll import ContributionRecord, Declaration
from seguro_desempleo.domain.registry import FOREIGN_DOCUMENTS, PERU, Employer, EmploymentPeriod, Worker
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.rules.financing import monthly_amounts
from seguro_desempleo.storage.ledger_chain import GENESIS_HASH as LEDGER_GENESIS
from seguro_desempleo.storage.ledger_chain import LEDGER_LOCK_KEY, entry_hash
from seguro_desempleo.storage.models import (
    ContributionRow,
    DeclarationRow,
    EmployerPaymentRow,
    EmployerRow,
    EmploymentPeriodRow,
    LedgerAccountRow,
    LedgerEntryRow,
    LedgerLineRow,
    WorkerRow,
)


def _employer(row: EmployerRow) -> Employer:
    sales = row.annual_sales_uit
    return Employer(ruc=row.ruc, name=row.name, size_class=row.size_class, size_source=row.size_source,
                    annual_sales_uit=Decimal(str(sales)) if sales is not None else None, sector=row.sector,
                    region=row.region, id=row.id)


AMBIGUOUS = ("the document number is registered with two issuing countries: the issuing country (Tabla 26) "
             "is needed to tell the two workers apart")


def _worker(row: WorkerRow) -> Worker:
    return Worker(doc_type=row.doc_type, doc_number=row.doc_number, sex=row.sex, birth_date=row.birth_date,
                  region=row.region, full_name=row.full_name, id=row.id, doc_country=row.doc_country or None)


class EmployerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, employer_id: int) -> Employer:
        row = self.session.get(EmployerRow, employer_id)
        if row is None:
            raise NotFoundError(f"no employer with id {employer_id}", field="employer_id")
        return _employer(row)

    def by_ruc(self, ruc: str) -> Employer | None:
        row = self.session.scalars(select(EmployerRow).where(EmployerRow.ruc == ruc)).first()
        return _employer(row) if row else None

    def upsert(self, e: Employer) -> Employer:
        """Insert a new employer or update the registry data of an existing RUC."""
        row = self.session.scalars(select(EmployerRow).where(EmployerRow.ruc == e.ruc)).first()
        if row is None:
            row = EmployerRow(ruc=e.ruc, registered_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
            self.session.add(row)
        row.name = e.name
        row.size_class = e.size_class
        row.size_source = e.size_source
        row.annual_sales_uit = e.annual_sales_uit
        row.sector = e.sector
        row.region = e.region
        self.session.flush()
        return _employer(row)

    def list(self, limit: int = 100, offset: int = 0) -> list[Employer]:
        rows = self.session.scalars(select(EmployerRow).order_by(EmployerRow.ruc).limit(limit).offset(offset))
        return [_employer(r) for r in rows]

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(EmployerRow)) or 0)


class WorkerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, worker_id: int) -> Worker:
        row = self.session.get(WorkerRow, worker_id)
        if row is None:
            raise NotFoundError(f"no worker with id {worker_id}", field="worker_id")
        return _worker(row)

    def by_document(self, doc_type: str, doc_number: str, country: str | None = None) -> Worker | None:
        """The worker with this document. The identity is (type, number, issuing country)
        (decision 0411): without *country*, a 07/24 number held by two countries is ambiguous
        (:class:`InputError` on ``doc_country``); every other type is Peru's."""
        rows = self._candidates(doc_type, doc_number, country)
        if len(rows) > 1:
            raise InputError(AMBIGUOUS, field="doc_country")
        return _worker(rows[0]) if rows else None

    def _candidates(self, doc_type: str, doc_number: str, country: str | None) -> list[WorkerRow]:
        q = select(WorkerRow).where(WorkerRow.doc_type == doc_type, WorkerRow.doc_number == doc_number)
        if doc_type not in FOREIGN_DOCUMENTS:
            q = q.where(WorkerRow.doc_country == PERU)
        elif country is not None:
            # the country given, else the record first seen in a PLAME file (no country yet)
            q = q.where(WorkerRow.doc_country.in_((country, ""))).order_by(WorkerRow.doc_country.desc())
            rows = list(self.session.scalars(q.limit(2)).all())
            return rows[:1]
        return list(self.session.scalars(q.order_by(WorkerRow.id).limit(2)).all())

    def upsert(self, w: Worker) -> Worker:
        """The one worker with this document (same person under two employers is one worker).

        The identity is (type, number, issuing country) (decision 0411): a 07/24 with its country
        is that country's worker — the record of the same number first seen without a country (a
        PLAME line) takes it; a 07/24 without a country (PLAME has no such field) is the one
        worker holding the number, refused as ambiguous when two countries hold it (``InputError``
        on ``doc_country``); every other type is Peru's (``604``)."""
        foreign = w.doc_type in FOREIGN_DOCUMENTS
        rows = self._candidates(w.doc_type, w.doc_number, w.doc_country if foreign else None)
        if len(rows) > 1:
            raise InputError(AMBIGUOUS, field="doc_country")
        row = rows[0] if rows else None
        if row is None:
            country = (w.doc_country or "") if foreign else PERU
            row = WorkerRow(doc_type=w.doc_type, doc_number=w.doc_number, doc_country=country)
            self.session.add(row)
        elif foreign and w.doc_country and not row.doc_country:
            row.doc_country = w.doc_country
        for attr in ("sex", "birth_date", "region", "full_name"):
            value = getattr(w, attr)
            if value is not None:
                setattr(row, attr, value)
        self.session.flush()
        return _worker(row)

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(WorkerRow)) or 0)

    def regions(self, worker_ids: Iterable[int]) -> dict[int, str | None]:
        """Region of each registered worker among *worker_ids* (bound parameters)."""
        ids = sorted(set(worker_ids))
        if not ids:
            return {}
        rows = self.session.execute(select(WorkerRow.id, WorkerRow.region).where(WorkerRow.id.in_(ids))).all()
        return {int(i): r for i, r in rows}


class EmploymentPeriodRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, p: EmploymentPeriod, import_file_id: int | None = None) -> EmploymentPeriod:
        """Record a period; the same (employer, worker, start) updates its end and cause."""
        row = self.session.scalars(select(EmploymentPeriodRow).where(
            EmploymentPeriodRow.employer_id == p.employer_id, EmploymentPeriodRow.worker_id == p.worker_id,
            EmploymentPeriodRow.start_date == p.start_date)).first()
        if row is None:
            row = EmploymentPeriodRow(employer_id=p.employer_id, worker_id=p.worker_id, start_date=p.start_date)
            self.session.add(row)
        if p.end_date is not None:
            row.end_date = p.end_date
        if p.termination_cause is not None:
            row.termination_cause = p.termination_cause
        if p.contract_type is not None:
            row.contract_type = p.contract_type
        row.import_file_id = import_file_id if import_file_id is not None else row.import_file_id
        self.session.flush()
        return self._domain(row)

    def for_worker(self, worker_id: int) -> list[EmploymentPeriod]:
        rows = self.session.scalars(select(EmploymentPeriodRow).where(EmploymentPeriodRow.worker_id == worker_id)
                                    .order_by(EmploymentPeriodRow.start_date))
        return [self._domain(r) for r in rows]

    @staticmethod
    def _domain(row: EmploymentPeriodRow) -> EmploymentPeriod:
        return EmploymentPeriod(employer_id=row.employer_id, worker_id=row.worker_id, start_date=row.start_date,
                                end_date=row.end_date, contract_type=row.contract_type,
                                termination_cause=row.termination_cause, id=row.id)


class DeclarationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def history(self, employer_id: int, period: int) -> list[Declaration]:
        """Every version of one employer-month, oldest first (rectifications keep their history)."""
        rows = self.session.scalars(select(DeclarationRow).where(
            DeclarationRow.employer_id == employer_id, DeclarationRow.period == period)
            .order_by(DeclarationRow.version))
        return [self._domain(r) for r in rows]

    def active(self, employer_id: int, period: int) -> Declaration | None:
        row = self.session.scalars(select(DeclarationRow).where(
            DeclarationRow.employer_id == employer_id, DeclarationRow.period == period,
            DeclarationRow.status == "active")).first()
        return self._domain(row) if row else None

    def count(self, status: str | None = None) -> int:
        q = select(func.count()).select_from(DeclarationRow)
        if status:
            q = q.where(DeclarationRow.status == status)
        return int(self.session.scalar(q) or 0)

    @staticmethod
    def _domain(row: DeclarationRow) -> Declaration:
        return Declaration(employer_id=row.employer_id, period=row.period, version=row.version, status=row.status,
                           total_due=row.total_due, workers=row.workers, import_file_id=row.import_file_id,
                           id=row.id)


class ContributionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_worker(self, worker_id: int, *, active_only: bool = True,
                   params: ParameterSet | None = None) -> list[ContributionRecord]:
        """The worker's contribution records, oldest first; the base and the art. 8 amounts are
        computed from the insurable pay with the parameters of each month: *params* as the caller
        obtained them (``services.governance.parameters_for``: an entry point hands that, decision
        0424), or by default the law's baseline plus the instruments recorded in this database —
        never the YAML alone, which would show a month charged at a rate no longer in force."""
        q = (select(ContributionRow, DeclarationRow.employer_id, DeclarationRow.status)
             .join(DeclarationRow, DeclarationRow.id == ContributionRow.declaration_id)
             .where(ContributionRow.worker_id == worker_id))
        if active_only:
            q = q.where(DeclarationRow.status == "active")
        rows = self.session.execute(q.order_by(ContributionRow.period, DeclarationRow.employer_id,
                                               ContributionRow.declaration_id)).all()
        if not rows:
            return []
        if params is None:
            from seguro_desempleo.parameters.model import Instrument
            from seguro_desempleo.storage.governance_repository import SqlGovernanceRepository

            instruments = [Instrument(type=i.type, number=i.number, issued_on=i.issued_on, effective_date=i.effective_date,
                                      values=dict(i.params or {}), seq=i.id)
                           for i in SqlGovernanceRepository(self.session).instruments()]
            params = default_parameters().with_instruments(instruments) if instruments else default_parameters()
        amounts = monthly_amounts([r[0].insurable_pay for r in rows], [r[0].period for r in rows], params)
        return [ContributionRecord(employer_id=int(emp), worker_id=r.worker_id, period=r.period,
                                   insurable_pay=r.insurable_pay, base=int(amounts.base[i]),
                                   contribution=int(amounts.total[i]), employer_part=int(amounts.employer[i]),
                                   cts_part=int(amounts.cts[i]), declaration_id=r.declaration_id,
                                   active=status == "active")
                for i, (r, emp, status) in enumerate(rows)]

    def count(self, *, active_only: bool = True) -> int:
        q = select(func.count()).select_from(ContributionRow)
        if active_only:
            q = (q.join(DeclarationRow, DeclarationRow.id == ContributionRow.declaration_id)
                 .where(DeclarationRow.status == "active"))
        return int(self.session.scalar(q) or 0)


class PaymentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def check_new_reference(self, reference: str | None) -> None:
        if reference is not None:
            dup = self.session.scalar(select(EmployerPaymentRow.id).where(EmployerPaymentRow.reference == reference))
            if dup is not None:
                raise ConflictError(f"payment reference '{reference}' was already recorded", field="reference")

    def add(self, employer_id: int, period: int, amount: int, interest: int, paid_on: dt.date,
            reference: str | None, ledger_entry_id: int | None) -> int:
        self.check_new_reference(reference)
        row = EmployerPaymentRow(employer_id=employer_id, period=period, amount=amount, interest=interest,
                                 paid_on=paid_on, reference=reference, ledger_entry_id=ledger_entry_id)
        self.session.add(row)
        self.session.flush()
        return row.id

    def paid_for(self, employer_id: int, period: int) -> int:
        """Céntimos paid against the contributions of one employer-month (interest excluded)."""
        return int(self.session.scalar(select(func.coalesce(func.sum(EmployerPaymentRow.amount), 0)).where(
            EmployerPaymentRow.employer_id == employer_id, EmployerPaymentRow.period == period)) or 0)


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def entry_id_for_key(self, key: str) -> int | None:
        return self.session.scalar(select(LedgerEntryRow.id).where(LedgerEntryRow.idempotency_key == key))

    def chain_head(self) -> str:
        """The hash of the last entry (the chain's head), read once per transaction; on PostgreSQL
        under the chain's advisory lock, held to the end of the transaction, so concurrent posters
        link one after the other (storage/ledger_chain.py)."""
        head = self.session.info.get(_LEDGER_HEAD)
        if head is None:
            if self.session.get_bind().dialect.name == "postgresql":
                self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_KEY})
            head = self.session.scalar(select(LedgerEntryRow.hash).order_by(LedgerEntryRow.id.desc()).limit(1))
            head = head or LEDGER_GENESIS
        return str(head)

    def add_entry(self, event_type: str, lines: Sequence[Line], ref: str | None, at: dt.date,
                  key: str | None = None) -> int:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        prev = self.chain_head()
        digest = entry_hash(prev, event_type, ref, at, key, lines)
        entry = LedgerEntryRow(event_type=event_type, ref=ref, at=at, created_at=now, idempotency_key=key,
                               prev_hash=prev, hash=digest)
        self.session.add(entry)
        self.session.flush()
        self.session.info[_LEDGER_HEAD] = digest
        self.session.execute(insert(LedgerLineRow), [
            {"entry_id": entry.id, "account": a, "debit": d, "credit": c} for a, d, c in lines])
        self._add_to_totals(lines)
        return entry.id

    def add_entries(self, event_type: str, entries: Sequence[tuple[Sequence[Line], str | None]],
                    at: dt.date) -> list[int]:
        """Many entries of one event at once (each its lines and ref): the entries in one insert,
        their lines in one, and each account's maintained totals updated once — for a
        reconciliation of thousands of months, not a round of statements per entry."""
        if not entries:
            return []
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        prev = self.chain_head()
        rows = []
        for lines, ref in entries:
            digest = entry_hash(prev, event_type, ref, at, None, lines)
            rows.append({"event_type": event_type, "ref": ref, "at": at, "created_at": now, "prev_hash": prev,
                         "hash": digest})
            prev = digest
        ids = [int(i) for i in self.session.scalars(
            insert(LedgerEntryRow).returning(LedgerEntryRow.id, sort_by_parameter_order=True), rows)]
        self.session.info[_LEDGER_HEAD] = prev
        self.session.execute(insert(LedgerLineRow), [
            {"entry_id": i, "account": a, "debit": d, "credit": c}
            for i, (lines, _) in zip(ids, entries, strict=True) for a, d, c in lines])
        self._add_to_totals(line for lines, _ in entries for line in lines)
        return ids

    def _add_to_totals(self, lines: Iterable[Line]) -> None:
        """Each account's maintained totals moved by *lines*, one update per account (in code order)."""
        per_account: dict[str, tuple[int, int]] = {}
        for a, d, c in lines:
            pd, pc = per_account.get(a, (0, 0))
            per_account[a] = (pd + d, pc + c)
        for a, (d, c) in sorted(per_account.items()):
            self.session.execute(update(LedgerAccountRow).where(LedgerAccountRow.code == a).values(
                debit_total=LedgerAccountRow.debit_total + d, credit_total=LedgerAccountRow.credit_total + c))

    def totals(self) -> dict[str, tuple[int, int]]:
        """The maintained (debit, credit) totals per account."""
        rows = self.session.execute(select(LedgerAccountRow.code, LedgerAccountRow.debit_total,
                                           LedgerAccountRow.credit_total))
        return {code: (int(d), int(c)) for code, d, c in rows}

    def totals_from_lines(self, until: dt.date | None = None) -> dict[str, tuple[int, int]]:
        """(debit, credit) per account recomputed from the lines (optionally up to a date)."""
        q = (select(LedgerLineRow.account, func.sum(LedgerLineRow.debit), func.sum(LedgerLineRow.credit))
             .join(LedgerEntryRow, LedgerEntryRow.id == LedgerLineRow.entry_id).group_by(LedgerLineRow.account))
        if until is not None:
            q = q.where(LedgerEntryRow.at <= until)
        return {a: (int(d or 0), int(c or 0)) for a, d, c in self.session.execute(q)}

    def chained_entries(self, batch: int = 5000) -> Iterable[tuple[int, str, str | None, dt.date, str | None,
                                                                   str | None, str | None, list[Line]]]:
        """Every entry in ``id`` order with its key, links and lines, read in batches (for the
        chain's verifier, storage/ledger_chain.py)."""
        last = 0
        while True:
            rows = self.session.execute(
                select(LedgerEntryRow.id, LedgerEntryRow.event_type, LedgerEntryRow.ref, LedgerEntryRow.at,
                       LedgerEntryRow.idempotency_key, LedgerEntryRow.prev_hash, LedgerEntryRow.hash)
                .where(LedgerEntryRow.id > last).order_by(LedgerEntryRow.id).limit(batch)).all()
            if not rows:
                return
            lines: dict[int, list[Line]] = {int(r[0]): [] for r in rows}
            for ln in self.session.execute(
                    select(LedgerLineRow.entry_id, LedgerLineRow.account, LedgerLineRow.debit, LedgerLineRow.credit)
                    .where(LedgerLineRow.entry_id > last, LedgerLineRow.entry_id <= int(rows[-1][0]))
                    .order_by(LedgerLineRow.id)):
                lines.setdefault(int(ln[0]), []).append((ln[1], int(ln[2]), int(ln[3])))
            for r in rows:
                yield (int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], lines[int(r[0])])
            last = int(rows[-1][0])

    def entries(self, ref: str | None = None) -> list[tuple[int, str, str | None, dt.date, list[Line]]]:
        """Entries in posting order: (id, event_type, ref, at, lines)."""
        q = select(LedgerEntryRow).order_by(LedgerEntryRow.id)
        if ref is not None:
            q = q.where(LedgerEntryRow.ref == ref)
        entries = list(self.session.scalars(q))
        ids = [e.id for e in entries]
        lines: dict[int, list[Line]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 5000):
            for row in self.session.scalars(select(LedgerLineRow).where(LedgerLineRow.entry_id.in_(chunk))
                                            .order_by(LedgerLineRow.id)):
                lines[row.entry_id].append((row.account, int(row.debit), int(row.credit)))
        return [(e.id, e.event_type, e.ref, e.at, lines[e.id]) for e in entries]


_LEDGER_HEAD = "seguro_ledger_head"


@event.listens_for(Session, "after_transaction_end")
def _forget_ledger_head(session: Session, transaction: Any) -> None:
    # A rolled-back savepoint or a new transaction may see another head.
    session.info.pop(_LEDGER_HEAD, None)


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
