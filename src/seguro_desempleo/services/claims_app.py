"""The claims service wired to the database: one :class:`ClaimService` per unit of work.

::

    with SqlUnitOfWork(db_url) as uow:
        svc = claim_service(uow)
        claim = svc.file_claim(worker_ref, today, actor="worker:17")
        uow.commit()

Everything the service writes (claim, payments, ledger, audit, obligations) goes into the one
transaction of *uow*; leaving the block without ``commit`` writes nothing. The web pages and the
API use :func:`claim_service`; the CLI uses :func:`session` (open, call, commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from seguro_desempleo.claims.audit import ChainReport, verify_chain
from seguro_desempleo.claims.service import ClaimService
from seguro_desempleo.claims.sql_adapters import SqlHistoryProvider, SqlLedgerPoster
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.storage.claims_repositories import (
    SqlAuditSink,
    SqlClaimRepository,
    SqlEmploymentService,
    SqlPaymentStore,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork


@dataclass
class ClaimsContext:
    """The service plus the concrete stores (for listings the Protocols do not name)."""

    uow: SqlUnitOfWork
    service: ClaimService
    claims: SqlClaimRepository
    payments: SqlPaymentStore
    audit: SqlAuditSink
    employment: SqlEmploymentService
    history: SqlHistoryProvider


def claims_context(uow: SqlUnitOfWork, *, params: ParameterSet | None = None,
                   clock: Callable[[], dt.datetime] | None = None,
                   registered: Callable[[str, dt.date], bool] | None = None,
                   schedule_obligations: bool = True) -> ClaimsContext:
    s = uow.session
    claims, payments, audit = SqlClaimRepository(s), SqlPaymentStore(s), SqlAuditSink(s)
    employment, history = SqlEmploymentService(s), SqlHistoryProvider(uow, registered=registered)
    svc = ClaimService(claims=claims, history=history, payments=payments, ledger=SqlLedgerPoster(uow),
                       audit=audit, employment=employment, params=params or default_parameters(),
                       schedule_obligations=schedule_obligations)
    if clock is not None:
        svc.clock = clock
    return ClaimsContext(uow, svc, claims, payments, audit, employment, history)


def claim_service(uow: SqlUnitOfWork, *, params: ParameterSet | None = None,
                  clock: Callable[[], dt.datetime] | None = None) -> ClaimService:
    """A :class:`ClaimService` over the SQL stores of *uow* (the caller commits)."""
    return claims_context(uow, params=params, clock=clock).service


@contextmanager
def session(db: str | None = None, *, params: ParameterSet | None = None) -> Iterator[ClaimsContext]:
    """Open a unit of work on *db*, yield the claims context, commit if the block succeeds."""
    with SqlUnitOfWork(db) as uow:
        ctx = claims_context(uow, params=params)
        yield ctx
        uow.commit()


def verify_audit(uow: SqlUnitOfWork) -> ChainReport:
    """Check the whole hash chain of the audit log."""
    return verify_chain(SqlAuditSink(uow.session).records())
