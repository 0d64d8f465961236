"""Evaluate claim cases from JSON against the law (the ``evaluate`` command and the API).

A case (issue #2 layout)::

    {"id": "c1", "separation_date": "2025-01-15", "claim_date": "2025-01-25",
     "termination_cause": "03", "employer_size": "large",
     "registered_with_employment_service": true,
     "contributions": [{"period": "2024-01", "remuneration": "2400.00", "paid": true}, ...],
     "contract_type": "01", "sector": "private", "reemployment_date": null}

``contract_type``, ``sector``, ``reemployment_date`` and each month's ``paid`` are optional.
Every problem is reported as one line naming the case id and the field.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from seguro_desempleo.domain.codes import contract_types, termination_causes
from seguro_desempleo.errors import InputError
from seguro_desempleo.money import parse_soles
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.periods import parse_date, parse_period, period_of
from seguro_desempleo.rules import SECTOR_CODES, SIZE_CODES
from seguro_desempleo.rules.evaluate import (
    ClaimCase,
    ContributionMonth,
    Decision,
    batch_from_cases,
    evaluate_batch,
    explain,
    governing_date,
)

REQUIRED_FIELDS = ("id", "separation_date", "claim_date", "termination_cause", "employer_size",
                   "registered_with_employment_service", "contributions")
OPTIONAL_FIELDS = ("contract_type", "sector", "reemployment_date", "registration_date")


def _code(value: Any, table: Mapping[str, Any], field: str, where: str, name: str) -> str:
    text = value if isinstance(value, str) else None
    if text is None or not text.strip().isdigit():
        raise InputError(f"{name} must be a code written as a string such as \"03\", got {value!r}",
                         field=field, where=where)
    code = text.strip().zfill(2)
    if code not in table:
        raise InputError(f"unknown {name} '{text}'", field=field, where=where)
    return code


def parse_case(raw: Any, index: int = 0) -> ClaimCase:
    """Validate one case; raise :class:`InputError` naming the case id and the field."""
    if not isinstance(raw, Mapping):
        raise InputError(f"case #{index + 1} must be a JSON object")
    case_id = raw.get("id")
    where = f"case '{case_id}'" if case_id not in (None, "") else f"case #{index + 1}"
    for f in REQUIRED_FIELDS:
        if f not in raw or raw[f] is None:
            raise InputError("missing field", field=f, where=where)
    unknown = set(raw) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
    if unknown:
        raise InputError(f"unknown field(s): {', '.join(sorted(unknown))}", where=where)
    sep = parse_date(raw["separation_date"], field="separation_date", where=where)
    claim = parse_date(raw["claim_date"], field="claim_date", where=where)
    if claim < sep:
        raise InputError(f"claim date {claim.isoformat()} is before the separation {sep.isoformat()}",
                         field="claim_date", where=where)
    cause = _code(raw["termination_cause"], termination_causes(), "termination_cause", where,
                  "termination cause (SUNAT Tabla 17)")
    size = raw["employer_size"]
    if size not in SIZE_CODES:
        raise InputError(f"unknown size class {size!r} (micro|small|medium|large)", field="employer_size",
                         where=where)
    registered = raw["registered_with_employment_service"]
    if not isinstance(registered, bool):
        raise InputError(f"must be true or false, got {registered!r}",
                         field="registered_with_employment_service", where=where)
    contract = _code(raw.get("contract_type", "01"), contract_types(), "contract_type", where,
                     "contract type (SUNAT Tabla 12)")
    sector = raw.get("sector", "private")
    if sector not in SECTOR_CODES:
        raise InputError(f"unknown sector {sector!r} (private|public)", field="sector", where=where)
    reemp = raw.get("reemployment_date")
    reemp_date = parse_date(reemp, field="reemployment_date", where=where) if reemp else None
    if reemp_date is not None and reemp_date <= sep:
        raise InputError("re-employment must be after the separation", field="reemployment_date", where=where)

    reg = raw.get("registration_date")
    reg_date = parse_date(reg, field="registration_date", where=where) if reg else None
    if reg_date is not None and reg_date > claim:
        raise InputError("the registration is after the claim date", field="registration_date", where=where)

    contribs = raw["contributions"]
    if not isinstance(contribs, list):
        raise InputError("must be a list of {period, remuneration}", field="contributions", where=where)
    seen: set[int] = set()
    months = []
    claim_month = period_of(claim)
    for k, m in enumerate(contribs):
        f = f"contributions[{k}]"
        if not isinstance(m, Mapping):
            raise InputError("must be an object {period, remuneration}", field=f, where=where)
        if "period" not in m:
            raise InputError("missing field", field=f"{f}.period", where=where)
        if "remuneration" not in m:
            raise InputError("missing field", field=f"{f}.remuneration", where=where)
        period = parse_period(m["period"], field=f"{f}.period", where=where)
        if period in seen:
            raise InputError(f"duplicated period {m['period']}", field=f"{f}.period", where=where)
        if period > claim_month:
            raise InputError(f"period {m['period']} is after the claim date", field=f"{f}.period", where=where)
        seen.add(period)
        amount = parse_soles(m["remuneration"], field=f"{f}.remuneration", where=where)
        flags = {}
        for key, default in (("paid", True), ("covered", True), ("subsidised", False)):
            flags[key] = m.get(key, default)
            if not isinstance(flags[key], bool):
                raise InputError(f"must be true or false, got {flags[key]!r}", field=f"{f}.{key}", where=where)
        months.append(ContributionMonth(period, amount, **flags))
    return ClaimCase(
        id=str(case_id), separation_date=sep, claim_date=claim, termination_cause=cause,
        employer_size=size, registered_with_employment_service=registered,
        contributions=tuple(months), contract_type=contract, sector=sector, reemployment_date=reemp_date,
        registration_date=reg_date,
    )


def parse_cases(raw: Any) -> list[ClaimCase]:
    """One case (an object) or a list of cases; ids must be unique."""
    items = raw if isinstance(raw, list) else [raw]
    cases = [parse_case(r, i) for i, r in enumerate(items)]
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise InputError("duplicated case id", field="id", where=f"case '{c.id}'")
        seen.add(c.id)
    return cases


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    return ({k: v.description for k, v in termination_causes().items()},
            {k: v.description for k, v in contract_types().items()})


@functools.cache
def code_labels() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """Tabla 17 and Tabla 12 labels, so explanations read "Motivo de cese 07 (No renovación…)"
    rather than a bare code (issue 30); read once."""
    from types import MappingProxyType

    causes, contracts = _labels()
    return MappingProxyType(causes), MappingProxyType(contracts)


def evaluate_cases(cases: Sequence[ClaimCase], params: ParameterSet, at: dt.date | None = None) -> list[Decision]:
    """Decide every case; cases sharing a parameter date are evaluated as one vectorised batch.

    Without *at*, each case is judged under the parameters in force on its governing date (the
    separation date by default: ``requirements.governing_date``, issue 26 item 8).
    """
    groups: dict[dt.date, list[int]] = {}
    for i, c in enumerate(cases):
        groups.setdefault(at or governing_date(c, params), []).append(i)
    causes, contracts = _labels()
    out: list[Decision | None] = [None] * len(cases)
    for date, idx in groups.items():
        snap = params.at(date)
        batch = batch_from_cases([cases[i] for i in idx], params, snap)
        result = evaluate_batch(batch, snap)
        for k, i in enumerate(idx):
            out[i] = explain(batch, result, k, snap, causes, contracts, params)
    return [d for d in out if d is not None]


def apply_overrides(params: ParameterSet, overrides: Iterable[tuple[str, str]]) -> ParameterSet:
    pairs = dict(overrides)
    return params.with_overrides(pairs, name="cli") if pairs else params


def eligible_share(decisions: Sequence[Decision]) -> float:
    """Share of eligible decisions (for summaries; not money)."""
    return float(np.mean([d.eligible for d in decisions])) if decisions else 0.0
