"""Claims evaluated against arts. 3, 5, 6 and 7, with explained decisions.

:class:`ClaimBatch` holds any number of claims as arrays (one claim = length 1);
:func:`evaluate_batch` decides them all with the rules of this package; :func:`explain` turns one
row of the result into a :class:`Decision`: each requirement met or not with its article, the
values used, every parameter read (name, effective date, value, reference) and a short Spanish
explanation a worker can read. :func:`evaluate_case` does both for one :class:`ClaimCase`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from seguro_desempleo import __version__
from seguro_desempleo.money import cents_to_str, format_soles, round_half_up_div
from seguro_desempleo.parameters import ParameterSet, ParamRead, Snapshot
from seguro_desempleo.periods import first_day, format_date_pe, format_period, period_of
from seguro_desempleo.rules import (
    SECTOR_CODES,
    SIZE_CODES,
    benefits,
    contingency,
    contributions,
    coverage,
    kernels,
    registration,
    waiting,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SIZE_LABELS_ES = {"micro": "microempresa", "small": "pequeña empresa", "medium": "mediana empresa",
                  "large": "gran empresa"}
SECTOR_LABELS_ES = {"private": "sector privado", "public": "sector público"}

# Requirement keys, in the order of the bill, with their Spanish names and articles.
REQUIREMENTS: tuple[tuple[str, str, str], ...] = (
    ("coverage", "Asegurado cubierto (trabajador dependiente del sector y tamaño de empresa cubiertos)",
     coverage.ARTICLE),
    ("contingency", "Desempleo involuntario (contingencia cubierta)", contingency.ARTICLE),
    ("contributions", "12 aportaciones en los últimos 24 meses", contributions.ARTICLE),
    ("waiting_period", "Período de carencia cumplido", waiting.ARTICLE),
    ("employment_service", "Contingencia informada al servicio de empleo", registration.ARTICLE),
)


@dataclass(frozen=True)
class ContributionMonth:
    period: int                 # month index
    remuneration: int           # EsSalud-insurable pay of the month, céntimos, all employers
    paid: bool = True           # the employer paid the contribution (False: declared, not paid)
    covered: bool = True        # charged under art. 3 (an employer inside the phase, a covered contract)
    subsidised: bool = False    # the month had an EsSalud maternity/sickness subsidy (art. 7 reading)


@dataclass(frozen=True)
class ClaimCase:
    """One claim as the law sees it (already validated; see ``services.evaluation.parse_case``)."""

    id: str
    separation_date: dt.date
    claim_date: dt.date
    termination_cause: str      # Tabla 17 code, "03"
    employer_size: str          # micro | small | medium | large
    registered_with_employment_service: bool
    contributions: tuple[ContributionMonth, ...]
    contract_type: str = "01"   # Tabla 12 code
    sector: str = "private"
    reemployment_date: dt.date | None = None
    registration_date: dt.date | None = None  # when the job loss was reported (art. 7: on or after the separation)


@dataclass
class ClaimBatch:
    """Claims as arrays. History columns run oldest → newest; the last is the window's end month."""

    separation_date: npt.NDArray[np.datetime64]
    claim_date: npt.NDArray[np.datetime64]
    termination_cause: IntArray
    employer_size: IntArray
    sector: IntArray
    contract_type: IntArray
    registered: BoolArray
    pay: IntArray               # (n, H) céntimos
    declared: BoolArray         # (n, H)
    paid: BoolArray             # (n, H)
    rmv: IntArray               # (H,) or (n, H) céntimos: the RMV of each history month
    window_end_month: IntArray  # (n,) month index of the last column
    reemployment_date: npt.NDArray[np.datetime64] | None = None
    ids: Sequence[str] | None = None
    counted: BoolArray | None = None      # (n, H) False: the month is not an aportación (art. 3, before the insurance)
    subsidised: BoolArray | None = None   # (n, H) months with an EsSalud maternity/sickness subsidy

    def __len__(self) -> int:
        return int(self.pay.shape[0])


