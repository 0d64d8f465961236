"""The composition root (ARCHITECTURE.md, "Target layout"; issue 24): the one module that reads
settings and wires adapters to services, so that entry points (``cli/``, ``api/``, ``web/``) never
import ``storage/`` and engines (``actuarial/``) never import a service.

It started with sign-in (issue 27) and the fund's governance (issue 28); the other areas move here
as they leave their entry points. Settings: the database URL is the caller's (``--db``) or
``$SEGURO_DB_URL``, resolved when a unit of work is opened (``storage.db.resolve_url``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:       # imported on use: a command that only resolves --db stays light

    from fastapi import FastAPI

    from seguro_desempleo.domain.payroll import ImportSummary
    from seguro_desempleo.domain.payroll_parsers import PayrollParsers
    from seguro_desempleo.parameters import ParameterSet
    from seguro_desempleo.services.accounts import Accounts


def resolve_db_url(db: str | None = None) -> str:
    """``--db``, else ``$SEGURO_DB_URL``, else the SQLite file (storage.db.resolve_url)."""
    from seguro_desempleo.storage.db import resolve_url

    return resolve_url(db)


def accounts_for(db_url: str | None) -> Accounts:
    """The accounts service over the SQL store of *db_url* (the CLI, the API and the web share it)."""
    from seguro_desempleo.services.accounts import Accounts
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


def payroll_parsers() -> PayrollParsers:
    """The payroll files' readers (``formats/``) behind the import's port (decision 0806)."""
    from seguro_desempleo.formats.payroll_parsers import PARSERS

    return PARSERS


def import_files(paths: Sequence[str | Path], *, uow: Any = None, db: str | None = None,
                 params: ParameterSet | None = None, partial: bool = False, today: dt.date | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 employer_ruc: str | None = None) -> ImportSummary:
    """:func:`seguro_desempleo.services.payroll_import.import_files`, wired: the readers of
    ``formats/`` (:func:`payroll_parsers`), and inside the open *uow* (the caller commits) or in
    a unit of work of its own on *db* (``$SEGURO_DB_URL`` when None), opened, committed and
    closed by the import. The CLI, the API, the employer's page and the tests call this."""
    from seguro_desempleo.services import payroll_import

    return payroll_import.import_files(
        paths, parsers=payroll_parsers(), uow=uow, unit_of_work=None if uow is not None else lambda: unit_of_work(db),
        params=params, partial=partial, today=today, progress=progress, employer_ruc=employer_ruc)


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


def resolve_token(state: object, token: str, *, method: str = "GET", path: str = "/") -> Any:
    """The principal of a bearer token or a session cookie (``api/auth.py``: the API, the fast
    path and the web look callers up the same way). The web asks here, so that it does not import
    the API (issue 24; decision 0397 left this arrow)."""
    from seguro_desempleo.api.auth import resolve_token as resolve

    return resolve(state, token, method=method, path=path)


def is_session_token(token: str) -> bool:
    """A server-side session (``ses_…``, ended at sign-out) rather than a signed demo token."""
    from seguro_desempleo.api.auth import SESSION_PREFIX

    return token.startswith(SESSION_PREFIX)


def database_failure(exc: BaseException) -> tuple[bool, str] | None:
    """``(operational, the driver's message)`` when *exc* is the database refusing to serve
    (SQLAlchemy's ``OperationalError`` or ``ProgrammingError``), else None: the CLI words its one
    line from it without importing SQLAlchemy (issue 24)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    return isinstance(exc, OperationalError), str(getattr(exc, "orig", exc))


def init_database(db: str | None) -> tuple[str, str]:
    """Create the schema in a new database: ``(revision, the URL without its password)``."""
    from seguro_desempleo.storage import db as storage_db

    rev = storage_db.init(db)
    return rev, storage_db._safe(storage_db.resolve_url(db))


def upgrade_database(db: str | None, revision: str = "head") -> str:
    """Apply the pending migrations up to *revision*; the revision reached."""
    from seguro_desempleo.storage import db as storage_db

    rev: str = storage_db.upgrade(db, revision)
    return rev


def database_revision(db: str | None) -> str | None:
    """The revision the database is at (None: empty)."""
    from seguro_desempleo.storage import db as storage_db

    rev: str | None = storage_db.current_revision(db)
    return rev


@contextmanager
def claims_session(db: str | None = None, *, params: Any = None) -> Iterator[Any]:
    """Open a unit of work on *db*, yield the claims context (``services.claims_app``), commit if
    the block succeeds: the CLI's claims commands (was ``services.claims_app.session``)."""
    from seguro_desempleo.services.claims_app import claims_context

    with unit_of_work(db) as uow:
        ctx = claims_context(uow, params=params)
        yield ctx
        uow.commit()


