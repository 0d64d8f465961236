"""Governance of the fund as pure functions (PL 5510/2022-CR, arts. 8, 9, 10 and 12).

- :func:`tally`: the board's vote on a proposal — quorum and majority are parameters
  (``governance.board_quorum``, ``governance.board_majority``, ``governance.board_seats_per_sector``).
- :func:`statements`: the fund's balance sheet and income statement from the ledger's totals.
- :func:`reserve_ratio` and :func:`triggers`: the art. 8 reserve target and the stochastic
  depletion threshold, each giving a board alert with the proposal it drafts.
- :func:`next_study_due`: art. 10's two-yearly calendar.
- :class:`GovernanceRepository`: the port the governance service works through (``uow.governance``),
  and :class:`ExperienceData`, what the art. 10 study reads from the books.

Money is integer céntimos; ratios are ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from seguro_desempleo.domain.ledger import ACCOUNTS, CHART, balance_of
from seguro_desempleo.errors import InputError

SECTORS = ("state", "employers", "workers")
SECTOR_LABELS = {"state": "Estado", "employers": "Empleadores", "workers": "Trabajadores"}
CHOICES = ("yes", "no", "abstain")
CHOICE_LABELS = {"yes": "A favor", "no": "En contra", "abstain": "Abstención"}
PROPOSAL_KINDS = {
    "rate_revision": "Revisión de la tasa de aportación (art. 8)",
    "waiting_period": "Período de carencia (art. 7)",
    "coverage_phase": "Fase de cobertura (art. 3)",
    "transfer_request": "Solicitud de aporte no contributivo (art. 9)",
    "investment_policy": "Política de inversión de la reserva (art. 8)",
    "other_parameter": "Otro parámetro",
}
STUDY_INTERVAL_YEARS = 2
"""Art. 10: "cada dos años los estudios financieros actuariales"."""


# ------------------------------------------------------------------------------------------ votes


@dataclass(frozen=True)
class Tally:
    seats: int
    voters: int
    yes: int
    no: int
    abstain: int
    by_sector: Mapping[str, int]
    quorum: bool
    majority: bool
    reason: str

    @property
    def approved(self) -> bool:
        return self.quorum and self.majority


def tally(votes: Iterable[tuple[str, str]], *, seats_per_sector: int, quorum: Decimal, majority: Decimal) -> Tally:
    """Count ``(sector, choice)`` votes.

    Quorum (reading of art. 12, until the Reglamento): more than ``quorum`` of all seats voted,
    and every one of the three sectors has at least one director voting — the board is tripartite
    "en la misma proporción", so no sector is outvoted in its absence. Majority: more than
    ``majority`` of the votes cast are in favour (abstentions count as cast).
    """
    by_sector = dict.fromkeys(SECTORS, 0)
    counts = dict.fromkeys(CHOICES, 0)
    for sector, choice in votes:
        if sector not in by_sector:
            raise InputError(f"unknown sector '{sector}' (one of {', '.join(SECTORS)})", field="sector")
        if choice not in counts:
            raise InputError(f"unknown vote '{choice}' (one of {', '.join(CHOICES)})", field="choice")
        by_sector[sector] += 1
        counts[choice] += 1
    seats = 3 * seats_per_sector
    voters = sum(by_sector.values())
    missing = [SECTOR_LABELS[s] for s in SECTORS if by_sector[s] == 0]
    has_quorum = Decimal(voters) > quorum * seats and not missing
    has_majority = voters > 0 and Decimal(counts["yes"]) > majority * voters
    if not has_quorum:
        reason = (f"sin quórum: votaron {voters} de {seats} directores"
                  + (f"; sin voto de: {', '.join(missing)}" if missing else ""))
    elif not has_majority:
        reason = f"sin mayoría: {counts['yes']} a favor de {voters} votos emitidos"
    else:
        reason = f"aprobado: {counts['yes']} a favor de {voters} votos emitidos ({seats} directores)"
    return Tally(seats, voters, counts["yes"], counts["no"], counts["abstain"], by_sector, has_quorum,
                 has_majority, reason)


# ------------------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class StatementLine:
    code: str
    label: str
    amount: int


@dataclass(frozen=True)
class Statements:
    """The fund's balance sheet at *end* and income statement for [start, end]."""

    start: dt.date
    end: dt.date
    assets: list[StatementLine]
    liabilities: list[StatementLine]
    reserves: list[StatementLine]
    unclosed_result: int              # income − expense not yet closed into the accumulated result
    income: list[StatementLine]
    expenses: list[StatementLine]
    trial_debit: int
    trial_credit: int
    notes: list[str] = field(default_factory=list)

    @property
    def total_assets(self) -> int:
        return sum(line.amount for line in self.assets)

    @property
    def total_liabilities(self) -> int:
        return sum(line.amount for line in self.liabilities)

    @property
    def total_reserves(self) -> int:
        return sum(line.amount for line in self.reserves) + self.unclosed_result

    @property
    def total_income(self) -> int:
        return sum(line.amount for line in self.income)

    @property
    def total_expenses(self) -> int:
        return sum(line.amount for line in self.expenses)

    @property
    def result(self) -> int:
        return self.total_income - self.total_expenses

    @property
    def balanced(self) -> bool:
        """Assets = liabilities + reserves (with the unclosed result), and the trial balance's
        debits = credits: the statements are read from the same totals as the trial balance."""
        return (self.total_assets == self.total_liabilities + self.total_reserves
                and self.trial_debit == self.trial_credit)