@dataclass
class BatchResult:
    covered: BoolArray
    contingency: BoolArray
    contributions_met: BoolArray
    waiting_met: BoolArray
    registration_met: BoolArray
    eligible: BoolArray
    contributions_in_window: IntArray
    reference_total: IntArray
    reference_months_with_pay: IntArray
    insurable_remuneration: IntArray
    benefits: IntArray          # (n, months), zero where not eligible
    total: IntArray
    waiting_end: npt.NDArray[np.datetime64]

    def requirement(self, key: str) -> BoolArray:
        return {"coverage": self.covered, "contingency": self.contingency,
                "contributions": self.contributions_met, "waiting_period": self.waiting_met,
                "employment_service": self.registration_met}[key]


def evaluate_batch(batch: ClaimBatch, snap: Snapshot, *, fast: bool | None = None) -> BatchResult:
    """Decide every claim of *batch* under the parameters of *snap* (arts. 3, 5, 6, 7).

    ``fast`` selects one fused compiled pass (default: for batches of 10,000 claims or more)
    instead of the step-by-step numpy rules; the result is identical either way (parity tests).
    """
    n = len(batch)
    window = int(snap["requirements.qualifying_window_months"])
    reference = int(snap["benefits.reference_months"])
    if batch.pay.shape[1] < history_length(snap):
        raise ValueError(f"history has {batch.pay.shape[1]} months; needs {history_length(snap)}")
    if (fast if fast is not None else n >= 10_000) and kernels.HAVE_NUMBA:
        return _evaluate_fused(batch, snap, window, reference)
    count, ref_total, ref_months = kernels.history_summary_numpy(
        batch.pay, batch.declared, batch.paid, batch.rmv, window, reference,
        bool(snap["requirements.count_declared_unpaid_months"]), bool(snap["insurable_pay.rmv_minimum_base"]),
        **history_readings(batch, snap))

    if snap["benefits.average_divisor"] == "months_with_pay":
        divisor = ref_months
    else:
        divisor = np.full(n, reference, dtype=np.int64)
    insurable = np.where(divisor > 0, round_half_up_div(ref_total, np.maximum(divisor, 1)), 0).astype(np.int64)

    covered = coverage.is_covered(batch.sector, batch.employer_size, batch.contract_type, snap)
    contingency_met = contingency.is_covered_contingency(batch.termination_cause, snap)
    contributions_met = contributions.meets_qualifying(count, snap)
    waiting_met = waiting.waiting_period_met(batch.separation_date, batch.claim_date, snap,
                                             batch.reemployment_date)
    registration_met = registration.registration_met(batch.registered, snap)
    eligible = covered & contingency_met & contributions_met & waiting_met & registration_met

    schedule = benefits.benefit_schedule(insurable, snap)
    schedule = np.where(eligible[:, None], schedule, 0)
    return BatchResult(
        covered=covered, contingency=contingency_met, contributions_met=contributions_met,
        waiting_met=waiting_met, registration_met=registration_met, eligible=eligible,
        contributions_in_window=count, reference_total=ref_total, reference_months_with_pay=ref_months,
        insurable_remuneration=insurable, benefits=schedule, total=schedule.sum(axis=1, dtype=np.int64),
        waiting_end=waiting.waiting_period_end(batch.separation_date, snap),
    )


