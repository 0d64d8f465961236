"""Validation of remuneration lines shared by the PLAME ``.rem`` reader and the CSV/Parquet layout.

Lines arrive as a polars frame of text columns with their source position; :func:`validate_lines`
adds the céntimo amounts and, for each bad line, the first field at fault and the reason. The
checks are vectorised (5 million lines in a few seconds) and never echo a document number.

Columns in: ``file`` (int), ``line`` (int), ``period`` (month index), ``ruc``, ``tipo_doc``,
``num_doc``, ``concepto``, ``devengado``, ``pagado`` (text), ``shape_error`` (text or null: a structural
problem found while reading the line), ``shape_field`` (the field it concerns), ``shape_code`` and
``shape_es`` (its reason code and Spanish reason).
Columns out (added): ``devengado_c`` (Int64 céntimos), ``field``, ``reason``, ``code`` and
``reason_es`` (null when the line is good; codes and Spanish texts: ``domain.payroll.ISSUE_CODES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import polars as pl

from seguro_desempleo.domain.payroll import ISSUE_CODES
from seguro_desempleo.domain.registry import WORKER_DOCUMENT_TYPES
from seguro_desempleo.formats.codes import (
    EMPLOYER_FLAGGED_CONCEPTS,
    insurable_concepts,
    remuneration_concepts,
)
from seguro_desempleo.periods import format_period

COMPUTED_CONCEPTS: frozenset[str] = frozenset({
    "0100", "0200", "0300", "0400", "0500", "0600", "0603", "0604", "0607", "0610", "0612", "0616",
    "0800", "0802", "0804", "0806", "0808",
})
"""Totals PLAME computes itself; Estructura 18 says not to declare them."""

PAID_ONLY_CONCEPTS: frozenset[str] = frozenset({
    "0601", "0602", "0605", "0606", "0608", "0609", "0611", "0613", "0614", "0615", "0617", "0618",
    "0701", "0702", "0703", "0704", "0705", "0706", "0707",
    "0801", "0803", "0805", "0807", "0809", "0810", "0811",
})
"""Estructura 18: for the 700s (descuentos) and these tributes and contributions "sólo se considera
el monto consignado en la columna pagado/descontado": a line may leave the accrued amount empty."""

BASE_DEDUCTIONS: frozenset[str] = frozenset({"0704", "0705", "0707"})
"""Deductions PLAME subtracts from the base of the contributions (tardanzas, inasistencias, otros
descuentos deducibles de la base imponible): their amount deducted lowers the month's insurable
pay (decision 0332)."""

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


def normalised_fields(lf: pl.LazyFrame) -> pl.LazyFrame:
    """The five fields as they are checked, compared and stored: without surrounding spaces, and
    the document number in capitals (``ab123`` and ``AB123`` are one worker, as the registry
    stores them: ``domain.registry.validate_document``). Before the duplicate check too: a line
    that differs from an earlier one only by a space or a letter's case is a repeat, not a
    second worker-concept whose pay would be counted twice."""
    return lf.with_columns(
        pl.col("tipo_doc").str.strip_chars(), pl.col("num_doc").str.strip_chars().str.to_uppercase(),
        pl.col("concepto").str.strip_chars(), pl.col("devengado").str.strip_chars(),
        pl.col("pagado").str.strip_chars(),
    )


