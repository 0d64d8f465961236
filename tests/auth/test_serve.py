"""``serve`` and ``check-config`` (issue 27, and issue 25's SEGURO_SECRET item): the demo log-in only
for a database ``demo`` created or with ``--demo-logins``, never off loopback; a secret of 32+ bytes
whenever several workers or a non-loopback address need it; the first admin's hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seguro_desempleo.cli import main
from seguro_desempleo.cli.serve import is_loopback, serve_plan
from seguro_desempleo.errors import InputError

GOOD = "s" * 32


@pytest.mark.parametrize(("host", "expected"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                                ("127.0.0.2", True), ("0.0.0.0", False), ("10.0.0.5", False),
                                                ("example.org", False), ("::", False)])
def test_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_workers_need_a_long_secret() -> None:
    with pytest.raises(InputError, match=r"SEGURO_SECRET.*--workers"):
        serve_plan("127.0.0.1", 4, None, None)
    with pytest.raises(InputError, match="at least 32 bytes"):
        serve_plan("127.0.0.1", 4, None, "short")
    with pytest.raises(InputError, match="at least 32 bytes"):
        serve_plan("127.0.0.1", 1, None, "short")               # a short secret is refused always
    assert serve_plan("127.0.0.1", 4, None, GOOD) == "auto"
    assert serve_plan("127.0.0.1", 1, None, None) == "auto"      # one local process may use a random key


def test_non_loopback_needs_a_secret_and_never_serves_the_demo_log_in() -> None:
    with pytest.raises(InputError, match="not loopback"):
        serve_plan("0.0.0.0", 1, None, None)
    with pytest.raises(InputError, match="never"):
        serve_plan("0.0.0.0", 1, True, GOOD)
    assert serve_plan("0.0.0.0", 1, None, GOOD) == "0"
    assert serve_plan("127.0.0.1", 1, True, None) == "1"
    assert serve_plan("127.0.0.1", 1, False, None) == "0"


def _serve(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[int, dict[str, Any]]:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    # serve writes these into os.environ for its workers: set then delete each through monkeypatch,
    # so that whatever serve writes is undone after the test (a bare delenv of an absent variable
    # records nothing, and the demo's date leaked into later page tests of the same worker)
    for name in ("SEGURO_SECRET", "SEGURO_DEMO_LOGINS", "SEGURO_DB_URL", "SEGURO_WEB_TODAY"):
        monkeypatch.setenv(name, "-")
        monkeypatch.delenv(name)
    return main(["serve", *args]), seen


def test_serve_refuses_workers_without_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rc, seen = _serve(monkeypatch, ["--workers", "2", "--db", str(tmp_path / "x.sqlite3")])
    assert rc == 2 and not seen and "SEGURO_SECRET" in capsys.readouterr().err


def test_serve_on_a_fresh_database_says_how_to_create_the_first_admin(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "fresh.sqlite3")
    assert main(["db", "init", "--db", db]) == 0
    rc, seen = _serve(monkeypatch, ["--db", db])
    out = capsys.readouterr().out
    assert rc == 0 and seen["host"] == "127.0.0.1"
    assert "users add <name> --role admin" in out and "DEMO LOG-IN IS ON" not in out


def test_demo_log_in_follows_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A database `demo` did not create: the app refuses the demo log-in; one it created: allowed."""
    import os

    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import app_from_env
    from seguro_desempleo.bootstrap import accounts_for

    db = str(tmp_path / "plain.sqlite3")
    from seguro_desempleo.storage.claims_repositories import AuditSequencer

    monkeypatch.setattr(AuditSequencer, "background", AuditSequencer.background)   # app_from_env sets it
    assert main(["db", "init", "--db", db]) == 0
    _serve(monkeypatch, ["--db", db])
    assert os.environ["SEGURO_DEMO_LOGINS"] == "auto"
    with TestClient(app_from_env()) as c:
        assert c.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 403
    accounts_for(os.environ["SEGURO_DB_URL"]).mark_demo_database()
    with TestClient(app_from_env()) as c:
        assert c.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 200
        assert "DEMOSTRACIÓN" in c.get("/").text          # the banner while the demo log-in is on
    _serve(monkeypatch, ["--db", db, "--no-demo-logins"])
    with TestClient(app_from_env()) as c:
        assert c.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 403
        assert "DEMOSTRACIÓN" not in c.get("/").text


def test_check_config_lists_what_production_lacks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    for var in ("SEGURO_SECRET", "SEGURO_OIDC_ISSUER", "SEGURO_PUBLIC_URL", "FORWARDED_ALLOW_IPS",
                "SEGURO_DEMO_LOGINS"):
        monkeypatch.delenv(var, raising=False)
    db = str(tmp_path / "c.sqlite3")
    assert main(["db", "init", "--db", db]) == 0
    assert main(["check-config", "--db", db]) == 1
    out = capsys.readouterr().out
    for gap in ("SQLite", "SEGURO_SECRET", "no enabled admin", "https://", "FORWARDED_ALLOW_IPS"):
        assert gap in out, gap


def test_users_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "u.sqlite3")
    assert main(["db", "init", "--db", db]) == 0
    monkeypatch.setenv("SEGURO_NEW_PASSWORD", "password")
    assert main(["users", "add", "root", "--role", "admin", "--db", db]) == 2
    assert "too common" in capsys.readouterr().err
    monkeypatch.setenv("SEGURO_NEW_PASSWORD", "correct horse battery staple")
    assert main(["users", "add", "root", "--role", "admin", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "TOTP secret" in out and out.count("-") >= 10 and "correct horse" not in out
    assert main(["users", "list", "--db", db]) == 0
    assert "root" in capsys.readouterr().out
    assert main(["users", "disable", "root", "--db", db]) == 0
    assert main(["users", "list", "--db", db]) == 0
    assert "disabled" in capsys.readouterr().out
    assert main(["users", "roles", "nobody", "--role", "analyst", "--db", db]) == 2
    assert main(["clients", "add", "sunat-import", "--role", "analyst", "--scope", "write:payroll",
                 "--db", db]) == 0
