"""Shared fixtures of the sign-in tests: a migrated database with a worker and accounts, a clock
that tests move, and the service over the real SQL store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from seguro_desempleo.bootstrap import accounts_for
from seguro_desempleo.services.accounts import Accounts

STRONG = "correct horse battery staple"   # 28 characters, not on the list


@dataclass
class Clock:
    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 12, 7, 9, 0, 0))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


def seed_worker(url: str, dni: str = "40000001") -> int:
    from seguro_desempleo.services.registry import register_worker
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(url) as uow:
        w = register_worker(uow, "01", dni, sex="F", birth_date=dt.date(1990, 1, 1), region="Lima")
        uow.commit()
        return int(w.id)


def totp_now(secret: str, when: dt.datetime) -> str:
    import pyotp

    return str(pyotp.TOTP(secret).at(when.replace(tzinfo=dt.UTC)))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(migrated_url: str, clock: Clock) -> Accounts:
    svc = accounts_for(migrated_url)
    svc.clock = clock
    return svc
