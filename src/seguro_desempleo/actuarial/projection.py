"""Year-by-year projection of the Seguro por Desempleo fund (PL 5510/2022-CR, arts. 8, 9, 10).

Each projected quantity is a small pure function of the year's inputs with its formula in the
docstring (lifelib style); :func:`project` chains them. Money is Decimal thousands of soles, the unit
of the ILO table; nothing is rounded inside the chain, only when a row is shown
(:meth:`YearRow.published`), with ROUND_HALF_UP as the ILO's spreadsheet does.

Notation: E insurable earnings, c contribution rate, C contributions, T non-contributory transfers
(art. 9), N average monthly beneficiaries, b average monthly benefit (soles), B benefits, A admin costs,
i nominal interest, I investment income, S surplus, R reserve at year end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from seguro_desempleo.actuarial.assumptions import Assumptions
from seguro_desempleo.errors import ParameterError

ONE = Decimal(1)
HALF = Decimal("0.5")
THOUSAND = Decimal(1000)


def contributions(earnings: Decimal, rate: Decimal) -> Decimal:
    """C_t = c_t · E_t (art. 8: 1.16 % of the insurable remuneration)."""
    return rate * earnings


def benefits(beneficiaries: Decimal, average_benefit: Decimal, year: int, start_year: int) -> Decimal:
    """B_t = 12 · N_t · b_t / 1000 (thousands of soles); 0 before the first benefit year.

    The qualifying period (art. 7: 12 contributions in 24 months) means nobody qualifies in the
    first year: the ILO table has B = 0 in 2021 ("un año de latencia").
    """
    if year < start_year:
        return Decimal(0)
    return 12 * beneficiaries * average_benefit / THOUSAND


def admin_costs(rate: Decimal, basis: str, earnings: Decimal, contribution: Decimal, benefit: Decimal) -> Decimal:
    """A_t = a · base_t, base = E_t (the ILO convention, inferred: A/E = 0.25 % every year), C_t or B_t."""
    base = {"insurable_earnings": earnings, "contributions": contribution, "benefits": benefit}[basis]
    return rate * base


def nominal_interest_rate(real_rate: Decimal, inflation: Decimal) -> Decimal:
    """i_t = (1 + r_t)(1 + π_t) − 1 (Fisher)."""
    return (ONE + real_rate) * (ONE + inflation) - ONE


def investment_income(opening_reserve: Decimal, net_cash_flow: Decimal, rate: Decimal, crediting: str) -> Decimal:
    """I_t on the opening reserve and the year's net cash flow F_t = C_t + T_t − B_t − A_t.

    - ``half_year_compound`` (ILO, inferred): I = R_{t−1}·i + F·((1+i)^½ − 1)
    - ``half_year_simple``: I = R_{t−1}·i + F·i/2
    - ``year_start``: I = (R_{t−1} + F)·i;  ``year_end``: I = R_{t−1}·i
    """
    if crediting == "half_year_compound":
        return opening_reserve * rate + net_cash_flow * ((ONE + rate).sqrt() - ONE)
    if crediting == "half_year_simple":
        return opening_reserve * rate + net_cash_flow * rate * HALF
    if crediting == "year_start":
        return (opening_reserve + net_cash_flow) * rate
    if crediting == "year_end":
        return opening_reserve * rate
    raise ParameterError(f"unknown crediting '{crediting}'", field="conventions.interest_crediting")


def surplus(contribution: Decimal, transfers: Decimal, income: Decimal, benefit: Decimal, admin: Decimal) -> Decimal:
    """S_t = C_t + T_t + I_t − B_t − A_t (Superávit (déficit))."""
    return contribution + transfers + income - benefit - admin


def payg_rate(benefit: Decimal, admin: Decimal, earnings: Decimal) -> Decimal:
    """π_t = (B_t + A_t) / E_t: the pay-as-you-go cost rate (fraction)."""
    return (benefit + admin) / earnings if earnings else Decimal(0)


def benefit_cost_rate(benefit: Decimal, earnings: Decimal) -> Decimal:
    """β_t = B_t / E_t (US DOL benefit cost rate)."""
    return benefit / earnings if earnings else Decimal(0)


def reserve_ratio(reserve: Decimal, benefit: Decimal, admin: Decimal) -> Decimal:
    """ρ_t = R_t / (B_t + A_t): years of spending held (ILO 'coeficiente de reserva')."""
    spending = benefit + admin
    return reserve / spending if spending else Decimal(0)


def reserve_to_earnings(reserve: Decimal, earnings: Decimal) -> Decimal:
    """RR_t = R_t / E_t (US reserve ratio)."""
    return reserve / earnings if earnings else Decimal(0)


def _q(value: Decimal, exp: str) -> Decimal:
    return value.quantize(Decimal(exp), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearRow:
    """One year of the projection; money in Decimal thousands of soles, rates as fractions."""

    year: int
    contribution_rate: Decimal
    insurable_earnings: Decimal
    contributions: Decimal
    transfers: Decimal
    investment_income: Decimal
    benefits: Decimal
    admin_costs: Decimal
    surplus: Decimal
    reserve: Decimal
    interest_rate: Decimal
    beneficiaries: Decimal
    average_benefit: Decimal

    @property
    def spending(self) -> Decimal:
        return self.benefits + self.admin_costs

    @property
    def payg_rate(self) -> Decimal:
        return payg_rate(self.benefits, self.admin_costs, self.insurable_earnings)

    @property
    def benefit_cost_rate(self) -> Decimal:
        return benefit_cost_rate(self.benefits, self.insurable_earnings)

    @property
    def reserve_ratio(self) -> Decimal:
        return reserve_ratio(self.reserve, self.benefits, self.admin_costs)

    @property
    def reserve_to_earnings(self) -> Decimal:
        return reserve_to_earnings(self.reserve, self.insurable_earnings)

    def published(self) -> dict[str, int | str]:
        """The row as the bill prints it: integer thousands, % to 2 decimals, ratio to 1 decimal."""
        return {
            "year": self.year,
            "contribution_rate": str(_q(self.contribution_rate * 100, "0.01")),
            "insurable_earnings": int(_q(self.insurable_earnings, "1")),
            "contributions": int(_q(self.contributions, "1")),
            "investment_income": int(_q(self.investment_income, "1")),
            "benefits": int(_q(self.benefits, "1")),
            "admin_costs": int(_q(self.admin_costs, "1")),
            "surplus": int(_q(self.surplus, "1")),
            "reserve": int(_q(self.reserve, "1")),
            "payg_rate": str(_q(self.payg_rate * 100, "0.01")),
            "reserve_ratio": str(_q(self.reserve_ratio, "0.1")),
        }

    def full(self) -> dict[str, str | int]:
        """Every field at full precision (strings of Decimals) plus the derived metrics."""
        out: dict[str, str | int] = {k: (v if isinstance(v, int) else str(v)) for k, v in asdict(self).items()}
        for name in ("payg_rate", "benefit_cost_rate", "reserve_ratio", "reserve_to_earnings"):
            out[name] = str(getattr(self, name))
        return out


@dataclass(frozen=True)
class Projection:
    assumptions: Assumptions
    rows: tuple[YearRow, ...]

    @property
    def last(self) -> YearRow:
        return self.rows[-1]

    def row(self, year: int) -> YearRow:
        for row in self.rows:
            if row.year == year:
                return row
        raise ParameterError(f"year {year} outside the projection", field="year")


RateArg = Decimal | Mapping[int, Decimal] | None


def rate_for(year: int, rate: RateArg, default: Decimal) -> Decimal:
    """The contribution rate of *year*: a constant, a per-year mapping, or the set's rate."""
    if rate is None:
        return default
    if isinstance(rate, Mapping):
        return rate.get(year, default)
    return rate


