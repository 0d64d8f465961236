"""The API's faces (issue 30): docs that work offline, evaluate reads what the CLI reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases.json"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(secret="t")) as c:
        yield c


def test_api_docs_assets_are_served_by_the_app(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "cdn" not in page.text.lower() and "https://" not in page.text.split("<body>")[0]
    for asset in ("/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/swagger-ui.css"):
        assert asset in page.text
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 10_000


def test_evaluate_reads_what_the_cli_reads(client: TestClient) -> None:
    cases = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    assert isinstance(cases, list) and len(cases) >= 2
    wrapped = client.post("/api/v1/evaluate", json={"cases": cases, "trace": False})
    as_list = client.post("/api/v1/evaluate?trace=false", json=cases)
    one = client.post("/api/v1/evaluate?trace=false", json=cases[0])
    assert wrapped.status_code == as_list.status_code == one.status_code == 200, as_list.text
    assert as_list.json() == wrapped.json()
    assert one.json()["decisions"] == wrapped.json()["decisions"][:1]
    assert "trace" not in one.json()["decisions"][0]
    empty = client.post("/api/v1/evaluate", json=[])
    assert empty.status_code == 422 and empty.json()["field"].startswith("cases")


def test_the_test_client_runs_on_httpx2() -> None:
    import starlette.testclient as tc

    assert tc.httpx.__name__.startswith("httpx2")
