"""Helpers shared by the rules tests: expanding the YAML cases' month-range shorthand."""

from __future__ import annotations

from typing import Any

from seguro_desempleo.periods import format_period, parse_period


def expand_contributions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{months: "2024-04..2025-03", remuneration: "2400.00"}`` → one entry per month."""
    out = []
    for item in items:
        spec = item.get("months") or item.get("period")
        lo, _, hi = str(spec).partition("..")
        first = parse_period(lo)
        last = parse_period(hi) if hi else first
        extra = {k: v for k, v in item.items() if k not in ("months", "period")}
        out.extend({"period": format_period(m), **extra} for m in range(first, last + 1))
    return out


def case_from_yaml(case: dict[str, Any], case_id: str) -> dict[str, Any]:
    raw = {"id": case_id, **case}
    raw["contributions"] = expand_contributions(case.get("contributions", []))
    return raw
