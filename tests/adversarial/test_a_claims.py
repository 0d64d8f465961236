"""Issue 25, part A — integrity of claims (each test failed on the main before the fix).

- one contingency (worker, separation) has at most one claim that is not denied, ever: the
  database's partial unique index, and the service's 409 (Spanish reason) for a re-filing after
  exhaustion or after a denial (a denial is revisited by reconsideración/apelación only);
- one strict parser of worker references: ``0527``, `` 527``, ``+527``, ``5_27``, ``٥٢٧`` are
  refused with 422 naming the field (service, API, CLI), and the database refuses a
  non-canonical or unknown reference.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.domain.identifiers import canonical_worker_ref, parse_worker_ref
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.claims_app import claims_context
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund_engine
from tests.claims.test_sql_stores import SEP, seed_worker

BAD_REFS = ("0527", " 527", "527 ", "+527", "-527", "5_27", "\u0665\u0662\u0667", "527.0", "", "0",
            "\uff15\uff12\uff17", "99999999999")


@pytest.mark.parametrize("text", BAD_REFS)
def test_one_strict_parser_refuses_every_other_face_of_a_number(text: str) -> None:
    with pytest.raises(InputError, match="worker_id"):
        parse_worker_ref(text)
    assert canonical_worker_ref("527") == "527" and parse_worker_ref(527) == 527


def _exhaust(engine: sa.Engine, ref: str) -> str:
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="caseworker:1")
        uow.commit()
    assert c.state is ClaimState.APPROVED
    fund_engine(engine)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        run = ctx.service.run_payments(parse_period("2025-08"), dt.date(2025, 8, 25), actor="system")
        assert len(run.paid) == 5
        assert ctx.claims.get(c.id).state is ClaimState.EXHAUSTED
        uow.commit()
    return c.id


def test_an_exhausted_contingency_cannot_be_claimed_again(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, 11, reemployed=False)
    first = _exhaust(engine, ref)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        with pytest.raises(ConflictError, match=f"ya tiene la solicitud {first}.*una contingencia") as exc:
            ctx.service.file_and_decide(ref, dt.date(2025, 9, 1), actor="caseworker:1")
        assert exc.value.http_status == 409
    with SqlUnitOfWork(engine) as uow:      # nothing half-written
        assert uow.session.execute(sa.text("SELECT count(*) FROM claim")).scalar_one() == 1


def test_a_denied_contingency_is_revisited_only_by_appeal(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, 12, cause="01", reemployed=False)     # resignation: denied
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="caseworker:1")
        uow.commit()
    assert c.state is ClaimState.DENIED
    with SqlUnitOfWork(engine) as uow, \
            pytest.raises(ConflictError, match="denegada; una denegación se revisa solo por reconsideración"):
        claims_context(uow).service.file_claim(ref, dt.date(2025, 3, 25), actor="caseworker:1")


def test_the_database_refuses_a_second_claim_not_denied_for_one_contingency(engine: sa.Engine,
                                                                         tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, 13, reemployed=False)
    first = _exhaust(engine, ref)
    row = {"id": "C-900001", "w": ref, "f": dt.date(2025, 9, 1), "s": SEP, "st": "approved"}
    stmt = sa.text("INSERT INTO claim (id, worker_ref, filed_on, separation_date, state, version) "
                   "VALUES (:id, :w, :f, :s, :st, 1)")
    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):
        uow.session.execute(stmt, row)              # beside the exhausted one: refused
    with SqlUnitOfWork(engine) as uow:              # a denied one beside it is allowed (a record)
        uow.session.execute(stmt, {**row, "st": "denied"})
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        n = uow.session.execute(sa.text("SELECT count(*) FROM claim WHERE worker_ref = :w AND state <> 'denied'"),
                                {"w": ref}).scalar_one()
        assert n == 1 and first


@pytest.mark.parametrize("text", ["0{ref}", " {ref}", "+{ref}", "{ref}_0"])
def test_the_service_refuses_a_non_canonical_reference(engine: sa.Engine, tmp_path: Path, text: str) -> None:
    ref = seed_worker(engine, tmp_path, 14, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        svc = claims_context(uow).service
        with pytest.raises(InputError, match="worker_id"):
            svc.file_and_decide(text.format(ref=ref), dt.date(2025, 3, 20), actor="caseworker:1")


@pytest.mark.parametrize("bad", ["0{ref}", " {ref}", "\u0665", "999999"])
def test_the_database_refuses_a_non_canonical_or_unknown_reference(engine: sa.Engine, tmp_path: Path,
                                                                  bad: str) -> None:
    ref = seed_worker(engine, tmp_path, 15, reemployed=False)
    stmt = sa.text("INSERT INTO claim (id, worker_ref, filed_on, separation_date, state, version) "
                   "VALUES ('C-900002', :w, :f, :s, 'filed', 1)")
    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.DBAPIError):
        uow.session.execute(stmt, {"w": bad.format(ref=ref), "f": dt.date(2025, 3, 20), "s": SEP})


# ------------------------------------------------------------------------------------ over HTTP


@pytest.fixture
def http(migrated_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import create_app
    from seguro_desempleo.storage.db import make_engine
    from tests.api.test_claims_api import Api

    eng = make_engine(migrated_url)
    try:
        covered = seed_worker(eng, tmp_path, 16, reemployed=False)
        resigned = seed_worker(eng, tmp_path, 17, cause="01", reemployed=False)
    finally:
        eng.dispose()
    with TestClient(create_app(db_url=migrated_url, secret="t" * 32, today=dt.date(2025, 3, 20))) as client:
        yield Api(client), covered, resigned


# The fast path answers "application/json"; any other content type goes through the routes.
FACES = {"fast path": "application/json", "route": "application/json; charset=utf-8"}


@pytest.mark.parametrize("face", list(FACES))
def test_http_refuses_other_faces_of_a_worker_id_with_422(http, face: str) -> None:  # type: ignore[no-untyped-def]
    import json

    t, covered, _ = http
    headers = {**t.token("caseworker"), "Content-Type": FACES[face]}
    for bad in ("0" + covered, " " + covered, "+" + covered, covered[:1] + "_" + covered[1:],
                covered.translate(str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667"
                                                               "\u0668\u0669"))):
        r = t.c.post("/api/v1/claims", content=json.dumps({"worker_id": bad, "decide": True}), headers=headers)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "worker_id" in r.json()["detail"] and bad.strip() not in r.json()["detail"]
    r = t.c.post("/api/v1/claims", content=json.dumps({"worker_id": covered, "decide": True}), headers=headers)
    assert r.status_code == 201, r.text
    assert t.c.get("/api/v1/claims", headers=t.token("caseworker")).json()["items"][0]["worker_id"] == covered


@pytest.mark.parametrize("face", list(FACES))
def test_http_second_filing_for_a_denied_contingency_is_409_in_spanish(http, face: str) -> None:  # type: ignore[no-untyped-def]
    import json

    t, _, resigned = http
    headers = {**t.token("caseworker"), "Content-Type": FACES[face]}
    body = json.dumps({"worker_id": resigned, "decide": True})
    r = t.c.post("/api/v1/claims", content=body, headers=headers)
    assert r.status_code == 201 and r.json()["state"] == "denied", r.text
    r = t.c.post("/api/v1/claims", content=body, headers=headers)
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "reconsideración o apelación" in r.json()["detail"]


def test_cli_refuses_a_non_canonical_worker_in_one_line(migrated_url: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from seguro_desempleo.cli import main
    from seguro_desempleo.storage.db import make_engine

    eng = make_engine(migrated_url)
    try:
        ref = seed_worker(eng, tmp_path, 18, reemployed=False)
    finally:
        eng.dispose()
    assert main(["claims", "file", "--db", migrated_url, "--worker", "0" + ref, "--date", "2025-03-20"]) == 2
    err = capsys.readouterr().err
    assert "--worker" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["claims", "file", "--db", migrated_url, "--worker", ref, "--date", "2025-03-20"]) == 0
    assert main(["claims", "file", "--db", migrated_url, "--worker", ref, "--date", "2025-03-21"]) == 2
    assert "one open claim" in capsys.readouterr().err
