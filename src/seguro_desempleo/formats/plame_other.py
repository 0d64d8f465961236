"""The other PLAME and T-Registro files an employer's export folder holds (issue 31, item 6).

Read (what the insurance needs):

- ``RP_<RUC>.tra`` — T-Registro **Estructura 5** "Datos del trabajador": field 10 is the contract
  type (Tabla 12), which the coverage rule needs; field 3 the issuing country (Tabla 26).
- ``0601AAAAMM<RUC>.snl`` — PLAME **Estructura 15** "Días subsidiados y otros no laborados":
  ``tipo_doc|num_doc|tipo_suspensión|días|`` (Tabla 21; 21 and 22 are the days EsSalud subsidises:
  sickness and maternity).
- ``0601AAAAMM<RUC>.jor`` — PLAME **Estructura 14** "Jornada laboral": ``tipo_doc|num_doc|
  horas ordinarias|minutos|horas en sobretiempo|minutos|`` (hours up to 360, minutes up to 59).

Skipped with a one-line notice (the insurance does not need them): every other extension the
structures name (Anexo 3: ``.esp .edd .ldd .med .ide .pen .ps4 .pfl .ter .or5 .reg .est .4ta .for
.pte .lug .tas .toc .poc .sec .edu .cta .aos`` and the ``RD_…_ALTA/BAJA.TXT`` of derechohabientes).

Lines are read as payroll programs write them: ISO-8859-1 (cp1252 bytes decode the same for
every character these fields allow), CRLF or LF, a closing ``|`` or not, fields trimmed, a
one-digit document type made two (``1`` → ``01``), a DNI with its check character accepted
(``domain.registry.validate_document``, the same check as ``.per`` and ``.rem``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seguro_desempleo.domain.payroll import LineIssue
from seguro_desempleo.domain.registry import WORKER_DOCUMENT_TYPES, validate_document, validate_ruc
from seguro_desempleo.errors import InputError
from seguro_desempleo.formats.codes import contract_types, table
from seguro_desempleo.formats.plame import SourceFile
from seguro_desempleo.periods import month_index

MONTH_NAME_RE = re.compile(r"^0601(\d{4})(\d{2})(\d{11})\.(snl|jor)$", re.IGNORECASE)
TRA_NAME_RE = re.compile(r"^RP_(\d{11})\.tra$", re.IGNORECASE)

SKIPPED_EXTENSIONS = frozenset({
    ".esp", ".edd", ".ldd", ".med", ".ide", ".pen", ".ps4", ".pfl", ".ter", ".or5", ".reg", ".est",
    ".4ta", ".for", ".pte", ".lug", ".tas", ".toc", ".poc", ".sec", ".edu", ".cta", ".aos",
})
"""Extensions of Anexo 3's other structures: skipped, with a notice."""

DOC_FOLDS = {str(d): f"0{d}" for d in range(10)}


def skipped(path: str) -> bool:
    """A PLAME / T-Registro file the insurance does not read (or a derechohabientes file)."""
    base = os.path.basename(path)
    ext = os.path.splitext(base)[1].lower()
    return ext in SKIPPED_EXTENSIONS or bool(re.match(r"^RD_\d{11}_\d{8}_(ALTA|BAJA)\.TXT$", base, re.IGNORECASE))


def doc_code(text: str) -> str:
    """A document type as programs write it, as Tabla 3 codes it (``1`` → ``01``)."""
    t = text.strip()
    return DOC_FOLDS.get(t, t)


