"""``payroll pay``, ``arrears`` and ``history`` end to end: the tester's reproductions (SQLite)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from seguro_desempleo.cli import main
from tests.payroll.helpers import dni, make_ruc, write_rem

RUC = make_ruc(61)
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("SEGURO_DB_URL", f"sqlite:///{tmp_path / 'q.sqlite3'}")
    capsys.readouterr()

    def cli(*args: str) -> tuple[int, str, str]:
        rc = main(list(args))
        out = capsys.readouterr()
        return rc, out.out, out.err

    assert cli("db", "init")[0] == 0
    return cli


def _declare(run: Cli, tmp_path: Path, name: str, pay: str) -> None:
    d = tmp_path / name
    d.mkdir()
    f = write_rem(d, RUC, "2025-03", [("01", dni(1), "0121", pay, pay)])
    rc, out, _ = run("payroll", "import", str(f), "--as-of", "2025-06-01")
    assert rc == 0, out


def _balances(run: Cli) -> dict[str, str]:
    rc, out, _ = run("ledger", "balance", "--format", "json")
    assert rc == 0
    return {a["account"]: a["balance"] for a in json.loads(out)}


def _arrears(run: Cli, *args: str) -> list[dict[str, object]]:
    rc, out, err = run("payroll", "arrears", "--format", "json", *args)
    assert rc == 0, err
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def test_arrears_at_a_date_does_not_count_later_payments(run: Cli, tmp_path: Path) -> None:
    _declare(run, tmp_path, "a", "5000")
    (row,) = _arrears(run, "--at", "2025-05-31")
    assert (row["outstanding"], row["interest"]) == ("58.00", "1.04")
    assert run("payroll", "pay", "--ruc", RUC, "--period", "2025-03", "--amount", "58.00",
               "--date", "2025-06-30")[0] == 0
    (row,) = _arrears(run, "--at", "2025-05-31")
    assert (row["outstanding"], row["interest"]) == ("58.00", "1.04")


def test_a_late_month_paid_without_interest_still_owes_it(run: Cli, tmp_path: Path) -> None:
    _declare(run, tmp_path, "a", "5000")
    rc, out, _ = run("payroll", "pay", "--ruc", RUC, "--period", "2025-03", "--amount", "58.00",
                     "--date", "2025-06-30")
    assert rc == 0 and "interest owed S/ 1.57" in out
    (row,) = _arrears(run, "--at", "2025-07-31")
    assert (row["outstanding"], row["months_late"], row["interest"]) == ("0.00", 3, "1.57")
    rc, out, _ = run("payroll", "arrears", "--at", "2025-07-31")
    assert "paid 3 month(s) late, interest S/ 1.57" in out
    b = _balances(run)
    assert (b["1230"], b["4200"]) == ("1.57", "1.57")
    assert run("payroll", "pay", "--ruc", RUC, "--period", "2025-03", "--amount", "0", "--interest", "1.57",
               "--date", "2025-07-31")[0] == 0
    assert _arrears(run, "--at", "2025-07-31") == []
    b = _balances(run)
    assert (b["1010"], b["1230"], b["4200"]) == ("59.57", "0.00", "1.57")


def test_rectifications_after_payments(run: Cli, tmp_path: Path) -> None:
    """The tester's steps, with nothing between the imports and the payments (the import does not
    reconcile yet): each payment first brings the month's books in line."""
    pay = ("payroll", "pay", "--ruc", RUC, "--period", "2025-03")
    _declare(run, tmp_path, "a", "5000")                                   # 58.00
    assert run(*pay, "--amount", "58.00", "--date", "2025-04-10")[0] == 0
    _declare(run, tmp_path, "b", "1130")                                   # 13.11
    rc, out, _ = run(*pay, "--amount", "1.00", "--date", "2025-05-10")
    assert rc == 0 and "applied S/ 0.00, unapplied S/ 1.00" in out
    b = _balances(run)
    assert (b["1210"], b["1220"], b["2300"]) == ("0.00", "0.00", "45.89")  # 44.89 overpaid + 1.00
    _declare(run, tmp_path, "c", "6000")                                   # 69.60
    (row,) = _arrears(run, "--at", "2025-06-01")
    assert row["outstanding"] == "10.60"
    assert run(*pay, "--amount", "10.60", "--date", "2025-06-10")[0] == 0
    b = _balances(run)
    assert (b["1010"], b["1210"], b["1220"], b["2300"]) == ("69.60", "0.00", "0.00", "0.00")
    assert b["1230"] == b["4200"] == "0.20"          # 1.00 one month late, 10.60 two months late
    assert run("ledger", "verify")[0] == 0


