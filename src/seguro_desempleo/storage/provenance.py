"""Per contribution month, which declaration and import first brought it, and when (issue 25,
migration ``0309_declared_months``, decision 0413).

Every version of a declaration is kept with its contribution records (a rectificatoria only
changes the declaration's status), and declaration ids only grow: the declaration that first
brought a worker-month is the smallest ``declaration_id`` among its contribution records, its
import is that declaration's ``import_file_id`` and the moment is the file's ``imported_at``.
The view ``declared_month`` (migration 0309) gives exactly that — a record that cannot drift from
the contributions it describes and that costs the national month's import nothing (a table
written beside the 3 million records would).

:func:`first_declared` reads it for some workers; :func:`flag_first_declarations` raises the two
plausibility flags that need it into the review queue (``declaration_review``, the queue of
decision 0307): a flagged month does not count toward eligibility until staff accept it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, text

from seguro_desempleo.periods import format_period

VIEW_SQL = (
    "CREATE VIEW declared_month AS "
    "SELECT f.worker_id, f.period, f.first_declaration_id, d.import_file_id AS first_import_file_id, "
    "i.imported_at AS first_declared_at "
    "FROM (SELECT worker_id, period, min(declaration_id) AS first_declaration_id "
    "      FROM contribution GROUP BY worker_id, period) f "
    "JOIN declaration d ON d.id = f.first_declaration_id "
    "LEFT JOIN import_file i ON i.id = d.import_file_id")
"""The provenance of each worker-month (no dependency on any constraint: a first load may drop
and rebuild the tables' keys around it)."""

LATE_DECLARATION_MONTHS = 3
"""A month is declared *long after it was due* when the import comes more than this many months
after its due date (day 15 of the following month, docs/payroll.md): PLAME's monthly schedule
leaves no honest reason for a quarter's delay on a worker the insurance has never seen."""

LATE_REASON = "declarado tarde: primera declaración del trabajador, meses después de su vencimiento"
QUALIFYING_REASON = "primera declaración que por sí sola completa los aportes exigidos (art. 7)"


@dataclass(frozen=True)
class MonthFlag:
    worker_id: int
    period: int
    pay: int
    reason: str
    sha256: str | None        # the import file (identity key) that brought the month


def first_declared(conn: Connection, worker_ids: Sequence[int]) -> list[tuple[int, int, int, int | None,
                                                                              dt.datetime | None]]:
    """``(worker_id, period, first_declaration_id, first_import_file_id, first_declared_at)``."""
    if not worker_ids:
        return []
    q = text("SELECT worker_id, period, first_declaration_id, first_import_file_id, first_declared_at "
             "FROM declared_month WHERE worker_id IN :w ORDER BY worker_id, period"
             ).bindparams(bindparam("w", expanding=True))
    return [(int(w), int(p), int(d), None if f is None else int(f), a)
            for w, p, d, f, a in conn.execute(q, {"w": sorted(set(worker_ids))})]


def due_date(period: int) -> dt.date:
    """Day 15 of the month after *period* (the reading of docs/payroll.md)."""
    nxt = period + 1
    return dt.date(nxt // 12, nxt % 12 + 1, 15)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from *earlier* to *later* (0 when *later* is earlier)."""
    n = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    return max(n, 0)


def new_months_flags(conn: Connection, declarations_after: int, today: dt.date, *, needed: int,
                     window: int) -> list[MonthFlag]:
    """The flags of the months the declarations with id above *declarations_after* brought
    (one import), for the workers *never seen before* (no contribution record of an earlier
    declaration):

    - a month with pay declared more than :data:`LATE_DECLARATION_MONTHS` months after its due
      date (:data:`LATE_REASON`);
    - every month of a first declaration whose months with pay alone reach *needed* within
      *window* months (the claim's requirement, art. 7: 12 of 24) (:data:`QUALIFYING_REASON`).
    """
    rows = conn.execute(text(
        "SELECT c.worker_id, c.period, c.insurable_pay, i.sha256 FROM contribution c "
        "JOIN declaration d ON d.id = c.declaration_id LEFT JOIN import_file i ON i.id = d.import_file_id "
        "WHERE c.declaration_id > :after AND d.status = 'active' AND c.insurable_pay > 0 "
        "ORDER BY c.worker_id, c.period"), {"after": declarations_after}).all()
    if not rows:
        return []
    ids = sorted({int(r[0]) for r in rows})
    seen: set[int] = set()
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        q = text("SELECT DISTINCT worker_id FROM contribution WHERE worker_id IN :w AND declaration_id <= :after"
                 ).bindparams(bindparam("w", expanding=True))
        seen.update(int(w) for (w,) in conn.execute(q, {"w": part, "after": declarations_after}))
    by_worker: dict[int, dict[int, tuple[int, str | None]]] = {}
    for w, p, pay, sha in rows:
        if int(w) in seen:
            continue
        months = by_worker.setdefault(int(w), {})
        old = months.get(int(p))
        months[int(p)] = (int(pay) + (old[0] if old else 0), sha if old is None else old[1])
    flags: list[MonthFlag] = []
    for w, months in by_worker.items():
        reasons: dict[int, list[str]] = {}
        for p in months:
            if months_between(due_date(p), today) > LATE_DECLARATION_MONTHS:
                reasons.setdefault(p, []).append(LATE_REASON)
        periods = sorted(months)
        for end in periods:
            inside = [p for p in periods if end - window < p <= end]
            if len(inside) >= needed:
                for p in inside:
                    if QUALIFYING_REASON not in reasons.get(p, []):
                        reasons.setdefault(p, []).append(QUALIFYING_REASON)
        for p in sorted(reasons):
            flags.append(MonthFlag(w, p, months[p][0], "; ".join(reasons[p]), months[p][1]))
    return flags


def enqueue(conn: Connection, flags: Sequence[MonthFlag], *, at: str) -> int:
    """Put *flags* in the review queue (``declaration_review``, source ``import``) unless the
    worker-month is there already; the number added."""
    from seguro_desempleo.storage.models_money_safety import DeclarationReviewRow

    r = DeclarationReviewRow
    known = {(int(w), int(p)) for w, p in conn.execute(
        select(r.worker_id, r.period).where(r.worker_id.in_(sorted({f.worker_id for f in flags}))))}
    rows = [{"worker_id": f.worker_id, "period": f.period, "remuneration": f.pay, "reasons": f.reason[:200],
             "status": "pending", "flagged_at": at, "source": "import"}
            for f in flags if (f.worker_id, f.period) not in known]
    if rows:
        conn.execute(insert(r), rows)
    return len(rows)


def describe(flags: Sequence[MonthFlag]) -> str:
    """The flagged months in one line for the employer (months, never a document)."""
    months = sorted({f.period for f in flags})
    workers = len({f.worker_id for f in flags})
    return (f"{len(flags)} mes(es) de {workers} trabajador(es) quedan en revisión y no cuentan hasta que el "
            f"personal los acepte: {', '.join(format_period(m) for m in months[:24])}"
            + (" …" if len(months) > 24 else ""))


