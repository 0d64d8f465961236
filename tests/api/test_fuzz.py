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
_URL, _A, _B = seeded_db(_DIR)
APP = create_app(db_url=_URL, secret="fuzz", today=TODAY)
ADMIN = signin.headers(TestClient(APP), "admin")          # an admin account's session (tests/signin.py)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.mark.parametrize("auth", ["admin", "anonymous"])
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, auth: str) -> None:
    response = case.call(headers=ADMIN if auth == "admin" else None)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
