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

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from seguro_desempleo.domain.payroll import ISSUE_CODES
from seguro_desempleo.domain.registry import WORKER_DOCUMENT_TYPES
from seguro_desempleo.formats.codes import insurable_concepts, remuneration_concepts
from seguro_desempleo.periods import format_period

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
    doc = pl.col("tipo_doc")
    num = pl.col("num_doc")
    conc = pl.col("concepto")
    dev = pl.col("devengado")
    pag = pl.col("pagado")
    worker_docs = sorted(WORKER_DOCUMENT_TYPES)
    keys = ["file", "ruc", "period", "tipo_doc", "num_doc", "concepto"]
    if dup_column is None:
        lf = lf.with_columns(duplicate_flags(lf.collect()).alias("_dup"))
    else:
        lf = lf.rename({dup_column: "_dup"})
    dup = pl.col("_dup")
    # (condition, field, reason, code, Spanish reason): the reasons may use the line's own columns
    # (never the document number).
    amount_es = " no es un monto (hasta 7 dígitos enteros y 2 decimales)"
    checks: list[tuple[pl.Expr, str | None, pl.Expr, pl.Expr, pl.Expr]] = [
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
        (~conc.is_in(list(declarable_concepts())), "concepto", pl.lit(""), pl.lit(""), pl.lit("")),  # refined below
        # Estructura 18: the amount accrued is required when an amount paid is given, and the
        # amount paid when an amount accrued is: a line gives both (a line with neither has none).
        (dev == "", "devengado",
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
        (dup, "concepto", pl.lit("duplicate worker and concept"), pl.lit("line_duplicate"),
         pl.lit("trabajador y concepto repetidos en la misma declaración")),
    ]
    concept_check = 1 + [fld for _, fld, *_ in checks].index("concepto")  # its reason is refined below
    code: pl.Expr = pl.lit(0, dtype=pl.Int8)
    for k, (cond, *_) in reversed(list(enumerate(checks, 1))):
        code = pl.when(cond.fill_null(True)).then(pl.lit(k, dtype=pl.Int8)).otherwise(code)
    out = lf.with_columns(code.alias("_code")).collect()
    good = pl.col("_code") == 0
    out = out.with_columns(
        pl.when(good).then(cents_expr("devengado")).otherwise(0).alias("devengado_c"),
        pl.lit(None, dtype=pl.Utf8).alias("field"), pl.lit(None, dtype=pl.Utf8).alias("reason"),
        pl.lit(None, dtype=pl.Utf8).alias("code"), pl.lit(None, dtype=pl.Utf8).alias("reason_es"),
    )
    if out.select((~good).any()).item():
        bad = out.filter(~good)
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
        source = whole if whole is not None else out
        first_line = (source.join(bad.filter(pl.col("_code") == len(checks)).select(keys), on=keys, how="semi")
                      .group_by(keys).agg(pl.col("line").min().alias("_first")))
        is_concept = pl.col("_code") == concept_check
        bad = (bad.with_columns(field.alias("field"), reason.alias("reason"), code_name.alias("code"),
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
        out = pl.concat([out.filter(good), bad], how="vertical_relaxed")
    return out.with_columns((pl.col("_code") == 0).alias("ok")).drop("_code", "_dup")


KEYS = ("file", "ruc", "period", "tipo_doc", "num_doc", "concepto")


def duplicate_flags(df: pl.DataFrame) -> pl.Series:
    """True for each line that repeats an earlier line's (file, ruc, period, worker, concept).

    A 64-bit hash of the key finds the candidates (numpy sorts the hashes: equal neighbours are
    repeats; in a clean file there are none, and this is the whole cost); the exact key decides
    among them.
    """
    keys = list(KEYS)
    out = np.zeros(df.height, dtype=bool)
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
            first = df.filter(pl.Series(cand)).select(pl.struct(keys).is_first_distinct()).to_series().to_numpy()
            out[idx[~first]] = True
    return pl.Series("_dup", out)


@dataclass
class Checked:
    """The outcome of validating a batch of lines."""

    bad: pl.DataFrame          # file, line, field, reason, code, reason_es
    stats: pl.DataFrame        # file, n (lines), bad (rejected lines)
    months: pl.DataFrame       # file, ruc, period, tipo_doc, num_doc, insurable_pay (good lines only)


def validate_in_slices(lines: pl.DataFrame, *, latest_period: int, slice_rows: int = 500_000,
                       earliest_period: int = 0) -> Checked:
    """Validate *lines* slice by slice (bounded memory) and sum the good lines per worker-month.

    Duplicates are flagged over the whole batch first, so a repeat in a later slice is still found.
    """
    lines = normalised_fields(lines.lazy()).collect()
    lines = lines.with_columns(duplicate_flags(lines).alias("_dup_all"))
    bads, stats, partials = [], [], []
    bounds, by_file = _slices(lines["file"], slice_rows)
    for off, size in bounds:
        part = validate_lines(lines.slice(off, size), latest_period=latest_period, earliest_period=earliest_period,
                              dup_column="_dup_all", whole=lines)
        bads.append(part.filter(~pl.col("ok")).select("file", "line", "field", "reason", "code", "reason_es"))
        stats.append(part.group_by("file").agg(pl.len().alias("n"), (~pl.col("ok")).sum().alias("bad")))
        partials.append(worker_months(part.lazy().filter(pl.col("ok"))))
        del part
    months = pl.concat(partials)
    stat = pl.concat(stats)
    if not by_file:  # a worker-month (or a file) may span two slices
        months = months.group_by(["file", "ruc", "period", "tipo_doc", "num_doc"]).agg(pl.col("insurable_pay").sum())
        stat = stat.group_by("file").agg(pl.col("n").sum(), pl.col("bad").sum())
    return Checked(pl.concat(bads), stat, months)


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
    concepts subject to EsSalud, as EsSalud's base is the pay earned in the month.
    """
    insurable = list(insurable_concept_list())
    return (good.lazy()  # (a lazy frame: only the columns summed here are filtered)
            .group_by(["file", "ruc", "period", "tipo_doc", "num_doc"])
            .agg(pl.when(pl.col("concepto").is_in(insurable)).then(pl.col("devengado_c")).otherwise(0)
                 .sum().cast(pl.Int64).alias("insurable_pay"))
            .collect())