CUI_CHECK_DIGITS = "65432110987"
CUI_CHECK_LETTERS = "KJIHGFEDCBA"
CUI_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def normalised_codes(df: pl.DataFrame) -> pl.DataFrame:
    """Codes as payroll programs write them, made what the structures mean (decision 0330):

    - a one-digit numeric document type (``1``, as an Odoo localisation ships Tabla 3) is its
      two-digit code (``01``); a code that does not exist stays refused;
    - a concept of one to three digits (``121``: Estructura 18 says "máximo 4") is its Tabla 22
      code (``0121``);
    - a DNI written with its check character (9 characters, ``stdnum.pe.cui``; a hyphen before
      it allowed) is the 8-digit DNI when the character is right — the check T-Registro's
      ``.per`` reader makes (``domain.registry.validate_document``): one validation for both.

    Only lines that need it are touched (one cheap test of the whole batch first)."""
    if not df.height:
        return df
    doc, con, num = pl.col("tipo_doc"), pl.col("concepto"), pl.col("num_doc")
    odd = df.select(((doc.str.len_bytes() == 1) | (con.str.len_bytes() < 4)
                     | ((doc.is_in(["01", "1"])) & (num.str.len_bytes() > 8))).any()).item()
    if not odd:
        return df
    df = df.with_columns(
        pl.when(doc.str.contains(r"^\d$")).then(pl.lit("0") + doc).otherwise(doc).alias("tipo_doc"),
        pl.when(con.str.contains(r"^\d{1,3}$")).then(con.str.pad_start(4, "0")).otherwise(con).alias("concepto"))
    squeezed = num.str.replace("-", "", literal=True)
    cand = (doc == "01") & squeezed.str.contains(r"^\d{8}[0-9A-K]$")
    total = sum((squeezed.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(CUI_WEIGHTS)),
                start=pl.lit(0, dtype=pl.Int64)) % 11
    last = squeezed.str.slice(8, 1)
    digits = total.replace_strict(dict(enumerate(CUI_CHECK_DIGITS)), default=None, return_dtype=pl.Utf8)
    letters = total.replace_strict(dict(enumerate(CUI_CHECK_LETTERS)), default=None, return_dtype=pl.Utf8)
    ok = cand & ((last == digits) | (last == letters))
    return df.with_columns(pl.when(ok.fill_null(False)).then(squeezed.str.slice(0, 8)).otherwise(num).alias("num_doc"))


def _quoted(value: pl.Expr, hidden: str, lead: str = "") -> pl.Expr:
    """*lead* and a field's value quoted, for a reason; *hidden* instead when the value could be a
    document number (six or more letters, digits or hyphens: a shifted line puts the DNI in
    another field). Ley 29733: reasons never echo a document number."""
    return (pl.when(value.str.contains(r"^[A-Za-z0-9-]{6,}$")).then(pl.lit(hidden))
            .otherwise(pl.lit(lead + "'") + value + "'"))


def validate_lines(df: pl.LazyFrame | pl.DataFrame, *, latest_period: int, dup_column: str | None = None,
                   whole: pl.DataFrame | None = None, earliest_period: int = 0) -> pl.DataFrame:
    """Add céntimo amounts and the first ``field``/``reason`` at fault of each line (null if good).

    Each line gets the code of its first failing check in one pass; the reason text is built only
    for the (few) bad lines. The fields come as :func:`normalised_fields` gives them (the caller,
    :func:`validate_in_slices`, normalises the batch once, before its duplicate check).
    """
    lf = df.lazy()
    if dup_column is None:
        whole_df = prepared(normalised_codes(lf.collect()))
        lf = whole_df.lazy().rename({"_dup_all": "_dup"})
    else:
        lf = lf.rename({dup_column: "_dup"})
    checks = _line_checks(latest_period, earliest_period)
    code: pl.Expr = pl.lit(0, dtype=pl.Int8)
    for k, (cond, *_) in reversed(list(enumerate(checks, 1))):
        code = pl.when(cond.fill_null(True)).then(pl.lit(k, dtype=pl.Int8)).otherwise(code)
    out = lf.with_columns(code.alias("_code")).collect()
    good = pl.col("_code") == 0
    need_paid, need_notes = out.select(
        ((pl.col("_part") == -1) | pl.col("_zp")).any(),
        (pl.col("_summed") | pl.col("_flag_missing") | pl.col("_zp")).any()).row(0)
    out = _with_notices(_with_pay(out, good, need_paid=need_paid), good, need_notes=need_notes)
    out = out.with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("field"), pl.lit(None, dtype=pl.Utf8).alias("reason"),
        pl.lit(None, dtype=pl.Utf8).alias("code"), pl.lit(None, dtype=pl.Utf8).alias("reason_es"),
    )
    if out.select((~good).any()).item():
        bad = _with_reasons(out.filter(~good), checks, whole if whole is not None else out)
        out = pl.concat([out.filter(good), bad], how="vertical_relaxed")
    return out.with_columns((pl.col("_code") == 0).alias("ok")).drop("_code", "_dup", "_summed", "_part", "_fills",
                                                                   "_flag_missing", "_zp")


