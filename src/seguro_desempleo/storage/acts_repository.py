"""The SQL store of issued acts (:class:`seguro_desempleo.claims.acts.ActStore`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seguro_desempleo.claims.acts import ActKind, IssuedAct, check_notification, sha256
from seguro_desempleo.errors import ConflictError, NotFoundError
from seguro_desempleo.storage.models_acts import IssuedActRow


def _act(r: IssuedActRow) -> IssuedAct:
    return IssuedAct(r.number, r.claim_id, ActKind(r.kind), r.issued_on, r.summary, bytes(r.html),
                     r.content_sha256, r.notified_on, bytes(r.pdf) if r.pdf is not None else None, r.pdf_sha256)


_INSERT = insert(IssuedActRow)
_INSERT_PG = ("INSERT INTO issued_act (number, claim_id, kind, issued_on, summary, html, content_sha256, "
              "notified_on, pdf, pdf_sha256) VALUES (%(number)s, %(claim_id)s, %(kind)s, %(issued_on)s, "
              "%(summary)s, %(html)s, %(content_sha256)s, %(notified_on)s, %(pdf)s, %(pdf_sha256)s)")


class SqlActStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, act: IssuedAct) -> None:
        """One INSERT (no ORM flush); the primary key refuses a number issued twice (a lost race
        surfaces as the database's integrity error: the API answers 409). On PostgreSQL a fixed
        statement on the driver cursor (the ORM's bulk-insert path cost 0.3-0.6 ms per act: issue
        25, speed)."""
        values = {"number": act.number, "claim_id": act.claim_id, "kind": act.kind.value,
                  "issued_on": act.issued_on, "summary": act.summary, "html": act.html,
                  "content_sha256": act.content_sha256, "notified_on": act.notified_on, "pdf": act.pdf,
                  "pdf_sha256": act.pdf_sha256}
        if self.session.get_bind().dialect.name == "postgresql":
            import psycopg

            from seguro_desempleo.storage.uow import driver_connection

            try:
                with driver_connection(self.session).cursor() as cur:
                    cur.execute(_INSERT_PG, values)
            except psycopg.errors.IntegrityError as exc:
                raise IntegrityError(_INSERT_PG, None, exc) from exc
            return
        self.session.execute(_INSERT, [values])

    def acts_for(self, claim_id: str) -> list[IssuedAct]:
        rows = self.session.scalars(select(IssuedActRow).where(IssuedActRow.claim_id == claim_id)
                                    .order_by(IssuedActRow.number)).all()      # the claim's sequence
        return [_act(r) for r in rows]

    def get(self, number: str) -> IssuedAct:
        row = self.session.get(IssuedActRow, number)
        if row is None:
            raise NotFoundError(f"no issued act '{number}'", field="act")
        return _act(row)

    def set_notified(self, number: str, on: dt.date) -> None:
        check_notification(self.get(number), on)
        self.session.execute(update(IssuedActRow).where(IssuedActRow.number == number,
                                                        IssuedActRow.notified_on.is_(None))
                             .values(notified_on=on).execution_options(synchronize_session="fetch"))

    def set_pdf(self, number: str, pdf: bytes) -> None:
        if self.get(number).pdf is not None:
            raise ConflictError(f"act {number} already has its PDF; it does not change")
        self.session.execute(update(IssuedActRow).where(IssuedActRow.number == number, IssuedActRow.pdf.is_(None))
                             .values(pdf=pdf, pdf_sha256=sha256(pdf)).execution_options(synchronize_session="fetch"))
