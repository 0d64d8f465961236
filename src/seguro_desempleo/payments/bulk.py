"""Installments due for many claims at once, as arrays (the national monthly run).

The same rule as :func:`seguro_desempleo.payments.schedule.installments_due`, for ``n`` claims
× ``k`` installments in a few numpy operations, so a run over 60,000 beneficiaries decides what
is due in milliseconds and the database work is one bulk insert. A parity test checks that both
give the same answer on random claims.
"""

from __future__ import annotations

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
