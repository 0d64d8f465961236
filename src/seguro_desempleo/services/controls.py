"""Issue 25's money controls as staff use them, for the CLI, the API and the web alike (issue 24).

The entry points never reach storage: they hand the unit of work (or the claims context) they
already hold to :func:`controls` / :func:`fund_alerts`, and these work through the
:class:`~seguro_desempleo.claims.ports.ControlsStore` port the unit of work carries
(``uow.controls``, implemented in :mod:`seguro_desempleo.storage.money_safety`).

- the declaration review queue: flagged months accepted or rejected by staff, each decision
  audited as ``declaration.review``;
- the awards awaiting a second staff member (maker-checker; the approval itself is
  :meth:`ClaimService.approve_award <seguro_desempleo.claims.service.ClaimService.approve_award>`);
- the fund's alerts (payment runs that left installments due for lack of cash).

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from seguro_desempleo.claims.ports import AuditSink, ControlsStore
from seguro_desempleo.errors import InputError
from seguro_desempleo.periods import format_period

if TYPE_CHECKING:
    from seguro_desempleo.services.claims_app import ClaimsContext


class HasControls(Protocol):
    """A unit of work that carries the controls port (``SqlUnitOfWork`` does)."""

    @property
    def controls(self) -> ControlsStore: ...


def parse_review_id(text: object) -> int:
    """A flagged month's number as typed in a URL or on the command line (digits only)."""
    s = str(text)
    if not (s.isascii() and s.isdigit() and 0 < len(s) <= 9):
        raise InputError("not a flagged-month number", field="review_id")
    return int(s)


@dataclass
class Controls:
    """The review queue, the approval queue and the fund's alerts over one transaction."""

    store: ControlsStore
    audit: AuditSink
    clock: Callable[[], dt.datetime]

    def review_queue(self, *, status: str = "pending", limit: int = 200) -> list[dict[str, Any]]:
        return self.store.review_queue(status=status, limit=limit)

    def decide_review(self, review_id: object, accept: bool, *, actor: str,
                      now: dt.datetime | None = None) -> dict[str, Any]:
        """Accept (the month counts) or reject (it never does) a flagged month; audited."""
        now = now or self.clock()
        row = self.store.review_month(parse_review_id(review_id), accept, reviewer=actor, at=now.isoformat())
        self.audit.append(who=actor, when=now, action="declaration.review", entity=f"worker:{row['worker_id']}",
                          before={"period": format_period(int(row["period"])), "status": "pending"},
                          after={"period": format_period(int(row["period"])), "status": row["status"]})
        return row

    def approval_queue(self, *, limit: int = 200) -> list[dict[str, Any]]:
        return self.store.approval_queue(limit=limit)

    def fund_alerts(self, *, limit: int = 20) -> list[dict[str, Any]]:
        return self.store.fund_alerts(limit=limit)


def controls(ctx: ClaimsContext) -> Controls:
    """The controls over the claims context's unit of work, auditing into its chain, on its clock."""
    return Controls(ctx.uow.controls, ctx.audit, ctx.service.clock)


def fund_alerts(uow: HasControls, *, limit: int = 20) -> list[dict[str, Any]]:
    """The fund's latest alerts (the board's dashboard: no claims context needed)."""
    return uow.controls.fund_alerts(limit=limit)
