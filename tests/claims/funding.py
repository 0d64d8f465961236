"""Cash in the fund for tests that pay benefits (issue 25: a run never pays beyond the bank balance)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.services import ledger as ledger_service

_N = itertools.count(1)


def fund(uow: Any, amount: int = 10**12, on: dt.date = dt.date(2025, 1, 2)) -> None:
    """Post *amount* céntimos into the bank account (against the reserve), in *uow* (not committed)."""
    ledger_service.post(uow, "test.funding", ((Accounts.BANK, amount, 0), (Accounts.RESERVE, 0, amount)),
                        ref=f"test-funding:{next(_N)}:{id(uow)}", at=on)


def fund_engine(engine: Any, amount: int = 10**12) -> None:
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(engine) as uow:
        fund(uow, amount)
        uow.commit()
