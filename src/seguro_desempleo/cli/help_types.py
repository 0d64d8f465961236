"""Help text for people: option types shown as TEXT, INTEGER, PATH… instead of Python type hints.

Typer 0.2x prints each option's annotation (``<str>``, ``<list[str]>``, ``<bool>``); a user of the
command line should not have to read Python. :func:`install` replaces the label once, for the
whole application (issue 30).
"""

from __future__ import annotations

from typing import Any

_LABELS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH", "Decimal": "DECIMAL",
           "bool": "", "path": "PATH", "file": "PATH", "directory": "PATH"}


def _label(raw: str) -> str | None:
    inner = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    repeat = inner.startswith("list[") and inner.endswith("]")
    if repeat:
        inner = inner[5:-1]
    choice = "|" in inner and all(c.strip() for c in inner.split("|"))
    label = inner if choice else _LABELS.get(inner, "TEXT")
    if not label:
        return None
    return f"{label} (repeatable)" if repeat else label


def install() -> None:
    from typer import core

    if getattr(core.TyperOption, "_plain_types", False):
        return

    def option_type(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        if self.is_flag:
            return None
        return _label(self.display_type(ctx))

    def argument_type(self: Any, ctx: Any) -> str | None:
        return _label(self.display_type(ctx))

    core.TyperOption.display_type_rich = option_type          # type: ignore[method-assign]
    core.TyperArgument.display_type_rich = argument_type      # type: ignore[method-assign]
    core.TyperOption._plain_types = True                      # type: ignore[attr-defined]
