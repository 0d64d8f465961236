"""The fast lane (``pytest -m "not slow"``) keeps testing the law, the parity of its two paths and
the ledger, whatever the slow list says (tests/fixtures/markers.py, docs/testing.md)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.fixtures.markers import ALWAYS_FAST, FAST_LANE_CORE, SLOW_LIST

ROOT = Path(__file__).resolve().parents[2]


def _listed() -> set[str]:
    return {ln.strip() for ln in SLOW_LIST.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")}


@functools.cache
def _test_functions(module: str) -> frozenset[str]:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test"))


def test_every_core_module_keeps_a_test_off_the_slow_list() -> None:
    listed = {ln.split("[", 1)[0] for ln in _listed()}   # a function with any case listed counts as listed
    for module in FAST_LANE_CORE:
        functions = _test_functions(module)
        assert functions, module
        assert {f"{module}::{f}" for f in functions} - listed, f"{module}: every test is on the slow list"


def test_the_always_fast_modules_are_not_listed() -> None:
    assert not [ln for ln in _listed() if ln.startswith(ALWAYS_FAST)]


def test_the_list_names_tests_that_exist() -> None:
    """A renamed or deleted test leaves no stale line behind (re-measure with tests/fixtures/timing.py)."""
    for line in sorted(_listed()):
        module, _, name = line.partition("::")
        assert (ROOT / module).is_file(), line
        assert name.split("[", 1)[0].split("::")[-1] in _test_functions(module), line
