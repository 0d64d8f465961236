"""Art. 7, first requirement — 12 contributions, continuous or not, in the last 24 months.

"Que el asegurado cuente con 12 aportaciones, continuas o discontinuas, en los últimos 24 meses
anteriores a que se inicie la contingencia cubierta."

Readings (parameters with notes): the window ends with the month of separation
(``requirements.window_includes_separation_month``); a month declared by the employer but not yet
paid counts (``requirements.count_declared_unpaid_months``); a month with pay from two employers is
one contribution (the history is per worker per month, across employers).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import Snapshot

ARTICLE = "PL 5510/2022-CR, art. 7"

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def window_end_month(separation_month: npt.ArrayLike, snap: Snapshot) -> IntArray:
    """Month index that closes the 24-month window (and the 12-month pay reference)."""
    sep = np.asarray(separation_month, dtype=np.int64)
    return sep if snap["requirements.window_includes_separation_month"] else sep - 1


def contributed_months(pay: npt.ArrayLike, declared: npt.ArrayLike, paid: npt.ArrayLike,
                       snap: Snapshot) -> BoolArray:
    """A month is a contribution when it was declared with pay, and paid unless unpaid months count."""
    base = (np.asarray(pay) > 0) & np.asarray(declared, dtype=bool)
    if snap["requirements.count_declared_unpaid_months"]:
        return base
    return base & np.asarray(paid, dtype=bool)


def count_in_window(contributed: npt.ArrayLike, snap: Snapshot) -> IntArray:
    """Number of contribution months in the last ``qualifying_window_months`` columns."""
    c = np.asarray(contributed, dtype=bool)
    window = int(snap["requirements.qualifying_window_months"])
    if c.shape[-1] < window:
        raise ValueError(f"history has {c.shape[-1]} months, the window needs {window}")
    return c[..., c.shape[-1] - window:].sum(axis=-1, dtype=np.int64)


def meets_qualifying(count: npt.ArrayLike, snap: Snapshot) -> BoolArray:
    """At least ``qualifying_contributions`` months in the window."""
    return np.asarray(count) >= int(snap["requirements.qualifying_contributions"])