_Check = tuple[pl.Expr, str | None, pl.Expr, pl.Expr, pl.Expr]
"""One check of a line: (condition, field, reason, code, Spanish reason); the field None: the
line's own ``shape_field``."""


def _line_checks(latest_period: int, earliest_period: int) -> list[_Check]:
    """The checks of a line, in order: a line's code is the number of the first that fails (from
    1). The reasons may use the line's own columns (never the document number)."""
    doc = pl.col("tipo_doc")
    num = pl.col("num_doc")
    conc = pl.col("concepto")
    dev = pl.col("devengado")
    pag = pl.col("pagado")
    worker_docs = sorted(WORKER_DOCUMENT_TYPES)
    dup = pl.col("_dup")
    amount_es = " no es un monto (hasta 7 dígitos enteros y 2 decimales)"
    return [
        (pl.col("shape_error").is_not_null(), None, pl.col("shape_error"), pl.col("shape_code"), pl.col("shape_es")),
        (pl.col("period") > latest_period, "periodo", pl.lit("period is in the future"), pl.lit("period_future"),
         pl.lit(ISSUE_CODES["period_future"])),
        (pl.col("period") < earliest_period, "periodo",
         pl.lit(f"period is before {format_period(earliest_period)}, the first month the insurance's "
                "parameters cover"), pl.lit("period_too_early"), pl.lit(ISSUE_CODES["period_too_early"])),
        (doc == "06", "tipo_doc",
         pl.lit("document type 06 (RUC) is for 4th-category providers, not for a worker of the insurance"),
         pl.lit("doc_type_ruc"), pl.lit(ISSUE_CODES["doc_type_ruc"])),
        (~doc.is_in(worker_docs), "tipo_doc",
         pl.lit("unknown document type") + _quoted(doc, "", " ") + f" (Tabla 3: {', '.join(worker_docs)})",
         pl.lit("doc_type_unknown"),
         pl.lit("tipo de documento") + _quoted(doc, "", " ") + f" desconocido (Tabla 3: {', '.join(worker_docs)})"),
        ((doc == "01") & ~((num.str.len_bytes() == 8) & num.str.contains(r"^\d+$")), "num_doc",
         pl.lit("a DNI has exactly 8 digits"), pl.lit("dni_invalid"), pl.lit(ISSUE_CODES["dni_invalid"])),
        ((doc != "01") & ~num.str.contains(r"^[A-Za-z0-9-]{1,15}$"), "num_doc",
         pl.lit("document number must be 1-15 letters, digits or hyphens"), pl.lit("doc_number_invalid"),
         pl.lit(ISSUE_CODES["doc_number_invalid"])),
        (~conc.is_in(list(declarable_concepts())), "concepto", pl.lit(""), pl.lit(""), pl.lit("")),  # _with_reasons
        # Estructura 18: the amount accrued is required when an amount paid is given, and the
        # amount paid when an amount accrued is: a line gives both (a line with neither has none).
        ((dev == "") & ~(conc.is_in(sorted(PAID_ONLY_CONCEPTS)) & (pag != "")), "devengado",
         pl.when(pag == "").then(pl.lit("an amount accrued and an amount paid are required"))
         .otherwise(pl.lit("the amount accrued is required with the amount paid (Estructura 18)")),
         pl.lit("amount_missing"), pl.lit(ISSUE_CODES["amount_missing"])),
        (pag == "", "pagado", pl.lit("the amount paid or deducted is required with the amount accrued (Estructura 18)"),
         pl.lit("amount_missing"), pl.lit(ISSUE_CODES["amount_missing"])),
        ((dev != "") & ~dev.str.contains(AMOUNT_RE), "devengado",
         _quoted(dev, "the value") + " is not an amount (up to 7 digits and 2 decimals)", pl.lit("amount_invalid"),
         _quoted(dev, "el valor") + amount_es),
        ((pag != "") & ~pag.str.contains(AMOUNT_RE), "pagado",
         _quoted(pag, "the value") + " is not an amount (up to 7 digits and 2 decimals)", pl.lit("amount_invalid"),
         _quoted(pag, "el valor") + amount_es),
        (dup, "concepto", pl.lit("the same worker, concept and amounts twice (pay would be counted twice)"),
         pl.lit("line_duplicate"),
         pl.lit("el mismo trabajador, concepto y montos dos veces (se contaría dos veces la remuneración)")),
    ]


