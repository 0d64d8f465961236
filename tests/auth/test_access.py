"""The one access policy (domain/access.py) and the one audit format (decision 0320)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seguro_desempleo.domain.access import (
    STAFF,
    Principal,
    Role,
    actor,
    may_file,
    may_see_claim,
    may_see_employer,
    require,
    system_actor,
)
from seguro_desempleo.errors import InputError, PermissionDeniedError

ids = st.integers(min_value=1, max_value=10**6).map(str)
roles = st.sampled_from(list(Role))


@given(role=roles, subject=ids, other=ids)
def test_a_claim_is_seen_by_staff_and_its_own_worker_only(role: Role, subject: str, other: str) -> None:
    p = Principal(role, subject if role in (Role.WORKER, Role.EMPLOYER) else None)
    expected = role in STAFF or (role is Role.WORKER and subject == other)
    assert may_see_claim(p, other) is expected


@given(role=roles, subject=ids, target=st.one_of(st.none(), ids))
def test_filing_policy(role: Role, subject: str, target: str | None) -> None:
    p = Principal(role, subject if role is Role.WORKER else None)
    if role is Role.WORKER:
        if target is None or target == subject:
            assert may_file(p, target) == subject
        else:
            with pytest.raises(PermissionDeniedError):
                may_file(p, target)
    elif role in (Role.CASEWORKER, Role.ADMIN):
        if target is None:
            with pytest.raises(InputError):
                may_file(p, target)
        else:
            assert may_file(p, target) == target
    else:
        with pytest.raises(PermissionDeniedError):
            may_file(p, target)


def test_employer_with_several_rucs() -> None:
    p = Principal(Role.EMPLOYER, "20100047218", rucs=frozenset({"20100047218", "20131312955"}))
    assert may_see_employer(p, "20131312955") and not may_see_employer(p, "20000000001")


def test_admin_passes_every_role_check() -> None:
    require(Principal(Role.ADMIN), Role.CASEWORKER)
    with pytest.raises(PermissionDeniedError):
        require(Principal(Role.BOARD), Role.CASEWORKER)


@pytest.mark.parametrize(("p", "text"), [
    (Principal(Role.CASEWORKER, account="user:mperez"), "user:mperez/caseworker"),
    (Principal(Role.WORKER, "17", account="user:w17", oidc_subject="abc"), "user:w17/worker:17#oidc:abc"),
    (Principal(Role.EMPLOYER, "20100047218", account="user:acme"), "user:acme/employer:20100047218"),
    (Principal(Role.ANALYST, account="client:banco"), "client:banco/analyst"),
    (Principal(Role.CASEWORKER), "demo/caseworker"),
])
def test_one_actor_format(p: Principal, text: str) -> None:
    assert actor(p) == text


def test_system_actor() -> None:
    assert system_actor("payment-run") == "system:payment-run"


def test_one_account_is_one_person_on_every_face() -> None:
    """Four eyes (decision 0440): the API and the web write ``user:ana/…``, the CLI ``cli:ana/…``;
    person_of took them for two persons, so ana could make a change on the API and approve it on
    the command line."""
    from seguro_desempleo.domain.access import person_of

    api = actor(Principal(Role.CASEWORKER, account="user:ana"))
    assert person_of(api) == person_of("cli:ana/caseworker") == person_of("user:ana/admin#oidc:x")
    assert person_of(api) == person_of("system:auto-decide#cli:ana/caseworker")
    assert person_of(api) != person_of("user:beto/caseworker")
    assert person_of(api) != person_of("client:ana/caseworker")          # a machine client is not ana
    assert person_of("user:demo.caseworker/caseworker") != person_of("user:demo.admin/admin")
