"""The documented CSV/Parquet payroll layout, for systems that do not produce PLAME files.

One row per worker × concept × month, with a header row (UTF-8, comma-separated)::

    ruc,periodo,tipo_doc,num_doc,concepto,devengado,pagado
    20100070970,2025-03,01,45678912,0121,3500.00,3500.00

- ``ruc``: the employer's RUC (11 digits, check digit verified);
- ``periodo``: the month declared, ``YYYY-MM``;
- ``tipo_doc``, ``num_doc``, ``concepto``, ``devengado``, ``pagado``: as PLAME Estructura 18
  (Tabla 3 document type, Tabla 22 concept, amounts in soles with at most two decimals).

A file may hold several employers and months; each (ruc, periodo) is one declaration and, as a
PLAME file would, supersedes an earlier declaration of the same employer and month. Parquet files
have the same columns (all as text).
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import polars as pl

from seguro_desempleo.domain.payroll import ISSUE_CODES, NOT_YOURS
from seguro_desempleo.domain.registry import ruc_valid_mask, validate_ruc
from seguro_desempleo.errors import FormatError, InputError
from seguro_desempleo.formats.plame import SourceFile

COLUMNS = ("ruc", "periodo", "tipo_doc", "num_doc", "concepto", "devengado", "pagado")


def read_table(src: SourceFile, file_id: int, only_ruc: str | None = None) -> pl.DataFrame:
    """The rows of a CSV or Parquet payroll file as the line frame of ``payroll_lines``.

    *only_ruc*: the file is one employer's own upload; a row for any other RUC is a bad line
    (``ruc_not_yours``): an employer declares only its own payroll."""
    try:
        if src.kind == "parquet":
            df = pl.read_parquet(io.BytesIO(src.data))
            df = df.with_columns(pl.all().cast(pl.Utf8))
            header_offset = 0
        else:
            df = pl.read_csv(src.data, infer_schema=False, truncate_ragged_lines=True,
                             encoding="utf8-lossy")
            header_offset = 1
    except Exception as exc:  # polars raises several types for malformed files
        raise FormatError(f"cannot read the table: {str(exc).splitlines()[0]}", field="file", where=src.name) from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise FormatError(f"missing column(s) {', '.join(missing)}; the layout is {','.join(COLUMNS)}",
                          field="header", where=src.name)
    counts = _field_counts(src.data, df.height) if src.kind != "parquet" else None
    width = df.width
    df = df.select(*(pl.col(c).fill_null("").str.strip_chars() for c in COLUMNS))
    if counts is not None:
        df = df.with_columns(counts)
    df = df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line") + header_offset,
                         pl.lit(file_id, dtype=pl.Int64).alias("file"))
    df = df.filter(pl.any_horizontal(pl.col(c) != "" for c in COLUMNS))  # a blank line is no line, as in PLAME
    ruc_ok: dict[str, str | None] = {}
    unique = df["ruc"].unique().to_list()
    for ruc, valid in zip(unique, ruc_valid_mask(unique), strict=True):
        if valid:
            continue
        try:
            validate_ruc(ruc)
        except InputError as exc:
            ruc_ok[ruc] = exc.message
        else:  # pragma: no cover - the mask and python-stdnum agree (property test)
            continue
    if only_ruc is not None:
        for ruc in unique:
            if ruc not in ruc_ok and ruc != only_ruc:
                ruc_ok[ruc] = NOT_YOURS
    bad_ruc = pl.col("ruc").replace_strict(ruc_ok, default=None, return_dtype=pl.Utf8)
    not_yours = bad_ruc == NOT_YOURS
    # A row with fewer or more fields than the header (a field lost or added): its values are
    # not where their names say, so nothing else is checked on it.
    ragged = (pl.col("_fields") != width) if counts is not None else pl.lit(False)
    fields_found = pl.col("_fields").cast(pl.Utf8) if counts is not None else pl.lit("")
    year = pl.col("periodo").str.slice(0, 4).cast(pl.Int64, strict=False)
    # From 1990 on, as a PLAME file's name (plame.parse_rem_name).
    period_ok = pl.col("periodo").str.contains(r"^\d{4}-(0[1-9]|1[0-2])$") & (year >= 1990)
    month = pl.col("periodo").str.slice(5, 2).cast(pl.Int64, strict=False)
    out = df.with_columns(
        pl.when(period_ok).then(year * 12 + month - 1).otherwise(0).alias("period"),
        pl.when(ragged).then(pl.lit(f"expected {width} fields separated by ',', found ") + fields_found)
        .when(bad_ruc.is_not_null()).then(bad_ruc)
        .when(~period_ok).then(pl.lit("'") + pl.col("periodo") + "' is not a month YYYY-MM from 1990 on")
        .otherwise(None).alias("shape_error"),
        pl.when(ragged).then(pl.lit("line"))
        .when(bad_ruc.is_not_null()).then(pl.lit("ruc")).when(~period_ok).then(pl.lit("periodo"))
        .otherwise(pl.lit("line")).alias("shape_field"),
        pl.when(ragged).then(pl.lit("fields_count"))
        .when(not_yours).then(pl.lit("ruc_not_yours"))
        .when(bad_ruc.is_not_null()).then(pl.lit("ruc_invalid")).when(~period_ok).then(pl.lit("period_invalid"))
        .otherwise(None).alias("shape_code"),
        pl.when(ragged).then(pl.lit(f"se esperaban {width} campos separados por ',', se encontraron ") + fields_found)
        .when(not_yours).then(pl.lit(ISSUE_CODES["ruc_not_yours"]) + ": " + pl.col("ruc"))
        .when(bad_ruc.is_not_null()).then(pl.lit("RUC '") + pl.col("ruc") + "' no válido (dígito verificador)")
        .when(~period_ok).then(pl.lit("'") + pl.col("periodo") + "' no es un mes AAAA-MM desde 1990")
        .otherwise(None).alias("shape_es"),
    )
    return out.drop("_fields") if counts is not None else out


def _field_counts(data: bytes, rows: int) -> pl.Series | None:
    """How many comma-separated fields each row after the header has (``_fields``), counted on
    the bytes themselves — the CSV reader fills a short row with nulls and cuts a long one.
    Quoted values count as one field (the layout's values hold no comma or quote, but a program
    may quote them). None when the lines do not line up with the reader's rows (a quoted line
    break, blank lines at the end): then no row is checked this way."""
    if b'"' in data:  # rare: quoted values, counted on the text
        lines = pl.Series("raw", [data.decode("utf-8", "replace")]).str.split("\n").explode()
        if lines.len() and lines[-1] == "":
            lines = lines.head(-1)
        if lines.len() - 1 != rows:
            return None
        bare = lines.slice(1).str.replace_all(r'"[^"]*"', "")
        return (bare.str.count_matches(",", literal=True) + 1).cast(pl.Int64).alias("_fields")
    counts = _line_fields(np.frombuffer(data, dtype=np.uint8))
    if counts.size - 1 != rows:
        return None
    return pl.Series("_fields", counts[1:])


def _line_fields(buf: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Commas + 1 of each line of *buf* (a last line without its newline included)."""
    lines = 0
    for i in range(buf.size):
        if buf[i] == 10:
            lines += 1
    if buf.size and buf[buf.size - 1] != 10:
        lines += 1
    out = np.ones(lines, dtype=np.int64)
    k = 0
    for i in range(buf.size):
        c = buf[i]
        if c == 44:
            out[k] += 1
        elif c == 10:
            k += 1
    return out


try:  # numba is a declared dependency (formats.rem_scan); without it the loop runs in Python
    from numba import njit

    _line_fields = njit(cache=True, nogil=True)(_line_fields)
except ImportError:  # pragma: no cover
    pass
