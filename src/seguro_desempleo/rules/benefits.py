"""Art. 5 — the benefit: up to five continuous months at 70/65/60/55/50 % of the insurable pay.

Each month's amount is ``rate_k × insurable pay`` rounded half-up to the céntimo. The number of
rates is the maximum number of months. ``benefits.floor`` / ``benefits.cap`` (0 = none) are not
in the bill; they exist for alternative designs and a future regulation.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from seguro_desempleo.money import apply_rate, rate_to_scaled
from seguro_desempleo.parameters import Snapshot

ARTICLE = "PL 5510/2022-CR, art. 5"

IntArray = npt.NDArray[np.int64]


def scaled_rates(snap: Snapshot) -> IntArray:
    """Benefit rates in parts per million, one per month of benefit."""
    rates: IntArray = snap.memo("benefits.scaled_rates", lambda s: np.array(
        [rate_to_scaled(r, name="benefits.rates") for r in s["benefits.rates"]], dtype=np.int64))
    return rates


def max_months(snap: Snapshot) -> int:
    return len(snap["benefits.rates"])


def benefit_schedule(insurable_remuneration: npt.ArrayLike, snap: Snapshot) -> IntArray:
    """Monthly amounts in céntimos, shape ``(n, months)``; zero where the insurable pay is zero."""
    ir = np.asarray(insurable_remuneration, dtype=np.int64)
    amounts = apply_rate(ir[..., None], scaled_rates(snap)[None, :] if ir.ndim else scaled_rates(snap))
    floor = int(Decimal(snap["benefits.floor"]) * 100)
    cap = int(Decimal(snap["benefits.cap"]) * 100)
    if floor > 0:
        amounts = np.maximum(amounts, floor)
    if cap > 0:
        amounts = np.minimum(amounts, cap)
    return np.where(ir[..., None] > 0, amounts, 0).astype(np.int64)
