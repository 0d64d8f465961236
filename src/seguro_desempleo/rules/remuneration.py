"""Art. 5 and Ley 26790 art. 6 — the insurable pay (remuneración asegurable).

"La remuneración asegurable es el promedio de remuneraciones percibidas en los últimos 12 meses
anteriores a la oportunidad en que se produzca la contingencia cubierta. La remuneración
asegurable es la definida por las normas del Seguro Social de Salud, en particular por el artículo
6 de la Ley N° 26790."

Monthly base: the EsSalud-insurable pay of the month (Tabla 22 concepts with EsSalud = SI), never
below the RMV in a month with pay (Ley 26790 art. 6). Average: over the last
``benefits.reference_months`` months of the window; divided by the months with pay (default
reading) or by the number of reference months (``benefits.average_divisor``). Half-up to the
céntimo.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.money import round_half_up_div
from seguro_desempleo.parameters import Snapshot

ARTICLE = "PL 5510/2022-CR, art. 5; Ley 26790, art. 6"

IntArray = npt.NDArray[np.int64]


def insurable_base(pay: npt.ArrayLike, rmv: npt.ArrayLike, snap: Snapshot) -> IntArray:
    """Monthly insurable base in céntimos: 0 without pay, else ``max(pay, RMV)`` (Ley 26790 art. 6)."""
    p = np.asarray(pay, dtype=np.int64)
    if not snap["insurable_pay.rmv_minimum_base"]:
        return np.where(p > 0, p, 0).astype(np.int64)
    return np.where(p > 0, np.maximum(p, np.asarray(rmv, dtype=np.int64)), 0).astype(np.int64)


def reference_window(base_hist: npt.ArrayLike, snap: Snapshot) -> IntArray:
    """The last ``benefits.reference_months`` columns of a monthly history (oldest → newest)."""
    b = np.asarray(base_hist, dtype=np.int64)
    months = int(snap["benefits.reference_months"])
    if b.shape[-1] < months:
        raise ValueError(f"history has {b.shape[-1]} months, the reference needs {months}")
    return b[..., b.shape[-1] - months:]


def insurable_remuneration(base_hist: npt.ArrayLike, snap: Snapshot) -> IntArray:
    """Average insurable pay of the reference months, half-up to the céntimo (0 if no pay)."""
    ref = reference_window(base_hist, snap)
    total = ref.sum(axis=-1, dtype=np.int64)
    if snap["benefits.average_divisor"] == "months_with_pay":
        divisor = (ref > 0).sum(axis=-1, dtype=np.int64)
    else:
        divisor = np.full(total.shape, ref.shape[-1], dtype=np.int64)
    safe = np.maximum(divisor, 1)
    return np.where(divisor > 0, round_half_up_div(total, safe), 0).astype(np.int64)
