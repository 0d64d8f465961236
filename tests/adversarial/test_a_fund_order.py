"""Issue 25, part A — properties of the fund's order of payment (pure, Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seguro_desempleo.claims.service import fund_cut, payment_order

item = st.tuples(st.integers(24_300, 24_400), st.integers(1, 2_000_000), st.integers(1, 5),
                 st.integers(0, 500_000))


@given(st.lists(item, max_size=40, unique_by=lambda t: (t[1], t[2])), st.integers(-10**6, 10**8))
def test_a_run_never_pays_more_than_the_cash_and_pays_a_prefix_of_the_order(raw, available) -> None:  # type: ignore[no-untyped-def]
    items = [(payment_order(period, f"C-{claim:06d}", n), f"C-{claim:06d}#{n}", amount)
             for period, claim, n, amount in raw]
    paid, left = fund_cut(items, available)
    amounts = {k: a for _, k, a in items}
    assert sum(amounts[k] for k in paid) <= max(0, available)
    ordered = [k for _, k, _ in sorted(items)]
    assert ordered == [k for k in ordered if k in paid] + left          # paid first, then the rest, in order
    if sum(amounts.values()) <= max(0, available):
        assert not left
    if left:                                                              # the first left out did not fit
        cash_left = max(0, available) - sum(amounts[k] for k in paid)
        assert amounts[left[0]] > cash_left


def test_no_limit_known_pays_everything() -> None:
    items = [(payment_order(24_300, "C-000001", 1), "C-000001#1", 10)]
    assert fund_cut(items, None) == ({"C-000001#1"}, [])


def test_the_oldest_month_first_then_the_claim_filed_first() -> None:
    keys = [("C-000002", 24_301, 1), ("C-000001", 24_302, 2), ("C-1000000", 24_301, 1), ("C-000001", 24_301, 1)]
    items = [(payment_order(p, c, n), f"{c}#{n}", 1) for c, p, n in keys]
    _, left = fund_cut(items, 0)
    assert left == ["C-000001#1", "C-000002#1", "C-1000000#1", "C-000001#2"]
