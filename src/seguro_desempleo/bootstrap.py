"""The composition root (ARCHITECTURE.md, "Target layout"): where settings are read and adapters
are wired to the services the entry points use. Entry points (``cli/``, ``api/``, ``web/``) take
their services from here and never import ``storage/`` themselves.

It starts with sign-in (issue 27); the other services move here as issue 24's step 3 lands.
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