def test_pay_refuses_dates_in_the_future_or_before_the_month(run: Cli, tmp_path: Path) -> None:
    _declare(run, tmp_path, "a", "5000")
    pay = ("payroll", "pay", "--ruc", RUC, "--period", "2025-03", "--amount", "1.00", "--date")
    for date, reason in (("2031-01-01", "in the future"), ("2020-01-01", "before the month it pays"),
                         ("2025-02-28", "before the month it pays")):
        rc, _, err = run(*pay, date)
        assert rc == 2 and f"field '--date': payment date {date} is {reason}" in err
        assert err.count("\n") == 1
    assert run(*pay, "2025-03-01")[0] == 0                                 # an advance, within the month
    assert _balances(run)["1010"] == "1.00"


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_arrears_refuses_a_limit_below_one(run: Cli, tmp_path: Path, limit: str) -> None:
    _declare(run, tmp_path, "a", "5000")
    rc, out, err = run("payroll", "arrears", "--at", "2025-06-01", "--limit", limit)
    assert rc == 2 and out == "" and f"field '--limit': must be at least 1, got {limit}" in err
    assert len(_arrears(run, "--at", "2025-06-01", "--limit", "1")) == 1


def test_history_refuses_from_after_to(run: Cli, tmp_path: Path) -> None:
    _declare(run, tmp_path, "a", "5000")
    rc, out, err = run("payroll", "history", "--doc-type", "01", "--doc-number", dni(1), "--from", "2025-06",
                       "--to", "2025-01")
    assert rc == 2 and out == "" and "field '--from': 2025-06 is after --to 2025-01" in err
    rc, out, _ = run("payroll", "history", "--doc-type", "01", "--doc-number", dni(1), "--from", "2025-03",
                     "--to", "2025-03")
    assert rc == 0 and "2025-03" in out


def test_reconcile_catches_up_a_database_written_before_imports_reconciled(
        run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A month paid, then rectified down by an import that did not reconcile (as before 3
    December 2026): its receivables are negative until ``payroll reconcile`` moves the overpayment
    to 2300 — once; a second run posts nothing."""
    from seguro_desempleo.services import employer_payments

    _declare(run, tmp_path, "a", "5000")
    assert run("payroll", "pay", "--ruc", RUC, "--period", "2025-03", "--amount", "58.00",
               "--date", "2025-04-10")[0] == 0
    with monkeypatch.context() as m:
        m.setattr(employer_payments, "reconcile_months", lambda *a, **k: 0)
        _declare(run, tmp_path, "b", "1130")  # 13.11 due now; 44.89 paid too much
    lagging = _balances(run)
    assert lagging["1210"].startswith("-") and lagging["2300"] == "0.00"
    rc, out, _ = run("payroll", "reconcile", "--at", "2025-06-01")
    assert rc == 0 and "1 month(s) corrected" in out
    fixed = _balances(run)
    assert (fixed["1210"], fixed["1220"], fixed["2300"]) == ("0.00", "0.00", "44.89")
    rc, out, _ = run("payroll", "reconcile")
    assert rc == 0 and "nothing posted" in out and _balances(run) == fixed
