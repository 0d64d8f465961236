"""Payroll declarations, contribution records and what an import reports.

A *declaration* is one employer's payroll of one month (one PLAME ``.rem`` file). A later
declaration for the same employer and month supersedes the earlier one (rectificatoria); both
stay, the earlier with ``status = "superseded"``. Each worker-month of the active declaration is a
*contribution record*: insurable pay, the RMV-floored base, and the art. 8 contribution with its
employer and CTS parts, all in integer céntimos.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ContributionRecord:
    employer_id: int
    worker_id: int
    period: int                 # month index (year*12 + month-1)
    insurable_pay: int          # céntimos: EsSalud-insurable concepts (Tabla 22) of the month
    base: int                   # max(pay, RMV) when pay > 0 (Ley 26790 art. 6), else 0
    contribution: int           # art. 8 total
    employer_part: int
    cts_part: int
    declaration_id: int | None = None
    active: bool = True         # its declaration is the one in force (not rectified since)


@dataclass(frozen=True)
class Declaration:
    employer_id: int
    period: int
    version: int
    status: str                 # active | superseded
    total_due: int              # céntimos
    workers: int
    import_file_id: int | None = None
    id: int | None = None


ISSUE_CODES: dict[str, str] = {
    "file_type_unknown": "tipo de archivo desconocido (se espera .rem, .per, .snl, .jor, .tra, .csv o .parquet)",
    "file_unreadable": "no se puede leer el archivo",
    "rem_name_invalid": "un archivo de remuneraciones PLAME se llama 0601AAAAMM<RUC de 11 dígitos>.rem",
    "per_name_invalid": "un archivo de períodos T-Registro se llama RP_<RUC>.per",
    "name_month_invalid": "el mes del nombre del archivo no es válido",
    "ruc_invalid": "RUC no válido (longitud, prefijo 10/15/17/20 o dígito verificador)",
    "ruc_not_yours": "un empleador declara solo su propia planilla: el RUC no es el suyo",
    "period_future": "el período declarado es futuro",
    "period_too_early": "el período es anterior al primer mes que cubren los parámetros del seguro",
    "period_invalid": "el período no es un mes AAAA-MM",
    "table_unreadable": "no se puede leer la tabla (CSV o Parquet mal formado)",
    "columns_missing": "faltan columnas; el formato es ruc,periodo,tipo_doc,num_doc,concepto,devengado,pagado",
    "fields_count": "número de campos separados por '|' incorrecto",
    "doc_type_ruc": "el tipo de documento 06 (RUC) es de perceptores de 4.ª categoría, no de un trabajador del seguro",
    "doc_type_unknown": "tipo de documento desconocido (Tabla 3: 01, 04, 07, 09, 22, 23, 24, 26)",
    "dni_invalid": "el DNI tiene exactamente 8 dígitos",
    "doc_number_invalid": "el número de documento debe tener de 1 a 15 letras, dígitos o guiones",
    "concept_format": "el código de concepto debe tener 4 dígitos (Tabla 22)",
    "concept_computed": "el concepto es un total que calcula el PLAME y no debe declararse",
    "concept_unknown": "código de concepto desconocido (Tabla 22)",
    "amount_missing": "se requieren el monto devengado y el pagado/descontado (Estructura 18: cada uno es obligatorio si se consigna el otro)",
    "amount_invalid": "no es un monto (hasta 7 dígitos enteros y 2 decimales)",
    "line_duplicate": "el mismo trabajador, concepto y montos dos veces en la misma declaración",
    "date_invalid": "no es una fecha dd/mm/aaaa",
    "start_future": "la fecha de inicio es futura",
    "end_before_start": "la fecha de fin es anterior a la de inicio",
    "end_future": "la fecha de fin es futura",
    # issue 25: the one date policy at the payroll boundary (decision 0410)
    "date_too_early": "la fecha es anterior al 01/01/1950: no es una fecha real de ingreso ni de cese",
    "cause_missing": "un período con fecha de fin necesita su motivo de cese (Tabla 17)",
    "cause_unknown": "motivo de cese desconocido (Tabla 17)",
    "period_duplicate": "período repetido para el mismo trabajador y fecha de inicio",
    "other": "línea rechazada",
    # issue 31: refusals of the other PLAME/T-Registro files and of T-Registro bajas
    "country_missing": "el país emisor (Tabla 26) es obligatorio para los documentos 07 y 24",
    "country_conflict": "el documento ya está registrado con otro país emisor",
    "document_ambiguous": "el número de documento está registrado con dos países emisores y la línea no dice "
                          "cuál: declare el período en el T-Registro (.per, con el país) (decisión 0411)",
    "snl_type_unknown": "tipo de suspensión desconocido (Tabla 21)",
    "days_invalid": "el número de días debe estar entre 0 y 31",
    "time_invalid": "horas (hasta 360) y minutos (hasta 59) no válidos",
    "contract_type_unknown": "tipo de contrato desconocido (Tabla 12)",
    # notices: the line or file is accepted (or set aside) and the employer should know how it was read
    "file_skipped": "archivo del PLAME/T-Registro que el seguro no necesita: no se lee",
    "line_summed": "el mismo trabajador y concepto otra vez con otros montos: las líneas se suman",
    "accrued_zero_paid_counted": "devengado 0 con monto pagado: se cuenta el monto pagado (decisión 0331)",
    "accrued_zero_paid_ignored": "devengado 0 con monto pagado: pago de un mes anterior, no cuenta en este",
    "concept_flag_unregistered": "concepto 1001-1040 sin afectación a EsSalud registrada por el empleador: no se cuenta",
    "termination_closed": "baja: cierra el período abierto del trabajador con este empleador",
    "termination_opened": "baja: abre el período desde el primer mes con remuneración y lo cierra",
    "termination_pending": "baja sin período ni remuneración conocidos con este empleador: queda pendiente",
    "months_flagged": "meses en revisión: no cuentan hasta que el personal los acepte (decisión 0413)",
    "termination_expired": "baja pendiente por 3 meses sin período ni remuneración: ya no se reintenta; envíe el "
                           "alta y la baja del trabajador en el T-Registro (decisión 0412)",
}
"""Stable reason codes of rejected lines and files, with their Spanish message (for web pages).

