"""The SQL benefit-payment store (issue 24: split out of :mod:`.claims_repositories`, unchanged).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from seguro_desempleo.payments.schedule import Payment
from seguro_desempleo.storage.claims_sql_common import (
    _P,
    _dialect,
    copy_escape,
    copy_text_lines,
)
from seguro_desempleo.storage.uow import driver_connection


def _payment(r: Any) -> Payment:
    return Payment(r.key, r.claim_id, r.number, r.period, r.amount, r.paid_on)


class SqlPaymentStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self) -> Any:
        if _dialect(self.session) == "postgresql":
            return postgresql.insert(_P).on_conflict_do_nothing(index_elements=["key"])
        return sqlite.insert(_P).on_conflict_do_nothing(index_elements=["key"])

    def record(self, payment: Payment) -> bool:
        res = self.session.execute(self._insert().values(
            key=payment.key, claim_id=payment.claim_id, number=payment.number, period=payment.period,
            amount=payment.amount, paid_on=payment.paid_on).returning(_P.c.key))
        return res.first() is not None

    def record_many(self, payments: list[Payment]) -> set[str]:
        """Bulk :meth:`record`; the keys actually inserted (the others were paid already)."""
        if not payments:
            return set()
        if _dialect(self.session) == "postgresql":
            return self._record_many_pg(payments)
        rows = [{"key": p.key, "claim_id": p.claim_id, "number": p.number, "period": p.period,
                 "amount": p.amount, "paid_on": p.paid_on} for p in payments]
        # executemany with RETURNING: SQLAlchemy batches it as multi-row VALUES ("insertmanyvalues").
        res = self.session.execute(self._insert().returning(_P.c.key), rows)
        return {str(k) for k in res.scalars()}

    def _record_many_pg(self, payments: list[Payment]) -> set[str]:
        """COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING."""
        self.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS stage_benefit_payment "
                                  "(LIKE benefit_payment INCLUDING DEFAULTS) ON COMMIT DROP"))
        self.session.execute(text("TRUNCATE stage_benefit_payment"))
        raw: Any = driver_connection(self.session)
        with raw.cursor() as cur:
            esc = copy_escape
            copy_text_lines(cur, "COPY stage_benefit_payment (key, claim_id, number, period, amount, paid_on) "
                            "FROM STDIN",
                            (f"{esc(p.key)}\t{esc(p.claim_id)}\t{int(p.number)}\t{int(p.period)}\t"
                             f"{int(p.amount)}\t{p.paid_on.isoformat()}" for p in payments))
            cur.execute("INSERT INTO benefit_payment (key, claim_id, number, period, amount, paid_on) "
                        "SELECT key, claim_id, number, period, amount, paid_on FROM stage_benefit_payment "
                        "ON CONFLICT (key) DO NOTHING RETURNING key")
            return {k for (k,) in cur.fetchall()}

    def payments(self, claim_id: str) -> list[Payment]:
        rows = self.session.execute(select(_P).where(_P.c.claim_id == claim_id).order_by(_P.c.number))
        return [_payment(r) for r in rows]

    def remove(self, key: str) -> None:
        self.session.execute(delete(_P).where(_P.c.key == key))

    def search(self, *, claim_ids: Iterable[str] | None = None, period: int | None = None,
             limit: int = 100, offset: int = 0) -> list[Payment]:
        q = select(_P).order_by(_P.c.claim_id, _P.c.number).limit(limit).offset(offset)
        if claim_ids is not None:
            q = q.where(_P.c.claim_id.in_(list(claim_ids)))
        if period is not None:
            q = q.where(_P.c.period == period)
        return [_payment(r) for r in self.session.execute(q)]

    def totals(self) -> tuple[int, int]:
        n, total = self.session.execute(select(func.count(), func.coalesce(func.sum(_P.c.amount), 0))
                                        .select_from(_P)).one()
        return int(n), int(total)