def create_app(*, db_url: str | None = None, params: ParameterSet | None = None,
               secret: str | None = None, demo_logins: bool = False, today: dt.date | None = None,
               oidc: Any = None) -> FastAPI:
    """The application: the REST API (``api.app.build_api``) with the database's error handlers
    (``storage/errors.py``), the Spanish web pages (``web.routes.install``) and the claims fast path
    in front (``api.app.install_fast_path``), in that order. ``api.app.create_app`` calls here.

    *today* pins the service date (demos and tests); otherwise the real date. *demo_logins* is off
    unless asked for (secure by default, decision 0440): a test or a demo that needs the demo
    log-in passes ``demo_logins=True``; ``serve`` decides it in :func:`app_from_env` (on only for a
    database ``demo`` created or with ``--demo-logins``, never on a non-loopback address). Even on,
    it signs in only as the demo's accounts. *oidc* enables OpenID Connect sign-in
    (``web.oidc.OidcSettings``, :func:`oidc_settings_from_env`)."""
    from seguro_desempleo.api import app as api_app
    from seguro_desempleo.api import problems
    from seguro_desempleo.storage.errors import REFUSALS, refusal
    from seguro_desempleo.web.routes import install as install_web

    app = api_app.build_api(accounts=accounts_for(db_url), db_url=db_url, params=params, secret=secret,
                            demo_logins=demo_logins, today=today, oidc=oidc)
    problems.install_database_handlers(app, REFUSALS, refusal)
    install_web(app)
    api_app.install_fast_path(app)
    return app


def app_from_env() -> FastAPI:
    """The app as ``serve`` runs it: database from ``SEGURO_DB_URL``, demo log-in unless disabled."""
    import gc

    from seguro_desempleo.storage.claims_repositories import AuditSequencer

    # The server links audit records into the hash chain in a background thread (batches),
    # so a request does not wait for the sequencer's transaction.
    AuditSequencer.background = True
    db_url = os.environ.get("SEGURO_DB_URL")
    # serve sets SEGURO_DEMO_LOGINS to "1" (--demo-logins), "0" (refused: a non-loopback address,
    # --no-demo-logins) or "auto": on only when `demo` created this database (recorded in it).
    mode = os.environ.get("SEGURO_DEMO_LOGINS", "auto")
    demo = mode == "1" or (mode == "auto" and accounts_for(db_url).is_demo_database())
    app = create_app(db_url=db_url, demo_logins=demo, oidc=oidc_settings_from_env())
    # What the process holds once the app is built (FastAPI, SQLAlchemy, numpy, the parameters)
    # lives as long as the process: move it out of the cyclic collector's reach, so a full
    # collection does not walk it again in the middle of a request. Measured with the filing
    # decided at once (bench/bench_claims.py --flow one, interleaved): p99 72-92 ms against
    # 90-118 ms without it.
    gc.collect()
    gc.freeze()
    return app


def demo_database() -> Any:
    """The demo's database port (``services.demo.DemoDatabase``): a fresh database for a run, its
    units of work, the URL without its password, the demo's marks read back
    (``storage/demo_database.py``)."""
    from seguro_desempleo.storage.demo_database import SqlDemoDatabase

    return SqlDemoDatabase()


TODAY_ENV = "SEGURO_WEB_TODAY"
"""``YYYY-MM-DD``: the service date ``serve`` pins for a demo database (decision 0381), read by
the API and the pages alike (:func:`service_date`)."""


def service_date(state: Any, prefer: tuple[str, ...] = ("web_today", "today")) -> dt.date:
    """The service date of an application (*state* is ``app.state``): its pinned date (the first
    of *prefer* set: ``create_app(today=...)``, a test's ``web_today``), else ``$SEGURO_WEB_TODAY``
    (a demo database under ``serve``), else the real date. The one rule of the API and the pages."""
    for name in prefer:
        pinned = getattr(state, name, None)
        if isinstance(pinned, dt.date):
            return pinned
    env = os.environ.get(TODAY_ENV)
    if env:
        try:
            return dt.date.fromisoformat(env)
        except ValueError:
            pass
    return dt.date.today()