def _evaluate_fused(batch: ClaimBatch, snap: Snapshot, window: int, reference: int) -> BatchResult:
    """The same decision as the numpy path above, in one compiled pass (national batches)."""
    sep = np.asarray(batch.separation_date, dtype="datetime64[D]")
    reemp = (np.full(len(batch), kernels.NAT, dtype=np.int64) if batch.reemployment_date is None
             else np.asarray(batch.reemployment_date, dtype="datetime64[D]").view(np.int64))
    sector_ok, size_ok, contract_ok = coverage.coverage_tables(snap)
    r = kernels.decide_fast(
        batch.pay, batch.declared, batch.paid, batch.rmv, window, reference,
        bool(snap["requirements.count_declared_unpaid_months"]), bool(snap["insurable_pay.rmv_minimum_base"]),
        snap["benefits.average_divisor"] == "months_with_pay", int(snap["requirements.qualifying_contributions"]),
        batch.sector, batch.employer_size, batch.contract_type, batch.termination_cause,
        (sector_ok, size_ok, contract_ok, contingency.cause_table(snap)),
        sep.view(np.int64), np.asarray(batch.claim_date, dtype="datetime64[D]").view(np.int64), reemp,
        int(snap["requirements.waiting_period_days"]), batch.registered,
        bool(snap["requirements.employment_service_registration_required"]), benefits.scaled_rates(snap),
        int(Decimal(snap["benefits.floor"]) * 100), int(Decimal(snap["benefits.cap"]) * 100),
        **history_readings(batch, snap),
    )
    return BatchResult(
        covered=r["covered"], contingency=r["contingency"], contributions_met=r["contrib_met"],
        waiting_met=r["waiting_met"], registration_met=r["registration_met"], eligible=r["eligible"],
        contributions_in_window=r["count"], reference_total=r["ref_total"],
        reference_months_with_pay=r["ref_months"], insurable_remuneration=r["insurable"],
        benefits=r["benefits"], total=r["total"], waiting_end=waiting.waiting_period_end(sep, snap),
    )


def reference_offset(snap: Snapshot) -> int:
    """Columns between the window's end month and the last reference month (art. 5, issue 26 item 4):
    1 when the window ends with the separation month but the reference months end before it."""
    return int(bool(snap["requirements.window_includes_separation_month"])
               and not snap["benefits.reference_includes_separation_month"])


def history_length(snap: Snapshot) -> int:
    """Months of history a claim needs: the window, one more for the slide (a separation on the
    1st), the window's extension for subsidised months, and the reference months."""
    window = int(snap["requirements.qualifying_window_months"])
    ext = int(snap["requirements.subsidy_window_extension_max_months"]) \
        if snap["requirements.subsidised_months"] == "extend" else 0
    return max(window + 1 + ext, int(snap["benefits.reference_months"]) + reference_offset(snap))


def history_readings(batch: ClaimBatch, snap: Snapshot) -> dict[str, Any]:
    """The keyword readings of ``kernels.history_summary_*`` for *batch* under *snap* (issue 26)."""
    mode = snap["requirements.subsidised_months"]
    return {"counted": batch.counted, "subsidised": batch.subsidised, "ref_offset": reference_offset(snap),
            "slide": bool(snap["requirements.window_includes_separation_month"]),
            "subsidy_mode": kernels.SUBSIDY_MODES.index(mode),
            "ext_max": int(snap["requirements.subsidy_window_extension_max_months"]) if mode == "extend" else 0}


def insurance_first_month(params: ParameterSet) -> int:
    """The first month of the insurance: no month before it is an aportación (issue 26, item 8).
    The first effective date of art. 8's contribution rate (the payroll import refuses earlier
    months for the same reason)."""
    start = params["financing.contribution_rate"].values[0][0]
    return period_of(start) if start.day == 1 else period_of(start) + 1


