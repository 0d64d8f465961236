"""Fuzz the API from its own OpenAPI document over a seeded database: no answer is a server error.

Two callers: an admin (every role check passes, so the fuzzer reaches the handlers and the
database) and an anonymous one (every protected resource must answer 401, never 500).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from seguro_desempleo.api.app import create_app
from tests import signin
from tests.api.seed import TODAY, seeded_db

_DIR = Path(tempfile.mkdtemp(prefix="sd_fuzz_"))
_URL = f"sqlite:///{_DIR / 'api.sqlite3'}"       # seeded by ``admin`` before the first call, not at collection
APP = create_app(db_url=_URL, secret="fuzz", today=TODAY)   # opens no database until a request comes
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)

pytestmark = pytest.mark.slow   # a fuzzer: ~100 generated cases of 0.1-2 s each; .ci/run runs them, the fast lane does not


@pytest.fixture(scope="module")
def admin() -> dict[str, str]:
    """The seeded database (tests/api/seed.py) and an admin account's session (tests/signin.py)."""
    url, _a, _b = seeded_db(_DIR)
    assert url == _URL
    return signin.headers(TestClient(APP), "admin")


@pytest.mark.parametrize("auth", ["admin", "anonymous"])
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, auth: str, admin: dict[str, str]) -> None:
    response = case.call(headers=admin if auth == "admin" else None)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
