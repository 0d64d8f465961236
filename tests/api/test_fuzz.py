"""Fuzz the API from its own OpenAPI document: no answer is a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from seguro_desempleo.api.app import create_app

schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(secret="fuzz"))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