def _with_pay(out: pl.DataFrame, good: pl.Expr, *, need_paid: bool) -> pl.DataFrame:
    """*out* with the good lines' amounts in céntimos (``devengado_c``, ``pagado_c``: 0 on a bad
    line, and the amount paid only if some line needs it) and each line's ``pay_c``."""
    out = out.with_columns(
        pl.when(good).then(cents_expr("devengado")).otherwise(0).alias("devengado_c"),
        (pl.when(good).then(cents_expr("pagado")).otherwise(0) if need_paid else pl.lit(0, dtype=pl.Int64))
        .alias("pagado_c"))
    ins = pl.col("_part") == 1
    dev_c, pag_c = pl.col("devengado_c"), pl.col("pagado_c")
    zero_paid = pl.col("_zp") & good
    # The line's part of the month's insurable pay (EsSalud's base, Tabla 22): the accrued amount
    # of an insurable concept — or, in a declaration that never fills the accrued amount of one,
    # the amount paid (decision 0331) —, less a base deduction's amount deducted (decision 0332).
    pay = (pl.when(~good).then(0).when(zero_paid & ~pl.col("_fills")).then(pag_c).when(ins).then(dev_c)
           .when(pl.col("_part") == -1).then(-pag_c).otherwise(0) if need_paid else
           pl.when(good & ins).then(dev_c).otherwise(0))
    return out.with_columns(pay.cast(pl.Int64).alias("pay_c"))


def _with_notices(out: pl.DataFrame, good: pl.Expr, *, need_notes: bool) -> pl.DataFrame:
    """*out* with each good line's notice (``notice_code``, ``notice_field``, ``notice_reason``,
    ``notice_es``: :data:`NOTICE_REASONS`), null where there is none."""
    zero_paid = pl.col("_zp") & good
    null = pl.lit(None, dtype=pl.Utf8)
    if need_notes:
        out = out.with_columns(
            pl.when(~good).then(None)
            .when(pl.col("_summed")).then(pl.lit("line_summed"))
            .when(zero_paid & ~pl.col("_fills")).then(pl.lit("accrued_zero_paid_counted"))
            .when(zero_paid).then(pl.lit("accrued_zero_paid_ignored"))
            .when(pl.col("_flag_missing")).then(pl.lit("concept_flag_unregistered"))
            .otherwise(None).alias("notice_code"),
        ).with_columns(
            pl.when(pl.col("notice_code").is_null()).then(None)
            .when(pl.col("notice_code").is_in(["line_summed", "concept_flag_unregistered"])).then(pl.lit("concepto"))
            .otherwise(pl.lit("devengado")).alias("notice_field"),
            pl.col("notice_code").replace_strict(NOTICE_REASONS, default=None, return_dtype=pl.Utf8)
            .alias("notice_reason"),
            pl.col("notice_code").replace_strict(NOTICE_CODES, default=None, return_dtype=pl.Utf8).alias("notice_es"))
    else:
        out = out.with_columns(null.alias("notice_code"), null.alias("notice_field"), null.alias("notice_reason"),
                               null.alias("notice_es"))
    return out


