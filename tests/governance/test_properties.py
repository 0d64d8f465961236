"""Properties of the instruments and of the yearly close (Hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.domain import governance as gd
from seguro_desempleo.domain.ledger import CHART, check_lines
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.parameters.model import Instrument

PS = default_parameters()
NAME = "requirements.waiting_period_days"
dates = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2035, 12, 31))


@settings(max_examples=60, deadline=None)
@given(effective=dates, probe=dates, days=st.integers(min_value=7, max_value=30))
def test_an_instrument_changes_nothing_before_its_date_and_everything_after(effective: dt.date, probe: dt.date,
                                                                         days: int) -> None:
    ps = PS.with_instruments([Instrument("decreto_supremo", "1", effective, effective, {NAME: str(days)})])
    expected = days if probe >= effective else PS.at(probe)[NAME]
    assert ps.at(probe)[NAME] == expected
    # every other parameter is untouched
    assert all(ps[n].values == PS[n].values for n in PS.names() if n != NAME)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([a.code for a in CHART if a.kind in ("income", "expense")]),
                       st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)), min_size=1))
def test_the_yearly_close_balances_and_empties_income_and_expense(totals: dict[str, tuple[int, int]]) -> None:
    lines = gd.closing_lines(totals, result_account="3900", reserve_account="3100", appropriate=True)
    if not lines:
        return
    check_lines(lines)                                   # balanced, one side a line, whole céntimos
    after = dict(totals)
    for a, d, c in lines:
        pd, pc = after.get(a, (0, 0))
        after[a] = (pd + d, pc + c)
    assert all(after[a][0] == after[a][1] for a in totals)
    result = sum(c - d for a, (d, c) in totals.items())
    reserve = after.get("3100", (0, 0))
    assert reserve[1] - reserve[0] == max(result, 0)
