"""Issue 25: per-month provenance (the ``declared_month`` view, migration 0309) and the two
plausibility flags that need it (decision 0413): on an employer's own upload, for a worker never
seen before, months declared long after they were due, and a first declaration that alone makes
the worker qualify (12 of 24, art. 7). Flagged months join the review queue (``declaration_review``,
source ``import``) and do not count in the history the claims read until staff accept them; the
upload's report names them. Both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.storage import provenance
from seguro_desempleo.storage.history import contribution_history
from seguro_desempleo.storage.models_money_safety import DeclarationReviewRow
from seguro_desempleo.storage.money_safety import review_month
from seguro_desempleo.storage.uow import SqlUnitOfWork

RUC = "20000000311"
TODAY = dt.date(2025, 4, 20)
REVIEW = DeclarationReviewRow.__table__


def rems(folder: Path, months: list[tuple[int, int]], line: bytes) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for y, m in months:
        f = folder / f"0601{y}{m:02d}{RUC}.rem"
        f.write_bytes(line)
        out.append(f)
    return out


def upload(engine: sa.Engine, files: list[Path], *, employer: bool = True):  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine) as uow:
        s = import_files(files, uow=uow, today=TODAY, employer_ruc=RUC if employer else None)
        uow.commit()
    return s


def worker(engine: sa.Engine, number: str) -> int:
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document("01", number)
        assert w is not None and w.id is not None
        return w.id


def queue(engine: sa.Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        return [(int(p), str(s), str(r)) for p, s, r in conn.execute(
            sa.select(REVIEW.c.period, REVIEW.c.source, REVIEW.c.reasons).order_by(REVIEW.c.period))]


def counted(engine: sa.Engine, wid: int) -> list[int]:
    with SqlUnitOfWork(engine) as uow:
        return [m.period for m in contribution_history(uow.session, wid, 2023 * 12, 2026 * 12)]


TWELVE = [(2024, m) for m in range(4, 13)] + [(2025, m) for m in range(1, 4)]     # 2024-04 … 2025-03


def test_twelve_back_dated_months_for_a_new_worker_are_held_for_review(engine: sa.Engine, tmp_path: Path) -> None:
    """The attack of issue 25: one upload, 12 months, a worker never seen. All 12 alone qualify;
    the eight due more than three whole months before the upload of 20/04/2025 (2024-04 …
    2024-11: due 15/05/2024 … 15/12/2024) are also late; 2024-12 (due 15/01/2025: three months
    and five days) is not. None counts until accepted."""
    s = upload(engine, rems(tmp_path, TWELVE, b"01|45678912|0121|9999999.99|9999999.99|\r\n"))
    assert s.rejected == 0, s.issues
    rows = queue(engine)
    assert [p for p, _, _ in rows] == [y * 12 + m - 1 for y, m in TWELVE]
    assert all(src == "import" and provenance.QUALIFYING_REASON in why for _, src, why in rows)
    late = [p for p, _, why in rows if provenance.LATE_REASON in why]
    assert late == [2024 * 12 + m - 1 for m in range(4, 12)]
    flagged = [n for n in s.notices if n.code == "months_flagged"]
    assert len(flagged) == 12 and all(n.line == 0 and n.field == "periodo" for n in flagged)
    assert all("45678912" not in n.message_es for n in flagged)
    wid = worker(engine, "45678912")
    assert counted(engine, wid) == []                       # before: the 12 months counted at once
    with SqlUnitOfWork(engine) as uow:
        ids = [int(i) for (i,) in uow.session.execute(sa.select(REVIEW.c.id).order_by(REVIEW.c.period))]
        for i in ids[:3]:
            review_month(uow.session, i, True, reviewer="staff-1", at="2025-04-21T10:00:00")
        review_month(uow.session, ids[3], False, reviewer="staff-1", at="2025-04-21T10:00:00")
        uow.commit()
    assert counted(engine, wid) == [2024 * 12 + 3, 2024 * 12 + 4, 2024 * 12 + 5]


def test_the_institutions_own_import_and_a_known_worker_are_not_flagged(engine: sa.Engine, tmp_path: Path) -> None:
    """A first migration of the SUNAT history (the CLI, no employer) is not flagged; nor is a late
    month of a worker the insurance already knew."""
    s = upload(engine, rems(tmp_path / "cli", TWELVE, b"01|45678912|0121|2000.00|2000.00|\r\n"), employer=False)
    assert s.rejected == 0 and queue(engine) == []
    late = rems(tmp_path / "emp", [(2023, 6)], b"01|45678912|0121|2100.00|2100.00|\r\n")
    s = upload(engine, late)
    assert s.rejected == 0 and queue(engine) == [] and [n.code for n in s.notices] == []


def test_a_new_worker_declared_on_time_is_not_flagged_but_a_late_one_is(engine: sa.Engine, tmp_path: Path) -> None:
    on_time = rems(tmp_path / "a", [(2025, 3)], b"01|45678913|0121|2000.00|2000.00|\r\n")
    assert upload(engine, on_time).rejected == 0 and queue(engine) == []
    late = rems(tmp_path / "b", [(2024, 10)], b"01|45678914|0121|2000.00|2000.00|\r\n")   # due 15/11/2024
    s = upload(engine, late)
    assert [(p, why) for p, _, why in queue(engine)] == [(2024 * 12 + 9, provenance.LATE_REASON)]
    assert [n.code for n in s.notices] == ["months_flagged"]
    assert counted(engine, worker(engine, "45678914")) == []
    assert counted(engine, worker(engine, "45678913")) == [2025 * 12 + 2]


def test_each_month_keeps_the_declaration_and_import_that_first_brought_it(engine: sa.Engine,
                                                                           tmp_path: Path) -> None:
    first = rems(tmp_path / "v1", [(2025, 3)], b"01|45678915|0121|2000.00|2000.00|\r\n")
    upload(engine, first, employer=False)
    again = rems(tmp_path / "v2", [(2025, 3)], b"01|45678915|0121|2500.00|2500.00|\r\n")   # a rectificatoria
    upload(engine, again, employer=False)
    wid = worker(engine, "45678915")
    with engine.connect() as conn:
        [(w, period, decl, file_id, when)] = provenance.first_declared(conn, [wid])
        first_decl = conn.execute(sa.text("SELECT min(id) FROM declaration")).scalar()
        first_file = conn.execute(sa.text("SELECT import_file_id FROM declaration WHERE id = :d"),
                                  {"d": first_decl}).scalar()
    assert (w, period, decl, file_id) == (wid, 2025 * 12 + 2, first_decl, first_file) and when is not None
