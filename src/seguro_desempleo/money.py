"""Money: integer céntimos inside, ``Decimal`` soles at the edges, never a binary float.

Rounding to the céntimo is a named rule, :func:`round_half_up` (half away from zero), because
neither the bill nor Ley 26790 says otherwise. Rates are exact decimals; inside the vectorised
rules they travel as integers scaled by :data:`RATE_SCALE` (parts per million), so
``amount × rate`` is computed in int64 and rounded once.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt

from seguro_desempleo.errors import InputError

RATE_SCALE = 1_000_000
"""Rates inside the rules are integers in parts per million (0.0116 → 11_600)."""

CENTS = Decimal("0.01")
_AMOUNT_RE = re.compile(r"^\s*(-?)(\d{1,13})(?:\.(\d{1,2}))?\s*$")

IntArray = npt.NDArray[np.int64]


def parse_soles(text: object, *, field: str = "amount", where: str | None = None,
                allow_negative: bool = False) -> int:
    """Parse a decimal amount in soles (``"2400.00"``, ``"2400"``, ``2400``) into céntimos.

    Floats are refused: an amount must arrive as text or an integer so that no binary rounding
    has happened before we see it.
    """
    if isinstance(text, (bool, float)):
        raise InputError(f"amount must be a decimal string such as \"2400.00\", not {text!r}",
                         field=field, where=where)
    if isinstance(text, int):
        text = str(text)
    if isinstance(text, Decimal):
        text = format(text, "f")
    if not isinstance(text, str):
        raise InputError(f"amount must be a decimal string, got {type(text).__name__}",
                         field=field, where=where)
    m = _AMOUNT_RE.match(text)
    if not m:
        raise InputError(f"'{text}' is not an amount in soles with at most two decimals",
                         field=field, where=where)
    sign, whole, frac = m.groups()
    cents = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
    if sign:
        cents = -cents
    if cents < 0 and not allow_negative:
        raise InputError(f"amount {text.strip()} is negative", field=field, where=where)
    return cents


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENTS)


def cents_to_str(cents: int) -> str:
    """Céntimos as a decimal string in soles: ``123456 → "1234.56"`` (JSON and files)."""
    c = int(cents)
    whole, frac = divmod(abs(c), 100)
    return f"{'-' if c < 0 else ''}{whole}.{frac:02d}"


def decimal_to_cents(amount: Decimal) -> int:
    """Round a ``Decimal`` amount in soles half-up to whole céntimos."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_soles(cents: int) -> str:
    """Display form for people: ``S/ 1,234.56`` (es-PE usage with S/ and a thousands comma)."""
    c = int(cents)
    whole, frac = divmod(abs(c), 100)
    return f"{'-' if c < 0 else ''}S/ {whole:,}.{frac:02d}"


def rate_to_scaled(rate: Decimal, *, name: str = "rate") -> int:
    """An exact decimal rate as an integer in parts per million; refuses finer rates."""
    try:
        scaled = Decimal(rate) * RATE_SCALE
    except InvalidOperation as exc:  # pragma: no cover - Decimal() of a Decimal cannot fail
        raise InputError(f"'{rate}' is not a rate", field=name) from exc
    if scaled != scaled.to_integral_value():
        raise InputError(f"rate {rate} has more than 6 decimals", field=name)
    return int(scaled)


def round_half_up_div(num: IntArray | int, den: IntArray | int) -> IntArray:
    """``num / den`` rounded half away from zero, exactly, in integers (den > 0)."""
    n = np.asarray(num, dtype=np.int64)
    d = np.asarray(den, dtype=np.int64)
    sign = np.where(n < 0, -1, 1).astype(np.int64)
    q = (2 * np.abs(n) + d) // (2 * d)
    return sign * q


def apply_rate(cents: IntArray | int, scaled_rate: int | IntArray) -> IntArray:
    """``cents × rate`` rounded half-up to the céntimo; ``scaled_rate`` in parts per million."""
    return round_half_up_div(np.asarray(cents, dtype=np.int64) * np.asarray(scaled_rate, dtype=np.int64),
                             RATE_SCALE)


def round_half_up(amount: Decimal) -> Decimal:
    """Round a ``Decimal`` in soles to the céntimo, half away from zero."""
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)
