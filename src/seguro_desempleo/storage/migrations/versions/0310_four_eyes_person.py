"""Four eyes held by the database as persons, not spellings (issue 25).

``award_approval``'s CHECK ``checker <> maker`` compared the raw actor texts, so the same
caseworker signed in over the API (``user:ana/caseworker``) and the CLI (``cli:ana/caseworker``)
passed it. Two canonical columns, filled by the repository with ``domain.access.person_of``
(back-filled here for the rows on record), and the CHECK on them: the database itself refuses a
checker who is the maker's person. A checker always comes with its person (a second CHECK).

Revision ID: 0310_four_eyes_person
Revises: 0309_declared_months
Create Date: 2026-12-07 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0310_four_eyes_person"
down_revision: str | None = "0309_declared_months"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from seguro_desempleo.domain.access import person_of

    with op.batch_alter_table("award_approval") as b:
        b.add_column(sa.Column("maker_person", sa.String(80), nullable=True))
        b.add_column(sa.Column("checker_person", sa.String(80), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT claim_id, maker, checker FROM award_approval")).all()
    for claim_id, maker, checker in rows:
        conn.execute(sa.text("UPDATE award_approval SET maker_person = :m, checker_person = :c WHERE claim_id = :id"),
                     {"m": person_of(str(maker)), "c": person_of(str(checker)) if checker is not None else None,
                      "id": claim_id})
    with op.batch_alter_table("award_approval") as b:
        b.alter_column("maker_person", existing_type=sa.String(80), nullable=False)
        b.create_check_constraint("ck_award_approval_four_eyes_person",
                                  "checker_person IS NULL OR checker_person <> maker_person")
        b.create_check_constraint("ck_award_approval_checker_person",
                                  "(checker IS NULL AND checker_person IS NULL) "
                                  "OR (checker IS NOT NULL AND checker_person IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table("award_approval") as b:
        b.drop_constraint("ck_award_approval_checker_person", type_="check")
        b.drop_constraint("ck_award_approval_four_eyes_person", type_="check")
        b.drop_column("checker_person")
        b.drop_column("maker_person")
