"""Issue 25, books that reveal tampering: one test per kind of tampering, on SQLite and PostgreSQL.

Each test builds real books (a claim filed, decided and paid; the ledger posted by the service),
then tampers with the database the way someone with write access would — the append-only
triggers lifted first — and checks that ``audit verify`` (the books verifier) says so.
Before issue 25 every one of these passed as "audit chain intact".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.books import Checkpoint, verify_books, write_checkpoint
from seguro_desempleo.cli import main
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services import ledger as ledger_service
from seguro_desempleo.services.claims_app import claims_context
from seguro_desempleo.storage.ledger_chain import GENESIS_HASH, entry_hash, verify_entries
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_stores import file_and_decide, seed_worker


def _lift_triggers(engine: sa.Engine, table: str) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for name in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)).scalars():
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')


def _tamper(engine: sa.Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for st in statements:
            conn.exec_driver_sql(st)


@pytest.fixture
def books(engine: sa.Engine, tmp_path: Path) -> tuple[sa.Engine, str]:
    """A claim filed, decided and paid four installments (issue 26: a 4th pro rata where 3 were
    paid); returns the engine and the claim id."""
    ref = seed_worker(engine, tmp_path)
    cid = file_and_decide(engine, ref)
    with SqlUnitOfWork(engine) as uow:
        run = claims_context(uow).service.run_payments(parse_period("2025-08"), dt.date(2025, 8, 25), actor="system")
        assert len(run.paid) == 4
        uow.commit()
    return engine, cid


def _verify(engine: sa.Engine, cp: Checkpoint | None = None) -> list[str]:
    with SqlUnitOfWork(engine) as uow:
        report = verify_books(uow, cp)
    return [] if report.ok else report.lines()


def _checkpoint(engine: sa.Engine, path: Path) -> Checkpoint:
    with SqlUnitOfWork(engine) as uow:
        return write_checkpoint(uow, path)


def test_untouched_books_verify_and_the_heads_are_printed(books: tuple[sa.Engine, str]) -> None:
    engine, _ = books
    with SqlUnitOfWork(engine) as uow:
        report = verify_books(uow)
        assert report.ok, report.lines()
        assert report.audit.checked > 3 and report.ledger.checked >= 3
        assert report.lines()[-1].startswith("heads: audit seq ")
        ledger_service.verify(uow)


def test_deleting_the_last_audit_records_is_caught_by_the_checkpoint(books: tuple[sa.Engine, str],
                                                                   tmp_path: Path) -> None:
    engine, _ = books
    cp = _checkpoint(engine, tmp_path / "books.json")
    _lift_triggers(engine, "audit_log")
    _tamper(engine, f"DELETE FROM audit_log WHERE seq > {cp.audit_seq - 2}")
    problems = _verify(engine, Checkpoint.load(tmp_path / "books.json"))
    assert any(f"audit record seq {cp.audit_seq} is gone" in p for p in problems), problems


def test_deleting_the_last_ledger_entries_with_their_totals_is_caught_by_the_checkpoint(
        books: tuple[sa.Engine, str], tmp_path: Path) -> None:
    engine, _ = books
    cp = _checkpoint(engine, tmp_path / "books.json")
    for t in ("ledger_line", "ledger_entry"):
        _lift_triggers(engine, t)
    last = cp.ledger_id
    with engine.begin() as conn:       # take the entry out and the totals with it: replay still agrees
        for account, d, c in conn.execute(sa.text("SELECT account, debit, credit FROM ledger_line "
                                                  "WHERE entry_id = :e"), {"e": last}).all():
            conn.execute(sa.text("UPDATE ledger_account SET debit_total = debit_total - :d, "
                                 "credit_total = credit_total - :c WHERE code = :a"), {"d": d, "c": c, "a": account})
        conn.execute(sa.text("DELETE FROM ledger_line WHERE entry_id = :e"), {"e": last})
        conn.execute(sa.text("DELETE FROM ledger_entry WHERE id = :e"), {"e": last})
    with SqlUnitOfWork(engine) as uow:
        ledger_service.verify(uow)          # the chain and the totals alone cannot see it ...
    problems = _verify(engine, Checkpoint.load(tmp_path / "books.json"))
    assert any(f"ledger entry {last} is gone" in p for p in problems), problems      # ... the anchor does


def test_an_edited_benefit_payment_is_caught(books: tuple[sa.Engine, str]) -> None:
    engine, cid = books
    _tamper(engine, f"UPDATE benefit_payment SET amount = amount * 10 WHERE key = '{cid}#2'")
    problems = _verify(engine)
    assert any(p.startswith(f"payment {cid}#2: row says") for p in problems), problems


def test_a_payment_row_added_behind_the_logs_back_is_caught(books: tuple[sa.Engine, str]) -> None:
    engine, cid = books
    _tamper(engine, "INSERT INTO benefit_payment (key, claim_id, number, period, amount, paid_on) "
                    f"VALUES ('{cid}#9', '{cid}', 9, 24307, 99999, '2025-08-25')")
    assert f"payment {cid}#9: no record of it in the audit log" in _verify(engine)


def test_a_deleted_payment_row_is_caught(books: tuple[sa.Engine, str]) -> None:
    engine, cid = books
    _tamper(engine, f"DELETE FROM benefit_payment WHERE key = '{cid}#1'")
    assert f"payment {cid}#1: in the audit log but missing from the payments table" in _verify(engine)


def test_an_edited_claim_state_is_caught(books: tuple[sa.Engine, str]) -> None:
    engine, cid = books
    _tamper(engine, f"UPDATE claim SET state = 'approved' WHERE id = '{cid}'")
    problems = _verify(engine)
    assert any(p.startswith(f"claim {cid}: row says approved") for p in problems), problems


def test_a_consistent_edit_of_a_ledger_entry_and_its_totals_is_caught(books: tuple[sa.Engine, str]) -> None:
    engine, _ = books
    for t in ("ledger_line", "ledger_entry"):
        _lift_triggers(engine, t)
    with engine.begin() as conn:
        entry, account_d, account_c = conn.execute(sa.text(
            "SELECT e.id, d.account, c.account FROM ledger_entry e "
            "JOIN ledger_line d ON d.entry_id = e.id AND d.debit > 0 "
            "JOIN ledger_line c ON c.entry_id = e.id AND c.credit > 0 ORDER BY e.id DESC LIMIT 1")).one()
        conn.execute(sa.text("UPDATE ledger_line SET debit = debit + 100000 WHERE entry_id = :e AND account = :a"),
                     {"e": entry, "a": account_d})
        conn.execute(sa.text("UPDATE ledger_line SET credit = credit + 100000 WHERE entry_id = :e AND account = :a"),
                     {"e": entry, "a": account_c})
        conn.execute(sa.text("UPDATE ledger_account SET debit_total = debit_total + 100000 WHERE code = :a"),
                     {"a": account_d})
        conn.execute(sa.text("UPDATE ledger_account SET credit_total = credit_total + 100000 WHERE code = :a"),
                     {"a": account_c})
    with SqlUnitOfWork(engine) as uow, pytest.raises(ConflictError, match=f"ledger chain broken at entry {entry}"):
        ledger_service.verify(uow)
    assert any(f"ledger chain broken at entry {entry}: content does not match" in p for p in _verify(engine))


def test_a_removed_middle_ledger_entry_is_caught(books: tuple[sa.Engine, str]) -> None:
    engine, _ = books
    for t in ("ledger_line", "ledger_entry"):
        _lift_triggers(engine, t)
    with engine.begin() as conn:
        first = conn.execute(sa.text("SELECT MIN(id) FROM ledger_entry")).scalar_one()
        second = conn.execute(sa.text("SELECT MIN(id) FROM ledger_entry WHERE id > :f"), {"f": first}).scalar_one()
        conn.execute(sa.text("DELETE FROM ledger_line WHERE entry_id = :e"), {"e": first})
        conn.execute(sa.text("DELETE FROM ledger_entry WHERE id = :e"), {"e": first})
    assert any(f"ledger chain broken at entry {second}: previous-hash link" in p for p in _verify(engine))


def test_the_broken_record_is_named_by_its_seq(books: tuple[sa.Engine, str]) -> None:
    engine, _ = books
    _lift_triggers(engine, "audit_log")
    _tamper(engine, "DELETE FROM audit_log WHERE seq = 3")
    with SqlUnitOfWork(engine) as uow:
        report = verify_books(uow)
    assert report.audit.first_broken == 3
    assert report.audit.one_line().startswith("audit chain broken at record seq 3:")


def test_a_fork_of_the_ledger_chain_is_refused_by_the_database(books: tuple[sa.Engine, str]) -> None:
    engine, _ = books
    with engine.begin() as conn:
        prev = conn.execute(sa.text("SELECT prev_hash FROM ledger_entry ORDER BY id DESC LIMIT 1")).scalar_one()
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO ledger_entry (event_type, ref, at, created_at, prev_hash, hash) "
                             "VALUES ('x', NULL, '2025-01-01', '2025-01-01 00:00:00', :p, :h)"),
                     {"p": prev, "h": "f" * 64})


def test_cli_checkpoint_and_verify(books: tuple[sa.Engine, str], migrated_url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    engine, cid = books
    cp = tmp_path / "anchor.json"
    assert main(["audit", "checkpoint", "--file", str(cp), "--db", migrated_url]) == 0
    assert "checkpoint written" in capsys.readouterr().out
    assert (cp.stat().st_mode & 0o077) == 0                         # readable by its owner only
    assert main(["audit", "verify", "--checkpoint", str(cp), "--db", migrated_url]) == 0
    out = capsys.readouterr().out
    assert "audit chain intact" in out and "ledger chain intact" in out
    _tamper(engine, f"UPDATE benefit_payment SET amount = 1 WHERE key = '{cid}#3'")
    assert main(["audit", "verify", "--checkpoint", str(cp), "--format", "json", "--db", migrated_url]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert not rep["ok"] and any(p.startswith(f"payment {cid}#3") for p in rep["problems"])
    # A checkpoint never blesses tampered books.
    assert main(["audit", "checkpoint", "--file", str(cp), "--db", migrated_url]) == 2
    assert "no checkpoint written" in capsys.readouterr().err
    assert main(["audit", "verify", "--checkpoint", str(tmp_path / "missing.json"), "--db", migrated_url]) == 2


def test_migration_links_the_entries_already_on_the_books(migrated_url: str) -> None:
    from alembic import command

    from seguro_desempleo.domain.ledger import CHART
    from seguro_desempleo.storage import db

    a, b = CHART[0].code, CHART[1].code
    command.downgrade(db.alembic_config(migrated_url), "0305_governance")
    eng = db.make_engine(migrated_url)
    try:
        with eng.begin() as conn:
            for i in range(3):
                eid = conn.execute(sa.text("INSERT INTO ledger_entry (event_type, ref, at, created_at) "
                                           "VALUES ('old', :r, '2025-01-01', '2025-01-01 00:00:00') RETURNING id"),
                                   {"r": f"r{i}"}).scalar_one()
                conn.execute(sa.text("INSERT INTO ledger_line (entry_id, account, debit, credit) VALUES "
                                     "(:e, :a, 100, 0), (:e, :b, 0, 100)"), {"e": eid, "a": a, "b": b})
    finally:
        eng.dispose()
    db.upgrade(migrated_url)
    eng = db.make_engine(migrated_url)
    try:
        with SqlUnitOfWork(eng) as uow:
            ledger_service.post(uow, "new", [(a, 5, 0), (b, 0, 5)], at=dt.date(2025, 2, 1))
            uow.commit()
        with SqlUnitOfWork(eng) as uow:
            rep = verify_entries(uow.ledger.chained_entries())
            assert rep.ok and rep.checked == 4, rep.one_line()
    finally:
        eng.dispose()


# ---------------------------------------------------------------- the ledger chain as a property

_line = st.tuples(st.sampled_from(["1011", "2011", "4011", "5011"]), st.integers(0, 10**12), st.integers(0, 10**12))
_entry = st.tuples(st.sampled_from(["a", "b", "claims.benefit_payment"]), st.none() | st.text(max_size=20),
                   st.dates(), st.none() | st.text(min_size=1, max_size=20), st.lists(_line, min_size=1, max_size=4))


def _chained(raw: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    out = []
    prev = GENESIS_HASH
    for i, (ev, ref, at, key, lines) in enumerate(raw, 1):
        h = entry_hash(prev, ev, ref, at, key, lines)        # type: ignore[arg-type]
        out.append((i, ev, ref, at, key, prev, h, lines))
        prev = h
    return out


@settings(deadline=None, max_examples=200)
@given(st.lists(_entry, min_size=1, max_size=8), st.data())
def test_any_change_to_a_ledger_entry_is_found_at_that_entry(raw: list[tuple[object, ...]], data: st.DataObject) -> None:
    entries = _chained(raw)
    assert verify_entries(entries).ok and verify_entries(entries).head_hash == entries[-1][6]
    i = data.draw(st.integers(0, len(entries) - 1))
    what = data.draw(st.sampled_from(["event", "ref", "at", "key", "amount", "account", "drop_line", "delete"]))
    e = list(entries[i])
    lines = [list(x) for x in e[7]]                       # type: ignore[union-attr]
    if what == "event":
        e[1] = str(e[1]) + "x"
    elif what == "ref":
        e[2] = (e[2] or "") + "x"                          # type: ignore[operator]
    elif what == "at":
        day = e[3]
        assert isinstance(day, dt.date)
        e[3] = day.replace(day=1) if day.day != 1 else day.replace(day=2)
    elif what == "key":
        e[4] = (e[4] or "") + "x"                          # type: ignore[operator]
    elif what == "amount":
        lines[0][1] = int(lines[0][1]) + 1
    elif what == "account":
        lines[0][0] = "9999"
    elif what == "drop_line":
        lines.append(["1011", 0, 0])
    e[7] = [tuple(x) for x in lines]
    tampered = entries[:i] + ([] if what == "delete" else [tuple(e)]) + entries[i + 1:]
    report = verify_entries(tampered)
    if what == "delete" and i == len(entries) - 1:
        assert report.ok and report.head_id == i      # the tail: only a checkpoint shows it
    else:
        assert not report.ok and report.first_broken == (i + 2 if what == "delete" else i + 1)


def test_concurrent_posters_keep_one_linear_ledger_chain(engine: sa.Engine) -> None:
    """Four threads posting at once (PostgreSQL: the chain's advisory lock; SQLite: IMMEDIATE
    units of work): every entry linked, no fork, totals rebuilt."""
    import threading

    from seguro_desempleo.domain.ledger import CHART
    from seguro_desempleo.storage.ledger_chain import verify_entries as verify

    a, b = CHART[0].code, CHART[1].code
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def poster(k: int) -> None:
        try:
            barrier.wait(10)
            for i in range(10):
                with SqlUnitOfWork(engine) as uow:
                    ledger_service.post(uow, "test.concurrent", [(a, k * 100 + i + 1, 0), (b, 0, k * 100 + i + 1)],
                                        ref=f"t{k}-{i}", at=dt.date(2025, 1, 2))
                    uow.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=poster, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:2]
    with SqlUnitOfWork(engine) as uow:
        rep = verify(uow.ledger.chained_entries())
        assert rep.ok and rep.checked == 40, rep.one_line()
        ledger_service.verify(uow)
