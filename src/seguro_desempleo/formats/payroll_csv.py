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

import polars as pl

from seguro_desempleo.domain.payroll import ISSUE_CODES
from seguro_desempleo.domain.registry import ruc_valid_mask, validate_ruc
from seguro_desempleo.errors import FormatError, InputError
from seguro_desempleo.formats.plame import SourceFile

COLUMNS = ("ruc", "periodo", "tipo_doc", "num_doc", "concepto", "devengado", "pagado")

NOT_YOURS = "the RUC is not the uploading employer's: an employer declares only its own payroll"
"""The reason of a line or file for another employer's RUC in an employer's own upload."""


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
            df = pl.read_csv(src.data, infer_schema=False, truncate_ragged_lines=False,
                             encoding="utf8-lossy")
            header_offset = 1
    except Exception as exc:  # polars raises several types for malformed files
        raise FormatError(f"cannot read the table: {str(exc).splitlines()[0]}", field="file", where=src.name) from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise FormatError(f"missing column(s) {', '.join(missing)}; the layout is {','.join(COLUMNS)}",
                          field="header", where=src.name)
    df = df.select(*(pl.col(c).fill_null("").str.strip_chars() for c in COLUMNS))
    df = df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line") + header_offset,
                         pl.lit(file_id, dtype=pl.Int64).alias("file"))
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
    year = pl.col("periodo").str.slice(0, 4).cast(pl.Int64, strict=False)
    # From 1990 on, as a PLAME file's name (plame.parse_rem_name).
    period_ok = pl.col("periodo").str.contains(r"^\d{4}-(0[1-9]|1[0-2])$") & (year >= 1990)
    month = pl.col("periodo").str.slice(5, 2).cast(pl.Int64, strict=False)
    return df.with_columns(
        pl.when(period_ok).then(year * 12 + month - 1).otherwise(0).alias("period"),
        pl.when(bad_ruc.is_not_null()).then(bad_ruc)
        .when(~period_ok).then(pl.lit("'") + pl.col("periodo") + "' is not a month YYYY-MM from 1990 on")
        .otherwise(None).alias("shape_error"),
        pl.when(bad_ruc.is_not_null()).then(pl.lit("ruc")).when(~period_ok).then(pl.lit("periodo"))
        .otherwise(pl.lit("line")).alias("shape_field"),
        pl.when(not_yours).then(pl.lit("ruc_not_yours"))
        .when(bad_ruc.is_not_null()).then(pl.lit("ruc_invalid")).when(~period_ok).then(pl.lit("period_invalid"))
        .otherwise(None).alias("shape_code"),
        pl.when(not_yours).then(pl.lit(ISSUE_CODES["ruc_not_yours"]) + ": " + pl.col("ruc"))
        .when(bad_ruc.is_not_null()).then(pl.lit("RUC '") + pl.col("ruc") + "' no válido (dígito verificador)")
        .when(~period_ok).then(pl.lit("'") + pl.col("periodo") + "' no es un mes AAAA-MM desde 1990")
        .otherwise(None).alias("shape_es"),
    )
