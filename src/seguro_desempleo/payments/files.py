"""Writing bank files safely, and writing one again from the books (issue 25).

- :func:`reserve` creates the output file *before* the payment run, exclusively
  (``O_CREAT | O_EXCL``) and with mode :data:`BANK_FILE_MODE`: a second run with the same
  ``--out`` is refused before anything is paid, instead of overwriting the first run's file with
  an empty one; the file is not readable by other users (it holds DNIs, names and amounts).
- :func:`rebuild` re-exports the bank file of the payments booked on a date: the
  ``benefit_payment`` rows of that day, with the payee read from the registry as the run does
  (``claims bank-file``), read by storage (``uow.books.booked_payments``, decision 0397). The records and checksum are those of the run's file when the registry
  has not changed since.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seguro_desempleo.errors import InputError
from seguro_desempleo.payments.bank_file import PaymentFile, PaymentLine

if TYPE_CHECKING:
    from seguro_desempleo.claims.ports import BooksStore

BANK_FILE_MODE = 0o640
"""Owner read-write, the owner's group (the treasury's operators) read, others nothing."""


@contextlib.contextmanager
def reserve(path: Path, *, field: str = "--out") -> Iterator[Any]:
    """An open text file at *path* that did not exist; removed again if the block fails."""
    path = Path(path)
    if len(os.fsencode(path.name)) > 255:
        raise InputError("the file name is longer than 255 bytes", field=field)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BANK_FILE_MODE)
    except FileExistsError:
        raise InputError(f"{path} already exists; a bank file is never overwritten (choose another --out, "
                         "or write the run's file again with 'claims bank-file')", field=field) from None
    except OSError as exc:
        raise InputError(f"cannot create {path}: {exc.strerror}", field=field) from None
    ok = False
    try:
        with os.fdopen(fd, "w", encoding="latin-1", newline="") as fh:
            yield fh
        ok = True
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                path.unlink()


def rebuild(books: BooksStore, period: int, on: dt.date, sequence: int = 1) -> PaymentFile:
    """The bank file of the payments booked on *on* for months up to *period*, from the books."""
    rows = books.booked_payments(period, on)
    if not rows:
        raise InputError(f"no benefit payments booked on {on.isoformat()} for months up to that period",
                         field="--date")
    lines = tuple(PaymentLine(key, dtp, dno, payee, amount) for key, amount, dtp, dno, payee in rows)
    return PaymentFile(on, period, lines, sequence)
