"""Parameters of the law: one YAML file per legal quantity, values keyed by effective date.

A file ``<group>/<name>.yaml`` defines the parameter ``<group>.<name>``::

    description: English description for developers
    label: Spanish label for lawyers and people       # required
    unit: rate | rate_list | months | days | soles | bool | code_list | choice | uit_list
    fixed_by_law: true        # optional: the bill's text fixes it; only an instrument of type Ley changes it
    reference: [{title: "PL 5510/2022-CR, art. 5", href: ...}]   # required, non-empty
    note: the reading chosen where the law is ambiguous             # optional
    bounds: {min: 7, max: 30, reference: "PL 5510/2022-CR, art. 7 ..."}  # optional
    choices: [a, b]                                                 # unit choice only
    values: {2021-01-01: 7}

Numbers in YAML are read as ``Decimal`` (never binary floats). Loading validates every file and
every value against its unit and bounds; a value outside the bounds fails with a message that
cites the bounds' reference (e.g. art. 7 for the waiting period). The loader reads files once;
the rules receive a :class:`Snapshot` (plain data) and never read files themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from seguro_desempleo.errors import ParameterError
from seguro_desempleo.parameters.coercion import (
    UNITS,
    _parse_values,
    _validate_values,
    coerce_value,
)

PARAMETERS_DIR = Path(__file__).resolve().parent
REFORMS_DIR = PARAMETERS_DIR / "reforms"


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader that reads YAML floats as exact ``Decimal``s."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)))  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def load_yaml(path: Path) -> Any:
    """Read a YAML file with exact decimals (used for parameters, reforms and assumption sets)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_DecimalLoader)


@dataclass(frozen=True)
class Reference:
    title: str
    href: str | None = None

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class Bounds:
    min: Decimal | None = None
    max: Decimal | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Parameter:
    """One legal quantity with its dated values and metadata."""

    name: str
    description: str
    label: str
    unit: str
    references: tuple[Reference, ...]
    values: tuple[tuple[dt.date, Any], ...]
    note: str | None = None
    bounds: Bounds | None = None
    choices: tuple[str, ...] = ()
    source: str = ""
    fixed_by_law: bool = False
    # The instrument that set each dated value, where one did (effective date → instrument title);
    # a date absent here is the YAML baseline (the law's text).
    instruments: tuple[tuple[dt.date, str], ...] = ()

    @property
    def reference(self) -> str:
        return "; ".join(r.title for r in self.references)

    def entry_at(self, date: dt.date) -> tuple[dt.date, Any]:
        """The (effective date, value) in force on *date*."""
        found: tuple[dt.date, Any] | None = None
        for start, value in self.values:
            if start <= date:
                found = (start, value)
            else:
                break
        if found is None:
            first = self.values[0][0]
            raise ParameterError(
                f"no value in force on {date.isoformat()} (first value from {first.isoformat()})",
                field=self.name)
        return found

    def value_at(self, date: dt.date) -> Any:
        return self.entry_at(date)[1]


