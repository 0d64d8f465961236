"""The architecture brief's arrows, checked over every import of every module (issue 24).

``../shared/ARCHITECTURE.md`` ("Layers" and "Target layout") draws the floors of the house; this
test reads the ``ast`` of each module under ``src/seguro_desempleo`` — imports inside functions
included, where a file's header does not show them — and fails on an arrow that points the wrong
way. The floors, innermost first:

- core: ``errors``, ``money``, ``periods``;
- domain: ``domain/`` (entities, value objects, ports) imports only the core;
- law: ``parameters/``, ``rules/``; and the claims core: ``claims/`` (state machine, appeals,
  audit record, decision, calendar, ports), ``payments/`` (benefit schedules, bank-file format),
  ``employment_service/`` (obligations) — none of them imports services, adapters or entry points;
- engines: ``actuarial/``, ``simulation/`` import the law and the domain, never storage;
- services: ``services/`` — use cases over ports: no storage, no formats, no reports, no
  SQLAlchemy or psycopg;
- adapters: ``storage/``, ``formats/``, ``reports/`` — never an entry point; ``formats/`` is pure
  (never storage);
- entry points: ``cli/``, ``api/``, ``web/`` — never storage, never each other;
- ``bootstrap`` — the one composition root, free to wire everything.

``ALLOWED`` lists the arrows found when the test was written (December 2026): it may only shrink.
A new wrong arrow fails at once; removing one from the code without removing it here also fails,
so the list always says exactly what is left to move.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "seguro_desempleo"
SRC = Path(__file__).resolve().parents[2] / "src" / PACKAGE

CORE = {"errors", "money", "periods"}
LAW = {"parameters", "rules"}
CLAIMS_CORE = {"claims", "payments", "employment_service"}
ENGINES = {"actuarial", "simulation"}
ADAPTERS = {"storage", "formats", "reports"}
ENTRY = {"cli", "api", "web"}
DB_DRIVERS = {"sqlalchemy", "psycopg", "psycopg2", "sqlite3", "alembic"}

#: For each top-level area, the areas it must never import.
FORBIDDEN: dict[str, set[str]] = {
    **{c: LAW | CLAIMS_CORE | ENGINES | {"services", "domain"} | ADAPTERS | ENTRY | {"bootstrap"}
       for c in CORE},
    "domain": LAW | CLAIMS_CORE | ENGINES | {"services"} | ADAPTERS | ENTRY | {"bootstrap"},
    **{a: ENGINES | {"services"} | ADAPTERS | ENTRY | {"bootstrap"} for a in LAW},
    **{a: ENGINES | {"services"} | ADAPTERS | ENTRY | {"bootstrap"} for a in CLAIMS_CORE},
    **{a: {"services"} | ADAPTERS | ENTRY | {"bootstrap"} for a in ENGINES},
    "services": ADAPTERS | ENTRY | {"bootstrap", "employment_service.adapter", "demo"},  # demo: the client
    "storage": ENTRY | {"bootstrap"},
    "formats": ENTRY | {"bootstrap", "storage", "services"},
    "reports": ENTRY | {"bootstrap", "storage"},
    "cli": {"storage", "api", "web"},
    "api": {"storage", "cli", "web"},
    "web": {"storage", "cli", "api"},
    "bootstrap": set(),
}
#: Areas that must not import a database driver or the ORM.
NO_DRIVERS = CORE | {"domain"} | LAW | CLAIMS_CORE | ENGINES | {"services", "formats"} | ENTRY

# Arrows present when the test was written; each entry: "module -> imported". May only shrink.
# The last four (services.evaluation -> formats.codes; services.payroll_import -> formats,
# formats.payroll_lines, storage.uow) went with the parser port (decision 0806): none is left.
ALLOWED: set[str] = set()


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def _imports(path: Path, module: str | None = None) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = module or _module_name(path)
    is_pkg = path.name == "__init__.py"
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append(target)
            # ``from seguro_desempleo import storage`` names the area in the alias
            if target == PACKAGE:
                found.extend(f"{PACKAGE}.{alias.name}" for alias in node.names)
    return found


def _area(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def _forbidden(area: str, target: str) -> bool:
    rest = target.split(".")[1:]
    rules = FORBIDDEN.get(area, set())
    return any(".".join(rest[: r.count(".") + 1]) == r for r in rules)


def violations() -> set[str]:
    found: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(path)
        area = _area(module)
        for target in _imports(path):
            top = target.split(".")[0]
            if top == PACKAGE:
                if _area(target) and _area(target) != area and _forbidden(area, target):
                    found.add(f"{module} -> {target}")
            elif top in DB_DRIVERS and area in NO_DRIVERS:
                found.add(f"{module} -> {target}")
    return found


def test_every_arrow_points_inward() -> None:
    new = sorted(violations() - ALLOWED)
    assert not new, "imports against the layers (ARCHITECTURE.md, Target layout):\n" + "\n".join(new)


def test_allow_list_only_shrinks() -> None:
    gone = sorted(ALLOWED - violations())
    assert not gone, "these arrows are gone from the code; remove them from ALLOWED:\n" + "\n".join(gone)


def test_the_checker_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from seguro_desempleo.storage import db\n    import sqlalchemy\n"
                   "    from ..storage import uow\n")
    assert _imports(src, "seguro_desempleo.web.m") == [
        "seguro_desempleo.storage", "sqlalchemy", "seguro_desempleo.storage"]
    assert _forbidden("web", "seguro_desempleo.storage.db")
    assert not _forbidden("web", "seguro_desempleo.services.ledger")
    assert _forbidden("services", "seguro_desempleo.employment_service.adapter")
    assert not _forbidden("services", "seguro_desempleo.employment_service.plan")
