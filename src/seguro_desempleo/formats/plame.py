"""SUNAT PLAME remuneration files: ``0601AAAAMM<RUC>.rem`` (Anexo 3, Estructura 18).

One line per worker × concept of the month: ``tipo_doc|num_doc|concepto|devengado|pagado|``
(fields separated by ``|``; a trailing ``|`` is allowed). The employer's RUC and the month come
from the file name. Files are read as bytes and split in bulk, so a national month (5 million
lines in 300,000 files) is validated in a few seconds with polars.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from seguro_desempleo.domain.registry import validate_ruc
from seguro_desempleo.errors import FormatError, InputError
from seguro_desempleo.periods import format_period, month_index

REM_NAME_RE = re.compile(r"^0601(\d{4})(\d{2})(\d{11})\.rem$", re.IGNORECASE)
FIELDS = ("tipo_doc", "num_doc", "concepto", "devengado", "pagado")


def parse_rem_name(name: str, *, check_ruc: bool = True) -> tuple[str, int]:
    """``0601202405<RUC>.rem`` → (RUC, month index); FormatError naming the file otherwise.

    ``check_ruc=False`` leaves the RUC's check digit to the caller (bulk: ``ruc_valid_mask``).
    """
    name = os.path.basename(name)
    m = REM_NAME_RE.match(name)
    if not m:
        raise FormatError("a PLAME remuneration file is named 0601AAAAMM<RUC 11 digits>.rem", field="file name",
                          where=name)
    year, month, ruc = int(m.group(1)), int(m.group(2)), m.group(3)
    if not 1 <= month <= 12 or year < 1990:
        raise FormatError(f"month {m.group(1)}-{m.group(2)} in the file name is not valid", field="file name",
                          where=name)
    if check_ruc:
        check_file_ruc(ruc, name)
    return ruc, month_index(year, month)


def check_file_ruc(ruc: str, name: str) -> None:
    """FormatError when the RUC of a file name fails python-stdnum's check."""
    try:
        validate_ruc(ruc, field="RUC in the file name", where=name)
    except InputError as exc:
        raise FormatError(exc.message, field=exc.field, where=exc.where) from None


@dataclass
class SourceFile:
    """A file to import: its name for messages, its bytes, and what the name says."""

    name: str
    data: bytes
    sha256: str
    kind: str                       # rem | per | csv | parquet
    ruc: str | None = None
    period: int | None = None
    error: FormatError | None = None

    @property
    def period_text(self) -> str:
        return format_period(self.period) if self.period is not None else ""


def split_lines(files: Sequence[SourceFile], file_ids: Sequence[int], nfields: int,
                names: Sequence[str]) -> pl.DataFrame:
    """All lines of *files* as a frame: ``file`` (its id), ``line`` (1-based), the fields as text
    and ``shape_error`` (wrong number of fields, bad encoding). Blank lines are skipped."""
    chunks: list[str] = []
    counts = np.zeros(len(files), dtype=np.int64)
    for i, f in enumerate(files):
        text = f.data.decode("latin-1")  # SUNAT files are ISO-8859-1; every byte decodes
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text and not text.endswith("\n"):
            text += "\n"
        counts[i] = text.count("\n")
        chunks.append(text)
    raw = "".join(chunks).split("\n")
    raw.pop()  # after the final newline
    file_col = np.repeat(np.asarray(file_ids, dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    line_col = np.arange(len(raw), dtype=np.int64) - starts + 1
    df = pl.DataFrame({"file": file_col, "line": line_col, "raw": pl.Series(raw, dtype=pl.Utf8)})
    df = df.filter(pl.col("raw").str.strip_chars() != "")
    parts = pl.col("raw").str.split("|")
    n = parts.list.len()
    ok_shape = (n == nfields) | ((n == nfields + 1) & (parts.list.last().str.strip_chars() == ""))
    exprs = [parts.list.get(i, null_on_oob=True).fill_null("").alias(name) for i, name in enumerate(names)]
    return df.with_columns(
        *exprs,
        pl.when(ok_shape).then(None).otherwise(
            pl.lit(f"expected {nfields} fields separated by '|', found ") + n.cast(pl.Utf8)).alias("shape_error"),
        pl.lit("line").alias("shape_field"),
        pl.when(ok_shape).then(None).otherwise(pl.lit("fields_count")).alias("shape_code"),
        pl.when(ok_shape).then(None).otherwise(
            pl.lit(f"se esperaban {nfields} campos separados por '|', se encontraron ") + n.cast(pl.Utf8))
        .alias("shape_es"),
    ).drop("raw")
