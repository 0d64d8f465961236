"""The vectorised RUC check agrees with python-stdnum on every kind of input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.pe import ruc as stdnum_ruc

from seguro_desempleo.domain.registry import ruc_valid_mask
from tests.payroll.helpers import make_ruc

digits = st.text(alphabet="0123456789", min_size=0, max_size=13)
near_valid = st.builds(lambda n, p: make_ruc(n, p), st.integers(0, 99_999_999),
                       st.sampled_from(["10", "15", "16", "17", "20", "30"]))
mutated = st.builds(lambda r, i, d: r[:i] + d + r[i + 1:], near_valid, st.integers(0, 10),
                    st.sampled_from("0123456789"))


@settings(deadline=None)
@given(st.lists(st.one_of(digits, near_valid, mutated, st.text(max_size=12)), min_size=1, max_size=50))
def test_ruc_mask_matches_stdnum(rucs: list[str]) -> None:
    expected = [stdnum_ruc.is_valid(r) and r == stdnum_ruc.compact(r) for r in rucs]
    assert ruc_valid_mask(rucs).tolist() == expected


def test_ruc_mask_edge_cases() -> None:
    assert ruc_valid_mask([]).tolist() == []
    assert ruc_valid_mask(["٢٠١٠٠٠٧٠٩٧٠", "20100070970 ", " 20100070970", "20100070970"]).tolist() == [
        False, False, False, True]
