"""Installments due for many claims at once, as arrays (the national monthly run).

The same rule as :func:`seguro_desempleo.payments.schedule.installments_due`, for ``n`` claims
× ``k`` installments in a few numpy operations, so a run over 60,000 beneficiaries decides what
is due in milliseconds and the database work is one bulk insert. A parity test checks that both
give the same answer on random claims.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NO_REEMPLOYMENT = np.iinfo(np.int64).max


def due_mask(first_period: IntArray, paid: BoolArray, run_period: int, *,
             reemployment_period: IntArray | None = None, withheld: BoolArray | None = None) -> BoolArray:
    """``(n, k)`` mask of installments due in the run for *run_period*.

    ``first_period`` (n,) month index of installment 1; ``paid`` (n, k) already paid;
    ``reemployment_period`` (n,) month of re-employment (:data:`NO_REEMPLOYMENT` for none);
    ``withheld`` (n, k) installments whose month is under suspension.
    """
    first = np.asarray(first_period, dtype=np.int64)
    k = paid.shape[1]
    months = first[:, None] + np.arange(k, dtype=np.int64)[None, :]
    due = (months <= run_period) & ~paid
    if reemployment_period is not None:
        due &= months < np.asarray(reemployment_period, dtype=np.int64)[:, None]
    if withheld is not None:
        due &= ~withheld
    return due


def run_totals(amounts: IntArray, due: BoolArray) -> tuple[int, int]:
    """(number of installments, total céntimos) the run pays."""
    return int(due.sum()), int(np.where(due, amounts, 0).sum(dtype=np.int64))


def fund_cut(available: int | None, unpaid: list[Any], ii: IntArray, jj: IntArray, first: IntArray,
             amounts: IntArray, ids: list[str]) -> tuple[IntArray, IntArray]:
    """The due installments the cash *available* pays, in payment order; those that do not fit are
    appended to *unpaid* (kept in payment order). ``None`` available: everything is paid."""
    from decimal import Decimal

    from seguro_desempleo.claims.service import payment_order
    from seguro_desempleo.payments.schedule import Installment

    if available is not None and len(ii):
        pers = first[ii] + jj
        id_len = np.array([len(ids[i]) for i in ii.tolist()], dtype=np.int64)
        # plain is ordered by claim id; equal-length ids sort as their text: (period, len, row, number)
        order = np.lexsort((jj, ii, id_len, pers))
        cum = np.cumsum(amounts[ii, jj][order], dtype=np.int64)
        budget = max(0, available) if not unpaid else 0
        fits = cum <= budget
        cut = int(fits.sum()) if fits.all() else int(np.argmin(fits))
        for pos in order[cut:].tolist():
            i, j = int(ii[pos]), int(jj[pos])
            unpaid.append(Installment(ids[i], j + 1, int(first[i] + j), Decimal(0), int(amounts[i, j])))
        keep = np.sort(order[:cut])
        ii, jj = ii[keep], jj[keep]
        unpaid.sort(key=lambda u: payment_order(u.period, u.claim_id, u.number))
    return ii, jj
