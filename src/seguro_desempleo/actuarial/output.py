"""The JSON boundary of the actuarial valuation and the microsimulation (issue 30, decision 0451).

The engines keep their own units: the projection works in integer *thousands* of soles (the unit of
the bill's ILO table it reproduces), the microsimulation's flows in céntimos. Their JSON answers
(``valuation … --format json``, ``simulate --format json``, the files of ``compare`` and of the
valuation report) follow the one rule of every JSON output (decision 0380): money is a decimal
string in soles (``"90653899000.00"``); an integer in céntimos only under a name ending in
``_cents``; ratios and rates keep their values under names that say so; counts stay integers.

Only the serialized copy is converted: tables, charts and the report's HTML still show thousands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

THOUSANDS = frozenset({
    "insurable_earnings", "contributions", "investment_income", "benefits", "admin_costs", "surplus", "reserve",
    "final_reserve", "min_reserve", "expected_shortfall", "reserve_percentiles",
    "reserve_p5", "reserve_p25", "reserve_p50", "reserve_p75", "reserve_p95",
})
"""Fields of the projection's answers in integer thousands of soles (a list or a dict of lists too)."""

WHOLE_SOLES = frozenset({"average_monthly_benefit"})
"""Fields of the projection's answers in whole soles (the bill's table of beneficiaries)."""

SIM_CENTS = frozenset({"insurable_pay", "contributions", "benefit_paid", "nc_paid"})
"""The microsimulation's monthly flows in céntimos: renamed ``*_cents`` in its JSON."""

BRIDGE_MONEY = frozenset({"average_pay", "claimants_pay", "average_benefit", "benefits_year"})
"""Steps of the bridge table whose values are soles (the others are counts or ratios)."""

_BRIDGE_UNITS = {"contributors": "count", "insured": "count", "separations_year": "count", "involuntary_year": "count",
                 "eligible_year": "count", "claims_year": "count", "beneficiaries": "count", "mean_duration": "months"}
_CENT = Decimal("0.01")


def soles(value: int | Decimal | str, scale: int = 1) -> str:
    """A decimal string in soles: ``soles(1051585, 1000)`` → ``'1051585000.00'``."""
    return str((Decimal(value) * scale).quantize(_CENT))


def _convert(value: Any, scale: int) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | str):
        return soles(value, scale)
    if isinstance(value, float):
        return soles(Decimal(repr(value)), scale)
    if isinstance(value, list):
        return [_convert(v, scale) for v in value]
    if isinstance(value, dict):
        return {k: _convert(v, scale) for k, v in value.items()}
    return value


def projection_json(doc: Any, *, fan: bool = False) -> Any:
    """A copy of a projection answer (row list, stress table, stochastic summary…) with its money
    in soles strings. *fan*: the report's fan table, whose ``p5``…``p95`` are reserves (named
    ``reserve_p5``… in the JSON, as ``valuation stochastic`` names them)."""
    if isinstance(doc, list):
        return [projection_json(v, fan=fan) for v in doc]
    if not isinstance(doc, dict):
        return doc
    out: dict[str, Any] = {}
    for k, v in doc.items():
        if fan and k.startswith("p") and k[1:].isdigit():
            out[f"reserve_{k}"] = _convert(v, 1000)          # the CLI's name for the same column
        elif k in THOUSANDS:
            out[k] = _convert(v, 1000)
        elif k in WHOLE_SOLES:
            out[k] = _convert(v, 1)
        else:
            out[k] = projection_json(v, fan=fan)
    return out


def bridge_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bridge table's rows with a ``unit``; the money steps' values as soles strings."""
    out = []
    for row in rows:
        if row.get("step") in BRIDGE_MONEY:
            out.append({**row, "ilo": _convert(row["ilo"], 1), "sim": _convert(row["sim"], 1), "unit": "soles"})
        else:
            out.append({**row, "unit": _BRIDGE_UNITS.get(str(row.get("step")), "ratio")})
    return out


def simulation_json(summary: dict[str, Any]) -> dict[str, Any]:
    """A copy of a microsimulation summary whose monthly flows in céntimos are named ``*_cents``."""
    flows = summary.get("actuarial_flows")
    if not isinstance(flows, dict) or not isinstance(flows.get("monthly"), dict):
        return summary
    monthly = {(f"{k}_cents" if k in SIM_CENTS else k): v for k, v in flows["monthly"].items()}
    unit = "céntimos (" + ", ".join(f"{k}_cents" for k in flows["monthly"] if k in SIM_CENTS) + ")"
    return {**summary, "actuarial_flows": {**flows, "monthly": monthly, "money_unit": unit}}
