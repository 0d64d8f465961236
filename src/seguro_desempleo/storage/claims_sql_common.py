"""The claims stores' shared pieces: table handles, fixed statements, row mappers and the fast
JSON/COPY helpers (issue 24: split out of :mod:`.claims_repositories`, unchanged)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from seguro_desempleo.claims.appeals import Appeal, AppealKind, AppealOutcome
from seguro_desempleo.claims.decision import StoredDecision
from seguro_desempleo.claims.ports import Claim, SuspensionReason
from seguro_desempleo.claims.state import OPEN_STATES, ClaimState, ClaimStatus
from seguro_desempleo.storage.claims_models import (
    AuditLogRow,
    AuditOutboxRow,
    BenefitPaymentRow,
    ClaimAppealRow,
    ClaimRow,
    EsObligationRow,
    EsPlacementRow,
    EsRegistrationRow,
)

AUDIT_LOCK_KEY = 5510_2022
"""pg_advisory_xact_lock key that serialises appends to the audit chain."""

_C: Table = ClaimRow.__table__  # type: ignore[assignment]
_A: Table = ClaimAppealRow.__table__  # type: ignore[assignment]
_P: Table = BenefitPaymentRow.__table__  # type: ignore[assignment]
_L: Table = AuditLogRow.__table__  # type: ignore[assignment]
_OB: Table = AuditOutboxRow.__table__  # type: ignore[assignment]
_O: Table = EsObligationRow.__table__  # type: ignore[assignment]
_PL: Table = EsPlacementRow.__table__  # type: ignore[assignment]
_R: Table = EsRegistrationRow.__table__  # type: ignore[assignment]


_CREATE_OPEN_PG = (
    "WITH n AS (SELECT nextval('claim_number_seq') AS n) "
    "INSERT INTO claim (id, worker_ref, filed_on, separation_date, state, version, open_worker) "
    "SELECT 'C-' || CASE WHEN n.n < 1000000 THEN lpad(n.n::text, 6, '0') ELSE n.n::text END, "
    "%s, %s, %s, %s, %s, %s FROM n "
    "WHERE NOT EXISTS (SELECT 1 FROM claim WHERE worker_ref = %s AND separation_date = %s) "
    "ON CONFLICT DO NOTHING RETURNING id")
_CLAIM_COLUMNS = ("id, worker_ref, filed_on, separation_date, state, version, decided_on, first_period, "
                  "reemployment_date, suspension_reason, decision, open_worker")
_GET_CLAIM = ("SELECT id, worker_ref, filed_on, separation_date, state, version, decided_on, first_period, "
              "reemployment_date, suspension_reason, decision, open_worker FROM claim WHERE id = %s")
"""A claim's :data:`_CLAIM_COLUMNS` by id (written out, tested)."""
_SAVE_CLAIM = ("UPDATE claim SET worker_ref = %s, filed_on = %s, separation_date = %s, state = %s, version = %s, "
               "decided_on = %s, first_period = %s, reemployment_date = %s, suspension_reason = %s, "
               "decision = %s::json, open_worker = %s WHERE id = %s AND version = %s")


_orjson: Any
try:
    import orjson as _orjson
except ImportError:             # optional: the standard library's encoder does the same, slower
    _orjson = None


def fast_json(value: Any) -> str:
    """Compact JSON text of a JSON-ready value (orjson when installed: the 13 KB decision with its
    trace in a tenth of the time); anything orjson refuses goes through :func:`json.dumps`."""
    if _orjson is not None:
        try:
            return str(_orjson.dumps(value).decode("utf-8"))
        except TypeError:
            pass
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value: str) -> str:
    """A str as a COPY text-format field (backslash, tab, newline and carriage return escaped)."""
    return value if value.isprintable() and "\\" not in value else value.translate(_COPY_ESCAPES)


def copy_text_lines(cur: Any, statement: str, lines: Iterable[str], *, chunk: int = 20_000) -> None:
    """``COPY … FROM STDIN`` of lines already in COPY text format (fields escaped with
    :func:`copy_escape`, tab-separated), written in large blocks: far less Python per row than
    psycopg's ``write_row``."""
    with cur.copy(statement) as cp:
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= chunk:
                cp.write(("\n".join(block) + "\n").encode("utf-8"))
                block = []
        if block:
            cp.write(("\n".join(block) + "\n").encode("utf-8"))


def copy_text_rows(cur: Any, statement: str, rows: Iterable[tuple[Any, ...]], *, chunk: int = 20_000) -> None:
    """:func:`copy_text_lines` of tuples: str (escaped), int, date, or None (``\\N``)."""
    copy_text_lines(cur, statement, ("\t".join(["\\N" if v is None else copy_escape(v) if isinstance(v, str)
                                                else str(v) for v in row]) for row in rows), chunk=chunk)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --------------------------------------------------------------------------------------------- claims


def claim_from_row(r: Any) -> Claim:
    state = ClaimState(r.state)
    return Claim(
        id=r.id, worker_ref=r.worker_ref, filed_on=r.filed_on, separation_date=r.separation_date,
        status=ClaimStatus(r.id, state, r.version),
        decision=StoredDecision.from_dict(r.decision) if r.decision else None,
        decided_on=r.decided_on, first_period=r.first_period, reemployment_date=r.reemployment_date,
        suspension_reason=SuspensionReason(r.suspension_reason) if r.suspension_reason else None)


def _claim_values(c: Claim) -> dict[str, Any]:
    return {"worker_ref": c.worker_ref, "filed_on": c.filed_on, "separation_date": c.separation_date,
            "state": c.state.value, "version": c.version, "decided_on": c.decided_on,
            "first_period": c.first_period, "reemployment_date": c.reemployment_date,
            "suspension_reason": c.suspension_reason.value if c.suspension_reason else None,
            "decision": c.decision.to_dict() if c.decision else None,
            "open_worker": c.worker_ref if c.state in OPEN_STATES else None}


def _appeal_from_row(r: Any) -> Appeal:
    return Appeal(r.id, r.claim_id, AppealKind(r.kind), r.notified_on, r.filed_on, r.filing_deadline,
                  r.resolution_due, AppealOutcome(r.outcome), r.resolved_on, r.grounds or "")


def _appeal_values(a: Appeal) -> dict[str, Any]:
    return {"claim_id": a.claim_id, "kind": a.kind.value, "notified_on": a.notified_on, "filed_on": a.filed_on,
            "filing_deadline": a.filing_deadline, "resolution_due": a.resolution_due,
            "outcome": a.outcome.value, "resolved_on": a.resolved_on, "grounds": a.grounds}
