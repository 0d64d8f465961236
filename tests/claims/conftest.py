"""Shared fixtures for the claims tests: a worker with a full contribution history."""

from __future__ import annotations

import datetime as dt

import pytest

from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import month_index
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth


@pytest.fixture(scope="session")
def params() -> ParameterSet:
    return default_parameters()


def make_case(claim_id: str = "C-1", *, separation: dt.date = dt.date(2025, 3, 10),
              claim: dt.date = dt.date(2025, 4, 20), cause: str = "03", months: int = 26,
              pay: int = 300000, registered: bool = True) -> ClaimCase:
    first = month_index(separation.year, separation.month) - months
    return ClaimCase(claim_id, separation, claim, cause, "large", registered,
                     tuple(ContributionMonth(first + k, pay) for k in range(months)))
