"""The accounts store: the SQL behind :mod:`seguro_desempleo.services.accounts` (its port
``AccountStore``). One instance works inside one transaction (:func:`open_account_store`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from seguro_desempleo.storage.models import WorkerRow
from seguro_desempleo.storage.models_accounts import (
    AccountRucRow,
    AuthFailureRow,
    AuthSessionRow,
    ClientCredentialRow,
    InstanceSettingRow,
    RecoveryCodeRow,
    UserAccountRow,
)


class SqlAccountStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    # ---------------------------------------------------------------- accounts
    def account_by_name(self, username: str) -> UserAccountRow | None:
        return self.s.scalars(select(UserAccountRow).where(UserAccountRow.username == username)).first()

    def account_by_id(self, account_id: int) -> UserAccountRow | None:
        return self.s.get(UserAccountRow, account_id)

    def account_by_oidc(self, issuer: str, subject: str) -> UserAccountRow | None:
        return self.s.scalars(select(UserAccountRow).where(UserAccountRow.oidc_issuer == issuer,
                                                           UserAccountRow.oidc_subject == subject)).first()

    def accounts(self) -> list[UserAccountRow]:
        return list(self.s.scalars(select(UserAccountRow).order_by(UserAccountRow.username)))

    def count_accounts(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(UserAccountRow)) or 0)

    def count_admins_with_totp(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(UserAccountRow).where(
            UserAccountRow.role == "admin", UserAccountRow.totp_secret.is_not(None),
            UserAccountRow.disabled.is_(False))) or 0)

    def add_account(self, **values: Any) -> UserAccountRow:
        row = UserAccountRow(**values)
        self.s.add(row)
        self.s.flush()
        return row

    def add_record_accounts(self, rows: list[dict[str, Any]], *, now: dt.datetime, by: str) -> None:
        """Accounts that only name who acted (no password, no TOTP, no OIDC identity yet: they
        cannot sign in until bound by the identity provider or given a password), in one statement."""
        from sqlalchemy import insert

        if rows:
            self.s.execute(insert(UserAccountRow), [
                {"password_hash": None, "totp_secret": None, "oidc_issuer": None, "oidc_subject": None,
                 "disabled": False, "failed_count": 0, "locked_until": None, "created_at": now, "created_by": by,
                 **r} for r in rows])

    def rucs(self, account_id: int) -> list[str]:
        return list(self.s.scalars(select(AccountRucRow.ruc).where(AccountRucRow.account_id == account_id)
                                   .order_by(AccountRucRow.ruc)))

    def set_rucs(self, account_id: int, rucs: list[str]) -> None:
        self.s.execute(delete(AccountRucRow).where(AccountRucRow.account_id == account_id))
        for ruc in rucs:
            self.s.add(AccountRucRow(account_id=account_id, ruc=ruc))
        self.s.flush()

    def worker_by_document(self, doc_type: str, doc_number: str) -> int | None:
        return self.s.scalar(select(WorkerRow.id).where(WorkerRow.doc_type == doc_type,
                                                        WorkerRow.doc_number == doc_number))

    def worker_exists(self, worker_id: int) -> bool:
        return self.s.get(WorkerRow, worker_id) is not None

    # ---------------------------------------------------------------- recovery codes
    def replace_recovery_codes(self, account_id: int, hashes: list[str]) -> None:
        self.s.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.account_id == account_id))
        for h in hashes:
            self.s.add(RecoveryCodeRow(account_id=account_id, code_hash=h))
        self.s.flush()

    def use_recovery_code(self, account_id: int, code_hash: str, now: dt.datetime) -> bool:
        """Marks an unused code used; False when there is none (a code works once)."""
        res = self.s.execute(update(RecoveryCodeRow).where(
            RecoveryCodeRow.account_id == account_id, RecoveryCodeRow.code_hash == code_hash,
            RecoveryCodeRow.used_at.is_(None)).values(used_at=now))
        return bool(res.rowcount)  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- sessions
    def add_session(self, **values: Any) -> None:
        self.s.add(AuthSessionRow(**values))
        self.s.flush()

    def session_owner(self, session_id: str) -> Any:
        """The session and whoever holds it (account or machine client), in one joined Core
        SELECT (issue 25: every request reads it): a row with ``revoked_at``, ``expires_at``,
        ``last_seen``, ``account_id``, ``client_id``, ``oidc_subject``, the account's
        ``username``, ``role``, ``worker_id``, ``disabled`` and the client's ``client_role``,
        ``client_scopes``, ``client_disabled``; ``None`` for an unknown session."""
        return self.s.execute(_SESSION_OWNER, {"sid": session_id}).first()

    def touch_session(self, session_id: str, now: dt.datetime) -> None:
        self.s.execute(update(AuthSessionRow).where(AuthSessionRow.id == session_id).values(last_seen=now))

    def revoke_session(self, session_id: str, now: dt.datetime) -> None:
        self.s.execute(update(AuthSessionRow).where(AuthSessionRow.id == session_id,
                                                    AuthSessionRow.revoked_at.is_(None)).values(revoked_at=now))

    def revoke_sessions_of(self, *, account_id: int | None = None, client_id: str | None = None,
                           now: dt.datetime) -> None:
        q = update(AuthSessionRow).where(AuthSessionRow.revoked_at.is_(None))
        q = q.where(AuthSessionRow.account_id == account_id) if account_id is not None \
            else q.where(AuthSessionRow.client_id == client_id)
        self.s.execute(q.values(revoked_at=now))

    # ---------------------------------------------------------------- clients
    def client(self, client_id: str) -> ClientCredentialRow | None:
        return self.s.get(ClientCredentialRow, client_id)

    def add_client(self, **values: Any) -> None:
        self.s.add(ClientCredentialRow(**values))
        self.s.flush()

    # ---------------------------------------------------------------- rate limiting
    def record_failure(self, key: str, now: dt.datetime) -> None:
        self.s.add(AuthFailureRow(key=key, at=now))
        self.s.flush()

    def failures_since(self, key: str, since: dt.datetime) -> int:
        return int(self.s.scalar(select(func.count()).select_from(AuthFailureRow).where(
            AuthFailureRow.key == key, AuthFailureRow.at >= since)) or 0)

    def forget_failures_before(self, before: dt.datetime) -> None:
        self.s.execute(delete(AuthFailureRow).where(AuthFailureRow.at < before))

    # ---------------------------------------------------------------- settings
    def setting(self, key: str) -> str | None:
        row = self.s.get(InstanceSettingRow, key)
        return None if row is None else row.value

    def set_setting(self, key: str, value: str) -> None:
        row = self.s.get(InstanceSettingRow, key)
        if row is None:
            self.s.add(InstanceSettingRow(key=key, value=value))
        else:
            row.value = value
        self.s.flush()

    def commit(self) -> None:
        self.s.commit()


_S, _A, _C = AuthSessionRow.__table__, UserAccountRow.__table__, ClientCredentialRow.__table__
_SESSION_OWNER = (
    select(_S.c.revoked_at, _S.c.expires_at, _S.c.last_seen, _S.c.account_id, _S.c.client_id, _S.c.oidc_subject,
           _A.c.username, _A.c.role, _A.c.worker_id, _A.c.disabled,
           _C.c.role.label("client_role"), _C.c.scopes.label("client_scopes"),
           _C.c.disabled.label("client_disabled"))
    .select_from(_S.outerjoin(_A, _A.c.id == _S.c.account_id).outerjoin(_C, _C.c.client_id == _S.c.client_id))
    .where(_S.c.id == bindparam("sid"))
)
"""The session with its account or client (:meth:`SqlAccountStore.session_owner`)."""


@contextmanager
def open_account_store(db_url: str | None) -> Iterator[SqlAccountStore]:
    """A store in one transaction; rolled back unless the caller commits."""
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(db_url) as uow:
        yield SqlAccountStore(uow.session)