def statements(cumulative: Mapping[str, tuple[int, int]], period: Mapping[str, tuple[int, int]], *,
               start: dt.date, end: dt.date) -> Statements:
    """Build the statements from the ledger's ``(debit, credit)`` totals per account: *cumulative*
    up to *end* (every entry, the yearly closes included) and *period* for [start, end] without
    the closing entries (what the income statement shows)."""
    def lines(kind: str, totals: Mapping[str, tuple[int, int]]) -> list[StatementLine]:
        return [StatementLine(a.code, a.label, balance_of(a.code, *totals.get(a.code, (0, 0))))
                for a in CHART if a.kind == kind and totals.get(a.code, (0, 0)) != (0, 0)]

    income_cum = sum(balance_of(a.code, *cumulative.get(a.code, (0, 0))) for a in CHART if a.kind == "income")
    expense_cum = sum(balance_of(a.code, *cumulative.get(a.code, (0, 0))) for a in CHART if a.kind == "expense")
    return Statements(
        start=start, end=end, assets=lines("asset", cumulative), liabilities=lines("liability", cumulative),
        reserves=lines("reserve", cumulative), unclosed_result=income_cum - expense_cum,
        income=lines("income", period), expenses=lines("expense", period),
        trial_debit=sum(d for d, _ in cumulative.values()), trial_credit=sum(c for _, c in cumulative.values()),
    )


def closing_lines(cumulative: Mapping[str, tuple[int, int]], *, result_account: str,
                  reserve_account: str, appropriate: bool) -> list[tuple[str, int, int]]:
    """The yearly close: every income and expense account brought to zero against the accumulated
    result; with *appropriate*, a surplus of the year then goes from the accumulated result to the
    reserve of the fund (art. 8's "reserva de estabilización"). A deficit stays in the result."""
    out: list[tuple[str, int, int]] = []
    result = 0
    for a in CHART:
        if a.kind not in ("income", "expense"):
            continue
        d, c = cumulative.get(a.code, (0, 0))
        bal = balance_of(a.code, d, c)
        if bal == 0:
            continue
        if a.kind == "income":
            out.append((a.code, bal, 0) if bal > 0 else (a.code, 0, -bal))
            result += bal
        else:
            out.append((a.code, 0, bal) if bal > 0 else (a.code, -bal, 0))
            result -= bal
    if result > 0:
        out.append((result_account, 0, result))
        if appropriate:
            out += [(result_account, result, 0), (reserve_account, 0, result)]
    elif result < 0:
        out.append((result_account, -result, 0))
    return out


# --------------------------------------------------------------------------------------- triggers


@dataclass(frozen=True)
class Alert:
    kind: str                      # reserve_below_target | depletion_probability
    measured: Decimal
    threshold: Decimal
    message: str
    proposal_kind: str             # the proposal it drafts: rate_revision | transfer_request


def reserve_ratio(net_assets: int, benefits_last_12_months: int) -> Decimal | None:
    """The reserve in months of benefit spending (None when nothing was spent in the year); exact
    (``12·R/B``), rounded only for display, so a trigger compares the true ratio to its target."""
    if benefits_last_12_months <= 0:
        return None
    return Decimal(12 * net_assets) / Decimal(benefits_last_12_months)


def triggers(*, ratio_months: Decimal | None, target_months: Decimal, depletion_probability: Decimal | None,
             depletion_threshold: Decimal) -> list[Alert]:
    """The alerts that fire: the reserve below the art. 8 target (strictly below: a reserve exactly
    at its target is at target), and the stochastic probability of depletion above its threshold
    (strictly above). A reserve short of target drafts a rate revision (art. 8) and, below half
    its target, an art. 9 transfer request as well; a depletion probability drafts a rate revision."""
    out: list[Alert] = []
    if ratio_months is not None and ratio_months < target_months:
        out.append(Alert("reserve_below_target", ratio_months, target_months,
                         f"La reserva cubre {ratio_months:.2f} meses de prestaciones, por debajo de la meta de "
                         f"{target_months} meses (art. 8)", "rate_revision"))
        if ratio_months < target_months / 2:
            out.append(Alert("reserve_below_target", ratio_months, target_months,
                             "La reserva está por debajo de la mitad de su meta: se propone solicitar el aporte "
                             "no contributivo (art. 9)", "transfer_request"))
    if depletion_probability is not None and depletion_probability > depletion_threshold:
        out.append(Alert("depletion_probability", depletion_probability, depletion_threshold,
                         f"Probabilidad de agotamiento de la reserva {depletion_probability:.2%} por encima del "
                         f"umbral {depletion_threshold:.2%} (arts. 8 y 10)", "rate_revision"))
    return out


