"""The claim's life as a state machine (issue 5; arts. 7 and 9 of PL 5510/2022-CR).

::

    filed ──► waiting (carencia) ──► approved ──► paying ──► exhausted
      │           │                  │  ▲          │  ▲
      │           ▼                  │  │          ▼  │
      └────────► denied ─────────────┘  │       suspended
                  (appeal reversal) ────┘          │
    any open state ──► closed (withdrawn, re-employed for good, acto firme)

The allowed transitions are data (:data:`TRANSITIONS`), each with the action that causes it, so
the API, the docs and the tests read one table. A change is a :class:`Transition` record that
carries the version it was based on: the store must apply it only if the claim still has that
version (optimistic concurrency: of two caseworkers deciding one claim, exactly one wins, the
other gets a :class:`~seguro_desempleo.errors.ConflictError`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from seguro_desempleo.errors import ConflictError, InputError


class ClaimState(StrEnum):
    FILED = "filed"
    WAITING = "waiting"          # período de carencia (art. 7) not yet served
    APPROVED = "approved"
    DENIED = "denied"
    PAYING = "paying"
    SUSPENDED = "suspended"      # re-employment or unjustified non-compliance with obligations
    EXHAUSTED = "exhausted"      # every installment paid (art. 5: five months)
    CLOSED = "closed"


STATE_LABELS_ES: dict[ClaimState, str] = {
    ClaimState.FILED: "presentada",
    ClaimState.WAITING: "en período de carencia",
    ClaimState.APPROVED: "aprobada",
    ClaimState.DENIED: "denegada",
    ClaimState.PAYING: "en pago",
    ClaimState.SUSPENDED: "suspendida",
    ClaimState.EXHAUSTED: "agotada",
    ClaimState.CLOSED: "cerrada",
}

S = ClaimState

# (from, to) → action. Anything not listed is illegal.
TRANSITIONS: dict[tuple[ClaimState, ClaimState], str] = {
    (S.FILED, S.WAITING): "await_waiting_period",
    (S.FILED, S.APPROVED): "approve",
    (S.FILED, S.DENIED): "deny",
    (S.FILED, S.CLOSED): "withdraw",
    (S.WAITING, S.APPROVED): "approve",
    (S.WAITING, S.DENIED): "deny",
    (S.WAITING, S.CLOSED): "withdraw",
    (S.APPROVED, S.PAYING): "pay",
    (S.APPROVED, S.SUSPENDED): "suspend",
    (S.APPROVED, S.CLOSED): "close",
    (S.DENIED, S.APPROVED): "reverse_on_appeal",
    (S.DENIED, S.CLOSED): "close",
    (S.PAYING, S.PAYING): "pay",
    (S.PAYING, S.SUSPENDED): "suspend",
    (S.PAYING, S.EXHAUSTED): "exhaust",
    (S.PAYING, S.CLOSED): "close",
    (S.SUSPENDED, S.SUSPENDED): "suspend",     # a new reason (re-employment while suspended)
    (S.SUSPENDED, S.PAYING): "resume",
    (S.SUSPENDED, S.APPROVED): "resume",
    (S.SUSPENDED, S.EXHAUSTED): "exhaust",
    (S.SUSPENDED, S.CLOSED): "close",
    (S.EXHAUSTED, S.CLOSED): "close",
}

OPEN_STATES: frozenset[ClaimState] = frozenset(
    {S.FILED, S.WAITING, S.APPROVED, S.PAYING, S.SUSPENDED})
"""A worker may have one claim in these states at a time."""

TERMINAL_STATES: frozenset[ClaimState] = frozenset(
    s for s in ClaimState if not any(a == s for a, _ in TRANSITIONS))


def allowed_targets(state: ClaimState) -> frozenset[ClaimState]:
    return frozenset(b for a, b in TRANSITIONS if a == state)


def parse_state(text: object, *, field: str = "state") -> ClaimState:
    try:
        return ClaimState(str(text))
    except ValueError:
        names = ", ".join(s.value for s in ClaimState)
        raise InputError(f"'{text}' is not a claim state (one of {names})", field=field) from None


@dataclass(frozen=True)
class ClaimStatus:
    """The claim's current state and version (the row the store keeps)."""

    claim_id: str
    state: ClaimState = ClaimState.FILED
    version: int = 1


@dataclass(frozen=True)
class Transition:
    """One applied state change: what the store writes and the audit log records."""

    claim_id: str
    from_state: ClaimState
    to_state: ClaimState
    action: str
    from_version: int
    to_version: int
    at: dt.datetime
    actor: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "from_state": self.from_state.value,
                "to_state": self.to_state.value, "action": self.action,
                "from_version": self.from_version, "to_version": self.to_version,
                "at": self.at.isoformat(), "actor": self.actor, "reason": self.reason}


def check_transition(state: ClaimState, to: ClaimState, *, claim_id: str = "") -> str:
    """The action for ``state → to``; a :class:`ConflictError` with the reason if illegal."""
    action = TRANSITIONS.get((state, to))
    if action is None:
        allowed = ", ".join(sorted(s.value for s in allowed_targets(state))) or "none (final state)"
        where = f"claim {claim_id}" if claim_id else None
        raise ConflictError(f"cannot move a claim from '{state.value}' to '{to.value}'; "
                            f"allowed from '{state.value}': {allowed}", where=where)
    return action


def transition(status: ClaimStatus, to: ClaimState, *, expected_version: int, at: dt.datetime,
               actor: str, reason: str = "") -> tuple[ClaimStatus, Transition]:
    """Apply ``status → to`` if *expected_version* is still current and the move is legal.

    Returns the new status (version + 1) and the transition record. The store must persist it
    with a compare-and-set on ``from_version`` (``UPDATE … WHERE version = :from_version``).
    """
    if status.version != expected_version:
        raise ConflictError(f"claim changed meanwhile (version {status.version}, expected "
                            f"{expected_version}); reload it and try again", where=f"claim {status.claim_id}")
    action = check_transition(status.state, to, claim_id=status.claim_id)
    new = replace(status, state=to, version=status.version + 1)
    return new, Transition(status.claim_id, status.state, to, action, status.version, new.version, at,
                           actor, reason)
