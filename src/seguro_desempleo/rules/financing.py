"""Art. 8 — the contribution: 1.16 % of the monthly insurable pay, 0.58 % employer + 0.58 % CTS.

Rounding: the total is ``rate × base`` half-up to the céntimo, the employer part likewise, and the
part deducted from the CTS is the difference, so the two parts always add up to the total (the
total is the legal amount; the odd céntimo, when there is one, falls on the CTS part).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from seguro_desempleo.money import apply_rate, rate_to_scaled
from seguro_desempleo.parameters import ParameterSet, Snapshot
from seguro_desempleo.periods import first_day
from seguro_desempleo.rules.remuneration import insurable_base

ARTICLE = "PL 5510/2022-CR, art. 8"

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ContributionSplit:
    total: IntArray
    employer: IntArray
    cts: IntArray


def contribution_due(base: npt.ArrayLike, snap: Snapshot) -> ContributionSplit:
    """Contribution due on monthly insurable bases (céntimos) and its split (art. 8)."""
    b = np.asarray(base, dtype=np.int64)
    total = apply_rate(b, rate_to_scaled(snap["financing.contribution_rate"], name="financing.contribution_rate"))
    employer = apply_rate(b, rate_to_scaled(snap["financing.employer_rate"], name="financing.employer_rate"))
    return ContributionSplit(total=total, employer=employer, cts=total - employer)


@dataclass(frozen=True)
class MonthlyAmounts:
    """What each declared worker-month owes, by the parameters in force in its month."""

    base: IntArray              # insurable base: the pay floored at the RMV (Ley 26790 art. 6)
    total: IntArray             # art. 8 contribution
    employer: IntArray          # employer part
    cts: IntArray               # part deducted from the CTS


def monthly_amounts(pay: npt.ArrayLike, period: npt.ArrayLike, params: ParameterSet,
                    charged: npt.ArrayLike | None = None) -> MonthlyAmounts:
    """The base and the art. 8 contribution of worker-months (céntimos; *period* as month indices),
    each by the parameters and the RMV of its own month.

    The payroll import sums these into each declaration's dues; a contribution record stores only
    the insurable pay and gets its amounts from here when read (the parameters are dated, so the
    result for a past month does not change).

    *charged* (bool per worker-month, default all): False where art. 3 leaves the month out — an
    employer outside the phase in force by its size that month, or a contract outside coverage
    (``rules.coverage.employer_covered`` / ``contract_charged``, issue 26 items 1 and 5): its base
    and both parts are 0 (nothing charged, nothing dunned, no fund income).
    """
    p = np.asarray(pay, dtype=np.int64)
    months = np.asarray(period, dtype=np.int64)
    base = np.zeros_like(p)
    total = np.zeros_like(p)
    employer = np.zeros_like(p)
    for m in np.unique(months):
        sel = months == m
        snap = params.at(first_day(int(m)))
        rmv = int(params.monthly_series("economy.rmv", [int(m)])[0])
        b = insurable_base(p[sel], rmv, snap)
        split = contribution_due(b, snap)
        base[sel], total[sel], employer[sel] = b, split.total, split.employer
    if charged is not None:
        keep = np.asarray(charged, dtype=bool)
        base, total, employer = (np.where(keep, x, 0).astype(np.int64) for x in (base, total, employer))
    return MonthlyAmounts(base=base, total=total, employer=employer, cts=total - employer)


def first_month(params: ParameterSet, upto: int) -> int:
    """The first month (index, from January 1990 to *upto*) whose amounts :func:`monthly_amounts`
    can compute: every parameter it reads (the RMV, art. 8's rates) has a value by then. A later
    month always can (the parameters are dated series). ``upto + 1`` when not even *upto* can."""
    from seguro_desempleo.errors import ParameterError

    def computable(m: int) -> bool:
        try:
            monthly_amounts([100_000], [m], params)
        except ParameterError:
            return False
        return True

    lo = 1990 * 12
    if not computable(upto):
        return upto + 1
    if computable(lo):
        return lo
    hi = upto  # computable(hi) and not computable(lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if computable(mid):
            hi = mid
        else:
            lo = mid
    return hi