def batch_from_cases(cases: Sequence[ClaimCase], params: ParameterSet, snap: Snapshot) -> ClaimBatch:
    """Arrange validated cases as a :class:`ClaimBatch` aligned on each case's window end."""
    n = len(cases)
    h = history_length(snap)
    sep_month = np.fromiter((period_of(c.separation_date) for c in cases), dtype=np.int64, count=n)
    end = contributions.window_end_month(sep_month, snap)
    pay = np.zeros((n, h), dtype=np.int64)
    declared = np.zeros((n, h), dtype=bool)
    paid = np.zeros((n, h), dtype=bool)
    counted = np.ones((n, h), dtype=bool)
    subsidised = np.zeros((n, h), dtype=bool)
    for i, c in enumerate(cases):
        first = int(end[i]) - h + 1
        for m in c.contributions:
            j = m.period - first
            if 0 <= j < h:
                pay[i, j] = m.remuneration
                declared[i, j] = True
                paid[i, j] = m.paid
                counted[i, j] = m.covered
                subsidised[i, j] = m.subsidised
    months = (end[:, None] - (h - 1) + np.arange(h)[None, :]).ravel()
    counted &= months.reshape(n, h) >= insurance_first_month(params)
    rmv = params.monthly_series("economy.rmv", months).reshape(n, h)
    epoch = dt.date(1970, 1, 1)
    reemp = np.fromiter(((c.reemployment_date - epoch).days if c.reemployment_date else kernels.NAT
                         for c in cases), dtype=np.int64, count=n).view("datetime64[D]")
    return ClaimBatch(
        separation_date=np.fromiter(((c.separation_date - epoch).days for c in cases), dtype=np.int64,
                                    count=n).view("datetime64[D]"),
        claim_date=np.fromiter(((c.claim_date - epoch).days for c in cases), dtype=np.int64,
                               count=n).view("datetime64[D]"),
        termination_cause=np.array([int(c.termination_cause) for c in cases], dtype=np.int64),
        employer_size=np.array([SIZE_CODES.index(c.employer_size) for c in cases], dtype=np.int64),
        sector=np.array([SECTOR_CODES.index(c.sector) for c in cases], dtype=np.int64),
        contract_type=np.array([int(c.contract_type) for c in cases], dtype=np.int64),
        registered=np.array([c.registered_with_employment_service
                             and (c.registration_date is None or c.registration_date >= c.separation_date)
                             for c in cases], dtype=bool),
        pay=pay, declared=declared, paid=paid, rmv=rmv, window_end_month=end,
        reemployment_date=reemp, ids=[c.id for c in cases], counted=counted, subsidised=subsidised,
    )


# --------------------------------------------------------------------------------------------
# Explained decisions


@dataclass
class RequirementResult:
    key: str
    requirement: str
    article: str
    met: bool
    detail: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_reason(self) -> dict[str, Any]:
        return {"requirement": self.key, "article": self.article, "met": self.met, "detail": self.detail}


