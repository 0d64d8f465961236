"""The command line's faces (issue 30): help for people, no empty database from a typo, claims list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from seguro_desempleo.cli import build_app, main


def _commands() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []

    def walk(c: Any, path: list[str]) -> None:
        if hasattr(c, "commands"):
            for n, sub in c.commands.items():
                walk(sub, [*path, n])
        else:
            out.append((" ".join(path), c))

    walk(typer.main.get_command(build_app()), [])
    return out


def test_every_option_has_help() -> None:
    missing = [f"{name} {p.opts[0]}" for name, c in _commands() for p in c.params
               if getattr(p, "param_type_name", "") == "option" and not p.help]
    assert missing == []


def test_help_shows_no_python_type_hints(capsys: pytest.CaptureFixture[str]) -> None:
    leaks = []
    for name, _ in _commands():
        capsys.readouterr()
        assert main([*name.split(), "--help"]) == 0
        text = capsys.readouterr().out
        for hint in ("<str>", "<int>", "<bool>", "<float>", "<list[", "<path>", "<Path>"):
            if hint in text:
                leaks.append(f"{name}: {hint}")
    assert leaks == []


@pytest.mark.parametrize("argv", [["ledger", "balance"], ["ledger", "trial-balance"], ["ledger", "verify"],
                                  ["audit", "verify"], ["claims", "show", "C-000001"], ["claims", "list"],
                                  ["payroll", "arrears"], ["db", "current"]])
def test_a_mistyped_db_creates_nothing(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "sguro.sqlite3"
    assert main([*argv, "--db", str(typo)]) == 2
    err = capsys.readouterr().err
    assert "--db" in err and "no database file" in err and "Traceback" not in err
    assert not typo.exists() and list(tmp_path.iterdir()) == []


def test_db_init_still_creates(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite3"
    assert main(["db", "init", "--db", str(new)]) == 0
    assert new.exists()


def test_claims_list_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.api.seed import seeded_db

    url, a, b = seeded_db(tmp_path)
    db = url.split("sqlite:///", 1)[1]
    assert main(["claims", "file", "--worker", a, "--date", "2025-03-20", "--decide", "--db", db]) == 0
    assert main(["claims", "file", "--worker", b, "--date", "2025-03-20", "--decide", "--db", db]) == 0
    capsys.readouterr()

    def listed(*args: str) -> list[dict[str, Any]]:
        assert main(["claims", "list", "--format", "json", "--db", db, *args]) == 0
        rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
        return rows

    every = listed()
    assert [r["worker_id"] for r in every] == [a, b]
    denied = listed("--state", "denied")
    assert [r["worker_id"] for r in denied] == [b] and denied[0]["denied_for"] and denied[0]["total"] is None
    assert [r["worker_id"] for r in listed("--worker", a)] == [a]
    assert listed("--period", "2025-02") == [] and len(listed("--period", "2025-03")) == 2
    assert main(["claims", "list", "--state", "nope", "--db", db]) == 2
    assert "--state" in capsys.readouterr().err
    # The text form says why a claim was denied.
    assert main(["claims", "show", denied[0]["id"], "--db", db]) == 0
    assert "denied: " in capsys.readouterr().out


def test_a_stored_decision_names_the_cause_with_its_tabla_17_label(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from tests.api.seed import seeded_db

    url, a, _ = seeded_db(tmp_path)
    db = url.split("sqlite:///", 1)[1]
    assert main(["claims", "file", "--worker", a, "--date", "2025-03-20", "--decide", "--format", "json",
                 "--db", db]) == 0
    claim = json.loads(capsys.readouterr().out)
    detail = next(r["detail"] for r in claim["decision"]["reasons"] if r["requirement"] == "contingency")
    assert detail.startswith("Motivo de cese 03 (") and "Motivo de cese 03:" not in detail
