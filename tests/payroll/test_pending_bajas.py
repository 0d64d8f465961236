"""Issue 31: a baja kept pending (no period and no pay known) is retried only by its employer's
later imports and only for ``PENDING_TERMINATION_MONTHS`` (3) months; then it expires — a notice
``termination_expired`` on the employer's file, ``status = 'expired'`` for staff — and is no
longer retried. Both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.storage import intake
from seguro_desempleo.storage.uow import SqlUnitOfWork

B, OTHER = "20000000320", "20000000338"


def run(engine: sa.Engine, files: list[Path], today: dt.date):  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine) as uow:
        s = import_files(files, uow=uow, today=today)
        uow.commit()
    return s


def statuses(engine: sa.Engine) -> list[tuple[str, dt.date | None, dt.date | None]]:
    p = intake.pending_termination.c
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(p.status, p.recorded_on, p.expired_on).order_by(p.id))]


def rem(folder: Path, ruc: str, month: str, body: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    f = folder / f"0601{month}{ruc}.rem"
    f.write_bytes(body)
    return f


def test_a_pending_baja_expires_after_three_months_with_a_notice(engine: sa.Engine, tmp_path: Path) -> None:
    per = tmp_path / f"RP_{B}.per"
    per.write_bytes(b"01|45678914|604|1|1||31/03/2025|01||\r\n")
    s = run(engine, [per], dt.date(2025, 4, 20))
    assert [n.code for n in s.notices] == ["termination_pending"]
    assert statuses(engine) == [("pending", dt.date(2025, 4, 20), None)]
    # Two months later the employer declares May (another worker): retried, still pending.
    s = run(engine, [rem(tmp_path / "m5", B, "202505", b"01|45678999|0121|2000.00|2000.00|\r\n")],
            dt.date(2025, 6, 19))
    assert [n.code for n in s.notices] == [] and statuses(engine)[0][0] == "pending"
    # Another employer's import three months on does not touch it... but the bound is by date:
    # it expires at the first import after the three months, and the employer's own file says so.
    s = run(engine, [rem(tmp_path / "m6", OTHER, "202506", b"01|45678998|0121|2000.00|2000.00|\r\n")],
            dt.date(2025, 7, 20))
    assert statuses(engine) == [("expired", dt.date(2025, 4, 20), dt.date(2025, 7, 20))]
    assert [n.code for n in s.notices] == []          # not this employer's file: no notice on it
    with engine.connect() as conn:
        gone = intake.expired_terminations(conn)
    assert [(g["ruc"], g["end_date"], g["cause"]) for g in gone] == [(B, dt.date(2025, 3, 31), "01")]
    # Expired: not retried any more, even when the pay arrives.
    s = run(engine, [rem(tmp_path / "m3", B, "202503", b"01|45678914|0121|2000.00|2000.00|\r\n")],
            dt.date(2025, 7, 21))
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document("01", "45678914")
        assert w is not None and w.id is not None
        assert uow.periods.for_worker(w.id) == []


def test_the_expiry_notice_goes_to_the_employers_own_file(engine: sa.Engine, tmp_path: Path) -> None:
    per = tmp_path / f"RP_{B}.per"
    per.write_bytes(b"01|45678914|604|1|1||31/03/2025|01||\r\n")
    run(engine, [per], dt.date(2025, 4, 20))
    s = run(engine, [rem(tmp_path / "m6", B, "202506", b"01|45678999|0121|2000.00|2000.00|\r\n")],
            dt.date(2025, 7, 25))
    assert [(n.line, n.field, n.code) for n in s.notices] == [(0, "fecha_fin", "termination_expired")]
    assert "45678914" not in s.notices[0].reason and "45678914" not in s.notices[0].message_es


def test_pending_bajas_of_other_employers_are_not_retried(engine: sa.Engine, tmp_path: Path,
                                                          monkeypatch: object) -> None:
    """Before: every import retried every pending baja of every employer (no cap)."""
    import seguro_desempleo.services.payroll_run as imp  # the run applies the bajas (decision 0803)

    per = tmp_path / f"RP_{B}.per"
    per.write_bytes(b"01|45678914|604|1|1||31/03/2025|01||\r\n")
    run(engine, [per], dt.date(2025, 4, 20))
    tried: list[int] = []
    real = imp._close_or_open

    def spy(uow, employer_id, worker_id, end, cause):  # type: ignore[no-untyped-def]
        tried.append(employer_id)
        return real(uow, employer_id, worker_id, end, cause)

    monkeypatch.setattr(imp, "_close_or_open", spy)  # type: ignore[attr-defined]
    run(engine, [rem(tmp_path / "o", OTHER, "202504", b"01|45678998|0121|2000.00|2000.00|\r\n")],
        dt.date(2025, 4, 21))
    assert tried == []
    run(engine, [rem(tmp_path / "b", B, "202504", b"01|45678999|0121|2000.00|2000.00|\r\n")], dt.date(2025, 4, 22))
    assert len(tried) == 1