@dataclass
class Decision:
    id: str
    eligible: bool
    requirements: list[RequirementResult]
    contributions_in_window: int
    insurable_remuneration: int
    benefits: list[tuple[int, Decimal, int]]  # (month, rate, amount in céntimos)
    parameters: list[ParamRead]
    explanation: str
    evaluated_at: dt.date
    parameter_set: str

    @property
    def total(self) -> int:
        return sum(a for _, _, a in self.benefits)

    def to_dict(self, *, with_trace: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "eligible": self.eligible,
            "reasons": [r.as_reason() for r in self.requirements],
            "contributions_in_window": self.contributions_in_window,
            "insurable_remuneration": cents_to_str(self.insurable_remuneration),
            "benefits": [{"month": m, "rate": format(r, "f"), "amount": cents_to_str(a)}
                         for m, r, a in self.benefits],
            "total": cents_to_str(self.total),
            "explanation": self.explanation,
        }
        if with_trace:
            out["trace"] = self.trace()
        return out

    def trace(self) -> dict[str, Any]:
        return {
            "evaluated_at": self.evaluated_at.isoformat(),
            "parameter_set": self.parameter_set,
            "rules_version": __version__,
            "requirements": [
                {**r.as_reason(), "name": r.requirement,
                 "values": {k: _jsonable(v) for k, v in r.values.items()}}
                for r in self.requirements
            ],
            "parameters": [p.as_dict() for p in self.parameters],
            "explanation": self.explanation,
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _read(t: Snapshot, *names: str) -> None:
    """Record that the decision rests on these parameters (the trace lists them)."""
    for name in names:
        t.read(name)


def _pct(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f} %"


def explain(batch: ClaimBatch, result: BatchResult, i: int, snap: Snapshot,
            cause_labels: Mapping[str, str] | None = None,
            contract_labels: Mapping[str, str] | None = None, params: ParameterSet | None = None) -> Decision:
    """The decision on claim *i* with its reasons, values, parameters read and Spanish text.

    *params* (the set *snap* comes from): the trace also names the RMV of each reference month
    with pay, when it is not the one in force on the claim date (the floor lifts each month to its
    own month's RMV, art. 5)."""
    t = snap.tracking()
    cause = f"{int(batch.termination_cause[i]):02d}"
    contract = f"{int(batch.contract_type[i]):02d}"
    window = int(t["requirements.qualifying_window_months"])
    needed = int(t["requirements.qualifying_contributions"])
    count = int(result.contributions_in_window[i])
    days = int(t["requirements.waiting_period_days"])
    cause_text = f"{cause} ({cause_labels[cause].capitalize()})" if cause_labels and cause in cause_labels else cause
    contract_text = (f"{contract} ({contract_labels[contract].capitalize()})"
                     if contract_labels and contract in contract_labels else contract)

    reqs: list[RequirementResult] = [
        _coverage_requirement(batch, result, i, t, contract, contract_text),
        _contingency_requirement(result, i, t, cause, cause_text),
        _contributions_requirement(batch, result, i, t, window, needed, count),
        _waiting_requirement(batch, result, i, days),
        _registration_requirement(batch, result, i, t),
    ]

    # Benefit: read the parameters it rests on, so the trace names them.
    rates = list(t["benefits.rates"])
    _read(t, "benefits.reference_months", "benefits.reference_includes_separation_month",
          "benefits.average_divisor", "insurable_pay.rmv_minimum_base", "benefits.floor", "benefits.cap", "economy.rmv")
    eligible = bool(result.eligible[i])
    insurable = int(result.insurable_remuneration[i])
    amounts = [int(a) for a in result.benefits[i]]
    sched = [(k + 1, rates[k], amounts[k]) for k in range(len(rates))] if eligible else []
    explanation = _explanation(eligible, insurable, sched, amounts, reqs, t)
    return Decision(
        id=str(batch.ids[i]) if batch.ids is not None else str(i),
        eligible=eligible, requirements=reqs, contributions_in_window=count,
        insurable_remuneration=insurable, benefits=sched, parameters=_with_monthly_rmv(t, batch, i, params),
        explanation=explanation,
        evaluated_at=snap.date, parameter_set=snap.set_name,
    )


# The steps of :func:`explain` (issue 24: split out of it; the text, the values and the order in
# which parameters are read — the trace — are unchanged).

def _coverage_requirement(batch: ClaimBatch, result: BatchResult, i: int, t: Snapshot, contract: str,
                          contract_text: str) -> RequirementResult:
    size = SIZE_CODES[int(batch.employer_size[i])]
    sector = SECTOR_CODES[int(batch.sector[i])]
    covered = bool(result.covered[i])
    _read(t, "coverage.sectors", "coverage.employer_sizes", "coverage.contract_types")
    if covered:
        detail = (f"Trabajador dependiente del {SECTOR_LABELS_ES[sector]}, {SIZE_LABELS_ES[size]}, "
                  f"contrato {contract_text}: está cubierto.")
    else:
        missing = []
        if sector not in t["coverage.sectors"]:
            missing.append(f"el {SECTOR_LABELS_ES[sector]} aún no está cubierto")
        if size not in t["coverage.employer_sizes"]:
            missing.append(f"la {SIZE_LABELS_ES[size]} aún no está cubierta en esta fase "
                           "(ampliación progresiva, Segunda disposición final)")
        if contract not in t["coverage.contract_types"]:
            if contract == "02":  # part-time may be indefinite: the reading is about the CTS (art. 8)
                missing.append(f"el contrato {contract_text} no está cubierto en esta lectura: quien trabaja "
                               "a tiempo parcial menos de cuatro horas diarias no percibe CTS, de la que se "
                               "descuenta la mitad del aporte (art. 8); el reglamento puede incluirlo")
            else:
                missing.append(f"el contrato {contract_text} no es a plazo indeterminado ni sujeto a modalidad")
        detail = "No está cubierto: " + "; ".join(missing) + "."
    return RequirementResult("coverage", REQUIREMENTS[0][1], REQUIREMENTS[0][2], covered, detail,
                             {"sector": sector, "employer_size": size, "contract_type": contract})


def _contingency_requirement(result: BatchResult, i: int, t: Snapshot, cause: str,
                             cause_text: str) -> RequirementResult:
    cont = bool(result.contingency[i])
    _read(t, "contingency.covered_causes")
    detail = (f"Motivo de cese {cause_text}: desempleo involuntario." if cont else
              f"Motivo de cese {cause_text}: no es un desempleo involuntario cubierto "
              f"(cubiertos: {', '.join(t['contingency.covered_causes'])}).")
    return RequirementResult("contingency", REQUIREMENTS[1][1], REQUIREMENTS[1][2], cont, detail,
                             {"termination_cause": cause})


def _contributions_requirement(batch: ClaimBatch, result: BatchResult, i: int, t: Snapshot, window: int,
                               needed: int, count: int) -> RequirementResult:
    met = bool(result.contributions_met[i])
    _read(t, "requirements.window_includes_separation_month", "requirements.count_declared_unpaid_months",
          "requirements.subsidised_months")
    end, extra = _window_used(batch, i, t, count)
    first = format_period(end - window - extra + 1)
    noun = "aportación" if count == 1 else "aportaciones"
    span = f"{window} meses" if not extra else f"{window} meses, ampliados en {extra} por meses con subsidio,"
    detail = (f"{count} {noun} en los {span} de {first} a {format_period(end)}; "
              f"se requieren {needed}.")
    return RequirementResult("contributions", REQUIREMENTS[2][1], REQUIREMENTS[2][2], met, detail,
                             {"contributions_in_window": count, "required": needed,
                              "window_first": first, "window_last": format_period(end)})


def _waiting_requirement(batch: ClaimBatch, result: BatchResult, i: int, days: int) -> RequirementResult:
    sep = batch.separation_date[i].astype(dt.date)
    claim = batch.claim_date[i].astype(dt.date)
    wait_end = result.waiting_end[i].astype(dt.date)
    met = bool(result.waiting_met[i])
    reemp = None if batch.reemployment_date is None or np.isnat(batch.reemployment_date[i]) \
        else batch.reemployment_date[i].astype(dt.date)
    if met:
        detail = (f"Cese el {format_date_pe(sep)}; la carencia de {days} días se cumplió el "
                  f"{format_date_pe(wait_end)}.")
    elif reemp is not None and reemp <= wait_end:  # re-employed on its last day: one day short
        detail = f"Volvió a trabajar el {format_date_pe(reemp)}, antes de cumplir la carencia de {days} días."
    else:
        detail = (f"Cese el {format_date_pe(sep)}; la carencia de {days} días se cumple el "
                  f"{format_date_pe(wait_end)}, después de la solicitud ({format_date_pe(claim)}).")
    return RequirementResult("waiting_period", REQUIREMENTS[3][1], REQUIREMENTS[3][2], met, detail,
                             {"separation_date": sep, "claim_date": claim, "waiting_days": days,
                              "waiting_end": wait_end})


def _registration_requirement(batch: ClaimBatch, result: BatchResult, i: int, t: Snapshot) -> RequirementResult:
    met = bool(result.registration_met[i])
    required = t["requirements.employment_service_registration_required"]
    detail = ("Informó la pérdida del empleo al servicio de empleo." if bool(batch.registered[i]) else
              "No ha informado la pérdida del empleo al servicio de empleo (Centro de Empleo o Empleos Perú) "
              "después del cese; una inscripción anterior al cese no informa esta contingencia."
              if required else "El registro en el servicio de empleo no es exigido por los parámetros vigentes.")
    return RequirementResult("employment_service", REQUIREMENTS[4][1], REQUIREMENTS[4][2], met, detail,
                             {"registered": bool(batch.registered[i])})


def _explanation(eligible: bool, insurable: int, sched: list[tuple[int, Any, int]], amounts: list[int],
                 reqs: list[RequirementResult], t: Snapshot) -> str:
    if eligible:
        lines = ", ".join(f"{format_soles(a)} ({_pct(r)})" for _, r, a in sched)
        return (
            f"Cumple los requisitos del Seguro por Desempleo. Su remuneración asegurable es "
            f"{format_soles(insurable)}, el promedio de lo que percibió en los últimos "
            f"{int(t['benefits.reference_months'])} meses (art. 5). Recibirá {len(sched)} pagos mensuales: "
            f"{lines}; en total {format_soles(sum(amounts))}. Mantenga su inscripción y sus citas con el "
            f"servicio de empleo (art. 7).")
    failed = [r for r in reqs if not r.met]
    return ("Por ahora no le corresponde la prestación: "
            + " ".join(f"{r.detail} ({r.article})" for r in failed))


def _window_used(batch: ClaimBatch, i: int, t: Snapshot, count: int) -> tuple[int, int]:
    """(end month, months of extension) of the art. 7 window that gave *count* for claim *i*: the
    window ending with the batch's end month, or the one ending a month before when that one
    counts more (a separation on the 1st, issue 26 item 8)."""
    end = int(batch.window_end_month[i])
    window = int(t["requirements.qualifying_window_months"])
    readings = history_readings(batch, t)
    for key in ("counted", "subsidised"):
        if readings[key] is not None:
            readings[key] = readings[key][i:i + 1]
    readings["slide"] = False
    last, _, _ = kernels.history_summary_numpy(
        batch.pay[i:i + 1], batch.declared[i:i + 1], batch.paid[i:i + 1], batch.rmv if batch.rmv.ndim == 1
        else batch.rmv[i:i + 1], window, int(t["benefits.reference_months"]),
        bool(t["requirements.count_declared_unpaid_months"]), False, **readings)
    if int(last[0]) < count:
        end -= 1
    extra = 0
    if readings["subsidy_mode"] == kernels.SUBSIDY_EXTEND and batch.subsidised is not None:
        h = batch.pay.shape[1]
        col = h - 1 - (int(batch.window_end_month[i]) - end)
        extra = min(int(batch.subsidised[i, col - window + 1:col + 1].sum()), readings["ext_max"])
    return end, extra


def _with_monthly_rmv(t: Snapshot, batch: ClaimBatch, i: int, params: ParameterSet | None) -> list[ParamRead]:
    """The parameters *t* recorded, and the other RMV versions the reference months' floor used."""
    reads = t.accessed
    if params is None or not t["insurable_pay.rmv_minimum_base"]:
        return reads
    h = batch.pay.shape[1]
    first = int(batch.window_end_month[i]) - (h - 1)  # the month of column 0
    seen = {r.effective_date for r in reads if r.name == "economy.rmv"}
    last = h - reference_offset(t)
    for j in range(last - int(t["benefits.reference_months"]), last):
        if batch.pay[i, j] > 0:
            r = params.at(first_day(first + j)).read("economy.rmv")
            if r.effective_date not in seen:
                seen.add(r.effective_date)
                reads.append(r)
    return reads


def governing_date(case: ClaimCase, params: ParameterSet) -> dt.date:
    """The date whose parameters decide *case* (``requirements.governing_date``, issue 26 item 8):
    the separation date (the law in force at the contingency) by default, or the claim date. The
    choice itself is read as in force on the claim date (a transitional provision is applied when
    the claim is decided)."""
    choice = params.at(case.claim_date)["requirements.governing_date"]
    return case.separation_date if choice == "contingency" else case.claim_date


def evaluate_case(case: ClaimCase, params: ParameterSet, at: dt.date | None = None,
                  cause_labels: Mapping[str, str] | None = None,
                  contract_labels: Mapping[str, str] | None = None) -> Decision:
    """Decide one claim, with its trace, under the parameters in force on *at* (default: the
    governing date, :func:`governing_date`)."""
    snap = params.at(at or governing_date(case, params))
    batch = batch_from_cases([case], params, snap)
    result = evaluate_batch(batch, snap, fast=False)
    return explain(batch, result, 0, snap, cause_labels, contract_labels, params)