def _with_reasons(bad: pl.DataFrame, checks: list[_Check], source: pl.DataFrame) -> pl.DataFrame:
    """The *bad* lines with the ``field``, ``reason``, ``code`` and ``reason_es`` of their first
    failing check; a repeated line's reason names the first line it repeats (in *source*, the
    whole batch)."""
    conc = pl.col("concepto")
    keys = ["file", "ruc", "period", "tipo_doc", "num_doc", "concepto", "devengado", "pagado"]
    concept_check = 1 + [fld for _, fld, *_ in checks].index("concepto")  # its reason is refined below
    field: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    reason: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    code_name: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    reason_es: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for k, (_, name, why, cname, why_es) in enumerate(checks, 1):
        hit = pl.col("_code") == k
        field = pl.when(hit).then(pl.col("shape_field") if name is None else pl.lit(name)).otherwise(field)
        reason = pl.when(hit).then(why).otherwise(reason)
        code_name = pl.when(hit).then(cname).otherwise(code_name)
        reason_es = pl.when(hit).then(why_es).otherwise(reason_es)
    concept_code = (pl.when(~conc.str.contains(r"^\d{4}$")).then(pl.lit("concept_format"))
                    .when(conc.is_in(sorted(COMPUTED_CONCEPTS))).then(pl.lit("concept_computed"))
                    .otherwise(pl.lit("concept_unknown")))
    concept_es = (pl.when(~conc.str.contains(r"^\d{4}$")).then(pl.lit(ISSUE_CODES["concept_format"]))
                  .when(conc.is_in(sorted(COMPUTED_CONCEPTS)))
                  .then(pl.lit("el concepto ") + conc + " es un total que calcula el PLAME y no debe declararse")
                  .otherwise(pl.lit("código de concepto '") + conc + "' desconocido (Tabla 22)"))
    concept_reason = (pl.when(~conc.str.contains(r"^\d{4}$")).then(pl.lit("concept code must have 4 digits (Tabla 22)"))
                      .when(conc.is_in(sorted(COMPUTED_CONCEPTS)))
                      .then(pl.lit("concept ") + conc + " is a total computed by PLAME and must not be declared")
                      .otherwise(pl.lit("unknown concept code '") + conc + "' (Tabla 22)"))
    first_line = (source.join(bad.filter(pl.col("_code") == len(checks)).select(keys), on=keys, how="semi")
                  .group_by(keys).agg(pl.col("line").min().alias("_first")))
    is_concept = pl.col("_code") == concept_check
    return (bad.with_columns(field.alias("field"), reason.alias("reason"), code_name.alias("code"),
                             reason_es.alias("reason_es"))
            .with_columns(pl.when(is_concept).then(concept_reason).otherwise(pl.col("reason")).alias("reason"),
                          pl.when(is_concept).then(concept_code).otherwise(pl.col("code")).alias("code"),
                          pl.when(is_concept).then(concept_es).otherwise(pl.col("reason_es"))
                          .alias("reason_es"))
            .join(first_line, on=keys, how="left")
            .with_columns(pl.when(pl.col("_code") == len(checks))
                          .then(pl.col("reason") + " (first at line "
                                + pl.col("_first").cast(pl.Utf8).fill_null("?") + ")")
                          .otherwise(pl.col("reason")).alias("reason"),
                          pl.when(pl.col("_code") == len(checks))
                          .then(pl.col("reason_es") + " (primera vez en la línea "
                                + pl.col("_first").cast(pl.Utf8).fill_null("?") + ")")
                          .otherwise(pl.col("reason_es")).alias("reason_es"))
            .drop("_first"))


KEYS = ("file", "ruc", "period", "tipo_doc", "num_doc", "concepto")

