"""Issue 27, "the audit of the demo and of the tests names accounts, not roles" (decision 0440).

The demo is run, served with its demo log-in and used through it; a typical test flow (the web
seed, the API and the pages signed in through tests/signin.py) is run too. Every audit record of
each names an account that exists — ``<account>/<role>[:<subject>][#oidc:<sub>]`` with
``user:``, ``client:`` or ``cli:`` — or is a job or the OS user (``system:…``, ``os:…``): never a
bare role, never ``demo/<role>``. The demo's staff accounts are real accounts (a password and a
TOTP secret handed over in a file only the user can read), and the demo log-in is a real,
revocable session of them, created on first use in a demo database and never in another.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from seguro_desempleo.api.app import create_app
from seguro_desempleo.bootstrap import accounts_for
from seguro_desempleo.domain.access import Role
from seguro_desempleo.storage.db import make_engine
from tests import signin
from tests.auth.conftest import seed_worker, totp_now
from tests.fixtures.databases import migrated_sqlite

ROLES = "|".join(r.value for r in Role)
ACTOR = re.compile(rf"^(?:(?P<kind>user|client|cli):(?P<name>[a-z0-9][a-z0-9._-]*)/(?:{ROLES})(?::[0-9]+)?"
                   rf"(?:#oidc:\S+)?|os:\S+|system:[a-z0-9._-]+(?:#\S+)?)$")


def audit_actors(url: str) -> list[str]:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            return [str(w) for w in conn.execute(text("SELECT who FROM audit_log ORDER BY seq")).scalars()]
    finally:
        eng.dispose()


def assert_every_actor_names_an_account(url: str) -> set[str]:
    """Every audit "who" of *url* in the one actor format, naming an account of *url* (or a job,
    or the OS user); returns the distinct actors."""
    whos = audit_actors(url)
    assert whos
    users = {a.username for a in accounts_for(url).list_users()}
    bad = sorted({w for w in whos if not ACTOR.match(w)})
    assert not bad, f"actors that name no account: {bad[:10]}"
    assert not [w for w in whos if w.startswith("demo/") or w in {r.value for r in Role}]
    for w in set(whos):
        m = ACTOR.match(w)
        assert m is not None
        if m.group("kind") in ("user", "cli"):
            assert m.group("name") in users, f"{w}: no such account"
    return set(whos)


# ------------------------------------------------------------------ the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from seguro_desempleo.demo import DemoConfig, run_demo

    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    out = run_demo(DemoConfig(workers=120, months=14, seed=5, db=str(db)))
    yield {"url": f"sqlite:///{db}", "out": out, "today": dt.date.fromisoformat(out["last_date"])}


def _credentials(path: str) -> dict[str, dict[str, str]]:
    rows = [line.split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    return {r[0]: {"role": r[1], "password": r[2], "totp": r[3]} for r in rows}


def test_the_demo_hands_over_real_staff_accounts_in_a_private_file(demo: dict[str, Any]) -> None:
    path = demo["out"]["accounts_file"]
    assert path == str(Path(demo["url"].removeprefix("sqlite:///")).with_name("demo.accounts.txt"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600                 # only the user can read it
    creds = _credentials(path)
    assert set(creds) == {f"demo.{r}" for r in ("caseworker", "employment_officer", "analyst", "board", "admin")}
    app = create_app(db_url=demo["url"])                                  # the demo log-in off: a real sign-in
    with TestClient(app) as c:
        cw = creds["demo.caseworker"]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert c.post("/api/v1/auth/login", json={"username": "demo.caseworker",
                                                  "password": cw["password"]}).status_code == 401   # no code
        r = c.post("/api/v1/auth/login", json={"username": "demo.caseworker", "password": cw["password"],
                                               "code": totp_now(cw["totp"], now)})
        assert r.status_code == 200, r.text
        me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
        assert me["actor"] == "user:demo.caseworker/caseworker"


def test_the_demo_audit_and_its_demo_log_in_name_accounts(demo: dict[str, Any]) -> None:
    url = demo["url"]
    app = create_app(db_url=url, demo_logins=True, today=demo["today"])   # as serve runs a demo database
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/token", json={"role": "caseworker"})
        assert r.status_code == 200 and r.json()["access_token"].startswith("ses_")     # a real session
        cw = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert c.get("/api/v1/me", headers=cw).json()["actor"] == "user:demo.caseworker/caseworker"
        r = c.post("/api/v1/employers", headers=cw, json={"ruc": "20100047218", "name": "ACME S.A.C.",
                                                           "annual_sales_uit": "100"})
        assert r.status_code == 201, r.text
        # an employer: its account bound to the RUC, created on first use in this demo database
        r = c.post("/api/v1/auth/token", json={"role": "employer", "subject": "20100047218"})
        emp = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert c.get("/api/v1/me", headers=emp).json()["actor"] == "user:demo.e20100047218/employer:20100047218"
        # a worker: the demo's own account of that worker record, on the web form
        wid = next(u.worker_id for u in accounts_for(url).list_users() if u.role == "worker")
        r = c.post("/ingresar", data={"role": "worker", "subject": str(wid)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/trabajador"
        assert c.get("/api/v1/me").json()["actor"] == f"user:w{wid}/worker:{wid}"
        r = c.post(f"/api/v1/workers/{wid}/employment-registration", json={"channel": "empleos_peru"},
                   headers={"Origin": "http://testserver"})
        assert r.status_code in (201, 409), r.text
        # sign-out ends the demo log-in's session at once
        assert c.post("/api/v1/auth/logout", headers=cw).status_code == 200
        assert c.get("/api/v1/me", headers=cw).status_code == 401
    actors = assert_every_actor_names_an_account(url)
    assert {"user:demo.caseworker/caseworker", "user:demo.employment_officer/employment_officer",
            "system:demo"} <= actors
    assert any(a.startswith("user:w") for a in actors)


def test_a_disabled_demo_account_is_refused_by_the_demo_log_in(demo: dict[str, Any]) -> None:
    accounts_for(demo["url"]).set_disabled("demo.analyst")
    with TestClient(create_app(db_url=demo["url"], demo_logins=True)) as c:
        assert c.post("/api/v1/auth/token", json={"role": "analyst"}).status_code == 401
    accounts_for(demo["url"]).set_disabled("demo.analyst", False)


def test_the_demo_log_in_creates_no_account_on_another_database(tmp_path: Path) -> None:
    url = migrated_sqlite(tmp_path / "plain.sqlite3")
    wid = seed_worker(url)
    app = create_app(db_url=url, demo_logins=True)            # forced on (serve --demo-logins)
    with TestClient(app) as c:
        for body in ({"role": "admin"}, {"role": "worker", "subject": str(wid)},
                     {"role": "employer", "subject": "20100047218"}):
            r = c.post("/api/v1/auth/token", json=body)
            assert r.status_code == 401 and "demo" in r.json()["detail"], r.text
        r = c.post("/ingresar", data={"role": "caseworker"}, follow_redirects=False)
        assert r.status_code == 403 and "sd_token" not in r.cookies
    assert accounts_for(url).list_users() == []                # nothing created
    # nor does an account of the institution become the demo's
    accounts_for(url).add_user("demo.admin", "admin", password=signin.PASSWORD, by="cli:root")
    with TestClient(app) as c:
        assert c.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 401


def test_create_app_has_the_demo_log_in_off_by_default(demo: dict[str, Any]) -> None:
    with TestClient(create_app(db_url=demo["url"])) as c:           # even on a demo database
        assert c.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 403
        assert "DEMOSTRACIÓN" not in c.get("/").text


# ------------------------------------------------------------------ a typical test flow


def test_the_audit_of_a_typical_test_flow_names_accounts(tmp_path: Path) -> None:
    from tests.web.seed import seed

    seeded = seed(tmp_path)
    app = create_app(db_url=seeded.url, today=dt.date(2025, 8, 20))
    w7 = str(seeded.workers[7])
    with TestClient(app) as c:
        r = c.post("/api/v1/claims", json={"worker_id": w7, "claim_date": "2025-08-01"},
                   headers=signin.headers(c, "worker", w7))
        assert r.status_code == 201, r.text
        r = c.post(f"/api/v1/claims/{r.json()['id']}/decision", json={"date": "2025-08-10"},
                   headers=signin.headers(c, "caseworker"))
        assert r.status_code == 200, r.text
    web = TestClient(app)
    assert signin.web(web, "employment_officer").status_code == 303
    r = web.post("/empleo/inscripciones", data={"worker_id": str(seeded.workers[12]), "registered_on": "15/08/2025",
                                                "channel": "empleos_peru", "reference": "EP-9"},
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    actors = assert_every_actor_names_an_account(seeded.url)
    assert {"user:t.caseworker/caseworker", f"user:t.w{w7}/worker:{w7}"} <= actors
