"""Assumption sets of the actuarial valuation (PL 5510/2022-CR, arts. 8 and 10).

An assumption set is a YAML file: scalars (contribution rate, admin-cost rate, opening reserve),
per-year series (insurable earnings, beneficiaries, average benefit, real interest...) and the ILO macro
path, each with a ``source``. ``load_assumptions("ilo-2021")`` reads the set shipped in
``actuarial/assumptions/``; any other argument is a path to a YAML file of the same shape.

Money is in thousands of soles as :class:`~decimal.Decimal` (the unit of the ILO table); rates are
Decimal fractions (0.0116 = 1.16 %). Every error names the file, the year and the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from seguro_desempleo.actuarial import loaders
from seguro_desempleo.actuarial.claims import ClaimsChain, parse_chain
from seguro_desempleo.errors import NotFoundError, ParameterError

ASSUMPTIONS_DIR = Path(__file__).parent / "assumptions"

ADMIN_BASES = ("insurable_earnings", "contributions", "benefits")
CREDITING = ("half_year_compound", "half_year_simple", "year_end", "year_start")
REQUIRED_SERIES = ("insurable_earnings", "average_monthly_beneficiaries", "average_monthly_benefit",
                   "real_interest_rate")
OPTIONAL_SERIES = ("non_contributory_transfers", "contributors", "insured")
# Given by the claims chain (``claims:`` block) instead of as series.
STRUCTURAL_SERIES = ("average_monthly_beneficiaries", "average_monthly_benefit")
MACRO_FIELDS = ("gdp_growth", "unemployment_rate", "employment_growth", "productivity_growth", "inflation")
# Series that may not be negative; rates may (real interest) only within (-1, 1).
NON_NEGATIVE = ("insurable_earnings", "average_monthly_beneficiaries", "average_monthly_benefit",
                "non_contributory_transfers", "contributors", "insured")

Series = dict[int, Decimal]


@dataclass(frozen=True)
class Assumptions:
    """One assumption set: everything the projection needs, per year where it varies."""

    name: str
    title: str
    where: str
    first_year: int
    last_year: int
    admin_cost_basis: str
    interest_crediting: str
    benefit_start_year: int
    opening_reserve: Decimal
    contribution_rate: Decimal
    admin_cost_rate: Decimal
    reserve_target_multiple: Decimal
    insurable_earnings: Series
    average_monthly_beneficiaries: Series
    average_monthly_benefit: Series
    real_interest_rate: Series
    non_contributory_transfers: Series
    contributors: Series
    insured: Series
    macro: dict[str, Series]
    sources: dict[str, str] = field(default_factory=dict)
    claims: ClaimsChain | None = None

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def inflation(self, year: int) -> Decimal:
        try:
            return self.macro["inflation"][year]
        except KeyError:
            raise ParameterError(f"no inflation for {year}", field="macro.inflation", where=self.where) from None

    def replace(self, **changes: Any) -> Assumptions:
        return dataclasses.replace(self, **changes)


def available_sets() -> list[str]:
    return sorted(p.stem for p in ASSUMPTIONS_DIR.glob("*.yaml"))


def load_assumptions(name_or_path: str | Path) -> Assumptions:
    """Load a shipped set by name (``ilo-2021``), a YAML file by path, or a registered set
    (:data:`.loaders.LOADERS`: ``experience-YYYY`` from the fund's books)."""
    text_name = str(name_or_path)
    if text_name.startswith("experience-") and not Path(text_name).exists():
        # The art. 10 study from the fund's own books (issue 28), stored in the database.
        loader = loaders.LOADERS.get("experience-")
        if loader is None:
            raise NotFoundError(f"'{text_name}' is an experience study kept in the fund's database: load it "
                                "through the application (seguro-desempleo valuation --assumptions ...)",
                                field="assumptions")
        found: Assumptions = loader(text_name)
        return found
    path = Path(text_name)
    if text_name.startswith("microsim-") and not path.exists():  # built from simulated flows (issue 29)
        from seguro_desempleo.actuarial.microsim import microsim_assumptions

        return microsim_assumptions(text_name.removeprefix("microsim-"))
    if not (text_name.endswith((".yaml", ".yml")) or path.exists()):
        path = ASSUMPTIONS_DIR / f"{text_name}.yaml"
        if not path.exists():
            raise NotFoundError(f"unknown assumption set '{text_name}' (known: {', '.join(available_sets())})",
                                field="assumptions")
    if not path.exists():
        raise NotFoundError(f"no such file {path}", field="assumptions")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"not valid YAML: {exc}".splitlines()[0], where=str(path)) from None
    if not isinstance(raw, Mapping):
        raise ParameterError("an assumption set must be a mapping", where=str(path))
    return parse_assumptions(raw, where=path.name)


