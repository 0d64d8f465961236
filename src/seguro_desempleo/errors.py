"""The one exception tree of the project.

Every error a user can cause is a :class:`SeguroError`. The CLI prints ``str(error)`` on one line
and exits non-zero; the API maps each class to an RFC 9457 problem+json answer with the status
given by ``http_status``. No traceback reaches a user.

    SeguroError
    ├── InputError              bad input: names the field, the case/line, and the reason (422)
    │   ├── ParameterError      a parameter file or override is invalid (cites the article)
    │   └── FormatError         an outside file (PLAME, T-Registro, CSV) is malformed
    ├── NotFoundError           an unknown worker, claim, design, assumption set... (404)
    ├── ConflictError           a state change lost a race or breaks an invariant (409)
    ├── PermissionDeniedError   the role or row is not allowed (403)
    └── CapacityError           a job that does not fit the machine; says how to split it (413)
"""

from __future__ import annotations


class SeguroError(Exception):
    """Base of every error a user can cause. ``str()`` is the one-line reason."""

    http_status = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.field = field
        self.where = where
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = []
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"field '{self.field}'")
        prefix = ", ".join(parts)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return " ".join(text.split())


class InputError(SeguroError):
    http_status = 422
    code = "invalid-input"


class ParameterError(InputError):
    code = "invalid-parameter"


class FormatError(InputError):
    code = "invalid-file"


class NotFoundError(SeguroError):
    http_status = 404
    code = "not-found"


class ConflictError(SeguroError):
    http_status = 409
    code = "conflict"


class PermissionDeniedError(SeguroError):
    http_status = 403
    code = "forbidden"


class CapacityError(SeguroError):
    http_status = 413
    code = "too-large"


def database_busy(exc: BaseException) -> bool:
    """A lock not obtained in time (SQLite "database is locked"/"busy", PostgreSQL lock timeout).

    Read from the message of the driver's error (``exc.orig``), so the API's problem handler and
    the web's 503 page ask the same question without importing each other (decision 0397)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text
