"""Issue 25, files the system writes: a bank file is never overwritten (``pay-run`` with the same
``--out`` wrote an empty file over the first run's), a run's file can be written again from the
books, and bank and database files are not readable by other users."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from seguro_desempleo.cli import main
from seguro_desempleo.storage.db import make_engine, upgrade
from tests.claims.test_sql_stores import seed_worker


@pytest.fixture
def paid(migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, Path]:
    eng = make_engine(migrated_url)
    try:
        ref = seed_worker(eng, tmp_path)
    finally:
        eng.dispose()
    assert main(["claims", "file", "--worker", ref, "--date", "2025-03-20", "--db", migrated_url]) == 0
    assert main(["claims", "decide", "C-000001", "--date", "2025-03-21", "--db", migrated_url]) == 0
    bank = tmp_path / "bn.txt"
    assert main(["claims", "pay-run", "--period", "2025-08", "--date", "2025-08-25", "--out", str(bank),
                 "--db", migrated_url]) == 0
    capsys.readouterr()
    return migrated_url, bank


def test_pay_run_refuses_an_existing_bank_file_and_pays_nothing(paid: tuple[str, Path], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    url, bank = paid
    first = bank.read_bytes()
    assert first
    assert main(["claims", "pay-run", "--period", "2025-09", "--date", "2025-09-25", "--out", str(bank),
                 "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already exists" in err and "bank-file" in err
    assert bank.read_bytes() == first


def test_bank_file_re_export_gives_the_same_file(paid: tuple[str, Path], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    url, bank = paid
    again = tmp_path / "again.txt"
    assert main(["claims", "bank-file", "--period", "2025-08", "--date", "2025-08-25", "--out", str(again),
                 "--db", url]) == 0
    assert "re-exported" in capsys.readouterr().out
    assert again.read_bytes() == bank.read_bytes()
    assert main(["claims", "bank-file", "--period", "2025-08", "--date", "2025-08-25", "--out", str(again),
                 "--db", url]) == 2                                      # never overwritten either
    assert main(["claims", "bank-file", "--period", "2025-08", "--date", "2025-08-26", "--out",
                 str(tmp_path / "none.txt"), "--db", url]) == 2
    assert not (tmp_path / "none.txt").exists()


def test_bank_and_database_files_are_not_world_readable(paid: tuple[str, Path], tmp_path: Path) -> None:
    url, bank = paid
    assert stat.S_IMODE(bank.stat().st_mode) & 0o007 == 0
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal")):
            if p.exists():
                assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p


def test_a_new_sqlite_database_is_owner_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    upgrade(url)
    assert stat.S_IMODE((tmp_path / "new.sqlite3").stat().st_mode) == 0o600
