"""Maker-checker compares persons across issue 27's actor formats (four eyes, docs/claims.md)."""

from __future__ import annotations

import pytest

from seguro_desempleo.domain.access import person_of


@pytest.mark.parametrize("a, b", [
    ("ana/caseworker", "cli:ana/caseworker"),
    ("ana/caseworker", "ana/caseworker#oidc:abc"),
    ("ANA/caseworker", "ana/admin"),                  # one account, whatever role it acts in
    ("demo/caseworker", "caseworker"),                # a demo log-in is its role (older rows)
    ("demo/worker:7", "worker:7"),
    ("system:auto-decide#cli:ana/caseworker", "ana/caseworker"),
])
def test_the_same_person(a: str, b: str) -> None:
    assert person_of(a) == person_of(b)


@pytest.mark.parametrize("a, b", [
    ("ana/caseworker", "beto/caseworker"),
    ("cli:ana/caseworker", "cli:beto/caseworker"),
    ("demo/caseworker", "demo/admin"),
    ("caseworker:2", "caseworker:3"),
    ("os:ana", "os:beto"),
    ("demo/caseworker", "ana/caseworker"),
])
def test_different_persons(a: str, b: str) -> None:
    assert person_of(a) != person_of(b)
