"""Schema for issue 28 (governance of the fund): instruments, proposals, votes, studies, alerts.

See :mod:`seguro_desempleo.storage.models_governance` for the invariants; instruments and votes
are append-only (triggers on both engines, as the ledger's).

Revision ID: 0305_governance
Revises: 0304_law
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0305_governance"
down_revision: str | None = "0304_law"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("gov_instrument", "gov_vote")


def upgrade() -> None:
    _proposal_table()
    _instrument_table()
    _vote_table()
    _study_table()
    _alert_table()
    _append_only_triggers()


def _proposal_table() -> None:
    op.create_table(
        "gov_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("transfer_cents", sa.BigInteger(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("valuation", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(200), nullable=False),
        sa.Column("drafted_by", sa.String(80), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.CheckConstraint("kind in ('rate_revision', 'waiting_period', 'coverage_phase', 'transfer_request', "
                           "'investment_policy', 'other_parameter')", name=op.f("ck_gov_proposal_kind")),
        sa.CheckConstraint("status in ('open', 'approved', 'rejected')", name=op.f("ck_gov_proposal_status")),
        sa.CheckConstraint("kind <> 'rate_revision' or valuation is not null",
                           name=op.f("ck_gov_proposal_rate_needs_valuation")),
        sa.CheckConstraint("status = 'open' or decided_on is not null", name=op.f("ck_gov_proposal_decided_on")),
        sa.CheckConstraint("transfer_cents is null or transfer_cents > 0",
                           name=op.f("ck_gov_proposal_transfer_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_proposal")),
    )


def _instrument_table() -> None:
    op.create_table(
        "gov_instrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("publication", sa.String(200), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("transfer_cents", sa.BigInteger(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("type in ('ley', 'decreto_supremo', 'resolucion', 'acuerdo_directorio')",
                           name=op.f("ck_gov_instrument_type")),
        sa.CheckConstraint("effective_date >= issued_on", name=op.f("ck_gov_instrument_effective_after_issue")),
        sa.CheckConstraint("transfer_cents is null or transfer_cents > 0",
                           name=op.f("ck_gov_instrument_transfer_positive")),
        sa.ForeignKeyConstraint(["proposal_id"], ["gov_proposal.id"],
                                name=op.f("fk_gov_instrument_proposal_id_gov_proposal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_instrument")),
        sa.UniqueConstraint("type", "number", name="uq_gov_instrument_type_number"),
    )


def _vote_table() -> None:
    op.create_table(
        "gov_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(10), nullable=False),
        sa.Column("member", sa.String(80), nullable=False),
        sa.Column("choice", sa.String(8), nullable=False),
        sa.Column("cast_on", sa.Date(), nullable=False),
        sa.CheckConstraint("sector in ('state', 'employers', 'workers')", name=op.f("ck_gov_vote_sector")),
        sa.CheckConstraint("choice in ('yes', 'no', 'abstain')", name=op.f("ck_gov_vote_choice")),
        sa.ForeignKeyConstraint(["proposal_id"], ["gov_proposal.id"],
                                name=op.f("fk_gov_vote_proposal_id_gov_proposal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_vote")),
        sa.UniqueConstraint("proposal_id", "member", name="uq_gov_vote_member"),
    )


def _study_table() -> None:
    op.create_table(
        "gov_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("assumptions_yaml", sa.Text(), nullable=False),
        sa.Column("run_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_study")),
    )


def _alert_table() -> None:
    op.create_table(
        "gov_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("measured", sa.Numeric(18, 6), nullable=False),
        sa.Column("threshold", sa.Numeric(18, 6), nullable=False),
        sa.Column("message", sa.String(300), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind in ('reserve_below_target', 'reserve_below_half', 'depletion_probability')",
                           name=op.f("ck_gov_alert_kind")),
        sa.ForeignKeyConstraint(["proposal_id"], ["gov_proposal.id"],
                                name=op.f("fk_gov_alert_proposal_id_gov_proposal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_alert")),
        sa.UniqueConstraint("kind", "raised_on", name="uq_gov_alert_kind_day"),
    )


def _append_only_triggers() -> None:
    """Triggers that refuse UPDATE and DELETE on instruments and votes (both engines)."""
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("CREATE OR REPLACE FUNCTION gov_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'instruments and votes are append-only: record a new one'; END $$")
    for table in APPEND_ONLY:
        if pg:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION gov_append_only()")
        else:
            for action in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
                           "SELECT RAISE(ABORT, 'instruments and votes are append-only: record a new one'); END")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    if pg:
        op.execute("DROP FUNCTION IF EXISTS gov_append_only()")
    for table in ("gov_alert", "gov_study", "gov_vote", "gov_instrument", "gov_proposal"):
        op.drop_table(table)
