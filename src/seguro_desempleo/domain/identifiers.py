"""The one parsing policy for a worker's reference (issue 25, decision 0303).

A worker is identified in the claims area by the registry's integer id (``worker.id``) written as
its canonical decimal text: ASCII digits ``0``-``9`` only, no sign, no spaces, no underscores, no
leading zero, at most :data:`MAX_DIGITS` digits, value ``1`` … ``2**31 - 1``. ``int()`` would
accept ``" 527"``, ``"+527"``, ``"5_27"``, ``"0527"`` and Arabic-Indic ``"٥٢٧"`` as 527, and each of
them once opened a parallel claim beside 527's: here every one of them is refused (422 naming the
field), never silently mapped. The API, the fast path, the CLI, the web and the service use this
function; the database holds the same rule as a CHECK on ``claim.worker_ref``.
"""

from __future__ import annotations

from seguro_desempleo.errors import InputError

MAX_DIGITS = 10
MAX_ID = 2**31 - 1
_DIGITS = frozenset("0123456789")


def parse_worker_ref(value: object, *, field: str = "worker_id") -> int:
    """The worker id in *value* (str or int) under the strict policy, or :class:`InputError`.

    The refused text is not echoed: it may be a DNI typed in the wrong box (Ley 29733).
    """
    if type(value) is int:
        n = value
    elif isinstance(value, str):
        if not value or len(value) > MAX_DIGITS or not _DIGITS.issuperset(value) or value[0] == "0":
            raise InputError("a worker id is written with ASCII digits 0-9 only, without sign, spaces, "
                             "separators or leading zeros (e.g. 527)", field=field)
        n = int(value)
    else:
        raise InputError("a worker id is a whole number such as 527", field=field)
    if not 0 < n <= MAX_ID:
        raise InputError(f"a worker id is between 1 and {MAX_ID}", field=field)
    return n


def canonical_worker_ref(value: object, *, field: str = "worker_id") -> str:
    """The canonical text of a worker reference (what ``claim.worker_ref`` stores)."""
    return str(parse_worker_ref(value, field=field))
