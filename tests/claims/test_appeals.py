"""Appeals under Ley 27444: 15 business days to file, 30 to resolve, the deadline clock."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.appeals import (
    AppealKind,
    AppealOutcome,
    clock,
    file_appeal,
    filing_deadline,
    parse_kind,
    resolve_appeal,
)
from seguro_desempleo.claims.calendar import business_days_between
from seguro_desempleo.errors import ConflictError, InputError


def test_deadline_skips_holy_week() -> None:
    assert filing_deadline(dt.date(2025, 4, 7)) == dt.date(2025, 4, 30)


def test_in_time_appeal_has_a_resolution_date_30_business_days_later() -> None:
    a = file_appeal("A-1", "C-1", AppealKind.APPEAL, notified_on=dt.date(2025, 4, 7),
                    filed_on=dt.date(2025, 4, 30))
    assert a.filing_deadline == dt.date(2025, 4, 30)
    assert business_days_between(a.filed_on, a.resolution_due) == 30
    # 2 May = 1; 5–9 May = 6; … 2–6 June = 26; 9–12 June = 30 (1 May skipped, 7 June a Saturday)
    assert a.resolution_due == dt.date(2025, 6, 12)
    c = a.clock(dt.date(2025, 6, 10))
    assert (c.days_left, c.overdue) == (2, False)
    assert "12/06/2025" in c.one_line()


def test_late_appeal_is_refused_in_one_line() -> None:
    with pytest.raises(InputError) as e:
        file_appeal("A-2", "C-1", AppealKind.RECONSIDERATION, notified_on=dt.date(2025, 4, 7),
                    filed_on=dt.date(2025, 5, 2))
    msg = e.value.one_line()
    assert msg.startswith("field 'filed_on': out of time")
    assert "30/04/2025" in msg and "filed on 02/05/2025" in msg and "art. 222" in msg


def test_appeal_before_notification_refused() -> None:
    with pytest.raises(InputError, match="before the notification"):
        file_appeal("A", "C", AppealKind.APPEAL, notified_on=dt.date(2025, 4, 7), filed_on=dt.date(2025, 4, 1))


def test_overdue_clock() -> None:
    c = clock(dt.date(2025, 6, 13), dt.date(2025, 6, 17))
    assert c.overdue and c.days_overdue == 2 and c.days_left == 0


def test_resolve_once() -> None:
    a = file_appeal("A", "C", AppealKind.APPEAL, notified_on=dt.date(2025, 1, 6), filed_on=dt.date(2025, 1, 7))
    r = resolve_appeal(a, AppealOutcome.UPHELD, dt.date(2025, 2, 1))
    assert r.outcome is AppealOutcome.UPHELD and r.to_dict()["resolved_on"] == "2025-02-01"
    with pytest.raises(ConflictError, match="already resolved"):
        resolve_appeal(r, AppealOutcome.REJECTED, dt.date(2025, 2, 2))
    with pytest.raises(InputError):
        parse_kind("queja")


@settings(deadline=None)
@given(st.dates(dt.date(2000, 1, 1), dt.date(2050, 1, 1)), st.integers(0, 40))
def test_filed_within_15_business_days_is_accepted_otherwise_refused(notified: dt.date, k: int) -> None:
    filed = notified + dt.timedelta(days=k)
    in_time = business_days_between(notified, filed) < 15 or filed == filing_deadline(notified)
    try:
        file_appeal("A", "C", AppealKind.APPEAL, notified_on=notified, filed_on=filed)
    except InputError:
        assert not in_time
    else:
        assert in_time
