"""Peruvian business days: holidays by year, Easter, and properties of the day arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.calendar import (
    BusinessCalendar,
    add_business_days,
    business_days_between,
    easter_sunday,
    holidays,
    is_business_day,
)
from seguro_desempleo.errors import InputError

dates = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2060, 12, 31))


@pytest.mark.parametrize(("year", "easter"), [
    (2000, dt.date(2000, 4, 23)), (2019, dt.date(2019, 4, 21)), (2023, dt.date(2023, 4, 9)),
    (2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5)),
    (2038, dt.date(2038, 4, 25)), (2285, dt.date(2285, 3, 22)),
])
def test_easter_known_years(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


def test_2025_has_sixteen_national_holidays() -> None:
    h = holidays(2025)
    assert len(h) == 16
    assert h[dt.date(2025, 4, 17)] == "Jueves Santo"
    assert h[dt.date(2025, 4, 18)] == "Viernes Santo"
    assert dt.date(2025, 7, 23) in h and dt.date(2025, 6, 7) in h


def test_holidays_apply_from_the_year_of_their_law() -> None:
    assert dt.date(2021, 8, 6) not in holidays(2021)       # Ley 31530 (2022)
    assert dt.date(2022, 8, 6) in holidays(2022)
    assert dt.date(2022, 6, 7) not in holidays(2022)       # Ley 31788 (2023)
    assert dt.date(2023, 6, 7) in holidays(2023)
    assert dt.date(2021, 12, 9) not in holidays(2021)      # Ley 31381
    assert len(holidays(2020)) == 12


def test_fiestas_patrias_week_2025() -> None:
    # Mon 21 Jul 2025 + 5: Tue 22, (Wed 23 FAP), Thu 24, Fri 25, (Mon 28, Tue 29), Wed 30, Thu 31
    assert add_business_days(dt.date(2025, 7, 21), 5) == dt.date(2025, 7, 31)
    assert business_days_between(dt.date(2025, 7, 21), dt.date(2025, 7, 31)) == 5


def test_fifteen_days_over_holy_week_2025() -> None:
    # notified Mon 07/04/2025; Holy Thursday/Friday 17–18 April skipped
    assert add_business_days(dt.date(2025, 4, 7), 15) == dt.date(2025, 4, 30)


def test_extra_closed_days() -> None:
    cal = BusinessCalendar.with_closed([dt.date(2024, 7, 26)])
    assert not cal.is_business_day(dt.date(2024, 7, 26))
    assert is_business_day(dt.date(2024, 7, 26))
    assert cal.next_business_day(dt.date(2024, 7, 26)) == dt.date(2024, 7, 30)


def test_negative_count_refused() -> None:
    with pytest.raises(InputError, match="business days"):
        add_business_days(dt.date(2025, 1, 1), -1)


@settings(deadline=None)
@given(dates, st.integers(0, 400))
def test_add_then_count_round_trips(start: dt.date, n: int) -> None:
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n
    assert n == 0 or is_business_day(end)


@settings(deadline=None)
@given(dates, st.integers(1, 60))
def test_result_is_a_business_day_and_monotone(start: dt.date, n: int) -> None:
    a = add_business_days(start, n)
    b = add_business_days(start, n + 1)
    assert start < a < b
    assert a.weekday() < 5 and a not in holidays(a.year)


@settings(deadline=None)
@given(dates, dates)
def test_between_is_antisymmetric_and_bounded(a: dt.date, b: dt.date) -> None:
    d = business_days_between(a, b)
    assert d == -business_days_between(b, a)
    assert abs(d) <= abs((b - a).days)


@settings(deadline=None)
@given(dates, dates, dates)
def test_between_is_additive(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert business_days_between(a, c) == business_days_between(a, b) + business_days_between(b, c)


@settings(deadline=None)
@given(st.integers(1991, 2100))
def test_holy_week_is_thursday_friday_in_march_april(year: int) -> None:
    h = holidays(year)
    holy = [d for d, name in h.items() if name in ("Jueves Santo", "Viernes Santo")]
    assert [d.weekday() for d in holy] == [3, 4]
    assert all(d.month in (3, 4) for d in holy)