@dataclass(frozen=True)
class ParamRead:
    """A parameter as read by an evaluation: what a decision's trace records."""

    name: str
    value: Any
    effective_date: dt.date
    label: str
    unit: str
    reference: str

    @cached_property
    def _dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": to_jsonable(self.value),
            "effective_date": self.effective_date.isoformat(),
            "label": self.label,
            "unit": self.unit,
            "reference": self.reference,
        }

    def as_dict(self) -> dict[str, Any]:
        return dict(self._dict)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Snapshot(Mapping[str, Any]):
    """All parameter values in force on one date: plain data handed to the rules.

    ``snapshot[name]`` gives the value; :meth:`read` gives the value with its metadata. A
    tracking view (:meth:`tracking`) records which parameters an evaluation read, for its trace.
    """

    def __init__(self, date: dt.date, reads: Mapping[str, ParamRead], set_name: str = "base") -> None:
        self.date = date
        self._reads = dict(reads)
        self.set_name = set_name
        self._accessed: list[str] | None = None
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, factory: Callable[[Snapshot], Any]) -> Any:
        """A value derived from this snapshot (e.g. a code lookup table), computed once."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory(self)
            return value

    def __getitem__(self, name: str) -> Any:
        return self.read(name).value

    def __iter__(self) -> Iterator[str]:
        return iter(self._reads)

    def __len__(self) -> int:
        return len(self._reads)

    def read(self, name: str) -> ParamRead:
        try:
            r = self._reads[name]
        except KeyError:
            raise ParameterError("unknown parameter", field=name) from None
        if self._accessed is not None and name not in self._accessed:
            self._accessed.append(name)
        return r

    def tracking(self) -> Snapshot:
        """A view of the same values that records every name read (see :attr:`accessed`)."""
        view = Snapshot(self.date, self._reads, self.set_name)
        view._accessed = []
        view._memo = self._memo
        return view

    @property
    def accessed(self) -> list[ParamRead]:
        return [self._reads[n] for n in (self._accessed or [])]


@dataclass(frozen=True)
class ParameterSet:
    """Every parameter of the law, optionally under a reform overlay."""

    parameters: Mapping[str, Parameter]
    name: str = "base"
    overlays: tuple[str, ...] = field(default=())
    _snapshots: dict[dt.date, Snapshot] = field(default_factory=dict, compare=False, repr=False)
    _series: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError("unknown parameter", field=name) from None

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def names(self) -> list[str]:
        return sorted(self.parameters)

    def in_force_from(self) -> dt.date:
        """The first day on which every parameter has a value (the latest first effective date):
        the insurance's start for the date policy of :mod:`seguro_desempleo.domain.dates`."""
        return max(p.values[0][0] for p in self.parameters.values() if p.values)

    def at(self, date: dt.date) -> Snapshot:
        """All values in force on *date* (cached per date: parameter sets are immutable)."""
        cached = self._snapshots.get(date)
        if cached is not None:
            return cached
        if len(self._snapshots) > 4096:
            self._snapshots.clear()
        snap = self._snapshots[date] = self._build_snapshot(date)
        return snap

    def _build_snapshot(self, date: dt.date) -> Snapshot:
        reads = {}
        for name, p in self.parameters.items():
            try:
                start, value = p.entry_at(date)
            except ParameterError:
                continue  # not yet in force on that date: reading it fails with "unknown parameter"
            reads[name] = ParamRead(name, value, start, p.label, p.unit, p.reference)
        return Snapshot(date, reads, self.name)

    def monthly_series(self, name: str, months: Iterable[int] | np.ndarray) -> np.ndarray:
        """The value in force on the first day of each month index, as an array (numeric units).

        Soles come back as int64 céntimos; other numbers as float only where the caller asks a
        rate (never money).
        """
        p = self[name]
        months_arr = np.asarray(list(months) if not isinstance(months, np.ndarray) else months, dtype=np.int64)
        if name not in self._series:
            if p.unit != "soles":
                raise ParameterError("monthly_series supports soles parameters only", field=name)
            starts = np.array([s.year * 12 + s.month - 1 + (0 if s.day == 1 else 1) for s, _ in p.values],
                              dtype=np.int64)
            vals = np.array([int(Decimal(v) * 100) for _, v in p.values], dtype=np.int64)
            self._series[name] = (starts, vals)
        starts, vals = self._series[name]
        idx = np.searchsorted(starts, months_arr, side="right") - 1
        if (idx < 0).any():
            first = p.values[0][0].isoformat()
            raise ParameterError(f"no value before {first} for a requested month", field=name)
        return vals[idx]

    def with_overrides(self, overrides: Mapping[str, Any], *, name: str = "override") -> ParameterSet:
        """A new set where each named parameter takes the given value at every date.

        A value may be a scalar/list (replaces the whole history) or ``{date: value}``. Values are
        validated exactly like the files (units, bounds with their article, cross-checks).
        """
        params = dict(self.parameters)
        for pname, raw in overrides.items():
            base = self[pname]
            if isinstance(raw, Mapping):
                entries = _parse_values(base.name, base.unit, raw, base.source or "override")
            else:
                value = coerce_value(base, raw, where=f"override {name}")
                entries = ((base.values[0][0], value),)
            newp = replace(base, values=entries, instruments=())
            _validate_values(newp, where=f"override {name}")
            params[pname] = newp
        result = ParameterSet(params, name=name if self.name == "base" else f"{self.name}+{name}",
                              overlays=(*self.overlays, name))
        validate_cross(result)
        return result

    @property
    def is_what_if(self) -> bool:
        """True for a set with a ``--param`` override or a reform overlay (a what-if, not the law)."""
        return bool(self.overlays)

    def require_operational(self, operation: str) -> ParameterSet:
        """This set, refused if it is a what-if: claims, payments and the books run on the law's
        baseline and its instruments only (``--param``/reforms are for evaluate, simulate, valuation)."""
        if self.is_what_if:
            raise ParameterError(
                f"{operation} runs on the law and its instruments only; the what-if "
                f"'{'+'.join(self.overlays)}' is for evaluate, simulate and valuation", field="--param")
        return self

    def with_instruments(self, instruments: Iterable[Instrument]) -> ParameterSet:
        """The baseline (the YAML) plus the dated instruments: each instrument's values enter the
        parameter's history at its effective date (an instrument on the same date as a baseline
        value replaces it; later dated values still take over from their own dates). Instruments
        are applied in order of effective date then registration; each is checked by
        :func:`check_instrument` (a law-fixed value needs a Ley)."""
        params = dict(self.parameters)
        for ins in sorted(instruments, key=lambda i: (i.effective_date, i.seq)):
            check_instrument(ParameterSet(params, name=self.name), ins)
            for pname, raw in ins.values.items():
                base = params[pname]
                value = coerce_value(base, raw, where=f"instrument {ins.title}")
                entries = {d: v for d, v in base.values}
                entries[ins.effective_date] = value
                origins = dict(base.instruments)
                origins[ins.effective_date] = ins.title
                newp = replace(base, values=tuple(sorted(entries.items(), key=lambda e: e[0])),
                               instruments=tuple(sorted(origins.items(), key=lambda e: e[0])))
                _validate_values(newp, where=f"instrument {ins.title}")
                params[pname] = newp
        result = ParameterSet(params, name=self.name, overlays=self.overlays)
        validate_cross(result)
        return result

    def with_reform(self, reform: str | Path) -> ParameterSet:
        """Apply a reform overlay file (``parameters/reforms/NAME.yaml`` or a path)."""
        path = Path(reform)
        if not path.suffix:
            path = REFORMS_DIR / f"{reform}.yaml"
        if not path.exists():
            known = ", ".join(sorted(p.stem for p in REFORMS_DIR.glob("*.yaml")))
            raise ParameterError(f"unknown reform '{reform}' (known: {known})", field="reform")
        data = load_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("overrides"), dict):
            raise ParameterError("a reform file needs a mapping 'overrides'", where=str(path))
        return self.with_overrides(data["overrides"], name=str(data.get("name") or path.stem))


