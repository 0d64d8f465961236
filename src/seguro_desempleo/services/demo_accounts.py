"""The demo's accounts (issue 27, decision 0440): a real account per staff role — a password and
a TOTP secret handed over once, in a 0600 file beside a SQLite database or in the result for a
server database — and a record account per worker; the database marked as one ``demo`` made.
Moved out of :mod:`seguro_desempleo.services.demo` (issue 24: no file over 600 lines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from seguro_desempleo.domain.access import Role


def create(uow: Any, worker_ids: list[int]) -> list[dict[str, str]]:
    """The demo's accounts and the database's mark that ``demo`` created it (the demo log-in is on
    for it, never for another database). Each staff role gets a real account — a password and a
    TOTP secret, returned to be handed over once (:func:`hand_over`) — and each worker a
    record account ``w<id>`` without a password; all are ``created_by`` ``demo``, the only
    accounts the demo log-in signs in to (decision 0440)."""
    import secrets

    from seguro_desempleo.services.accounts import (
        DEMO_CREATOR,
        check_password,
        hash_password,
        new_totp_secret,
    )

    store = uow.accounts
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    handed: list[dict[str, str]] = []
    from seguro_desempleo.services.demo import DEMO_STAFF

    for name, role in DEMO_STAFF:
        password = check_password(secrets.token_urlsafe(15), username=name)      # 20 characters
        totp = new_totp_secret()
        store.add_account(username=name, role=role.value, password_hash=hash_password(password), totp_secret=totp,
                          worker_id=None, oidc_issuer=None, oidc_subject=None, disabled=False, failed_count=0,
                          locked_until=None, created_at=now, created_by=DEMO_CREATOR)
        handed.append({"username": name, "role": role.value, "password": password, "totp_secret": totp})
    store.add_record_accounts([{"username": f"w{wid}", "role": Role.WORKER.value, "worker_id": wid}
                               for wid in worker_ids], now=now, by=DEMO_CREATOR)
    store.set_setting("demo_database", "yes")
    return handed


def accounts_file_for(url: str) -> Path | None:
    """Where the demo writes its staff accounts' credentials: beside a SQLite file
    (``<name>.accounts.txt``); ``None`` for a server database (the demo prints them instead)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.split("sqlite:///", 1)[1]
    if not path or path == ":memory:":
        return None
    db = Path(path)
    return db.with_name(db.stem + ".accounts.txt")


def hand_over(url: str, credentials: list[dict[str, str]]) -> dict[str, Any]:
    """The staff accounts' credentials, once: into a file only the user can read (mode 0600) next
    to a SQLite database — the result names the file — or, for a server database, in the result
    itself (the CLI prints it once; nothing keeps it)."""
    import os

    target = accounts_file_for(url)
    if target is None:
        return {"accounts": credentials}
    lines = ["# Seguro por Desempleo — the demo's staff accounts (seguro-desempleo serve; /ingresar).",
             "# The code: the TOTP of the secret (an authenticator app, or: python -c \"import pyotp; "
             "print(pyotp.TOTP('SECRET').now())\").",
             "# user\trole\tpassword\ttotp_secret"]
    lines += [f"{c['username']}\t{c['role']}\t{c['password']}\t{c['totp_secret']}" for c in credentials]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)             # a file left by an earlier run keeps no wider mode
        os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return {"accounts_file": str(target)}
