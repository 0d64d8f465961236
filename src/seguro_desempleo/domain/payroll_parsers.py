"""The payroll import's port on the files' readers (issue 24, decision 0806).

:func:`seguro_desempleo.services.payroll_import.import_files` reads PLAME ``.rem``/``.snl``/
``.jor``, T-Registro ``.per``/``.tra`` and CSV/Parquet tables through :class:`PayrollParsers`;
``formats/payroll_parsers.py`` implements it over the readers in ``formats/`` and the composition
root hands it in (``bootstrap.payroll_parsers``, ``bootstrap.import_files``). The service reads
the files' bytes, chunks them, decides each file's fate and writes; what a line says is the
parsers' business.

What crosses the port: a :class:`SourceFile` (one file to read alone), the bytes of many ``.rem``
files joined (``data``, file *k* ending at ``ends[k]``, its id in the import ``file_ids[k]``), the
line frames of ``formats.payroll_lines`` (polars) and their outcome, :class:`CheckedLines`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import polars as pl


@dataclass
class SourceFile:
    """A file to import alone (T-Registro ``.per``, CSV, Parquet): its name for messages, its
    bytes, its identity key and kind. PLAME ``.rem`` files are handled in bulk, as batches."""

    name: str
    data: bytes
    sha256: str
    kind: str                       # rem | per | csv | parquet


class CheckedLines(Protocol):
    """The outcome of validating a chunk's lines (``formats.payroll_lines.Checked``)."""

    bad: pl.DataFrame          # file, line, field, reason, code, reason_es
    stats: pl.DataFrame        # file, n (lines), bad (rejected lines)
    months: pl.DataFrame       # file, ruc, period, tipo_doc, num_doc, insurable_pay (good lines only)
    notices: pl.DataFrame      # file, line, field, reason, code, reason_es: accepted lines worth a word


class PayrollParsers(Protocol):
    """The readers of the payroll files, as the import uses them. Errors a whole file has are
    :class:`seguro_desempleo.errors.FormatError` naming the field; a line's are in the frames."""

    def skipped(self, path: str) -> bool:
        """A PLAME/T-Registro file the insurance does not need (``formats.plame_other.skipped``)."""
        ...

    def rem_name(self, name: str) -> tuple[str, int]:
        """The RUC and month of a ``.rem`` file's name, its RUC's check digit not checked;
        FormatError naming the file otherwise (``formats.plame.parse_rem_name``)."""
        ...

    def check_file_ruc(self, ruc: str, name: str) -> None:
        """FormatError when the RUC of a file name fails its check digit."""
        ...

    def rem_lines(self, data: bytes, ends: Sequence[int], file_ids: Sequence[int]) -> pl.DataFrame:
        """Every line of the ``.rem`` files joined in *data*, as the line frame (``file``, ``line``,
        the fields as text, the shape errors): ``formats.plame.split_lines``."""
        ...

    def rem_lines_clean(self, data: bytes, ends: Sequence[int], file_ids: Sequence[int],
                        names: pl.DataFrame) -> CheckedLines | None:
        """The checked lines of the ``.rem`` files joined in *data* read by the compiled fast path
        (``formats.rem_scan``; *names*: each file's ``file``, ``ruc``, ``period``), or None when a
        line is not plainly good or the fast path is not available: then :meth:`rem_lines` and
        :meth:`validate`."""
        ...

    def read_table(self, src: SourceFile, file_id: int, only_ruc: str | None = None) -> pl.DataFrame:
        """The rows of a CSV or Parquet payroll file as the line frame (``formats.payroll_csv``)."""
        ...

    def validate(self, lines: pl.DataFrame, *, latest_period: int, earliest_period: int = 0,
                 concept_flags: pl.DataFrame | None = None) -> CheckedLines:
        """Validate a chunk's lines slice by slice and sum the good ones per worker-month
        (``formats.payroll_lines.validate_in_slices``)."""
        ...

    def parse_per(self, src: SourceFile, *, today: dt.date) -> tuple[Any, ...]:
        """A T-Registro ``.per``: (RUC, good periods, issues, skipped lines, bajas without a start)."""
        ...

    def parse_tra(self, src: SourceFile) -> tuple[Any, ...]:
        """A T-Registro ``.tra``: (RUC, contract lines, issues)."""
        ...

    def parse_snl(self, src: SourceFile, *, latest_period: int, earliest_period: int = 0) -> Any:
        """A PLAME ``.snl`` (non-worked days): its ``ruc``, ``period``, ``rows`` and ``issues``."""
        ...

    def parse_jor(self, src: SourceFile, *, latest_period: int, earliest_period: int = 0) -> Any:
        """A PLAME ``.jor`` (hours worked): its ``ruc``, ``period``, ``rows`` and ``issues``."""
        ...