NOTICE_REASONS: dict[str, str] = {
    "line_summed": "the same worker and concept again with other amounts (a re-hire, or two payroll records): "
                   "the lines are summed, as PLAME holds one line per worker and concept",
    "accrued_zero_paid_counted": "accrued amount 0 with an amount paid, in a declaration that never fills the "
                                 "accrued amount of an insurable concept: the amount paid is counted as the "
                                 "month's pay (decision 0331)",
    "accrued_zero_paid_ignored": "accrued amount 0 with an amount paid, in a declaration that fills the accrued "
                                 "amount elsewhere: pay of an earlier month, not counted in this one "
                                 "(EsSalud's base is the pay accrued in the month; decision 0331)",
    "concept_flag_unregistered": "an 'otros conceptos' code (1001-1040): its EsSalud affectation is set by the "
                                 "employer, who has not registered it; the line is not counted as insurable pay",
}
"""Notices: lines accepted, but read in a way the employer should know of (``--format json``,
the CLI and the employer's upload report list them beside the errors)."""

NOTICE_CODES: dict[str, str] = {
    "line_summed": "el mismo trabajador y concepto otra vez con otros montos (reingreso o dos registros de "
                   "planilla): las líneas se suman, como el PLAME tiene una línea por trabajador y concepto",
    "accrued_zero_paid_counted": "monto devengado 0 con monto pagado, en una declaración que nunca llena el "
                                 "devengado de un concepto afecto: se cuenta el monto pagado como remuneración "
                                 "del mes (decisión 0331)",
    "accrued_zero_paid_ignored": "monto devengado 0 con monto pagado, en una declaración que sí llena el "
                                 "devengado: es pago de un mes anterior y no cuenta en este (la base de EsSalud "
                                 "es lo devengado en el mes; decisión 0331)",
    "concept_flag_unregistered": "concepto 'otros conceptos' (1001-1040): su afectación a EsSalud la fija el "
                                 "empleador, que no la ha registrado; la línea no se cuenta como remuneración "
                                 "asegurable",
}


def prepared(lines: pl.DataFrame, concept_flags: pl.DataFrame | None = None) -> pl.DataFrame:
    """*lines* (fields normalised) with what validating them needs of the whole batch:
    ``_dup_all`` (an identical repeat), ``_summed`` (the same worker and concept again, other
    amounts), ``_part`` (1: the concept counts as insurable pay — Tabla 22 EsSalud = SI, or an
    employer-flagged 1001–1040 registered SI in *concept_flags*: ``ruc``, ``concepto``,
    ``essalud``; -1: a base deduction; 0: neither), ``_flag_missing`` (a 1001–1040 with no
    registered flag), ``_zp`` (an insurable line with 0 accrued and an amount paid) and ``_fills``
    (the line's declaration gives an accrued amount above 0 on some insurable line)."""
    dup, summed = duplicate_flags(lines)
    conc, dev, pag = pl.col("concepto"), pl.col("devengado"), pl.col("pagado")
    part = conc.replace_strict(_parts(), default=0, return_dtype=pl.Int8)
    flagged = sorted(EMPLOYER_FLAGGED_CONCEPTS)
    zero = r"^0*(\.0{0,2})?$"
    if lines.height and lines.select(conc.is_in(flagged).any()).item():
        flags = (concept_flags if concept_flags is not None else
                 pl.DataFrame(schema={"ruc": pl.Utf8, "concepto": pl.Utf8, "essalud": pl.Boolean}))
        lines = (lines.join(flags.select("ruc", "concepto", pl.col("essalud").alias("_essalud")),
                            on=["ruc", "concepto"], how="left", maintain_order="left")
                 .with_columns(pl.when(conc.is_in(flagged) & pl.col("_essalud").fill_null(False))
                               .then(pl.lit(1, dtype=pl.Int8)).otherwise(part).alias("_part"),
                               (conc.is_in(flagged) & pl.col("_essalud").is_null()).alias("_flag_missing"))
                 .drop("_essalud"))
        part, missing = pl.col("_part"), pl.col("_flag_missing")
    else:
        missing = pl.lit(False)
    ins = part == 1
    # An insurable line with 0 accrued and an amount paid (decision 0331); the cheap test first
    # (an accrued amount that starts with 0 at all), the exact one only if some line passes it.
    zp = ins & dev.str.contains(zero) & (pag != "") & ~pag.str.contains(zero)
    columns: list[pl.Expr | pl.Series] = [dup.alias("_dup_all"), summed.alias("_summed"),
               part.alias("_part"), missing.alias("_flag_missing")]
    if lines.height and lines.select((ins & dev.str.starts_with("0")).any()).item() \
            and lines.select(zp.any()).item():
        fills = (ins & (dev != "") & ~dev.str.contains(zero)).any().over(["file", "ruc", "period"])
        return lines.with_columns(*columns, zp.alias("_zp"), fills.alias("_fills"))
    return lines.with_columns(*columns, pl.lit(False).alias("_zp"), pl.lit(True).alias("_fills"))


