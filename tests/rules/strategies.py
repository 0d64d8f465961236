"""Hypothesis strategies for claim cases (valid by construction)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from seguro_desempleo.periods import period_of
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth

CAUSES = ["01", "02", "03", "04", "05", "07", "08", "15"]
SIZES = ["micro", "small", "medium", "large"]
CONTRACTS = ["01", "02", "03", "07", "09", "11", "12"]


@st.composite
def claim_cases(draw: st.DrawFn, *, case_id: str = "p") -> ClaimCase:
    sep = draw(st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 10, 31)))
    claim = sep + dt.timedelta(days=draw(st.integers(0, 60)))
    sep_month = period_of(sep)
    months = draw(st.lists(st.integers(0, 29), unique=True, max_size=30))
    contributions = tuple(
        ContributionMonth(sep_month - back, draw(st.integers(0, 2_000_000)), draw(st.booleans()))
        for back in months
    )
    reemp = None
    if draw(st.booleans()):
        reemp = sep + dt.timedelta(days=draw(st.integers(1, 40)))
    return ClaimCase(
        id=case_id, separation_date=sep, claim_date=claim,
        termination_cause=draw(st.sampled_from(CAUSES)), employer_size=draw(st.sampled_from(SIZES)),
        registered_with_employment_service=draw(st.booleans()), contributions=contributions,
        contract_type=draw(st.sampled_from(CONTRACTS)), sector=draw(st.sampled_from(["private", "public"])),
        reemployment_date=reemp,
    )
