"""Plausibility of declared months (issue 25, decision 0307): what staff review before it counts.

A declared month is *flagged* when its pay is

- above the parameterised ceiling ``controls.declared_pay_ceiling`` (S/ per month), or
- more than ``controls.pay_jump_factor`` times the median of the worker's declared months with
  pay (when there are more than :data:`MIN_HISTORY` of them).

A flagged month does not count toward eligibility (nor the benefit's reference pay) until a
caseworker accepts it in the review queue; a rejected one never counts. An award that rests on
accepted flagged months, or whose total exceeds ``controls.second_approval_amount``, is held until
a second staff member approves it (maker-checker, :mod:`seguro_desempleo.storage.money_safety`).

Pure functions: the service applies them to the months the history gives (one pass, no I/O).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from seguro_desempleo.rules.evaluate import ContributionMonth

MIN_HISTORY = 3


@dataclass(frozen=True)
class Flag:
    period: int
    remuneration: int                 # céntimos
    reasons: str                      # Spanish, for the review queue


def _limits(snapshot: Mapping[str, Any]) -> tuple[int, Decimal]:
    """(ceiling in céntimos, jump factor), converted once per parameter snapshot."""
    def read(snap: Any) -> tuple[int, Decimal]:
        return (int(Decimal(str(snap["controls.declared_pay_ceiling"])) * 100),
                Decimal(str(snap["controls.pay_jump_factor"])))
    memo = getattr(snapshot, "memo", None)
    result: tuple[int, Decimal] = memo("plausibility.limits", read) if memo is not None else read(snapshot)
    return result


def flags(months: Sequence[ContributionMonth], snapshot: Mapping[str, Any]) -> list[Flag]:
    """The implausible months of *months* under the parameters of *snapshot*."""
    if not months:
        return []
    ceiling, factor = _limits(snapshot)
    pays = [m.remuneration for m in months if m.remuneration > 0]
    if not pays:
        return []
    top = max(pays)
    # The usual case in one pass: nothing above the ceiling, and no month above factor × the
    # smallest (hence none above factor × the median).
    if top <= ceiling and (len(pays) <= MIN_HISTORY or top <= factor * min(pays)):
        return []
    # The median of all the months with pay (one sort): one outlier barely moves it.
    median = Decimal(statistics.median(pays)) if len(pays) > MIN_HISTORY else Decimal(0)
    out = []
    for m in months:
        why = []
        if m.remuneration > ceiling:
            why.append(f"remuneración sobre S/ {ceiling // 100:,} (tope de revisión)")
        if median > 0 and m.remuneration > factor * median:
            why.append(f"más de {factor} veces la mediana de su historial")
        if why:
            out.append(Flag(m.period, m.remuneration, "; ".join(why)))
    return out


def counted(months: Sequence[ContributionMonth], flagged: Sequence[Flag],
            reviews: Mapping[int, str]) -> tuple[tuple[ContributionMonth, ...], list[int]]:
    """(months that count, flagged months that count because staff accepted them)."""
    bad = {f.period for f in flagged if reviews.get(f.period) != "accepted"}
    accepted = sorted(f.period for f in flagged if reviews.get(f.period) == "accepted")
    return tuple(m for m in months if m.period not in bad), accepted