@cache
def _parts() -> dict[str, int]:
    """Each concept's part in the insurable pay: 1 its accrued amount (Tabla 22 EsSalud = SI),
    -1 its amount deducted (a base deduction), absent (0) none."""
    out = dict.fromkeys(insurable_concept_list(), 1)
    out.update(dict.fromkeys(sorted(BASE_DEDUCTIONS), -1))
    return out


def _amount_key(col: str) -> pl.Expr:
    """An amount as compared for an identical repeat: its céntimos (``3000`` and ``3000.00`` are
    one amount), the text itself when it is not an amount."""
    return (pl.when(pl.col(col).str.contains(AMOUNT_RE)).then(cents_expr(col).cast(pl.Utf8))
            .otherwise(pl.col(col)).alias(col))


def duplicate_flags(df: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """(identical, summed): True for each line that repeats an earlier line's (file, ruc, period,
    worker, concept) with the same amounts — pay that would be counted twice, refused — and for
    each that repeats the worker and concept with other amounts (summed, with a notice).

    A 64-bit hash of the key finds the candidates (numpy sorts the hashes: equal neighbours are
    repeats; in a clean file there are none, and this is the whole cost); the exact key decides
    among them.
    """
    keys = list(KEYS)
    out = np.zeros(df.height, dtype=bool)
    summed = np.zeros(df.height, dtype=bool)
    if df.height:
        # Each column hashed alone, the hashes mixed by numpy (wrapping uint64): half the time
        # of hashing the six columns as one struct.
        parts = df.select(*[pl.col(k).hash(seed=7 + i).alias(k) for i, k in enumerate(keys)])
        hashes = parts[keys[0]].to_numpy().copy()
        for k in keys[1:]:
            hashes *= np.uint64(0x9E3779B97F4A7C15)
            hashes += parts[k].to_numpy()
        del parts
        ordered = np.sort(hashes)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if repeated.size:
            cand = np.isin(hashes, repeated)
            idx = np.flatnonzero(cand)
            firsts = df.filter(pl.Series(cand)).select(
                pl.struct(keys).is_first_distinct().alias("k"),
                pl.struct([*keys, _amount_key("devengado"), _amount_key("pagado")]).is_first_distinct().alias("a"))
            first = firsts["k"].to_numpy()
            same = ~firsts["a"].to_numpy()
            out[idx[same]] = True
            summed[idx[~first & ~same]] = True
    return pl.Series("_dup", out), pl.Series("_summed", summed)


ISSUE_SCHEMA: dict[str, Any] = {"file": pl.Int64, "line": pl.Int64, "field": pl.Utf8, "reason": pl.Utf8,
                                "code": pl.Utf8, "reason_es": pl.Utf8}


@dataclass
class Checked:
    """The outcome of validating a batch of lines."""

    bad: pl.DataFrame          # file, line, field, reason, code, reason_es
    stats: pl.DataFrame        # file, n (lines), bad (rejected lines)
    months: pl.DataFrame       # file, ruc, period, tipo_doc, num_doc, insurable_pay (good lines only)
    notices: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ISSUE_SCHEMA))
    # file, line, field, reason, code, reason_es: accepted lines read in a way worth saying