INSTRUMENT_TYPES = {
    "ley": "Ley",
    "decreto_supremo": "Decreto Supremo",
    "resolucion": "Resolución",
    "acuerdo_directorio": "Acuerdo de Directorio",
}
"""The legal instruments that may change a parameter (the bill's art. 12 board acts by Acuerdo)."""


@dataclass(frozen=True)
class Instrument:
    """A dated legal instrument that sets parameter values from its effective date on.

    ``values`` maps parameter names to values as YAML or text would give them (validated against
    the parameter's unit and bounds when applied). ``seq`` orders two instruments of one date.
    """

    type: str
    number: str
    issued_on: dt.date
    effective_date: dt.date
    values: Mapping[str, Any]
    publication: str = ""
    approved_by: str = ""
    seq: int = 0

    @property
    def title(self) -> str:
        return f"{INSTRUMENT_TYPES.get(self.type, self.type)} N° {self.number}"


def check_instrument(ps: ParameterSet, ins: Instrument) -> None:
    """Refuse an instrument that cannot change what it names: an unknown type or parameter, an
    effective date before its issue, or a value the law itself fixes (``fixed_by_law``)
    changed by anything but a Ley (a Reglamento or the board cannot amend the bill's text)."""
    if ins.type not in INSTRUMENT_TYPES:
        raise ParameterError(f"unknown instrument type '{ins.type}' (one of {', '.join(INSTRUMENT_TYPES)})",
                             field="type")
    if not ins.number.strip():
        raise ParameterError("an instrument needs its number", field="number")
    if ins.effective_date < ins.issued_on:
        raise ParameterError("the effective date cannot be before the instrument's date", field="effective_date")
    for pname in ins.values:
        p = ps[pname]
        if p.fixed_by_law and ins.type != "ley":
            raise ParameterError(
                f"the law fixes this value ({p.reference}): only a Ley can change it, not a "
                f"{INSTRUMENT_TYPES[ins.type]}", field=pname)


