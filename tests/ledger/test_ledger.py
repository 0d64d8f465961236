"""The fund's ledger: balanced, append-only entries; replay rebuilds the balances."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seguro_desempleo.services.ledger as ledger
from seguro_desempleo.domain.ledger import ACCOUNTS, Accounts, balance_of, check_lines, replay, signed_line
from seguro_desempleo.errors import InputError
from seguro_desempleo.storage.uow import SqlUnitOfWork

CODES = sorted(ACCOUNTS)


@st.composite
def balanced_lines(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """A random balanced entry: some debits, then credits that add up to the same total."""
    debits = draw(st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 10**11)), min_size=1, max_size=4))
    total = sum(a for _, a in debits)
    n_credit = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n_credit - 1, max_size=n_credit - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    credits = [(draw(st.sampled_from(CODES)), p) for p in parts]
    return [(a, d, 0) for a, d in debits] + [(a, 0, c) for a, c in credits]


@settings(deadline=None)
@given(st.lists(balanced_lines(), min_size=1, max_size=8))
def test_domain_replay_always_balances(entries: list[list[tuple[str, int, int]]]) -> None:
    checked = [check_lines(e) for e in entries]
    totals = replay(checked)
    assert sum(d for d, _ in totals.values()) == sum(c for _, c in totals.values())
    # The accounting equation on normal-side balances: debit-normal = credit-normal.
    debit_side = sum(balance_of(a, d, c) for a, (d, c) in totals.items() if ACCOUNTS[a].normal_side == "debit")
    credit_side = sum(balance_of(a, d, c) for a, (d, c) in totals.items() if ACCOUNTS[a].normal_side == "credit")
    assert debit_side == credit_side


@pytest.mark.parametrize("lines, field", [
    ([("1010", 100, 0), ("4300", 0, 99)], "lines"),
    ([("9999", 100, 0), ("4300", 0, 100)], "lines[1].account"),
    ([("1010", 1.5, 0), ("4300", 0, 1.5)], "lines[1].debit"),
    ([("1010", -1, 0), ("4300", 0, -1)], "lines[1].debit"),
    ([("1010", 5, 5)], "lines[1]"),
    ([("1010", 0, 0)], "lines"),
])
def test_unbalanced_or_malformed_entries_are_refused(lines: list[tuple[str, object, object]], field: str) -> None:
    with pytest.raises(InputError) as exc:
        check_lines(lines)
    assert exc.value.field == field


def test_signed_line_puts_negatives_on_the_other_side() -> None:
    assert signed_line(Accounts.RECEIVABLE_EMPLOYER, 500) == ("1210", 500, 0)
    assert signed_line(Accounts.RECEIVABLE_EMPLOYER, -500) == ("1210", 0, 500)
    assert signed_line(Accounts.CONTRIBUTION_INCOME_EMPLOYER, 500) == ("4100", 0, 500)


def test_post_balances_and_trial_balance(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        ledger.post(uow, "contribution.declared", [(Accounts.RECEIVABLE_EMPLOYER, 5800, 0),
                                                   (Accounts.RECEIVABLE_CTS, 5800, 0),
                                                   (Accounts.CONTRIBUTION_INCOME_EMPLOYER, 0, 5800),
                                                   (Accounts.CONTRIBUTION_INCOME_CTS, 0, 5800)],
                    ref="declaration:1", at=dt.date(2025, 2, 1))
        ledger.post(uow, "employer.payment", [(Accounts.BANK, 11600, 0), (Accounts.RECEIVABLE_EMPLOYER, 0, 5800),
                                              (Accounts.RECEIVABLE_CTS, 0, 5800)], at=dt.date(2025, 3, 10))
        ledger.post(uow, "treasury.transfer", [(Accounts.BANK, 1_000_000, 0), (Accounts.TRANSFER_INCOME, 0, 1_000_000)],
                    at=dt.date(2025, 3, 31))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        bal = {b.code: b.balance for b in ledger.balances(uow)}
        assert bal["1010"] == 1_011_600
        assert bal["1210"] == 0
        assert bal["4100"] == 5800
        assert bal["4400"] == 1_000_000
        tb = ledger.trial_balance(uow)
        assert tb.balanced and tb.total_debit == 1_023_200
        early = {b.code: b.balance for b in ledger.balances(uow, until=dt.date(2025, 2, 28))}
        assert early["1210"] == 5800 and early["1010"] == 0
        assert ledger.verify(uow)["1010"] == (1_011_600, 0)


def test_refused_entry_writes_nothing(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        with pytest.raises(InputError):
            ledger.post(uow, "bad", [("1010", 100, 0), ("4300", 0, 90)])
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from ledger_entry")).scalar() == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(balanced_lines(), min_size=1, max_size=6))
def test_db_ledger_always_balances_and_replay_rebuilds(engine: sa.Engine,
                                                       entries: list[list[tuple[str, int, int]]]) -> None:
    with SqlUnitOfWork(engine) as uow:
        before = uow.ledger.totals()
        for e in entries:
            ledger.post(uow, "random", e)
        tb = ledger.trial_balance(uow)
        assert tb.balanced
        rebuilt = ledger.verify(uow)
        expected = replay([[(a, d, c) for a, (d, c) in before.items() if (d, c) != (0, 0)],
                           *[check_lines(e) for e in entries]])
        assert rebuilt == {k: v for k, v in expected.items() if v != (0, 0)}
        uow.commit()


def test_post_once_is_idempotent(engine: sa.Engine) -> None:
    lines = [(Accounts.BENEFITS_EXPENSE, 150_000, 0), (Accounts.BANK, 0, 150_000)]
    with SqlUnitOfWork(engine) as uow:
        first = ledger.post_once(uow, "benefit_payment:C1:2025-07", "benefit.paid", lines, ref="claim:C1")
        assert first is not None
        assert ledger.post_once(uow, "benefit_payment:C1:2025-07", "benefit.paid", lines) is None
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert ledger.post_once(uow, "benefit_payment:C1:2025-07", "benefit.paid", lines) is None
        bal = {b.code: b.balance for b in ledger.balances(uow)}
        assert bal["5100"] == 150_000 and bal["1010"] == -150_000


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(balanced_lines(), min_size=1, max_size=20))
def test_post_many_is_post_in_bulk(engine: sa.Engine, batch: list[list[tuple[str, int, int]]]) -> None:
    """Many entries posted at once leave the same entries, lines and maintained totals as posting
    them one by one; one bad entry refuses the whole batch before anything is written."""
    with SqlUnitOfWork(engine) as uow:
        before = ledger.verify(uow)
        first = len(uow.ledger.entries())
        ids = ledger.post_many(uow, "test.bulk", [(lines, f"bulk:{k}") for k, lines in enumerate(batch)],
                               at=dt.date(2025, 5, 1))
        assert len(ids) == len(batch) and ids == sorted(ids)
        got = uow.ledger.entries()[first:]
        assert [(e[0], e[2], sorted(e[4])) for e in got] == [
            (i, f"bulk:{k}", sorted((a, d, c) for a, d, c in lines if d or c))
            for k, (i, lines) in enumerate(zip(ids, batch, strict=True))]
        after = ledger.verify(uow)  # the maintained totals are the replay of the lines
        assert {k: v for k, v in replay(batch).items() if v != (0, 0)} == {
            k: (after.get(k, (0, 0))[0] - before.get(k, (0, 0))[0], after.get(k, (0, 0))[1] - before.get(k, (0, 0))[1])
            for k in set(after) | set(before)
            if after.get(k, (0, 0)) != before.get(k, (0, 0))}
        with pytest.raises(InputError):
            ledger.post_many(uow, "test.bulk", [(batch[0], "ok"), ([(Accounts.BANK, 5, 0)], "unbalanced")])
        assert len(uow.ledger.entries()) == first + len(batch)
        uow.rollback()
