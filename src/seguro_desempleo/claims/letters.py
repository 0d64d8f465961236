"""The Jinja environment of the claim letters: the decision's resolution (decision.py) and the other
acts (acts.py) render from templates/ with the same filters (``soles``, ``fecha``, ``pct``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from seguro_desempleo.money import format_soles
from seguro_desempleo.periods import format_date_pe


def fecha(value: dt.date | str) -> str:
    """``dd/mm/aaaa`` of a date, or of an ISO date as the stored decision keeps its parameters' dates."""
    return format_date_pe(dt.date.fromisoformat(value) if isinstance(value, str) else value)


def pct(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f} %"


def _months_in(value: object) -> str:
    """``de 2023-01 a 2024-12`` → ``de enero 2023 a diciembre 2024`` (issue 30: months for people)."""
    from seguro_desempleo.periods import months_in_text

    return months_in_text(value, "es")


@lru_cache(maxsize=1)
def letter_env() -> Environment:
    env = Environment(loader=PackageLoader("seguro_desempleo.claims", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["soles"] = format_soles
    env.filters["fecha"] = fecha
    env.filters["pct"] = pct
    env.filters["meses"] = _months_in
    return env
