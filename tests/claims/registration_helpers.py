"""Seed helper: record an employment-service registration (art. 7) for every registry worker."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

EARLY = dt.date(2000, 1, 1)


def register_all_workers(target: sa.Engine | Session, on: dt.date = EARLY) -> None:
    """Insert a registration for each worker without one: on the day of the worker's latest
    separation on record (art. 7: the job loss is reported on or after it, issue 26 item 7), or
    on *on* for a worker with none."""
    sql = sa.text(
        "INSERT INTO es_registration (worker_id, registered_on, channel, reference, recorded_by, created_at) "
        "SELECT w.id, COALESCE((SELECT MAX(p.end_date) FROM employment_period p WHERE p.worker_id = w.id), :on), "
        "'centro_empleo', '', 'seed', '2000-01-01T00:00:00+00:00' FROM worker w "
        "WHERE NOT EXISTS (SELECT 1 FROM es_registration r WHERE r.worker_id = w.id)")
    if isinstance(target, Session):
        target.execute(sql, {"on": on})
        return
    with target.begin() as conn:
        conn.execute(sql, {"on": on})
