"""The demo as a scripted client of the services (ARCHITECTURE.md, "Target layout": ``demo.py``):
the run of :mod:`seguro_desempleo.services.demo` over the database the composition root wires
(``bootstrap.demo_database``; issue 24, decision 0805), its payroll files read by the parsers the
composition root wires (``bootstrap.payroll_parsers``, decision 0806)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from seguro_desempleo import bootstrap
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.services import demo as service
from seguro_desempleo.services.demo import DemoConfig, Progress


def database() -> Any:
    """The demo's database port, wired by the composition root."""
    return bootstrap.demo_database()


def run_demo(cfg: DemoConfig, params: ParameterSet | None = None,
             progress: Progress | None = None) -> dict[str, Any]:
    """:func:`seguro_desempleo.services.demo.run_demo` on the wired database and payroll parsers."""
    return service.run_demo(cfg, params, progress, database=database(), parsers=bootstrap.payroll_parsers())


def demo_last_date(db: str | None) -> dt.date | None:
    """:func:`seguro_desempleo.services.demo.demo_last_date` on the wired database and payroll parsers."""
    return service.demo_last_date(db, database=database())
