"""Designs: the bill, its variants and the eight schemes of the bill's CEPAL table, as data.

A design file ``designs/NAME.yaml`` has ``overrides`` (parameters of the law, applied with
``ParameterSet.with_overrides`` and validated exactly like the law's files, with their bounds)
and ``structural`` switches the law's parameters cannot express, handled by the simulation:

* ``duration_by_contributions: [[min_contributions, months], ...]`` — benefit months by the
  contributions in the window (Brazil, Argentina);
* ``brackets: [[upper_soles, rate], ...]`` — marginal rates by pay bracket (Brazil);
* ``fixed_amount: soles`` — a flat monthly amount (Ecuador);
* ``family_supplement: rate`` — extra share of the benefit for workers with dependants (Uruguay);
* ``min_tenure_months: n`` — the last *n* contributions with the same employer (Chile);
* ``recent_contributions: {months, minimum}`` — a recent-work test (Barbados);
* ``waiting_days: d`` — a waiting period beyond the law's 30-day bound (Ecuador's 60 days);
* ``takeup: share`` — share of eligible workers who claim (default: the calibration target);
* ``noncontributory: {amount, months, min_informal_months, takeup}`` — an art. 9 benefit for
  informal workers who lose their job involuntarily.

:func:`compile_design` turns a design and the parameters in force into :class:`DesignTables`:
plain integers and lookup tables read from the same rules modules the law uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from seguro_desempleo.errors import NotFoundError, ParameterError
from seguro_desempleo.money import rate_to_scaled
from seguro_desempleo.parameters import ParameterSet, Snapshot, default_parameters, load_yaml
from seguro_desempleo.rules import benefits, contingency, coverage, evaluate
from seguro_desempleo.simulation.calibration import U16, ModelTables

DESIGNS_DIR = Path(__file__).resolve().parent / "designs"
DEFAULT_DESIGN = "bill"
SIM_DATE = dt.date(2026, 1, 1)
"""The parameters in force on this date apply to the whole run (a steady-state comparison)."""
MAX_MONTHS = 12
MAX_WINDOW = 32

_STRUCTURAL = {"duration_by_contributions", "brackets", "fixed_amount", "family_supplement",
               "min_tenure_months", "recent_contributions", "waiting_days", "takeup", "noncontributory"}


@dataclass(frozen=True)
class Design:
    name: str
    label: str
    description: str
    source: str
    params: ParameterSet
    structural: dict[str, Any]
    path: Path | None = None


def list_designs() -> list[str]:
    return sorted(p.stem for p in DESIGNS_DIR.glob("*.yaml"))


def load_design(name_or_path: str, base: ParameterSet | None = None) -> Design:
    """Load ``designs/NAME.yaml`` (or a path) over the law's parameters."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = DESIGNS_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        raise NotFoundError(f"unknown design '{name_or_path}' (known: {', '.join(list_designs())})",
                            field="design")
    data = load_yaml(path)
    where = str(path.name)
    if not isinstance(data, dict):
        raise ParameterError("a design file must be a mapping", where=where)
    overrides = data.get("overrides") or {}
    structural = data.get("structural") or {}
    if not isinstance(overrides, dict) or not isinstance(structural, dict):
        raise ParameterError("'overrides' and 'structural' must be mappings", where=where)
    unknown = set(structural) - _STRUCTURAL
    if unknown:
        raise ParameterError(f"unknown structural switch '{sorted(unknown)[0]}' "
                             f"(known: {', '.join(sorted(_STRUCTURAL))})", where=where)
    ps = base or default_parameters()
    name = str(data.get("name") or path.stem)
    params = ps.with_overrides(overrides, name=name) if overrides else ps
    return Design(name=name, label=str(data.get("label", name)), description=str(data.get("description", "")),
                  source=str(data.get("source", "")), params=params, structural=dict(structural), path=path)


def _cents(x: Any, field: str, where: str) -> int:
    try:
        d = Decimal(str(x))
    except Exception:
        raise ParameterError(f"'{x}' is not an amount in soles", field=field, where=where) from None
    if d < 0:
        raise ParameterError("must not be negative", field=field, where=where)
    return int((d * 100).to_integral_value())


def _scaled(x: Any, field: str, where: str) -> int:
    d = Decimal(str(x))
    if not Decimal(0) <= d <= Decimal(1):
        raise ParameterError(f"rate {x} must be between 0 and 1", field=field, where=where)
    return rate_to_scaled(d, name=field)


