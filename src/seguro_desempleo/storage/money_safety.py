"""Queries of issue 25's money controls over one session (never commits; the caller's unit of work).

- the fund's available cash: the bank account's maintained balance, the row locked on PostgreSQL
  (``FOR UPDATE``) so two runs of different months cannot both spend the same soles;
- fund alerts (a run that left installments due for lack of cash);
- the declaration review queue (flagged months, accepted or rejected by staff);
- award approvals (maker-checker; the CHECK ``checker <> maker`` is the database's).

Every statement is built with SQLAlchemy's expression language (bound parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seguro_desempleo.domain.ledger import Accounts, balance_of
from seguro_desempleo.errors import ConflictError, NotFoundError
from seguro_desempleo.storage.models import LedgerAccountRow
from seguro_desempleo.storage.models_money_safety import AwardApprovalRow, DeclarationReviewRow, FundAlertRow

_FA: Table = FundAlertRow.__table__  # type: ignore[assignment]
_DR: Table = DeclarationReviewRow.__table__  # type: ignore[assignment]
_AA: Table = AwardApprovalRow.__table__  # type: ignore[assignment]
_LA: Table = LedgerAccountRow.__table__  # type: ignore[assignment]


# --------------------------------------------------------------------------------------------- the fund


def available_cash(session: Session) -> int:
    """The bank account's balance (céntimos); its row locked until the transaction ends (PostgreSQL)."""
    q = select(_LA.c.debit_total, _LA.c.credit_total).where(_LA.c.code == Accounts.BANK)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.execute(q).first()
    if row is None:
        return 0
    return balance_of(Accounts.BANK, int(row[0] or 0), int(row[1] or 0))


def record_fund_alert(session: Session, *, period: int, run_date: dt.date, available: int, due: int,
                      shortfall: int, unpaid: int, raised_by: str, raised_at: str) -> None:
    session.execute(insert(_FA).values(period=period, run_date=run_date, available=available, due=due,
                                       shortfall=shortfall, unpaid=unpaid, raised_by=raised_by,
                                       raised_at=raised_at))


