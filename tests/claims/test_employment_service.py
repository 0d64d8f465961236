"""Obligations with the employment service: suspension on unjustified non-compliance, resumption."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.employment_service.adapter import EmploymentServiceAdapter, InMemoryEmploymentService
from seguro_desempleo.employment_service.obligations import (
    Obligation,
    ObligationKind,
    Outcome,
    Placement,
    PlacementSource,
    just_causes,
    overdue,
    parse_kind,
    placement_summary,
    record_outcome,
    suspended_on,
    suspended_periods,
    suspensions,
)
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.periods import parse_period

K = ObligationKind
D = dt.date


def test_just_causes_are_coded() -> None:
    jc = just_causes()
    assert len(jc) >= 8 and "JC01" in jc
    assert all(c.description_es and c.evidence for c in jc.values())


def test_missed_session_suspends_until_the_rescheduled_one_is_attended() -> None:
    svc = InMemoryEmploymentService()
    assert isinstance(svc, EmploymentServiceAdapter)
    a = svc.schedule("C-1", K.COUNSELLING, D(2025, 5, 12))
    svc.record_outcome(a.id, Outcome.NOT_COMPLIED, D(2025, 5, 13), recorded_by="officer-7")
    b = svc.schedule("C-1", K.COUNSELLING, D(2025, 6, 10))
    obs = svc.obligations("C-1")
    s = suspended_on(obs, D(2025, 6, 1))
    assert s is not None and s.end is None and s.obligation_id == a.id
    assert "12/05/2025" in s.reason_es()
    assert suspended_on(obs, D(2025, 5, 11)) is None
    svc.record_outcome(b.id, Outcome.COMPLIED, D(2025, 6, 10))
    obs = svc.obligations("C-1")
    assert suspended_on(obs, D(2025, 6, 10)) is None
    assert suspended_on(obs, D(2025, 6, 9)) is not None
    assert suspended_periods(obs, D(2025, 12, 31)) == {parse_period("2025-05"), parse_period("2025-06")}
    assert [o.id for o in svc.outcomes_since(D(2025, 6, 1))] == [b.id]


def test_just_cause_suspends_nothing_and_unknown_codes_are_refused() -> None:
    ob = Obligation("OB-1", "C-1", K.TRAINING_REFERRAL, D(2025, 5, 12))
    excused = record_outcome(ob, Outcome.NOT_COMPLIED, D(2025, 5, 12), just_cause="JC01")
    assert suspensions([excused]) == []
    with pytest.raises(InputError, match="field 'just_cause'"):
        record_outcome(ob, Outcome.NOT_COMPLIED, D(2025, 5, 12), just_cause="JC99")
    with pytest.raises(InputError, match="only with not_complied"):
        record_outcome(ob, Outcome.COMPLIED, D(2025, 5, 12), just_cause="JC01")
    with pytest.raises(ConflictError, match="already recorded"):
        record_outcome(excused, Outcome.COMPLIED, D(2025, 5, 20))
    with pytest.raises(InputError):
        parse_kind("interview")
    with pytest.raises(NotFoundError):
        InMemoryEmploymentService().record_outcome("OB-404", Outcome.COMPLIED, D(2025, 1, 1))


def test_compliance_of_another_kind_does_not_cure() -> None:
    missed = Obligation("A", "C", K.COUNSELLING, D(2025, 5, 1), Outcome.NOT_COMPLIED, D(2025, 5, 1))
    other = Obligation("B", "C", K.TRAINING_REFERRAL, D(2025, 5, 5), Outcome.COMPLIED, D(2025, 5, 5))
    assert suspended_on([missed, other], D(2025, 7, 1)) is not None
    assert overdue([Obligation("P", "C", K.REGISTRATION, D(2025, 5, 1))], D(2025, 5, 2))[0].id == "P"


def test_placements_summary() -> None:
    svc = InMemoryEmploymentService()
    svc.record_placement(Placement("C-1", D(2025, 6, 1), "20100047218", PlacementSource.EMPLOYMENT_SERVICE))
    svc.record_placement(Placement("C-2", D(2026, 6, 1), "20100047218", PlacementSource.PAYROLL))
    s = placement_summary({"C-1": D(2025, 4, 1), "C-2": D(2025, 4, 1), "C-3": D(2025, 4, 1)}, svc.placements())
    assert (s.claims, s.placed, s.placed_by_service, s.placed_within) == (3, 2, 1, 1)
    assert svc.placements("C-2")[0].source is PlacementSource.PAYROLL


outcomes = st.sampled_from([Outcome.PENDING, Outcome.COMPLIED, Outcome.NOT_COMPLIED])
records = st.lists(st.tuples(st.sampled_from(list(K)), st.integers(0, 200), outcomes, st.booleans()),
                   max_size=12)


def _build(rs: list[tuple[ObligationKind, int, Outcome, bool]]) -> list[Obligation]:
    base = D(2025, 1, 1)
    return [Obligation(f"O{i}", "C", k, base + dt.timedelta(days=d), o,
                       base + dt.timedelta(days=d) if o is not Outcome.PENDING else None,
                       "JC01" if (j and o is Outcome.NOT_COMPLIED) else "")
            for i, (k, d, o, j) in enumerate(rs)]


@settings(deadline=None)
@given(records, st.integers(0, 260))
def test_suspended_iff_an_unjustified_miss_is_not_yet_cured(rs: list[tuple[ObligationKind, int, Outcome, bool]],
                                                           day_off: int) -> None:
    obs = _build(rs)
    day = D(2025, 1, 1) + dt.timedelta(days=day_off)
    expected = any(
        m.unjustified and m.due_date <= day and not any(
            c.kind is m.kind and c.outcome is Outcome.COMPLIED and c.id != m.id
            and m.due_date <= c.due_date <= day for c in obs)
        for m in obs)
    assert (suspended_on(obs, day) is not None) == expected
    assert (suspended_on(list(reversed(obs)), day) is not None) == expected


@settings(deadline=None)
@given(records)
def test_no_unjustified_miss_means_never_suspended(rs: list[tuple[ObligationKind, int, Outcome, bool]]) -> None:
    obs = [o for o in _build(rs) if not o.unjustified]
    assert suspended_periods(obs, D(2026, 1, 1)) == set()


def test_default_plan_on_approval() -> None:
    from seguro_desempleo.employment_service.plan import obligation_plan

    plan = obligation_plan(D(2025, 3, 21), parse_period("2025-04"), 5, registered=False)
    kinds = [p.kind for p in plan]
    assert kinds.count(K.COUNSELLING) == 5 and kinds.count(K.TRAINING_REFERRAL) == 1
    assert plan[0] == type(plan[0])(K.REGISTRATION, D(2025, 3, 28))
    counselling = [p.due_date for p in plan if p.kind is K.COUNSELLING]
    # 10th business day of the month: 14 April; in May, 1 May is a holiday, so 15 May
    assert counselling[:2] == [D(2025, 4, 14), D(2025, 5, 15)]
    assert K.REGISTRATION not in [p.kind for p in obligation_plan(D(2025, 3, 21), parse_period("2025-04"), 5)]