@dataclass(frozen=True)
class DesignTables:
    """A design as integers and lookup tables (both engines read these)."""

    name: str
    cov_sector: npt.NDArray[np.bool_]
    cov_size: npt.NDArray[np.bool_]
    cov_contract: npt.NDArray[np.bool_]
    cause_ok: npt.NDArray[np.bool_]
    window: int
    qualifying: int
    reference: int
    include_sep: bool
    divide_by_months: bool
    rmv_floor: bool
    rmv: int
    waiting_law: int
    registration_required: bool
    rates: npt.NDArray[np.int64]          # ppm, one per benefit month (≤ 12)
    floor: int
    cap: int
    dur_min: npt.NDArray[np.int64]
    dur_months: npt.NDArray[np.int64]
    br_upper: npt.NDArray[np.int64]       # céntimos
    br_rate: npt.NDArray[np.int64]        # ppm
    fixed_amount: int
    supplement: int                       # ppm
    min_tenure: int
    recent_months: int
    recent_min: int
    waiting_extra: int
    takeup_thr: int
    nc_amount: int
    nc_months: int
    nc_min_informal: int
    nc_takeup_thr: int
    contribution_rate: int                # ppm
    ref_offset: int = 0                   # art. 5: reference months end this many months before the window's end

    def as_tuple(self) -> tuple[Any, ...]:
        """Arguments of the compiled kernel, in order."""
        return (self.cov_sector, self.cov_size, self.cov_contract, self.cause_ok, self.window, self.qualifying,
                self.reference, self.include_sep, self.divide_by_months, self.rmv_floor, self.rmv, self.waiting_law,
                self.registration_required, self.rates, self.floor, self.cap, self.dur_min, self.dur_months,
                self.br_upper, self.br_rate, self.fixed_amount, self.supplement, self.min_tenure,
                self.recent_months, self.recent_min, self.waiting_extra, self.takeup_thr, self.nc_amount,
                self.nc_months, self.nc_min_informal, self.nc_takeup_thr, self.contribution_rate)


def snapshot(design: Design) -> Snapshot:
    return design.params.at(SIM_DATE)


def compile_design(design: Design, model: ModelTables) -> DesignTables:
    """The design's parameters in force on :data:`SIM_DATE` plus its structural switches."""
    snap = snapshot(design)
    where = design.path.name if design.path else design.name
    st = design.structural
    sectors, sizes, contracts = coverage.coverage_tables(snap)
    window = int(snap["requirements.qualifying_window_months"])
    include = bool(snap["requirements.window_includes_separation_month"])
    # With the separation month in the window, the count may also slide back one month (art. 7);
    # a 32-month window then sees its 33rd month as empty in both engines (32 bits of history).
    if window > (MAX_WINDOW if include else MAX_WINDOW - 1):
        raise ParameterError(f"window of {window} months exceeds the {MAX_WINDOW} months of history kept",
                             field="requirements.qualifying_window_months", where=where)
    reference = int(snap["benefits.reference_months"])
    if reference > 12:
        raise ParameterError("the simulation keeps 12 reference months", field="benefits.reference_months",
                             where=where)
    rates = benefits.scaled_rates(snap)
    if len(rates) > MAX_MONTHS:
        raise ParameterError(f"at most {MAX_MONTHS} benefit months", field="benefits.rates", where=where)

    dur = st.get("duration_by_contributions") or []
    try:
        dur_min = np.array([int(a) for a, _ in dur], dtype=np.int64)
        dur_months = np.array([int(b) for _, b in dur], dtype=np.int64)
    except (TypeError, ValueError):
        raise ParameterError("needs [[contributions, months], ...]", field="duration_by_contributions",
                             where=where) from None
    if len(dur_months) and (dur_months.max() > len(rates) or (np.diff(dur_min) <= 0).any()):
        raise ParameterError("durations must be ≤ the number of rates, thresholds increasing",
                             field="duration_by_contributions", where=where)
    br = st.get("brackets") or []
    br_upper = np.array([_cents(u, "brackets", where) for u, _ in br], dtype=np.int64)
    br_rate = np.array([_scaled(r, "brackets", where) for _, r in br], dtype=np.int64)
    if len(br_upper) and (np.diff(br_upper) <= 0).any():
        raise ParameterError("bracket bounds must increase", field="brackets", where=where)
    recent = st.get("recent_contributions") or {}
    nc = st.get("noncontributory") or {}
    waiting_law = int(snap["requirements.waiting_period_days"])
    wait_days = int(st.get("waiting_days", 0))
    takeup = st.get("takeup")
    return DesignTables(
        name=design.name,
        cov_sector=sectors, cov_size=sizes, cov_contract=contracts,
        cause_ok=contingency.cause_table(snap),
        window=window, qualifying=int(snap["requirements.qualifying_contributions"]), reference=reference,
        include_sep=include, divide_by_months=snap["benefits.average_divisor"] == "months_with_pay",
        rmv_floor=bool(snap["insurable_pay.rmv_minimum_base"]),
        rmv=int(Decimal(snap["economy.rmv"]) * 100), waiting_law=waiting_law,
        registration_required=bool(snap["requirements.employment_service_registration_required"]),
        rates=np.asarray(rates, dtype=np.int64),
        floor=int(Decimal(snap["benefits.floor"]) * 100), cap=int(Decimal(snap["benefits.cap"]) * 100),
        dur_min=dur_min, dur_months=dur_months, br_upper=br_upper, br_rate=br_rate,
        fixed_amount=_cents(st.get("fixed_amount", 0), "fixed_amount", where),
        supplement=_scaled(st.get("family_supplement", 0), "family_supplement", where),
        min_tenure=int(st.get("min_tenure_months", 0)),
        recent_months=int(recent.get("months", 0)), recent_min=int(recent.get("minimum", 0)),
        waiting_extra=wait_days if wait_days > waiting_law else 0,
        takeup_thr=round(float(_scaled(takeup, "takeup", where)) / 1e6 * U16) if takeup is not None
        else model.takeup_thr,
        nc_amount=_cents(nc.get("amount", 0), "noncontributory.amount", where),
        nc_months=int(nc.get("months", 0)),
        nc_min_informal=int(nc.get("min_informal_months", 0)),
        nc_takeup_thr=round(float(_scaled(nc.get("takeup", 0), "noncontributory.takeup", where)) / 1e6 * U16),
        contribution_rate=rate_to_scaled(snap["financing.contribution_rate"], name="financing.contribution_rate"),
        ref_offset=evaluate.reference_offset(snap),
    )