def _dec(value: Any, fld: str, where: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool) or value is None:
        raise ParameterError(f"'{value}' is not a number", field=fld, where=where)
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ParameterError(f"'{value}' is not a number", field=fld, where=where) from None
    if not out.is_finite():
        raise ParameterError(f"'{value}' is not a finite number", field=fld, where=where)
    return out


def _year_map(raw: Any, fld: str, where: str) -> Series:
    if not isinstance(raw, Mapping):
        raise ParameterError("expected a mapping year → value", field=fld, where=where)
    out: Series = {}
    for key, value in raw.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ParameterError(f"'{key}' is not a year", field=fld, where=where) from None
        out[year] = _dec(value, f"{fld}[{year}]", where)
    return out


def _check_years(series: Series, years: range, fld: str, where: str) -> None:
    for year in years:
        if year not in series:
            raise ParameterError(f"missing year {year}", field=fld, where=where)


def parse_assumptions(raw: Mapping[str, Any], where: str = "<assumptions>") -> Assumptions:
    """Validate a decoded YAML mapping into :class:`Assumptions` (errors name file, year, field)."""
    sources: dict[str, str] = {}
    name = str(raw.get("name") or where)
    first, last = _span(raw, where)
    span = range(first, last + 1)
    basis, crediting, start = _conventions(raw.get("conventions") or {}, first, where, sources)
    macro = _macro(raw.get("macro") or {}, where, sources)
    scalars = _scalars(raw.get("scalars") or {}, where, sources)
    chain: ClaimsChain | None = None
    if raw.get("claims") is not None:
        if not isinstance(raw["claims"], Mapping):
            raise ParameterError("expected a mapping of the claims chain", field="claims", where=where)
        chain, chain_sources = parse_chain(raw["claims"], where)
        sources.update(chain_sources)
    series_raw = raw.get("series") or {}
    series: dict[str, Series] = {}
    for fld in REQUIRED_SERIES + OPTIONAL_SERIES:
        series[fld] = _series(fld, series_raw.get(fld), chain is not None, macro, span, start, where, sources)
    for year in span:
        if year not in macro.get("inflation", {}):
            raise ParameterError(f"missing year {year}", field="macro.inflation", where=where)

    if chain is not None:
        for fld in ("insured", "contributors"):
            _check_years(series[fld], span, f"series.{fld}", where)
    result = Assumptions(
        name=name, title=str(raw.get("title", name)), where=where, first_year=first, last_year=last,
        admin_cost_basis=basis, interest_crediting=crediting, benefit_start_year=start,
        opening_reserve=scalars["opening_reserve"], contribution_rate=scalars["contribution_rate"],
        admin_cost_rate=scalars["admin_cost_rate"], reserve_target_multiple=scalars["reserve_target_multiple"],
        insurable_earnings=series["insurable_earnings"],
        average_monthly_beneficiaries=series["average_monthly_beneficiaries"],
        average_monthly_benefit=series["average_monthly_benefit"],
        real_interest_rate=series["real_interest_rate"],
        non_contributory_transfers=series["non_contributory_transfers"],
        contributors=series["contributors"], insured=series["insured"], macro=macro, sources=sources,
        claims=chain,
    )
    if chain is not None:
        from seguro_desempleo.actuarial.design import apply_chain  # design imports this module

        result = apply_chain(result)
    return result


