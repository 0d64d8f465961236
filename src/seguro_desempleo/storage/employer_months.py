"""The employer payments' reads (``services/employer_payments.py``): the months with payments, a
declaration's employer part, the payments, RUCs, active dues and books of a batch of months, and
the arrears scan (issue 24, decision 0805: the service's SQL moved here, the same statements with
the same bound parameters). ``uow.employer_months`` builds it in the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

_PAYMENTS = (text("SELECT employer_id, period, paid_on, amount, interest FROM employer_payment "
                  "WHERE employer_id IN :e AND period IN :p ORDER BY employer_id, period, paid_on, id")
             .bindparams(bindparam("e", expanding=True), bindparam("p", expanding=True))
             .columns(paid_on=Date))
_RUCS = text("SELECT id, ruc FROM employer WHERE id IN :e").bindparams(bindparam("e", expanding=True))
_DUES = (text("SELECT employer_id, period, total_due, employer_due FROM declaration "
              "WHERE status = 'active' AND employer_id IN :e AND period IN :p")
         .bindparams(bindparam("e", expanding=True), bindparam("p", expanding=True)))
_BOOKS = (text("SELECT e.ref, l.account, SUM(l.debit), SUM(l.credit) FROM ledger_line l "
               "JOIN ledger_entry e ON e.id = l.entry_id WHERE e.ref IN :r GROUP BY e.ref, l.account")
          .bindparams(bindparam("r", expanding=True)))


class SqlEmployerMonths:
    """The employer-months' reads in one transaction (its session's connection)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def paid_months(self) -> list[tuple[int, int]]:
        """Every ``(employer_id, period)`` with a payment."""
        rows = self.session.connection().execute(text("SELECT DISTINCT employer_id, period FROM employer_payment"))
        return [(int(e), int(p)) for e, p in rows]

    def employer_due(self, declaration_id: int) -> int:
        """The employer's part of a declaration's contributions (céntimos)."""
        return int(self.session.connection().execute(text("SELECT employer_due FROM declaration WHERE id = :i"),
                                                     {"i": declaration_id}).scalar_one())

    def payments(self, employer_ids: Sequence[int], periods: Sequence[int]) -> Iterable[Any]:
        """``(employer_id, period, paid_on, amount, interest)`` of these employers and periods, in
        date order per month."""
        return self.session.connection().execute(_PAYMENTS, {"e": list(employer_ids), "p": list(periods)})

    def rucs(self, employer_ids: Sequence[int]) -> dict[int, str]:
        return {int(e): str(r) for e, r in self.session.connection().execute(_RUCS, {"e": list(employer_ids)})}

    def active_dues(self, employer_ids: Sequence[int], periods: Sequence[int]) -> dict[tuple[int, int], tuple[int, int]]:
        """``(employer_id, period) -> (total_due, employer_due)`` of the active declarations."""
        rows = self.session.connection().execute(_DUES, {"e": list(employer_ids), "p": list(periods)})
        return {(int(e), int(p)): (int(due), int(emp)) for e, p, due, emp in rows}

    def books(self, refs: Sequence[str]) -> Iterable[Any]:
        """``(ref, account, debit, credit)`` summed per ledger reference and account."""
        return self.session.connection().execute(_BOOKS, {"r": list(refs)})

    def arrears_rows(self, at: dt.date, last: int, ruc: str | None = None) -> Iterable[Any]:
        """``(ruc, period, total_due, paid_on, amount, interest)`` of the active declarations owing
        something up to period *last*, with their payments made by *at*, by RUC, period and date
        (a cursor: the caller may stop early)."""
        q = ("SELECT e.ruc, d.period, d.total_due, p.paid_on, p.amount, p.interest "
             "FROM declaration d JOIN employer e ON e.id = d.employer_id "
             "LEFT JOIN employer_payment p ON p.employer_id = d.employer_id AND p.period = d.period "
             "AND p.paid_on <= :at "
             "WHERE d.status = 'active' AND d.total_due > 0 AND d.period <= :last")
        params: dict[str, object] = {"at": at, "last": last}
        if ruc is not None:
            q += " AND e.ruc = :ruc"
            params["ruc"] = ruc
        q += " ORDER BY e.ruc, d.period, p.paid_on, p.id"
        stmt = text(q).bindparams(bindparam("at", type_=Date)).columns(paid_on=Date)
        return self.session.connection().execute(stmt, params)

    def outstanding(self, ruc: str, period: int) -> int | None:
        """What the active declaration of *ruc* for *period* still owes (declared minus paid, in
        céntimos); None without one."""
        row = self.session.connection().execute(text(
            "SELECT d.total_due - COALESCE((SELECT SUM(p.amount) FROM employer_payment p WHERE p.employer_id = "
            "d.employer_id AND p.period = d.period), 0) FROM declaration d JOIN employer e ON e.id = d.employer_id "
            "WHERE e.ruc = :r AND d.period = :p AND d.status = 'active'"), {"r": ruc, "p": period}).first()
        return None if row is None else int(row[0])