def benefit_months(count: npt.NDArray[np.int64], dt_: DesignTables) -> npt.NDArray[np.int64]:
    """Benefit months of each claim: the number of rates, or by contributions (structural)."""
    if len(dt_.dur_min) == 0:
        return np.full(count.shape, len(dt_.rates), dtype=np.int64)
    idx = np.searchsorted(dt_.dur_min, count, side="right") - 1
    return np.where(idx >= 0, dt_.dur_months[np.maximum(idx, 0)], 0).astype(np.int64)


def monthly_amount(ir: npt.NDArray[np.int64], k: npt.NDArray[np.int64], deps: npt.NDArray[np.bool_],
                   dt_: DesignTables, snap: Snapshot) -> npt.NDArray[np.int64]:
    """Benefit of month *k* (0-based) for insurable pay *ir*: art. 5's schedule (rules.benefits),
    or the design's brackets / fixed amount with the same floor and cap, plus any family supplement."""
    from seguro_desempleo.money import apply_rate

    ir = np.asarray(ir, dtype=np.int64)
    if len(dt_.br_upper):
        amt = np.zeros(ir.shape, dtype=np.int64)
        lower = 0
        for upper, rate in zip(dt_.br_upper.tolist(), dt_.br_rate.tolist(), strict=True):
            part = np.clip(ir - lower, 0, upper - lower)
            amt += apply_rate(part, rate)
            lower = upper
        amt = np.where(ir > 0, _floor_cap(amt, dt_), 0)
    elif dt_.fixed_amount > 0:
        amt = _floor_cap(np.full(ir.shape, dt_.fixed_amount, dtype=np.int64), dt_)
    else:
        sched = benefits.benefit_schedule(ir, snap)
        amt = sched[np.arange(ir.shape[0]), np.asarray(k, dtype=np.int64)]
    if dt_.supplement:
        amt = amt + np.where(deps, apply_rate(amt, dt_.supplement), 0)
    return amt.astype(np.int64)


def _floor_cap(a: npt.NDArray[np.int64], dt_: DesignTables) -> npt.NDArray[np.int64]:
    if dt_.floor > 0:
        a = np.maximum(a, dt_.floor)
    if dt_.cap > 0:
        a = np.minimum(a, dt_.cap)
    return a
