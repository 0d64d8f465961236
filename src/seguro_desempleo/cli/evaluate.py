"""CLI: ``evaluate`` (decide claim cases from a JSON file) and ``parameters`` (the law in force)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from seguro_desempleo.errors import InputError
from seguro_desempleo.parameters import default_parameters, parse_override
from seguro_desempleo.parameters.model import to_jsonable
from seguro_desempleo.periods import parse_date


def _read_json(path: str) -> object:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", where=path) from None


def register(app: typer.Typer) -> None:
    @app.command()
    def evaluate(
        cases_file: Annotated[str, typer.Argument(metavar="CASES.json", help="One case or a list; '-' for stdin.")],
        at: Annotated[str | None, typer.Option("--at", help="Judge under the parameters in force on this date "
                                                "(default: each case's claim date).")] = None,
        param: Annotated[list[str] | None, typer.Option("--param", help="Override NAME=VALUE (validated "
                                                        "against the law's bounds). Repeatable.")] = None,
        reform: Annotated[str | None, typer.Option("--reform", help="A reform overlay from parameters/reforms/.")] = None,
        trace: Annotated[bool, typer.Option("--trace/--no-trace", help="Include the full trace.")] = True,
    ) -> None:
        """Decide claims against arts. 3, 5, 6 and 7 and print the JSON decisions."""
        from seguro_desempleo.services.evaluation import apply_overrides, evaluate_cases, parse_cases

        raw = _read_json(cases_file)
        at_date = parse_date(at, field="--at") if at else None
        params = default_parameters()
        if reform:
            params = params.with_reform(reform)
        params = apply_overrides(params, (parse_override(p) for p in (param or [])))
        cases = parse_cases(raw)
        decisions = evaluate_cases(cases, params, at_date)
        payload = [d.to_dict(with_trace=trace) for d in decisions]
        out = payload if isinstance(raw, list) else payload[0]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))

    @app.command()
    def parameters(
        at: Annotated[str | None, typer.Option("--at", help="Date (default: today).")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
        reform: Annotated[str | None, typer.Option("--reform", help="A reform overlay from parameters/reforms/.")] = None,
    ) -> None:
        """List every parameter in force with its value, label, unit and reference."""
        import datetime as dt

        params = default_parameters()
        if reform:
            params = params.with_reform(reform)
        date = parse_date(at, field="--at") if at else dt.date.today()
        snap = params.at(date)
        rows = []
        for name in params.names():
            if name not in snap:
                continue
            p = params[name]
            rows.append({**snap.read(name).as_dict(), "description": p.description, "note": p.note})
        if fmt == "json":
            typer.echo(json.dumps({"date": date.isoformat(), "parameter_set": params.name, "parameters": rows},
                                  ensure_ascii=False, indent=2))
            return
        if fmt != "table":
            raise InputError(f"unknown format '{fmt}' (table|json)", field="--format")
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Parámetros vigentes al {date.strftime('%d/%m/%Y')} ({params.name})")
        for col in ("Parámetro", "Valor", "Unidad", "Desde", "Etiqueta", "Referencia"):
            table.add_column(col, overflow="fold")
        for r in rows:
            value = to_jsonable(r["value"])
            table.add_row(r["name"], ", ".join(map(str, value)) if isinstance(value, list) else str(value), r["unit"],
                          r["effective_date"], r["label"], r["reference"])
        Console(width=200).print(table)
