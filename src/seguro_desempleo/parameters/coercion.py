"""Units and value checks of the law's parameters (issue 24: moved out of :mod:`.model`, unchanged).

:func:`coerce_value` turns an override into a value of the parameter's unit; the private helpers
parse the effective dates of a file and check every value against its unit and bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from seguro_desempleo.errors import ParameterError

if TYPE_CHECKING:
    from seguro_desempleo.parameters.model import Parameter

UNITS = {
    "rate": "proporción de la remuneración asegurable",
    "rate_list": "proporciones por mes de prestación",
    "months": "meses",
    "days": "días calendario",
    "soles": "soles (S/)",
    "bool": "sí/no",
    "code_list": "lista de códigos",
    "choice": "opción",
    "uit_list": "lista de montos en UIT",
}
_NUMERIC_UNITS = {"rate", "months", "days", "soles"}
_LIST_NUMERIC_UNITS = {"rate_list", "uit_list"}
_INTEGER_UNITS = {"months", "days"}


def coerce_value(p: Parameter, raw: Any, *, where: str) -> Any:
    """Turn an override (YAML value or CLI text) into a value of the parameter's unit."""
    try:
        if p.unit == "bool":
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in {"true", "1", "yes", "si", "sí"}:
                return True
            if s in {"false", "0", "no"}:
                return False
            raise ParameterError(f"'{raw}' is not true/false", field=p.name, where=where)
        if p.unit in _INTEGER_UNITS:
            if isinstance(raw, bool):
                raise ParameterError(f"'{raw}' is not a whole number", field=p.name, where=where)
            d = Decimal(str(raw).strip())
            if d != d.to_integral_value():
                raise ParameterError(f"'{raw}' is not a whole number of {UNITS[p.unit]}",
                                     field=p.name, where=where)
            return int(d)
        if p.unit in _NUMERIC_UNITS:
            if isinstance(raw, float):
                raw = repr(raw)
            return Decimal(str(raw).strip())
        if p.unit in _LIST_NUMERIC_UNITS:
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            return [Decimal(str(x).strip()) for x in items]
        if p.unit == "code_list":
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            return [str(x).strip() for x in items if str(x).strip()]
        if p.unit == "choice":
            return str(raw).strip()
    except (InvalidOperation, ValueError):
        raise ParameterError(f"'{raw}' is not a valid value ({UNITS.get(p.unit, p.unit)})",
                             field=p.name, where=where) from None
    raise ParameterError(f"unknown unit '{p.unit}'", field=p.name, where=where)


def _parse_values(name: str, unit: str, raw: Mapping[Any, Any], where: str) -> tuple[tuple[dt.date, Any], ...]:
    entries = []
    for k, v in raw.items():
        if isinstance(k, dt.date):
            start = k
        else:
            try:
                start = dt.date.fromisoformat(str(k))
            except ValueError:
                raise ParameterError(f"'{k}' is not an effective date YYYY-MM-DD", field=name,
                                     where=where) from None
        entries.append((start, v))
    entries.sort(key=lambda e: e[0])
    if len({e[0] for e in entries}) != len(entries):
        raise ParameterError("two values with the same effective date", field=name, where=where)
    return tuple(entries)


def _check_number(p: Parameter, x: Any, where: str) -> None:
    if isinstance(x, bool) or not isinstance(x, int | Decimal):
        raise ParameterError(f"value {x!r} is not a number", field=p.name, where=where)
    b = p.bounds
    if b is None:
        return
    cite = f" ({b.reference})" if b.reference else f" ({p.reference})"
    if b.min is not None and x < b.min:
        raise ParameterError(f"value {x} is below the minimum {b.min}{cite}", field=p.name, where=where)
    if b.max is not None and x > b.max:
        raise ParameterError(f"value {x} is above the maximum {b.max}{cite}", field=p.name, where=where)


def _validate_values(p: Parameter, where: str) -> None:
    if not p.values:
        raise ParameterError("no values", field=p.name, where=where)
    for _, v in p.values:
        if p.unit == "bool":
            if not isinstance(v, bool):
                raise ParameterError(f"value {v!r} is not true/false", field=p.name, where=where)
        elif p.unit in _INTEGER_UNITS:
            if isinstance(v, bool) or not isinstance(v, int):
                raise ParameterError(f"value {v!r} is not a whole number", field=p.name, where=where)
            _check_number(p, v, where)
        elif p.unit in _NUMERIC_UNITS:
            _check_number(p, v, where)
            if p.unit == "soles" and Decimal(v) != Decimal(v).quantize(Decimal("0.01")):
                raise ParameterError(f"amount {v} has more than two decimals", field=p.name, where=where)
            if p.unit == "rate" and (Decimal(v) * 1_000_000) % 1:
                raise ParameterError(f"rate {v} has more than six decimals", field=p.name, where=where)
        elif p.unit in _LIST_NUMERIC_UNITS:
            if not isinstance(v, list) or not v:
                raise ParameterError("value must be a non-empty list of numbers", field=p.name, where=where)
            for x in v:
                _check_number(p, x, where)
                if p.unit == "rate_list" and (Decimal(x) * 1_000_000) % 1:
                    raise ParameterError(f"rate {x} has more than six decimals", field=p.name, where=where)
        elif p.unit == "code_list":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ParameterError("value must be a list of codes written as strings",
                                     field=p.name, where=where)
        elif p.unit == "choice" and v not in p.choices:
            raise ParameterError(f"'{v}' is not one of {', '.join(p.choices)}", field=p.name, where=where)
