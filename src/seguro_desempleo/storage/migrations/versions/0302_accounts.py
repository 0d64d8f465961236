"""Sign-in (issue 27): accounts (argon2id password, TOTP secret, worker or RUC binding, OIDC
identity), recovery codes, server-side sessions, machine clients' credentials, failed attempts
(rate limiting) and the instance's settings (``demo_database``). See storage/models_accounts.py.

Revision ID: 0302_accounts
Revises: 0301_money_safety
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0302_accounts"
down_revision: str | None = "0301_money_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES_SQL = "('worker','employer','caseworker','employment_officer','analyst','board','admin')"


def upgrade() -> None:
    _user_account_table()
    _account_ruc_table()
    _recovery_code_table()
    _client_credential_table()
    _auth_session_table()
    _auth_failure_table()
    _instance_setting_table()


def _user_account_table() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("oidc_issuer", sa.String(200), nullable=True),
        sa.Column("oidc_subject", sa.String(200), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.CheckConstraint(f"role IN {ROLES_SQL}", name=op.f("ck_user_account_role_known")),
        sa.CheckConstraint("(role = 'worker') = (worker_id IS NOT NULL)", name=op.f("ck_user_account_worker_bound")),
        sa.CheckConstraint("failed_count >= 0", name=op.f("ck_user_account_failed_count_nonneg")),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"], name=op.f("fk_user_account_worker_id_worker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_user_account_oidc"),
    )


def _account_ruc_table() -> None:
    op.create_table(
        "account_ruc",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ruc", sa.String(11), nullable=False),
        sa.CheckConstraint("length(ruc) = 11", name=op.f("ck_account_ruc_ruc_length")),
        sa.ForeignKeyConstraint(["account_id"], ["user_account.id"], ondelete="CASCADE",
                                name=op.f("fk_account_ruc_account_id_user_account")),
        sa.PrimaryKeyConstraint("account_id", "ruc", name=op.f("pk_account_ruc")),
    )


def _recovery_code_table() -> None:
    op.create_table(
        "recovery_code",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["user_account.id"], ondelete="CASCADE",
                                name=op.f("fk_recovery_code_account_id_user_account")),
        sa.PrimaryKeyConstraint("account_id", "code_hash", name=op.f("pk_recovery_code")),
    )


def _client_credential_table() -> None:
    op.create_table(
        "client_credential",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.CheckConstraint(f"role IN {ROLES_SQL}", name=op.f("ck_client_credential_role_known")),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_credential")),
    )


def _auth_session_table() -> None:
    op.create_table(
        "auth_session",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("oidc_subject", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("(account_id IS NULL) <> (client_id IS NULL)", name=op.f("ck_auth_session_one_owner")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_auth_session_expires_after_start")),
        sa.ForeignKeyConstraint(["account_id"], ["user_account.id"], ondelete="CASCADE",
                                name=op.f("fk_auth_session_account_id_user_account")),
        sa.ForeignKeyConstraint(["client_id"], ["client_credential.client_id"], ondelete="CASCADE",
                                name=op.f("fk_auth_session_client_id_client_credential")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
    )
    op.create_index("ix_auth_session_account", "auth_session", ["account_id"])


def _auth_failure_table() -> None:
    op.create_table(
        "auth_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failure")),
    )
    op.create_index("ix_auth_failure_key_at", "auth_failure", ["key", "at"])


def _instance_setting_table() -> None:
    op.create_table(
        "instance_setting",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_instance_setting")),
    )


def downgrade() -> None:
    op.drop_table("instance_setting")
    op.drop_index("ix_auth_failure_key_at", table_name="auth_failure")
    op.drop_table("auth_failure")
    op.drop_index("ix_auth_session_account", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_table("client_credential")
    op.drop_table("recovery_code")
    op.drop_table("account_ruc")
    op.drop_table("user_account")