def validate_in_slices(lines: pl.DataFrame, *, latest_period: int, slice_rows: int = 500_000,
                       earliest_period: int = 0, concept_flags: pl.DataFrame | None = None) -> Checked:
    """Validate *lines* slice by slice (bounded memory) and sum the good lines per worker-month.

    Duplicates are flagged over the whole batch first, so a repeat in a later slice is still found.
    *concept_flags*: the EsSalud flags employers registered for concepts 1001–1040 (``ruc``,
    ``concepto``, ``essalud``).
    """
    lines = normalised_codes(normalised_fields(lines.lazy()).collect())
    lines = prepared(lines, concept_flags)
    bads, stats, partials, notices = [], [], [], []
    bounds, by_file = _slices(lines["file"], slice_rows)
    for off, size in bounds:
        part = validate_lines(lines.slice(off, size), latest_period=latest_period, earliest_period=earliest_period,
                              dup_column="_dup_all", whole=lines)
        bads.append(part.filter(~pl.col("ok")).select("file", "line", "field", "reason", "code", "reason_es"))
        stats.append(part.group_by("file").agg(pl.len().alias("n"), (~pl.col("ok")).sum().alias("bad")))
        partials.append(worker_months(part.lazy().filter(pl.col("ok"))))
        notices.append(part.filter(pl.col("ok") & pl.col("notice_code").is_not_null())
                       .select("file", "line", pl.col("notice_field").alias("field"),
                               pl.col("notice_reason").alias("reason"), pl.col("notice_code").alias("code"),
                               pl.col("notice_es").alias("reason_es")))
        del part
    months = pl.concat(partials)
    stat = pl.concat(stats)
    if not by_file:  # a worker-month (or a file) may span two slices
        months = months.group_by(["file", "ruc", "period", "tipo_doc", "num_doc"]).agg(pl.col("insurable_pay").sum())
        stat = stat.group_by("file").agg(pl.col("n").sum(), pl.col("bad").sum())
    # A month's base deductions (0704, 0705, 0707) lower its pay to 0 at most.
    months = months.with_columns(pl.col("insurable_pay").clip(lower_bound=0))
    return Checked(pl.concat(bads), stat, months, pl.concat(notices).cast(pl.Schema(ISSUE_SCHEMA)))


def _slices(files: pl.Series, rows: int) -> tuple[list[tuple[int, int]], bool]:
    """(offset, length) of slices of about *rows* lines, and whether each ends where a file does.

    When the lines come file after file (as PLAME files are split), each slice is extended to the
    end of its last file, so that no file — and no worker-month, which belongs to one file — is
    cut in two and the slices' sums need no second pass; unless a file is so long (a national
    CSV) that the slice would pass twice *rows*: then fixed slices (memory stays bounded).
    """
    n = len(files)
    if n <= rows:
        return [(0, n)], True
    fixed = [(off, min(rows, n - off)) for off in range(0, n, rows)]
    arr = files.to_numpy()
    if not (arr[1:] >= arr[:-1]).all():
        return fixed, False
    out: list[tuple[int, int]] = []
    off = 0
    while off < n:
        end = min(off + rows, n)
        if end < n:  # on to the first line of the next file
            end = int(np.searchsorted(arr, arr[end - 1], side="right"))
            if end - off > 2 * rows:
                return fixed, False
        out.append((off, end - off))
        off = end
    return out, True


def worker_months(good: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Accepted lines summed per (file, ruc, period, worker): the EsSalud-insurable pay (Tabla 22).

    Reading: the insurable pay of the month is the *accrued* amount (monto devengado) of the
    concepts subject to EsSalud, as EsSalud's base is the pay earned in the month, less the
    deductions PLAME takes off that base (each line's ``pay_c``: :func:`validate_lines`). Not
    floored here: the caller floors the month's sum at 0 once a month is whole.
    """
    return (good.lazy()  # (a lazy frame: only the columns summed here are filtered)
            .group_by(["file", "ruc", "period", "tipo_doc", "num_doc"])
            .agg(pl.col("pay_c").sum().cast(pl.Int64).alias("insurable_pay"))
            .collect())
