"""Tables of sign-in (issue 27): accounts, their RUCs and recovery codes, server-side sessions,
machine clients, failed attempts, and the instance's settings. Same declarative ``Base`` as
:mod:`.models`; created by the Alembic revision ``0302_accounts``.

What protects access lives in the database, not only in Python:

- ``user_account.role`` is one of the seven roles (CHECK); a worker account is bound to exactly one
  worker record (CHECK ``role <> 'worker' OR worker_id IS NOT NULL``, FK to ``worker``), and only a
  worker account is (CHECK); ``username`` is UNIQUE and an OIDC identity (issuer, subject) maps to
  at most one account (UNIQUE).
- ``auth_session`` belongs to exactly one account or one client (CHECK); the token itself is never
  stored, only its SHA-256 (``id``), so a copy of the database opens no session.
- ``client_credential.secret_hash`` and ``user_account.password_hash`` are argon2id hashes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from seguro_desempleo.storage.models import Base

ROLES_SQL = "('worker','employer','caseworker','employment_officer','analyst','board','admin')"
"""The roles the accounts' CHECK constraints allow (written out in each, as migration 0302 wrote
them; ``tests/project/test_no_sql_formatting.py`` holds them to :class:`~seguro_desempleo.auth.Role`)."""


class UserAccountRow(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('worker','employer','caseworker','employment_officer','analyst','board','admin')",
                        name="role_known"),
        CheckConstraint("(role = 'worker') = (worker_id IS NOT NULL)", name="worker_bound"),
        CheckConstraint("failed_count >= 0", name="failed_count_nonneg"),
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_user_account_oidc"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(24))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)   # a TOTP code works once
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    oidc_issuer: Mapped[str | None] = mapped_column(String(200))
    oidc_subject: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class AccountRucRow(Base):
    __tablename__ = "account_ruc"
    __table_args__ = (CheckConstraint("length(ruc) = 11", name="ruc_length"),)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    ruc: Mapped[str] = mapped_column(String(11), primary_key=True)


class RecoveryCodeRow(Base):
    __tablename__ = "recovery_code"
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)   # SHA-256 of a 160-bit code
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ClientCredentialRow(Base):
    __tablename__ = "client_credential"
    __table_args__ = (
        CheckConstraint("role IN ('worker','employer','caseworker','employment_officer','analyst','board','admin')",
                        name="role_known"),)
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    scopes: Mapped[str] = mapped_column(Text)            # space-separated, OAuth 2.0 style
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class AuthSessionRow(Base):
    __tablename__ = "auth_session"
    __table_args__ = (
        CheckConstraint("(account_id IS NULL) <> (client_id IS NULL)", name="one_owner"),
        CheckConstraint("expires_at > created_at", name="expires_after_start"),
        Index("ix_auth_session_account", "account_id"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)      # SHA-256 of the token
    account_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(ForeignKey("client_credential.client_id", ondelete="CASCADE"))
    oidc_subject: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)          # the absolute timeout
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuthFailureRow(Base):
    __tablename__ = "auth_failure"
    __table_args__ = (Index("ix_auth_failure_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80))        # "ip:<address>" (a username is never kept here)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class InstanceSettingRow(Base):
    """Facts about this database: ``demo_database`` (``yes`` when ``demo`` created it)."""

    __tablename__ = "instance_setting"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
