"""The composition root (ARCHITECTURE.md, "Target layout"; issue 24): the one module that wires
adapters to services, so that entry points (``cli/``, ``api/``, ``web/``) never import ``storage/``
and engines (``actuarial/``) never import a service.

Started with the fund's governance (issue 28): the other areas move here as they leave their
entry points. Settings: the database URL is the caller's (``--db``) or ``$SEGURO_DB_URL``, resolved
when a unit of work is opened (``storage.db.resolve_url``).
"""

from __future__ import annotations

from typing import Any


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
