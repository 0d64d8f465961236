"""Repository-wide checks: ruff and mypy clean, the docs cover every command and parameter,
and the README opens with the two commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from seguro_desempleo.cli import build_app
from seguro_desempleo.parameters import default_parameters

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", tool, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.slow            # a tool run, not a test of the code: .ci/run runs it, the fast lane does not
@pytest.mark.xdist_group("quality")
def test_ruff_is_clean() -> None:
    r = _run("ruff", "check", "src", "tests", "bench", "tools")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("quality")
def test_mypy_is_clean() -> None:
    r = _run("mypy", "src")
    assert r.returncode == 0, r.stdout + r.stderr


def _docs_text() -> str:
    parts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(parts)


def _command_names() -> list[str]:
    import typer.main

    group = typer.main.get_group(build_app())
    names: list[str] = []
    for name, cmd in group.commands.items():
        sub = getattr(cmd, "commands", None)
        if sub:
            names += [f"{name} {s}" for s in sub]
        else:
            names.append(name)
    return names


def test_every_command_is_documented() -> None:
    text = _docs_text()
    missing = [n for n in _command_names() if f"seguro-desempleo {n}" not in text]
    assert not missing, f"commands without documentation (write `seguro-desempleo <cmd>` in docs/): {missing}"


def test_every_parameter_is_documented() -> None:
    law = (ROOT / "docs" / "law.md").read_text(encoding="utf-8")
    missing = [n for n in default_parameters().names() if f"`{n}`" not in law]
    assert not missing, f"parameters missing from docs/law.md: {missing}"


def test_every_reform_is_documented() -> None:
    law = (ROOT / "docs" / "law.md").read_text(encoding="utf-8")
    reforms = sorted(p.stem for p in (ROOT / "src/seguro_desempleo/parameters/reforms").glob("*.yaml"))
    assert reforms and not [r for r in reforms if f"`{r}`" not in law]


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block is not None
    commands = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 2
    assert "pip install -e ." in commands[0] and "seguro-desempleo" in commands[0]
    assert commands[1].strip() == "bash .ci/run"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pytest" in ci and ".[test]" in ci


def test_glossary_maps_the_law_parameters() -> None:
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for article in ("art. 3", "art. 5", "art. 6", "art. 7", "art. 8"):
        assert article in glossary
    short = {n.split(".")[-1] for n in default_parameters().names()}
    key_terms = {"qualifying_contributions", "waiting_period_days", "employer_rate", "cts_rate", "rates"}
    assert key_terms <= short
    assert all(t in glossary for t in key_terms)


def test_main_returns_the_exit_code_a_command_asks_for() -> None:
    import typer

    from seguro_desempleo import cli

    app = typer.Typer()

    @app.command()
    def fail() -> None:
        raise typer.Exit(1)

    @app.command()
    def ok() -> None:
        pass

    original = cli.build_app
    cli.build_app = lambda: app  # type: ignore[assignment]
    try:
        assert cli.main(["fail"]) == 1
        assert cli.main(["ok"]) == 0
    finally:
        cli.build_app = original  # type: ignore[assignment]


def test_glossary_gathers_every_area() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "gather_glossary.py"), "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