# ----------------------------------------------------------------------------------------- study


def next_study_due(last_study_year: int | None, first_year: int) -> dt.date:
    """Art. 10: a study every two years — due at the end of the second year after the last one
    (or of the fund's first full year, when none was done)."""
    if last_study_year is None:
        return dt.date(first_year + 1, 12, 31)
    return dt.date(last_study_year + STUDY_INTERVAL_YEARS, 12, 31)


def account_label(code: str) -> str:
    return ACCOUNTS[code].label


# ------------------------------------------------------------------------------------------ ports


@dataclass(frozen=True)
class ExperienceData:
    """What the art. 10 study reads from the books for one year (raw counts and sums in céntimos);
    :func:`seguro_desempleo.services.governance.experience_figures` turns it into the figures.

    ``by_sex`` and ``by_sector`` map a group to ``covered_workers``, ``worker_months`` and
    ``insurable_pay``; ``claims`` are the claims filed in the year as (claim id, worker ref, state);
    ``payments`` the benefits paid for its months as (claim id, amount, worker ref); ``sex_of`` the
    sex of each worker a claim or payment refers to (worker id as text); ``flows`` each account's
    (debit, credit) in the year, the year-close entry left out."""

    total: tuple[int, int, int]                     # covered workers, worker-months, insurable pay
    by_sex: Mapping[str, Mapping[str, int]]
    by_sector: Mapping[str, Mapping[str, int]]
    declared: Mapping[str, int]                     # contributions declared, by sector
    collected: Mapping[str, int]                    # contributions paid, by sector
    claims: tuple[tuple[Any, str, str], ...]
    payments: tuple[tuple[Any, int, str], ...]
    sex_of: Mapping[str, str]
    flows: Mapping[str, tuple[int, int]]
    declared_total: tuple[int, int, int] = (0, 0, 0)  # every declared month (``total``: as the law counts them)


@runtime_checkable
class GovernanceRepository(Protocol):
    """The port :mod:`seguro_desempleo.services.governance` works through (``uow.governance``):
    the governance records of one transaction. Records come back as plain read-only objects with
    the table's columns as attributes; a write the database refuses raises
    :class:`~seguro_desempleo.errors.ConflictError`. Implemented by
    :class:`seguro_desempleo.storage.governance_repository.SqlGovernanceRepository`."""

    # instruments (append-only)
    def instruments(self) -> list[Any]: ...
    def instrument(self, instrument_id: int) -> Any | None: ...
    def instrument_for_proposal(self, proposal_id: int) -> Any | None: ...
    def instrument_exists(self, type: str, number: str) -> bool: ...
    def add_instrument(self, **columns: Any) -> int: ...

    # the board
    def add_proposal(self, **columns: Any) -> int: ...
    def proposal(self, proposal_id: int, *, lock: bool = False) -> Any | None: ...
    def proposals(self) -> list[Any]: ...
    def close_proposal(self, proposal_id: int, *, status: str, outcome: str, decided_on: dt.date) -> None: ...
    def has_voted(self, proposal_id: int, member: str) -> bool: ...
    def votes_in_sector(self, proposal_id: int, sector: str) -> int: ...
    def add_vote(self, **columns: Any) -> int: ...
    def votes(self, proposal_id: int) -> list[Any]: ...
    def vote_choices(self, proposal_id: int) -> list[tuple[str, str]]: ...

    # alerts
    def alert_raised(self, kind: str, on: dt.date) -> bool: ...
    def add_alert(self, **columns: Any) -> int: ...
    def alerts(self, limit: int) -> list[Any]: ...

    # the art. 10 studies
    def add_study(self, **columns: Any) -> int: ...
    def studies(self, limit: int) -> list[Any]: ...
    def previous_study_year(self, year: int) -> int | None: ...
    def latest_study_year(self) -> int | None: ...
    def last_study_year(self) -> int | None: ...
    def study_assumptions(self, year: int) -> str | None: ...
    def first_declared_period(self) -> int | None: ...
    def experience_data(self, year: int, *, year_close_event: str, params: Any = None) -> ExperienceData: ...

    # the books and the audit log
    def period_totals(self, start: dt.date, end: dt.date, *, exclude_event: str) -> dict[str, tuple[int, int]]: ...
    def audit(self, actor: str, action: str, entity: str, before: Any, after: Any) -> None: ...
