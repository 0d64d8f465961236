"""The claims service's SQL stores over one unit of work (issue 24: the wiring of
``services.claims_app.claims_context`` moved here, so the service imports no storage).

``uow.claim_stores(...)`` builds them in the order the context always built them (the audit sink
registers itself with the session); ``uow.registrations`` is the employment-service registrations'
store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seguro_desempleo.storage.claims_repositories import (
    SqlAuditSink,
    SqlClaimRepository,
    SqlEmploymentService,
    SqlPaymentStore,
)
from seguro_desempleo.storage.claims_sql import SqlHistoryProvider, SqlLedgerPoster


@dataclass
class ClaimStores:
    """The concrete stores a :class:`~seguro_desempleo.claims.service.ClaimService` works with."""

    claims: SqlClaimRepository
    payments: SqlPaymentStore
    audit: SqlAuditSink
    employment: SqlEmploymentService
    history: SqlHistoryProvider
    ledger: SqlLedgerPoster


def claim_stores(uow: Any, *, registered: Callable[[str, dt.date], bool] | None, params: Any) -> ClaimStores:
    s = uow.session
    claims, payments, audit = SqlClaimRepository(s), SqlPaymentStore(s), SqlAuditSink(s)
    employment, history = SqlEmploymentService(s), SqlHistoryProvider(uow, registered=registered, params=params)
    return ClaimStores(claims, payments, audit, employment, history, SqlLedgerPoster(uow))