def _span(raw: Mapping[str, Any], where: str) -> tuple[int, int]:
    """The first and last year of the set (``years: {first: YEAR, last: YEAR}``)."""
    years_raw = raw.get("years")
    if not isinstance(years_raw, Mapping) or "first" not in years_raw or "last" not in years_raw:
        raise ParameterError("expected {first: YEAR, last: YEAR}", field="years", where=where)
    first, last = int(years_raw["first"]), int(years_raw["last"])
    if last < first:
        raise ParameterError(f"last year {last} before first year {first}", field="years", where=where)
    return first, last


def _conventions(conv: Any, first: int, where: str, sources: dict[str, str]) -> tuple[str, str, int]:
    """(admin-cost basis, interest crediting, benefit start year) of the ``conventions:`` block;
    their sources go into *sources*."""
    basis = str(conv.get("admin_cost_basis", "insurable_earnings"))
    if basis not in ADMIN_BASES:
        raise ParameterError(f"'{basis}' is not one of {', '.join(ADMIN_BASES)}",
                             field="conventions.admin_cost_basis", where=where)
    crediting = str(conv.get("interest_crediting", "half_year_compound"))
    if crediting not in CREDITING:
        raise ParameterError(f"'{crediting}' is not one of {', '.join(CREDITING)}",
                             field="conventions.interest_crediting", where=where)
    start = int(conv.get("benefit_start_year", first))
    for key in ("admin_cost_basis_source", "interest_crediting_source", "benefit_start_year_source"):
        if key in conv:
            sources[f"conventions.{key.removesuffix('_source')}"] = str(conv[key])
    return basis, crediting, start


def _macro(macro_raw: Any, where: str, sources: dict[str, str]) -> dict[str, Series]:
    """The ILO macro path (``macro:``): each of :data:`MACRO_FIELDS` given, year by year."""
    macro: dict[str, Series] = {}
    for fld in MACRO_FIELDS:
        if fld in macro_raw:
            macro[fld] = _year_map(macro_raw[fld], f"macro.{fld}", where)
    if "source" in macro_raw:
        sources["macro"] = str(macro_raw["source"])
    return macro


def _scalars(scalars_raw: Any, where: str, sources: dict[str, str]) -> dict[str, Decimal]:
    """The ``scalars:`` block: opening reserve (default 0), contribution and admin-cost rates
    (required, below 1), reserve target multiple (default 2); none negative."""
    scalars: dict[str, Decimal] = {}
    for fld, default in (("opening_reserve", "0"), ("contribution_rate", None), ("admin_cost_rate", None),
                         ("reserve_target_multiple", "2")):
        entry = scalars_raw.get(fld)
        if entry is None:
            if default is None:
                raise ParameterError("missing figure", field=f"scalars.{fld}", where=where)
            scalars[fld] = Decimal(default)
            continue
        value = entry.get("value") if isinstance(entry, Mapping) else entry
        scalars[fld] = _dec(value, f"scalars.{fld}", where)
        if scalars[fld] < 0:
            raise ParameterError(f"must not be negative (got {scalars[fld]})", field=f"scalars.{fld}", where=where)
        if isinstance(entry, Mapping) and "source" in entry:
            sources[f"scalars.{fld}"] = str(entry["source"])
    for fld in ("contribution_rate", "admin_cost_rate"):
        if scalars[fld] >= 1:
            raise ParameterError(f"a rate must be below 1 (got {scalars[fld]}); write 0.0116 for 1.16 %",
                                 field=f"scalars.{fld}", where=where)
    return scalars