def _parse_parameter(name: str, data: Any, path: Path) -> Parameter:
    where = str(path.relative_to(PARAMETERS_DIR.parent)) if path.is_relative_to(PARAMETERS_DIR.parent) else str(path)
    if not isinstance(data, dict):
        raise ParameterError("a parameter file must be a mapping", where=where)
    for key in ("description", "label", "unit", "reference", "values"):
        if not data.get(key):
            raise ParameterError(f"missing '{key}'", field=name, where=where)
    unit = data["unit"]
    if unit not in UNITS:
        raise ParameterError(f"unknown unit '{unit}' (known: {', '.join(UNITS)})", field=name, where=where)
    refs = []
    for r in data["reference"]:
        if isinstance(r, str):
            refs.append(Reference(r))
        elif isinstance(r, dict) and r.get("title"):
            refs.append(Reference(str(r["title"]), r.get("href")))
        else:
            raise ParameterError("each reference needs a 'title'", field=name, where=where)
    bounds = None
    if isinstance(data.get("bounds"), dict):
        b = data["bounds"]
        bounds = Bounds(
            min=Decimal(str(b["min"])) if b.get("min") is not None else None,
            max=Decimal(str(b["max"])) if b.get("max") is not None else None,
            reference=b.get("reference"),
        )
    if not isinstance(data["values"], dict):
        raise ParameterError("'values' must map effective dates to values", field=name, where=where)
    p = Parameter(
        name=name,
        description=str(data["description"]).strip(),
        label=str(data["label"]).strip(),
        unit=unit,
        references=tuple(refs),
        values=_parse_values(name, unit, data["values"], where),
        note=(str(data["note"]).strip() if data.get("note") else None),
        bounds=bounds,
        choices=tuple(data.get("choices") or ()),
        source=where,
        fixed_by_law=data.get("fixed_by_law") is True,
    )
    if unit == "choice" and not p.choices:
        raise ParameterError("a 'choice' parameter needs 'choices'", field=name, where=where)
    _validate_values(p, where)
    return p


def _change_dates(ps: ParameterSet, names: Iterable[str]) -> list[dt.date]:
    return sorted({start for n in names if n in ps for start, _ in ps[n].values})


def validate_cross(ps: ParameterSet) -> None:
    """Checks between parameters: the two parts of the contribution add up to the total (art. 8)."""
    names = ("financing.contribution_rate", "financing.employer_rate", "financing.cts_rate")
    if not all(n in ps for n in names):
        return
    for d in _change_dates(ps, names):
        total, emp, cts = (ps[n].value_at(d) for n in names)
        if emp + cts != total:
            raise ParameterError(
                f"on {d.isoformat()} employer {emp} + CTS {cts} ≠ total {total} (PL 5510/2022-CR, art. 8)",
                field="financing.contribution_rate")


def load_parameters(directory: Path | None = None) -> ParameterSet:
    """Read and validate every parameter file under *directory* (the package's by default)."""
    root = directory or PARAMETERS_DIR
    params: dict[str, Parameter] = {}
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root)
        if rel.parts[0] == "reforms":
            continue
        name = ".".join((*rel.parts[:-1], rel.stem))
        if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", name):
            raise ParameterError("parameter names are lower_snake folders and files", field=name)
        params[name] = _parse_parameter(name, load_yaml(path), path)
    ps = ParameterSet(params)
    validate_cross(ps)
    return ps


_DEFAULT: ParameterSet | None = None


def default_parameters() -> ParameterSet:
    """The package's parameter set, loaded once per process (read outside the rules)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_parameters()
    return _DEFAULT


def parse_override(text: str) -> tuple[str, str]:
    """``"requirements.waiting_period_days=30"`` → (name, text value)."""
    if "=" not in text:
        raise ParameterError(f"'{text}' is not NAME=VALUE", field="--param")
    name, value = text.split("=", 1)
    return name.strip(), value.strip()
