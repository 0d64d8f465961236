"""The audit outbox (issue 5, performance): records committed with their change, linked into the
hash chain by the sequencer — never lost if the transaction committed, never present if it rolled
back, and the chain still complete and tamper-evident."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.audit import build_records, canonical_json, link_texts, quote, verify_chain
from seguro_desempleo.services.claims_app import _run_audit_texts, claims_context, verify_audit
from seguro_desempleo.storage.claims_repositories import (
    AUDIT_LOCK_KEY,
    AuditSequencer,
    copy_escape,
    drain_audit_outbox,
)
from seguro_desempleo.storage.db import make_engine, upgrade
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_stores import file_and_decide, seed_worker

CLAIM_DAY, DECIDE_DAY = dt.date(2025, 3, 20), dt.date(2025, 3, 21)
T0 = dt.datetime(2025, 8, 26, 12, 0, tzinfo=dt.UTC)


def _counts(engine: sa.Engine) -> tuple[int, int]:
    with engine.connect() as c:
        return (int(c.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()),
                int(c.execute(sa.text("SELECT count(*) FROM audit_outbox")).scalar_one()))


def test_pg_outbox_waits_while_the_chain_is_locked_and_is_drained(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    engine = make_engine(pg_url, pool_size=6)
    refs = [seed_worker(engine, tmp_path, n, reemployed=False) for n in (51, 52, 53)]
    # Someone holds the chain's lock: a filing still commits (no wait), its record waits in the outbox.
    holder = engine.connect()
    holder.begin()
    holder.execute(sa.text(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})"))
    with SqlUnitOfWork(engine) as uow:
        cid = claims_context(uow).service.file_claim(refs[0], CLAIM_DAY, actor="worker").id
        uow.commit()
    assert _counts(engine) == (0, 1)
    # A rolled-back unit of work leaves nothing, in the outbox or the chain.
    with SqlUnitOfWork(engine) as uow:
        claims_context(uow).service.file_claim(refs[1], CLAIM_DAY, actor="worker")
        uow.rollback()
    assert _counts(engine) == (0, 1)
    holder.rollback()
    holder.close()
    # The next commit's sequencer links the waiting record and its own.
    with SqlUnitOfWork(engine) as uow:
        claims_context(uow).service.decide(cid, DECIDE_DAY, actor="caseworker")
        uow.commit()
    assert _counts(engine) == (3, 0)       # the filing, the decision and its act (issue 26 item 9)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        assert [r.action for r in ctx.audit.for_entity(f"claim:{cid}")] == ["claim.file", "claim.approve"]
        assert verify_audit(uow).ok and ctx.audit.pending_in_outbox() == 0
    engine.dispose()


def test_pg_reads_drain_the_outbox_first(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    engine = make_engine(pg_url, pool_size=6)
    ref = seed_worker(engine, tmp_path, 54, reemployed=False)
    holder = engine.connect()
    holder.begin()
    holder.execute(sa.text(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})"))
    with SqlUnitOfWork(engine) as uow:
        cid = claims_context(uow).service.file_claim(ref, CLAIM_DAY, actor="worker").id
        uow.commit()
    holder.rollback()
    holder.close()
    assert _counts(engine) == (0, 1)
    with SqlUnitOfWork(engine) as uow:      # a read (no commit): the record is chained, durably
        assert [r.action for r in claims_context(uow).audit.for_entity(f"claim:{cid}")] == ["claim.file"]
    assert _counts(engine) == (1, 0)
    assert drain_audit_outbox(engine) == 0
    engine.dispose()


def test_pg_background_sequencer_under_concurrent_filings(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    engine = make_engine(pg_url, pool_size=8)
    refs = [seed_worker(engine, tmp_path, n, reemployed=False) for n in range(60, 66)]
    AuditSequencer.background = True
    try:
        def flow(ref: str) -> None:
            file_and_decide(engine, ref, CLAIM_DAY, DECIDE_DAY)
        threads = [threading.Thread(target=flow, args=(r,)) for r in refs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        AuditSequencer.background = False
    with SqlUnitOfWork(engine) as uow:
        report = verify_audit(uow)      # drains whatever the thread has not linked yet
        assert report.ok and report.checked == 3 * len(refs)      # file, decide, the decision's act
    assert _counts(engine) == (3 * len(refs), 0)
    engine.dispose()


def test_outbox_rows_cannot_be_updated(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO audit_outbox (who, at, action, entity, before, after) "
                          "VALUES ('t', '2025-01-01T00:00:00+00:00', 'x', 'x', 'null', 'null')"))
    try:
        with engine.begin() as c:
            c.execute(sa.text("UPDATE audit_outbox SET who = 'forged'"))
        raise AssertionError("the outbox accepted an update")
    except sa.exc.DBAPIError:
        pass
    engine.dispose()


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_text, _text, st.integers(-10**12, 10**12)), min_size=1, max_size=4))
def test_link_texts_hashes_what_build_records_hashes(parts: list[tuple[str, str, int]]) -> None:
    items: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for who, key, n in parts:
        before = {"state": key, "version": n}
        after = {"payments": [{"amount": n, "key": key}], "reason": who, "state": "paying", "version": n + 1}
        items.append({"who": who or "-", "when": T0, "action": "payment.run", "entity": f"claim:{key}",
                      "before": before, "after": after})
        texts.append({"who": who or "-", "when": T0.isoformat(), "action": "payment.run", "entity": f"claim:{key}",
                      "before_json": f'{{"state":{quote(key)},"version":{n}}}',
                      "after_json": (f'{{"payments":[{{"amount":{n},"key":{quote(key)}}}],"reason":{quote(who)},'
                                     f'"state":"paying","version":{n + 1}}}')})
        assert canonical_json(after).decode("utf-8") == texts[-1]["after_json"]
    recs = build_records(None, items)
    rows = link_texts(None, texts)
    assert [r.hash for r in recs] == [row[8] for row in rows] and verify_chain(recs).ok


def test_run_audit_texts_are_canonical() -> None:
    from types import SimpleNamespace as NS

    from seguro_desempleo.payments.schedule import Payment

    plain = [NS(id="C-000001", state="approved", version=2), NS(id="C-000002", state="paying", version=3),
             NS(id="C-000003", state="paying", version=4)]
    done = [Payment("C-000001#1", "C-000001", 1, 24307, 210000, dt.date(2025, 8, 26)),
            Payment("C-000002#5", "C-000002", 5, 24307, 150000, dt.date(2025, 8, 26))]
    final = {"C-000001": (plain[0], 2, "paying"), "C-000002": (plain[1], 3, "exhausted")}
    version = {"C-000001": 3, "C-000002": 4, "C-000003": 4}
    reasons = {"C-000001": ["primer pago 2025-08"], "C-000002": ["prestación agotada"]}
    out = _run_audit_texts(plain, done, final, version, reasons, "run", T0)
    assert [o["entity"] for o in out] == ["claim:C-000001", "claim:C-000002"]      # C-000003: untouched
    for o in out:
        for k in ("before_json", "after_json"):
            assert canonical_json(json.loads(o[k])).decode("utf-8") == o[k]
    assert json.loads(out[1]["after_json"]) == {
        "payments": [{"amount": 150000, "key": "C-000002#5", "number": 5, "period": "2025-08"}],
        "reason": "prestación agotada", "state": "exhausted", "version": 4}


def test_copy_escape() -> None:
    assert copy_escape("plain ñ") == "plain ñ"
    assert copy_escape('a\\b\tc\nd\re') == 'a\\\\b\\tc\\nd\\re'
