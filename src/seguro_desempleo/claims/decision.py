"""A rules decision as it is stored, and the Spanish decision letter (resolución).

:func:`decision_record` turns a :class:`seguro_desempleo.rules.evaluate.Decision` into a
:class:`StoredDecision`: the outcome, the reasons with their articles, the benefit schedule in
céntimos, the rules version, the version (effective date and value) of every parameter read, and
the full trace, JSON-ready (``to_dict``/``from_dict`` round-trip exactly).

:func:`render_resolution_html` renders the letter from ``templates/resolucion.html`` with Jinja2
(auto-escaped); :func:`render_resolution_pdf` prints it with WeasyPrint. Amounts read
``S/ 1,234.56`` and dates ``dd/mm/aaaa``. The letter is addressed to the worker, so it carries the
name and the document number given in :class:`LetterContext`; nothing here logs them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from seguro_desempleo.claims.appeals import FILING_DAYS, RESOLUTION_DAYS
from seguro_desempleo.claims.letters import letter_env
from seguro_desempleo.errors import InputError
from seguro_desempleo.money import cents_to_str, format_soles, parse_soles
from seguro_desempleo.payments.schedule import plan_installments
from seguro_desempleo.periods import format_date_pe, format_period, period_of
from seguro_desempleo.rules.evaluate import Decision

BILL = "Proyecto de Ley 5510/2022-CR"


@dataclass(frozen=True)
class BenefitLine:
    month: int               # 1..5: the installment number
    rate: Decimal
    amount: int              # céntimos


@dataclass(frozen=True)
class StoredDecision:
    claim_id: str
    eligible: bool
    decided_on: dt.date
    rules_version: str
    parameter_set: str
    parameter_versions: tuple[dict[str, Any], ...]   # name, effective_date, value, reference
    insurable_remuneration: int
    contributions_in_window: int
    benefits: tuple[BenefitLine, ...]
    reasons: tuple[dict[str, Any], ...]               # requirement, article, met, detail
    explanation: str
    trace: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(b.amount for b in self.benefits)

    @property
    def articles(self) -> list[str]:
        """The articles the decision rests on, in order, without repeats."""
        out: list[str] = []
        for r in self.reasons:
            if r["article"] not in out:
                out.append(r["article"])
        return out

    def to_dict(self, *, trace: bool = True) -> dict[str, Any]:
        """JSON-ready; ``trace=False`` leaves the trace out (the API's answer to a decision)."""
        out = {
            "claim_id": self.claim_id, "eligible": self.eligible, "decided_on": self.decided_on.isoformat(),
            "rules_version": self.rules_version, "parameter_set": self.parameter_set,
            "parameter_versions": [dict(p) for p in self.parameter_versions],
            "insurable_remuneration": cents_to_str(self.insurable_remuneration),
            "contributions_in_window": self.contributions_in_window,
            "benefits": [{"month": b.month, "rate": format(b.rate, "f"), "amount": cents_to_str(b.amount)}
                         for b in self.benefits],
            "total": cents_to_str(self.total),
            "reasons": [dict(r) for r in self.reasons], "explanation": self.explanation,
        }
        if trace:
            out["trace"] = self.trace
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StoredDecision:
        try:
            return cls(
                claim_id=str(d["claim_id"]), eligible=bool(d["eligible"]),
                decided_on=dt.date.fromisoformat(d["decided_on"]), rules_version=str(d["rules_version"]),
                parameter_set=str(d["parameter_set"]),
                parameter_versions=tuple(dict(p) for p in d["parameter_versions"]),
                insurable_remuneration=parse_soles(d["insurable_remuneration"], field="insurable_remuneration"),
                contributions_in_window=int(d["contributions_in_window"]),
                benefits=tuple(BenefitLine(int(b["month"]), Decimal(b["rate"]),
                                           parse_soles(b["amount"], field="benefits.amount"))
                               for b in d["benefits"]),
                reasons=tuple(dict(r) for r in d["reasons"]), explanation=str(d["explanation"]),
                trace=dict(d.get("trace") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"stored decision is malformed: {exc!r}", field="decision") from None


def decision_record(decision: Decision, *, claim_id: str | None = None,
                    decided_on: dt.date | None = None) -> StoredDecision:
    """What the store keeps for a decision: outcome, schedule, versions and trace."""
    trace = decision.trace()
    versions = tuple({"name": p.name, "effective_date": p.effective_date.isoformat(),
                      "value": p.as_dict()["value"], "reference": p.reference} for p in decision.parameters)
    return StoredDecision(
        claim_id=claim_id or decision.id, eligible=decision.eligible,
        decided_on=decided_on or decision.evaluated_at, rules_version=str(trace["rules_version"]),
        parameter_set=decision.parameter_set, parameter_versions=versions,
        insurable_remuneration=decision.insurable_remuneration,
        contributions_in_window=decision.contributions_in_window,
        benefits=tuple(BenefitLine(m, Decimal(r), a) for m, r, a in decision.benefits),
        reasons=tuple(r.as_reason() | {"name": r.requirement} for r in decision.requirements),
        explanation=decision.explanation, trace=trace,
    )


# --------------------------------------------------------------------------------------------
# Unemployment at the decision (issue 26, item 3)

UNEMPLOYMENT_ARTICLE = "PL 5510/2022-CR, arts. 5 y 6"
"""Art. 6: the contingency is unemployment; art. 5: the benefit covers months of it."""


def _months_before_new_job(rec: StoredDecision, first_period: int, reemployment_date: dt.date,
                           benefit_start: dt.date | None) -> tuple[list[BenefitLine], str]:
    """(the benefits kept, the reason's detail) when a new job is on record: only the benefit months
    before it (:func:`limit_to_unemployment`; issue 24: split out of it, unchanged)."""
    cut = period_of(reemployment_date)
    if benefit_start is not None:
        plan = plan_installments(rec.claim_id, rec.benefits, first_period, benefit_start=benefit_start,
                                 reemployment_date=reemployment_date)
        # The benefit month the new job falls in is awarded for its days out of work: the
        # decision states the amount the runs pay (the plan does not prorate it again).
        kept = [dataclasses.replace(b, amount=inst.amount)
                for b, inst in zip(rec.benefits, plan, strict=True) if not inst.cancelled]
        cut = first_period + len(kept)
    else:
        plan = plan_installments(rec.claim_id, rec.benefits, first_period)
        kept = [b for b, inst in zip(rec.benefits, plan, strict=True) if inst.period < cut]
    when = format_date_pe(reemployment_date)
    if kept:
        last = first_period + len(kept) - 1
        months = (f"se otorga el mes de desempleo anterior ({format_period(first_period)})" if len(kept) == 1
                  else f"se otorgan los {len(kept)} meses de desempleo anteriores "
                       f"({format_period(first_period)} a {format_period(last)})")
        detail = f"Inició un nuevo empleo el {when}: {months}; desde {format_period(cut)} no corresponde pago."
        if benefit_start is not None and kept[-1].amount < rec.benefits[len(kept) - 1].amount:
            inst = plan[len(kept) - 1]
            assert inst.starts is not None and inst.ends is not None
            days = (reemployment_date - inst.starts).days
            total = (inst.ends - inst.starts).days + 1
            detail += (f" El mes {inst.number} ({format_date_pe(inst.starts)} al {format_date_pe(inst.ends)}) "
                       f"se otorga por sus {days} de {total} días sin empleo (pro rata): "
                       f"{format_soles(kept[-1].amount)}.")
    else:
        detail = (f"Inició un nuevo empleo el {when}, antes del primer mes de la prestación "
                  f"({format_period(first_period)}): no hay meses de desempleo que pagar.")
    return kept, detail


def limit_to_unemployment(rec: StoredDecision, *, first_period: int, reemployment_date: dt.date | None,
                          kept_job: bool = False, benefit_start: dt.date | None = None) -> StoredDecision:
    """The decision as it can pay, given what the records show on the day it is taken.

    - *kept_job*: the worker still holds another job (a T-Registro period with another employer
      that started on or before the separation and had not ended by it). They lost *a* job, not
      their employment: the contingency of art. 6 is not met; the decision says so.
    - *reemployment_date*: a new job already on record. Only the installments of benefit months
      that start before the new job are awarded (the same cut the payment run applies,
      :func:`seguro_desempleo.payments.schedule.plan_installments`: with *benefit_start*, benefit
      months run from the day after the waiting period and the one the new job falls in is paid
      pro rata of its days out of work, issue 26 item 2; without it, by calendar month); none
      left → not awarded, and the decision says why.

    Pure: the reasons, the benefits, the explanation and the trace say what was cut and why.
    """
    reasons = list(rec.reasons)
    trace = dict(rec.trace)
    benefits = rec.benefits
    eligible = rec.eligible
    notes: list[str] = []
    if kept_job:
        reasons.append({"requirement": "unemployment", "name": "Desempleo (no conserva otro empleo)",
                        "article": UNEMPLOYMENT_ARTICLE, "met": False,
                        "detail": "Conserva otro empleo vigente después del cese (T-Registro): no está "
                                  "desempleado(a); la contingencia del art. 6 es el desempleo, no la pérdida "
                                  "de uno de varios empleos."})
        trace["unemployment"] = {"kept_job": True}
        eligible = False
        notes.append("conserva otro empleo, no está desempleado(a) (art. 6)")
    if reemployment_date is not None and eligible:
        kept, detail = _months_before_new_job(rec, first_period, reemployment_date, benefit_start)
        if not kept:
            eligible = False
            notes.append(f"nuevo empleo desde el {format_date_pe(reemployment_date)}, antes del primer mes "
                         "de la prestación (arts. 5 y 6)")
        reasons.append({"requirement": "reemployment", "name": "Meses de desempleo antes del nuevo empleo",
                        "article": UNEMPLOYMENT_ARTICLE, "met": bool(kept), "detail": detail})
        trace["reemployment"] = {"date": reemployment_date.isoformat(), "first_period": format_period(first_period),
                                 "months_awarded": len(kept), "months_decided": len(rec.benefits)}
        if kept and kept[-1].amount != rec.benefits[len(kept) - 1].amount:
            # the full installment of the month paid pro rata: an earlier new job found later is
            # prorated from it, never from the amount already prorated (no double pro rata)
            trace["reemployment"]["full_amount"] = rec.benefits[len(kept) - 1].amount
        benefits = tuple(kept)
    if not eligible:
        benefits = ()
    if eligible == rec.eligible and benefits == rec.benefits and not kept_job:
        return rec
    if not eligible and rec.eligible:
        explanation = "No le corresponde la prestación: " + "; ".join(notes) + "."
    elif not eligible:
        explanation = rec.explanation + (" Además: " + "; ".join(notes) + "." if notes else "")
    else:
        explanation = (rec.explanation + f" Por el nuevo empleo del {format_date_pe(reemployment_date)}"
                       f" se otorgan {len(benefits)} de {len(rec.benefits)} meses.") if reemployment_date else \
            rec.explanation
    return dataclasses.replace(rec, eligible=eligible, benefits=benefits, reasons=tuple(reasons),
                               explanation=explanation, trace=trace)


FILING_DEADLINE_PARAMETER = "requirements.claim_filing_deadline_days"


def check_filing_deadline(rec: StoredDecision, *, filed_on: dt.date, separation_date: dt.date, days: int,
                          parameter: dict[str, Any] | None = None) -> StoredDecision:
    """A claim filed more than *days* after the separation is denied, saying so (issue 26 item 9).

    The bill is silent; the term is the parameter ``requirements.claim_filing_deadline_days``
    (default and reading in its YAML file and docs/law.md). The reason names the last day.
    """
    last = separation_date + dt.timedelta(days=days)
    met = filed_on <= last
    reason = {"requirement": "filing_deadline", "name": "Solicitud presentada dentro del plazo",
              "article": "PL 5510/2022-CR, arts. 5 y 7 (plazo: parámetro, a falta de Reglamento)", "met": met,
              "detail": (f"Presentada el {format_date_pe(filed_on)}, dentro de los {days} días desde el cese "
                         f"({format_date_pe(separation_date)}); plazo hasta el {format_date_pe(last)}." if met else
                         f"Presentada el {format_date_pe(filed_on)}, fuera del plazo de {days} días desde el cese "
                         f"({format_date_pe(separation_date)}), que venció el {format_date_pe(last)}.")}
    versions = rec.parameter_versions + ((parameter,) if parameter else ())
    if met:
        return dataclasses.replace(rec, reasons=(*rec.reasons, reason), parameter_versions=versions)
    explanation = ("No le corresponde la prestación: " if rec.eligible else rec.explanation + " Además: ") + \
        f"la solicitud se presentó fuera del plazo de {days} días desde el cese."
    return dataclasses.replace(rec, eligible=False, benefits=(), reasons=(*rec.reasons, reason),
                               parameter_versions=versions, explanation=explanation)


# --------------------------------------------------------------------------------------------
# The letter


@dataclass(frozen=True)
class LetterContext:
    resolution_number: str              # "RES-2025-000123"
    worker_name: str
    document_type: str = "DNI"
    document_number: str = ""
    issued_on: dt.date | None = None
    office: str = "Seguro Social de Salud – EsSalud, Gerencia del Seguro por Desempleo"
    city: str = "Lima"
    signer: str = "Jefe(a) de la Oficina de Prestaciones por Desempleo"
    reemployment_date: dt.date | None = None  # known: the months from it on are not paid (the letter says so)


def letter_data(decision: StoredDecision, ctx: LetterContext) -> dict[str, Any]:
    issued = ctx.issued_on or decision.decided_on
    return {
        "bill": BILL, "d": decision, "ctx": ctx, "issued_on": issued,
        "failed": [r for r in decision.reasons if not r["met"]],
        "met": [r for r in decision.reasons if r["met"]],
        "filing_days": FILING_DAYS, "resolution_days": RESOLUTION_DAYS,
        "param_labels": _parameter_labels(decision),
    }


def _parameter_labels(decision: StoredDecision) -> dict[str, str]:
    """The Spanish label of each parameter the decision applied, for the letter (people read
    "Período de carencia", not ``requirements.waiting_period_days``); the name if none is known."""
    from seguro_desempleo.parameters import default_parameters

    params = default_parameters()
    out: dict[str, str] = {}
    for p in decision.parameter_versions:
        name = str(p["name"])
        out[name] = params[name].label if name in params else name
    return out


def render_resolution_html(decision: StoredDecision, ctx: LetterContext) -> str:
    """The resolución as a standalone HTML page (Spanish)."""
    return letter_env().get_template("resolucion.html").render(**letter_data(decision, ctx))


def render_resolution_pdf(decision: StoredDecision, ctx: LetterContext) -> bytes:
    """The resolución as PDF bytes (WeasyPrint; about half a second per letter)."""
    import weasyprint  # heavy import, only when a PDF is asked for

    return bytes(weasyprint.HTML(string=render_resolution_html(decision, ctx)).write_pdf())
