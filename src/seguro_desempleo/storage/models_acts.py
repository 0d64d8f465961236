"""Issued acts of the claims (issue 26 item 9; revision ``0307_issued_acts``).

Same declarative ``Base`` as :mod:`.models`. An act is written once; the database refuses to
change or delete it (triggers), except to record its notification date once and its PDF once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from seguro_desempleo.storage.models import Base


class IssuedActRow(Base):
    __tablename__ = "issued_act"
    __table_args__ = (
        Index("ix_issued_act_claim", "claim_id", "issued_on"),
        CheckConstraint("length(content_sha256) = 64", name="content_sha256_len"),
        CheckConstraint("notified_on IS NULL OR notified_on >= issued_on", name="notified_after_issue"),
        CheckConstraint("(pdf IS NULL) = (pdf_sha256 IS NULL)", name="pdf_with_hash"),
        CheckConstraint("kind in ('decision', 'suspension', 'resumption', 'closure', 'overpayment', "
                        "'amount_change', 'appeal_resolution')", name="kind"),
    )
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id"))
    kind: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(400))
    html: Mapped[bytes] = mapped_column(LargeBinary)
    content_sha256: Mapped[str] = mapped_column(String(64))
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
