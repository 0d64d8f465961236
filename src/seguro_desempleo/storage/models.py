"""The relational schema (SQLAlchemy 2 declarative models). Alembic migrations create it.

Money columns are ``BigInteger`` céntimos; months are integer month indices
(``year * 12 + month - 1``); dates are ``Date``. Natural keys are unique: an employer's RUC, a
worker's (document type, number), an imported file's identity key (SHA-256 of its kind, the RUC
and month of its name, and its bytes). Other areas (claims, payments to
workers, appeals) add their tables in later Alembic revisions; they may reference ``worker.id``,
``employer.id`` and ``ledger_entry.id``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class EmployerRow(Base):
    __tablename__ = "employer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ruc: Mapped[str] = mapped_column(String(11).with_variant(String(11, collation="C"), "postgresql"), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    size_class: Mapped[str | None] = mapped_column(String(10))
    size_source: Mapped[str] = mapped_column(String(10), default="declared")
    annual_sales_uit: Mapped[object | None] = mapped_column(Numeric(14, 2))
    sector: Mapped[str] = mapped_column(String(10), default="private")
    region: Mapped[str | None] = mapped_column(String(40))
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WorkerRow(Base):
    __tablename__ = "worker"
    # PostgreSQL: the number first, which sorts by its abbreviated key (migration 0206); SQLite's
    # table keeps UNIQUE (doc_type, doc_number), the order immaterial there.
    # The identity is (type, number, issuing country) (migration 0308, issue 31): doc_country is
    # Tabla 26's code — "604" (Perú) for every document Peru issues, the issuing country of a 07/24,
    # or "" for a 07/24 no T-Registro file has given the country of yet.
    __table_args__ = (UniqueConstraint("doc_number", "doc_type", "doc_country", name="uq_worker_document"),
                      CheckConstraint("doc_type IN ('07', '24') OR doc_country = '604'", name="peruvian_document"),
                      CheckConstraint("doc_country = '' OR length(doc_country) = 3", name="country_code"),
                      Index("ix_worker_foreign_document", "doc_type", "doc_number",
                            sqlite_where=text("doc_type IN ('07', '24')"),
                            postgresql_where=text("doc_type IN ('07', '24')")))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Codes compared bytewise on PostgreSQL (migration 0204); SQLite's default is already bytewise.
    doc_type: Mapped[str] = mapped_column(String(2).with_variant(String(2, collation="C"), "postgresql"))
    doc_number: Mapped[str] = mapped_column(String(15).with_variant(String(15, collation="C"), "postgresql"))
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    region: Mapped[str | None] = mapped_column(String(40))
    full_name: Mapped[str | None] = mapped_column(String(200))   # personal data: never logged
    doc_country: Mapped[str] = mapped_column(String(3).with_variant(String(3, collation="C"), "postgresql"),
                                             default="604", server_default="604")


class EmploymentPeriodRow(Base):
    __tablename__ = "employment_period"
    __table_args__ = (
        UniqueConstraint("employer_id", "worker_id", "start_date", name="uq_employment_period_start"),
        Index("ix_employment_period_worker", "worker_id", "start_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    contract_type: Mapped[str | None] = mapped_column(String(2))
    termination_cause: Mapped[str | None] = mapped_column(String(2))
    import_file_id: Mapped[int | None] = mapped_column(ForeignKey("import_file.id"))


class ImportFileRow(Base):
    __tablename__ = "import_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64).with_variant(String(64, collation="C"), "postgresql"),
                                        unique=True)  # identity key: services.payroll_import
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10))
    lines: Mapped[int] = mapped_column(Integer, default=0)
    accepted_lines: Mapped[int] = mapped_column(Integer, default=0)
    rejected_lines: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)


class DeclarationRow(Base):
    __tablename__ = "declaration"
    __table_args__ = (
        UniqueConstraint("employer_id", "period", "version", name="uq_declaration_version"),
        Index("ix_declaration_employer_period", "employer_id", "period", "status"),
        CheckConstraint("status in ('active', 'superseded')", name="status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No FOREIGN KEYs (migration 0204): 300,000 declarations a month, each checked by a trigger
    # call; the payroll import checks the employer and import file of all its rows at once.
    employer_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    import_file_id: Mapped[int | None] = mapped_column(Integer)
    superseded_by: Mapped[int | None] = mapped_column(Integer)
    workers: Mapped[int] = mapped_column(Integer, default=0)
    total_due: Mapped[int] = mapped_column(BigInteger, default=0)
    employer_due: Mapped[int] = mapped_column(BigInteger, default=0)
    cts_due: Mapped[int] = mapped_column(BigInteger, default=0)


class ContributionRow(Base):
    """One worker-month of one declaration, as declared (every version kept: the declaration's
    ``status`` says which one is in force).

    Lean on purpose (migration 0204: 3 million rows a month): no surrogate key, no copy of the
    declaration's employer or status, no amounts derivable from ``insurable_pay`` with the dated
    parameters (the base and the art. 8 contribution and split: ``rules.financing.monthly_amounts``). No
    FOREIGN KEY either: PostgreSQL would run one trigger per row; the payroll import, the only
    writer, checks every reference of its rows at once before committing, and tests check for
    orphans. The mapper's identity is (declaration, worker), unique by construction.

    On SQLite the table is ``WITHOUT ROWID`` with the primary key (worker, month, declaration)
    instead of the index (migration 0205): the records are stored in the order of the history read.
    """

    __tablename__ = "contribution"
    __table_args__ = (Index("ix_contribution_worker_period", "worker_id", "period"),)
    declaration_id: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    insurable_pay: Mapped[int] = mapped_column(BigInteger)
    __mapper_args__ = {"primary_key": [declaration_id, worker_id]}  # noqa: RUF012 (SQLAlchemy reads it once)


class EmployerPaymentRow(Base):
    __tablename__ = "employer_payment"
    __table_args__ = (Index("ix_employer_payment_employer_period", "employer_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    period: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(60), unique=True)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))


class LedgerAccountRow(Base):
    __tablename__ = "ledger_account"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    debit_total: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_total: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_ref", "ref"),
                      Index("uq_ledger_entry_prev_hash", "prev_hash", unique=True))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    ref: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # The hash chain of the entries (storage/ledger_chain.py, migration 0306): prev_hash is unique.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class LedgerLineRow(Base):
    __tablename__ = "ledger_line"
    __table_args__ = (
        Index("ix_ledger_line_entry", "entry_id"),
        CheckConstraint("debit >= 0 and credit >= 0 and (debit = 0 or credit = 0)", name="one_side"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"))
    account: Mapped[str] = mapped_column(ForeignKey("ledger_account.code"))
    debit: Mapped[int] = mapped_column(BigInteger)
    credit: Mapped[int] = mapped_column(BigInteger)