def fund_alerts(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.execute(select(_FA).order_by(_FA.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


# --------------------------------------------------------------------------------------------- reviews


def reviews_of(session: Session, worker_id: int) -> dict[int, str]:
    """period → status of the worker's flagged months."""
    rows = session.execute(select(_DR.c.period, _DR.c.status).where(_DR.c.worker_id == worker_id))
    return {int(p): str(s) for p, s in rows}


def flag_months(session: Session, worker_id: int, flags: Iterable[tuple[int, int, str]], *, at: str) -> int:
    """Add flagged months ``(period, remuneration, reasons)`` not yet in the queue; the number added."""
    known = reviews_of(session, worker_id)
    rows = [{"worker_id": worker_id, "period": p, "remuneration": pay, "reasons": why[:200], "status": "pending",
             "flagged_at": at} for p, pay, why in flags if p not in known]
    if rows:
        session.execute(insert(_DR), rows)
    return len(rows)


def review_queue(session: Session, *, status: str = "pending", limit: int = 200) -> list[dict[str, Any]]:
    rows = session.execute(select(_DR).where(_DR.c.status == status)
                           .order_by(_DR.c.flagged_at, _DR.c.id).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def pending_reviews(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(_DR).where(_DR.c.status == "pending")).scalar_one())


def review_month(session: Session, review_id: int, accept: bool, *, reviewer: str, at: str) -> dict[str, Any]:
    row = session.execute(select(_DR).where(_DR.c.id == review_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no flagged month {review_id}", field="review_id")
    if row["status"] != "pending":
        raise ConflictError(f"flagged month {review_id} was already {row['status']}", where=f"review {review_id}")
    status = "accepted" if accept else "rejected"
    res = session.execute(update(_DR).where(_DR.c.id == review_id, _DR.c.status == "pending")
                          .values(status=status, reviewed_by=reviewer, reviewed_at=at))
    if res.rowcount != 1:   # type: ignore[attr-defined]
        raise ConflictError("the flagged month changed meanwhile; reload", where=f"review {review_id}")
    return {**dict(row), "status": status, "reviewed_by": reviewer, "reviewed_at": at}


# --------------------------------------------------------------------------------------------- approvals


def request_approval(session: Session, claim_id: str, *, total: int, reasons: str, maker: str, at: str) -> None:
    from seguro_desempleo.domain.access import person_of

    session.execute(insert(_AA).values(claim_id=claim_id, total=total, reasons=reasons[:200], maker=maker,
                                       maker_person=person_of(maker)[:80], requested_at=at, status="pending"))


def held_claims(session: Session) -> set[str]:
    return {str(c) for c in session.execute(select(_AA.c.claim_id).where(_AA.c.status == "pending")).scalars()}


def approval_of(session: Session, claim_id: str) -> dict[str, Any] | None:
    row = session.execute(select(_AA).where(_AA.c.claim_id == claim_id)).mappings().first()
    return dict(row) if row is not None else None


def approval_queue(session: Session, *, limit: int = 200) -> list[dict[str, Any]]:
    rows = session.execute(select(_AA).where(_AA.c.status == "pending")
                           .order_by(_AA.c.requested_at, _AA.c.claim_id).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def check_award(session: Session, claim_id: str, approve: bool, *, checker: str, at: str) -> dict[str, Any]:
    """The second staff member's approval (or rejection) of a held award; never the maker's own."""
    row = approval_of(session, claim_id)
    if row is None:
        raise NotFoundError(f"claim {claim_id} awaits no approval", field="claim_id")
    if row["status"] != "pending":
        raise ConflictError(f"the award was already {row['status']}", where=f"claim {claim_id}")
    from seguro_desempleo.domain.access import person_of

    if row["maker"] == checker or person_of(str(row["maker"])) == person_of(checker):  # the same person, any channel
        raise ConflictError("la aprobación la da otro funcionario: quien decidió no puede aprobar su propia "
                            "decisión (cuatro ojos)", where=f"claim {claim_id}")
    status = "approved" if approve else "rejected"
    try:
        with session.begin_nested():
            res = session.execute(update(_AA).where(_AA.c.claim_id == claim_id, _AA.c.status == "pending")
                                  .values(status=status, checker=checker, checker_person=person_of(checker)[:80],
                                          checked_at=at))
    except IntegrityError:
        raise ConflictError("la aprobación la da otro funcionario (cuatro ojos)", where=f"claim {claim_id}") from None
    if res.rowcount != 1:   # type: ignore[attr-defined]
        raise ConflictError("the approval changed meanwhile; reload", where=f"claim {claim_id}")
    return {**row, "status": status, "checker": checker, "checked_at": at}


# --------------------------------------------------------------------------------------------- the port


class SqlControlsStore:
    """:class:`~seguro_desempleo.claims.ports.ControlsStore` over one session (``uow.controls``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def available_cash(self) -> int:
        return available_cash(self.session)

    def record_fund_alert(self, *, period: int, run_date: dt.date, available: int, due: int, shortfall: int,
                          unpaid: int, raised_by: str, raised_at: str) -> None:
        record_fund_alert(self.session, period=period, run_date=run_date, available=available, due=due,
                          shortfall=shortfall, unpaid=unpaid, raised_by=raised_by, raised_at=raised_at)

    def fund_alerts(self, *, limit: int = 20) -> list[dict[str, Any]]:
        return fund_alerts(self.session, limit=limit)

    def review_queue(self, *, status: str = "pending", limit: int = 200) -> list[dict[str, Any]]:
        return review_queue(self.session, status=status, limit=limit)

    def review_month(self, review_id: int, accept: bool, *, reviewer: str, at: str) -> dict[str, Any]:
        return review_month(self.session, review_id, accept, reviewer=reviewer, at=at)

    def approval_queue(self, *, limit: int = 200) -> list[dict[str, Any]]:
        return approval_queue(self.session, limit=limit)