def project(a: Assumptions, rate: RateArg = None) -> Projection:
    """Run the fund year by year from ``a.first_year`` to ``a.last_year``.

    R_t = R_{t−1} + S_t with R_{first−1} = opening reserve; ``rate`` overrides the contribution rate
    (one Decimal for every year, or a mapping year → rate).
    """
    rows: list[YearRow] = []
    reserve = a.opening_reserve
    for year in a.years:
        c = rate_for(year, rate, a.contribution_rate)
        if c < 0:
            raise ParameterError(f"negative contribution rate {c} in {year}", field="contribution_rate")
        earn = a.insurable_earnings[year]
        n = a.average_monthly_beneficiaries.get(year, Decimal(0)) if year >= a.benefit_start_year else Decimal(0)
        b = a.average_monthly_benefit.get(year, Decimal(0)) if year >= a.benefit_start_year else Decimal(0)
        con = contributions(earn, c)
        ben = benefits(n, b, year, a.benefit_start_year)
        adm = admin_costs(a.admin_cost_rate, a.admin_cost_basis, earn, con, ben)
        tr = a.non_contributory_transfers.get(year, Decimal(0))
        i = nominal_interest_rate(a.real_interest_rate[year], a.inflation(year))
        inc = investment_income(reserve, con + tr - ben - adm, i, a.interest_crediting)
        sur = surplus(con, tr, inc, ben, adm)
        reserve = reserve + sur
        rows.append(YearRow(year=year, contribution_rate=c, insurable_earnings=earn, contributions=con,
                            transfers=tr, investment_income=inc, benefits=ben, admin_costs=adm, surplus=sur,
                            reserve=reserve, interest_rate=i, beneficiaries=n, average_benefit=b))
    return Projection(assumptions=a, rows=tuple(rows))