def fields_of(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, trimmed fields) of each non-blank line; a closing ``|`` dropped."""
    text = data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for no, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        f = [x.strip() for x in raw.split("|")]
        if len(f) > 1 and f[-1] == "":
            f.pop()
        out.append((no, f))
    return out


def document(src: str, no: int, doc_type: str, number: str) -> tuple[str, str] | LineIssue:
    """The worker's (type, number) as the registry keeps it, or the line's issue."""
    try:
        return doc_type, validate_document(doc_type, number, field="num_doc")
    except InputError as exc:
        code = ("doc_type_unknown" if exc.field == "tipo_doc" or doc_type not in WORKER_DOCUMENT_TYPES
                else "dni_invalid" if doc_type == "01" else "doc_number_invalid")
        return LineIssue(src, no, exc.field or "num_doc", exc.message, code)


def _count_issue(src: str, no: int, want: str, got: int) -> LineIssue:
    return LineIssue(src, no, "line", f"expected {want} fields separated by '|', found {got}", "fields_count",
                     f"se esperaban {want} campos separados por '|', se encontraron {got}")


@dataclass(frozen=True)
class MonthFile:
    """What a ``.snl`` or ``.jor`` gives: its employer and month, and its good lines."""

    ruc: str | None
    period: int | None
    rows: list[tuple[int, str, str, str | int, int]]  # line, tipo_doc, num_doc, type (.snl) or ordinary
    #                                                    minutes (.jor), days or overtime minutes
    issues: list[LineIssue]


def _month_name(src: SourceFile) -> tuple[str, int] | LineIssue:
    name = Path(src.name).name
    m = MONTH_NAME_RE.match(name)
    if not m:
        return LineIssue(src.name, 0, "file name", "a PLAME file is named 0601AAAAMM<RUC 11 digits>.snl or .jor",
                         "rem_name_invalid", "un archivo PLAME se llama 0601AAAAMM<RUC de 11 dígitos>.snl o .jor")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 1990:
        return LineIssue(src.name, 0, "file name", f"month {m.group(1)}-{m.group(2)} in the file name is not valid",
                         "name_month_invalid")
    try:
        ruc = validate_ruc(m.group(3), field="RUC in the file name")
    except InputError as exc:
        return LineIssue(src.name, 0, "file name", exc.message, "ruc_invalid")
    return ruc, month_index(year, month)


def _worker_lines(src: SourceFile, counts: range, expected: str,
                  issues: list[LineIssue]) -> Iterator[tuple[int, list[str], tuple[str, str]]]:
    """Each line with a field count in ``counts`` and a valid document (fields 1-2), with that document;
    the other lines are reported in ``issues``."""
    for no, f in fields_of(src.data):
        if len(f) not in counts:
            issues.append(_count_issue(src.name, no, expected, len(f)))
            continue
        doc = document(src.name, no, doc_code(f[0]), f[1])
        if isinstance(doc, LineIssue):
            issues.append(doc)
            continue
        yield no, f, doc


def _month_head(src: SourceFile, latest_period: int, earliest_period: int = 0) -> tuple[str, int] | MonthFile:
    """The file's RUC and month from its name, or the empty month file that reports why not (the
    one date policy, decision 0410: not after the import's month, not before the insurance's)."""
    named = _month_name(src)
    if isinstance(named, LineIssue):
        return MonthFile(None, None, [], [named])
    if named[1] > latest_period:
        return MonthFile(None, None, [], [LineIssue(src.name, 0, "file name", "period is in the future",
                                                    "period_future")])
    if named[1] < earliest_period:
        return MonthFile(None, None, [], [LineIssue(src.name, 0, "file name", "period is before the first month "
                                                    "the insurance's parameters cover", "period_too_early")])
    return named


def parse_snl(src: SourceFile, *, latest_period: int, earliest_period: int = 0) -> MonthFile:
    """Estructura 15: days of each suspension type (Tabla 21) per worker of the month."""
    head = _month_head(src, latest_period, earliest_period)
    if isinstance(head, MonthFile):
        return head
    ruc, period = head
    types = table("tabla21")
    rows: list[tuple[int, str, str, str | int, int]] = []
    issues: list[LineIssue] = []
    seen: dict[tuple[str, str, str], int] = {}
    for no, f, doc in _worker_lines(src, range(4, 5), "4", issues):
        kind = f[2].zfill(2) if f[2].isdigit() and len(f[2]) <= 2 else f[2]
        if kind not in types:
            shown = f" '{kind}'" if len(kind) <= 5 else ""
            issues.append(LineIssue(src.name, no, "tipo_suspension", f"unknown suspension type{shown} (Tabla 21)",
                                    "snl_type_unknown"))
            continue
        if not re.fullmatch(r"\d{1,2}", f[3]) or int(f[3]) > 31:
            issues.append(LineIssue(src.name, no, "dias", "days must be a whole number from 0 to 31",
                                    "days_invalid"))
            continue
        key = (*doc, kind)
        if key in seen:  # two lines of one worker and type (two payroll records): summed, as .rem's lines
            at = seen[key]
            line, t, n, k, d = rows[at]
            if d + int(f[3]) > 31:
                issues.append(LineIssue(src.name, no, "dias", "the worker's days of this type pass 31 in the month",
                                        "days_invalid"))
                continue
            rows[at] = (line, t, n, k, d + int(f[3]))
            continue
        seen[key] = len(rows)
        rows.append((no, doc[0], doc[1], kind, int(f[3])))
    return MonthFile(ruc, period, rows, issues)


def parse_jor(src: SourceFile, *, latest_period: int, earliest_period: int = 0) -> MonthFile:
    """Estructura 14: ordinary and overtime hours and minutes per worker of the month (as minutes)."""
    head = _month_head(src, latest_period, earliest_period)
    if isinstance(head, MonthFile):
        return head
    ruc, period = head
    rows: list[tuple[int, str, str, str | int, int]] = []
    issues: list[LineIssue] = []
    seen: dict[tuple[str, str], int] = {}
    for no, f, doc in _worker_lines(src, range(6, 7), "6", issues):
        nums = [x or "0" for x in f[2:]]
        if not all(re.fullmatch(r"\d{1,3}", x) for x in nums) or int(nums[0]) > 360 or int(nums[2]) > 360 \
                or int(nums[1]) > 59 or int(nums[3]) > 59:
            issues.append(LineIssue(src.name, no, "horas", "hours must be 0-360 and minutes 0-59", "time_invalid"))
            continue
        ordinary, overtime = int(nums[0]) * 60 + int(nums[1]), int(nums[2]) * 60 + int(nums[3])
        if doc in seen:  # summed, as .rem's lines of one worker
            at = seen[doc]
            line, t, n, o, v = rows[at]
            rows[at] = (line, t, n, int(o) + ordinary, v + overtime)
            continue
        seen[doc] = len(rows)
        rows.append((no, doc[0], doc[1], ordinary, overtime))
    return MonthFile(ruc, period, rows, issues)


@dataclass(frozen=True)
class ContractLine:
    line: int
    doc_type: str
    doc_number: str
    country: str | None
    contract_type: str


def parse_tra(src: SourceFile) -> tuple[str | None, list[ContractLine], list[LineIssue]]:
    """Estructura 5: each worker's contract type (field 10, Tabla 12) and issuing country (field 3).

    The structure has 23 fields; programs that stop after the last one they fill are read as long
    as the contract type is there (10 fields at least)."""
    name = Path(src.name).name
    m = TRA_NAME_RE.match(name)
    if not m:
        return None, [], [LineIssue(src.name, 0, "file name", "a T-Registro workers file is named RP_<RUC>.tra",
                                    "per_name_invalid", "un archivo de trabajadores T-Registro se llama RP_<RUC>.tra")]
    try:
        ruc = validate_ruc(m.group(1), field="RUC in the file name")
    except InputError as exc:
        return None, [], [LineIssue(src.name, 0, "file name", exc.message, "ruc_invalid")]
    kinds = contract_types()
    good: list[ContractLine] = []
    issues: list[LineIssue] = []
    for no, f, doc in _worker_lines(src, range(10, 24), "10 to 23", issues):
        country = country_of(src.name, no, doc[0], f[2])
        if isinstance(country, LineIssue):
            issues.append(country)
            continue
        kind = f[9].zfill(2) if f[9].isdigit() and len(f[9]) <= 2 else f[9]
        if kind not in kinds:
            shown = f" '{kind}'" if len(kind) <= 5 else ""
            issues.append(LineIssue(src.name, no, "tipo_contrato", f"unknown contract type{shown} (Tabla 12)",
                                    "contract_type_unknown"))
            continue
        good.append(ContractLine(no, doc[0], doc[1], country, kind))
    return ruc, good, issues


COUNTRY_REQUIRED = frozenset({"07", "24"})
"""Estructuras 5, 11 and 17, field 3: the issuing country is required for 07 (pasaporte) and 24
(documento de identidad extranjero)."""


def country_of(src: str, no: int, doc_type: str, text: str) -> str | LineIssue | None:
    """The issuing country (Tabla 26) kept for a 07/24 document; None for the others."""
    code = text.strip()
    if doc_type not in COUNTRY_REQUIRED:
        return None
    if code.isdigit() and len(code) < 3:
        code = code.zfill(3)
    if not code:
        return LineIssue(src, no, "pais", "the issuing country (Tabla 26) is required for documents 07 and 24",
                         "country_missing")
    if code not in table("tabla26"):
        shown = f" '{code}'" if len(code) <= 5 else ""
        return LineIssue(src, no, "pais", f"unknown issuing country{shown} (Tabla 26)", "country_missing",
                         f"país emisor{shown} desconocido (Tabla 26)")
    return code