The codes are part of the interface (``--format json``, the API): they never change meaning.
Spanish messages may add the value at fault (never a document number) after a colon.
"""

NOT_YOURS = "the RUC is not the uploading employer's: an employer declares only its own payroll"
"""The reason (English) of a line or file for another employer's RUC in an employer's own upload
(``ruc_not_yours``): the CSV reader's lines and the import's files say the same."""


@dataclass(frozen=True)
class LineIssue:
    """One rejected line (or a whole file when ``line`` is 0).

    ``reason`` is the English message (CLI, logs), ``code`` a stable key of :data:`ISSUE_CODES`
    and ``message_es`` the Spanish message for the web pages (defaults to the code's text).
    """

    file: str
    line: int
    field: str
    reason: str
    code: str = "other"
    message_es: str = ""

    def __post_init__(self) -> None:
        if not self.message_es:
            object.__setattr__(self, "message_es", ISSUE_CODES.get(self.code, ISSUE_CODES["other"]))

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: field '{self.field}': {self.reason}"

    def one_line_es(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: campo '{self.field}': {self.message_es}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "code": self.code,
                "reason": self.reason, "message_es": self.message_es}


@dataclass
class FileReport:
    file: str
    kind: str                              # rem | per | csv
    status: str                            # accepted | rejected | partial | duplicate
    lines: int = 0
    accepted_lines: int = 0
    rejected_lines: int = 0
    declarations: int = 0
    superseded: int = 0
    contributions: int = 0
    contribution_due: int = 0              # céntimos
    periods: int = 0                       # .per: employment periods recorded
    issues: list[LineIssue] = field(default_factory=list)
    sha256: str = ""
    notices: list[LineIssue] = field(default_factory=list)   # accepted, read in a way worth saying (issue 31)

    def as_dict(self, max_issues: int = 1000) -> dict[str, Any]:
        return {
            "file": self.file, "kind": self.kind, "status": self.status, "lines": self.lines,
            "accepted_lines": self.accepted_lines, "rejected_lines": self.rejected_lines,
            "declarations": self.declarations, "superseded": self.superseded,
            "contributions": self.contributions, "contribution_due": _soles(self.contribution_due),
            "employment_periods": self.periods,
            "issues": [i.as_dict() for i in self.issues[:max_issues]],
            "issues_truncated": max(0, len(self.issues) - max_issues),
            "notices": [i.as_dict() for i in self.notices[:max_issues]],
            "notices_truncated": max(0, len(self.notices) - max_issues),
        }


@dataclass
class ImportSummary:
    files: list[FileReport] = field(default_factory=list)
    started_at: dt.datetime | None = None

    @property
    def accepted(self) -> int:
        return sum(1 for f in self.files if f.status in ("accepted", "partial"))

    @property
    def rejected(self) -> int:
        return sum(1 for f in self.files if f.status == "rejected")

    @property
    def duplicates(self) -> int:
        return sum(1 for f in self.files if f.status == "duplicate")

    @property
    def superseded(self) -> int:
        return sum(f.superseded for f in self.files)

    @property
    def issues(self) -> list[LineIssue]:
        return [i for f in self.files for i in f.issues]

    @property
    def notices(self) -> list[LineIssue]:
        return [i for f in self.files for i in f.notices]

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.files if f.status == "skipped")

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.files), "accepted": self.accepted, "rejected": self.rejected,
            "duplicates": self.duplicates, "superseded": self.superseded, "skipped": self.skipped,
            "notices": len(self.notices),
            "accepted_lines": sum(f.accepted_lines for f in self.files),
            "rejected_lines": sum(f.rejected_lines for f in self.files),
            "contributions": sum(f.contributions for f in self.files),
            "contribution_due": _soles(sum(f.contribution_due for f in self.files)),
            "details": [f.as_dict() for f in self.files],
        }


def _soles(cents: int) -> str:
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{frac:02d}"
