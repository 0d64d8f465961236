"""CLI commands: serve (to be filled by its area)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to *app*."""
