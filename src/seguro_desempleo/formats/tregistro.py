"""T-Registro employment periods: ``RP_<RUC>.per`` (Anexo 3, Estructura 11).

Fields: ``tipo_doc|num_doc|país|categoría|tipo_registro|fecha_inicio|fecha_fin|indicador|eps|``.
Only lines of category 1 (trabajador) and record type 1 (período de vínculo) are employment
periods; the other record types (tipo de trabajador, régimen de salud, régimen pensionario, SCTR)
are counted as skipped. For a period, the indicator is the reason the period ended (Tabla 17) and
is required when an end date is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from seguro_desempleo.domain.payroll import LineIssue
from seguro_desempleo.domain.registry import (
    WORKER_DOCUMENT_TYPES,
    validate_document,
    validate_ruc,
)
from seguro_desempleo.errors import InputError
from seguro_desempleo.formats.codes import termination_causes
from seguro_desempleo.formats.file_names import PER_NAME_RE
from seguro_desempleo.formats.plame import SourceFile
from seguro_desempleo.formats.plame_other import country_of, doc_code

NFIELDS = 9


@dataclass(frozen=True)
class PeriodLine:
    line: int
    doc_type: str
    doc_number: str
    start: dt.date
    end: dt.date | None
    cause: str | None
    country: str | None = None      # issuing country (Tabla 26) of a 07/24 document


@dataclass(frozen=True)
class Termination:
    """A baja as two independent programs write it: an end date and its reason, the start left
    empty (``01|25809433|604|1|1||31/03/2025|01||``). It closes the worker's open period with the
    employer; see ``services.payroll_import._resolve_terminations``."""

    line: int
    doc_type: str
    doc_number: str
    end: dt.date
    cause: str
    country: str | None = None


EARLIEST_DATE = dt.date(1950, 1, 1)
"""The earliest date a ``.per`` may give (decision 0410). Its periods are the worker's employment
history, which may be older than the insurance (a period of 2015–2019 is a true fact the claims
read, e.g. an earlier separation), so the insurance's start does not bound them; but a date
before 1950 belongs to someone past ninety, or is a mistyped year (``01/01/0001``)."""


def parse_per(src: SourceFile, *, today: dt.date
              ) -> tuple[str | None, list[PeriodLine], list[LineIssue], int, list[Termination]]:
    """(RUC, good period lines, issues, skipped lines, bajas without a start date) of a ``.per`` file.

    The one date policy (issue 25, decision 0410): no date after *today*, none before
    :data:`EARLIEST_DATE`."""
    name = Path(src.name).name
    issues: list[LineIssue] = []
    m = PER_NAME_RE.match(name)
    if not m:
        return None, [], [LineIssue(src.name, 0, "file name", "a T-Registro periods file is named RP_<RUC>.per",
                                   "per_name_invalid")], 0, []
    try:
        ruc = validate_ruc(m.group(1), field="RUC in the file name")
    except InputError as exc:
        return None, [], [LineIssue(src.name, 0, "file name", exc.message, "ruc_invalid")], 0, []
    causes = termination_causes()
    good: list[PeriodLine] = []
    bajas: list[Termination] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    skipped = 0
    text = src.data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    for no, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        f = [x.strip() for x in raw.split("|")]
        if len(f) == NFIELDS + 1 and f[-1] == "":
            f.pop()
        if len(f) != NFIELDS:
            issues.append(LineIssue(src.name, no, "line", f"expected {NFIELDS} fields separated by '|', found {len(f)}",
                                    "fields_count",
                                    f"se esperaban {NFIELDS} campos separados por '|', se encontraron {len(f)}"))
            continue
        doc_type, doc_number, country_s, category, record, start_s, end_s, cause, _eps = f
        doc_type = doc_code(doc_type)  # "1" as an Odoo localisation ships Tabla 3: "01"
        if category != "1" or record != "1":
            skipped += 1
            continue
        read = _read_period(src.name, no, doc_type, doc_number, country_s, start_s, end_s, cause,
                            today=today, causes=causes, seen=seen)
        if isinstance(read, LineIssue):
            issues.append(read)
        elif isinstance(read, Termination):
            bajas.append(read)
        else:
            good.append(read)
    return ruc, good, issues, skipped, bajas


def _read_period(file: str, no: int, doc_type: str, doc_number: str, country_s: str, start_s: str, end_s: str,
                 cause: str, *, today: dt.date, causes: Container[str],
                 seen: dict[tuple[str, str, dt.date], int]) -> PeriodLine | Termination | LineIssue:
    """Line *no* of category 1 and record type 1: its employment period, a baja (an end date and
    its reason, the start left empty) or its first issue. *seen* maps (document, start) to the line
    of each period read so far; this line's is added when it is good."""
    try:
        number = validate_document(doc_type, doc_number, field="num_doc")
    except InputError as exc:
        code = ("doc_type_unknown" if exc.field == "tipo_doc" or doc_type not in WORKER_DOCUMENT_TYPES
                else "dni_invalid" if doc_type == "01" else "doc_number_invalid")
        return LineIssue(file, no, exc.field or "num_doc", exc.message, code)
    country = country_of(file, no, doc_type, country_s)
    if isinstance(country, LineIssue):
        return country
    if not start_s and end_s:  # a baja: the end and its reason, the start left empty
        return _baja(file, no, doc_type, number, country, end_s, cause, today=today, causes=causes)
    return _period(file, no, doc_type, number, country, start_s, end_s, cause, today=today, causes=causes,
                   seen=seen)


