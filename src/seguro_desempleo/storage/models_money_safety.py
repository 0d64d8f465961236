"""Tables of issue 25's money controls (revision ``0301_money_safety``), same ``Base`` as :mod:`.models`.

- ``fund_alert`` — a payment run that could not pay everything due: the cash it found, what was
  due, the shortfall (CHECK > 0). Shown to caseworkers (run page) and the board (dashboard).
- ``declaration_review`` — a worker's declared month flagged as implausible (review queue): it does
  not count toward eligibility until staff accept it. UNIQUE (worker, period); a reviewed row
  names its reviewer (CHECK).
- ``award_approval`` — an award that needs a second staff member (maker-checker): the payment run
  pays nothing on the claim while it is pending; CHECK ``checker <> maker`` holds the four-eyes
  rule in the database itself.

The revision also adds to ``claim``: the partial UNIQUE index ``uq_claim_contingency`` (one claim
not denied per (worker, separation), ever) and the canonical-reference check on ``worker_ref``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seguro_desempleo.storage.models import Base

REVIEW_STATUSES = ("pending", "accepted", "rejected")
APPROVAL_STATUSES = ("pending", "approved", "rejected")


class FundAlertRow(Base):
    __tablename__ = "fund_alert"
    __table_args__ = (CheckConstraint("shortfall > 0", name="ck_fund_alert_shortfall"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    raised_at: Mapped[str] = mapped_column(String(40))
    period: Mapped[int] = mapped_column(Integer)
    run_date: Mapped[dt.date] = mapped_column(Date)
    available: Mapped[int] = mapped_column(BigInteger)
    due: Mapped[int] = mapped_column(BigInteger)
    shortfall: Mapped[int] = mapped_column(BigInteger)
    unpaid: Mapped[int] = mapped_column(Integer)
    raised_by: Mapped[str] = mapped_column(String(80))


class DeclarationReviewRow(Base):
    __tablename__ = "declaration_review"
    __table_args__ = (
        UniqueConstraint("worker_id", "period", name="uq_declaration_review_month"),
        CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name="ck_declaration_review_status"),
        CheckConstraint("status = 'pending' OR reviewed_by IS NOT NULL", name="ck_declaration_review_reviewer"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    period: Mapped[int] = mapped_column(Integer)
    remuneration: Mapped[int] = mapped_column(BigInteger)
    reasons: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    flagged_at: Mapped[str] = mapped_column(String(40))
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[str | None] = mapped_column(String(40))
    # migration 0309 (decision 0413): "claims" — the claims' own flags (ceiling, 5× jump), which the
    # claims service discounts; "import" — the payroll import's flags (a first declaration long
    # after it was due, or one that alone qualifies), which the history read itself leaves out
    # until accepted (storage.history.MONTHS_SQL).
    source: Mapped[str] = mapped_column(String(10), default="claims", server_default="claims")


class AwardApprovalRow(Base):
    __tablename__ = "award_approval"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="ck_award_approval_status"),
        CheckConstraint("checker IS NULL OR checker <> maker", name="ck_award_approval_four_eyes"),
        CheckConstraint("status = 'pending' OR checker IS NOT NULL", name="ck_award_approval_checked"),
        # four eyes as persons (revision 0310): the same account on any channel is one person
        CheckConstraint("checker_person IS NULL OR checker_person <> maker_person",
                        name="ck_award_approval_four_eyes_person"),
        CheckConstraint("(checker IS NULL AND checker_person IS NULL) "
                        "OR (checker IS NOT NULL AND checker_person IS NOT NULL)",
                        name="ck_award_approval_checker_person"),
    )
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id"), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
    reasons: Mapped[str] = mapped_column(String(200))
    maker: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    checker: Mapped[str | None] = mapped_column(String(80))
    checked_at: Mapped[str | None] = mapped_column(String(40))
    maker_person: Mapped[str] = mapped_column(String(80))
    checker_person: Mapped[str | None] = mapped_column(String(80))
