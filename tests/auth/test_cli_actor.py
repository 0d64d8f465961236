"""The CLI records who ran it (issue 27): ``--actor`` must be an enabled account (checked against
the accounts of ``--db``, whichever option comes first); without it, the OS user."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from seguro_desempleo.bootstrap import accounts_for
from seguro_desempleo.cli import main
from tests.auth.conftest import STRONG, seed_worker


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, int]:
    path = str(tmp_path / "cli.sqlite3")
    assert main(["db", "init", "--db", path]) == 0
    url = f"sqlite:///{path}"
    wid = seed_worker(url, "40000021")
    accounts_for(url).add_user("mperez", "employment_officer", password=STRONG, by="test")
    accounts_for(url).add_user("baja", "caseworker", password=STRONG, by="test")
    accounts_for(url).set_disabled("baja")
    return path, wid


def _register(path: str, wid: int, *extra: str) -> int:
    return main(["claims", "register-employment", str(wid), "--date", "2026-01-05", "--channel", "empleos_peru",
                 "--format", "json", *extra])


def test_actor_is_checked_against_the_accounts(db: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    path, wid = db
    assert _register(path, wid, "--actor", "mperez", "--db", path) == 0
    assert json.loads(capsys.readouterr().out)["recorded_by"] == "cli:mperez/employment_officer"
    assert _register(path, wid, "--db", path, "--actor", "mperez") == 0          # the other order
    assert json.loads(capsys.readouterr().out)["recorded_by"] == "cli:mperez/employment_officer"
    assert _register(path, wid, "--actor", "caseworker:7", "--db", path) == 2
    assert "no enabled account" in capsys.readouterr().err
    assert _register(path, wid, "--db", path, "--actor", "baja") == 2            # disabled
    capsys.readouterr()


def test_without_actor_the_os_user_is_recorded(db: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    path, wid = db
    assert _register(path, wid, "--db", path) == 0
    assert json.loads(capsys.readouterr().out)["recorded_by"] == f"os:{getpass.getuser()}"