def _baja(file: str, no: int, doc_type: str, number: str, country: str | None, end_s: str, cause: str, *,
          today: dt.date, causes: Container[str]) -> Termination | LineIssue:
    """A line that gives only the end of a period and its reason (:class:`Termination`)."""
    end_only = _date(end_s)
    if end_only is None:
        return LineIssue(file, no, "fecha_fin", f"'{end_s}' is not a date dd/mm/aaaa", "date_invalid",
                         f"'{end_s}' no es una fecha dd/mm/aaaa")
    if end_only > today:
        return LineIssue(file, no, "fecha_fin", "end date is in the future", "end_future")
    if end_only < EARLIEST_DATE:
        return LineIssue(file, no, "fecha_fin", "the end date is before 01/01/1950", "date_too_early")
    if not cause:
        return LineIssue(file, no, "motivo", "a period with an end date needs its reason (Tabla 17)",
                         "cause_missing")
    if cause not in causes:
        return LineIssue(file, no, "motivo", f"unknown termination cause '{cause}' (Tabla 17)", "cause_unknown",
                         f"motivo de cese '{cause}' desconocido (Tabla 17)")
    return Termination(no, doc_type, number, end_only, cause, country)


def _period(file: str, no: int, doc_type: str, number: str, country: str | None, start_s: str, end_s: str,
            cause: str, *, today: dt.date, causes: Container[str],
            seen: dict[tuple[str, str, dt.date], int]) -> PeriodLine | LineIssue:
    """A period of employment: its start, its end if any (with the reason it ended)."""
    start = _date(start_s)
    if start is None:
        # The value is not echoed: in a shifted line it may be a DNI (Ley 29733).
        return LineIssue(file, no, "fecha_inicio", "the start date is not a date dd/mm/aaaa", "date_invalid",
                         "la fecha de inicio no es una fecha dd/mm/aaaa")
    end = None
    if end_s:
        end = _date(end_s)
        if end is None:
            return LineIssue(file, no, "fecha_fin", "the end date is not a date dd/mm/aaaa", "date_invalid",
                             "la fecha de fin no es una fecha dd/mm/aaaa")
    if start > today:
        return LineIssue(file, no, "fecha_inicio", "start date is in the future", "start_future")
    if start < EARLIEST_DATE:
        return LineIssue(file, no, "fecha_inicio", "the start date is before 01/01/1950", "date_too_early")
    if end is not None and end < start:
        return LineIssue(file, no, "fecha_fin", "end date is before the start date", "end_before_start")
    if end is not None and end > today:
        return LineIssue(file, no, "fecha_fin", "end date is in the future", "end_future")
    if end is not None and not cause:
        return LineIssue(file, no, "motivo", "a period with an end date needs its reason (Tabla 17)",
                         "cause_missing")
    if cause and cause not in causes:
        shown = f" '{cause}'" if len(cause) <= 2 else ""     # longer: a shifted line, maybe a DNI
        return LineIssue(file, no, "motivo", f"unknown termination cause{shown} (Tabla 17)", "cause_unknown",
                         f"motivo de cese{shown} desconocido (Tabla 17)")
    key = (doc_type, number, start)
    if key in seen:
        return LineIssue(file, no, "fecha_inicio",
                         f"duplicate period for the same worker and start (first at line {seen[key]})",
                         "period_duplicate",
                         f"período repetido para el mismo trabajador y fecha de inicio (primera vez en la línea {seen[key]})")
    seen[key] = no
    return PeriodLine(no, doc_type, number, start, end, cause or None, country)


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None
