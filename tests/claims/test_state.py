"""The claim state machine: transitions as data, versions for optimistic concurrency."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.state import (
    OPEN_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    ClaimState,
    ClaimStatus,
    allowed_targets,
    parse_state,
    transition,
)
from seguro_desempleo.errors import ConflictError, InputError

AT = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)
S = ClaimState


def test_happy_path_bumps_version() -> None:
    st0 = ClaimStatus("C-1")
    path = [S.WAITING, S.APPROVED, S.PAYING, S.PAYING, S.EXHAUSTED, S.CLOSED]
    status = st0
    for to in path:
        status, rec = transition(status, to, expected_version=status.version, at=AT, actor="cw-1")
        assert rec.to_version == rec.from_version + 1
        assert rec.action == TRANSITIONS[(rec.from_state, rec.to_state)]
    assert status.state is S.CLOSED and status.version == 1 + len(path)


def test_illegal_transition_names_the_allowed_ones() -> None:
    with pytest.raises(ConflictError) as e:
        transition(ClaimStatus("C-9", S.DENIED, 3), S.PAYING, expected_version=3, at=AT, actor="x")
    msg = e.value.one_line()
    assert "claim C-9" in msg and "'denied' to 'paying'" in msg and "approved, closed" in msg
    assert "\n" not in msg


def test_stale_version_loses() -> None:
    status = ClaimStatus("C-2", S.WAITING, 4)
    winner, _ = transition(status, S.APPROVED, expected_version=4, at=AT, actor="cw-1")
    with pytest.raises(ConflictError, match="version 5, expected 4"):
        transition(winner, S.DENIED, expected_version=4, at=AT, actor="cw-2")


def test_closed_is_the_only_terminal_state() -> None:
    assert {S.CLOSED} == TERMINAL_STATES
    assert allowed_targets(S.CLOSED) == frozenset()
    assert S.DENIED not in OPEN_STATES and S.PAYING in OPEN_STATES


def test_parse_state() -> None:
    assert parse_state("paying") is S.PAYING
    with pytest.raises(InputError, match="field 'state'"):
        parse_state("paid")


@settings(deadline=None)
@given(st.lists(st.sampled_from(list(ClaimState)), max_size=30))
def test_any_sequence_only_follows_the_table(targets: list[ClaimState]) -> None:
    status = ClaimStatus("C-3")
    for to in targets:
        legal = (status.state, to) in TRANSITIONS
        try:
            new, rec = transition(status, to, expected_version=status.version, at=AT, actor="a")
        except ConflictError:
            assert not legal
            continue
        assert legal and new.state is to and rec.from_state is status.state
        status = new
