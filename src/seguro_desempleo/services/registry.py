"""Registry use cases: employers and workers.

An employer's size class comes from its annual sales in UIT (Ley 30056 art. 11, thresholds in
``registry.size_thresholds_uit``) or is declared; it is *covered in the current phase* when its
sector and size class are among ``coverage.sectors`` and ``coverage.employer_sizes`` (art. 3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from seguro_desempleo.domain.registry import (
    SECTORS,
    SIZE_CLASSES,
    Employer,
    Worker,
    size_class_from_sales,
    validate_document,
    validate_ruc,
)
from seguro_desempleo.errors import InputError
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import parse_date
from seguro_desempleo.services.governance import parameters_for

UnitOfWork: TypeAlias = Any
"""The transaction (``bootstrap.unit_of_work``): ``employers``, ``workers``, ``sizes`` and
``registry_reads`` (``storage/registry_reads.py``)."""


def register_employer(uow: UnitOfWork, ruc: str, name: str, *, size_class: str | None = None,
                      annual_sales_uit: str | Decimal | None = None, sector: str = "private",
                      region: str | None = None, params: ParameterSet | None = None,
                      at: dt.date | None = None, declared_by_employer: bool = False,
                      by: str = "registry") -> Employer:
    """Register (or update) an employer; the size class is computed from sales when they are given.

    The size has a dated history (``storage.employer_sizes``, issue 25): sales (SUNAT) or a size
    given by staff is confirmed at once; a size the employer declares itself
    (*declared_by_employer*) is recorded *pending* until staff review it and changes nothing in
    force. Sales on record are never erased by an update that gives none."""
    from seguro_desempleo.services import employer_size

    ruc = validate_ruc(ruc)
    if sector not in SECTORS:
        raise InputError(f"unknown sector '{sector}' ({', '.join(SECTORS)})", field="sector")
    source = "declared"
    sales: Decimal | None = None
    if annual_sales_uit is not None:
        try:
            sales = Decimal(str(annual_sales_uit))
        except InvalidOperation:
            raise InputError(f"'{annual_sales_uit}' is not a number of UIT", field="annual_sales_uit") from None
        if not sales.is_finite() or sales < 0:      # NaN, Infinity (issue 25: a 500 before)
            raise InputError("annual sales must be a finite number of UIT, zero or more", field="annual_sales_uit")
        snap = parameters_for(uow, params).at(at or dt.date.today())     # baseline + instruments
        computed = size_class_from_sales(sales, snap["registry.size_thresholds_uit"])
        if size_class is not None and size_class != computed:
            raise InputError(f"declared size '{size_class}' contradicts sales of {sales} UIT ({computed})",
                             field="size_class")
        size_class, source = computed, "sales"
    if size_class is not None and size_class not in SIZE_CLASSES:
        raise InputError(f"unknown size class '{size_class}' ({', '.join(SIZE_CLASSES)})", field="size_class")
    if not name.strip() or len(name) > 200:
        raise InputError("name must be 1-200 characters", field="name")
    if declared_by_employer and sales is not None:
        raise InputError("annual sales come from SUNAT or staff, not from the employer's own request",
                         field="annual_sales_uit")
    before = uow.employers.by_ruc(ruc)
    # What is in force stays unless this call brings sales or a staff size (never erased).
    keep_size = before.size_class if before else None
    keep_source = before.size_source if before else "declared"
    keep_sales = before.annual_sales_uit if before else None
    e = uow.employers.upsert(Employer(ruc=ruc, name=name.strip(), size_class=keep_size, size_source=keep_source,
                                      annual_sales_uit=keep_sales, sector=sector, region=region))
    assert e.id is not None
    unchanged = (size_class is not None and not declared_by_employer and sales is None
                 and uow.registry_reads.size_in_force(e.id, at or dt.date.today()) == size_class)
    if size_class is not None and not unchanged:
        # a size confirmed at once (sales, staff) re-liquidates the months it now covers (issue 26)
        employer_size.record_size(uow, e.id, size_class,
                                  source="sales" if source == "sales" else
                                  "declared" if declared_by_employer else "staff",
                                  by=by, sales_uit=sales, today=at, params=params)
        e = uow.employers.by_ruc(ruc) or e
    return e


def is_covered(employer: Employer, params: ParameterSet | None = None, at: dt.date | None = None, *,
               uow: UnitOfWork | None = None) -> bool:
    """Whether the employer's workers are insured in the phase in force on *at* (art. 3); with
    *uow*, the phase as the law's baseline plus the instruments recorded set it (issue 28)."""
    ps = parameters_for(uow, params) if uow is not None else (params or default_parameters())
    snap = ps.at(at or dt.date.today())
    return (employer.sector in snap["coverage.sectors"]
            and employer.size_class is not None and employer.size_class in snap["coverage.employer_sizes"])


def register_worker(uow: UnitOfWork, doc_type: str, doc_number: str, *, sex: str | None = None,
                    birth_date: str | dt.date | None = None, region: str | None = None,
                    full_name: str | None = None, doc_country: str | None = None) -> Worker:
    """Register a worker (or complete one already known from payroll) by their Tabla 3 document.

    *doc_country*: the issuing country (Tabla 26) of a 07/24 document, part of the identity
    (decision 0411); required when two countries hold the number. Ignored for the documents Peru
    issues (their country is 604 by definition)."""
    number = validate_document(doc_type, doc_number)
    if doc_country is not None:
        code = doc_country.strip()
        if not (code.isascii() and code.isdigit() and 1 <= len(code) <= 3):
            raise InputError("the issuing country is Tabla 26's numeric code (e.g. 076)", field="doc_country")
        doc_country = code.zfill(3) if doc_type in ("07", "24") else None
    if sex is not None and sex not in ("M", "F"):
        raise InputError("sex must be M or F", field="sex")
    born = parse_date(birth_date, field="birth_date") if birth_date is not None else None
    if born is not None and born > dt.date.today():
        raise InputError("birth date is in the future", field="birth_date")
    if full_name is not None and not 1 <= len(full_name.strip()) <= 200:
        raise InputError("name must be 1-200 characters", field="full_name")
    return uow.workers.upsert(Worker(doc_type=doc_type, doc_number=number, doc_country=doc_country, sex=sex,
                                     birth_date=born, region=region,
                                     full_name=full_name.strip() if full_name else None))
