"""The fund's double-entry ledger: chart of accounts, balanced entries, replay.

Amounts are integer céntimos. An entry is a list of lines ``(account, debit, credit)`` whose
debits equal its credits; entries are append-only (a correction is a new entry, never an edit).
The balance of an account is ``debits − credits`` for asset and expense accounts and
``credits − debits`` for liability, reserve and income accounts (its normal side).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from seguro_desempleo.errors import InputError

DEBIT_NORMAL = ("asset", "expense")
CREDIT_NORMAL = ("liability", "reserve", "income")


@dataclass(frozen=True)
class Account:
    code: str
    name: str          # English
    label: str         # Spanish
    kind: str          # asset | liability | reserve | income | expense

    @property
    def normal_side(self) -> str:
        return "debit" if self.kind in DEBIT_NORMAL else "credit"


CHART: tuple[Account, ...] = (
    Account("1010", "Bank: fund's operating account", "Caja y bancos del fondo", "asset"),
    Account("1100", "Investments of the fund", "Inversiones del fondo", "asset"),
    Account("1210", "Contributions receivable: employer part", "Aportes por cobrar: parte del empleador", "asset"),
    Account("1220", "Contributions receivable: part deducted from CTS", "Aportes por cobrar: parte deducida de la CTS",
            "asset"),
    Account("1230", "Interest receivable on arrears", "Intereses moratorios por cobrar", "asset"),
    Account("1240", "Benefit overpayments receivable", "Prestaciones pagadas en exceso por recuperar", "asset"),
    Account("1300", "Non-contributory transfer receivable (art. 9)",
            "Transferencia no contributiva por cobrar (art. 9)", "asset"),
    Account("2100", "Benefits payable", "Prestaciones por pagar", "liability"),
    Account("2200", "Administrative costs payable", "Gastos administrativos por pagar", "liability"),
    Account("2300", "Contributions received in advance or unapplied", "Aportes recibidos por aplicar", "liability"),
    Account("3100", "Reserve of the fund", "Reserva del fondo", "reserve"),
    Account("3900", "Accumulated result", "Resultado acumulado", "reserve"),
    Account("4100", "Contribution income: employer part (art. 8)", "Ingreso por aportes del empleador (art. 8)",
            "income"),
    Account("4110", "Contribution income: part deducted from CTS (art. 8)",
            "Ingreso por aportes deducidos de la CTS (art. 8)", "income"),
    Account("4200", "Interest on arrears", "Intereses moratorios", "income"),
    Account("4300", "Investment income", "Rentabilidad de las inversiones", "income"),
    Account("4400", "Non-contributory transfer from the Treasury (art. 9)",
            "Transferencia no contributiva del Tesoro (art. 9)", "income"),
    Account("5100", "Benefits expense", "Gasto en prestaciones", "expense"),
    Account("5200", "Administrative costs", "Gastos administrativos", "expense"),
    Account("5300", "Transfer to the reserve", "Dotación a la reserva", "expense"),
)
ACCOUNTS: Mapping[str, Account] = {a.code: a for a in CHART}


class Accounts:
    """Account codes by name, for posting code that reads like the books."""

    BANK = "1010"
    INVESTMENTS = "1100"
    RECEIVABLE_EMPLOYER = "1210"
    RECEIVABLE_CTS = "1220"
    INTEREST_RECEIVABLE = "1230"
    OVERPAYMENT_RECEIVABLE = "1240"
    TRANSFER_RECEIVABLE = "1300"
    BENEFITS_PAYABLE = "2100"
    ADMIN_PAYABLE = "2200"
    UNAPPLIED_RECEIPTS = "2300"
    RESERVE = "3100"
    ACCUMULATED_RESULT = "3900"
    CONTRIBUTION_INCOME_EMPLOYER = "4100"
    CONTRIBUTION_INCOME_CTS = "4110"
    ARREARS_INTEREST_INCOME = "4200"
    INVESTMENT_INCOME = "4300"
    TRANSFER_INCOME = "4400"
    BENEFITS_EXPENSE = "5100"
    ADMIN_EXPENSE = "5200"
    RESERVE_ALLOCATION = "5300"


Line = tuple[str, int, int]
"""(account code, debit céntimos, credit céntimos)."""


@dataclass(frozen=True)
class Entry:
    event_type: str
    lines: tuple[Line, ...]
    ref: str | None = None
    at: dt.date | None = None
    id: int | None = None


def check_lines(lines: Iterable[Sequence[object]]) -> tuple[Line, ...]:
    """Validate the lines of an entry: known accounts, whole non-negative céntimos, one side each, balanced."""
    out: list[Line] = []
    for i, raw in enumerate(lines, 1):
        if len(raw) != 3:
            raise InputError("a ledger line is (account, debit, credit)", field=f"lines[{i}]")
        account, debit, credit = raw
        if not isinstance(account, str) or account not in ACCOUNTS:
            raise InputError(f"unknown account '{account}'", field=f"lines[{i}].account")
        for name, v in (("debit", debit), ("credit", credit)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise InputError(f"{name} must be whole céntimos (int), got {type(v).__name__}",
                                 field=f"lines[{i}].{name}")
            if v < 0:
                raise InputError(f"{name} cannot be negative", field=f"lines[{i}].{name}")
        assert isinstance(debit, int) and isinstance(credit, int)
        if debit and credit:
            raise InputError("a line is either a debit or a credit", field=f"lines[{i}]")
        if debit == 0 and credit == 0:
            continue
        out.append((account, debit, credit))
    if not out:
        raise InputError("an entry needs at least one non-zero line", field="lines")
    debits = sum(d for _, d, _ in out)
    credits = sum(c for _, _, c in out)
    if debits != credits:
        raise InputError(f"entry does not balance: debits {debits} ≠ credits {credits} céntimos", field="lines")
    return tuple(out)


def signed_line(account: str, amount: int) -> Line:
    """A line for a signed amount on the account's normal side (negative: the other side)."""
    acc = ACCOUNTS[account]
    if (amount >= 0) == (acc.normal_side == "debit"):
        return (account, abs(amount), 0)
    return (account, 0, abs(amount))


def balance_of(account: str, debit_total: int, credit_total: int) -> int:
    """Balance on the account's normal side."""
    if ACCOUNTS[account].normal_side == "debit":
        return debit_total - credit_total
    return credit_total - debit_total


def replay(entries: Iterable[Iterable[Line]]) -> dict[str, tuple[int, int]]:
    """Rebuild (debit total, credit total) per account from the entries, in order."""
    totals: dict[str, tuple[int, int]] = {}
    for lines in entries:
        for account, debit, credit in lines:
            d, c = totals.get(account, (0, 0))
            totals[account] = (d + debit, c + credit)
    return totals
