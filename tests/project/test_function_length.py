"""No function over 80 lines under ``src/`` (issue 24), the hot kernels included.

A function's length is ``end_lineno - lineno + 1`` of its ``def`` node (decorators left out, its
docstring and comments in), read from the ``ast`` of every module under ``src/seguro_desempleo``
(the Alembic migrations included); a nested function counts on its own and inside its parent.

``ALLOWED`` listed the functions over the limit when the test was written (the three hot kernels:
the REM scan, the compiled simulation kernel, the numpy month); they were split into named parts
at the same speed (decision 0807) and the list is empty. It may only shrink: a new long function
fails at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "seguro_desempleo"
SRC = Path(__file__).resolve().parents[2] / "src" / PACKAGE
MAX_LINES = 80

# "path under src/seguro_desempleo::qualified name". May only shrink.
ALLOWED: set[str] = set()


def functions(tree: ast.AST) -> list[tuple[str, int]]:
    """(qualified name, length in lines) of every function in *tree*, nested ones included."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                found.append((name, (child.end_lineno or child.lineno) - child.lineno + 1))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def long_functions() -> dict[str, int]:
    out: dict[str, int] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, length in functions(tree):
            if length > MAX_LINES:
                out[f"{path.relative_to(SRC).as_posix()}::{name}"] = length
    return out


def test_no_function_over_80_lines() -> None:
    new = {k: v for k, v in long_functions().items() if k not in ALLOWED}
    assert not new, (f"functions over {MAX_LINES} lines (split them into well-named steps):\n"
                     + "\n".join(f"{k}: {v} lines" for k, v in sorted(new.items())))


def test_allow_list_only_shrinks() -> None:
    gone = sorted(ALLOWED - set(long_functions()))
    assert not gone, (f"these functions are {MAX_LINES} lines or fewer now (or gone); remove them from "
                      "ALLOWED:\n" + "\n".join(gone))


def test_the_checker_counts_nested_functions_and_methods() -> None:
    inner = "\n".join(["    def inner():"] + ["        x = 1"] * 3)
    src = f"def outer():\n{inner}\n    return inner\n\n\nclass C:\n    async def m(self):\n        pass\n"
    assert functions(ast.parse(src)) == [("outer", 6), ("outer.inner", 4), ("C.m", 2)]
