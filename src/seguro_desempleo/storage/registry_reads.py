"""The registry service's reads (``services/registry.py``) that are not a repository's: the
confirmed size of an employer in force on a day (``storage.employer_sizes.size_in_force``).
``uow.registry_reads`` builds it in the transaction (issue 24, decision 0805)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from seguro_desempleo.storage import employer_sizes


class SqlRegistryReads:
    def __init__(self, session: Session) -> None:
        self.session = session

    def size_in_force(self, employer_id: int, on: dt.date) -> str | None:
        """The confirmed size in force on *on* (``None``: none recorded by then)."""
        return employer_sizes.size_in_force(self.session, employer_id, on)
