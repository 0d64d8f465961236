"""Registry entities: employers (RUC), workers (T-Registro document), employment periods.

Identifiers are checked with python-stdnum: the RUC's check digit (``stdnum.pe.ruc``), and the
DNI (``stdnum.pe.cui``: 8 digits, plus the check character when given). Other document types of
Tabla 3 have no check digit; only their length and characters are checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from stdnum.exceptions import ValidationError
from stdnum.pe import cui, ruc

from seguro_desempleo.errors import InputError

SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "large")
SECTORS: tuple[str, ...] = ("private", "public")

WORKER_DOCUMENT_TYPES: frozenset[str] = frozenset({"01", "04", "07", "09", "22", "23", "24", "26"})
"""Tabla 3 document types accepted for a worker in PLAME Estructura 18 / T-Registro Estructura 11."""

_OTHER_DOC_RE = re.compile(r"^[A-Za-z0-9-]{1,15}$")


def validate_ruc(number: str, *, field: str = "ruc", where: str | None = None) -> str:
    """The RUC with its check digit verified (``stdnum.pe.ruc``), compacted to 11 digits."""
    try:
        return str(ruc.validate(str(number)))
    except ValidationError as exc:
        raise InputError(f"RUC '{number}' is not valid ({str(exc).lower().rstrip('.')})",
                         field=field, where=where) from None


RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
RUC_PREFIXES = ("10", "15", "17", "20")


def ruc_valid_mask(rucs: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Vectorised ``stdnum.pe.ruc.is_valid`` for many RUCs (11 digits, prefix, check digit).

    The same arithmetic as ``stdnum.pe.ruc.calc_check_digit`` on a digit matrix; parity with
    python-stdnum is a property test. Use :func:`validate_ruc` for the reason of a bad one.
    """
    n = len(rucs)
    ok = np.fromiter((isinstance(r, str) and len(r) == 11 and r.isascii() and r.isdigit() and r[:2] in RUC_PREFIXES
                      for r in rucs), dtype=bool, count=n)
    if not ok.any():
        return ok
    text = "".join(r if good else "00000000000" for r, good in zip(rucs, ok, strict=True))
    digits = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(n, 11).astype(np.int64) - 48
    check = (11 - (digits[:, :10] @ np.asarray(RUC_WEIGHTS, dtype=np.int64)) % 11) % 10
    return ok & (check == digits[:, 10])


def validate_document(doc_type: str, number: str, *, field: str = "num_doc",
                      where: str | None = None) -> str:
    """A worker's document number checked for its Tabla 3 type; never echoes a DNI in full.

    DNI (01): 8 digits, or 9 with the check character of the CUI (``stdnum.pe.cui``); the stored
    number is the 8-digit DNI. Other types: 1–15 letters, digits or hyphens.
    """
    if doc_type not in WORKER_DOCUMENT_TYPES:
        shown = f" '{doc_type}'" if len(str(doc_type)) <= 5 else ""  # longer: a shifted line, maybe a DNI
        raise InputError(f"document type{shown} is not a worker document of Tabla 3 "
                         f"({', '.join(sorted(WORKER_DOCUMENT_TYPES))})", field="tipo_doc", where=where)
    n = str(number).strip()
    if doc_type == "01":
        try:
            return str(cui.validate(n))[:8]
        except ValidationError as exc:
            raise InputError(f"DNI is not valid ({str(exc).lower().rstrip('.')})", field=field,
                             where=where) from None
    if not _OTHER_DOC_RE.match(n):
        raise InputError("document number must be 1-15 letters, digits or hyphens", field=field, where=where)
    return n.upper()


def size_class_from_sales(annual_sales_uit: Decimal, thresholds_uit: Sequence[Decimal]) -> str:
    """Ley 30056 art. 11 size class from annual sales in UIT (micro ≤ 150, small ≤ 1 700, medium ≤ 2 300)."""
    sales = Decimal(annual_sales_uit)
    if sales < 0:
        raise InputError("annual sales cannot be negative", field="annual_sales_uit")
    for name, upper in zip(SIZE_CLASSES, thresholds_uit, strict=False):
        if sales <= Decimal(upper):
            return name
    return SIZE_CLASSES[-1]


@dataclass(frozen=True)
class Employer:
    ruc: str
    name: str = ""
    size_class: str | None = None          # micro | small | medium | large; None: not yet known
    size_source: str = "declared"           # declared | sales
    annual_sales_uit: Decimal | None = None
    sector: str = "private"
    region: str | None = None               # UBIGEO department code or name
    id: int | None = None


@dataclass(frozen=True)
class Worker:
    doc_type: str                          # Tabla 3
    doc_number: str
    sex: str | None = None                 # M | F
    birth_date: dt.date | None = None
    region: str | None = None
    full_name: str | None = None           # personal data (Ley 29733): never logged
    id: int | None = None
    # Issuing country (Tabla 26) of a 07/24 document, part of the identity (decision 0411): None
    # when the source does not say (a PLAME line); every other type is Peru's ("604").
    doc_country: str | None = None


FOREIGN_DOCUMENTS = ("07", "24")
"""Tabla 3 types another country issues (pasaporte, documento de identidad extranjero): their
issuing country (Tabla 26, Estructura 11 field 3) is part of who the worker is."""

PERU = "604"
"""Tabla 26's code for Perú: the issuing country of every other document type (DNI, carné de
extranjería, …), by definition."""


@dataclass(frozen=True)
class EmploymentPeriod:
    employer_id: int
    worker_id: int
    start_date: dt.date
    end_date: dt.date | None = None
    contract_type: str | None = None       # Tabla 12
    termination_cause: str | None = None   # Tabla 17
    id: int | None = None
