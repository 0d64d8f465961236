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


@dataclass(frozen=True)
class LineIssue:
    """One rejected line (or a whole file when ``line`` is 0)."""

    file: str
    line: int
    field: str
    reason: str

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: field '{self.field}': {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}


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

    def as_dict(self, max_issues: int = 1000) -> dict[str, Any]:
        return {
            "file": self.file, "kind": self.kind, "status": self.status, "lines": self.lines,
            "accepted_lines": self.accepted_lines, "rejected_lines": self.rejected_lines,
            "declarations": self.declarations, "superseded": self.superseded,
            "contributions": self.contributions, "contribution_due": _soles(self.contribution_due),
            "employment_periods": self.periods,
            "issues": [i.as_dict() for i in self.issues[:max_issues]],
            "issues_truncated": max(0, len(self.issues) - max_issues),
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.files), "accepted": self.accepted, "rejected": self.rejected,
            "duplicates": self.duplicates, "superseded": self.superseded,
            "accepted_lines": sum(f.accepted_lines for f in self.files),
            "rejected_lines": sum(f.rejected_lines for f in self.files),
            "contributions": sum(f.contributions for f in self.files),
            "contribution_due": _soles(sum(f.contribution_due for f in self.files)),
            "details": [f.as_dict() for f in self.files],
        }


def _soles(cents: int) -> str:
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{frac:02d}"
