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
from seguro_desempleo.parameters import Snapshot

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
