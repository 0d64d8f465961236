"""Issue 25: every CLI usage error is one line on stderr, no traceback — through the REAL console
entry point ``seguro-desempleo`` (typer ≥ 0.20 bundles its own click, so a handler checking
``isinstance(exc, click.ClickException)`` never matched and every usage error was a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import seguro_desempleo

ENTRY = Path(sys.executable).with_name("seguro-desempleo")
ENV = {**os.environ, "PYTHONPATH": str(Path(seguro_desempleo.__file__).resolve().parents[1])}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENTRY), *args], env=ENV, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ("nope",),                                   # an unknown command
    ("claims", "file", "--bogus"),               # an unknown option
    ("ledger", "balance", "--at"),               # an option without its value
    ("claims", "decide"),                        # a missing argument
    ("claims", "show", "C-1", "extra", "more"),  # too many arguments
    ("--no-such-flag",),
])
def test_usage_errors_are_one_line_without_traceback(args: tuple[str, ...]) -> None:
    r = run(*args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "--help" in lines[0]


@pytest.mark.parametrize("args", [(), ("-h",), ("--help",), ("claims",), ("claims", "file", "-h")])
def test_help_is_help(args: tuple[str, ...]) -> None:
    r = run(*args)
    assert r.returncode == 0 and "Usage:" in r.stdout and "Traceback" not in r.stderr, r.stderr


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"seguro-desempleo {seguro_desempleo.__version__}"
