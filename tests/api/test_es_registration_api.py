"""POST/GET /workers/{id}/employment-registration (art. 7): roles, rows, and the effect on a decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.storage.db import make_engine
from tests.api.seed import seeded_db
from tests.api.test_claims_api import Api, _problem

TODAY = dt.date(2025, 9, 1)
URL = "/api/v1/workers/{}/employment-registration"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[Api, str, str]]:
    url, a, b = seeded_db(tmp_path)
    eng = make_engine(url)
    with eng.begin() as conn:                      # the shared seed registers everyone; start without
        conn.execute(sa.text("DELETE FROM es_registration"))
    eng.dispose()
    with TestClient(create_app(db_url=url, secret="t", today=TODAY)) as client:
        yield Api(client), a, b


def test_roles_and_rows(api: tuple[Api, str, str]) -> None:
    t, a, b = api
    c = t.c
    body = {"registered_on": "2025-03-15", "channel": "empleos_peru", "reference": "EP-123"}
    _problem(c.post(URL.format(a), json=body), 401)
    _problem(c.post(URL.format(a), json=body, headers=t.token("worker", b)), 403)
    _problem(c.post(URL.format(a), json=body, headers=t.token("employer", "20100000001")), 403)
    _problem(c.post(URL.format(a), json=body, headers=t.token("analyst")), 403)
    _problem(c.get(URL.format(a), headers=t.token("worker", b)), 403)
    assert c.get(URL.format(a), headers=t.token("worker", a)).json()["registered"] is False
    r = c.post(URL.format(a), json={**body, "channel": "fax"}, headers=t.token("caseworker"))
    assert r.status_code in (400, 422) and "channel" in r.text
    _problem(c.post(URL.format("999999"), json=body, headers=t.token("employment_officer")), 404)
    # Issue 25: a worker cannot date their own registration in the past; today's date is theirs.
    p = _problem(c.post(URL.format(a), json=body, headers=t.token("worker", a)), 422)
    assert p["field"] == "registered_on"
    r = c.post(URL.format(a), json={k: v for k, v in body.items() if k != "registered_on"},
               headers=t.token("worker", a))
    assert r.status_code == 201, r.text
    assert r.json()["recorded_by"] == f"user:t.w{a}/worker:{a}"   # an account (decisions 0320, 0440)
    r = c.post(URL.format(b), json=body, headers=t.token("employment_officer"))
    assert r.status_code == 201, r.text
    got = c.get(URL.format(a), headers=t.token("caseworker")).json()
    assert got["registered"] is True and [i["channel"] for i in got["items"]] == ["empleos_peru"]


def test_claim_denied_without_then_approved_on_appeal(api: tuple[Api, str, str]) -> None:
    t, a, _ = api
    c = t.c
    wa, cw = t.token("worker", a), t.token("caseworker")
    r = c.post("/api/v1/claims", json={"claim_date": "2025-03-20"}, headers=wa)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = c.post(f"/api/v1/claims/{cid}/decision", json={"date": "2025-03-21"}, headers=cw)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "denied" and "art. 7" in r.text.lower()
    r = c.post(URL.format(a), json={"registered_on": "2025-03-12", "channel": "centro_empleo"},
               headers=t.token("employment_officer"))
    assert r.status_code == 201, r.text
    assert c.get(URL.format(a), headers=wa).json()["registered"] is True
    r = c.post(f"/api/v1/claims/{cid}/appeals", json={"filed_on": "2025-03-25"}, headers=wa)
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/appeals/{r.json()['id']}/resolution", json={"outcome": "upheld", "date": "2025-03-28"},
               headers=cw)
    assert r.status_code == 200, r.text
    assert c.get(f"/api/v1/claims/{cid}", headers=wa).json()["state"] not in ("denied", "filed")
