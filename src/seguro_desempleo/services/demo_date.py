"""The demo's own date: the demo records the last day it simulated; ``serve`` opens a demo
database at that date (decision 0381).

A demo of 2024-01 … 2025-12 run on a later real date would otherwise show every installment as
paid long ago and hide nothing; a demo run today of months still ahead would show claims filed
"in the future". The last date is an audit record (``demo.end``, entity ``demo``) in the
database itself, so it travels with the file and needs no variable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

DEMO_END = "demo.end"
DEMO_START = "demo.start"


def record_last_date(ctx: Any, last: dt.date) -> None:
    """Append the ``demo.end`` record: the last day the demo simulated."""
    ctx.audit.append(who="demo", when=dt.datetime.now(dt.UTC), action=DEMO_END, entity="demo",
                     before=None, after={"last_date": last.isoformat()})


def demo_last_date(db: str | None) -> dt.date | None:
    """The last date of the demo that made *db*; ``None`` for a database the demo did not make,
    one that does not exist, or one that cannot be read (serve then uses the real date)."""
    from sqlalchemy import inspect, text

    from seguro_desempleo.storage.db import make_engine, resolve_url

    try:
        url = resolve_url(db)
    except Exception:                                   # an unsupported URL: serve reports it itself
        return None
    if url.startswith("sqlite:///"):
        from pathlib import Path

        path = url.split("sqlite:///", 1)[1]
        if not path or path == ":memory:" or not Path(path).is_file():
            return None                                 # never create a file just to look
    engine = make_engine(url)
    try:
        if "audit_log" not in set(inspect(engine).get_table_names()):
            return None
        with engine.connect() as conn:
            first = conn.execute(text("SELECT action FROM audit_log ORDER BY seq LIMIT 1")).scalar()
            if first != DEMO_START:
                return None
            after = conn.execute(text("SELECT after FROM audit_log WHERE action = :a ORDER BY seq DESC LIMIT 1"),
                                 {"a": DEMO_END}).scalar()
    except Exception:                                   # an unreachable or odd database: no pinned date
        return None
    finally:
        engine.dispose()
    if isinstance(after, str):
        import json

        after = json.loads(after)
    try:
        return dt.date.fromisoformat(after["last_date"]) if after else None
    except (KeyError, TypeError, ValueError):
        return None
