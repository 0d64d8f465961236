"""The bridge from covered workers to benefits paid: the ILO valuation and the microsimulation side by side.

Both answers to "is 1.16 % enough?" (arts. 8 and 10) are products of the same chain

    B = C · (K/C) · d̄ · w · (b/w)

with C the average monthly contributors, K/C the claims per contributor per year (separations ×
involuntary share (art. 6: causes 03, 04, 07…) × eligibility (12 in 24, art. 6; waiting period,
art. 7) × take-up), d̄ the mean months paid per claim (at most five, art. 5), w the average monthly
insurable pay of contributors (art. 4) and b/w the average benefit over it (the art. 5 schedule applied
to the claimants' own pay, who earn less than the average). Monthly beneficiaries N = K · d̄ / 12.

The ILO published C (3.5 million in 2021, "un año de latencia"), the insured (5 million), insurable
earnings E, N and b (PL 5510/2022-CR, exposición de motivos): ``ilo_flows`` derives w, b/w, N/C and
K/C·d̄ from them. It did not publish the separation rate, the involuntary share, eligibility, take-up or
d̄ separately, so those cells are "—" and d̄ is an explicit assumption (``ilo_duration``).
``sim_flows`` reads every step from a simulation's integer accumulators. ``decompose`` splits the
ratio of benefits (and of the cost rate B/E) into factors whose product is the ratio exactly.

Money is Decimal soles; counts are Decimal persons (national, per year unless said).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from seguro_desempleo.actuarial.assumptions import Assumptions

D = Decimal
ILO_YEAR = 2022
ILO_DURATION = D(5)
"""Months paid per claim assumed for the ILO column (not published): the maximum of art. 5. The ILO
table's b/(0.60·w) = 0.876 in 2022 reads as a leavers' wage 88 % of the average *if* all five months are
paid; with fewer months the implied claim incidence rises in proportion (see the range in the docs)."""


@dataclass(frozen=True)
class Flows:
    """One column of the bridge (national, one year). ``None`` = not published / not measured."""

    basis: str
    year: int | None
    contributors: Decimal                 # average monthly contributors (art. 8 base)
    insured: Decimal | None               # insured with a recent contribution (ILO's "asegurados activos")
    insurable_pay_year: Decimal           # E, soles a year
    separations_year: Decimal | None      # separations from covered jobs, all causes
    involuntary_year: Decimal | None      # of which by a cause of art. 6 (03, 04, 07, …)
    eligible_year: Decimal | None         # of which meeting 12-in-24 and the waiting period (arts. 6, 7)
    claims_year: Decimal                  # of which claiming (take-up): new benefits a year
    mean_duration: Decimal                # months paid per claim
    claimants_pay: Decimal | None         # average monthly insurable remuneration of claimants (art. 5)
    average_benefit: Decimal              # b, soles a month
    beneficiaries: Decimal                # N, average monthly beneficiaries
    benefits_year: Decimal                # B, soles a year
    duration_assumed: bool = False

    @property
    def average_pay(self) -> Decimal:
        """w = E / (12 · C)."""
        return self.insurable_pay_year / (12 * self.contributors)

    @property
    def cost_rate(self) -> Decimal:
        """β = B / E."""
        return self.benefits_year / self.insurable_pay_year

    @property
    def claims_per_contributor(self) -> Decimal:
        return self.claims_year / self.contributors

    @property
    def benefit_over_pay(self) -> Decimal:
        return self.average_benefit / self.average_pay

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def ilo_flows(a: Assumptions, year: int = ILO_YEAR, duration: Decimal = ILO_DURATION) -> Flows:
    """The ILO column from a published set (``ilo-2021``): K = 12·N/d̄ with d̄ assumed."""
    n = a.average_monthly_beneficiaries[year]
    b = a.average_monthly_benefit[year]
    e = a.insurable_earnings[year] * 1000
    c = a.contributors[year]
    return Flows(basis=f"OIT 2021 ({a.name})", year=year, contributors=c, insured=a.insured.get(year),
                 insurable_pay_year=e, separations_year=None, involuntary_year=None, eligible_year=None,
                 claims_year=12 * n / duration, mean_duration=duration, claimants_pay=None, average_benefit=b,
                 beneficiaries=n, benefits_year=12 * n * b, duration_assumed=True)


def sim_flows(result: Any) -> Flows:
    """The microsimulation column from a :class:`~seguro_desempleo.simulation.runner.Result`.

    Separations from covered jobs of all causes are not accumulated by the kernel; they are estimated as
    covered involuntary separations / the involuntary share of all formal separations (the same mix of
    causes in covered and uncovered jobs — an approximation, said in the docs).
    """
    from seguro_desempleo.simulation.engine import ACC_NAMES

    tot = {name: int(result.acc[i].sum()) for i, name in enumerate(ACC_NAMES)}
    persons, months = result.spec.persons, result.spec.months
    scale = D(result.working_age_population) / D(persons)
    per_year = scale * 12 / D(months)

    def year(v: int) -> Decimal:
        return D(v) * per_year

    involuntary_share = D(tot["separations_involuntary"]) / D(tot["separations"]) if tot["separations"] else D(0)
    covered_invol = year(tot["separations_covered"])
    bm = tot["benefit_months"]
    claims = tot["beneficiaries"]
    return Flows(
        basis=f"microsimulación del diseño {result.design}", year=None,
        contributors=D(tot["pm_covered"]) * scale / D(months), insured=None,
        insurable_pay_year=year(tot["insurable_pay"]) / 100,
        separations_year=covered_invol / involuntary_share if involuntary_share else None,
        involuntary_year=covered_invol, eligible_year=year(tot["eligible"]), claims_year=year(claims),
        mean_duration=D(bm) / D(claims) if claims else D(0),
        claimants_pay=D(tot["ir_paid"]) / D(bm) / 100 if bm else None,
        average_benefit=D(tot["benefit_paid"]) / D(bm) / 100 if bm else D(0),
        beneficiaries=D(bm) * scale / D(months), benefits_year=year(tot["benefit_paid"]) / 100)


def _ratio(x: Decimal | None, y: Decimal | None) -> Decimal | None:
    return None if x is None or y is None or y == 0 else x / y


STEPS: tuple[tuple[str, str, str], ...] = (
    # key, Spanish label, article
    ("contributors", "Cotizantes mensuales promedio", "art. 3, 8"),
    ("insured", "Asegurados activos", "art. 3"),
    ("average_pay", "Remuneración asegurable promedio (S/ al mes)", "art. 4"),
    ("separations_year", "Ceses de empleos cubiertos al año (todas las causas)", "—"),
    ("separation_rate", "  tasa de cese anual por cotizante", "—"),
    ("involuntary_year", "Ceses involuntarios (causas 03, 04, 07…)", "art. 6"),
    ("involuntary_share", "  proporción involuntaria", "art. 6"),
    ("eligible_year", "Con 12 aportes en 24 meses y periodo de espera", "arts. 6, 7"),
    ("eligibility", "  proporción elegible", "arts. 6, 7"),
    ("claims_year", "Solicitudes pagadas al año (tras la inscripción)", "art. 7"),
    ("takeup", "  proporción que solicita (take-up)", "art. 7"),
    ("claims_per_contributor", "Solicitudes por cotizante al año", "—"),
    ("mean_duration", "Meses pagados por solicitud", "art. 5"),
    ("beneficiaries", "Beneficiarios mensuales promedio", "art. 5"),
    ("claimants_pay", "Remuneración asegurable de los beneficiarios (S/)", "art. 5"),
    ("average_benefit", "Prestación mensual promedio (S/)", "art. 5"),
    ("benefit_over_pay", "Prestación / remuneración promedio", "art. 5"),
    ("benefits_year", "Gasto en prestaciones al año (S/)", "art. 8"),
    ("cost_rate", "Prestaciones / remuneración asegurable", "art. 8"),
)


def _value(f: Flows, key: str) -> Decimal | None:
    if key == "separation_rate":
        return _ratio(f.separations_year, f.contributors)
    if key == "involuntary_share":
        return _ratio(f.involuntary_year, f.separations_year)
    if key == "eligibility":
        return _ratio(f.eligible_year, f.involuntary_year)
    if key == "takeup":
        return _ratio(f.claims_year, f.eligible_year)
    value = getattr(f, key)
    return value if value is None else D(value)


def _basis(f: Flows, key: str, published: bool) -> str:
    if not published:
        return "simulado"
    if key in ("contributors", "insured"):
        return "publicado (2021), crecido con el empleo de la OIT"
    if key in ("beneficiaries", "average_benefit", "benefits_year"):
        return "publicado"
    if key in ("claims_year", "claims_per_contributor"):
        return f"derivado: 12·N/d̄ con d̄ = {f.mean_duration} (supuesto)"
    if key == "mean_duration":
        return "supuesto (no publicado)"
    if key in ("average_pay", "benefit_over_pay", "cost_rate"):
        return "derivado de lo publicado"
    return "no publicado"


def bridge_table(ilo: Flows, sim: Flows) -> list[dict[str, Any]]:
    """Rows step by step: value of each column, its basis, and sim / ILO."""
    rows = []
    for key, label, article in STEPS:
        x, y = _value(ilo, key), _value(sim, key)
        rows.append({"step": key, "label": label, "article": article, "ilo": _fmt(x), "ilo_basis": _basis(ilo, key, True),
                     "sim": _fmt(y), "sim_basis": _basis(sim, key, False), "sim_over_ilo": _fmt(_ratio(y, x), 3)})
    return rows


def _fmt(v: Decimal | None, places: int | None = None) -> str | None:
    if v is None:
        return None
    if places is not None:
        return str(v.quantize(D(10) ** -places))
    if abs(v) >= 1000:
        return str(v.quantize(D(1)))
    if abs(v) >= 1:
        return str(v.quantize(D("0.01")))
    return str(v.quantize(D("0.0001")))


FACTORS: tuple[tuple[str, str], ...] = (
    ("contributors", "cobertura: cotizantes"),
    ("average_pay", "nivel de remuneración asegurable"),
    ("claims_per_contributor", "incidencia: solicitudes por cotizante"),
    ("mean_duration", "duración pagada"),
    ("benefit_over_pay", "prestación / remuneración promedio"),
)


def decompose(ilo: Flows, sim: Flows) -> dict[str, Any]:
    """B_sim / B_ilo = Π factor ratios, exactly (Decimal); β_sim / β_ilo = the same without C and w.

    B = 12 · N · b = C · (K/C) · d̄ · w · (b/w) · 12/12, so the five ratios multiply to the ratio of B.
    """
    factors: list[dict[str, Any]] = []
    product = D(1)
    cost_product = D(1)
    for key, label in FACTORS:
        r = D(getattr(sim, key)) / D(getattr(ilo, key))
        product *= r
        if key not in ("contributors", "average_pay"):
            cost_product *= r
        factors.append({"factor": key, "label": label, "sim_over_ilo": r})
    total = sim.benefits_year / ilo.benefits_year
    cost = sim.cost_rate / ilo.cost_rate
    return {"factors": factors, "product": product, "benefits_ratio": total, "cost_rate_product": cost_product,
            "cost_rate_ratio": cost}


def incidence_split(ilo: Flows, sim: Flows) -> list[dict[str, Any]]:
    """The incidence factor split along the sim's chain: what the ILO's K/C implies for the separation
    rate if its involuntary share, eligibility and take-up were the simulation's."""
    rows = []
    for key in ("separation_rate", "involuntary_share", "eligibility", "takeup"):
        rows.append({"step": key, "sim": _value(sim, key)})
    filters = D(1)
    for key in ("involuntary_share", "eligibility", "takeup"):
        v = _value(sim, key)
        filters *= v if v is not None else D(1)
    implied = ilo.claims_per_contributor / filters if filters else None
    rows.append({"step": "ilo_implied_separation_rate", "sim": implied})
    return rows
