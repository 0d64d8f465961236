"""Assumption sets kept outside this package, by name prefix (issue 24: the engine never imports a
service). The composition root registers a loader at start-up
(:func:`seguro_desempleo.bootstrap.register_assumption_loaders`): ``experience-YYYY``, the art. 10
study stored in the fund's database (issue 28). :func:`..assumptions.load_assumptions` consults it.

A module of its own, importing nothing, so registering costs nothing at a command's start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LOADERS: dict[str, Callable[[str], Any]] = {}
"""Name prefix → a loader taking the whole name and returning an ``Assumptions``."""


def register_loader(prefix: str, loader: Callable[[str], Any]) -> None:
    """Load the sets whose name starts with *prefix* with *loader* (the last registration wins)."""
    LOADERS[prefix] = loader
