"""Database errors translated into the project's errors, in one place (issue 24).

A rule the database keeps (a unique key, a CHECK, a foreign key) that refuses a write raises
SQLAlchemy's :class:`~sqlalchemy.exc.IntegrityError`; above ``storage/`` it is a
:class:`~seguro_desempleo.errors.ConflictError` — the change lost a race or breaks an invariant —
so services and entry points catch the project's errors and never import SQLAlchemy.

A database that cannot serve at all (no schema, no server: ``OperationalError`` and
``ProgrammingError``) is left as it is: the unit of work's owner reports it ("run db upgrade" on
the command line, a 503 page on the web), as it did before.

Repositories wrap their statements in :func:`translated`. The message never carries the
statement's parameters (a DNI or a name could be among them: Ley 29733); it names the constraint.

The API answers what escapes a request as problem+json: :data:`REFUSALS` are the driver's error
classes it registers handlers for and :func:`refusal` names the kind of each (a lost race, a busy
or uninitialised database, an out-of-date schema, a refused value), so ``api/`` imports no
SQLAlchemy (issue 24, decision 0805); the composition root hands both to
``api.problems.install_database_handlers``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from seguro_desempleo.errors import ConflictError, database_busy

#: Refusals a user can meet: the markers (PostgreSQL names the constraint, SQLite its columns),
#: the field and the reason. Others get a generic line naming the rule.
KNOWN: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("uq_gov_instrument_type_number", "gov_instrument.type, gov_instrument.number"), "number",
     "an instrument of this type and number is already recorded"),
    (("uq_gov_vote_member", "gov_vote.proposal_id, gov_vote.member"), "member",
     "this director has already voted on the proposal"),
    (("uq_gov_alert_kind_day", "gov_alert.kind, gov_alert.raised_on"), "kind",
     "this alert has already been raised on that day"),
)


def conflict_from(exc: IntegrityError) -> ConflictError:
    """The :class:`ConflictError` for a refused write, naming the field when the constraint is known."""
    text = str(getattr(exc, "orig", exc))
    for markers, field, reason in KNOWN:
        if any(m in text for m in markers):
            return ConflictError(reason, field=field)
    # SQLite names the columns, PostgreSQL the constraint: say which rule without echoing values.
    head = text.splitlines()[0] if text else ""
    rule = head.split("constraint", 1)[-1].split(" DETAIL")[0].strip(' "') if "constraint" in head else head
    return ConflictError(f"the database refused the change ({rule[:120]})" if rule else
                         "the database refused the change")


@contextmanager
def translated() -> Iterator[None]:
    """Run statements; an :class:`IntegrityError` leaves as a :class:`ConflictError`."""
    try:
        yield
    except IntegrityError as exc:
        raise conflict_from(exc) from None


#: The driver's errors the API answers itself, most specific first (was api/problems.py).
REFUSALS: tuple[type[Exception], ...] = (IntegrityError, OperationalError, ProgrammingError, DBAPIError)


def refusal(exc: BaseException) -> str | None:
    """The kind of a database error: ``conflict`` (a rule refused the write: a lost race),
    ``busy`` (a lock not obtained in time), ``schema-missing`` (``db init`` not run),
    ``unavailable`` (no server), ``schema-outdated`` (``db upgrade`` not run), ``bad-value`` (the
    database refused a value); None when *exc* is not the driver's."""
    if isinstance(exc, IntegrityError):
        return "conflict"
    if isinstance(exc, OperationalError):
        if database_busy(exc):
            return "busy"
        return "schema-missing" if schema_missing(exc) else "unavailable"
    if isinstance(exc, ProgrammingError):
        return "schema-outdated"
    if isinstance(exc, DBAPIError):
        return "bad-value"
    return None


def schema_missing(exc: BaseException) -> bool:
    """The tables are not there: ``db init`` (or ``db upgrade``) was not run."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    return "no such table" in text or type(orig).__name__ == "UndefinedTable" or \
        ("relation" in text and "does not exist" in text)