def _series(fld: str, entry: Any, has_chain: bool, macro: dict[str, Series], span: range, start: int,
            where: str, sources: dict[str, str]) -> Series:
    """One series of the ``series:`` block, by year: given (``values``) or grown from a base year
    (``base``, :func:`_grown`). A series the claims chain gives may be absent (then empty); a
    required one may not; the transfers default to 0 every year."""
    label = f"series.{fld}"
    if entry is None and has_chain and fld in STRUCTURAL_SERIES:
        return {}
    if entry is None:
        if fld in REQUIRED_SERIES:
            raise ParameterError("missing series", field=label, where=where)
        return {y: Decimal(0) for y in span} if fld == "non_contributory_transfers" else {}
    if not isinstance(entry, Mapping):
        raise ParameterError("expected a mapping with 'values' or 'base'", field=label, where=where)
    if "source" in entry:
        sources[label] = str(entry["source"])
    if "values" in entry:
        values = _year_map(entry["values"], label, where)
    elif "base" in entry:
        values = _grown(entry, macro, span, label, where)
    else:
        raise ParameterError("expected 'values' or 'base'", field=label, where=where)
    needed = range(start, span.stop) if fld in ("average_monthly_beneficiaries", "average_monthly_benefit") \
        else span
    if fld in REQUIRED_SERIES or fld == "non_contributory_transfers":
        _check_years(values, needed, label, where)
    for year, value in values.items():
        if fld in NON_NEGATIVE and value < 0:
            raise ParameterError(f"must not be negative in {year} (got {value})", field=label, where=where)
        if fld == "real_interest_rate" and not Decimal(-1) < value < Decimal(1):
            raise ParameterError(f"rate out of (-1, 1) in {year}: {value}", field=label, where=where)
    return values


def _grown(entry: Mapping[str, Any], macro: dict[str, Series], span: range, label: str, where: str) -> Series:
    """A series given as ``base: {year: v}`` and ``growth_from: macro.X`` (or ``growth: {year: g}``)."""
    base = _year_map(entry["base"], label, where)
    if len(base) != 1:
        raise ParameterError("'base' must give exactly one year", field=label, where=where)
    (year0, value), = base.items()
    if "growth" in entry:
        growth = _year_map(entry["growth"], f"{label}.growth", where)
    else:
        src = str(entry.get("growth_from", ""))
        key = src.removeprefix("macro.")
        if key not in macro:
            raise ParameterError(f"unknown growth source '{src}'", field=f"{label}.growth_from", where=where)
        growth = macro[key]
    out: Series = {year0: value}
    for year in span:
        if year <= year0:
            continue
        if year not in growth:
            raise ParameterError(f"missing growth for year {year}", field=label, where=where)
        out[year] = out[year - 1] * (1 + growth[year])
    return out


def extend_to(a: Assumptions, last_year: int) -> Assumptions:
    """The set carried on to *last_year*: E, N and b keep growing at their last yearly growth; the
    real interest rate, transfers and every macro series keep their last value.

    Used for horizons longer than the published set (the ILO table ends in 2028). Not a forecast.
    """
    if last_year <= a.last_year:
        return a.replace(last_year=last_year) if last_year >= a.first_year else a

    def grow(series: Series) -> Series:
        out = dict(series)
        years = sorted(out)
        if not years:
            return out
        last = years[-1]
        g = out[last] / out[last - 1] if len(years) > 1 and out.get(last - 1) else Decimal(1)
        for year in range(last + 1, last_year + 1):
            out[year] = out[year - 1] * g
        return out

    def hold(series: Series) -> Series:
        out = dict(series)
        if out:
            last = max(out)
            for year in range(last + 1, last_year + 1):
                out[year] = out[last]
        return out

    return a.replace(
        last_year=last_year, insurable_earnings=grow(a.insurable_earnings),
        average_monthly_beneficiaries=grow(a.average_monthly_beneficiaries),
        average_monthly_benefit=grow(a.average_monthly_benefit), real_interest_rate=hold(a.real_interest_rate),
        non_contributory_transfers=hold(a.non_contributory_transfers), contributors=grow(a.contributors),
        insured=grow(a.insured), macro={k: hold(v) for k, v in a.macro.items()},
    )
