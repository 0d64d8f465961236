"""Art. 7, second requirement — the waiting period (período de carencia).

"período de desempleo requerido para que se active el acceso a las prestaciones ... no deberá ser
menor a una semana ni mayor a un mes."

Reading: the waiting period is counted in calendar days from the day after the separation; it is
met on a date when at least ``requirements.waiting_period_days`` days of unemployment have passed
and the worker was not re-employed before it ended: a re-employment that starts on its last day
leaves one day short (separation 20/03, 7 days: 21/03–27/03; re-employed on 27/03, six days). The bounds (7–30 days) are enforced when the
parameter is loaded.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import Snapshot

ARTICLE = "PL 5510/2022-CR, art. 7"


def waiting_period_end(separation_date: npt.ArrayLike, snap: Snapshot) -> npt.NDArray[np.datetime64]:
    """First date on which the waiting period has been served."""
    days = int(snap["requirements.waiting_period_days"])
    end = np.asarray(separation_date, dtype="datetime64[D]") + np.timedelta64(days, "D")
    return end  # type: ignore[return-value]  # numpy's stubs type datetime64 + timedelta64 as timedelta64


def waiting_period_met(separation_date: npt.ArrayLike, as_of: npt.ArrayLike, snap: Snapshot,
                       reemployment_date: npt.ArrayLike | None = None) -> npt.NDArray[np.bool_]:
    """Served on *as_of*: enough days have passed and no re-employment up to its last day."""
    end = waiting_period_end(separation_date, snap)
    met = np.asarray(as_of, dtype="datetime64[D]") >= end
    if reemployment_date is not None:
        re = np.asarray(reemployment_date, dtype="datetime64[D]")
        met &= np.isnat(re) | (re > end)
    return met
