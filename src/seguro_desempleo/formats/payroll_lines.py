"""Validation of remuneration lines shared by the PLAME ``.rem`` reader and the CSV/Parquet layout.

Lines arrive as a polars frame of text columns with their source position; :func:`validate_lines`
adds the céntimo amounts and, for each bad line, the first field at fault and the reason. The
checks are vectorised (5 million lines in a few seconds) and never echo a document number.

Columns in: ``file`` (int), ``line`` (int), ``period`` (month index), ``ruc``, ``tipo_doc``,
``num_doc``, ``concepto``, ``devengado``, ``pagado`` (text), ``shape_error`` (text or null: a structural
problem found while reading the line) and ``shape_field`` (the field it concerns).
Columns out (added): ``devengado_c``, ``pagado_c`` (Int64 céntimos), ``field``, ``reason`` (null
when the line is good).
"""

from __future__ import annotations

from functools import cache

import polars as pl

from seguro_desempleo.domain.registry import WORKER_DOCUMENT_TYPES
from seguro_desempleo.formats.codes import insurable_concepts, remuneration_concepts

COMPUTED_CONCEPTS: frozenset[str] = frozenset({
    "0100", "0200", "0300", "0400", "0500", "0600", "0603", "0604", "0607", "0610", "0612", "0616",
    "0800", "0802", "0804", "0806", "0808",
})
"""Totals PLAME computes itself; Estructura 18 says not to declare them."""

AMOUNT_RE = r"^\d{1,7}(\.\d{1,2})?$"
"""Numérico 7,2 (Estructura 18): up to 7 integer digits, point and at most two decimals, or an integer."""


@cache
def declarable_concepts() -> tuple[str, ...]:
    return tuple(sorted(c for c, code in remuneration_concepts().items()
                        if c not in COMPUTED_CONCEPTS and not code.disabled))


@cache
def insurable_concept_list() -> tuple[str, ...]:
    return tuple(sorted(insurable_concepts()))


def cents_expr(col: str) -> pl.Expr:
    """A validated amount text column as Int64 céntimos (exact: integer arithmetic on the digits)."""
    parts = pl.col(col).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64, strict=False)
    frac = parts.struct.field("field_1").fill_null("").str.pad_end(2, "0").cast(pl.Int64, strict=False)
    return pl.when(pl.col(col) == "").then(0).otherwise(whole * 100 + frac).cast(pl.Int64)


def validate_lines(df: pl.LazyFrame | pl.DataFrame, *, latest_period: int) -> pl.DataFrame:
    """Add céntimo amounts and the first ``field``/``reason`` at fault of each line (null if good)."""
    lf = df.lazy().with_columns(
        pl.col("tipo_doc").str.strip_chars(), pl.col("num_doc").str.strip_chars(),
        pl.col("concepto").str.strip_chars(), pl.col("devengado").str.strip_chars(),
        pl.col("pagado").str.strip_chars(),
    )
    doc = pl.col("tipo_doc")
    num = pl.col("num_doc")
    conc = pl.col("concepto")
    dev = pl.col("devengado")
    pag = pl.col("pagado")
    worker_docs = sorted(WORKER_DOCUMENT_TYPES)
    dup_first = pl.col("line").min().over(["file", "ruc", "period", "tipo_doc", "num_doc", "concepto"])
    checks: list[tuple[pl.Expr, pl.Expr | str, pl.Expr | str]] = [
        (pl.col("shape_error").is_not_null(), pl.col("shape_field"), pl.col("shape_error")),
        (pl.col("period") > latest_period, "period", "period is in the future"),
        (doc == "06", "tipo_doc",
         "document type 06 (RUC) is for 4th-category providers, not for a worker of the insurance"),
        (~doc.is_in(worker_docs), "tipo_doc",
         pl.lit("unknown document type '") + doc + f"' (Tabla 3: {', '.join(worker_docs)})"),
        ((doc == "01") & ~num.str.contains(r"^\d{8}$"), "num_doc", "a DNI has exactly 8 digits"),
        ((doc != "01") & ~num.str.contains(r"^[A-Za-z0-9-]{1,15}$"), "num_doc",
         "document number must be 1-15 letters, digits or hyphens"),
        (~conc.str.contains(r"^\d{4}$"), "concepto", "concept code must have 4 digits (Tabla 22)"),
        (conc.is_in(sorted(COMPUTED_CONCEPTS)), "concepto",
         pl.lit("concept ") + conc + " is a total computed by PLAME and must not be declared"),
        (~conc.is_in(list(declarable_concepts())), "concepto",
         pl.lit("unknown concept code '") + conc + "' (Tabla 22)"),
        ((dev == "") & (pag == ""), "devengado", "an amount accrued or paid is required"),
        ((dev != "") & ~dev.str.contains(AMOUNT_RE), "devengado",
         pl.lit("'") + dev + "' is not an amount (up to 7 digits and 2 decimals)"),
        ((pag != "") & ~pag.str.contains(AMOUNT_RE), "pagado",
         pl.lit("'") + pag + "' is not an amount (up to 7 digits and 2 decimals)"),
        (pl.col("line") != dup_first, "concepto",
         pl.lit("duplicate worker and concept (first at line ") + dup_first.cast(pl.Utf8) + ")"),
    ]
    field: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    reason: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for cond, name, why in reversed(checks):
        field = pl.when(cond.fill_null(True)).then(name if isinstance(name, pl.Expr) else pl.lit(name)).otherwise(field)
        reason = pl.when(cond.fill_null(True)).then(why if isinstance(why, pl.Expr) else pl.lit(why)).otherwise(reason)
    lf = lf.with_columns(field.alias("field"), reason.alias("reason"))
    good = pl.col("reason").is_null()
    lf = lf.with_columns(
        pl.when(good).then(cents_expr("devengado")).otherwise(0).alias("devengado_c"),
        pl.when(good).then(cents_expr("pagado")).otherwise(0).alias("pagado_c"),
    )
    return lf.collect()


def worker_months(good: pl.DataFrame) -> pl.DataFrame:
    """Accepted lines summed per (file, ruc, period, worker): the EsSalud-insurable pay (Tabla 22).

    Reading: the insurable pay of the month is the *accrued* amount (monto devengado) of the
    concepts subject to EsSalud, as EsSalud's base is the pay earned in the month.
    """
    insurable = list(insurable_concept_list())
    return (good.lazy()
            .group_by(["file", "ruc", "period", "tipo_doc", "num_doc"])
            .agg(pl.when(pl.col("concepto").is_in(insurable)).then(pl.col("devengado_c")).otherwise(0)
                 .sum().cast(pl.Int64).alias("insurable_pay"))
            .collect())
