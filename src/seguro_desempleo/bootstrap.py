"""The composition root (ARCHITECTURE.md, "Target layout"; issue 24): the one module that reads
settings and wires adapters to services, so that entry points (``cli/``, ``api/``, ``web/``) never
import ``storage/`` and engines (``actuarial/``) never import a service.

It started with sign-in (issue 27) and the fund's governance (issue 28); the other areas move here
as they leave their entry points. Settings: the database URL is the caller's (``--db``) or
``$SEGURO_DB_URL``, resolved when a unit of work is opened (``storage.db.resolve_url``).
"""

from __future__ import annotations

import os
from typing import Any

from seguro_desempleo.services.accounts import Accounts


def resolve_db_url(db: str | None = None) -> str:
    """``--db``, else ``$SEGURO_DB_URL``, else the SQLite file (storage.db.resolve_url)."""
    from seguro_desempleo.storage.db import resolve_url

    return resolve_url(db)


def accounts_for(db_url: str | None) -> Accounts:
    """The accounts service over the SQL store of *db_url* (the CLI, the API and the web share it)."""
    from seguro_desempleo.storage.accounts_repository import open_account_store

    return Accounts(lambda: open_account_store(db_url))


def oidc_settings_from_env() -> Any:
    """The OpenID Connect relying party's settings from ``SEGURO_OIDC_*``; None when not configured."""
    if not os.environ.get("SEGURO_OIDC_ISSUER"):
        return None
    from seguro_desempleo.web.oidc import OidcSettings

    return OidcSettings.from_env()


def unit_of_work(url: str | None = None) -> Any:
    """A unit of work (one transaction) on the database at *url* (``$SEGURO_DB_URL`` when None).

    Use it as a context manager; what it offers is what the services take as ``uow``
    (``uow.governance``, the port :class:`seguro_desempleo.domain.governance.GovernanceRepository`;
    ``uow.ledger``; ``commit``)."""
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    return SqlUnitOfWork(url)


def register_assumption_loaders(url: str | None = None) -> None:
    """Teach the valuation engine the assumption sets kept in the database: ``experience-YYYY``,
    the art. 10 study (issue 28), read from *url* (``$SEGURO_DB_URL`` at load time when None).

    Idempotent and cheap (nothing is imported until a set is loaded); the CLI calls it when it
    installs the governance commands."""
    from seguro_desempleo.actuarial.loaders import register_loader

    def experience(name: str) -> Any:
        from seguro_desempleo.services import governance  # on first use: a command's start stays light

        with unit_of_work(url) as uow:
            return governance.experience_assumptions(uow, name)

    register_loader("experience-", experience)


def database_unavailable(exc: BaseException) -> str | None:
    """The driver's error class when *exc* says the database cannot serve at all (unreachable, or
    without the schema: SQLAlchemy's ``OperationalError`` / ``ProgrammingError``), else None. The
    web's 503 page asks here, so that ``web/`` imports no SQLAlchemy (issue 24)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if isinstance(exc, (OperationalError, ProgrammingError)):
        return type(exc.orig).__name__
    return None
