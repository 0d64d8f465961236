"""A compiled fast path for clean PLAME ``.rem`` lines (Anexo 3, Estructura 18).

A national month is 300,000 files and ~5 million lines, nearly all of them well formed. For a
chunk of such files :func:`scan_clean` reads the joined bytes once (numba, no Python object per
line) and returns, when **every** line passes every check that
:func:`seguro_desempleo.formats.payroll_lines.validate_lines` makes, what that validation would
have produced: the number of lines of each file and the worker-months with their insurable pay
(the accrued amount of the Tabla 22 concepts marked EsSalud = SI, in céntimos). At the first line
that is not plainly good — a bad field, but also anything merely unusual that the polars path
handles, such as spaces around a field, a blank line or a line without its closing ``|`` — it
returns None, and the caller validates the chunk with the polars path, which names each fault.
So this path never decides that a line is bad; it only shortens the common case, and a property
test checks it against the polars path on random files.

What "plainly good" means, field by field (``tipo_doc|num_doc|concepto|devengado|pagado|``):
``tipo_doc`` two digits of a worker document of Tabla 3; ``num_doc`` 8 digits for a DNI (01),
else 1–15 capital letters, digits or hyphens (a small letter is unusual: the polars path stores
the number in capitals, as the registry does); ``concepto`` four digits of a declarable Tabla 22 concept
(not one PLAME computes); ``devengado`` and ``pagado`` "Numérico 7,2" (1–7 digits, then optionally a
point and 1–2 digits), both given (Estructura 18: each is required when the other is); each field closed by ``|``, the line by a
newline; no worker × concept twice in one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from seguro_desempleo.domain.registry import WORKER_DOCUMENT_TYPES
from seguro_desempleo.formats.payroll_lines import (
    BASE_DEDUCTIONS,
    EMPLOYER_FLAGGED_CONCEPTS,
    PAID_ONLY_CONCEPTS,
    Checked,
    declarable_concepts,
    insurable_concept_list,
)

try:  # numba is a declared dependency; without it the polars path does all the work
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

KEY_WIDTH = 17
"""A worker's key: ``tipo_doc`` (2) + ``num_doc`` (up to 15), as the import's registry lookups
build it (``services.payroll_import._resolve``)."""


@dataclass
class CleanScan:
    """What a clean chunk's validation gives: lines per file, and one row per worker-month."""

    lines: npt.NDArray[np.int64]           # lines of each file of the chunk (files in order)
    month_file: npt.NDArray[np.int64]      # position of the worker-month's file in the chunk
    month_key: npt.NDArray[np.bytes_]      # tipo_doc + num_doc (numpy S17)
    insurable_pay: npt.NDArray[np.int64]   # céntimos


@cache
def _tables() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.int8]]:
    """Document types; the concepts this path reads (declarable, but not 1001–1040, whose
    EsSalud flag the employer sets: the polars path reads those, with their notice); and each
    concept's part in the insurable pay: 1 its accrued amount (EsSalud = SI), -1 its amount
    deducted (a base deduction: 0704, 0705, 0707), 2 its amount paid alone with the accrued
    amount empty allowed (Estructura 18's paid-only concepts), 0 none."""
    docs = np.zeros(100, dtype=np.bool_)
    for d in WORKER_DOCUMENT_TYPES:
        docs[int(d)] = True
    declarable = np.zeros(10_000, dtype=np.bool_)
    declarable[[int(c) for c in declarable_concepts() if c not in EMPLOYER_FLAGGED_CONCEPTS]] = True
    part = np.zeros(10_000, dtype=np.int8)
    part[[int(c) for c in insurable_concept_list()]] = 1
    part[[int(c) for c in PAID_ONLY_CONCEPTS if c not in BASE_DEDUCTIONS]] = 2
    part[[int(c) for c in BASE_DEDUCTIONS]] = -1
    return docs, declarable, part


def _digits(buf: npt.NDArray[np.uint8], j: int, n: int) -> tuple[int, int]:
    """The run of ASCII digits at *j* (before *n*): (where it ends, its value)."""
    value = 0
    while j < n and 48 <= buf[j] <= 57:
        value = value * 10 + (buf[j] - 48)
        j += 1
    return j, value


def _amount(buf: npt.NDArray[np.uint8], i: int, n: int) -> tuple[int, int, int]:
    """Parse "Numérico 7,2" at *i* up to the next ``|``: (position of that ``|``, céntimos,
    1 if the field was empty); position -1 when the field is not plainly an amount."""
    j, whole = _digits(buf, i, n)
    digits = j - i
    if j < n and buf[j] == 124:  # "|": an integer, or empty
        if digits > 7:
            return -1, 0, 0
        return j, whole * 100, 1 if digits == 0 else 0
    if digits == 0 or digits > 7 or j >= n or buf[j] != 46:  # "."
        return -1, 0, 0
    k = j + 1
    j, frac = _digits(buf, k, n)
    places = j - k
    if places == 0 or places > 2 or j >= n or buf[j] != 124:
        return -1, 0, 0
    if places == 1:
        frac *= 10
    return j, whole * 100 + frac, 0


def _same_key(buf: npt.NDArray[np.uint8], key_at: npt.NDArray[np.int64], doc_len: npt.NDArray[np.int64],
              a: int, b: int) -> bool:
    """Whether lines *a* and *b* have the same tipo_doc and num_doc (the bytes up to the second ``|``)."""
    if doc_len[a] != doc_len[b]:
        return False
    for r in range(doc_len[a] + 3):  # noqa: SIM110 (numba compiles loops, not generators)
        if buf[key_at[a] + r] != buf[key_at[b] + r]:
            return False
    return True


def _distinct_concepts(concept: npt.NDArray[np.int64], order: npt.NDArray[np.int64], g: int, e: int) -> bool:
    """No concept twice among the lines ``order[g:e]`` (one worker's)."""
    if e - g <= 8:
        for q in range(g, e):
            for r in range(q + 1, e):
                if concept[order[q]] == concept[order[r]]:
                    return False
        return True
    cs = np.sort(concept[order[g:e]])
    for q in range(1, e - g):  # noqa: SIM110 (numba compiles loops, not generators)
        if cs[q] == cs[q - 1]:
            return False
    return True


def _document(buf: npt.NDArray[np.uint8], i: int, stop: int, docs: npt.NDArray[np.bool_]) -> tuple[int, int, np.uint64]:
    """``tipo_doc|num_doc|`` at *i*: two digits of a worker document, then 8 digits for a DNI (01), else
    1–15 capital letters, digits or hyphens. Returns (position of num_doc's ``|``, or -1 when the field is
    not plainly good; num_doc's length; the FNV-1a hash of both)."""
    if i + 3 > stop or not (48 <= buf[i] <= 57 and 48 <= buf[i + 1] <= 57) or buf[i + 2] != 124:
        return -1, 0, np.uint64(0)
    d = (buf[i] - 48) * 10 + (buf[i + 1] - 48)
    if not docs[d]:
        return -1, 0, np.uint64(0)
    h = np.uint64(14695981039346656037)
    h = (h ^ np.uint64(buf[i])) * np.uint64(1099511628211)
    h = (h ^ np.uint64(buf[i + 1])) * np.uint64(1099511628211)
    j = i + 3
    k = j
    while k < stop and buf[k] != 124:
        c = buf[k]
        if d == 1:
            if not 48 <= c <= 57:
                return -1, 0, np.uint64(0)
        elif not (48 <= c <= 57 or 65 <= c <= 90 or c == 45):  # small letters: the polars path
            return -1, 0, np.uint64(0)
        h = (h ^ np.uint64(c)) * np.uint64(1099511628211)
        k += 1
    length = k - j
    if k >= stop or length == 0 or length > 15 or (d == 1 and length != 8):
        return -1, 0, np.uint64(0)
    return k, length, h


def _concept(buf: npt.NDArray[np.uint8], j: int, stop: int, declarable: npt.NDArray[np.bool_]) -> int:
    """``concepto|`` at *j*: four digits of a declarable concept; -1 when not plainly one."""
    if j + 5 > stop or buf[j + 4] != 124:
        return -1
    c4 = 0
    for q in range(4):
        c = buf[j + q]
        if not 48 <= c <= 57:
            return -1
        c4 = c4 * 10 + (c - 48)
    if not declarable[c4]:
        return -1
    return c4


def _parse_line(buf: npt.NDArray[np.uint8], i: int, stop: int, docs: npt.NDArray[np.bool_],
                declarable: npt.NDArray[np.bool_], part: npt.NDArray[np.int8]) -> tuple[int, int, np.uint64, int, int]:
    """The line at *i*: (where the next line starts, or -1 when this one is not plainly good; num_doc's
    length; the worker's key hash; the concept; its part of the insurable pay, in céntimos)."""
    k, length, h = _document(buf, i, stop, docs)
    if k < 0:
        return -1, 0, h, 0, 0
    j = k + 1
    c4 = _concept(buf, j, stop, declarable)
    if c4 < 0:
        return -1, 0, h, 0, 0
    # devengado and pagado
    j, accrued, dev_empty = _amount(buf, j + 5, stop)
    if j < 0:
        return -1, 0, h, 0, 0
    j, paid, pag_empty = _amount(buf, j + 1, stop)
    kind = part[c4]
    # Estructura 18: each is required with the other, but a paid-only concept may leave
    # the accrued amount empty
    if j < 0 or pag_empty == 1 or (dev_empty == 1 and kind != 2 and kind != -1):
        return -1, 0, h, 0, 0
    if kind == 1 and accrued == 0 and paid > 0:  # a notice (decision 0331): the polars path
        return -1, 0, h, 0, 0
    if j + 1 >= stop or buf[j + 1] != 10:  # the line ends right after the fifth "|"
        return -1, 0, h, 0, 0
    pay = accrued if kind == 1 else (-paid if kind == -1 else 0)
    return j + 2, length, h, c4, pay


def _worker_groups(buf: npt.NDArray[np.uint8], key_at: npt.NDArray[np.int64], doc_len: npt.NDArray[np.int64],
                   hashes: npt.NDArray[np.uint64], run_at: npt.NDArray[np.int64], first: int, line: int
                   ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """A file's lines ``first .. line - 1`` grouped by worker: (the lines in order, where each group starts
    in that order, the number of groups; -1 on a hash collision). A worker's lines usually come one after
    another: runs of the same key; when no key heads two runs, each run is one worker-month. Otherwise
    the file's lines are grouped by sorting their keys' hashes."""
    order = np.arange(first, line)
    runs = 0
    for q in range(first, line):
        if q > first and hashes[q] == hashes[q - 1]:
            if not _same_key(buf, key_at, doc_len, q, q - 1):
                return order, order[:0], -1  # a hash collision: give up
            continue
        run_at[runs] = q
        runs += 1
    heads = run_at[:runs].copy()
    if runs > 1:
        by_hash = np.sort(hashes[heads])
        for q in range(1, runs):
            if by_hash[q] == by_hash[q - 1]:  # a worker in two runs (or a collision): sort all
                order = np.argsort(hashes[first:line], kind="mergesort") + first
                heads = np.empty(0, dtype=np.int64)
                break
    if heads.size == 0 and line > first:  # groups of equal hashes in *order*
        runs = 0
        for q in range(line - first):
            if q == 0 or hashes[order[q]] != hashes[order[q - 1]]:
                run_at[runs] = q
                runs += 1
            elif not _same_key(buf, key_at, doc_len, order[q], order[q - 1]):
                return order, order[:0], -1
        return order, run_at[:runs].copy(), runs
    return order, heads - first, runs  # runs in line order: positions in *order*


def _add_months(buf: npt.NDArray[np.uint8], key_at: npt.NDArray[np.int64], doc_len: npt.NDArray[np.int64],
                concept: npt.NDArray[np.int64], pay: npt.NDArray[np.int64], order: npt.NDArray[np.int64],
                heads: npt.NDArray[np.int64], runs: int, f: int, n_lines: int, months: int,
                m_file: npt.NDArray[np.int64], m_key: npt.NDArray[np.uint8], m_pay: npt.NDArray[np.int64]) -> int:
    """File *f*'s worker-months (its *runs* groups of lines) after the *months* found so far: returns the
    months found, or -1 when a worker declares a concept twice."""
    for r in range(runs):
        g = heads[r]
        e = heads[r + 1] if r + 1 < runs else n_lines
        if not _distinct_concepts(concept, order, g, e):
            return -1
        total_pay = 0
        for q in range(g, e):
            total_pay += pay[order[q]]
        if total_pay < 0:  # base deductions lower the month's pay to 0 at most
            total_pay = 0
        a = order[g]
        m_file[months] = f
        m_key[months, 0] = buf[key_at[a]]
        m_key[months, 1] = buf[key_at[a] + 1]
        for q in range(doc_len[a]):
            m_key[months, 2 + q] = buf[key_at[a] + 3 + q]
        m_pay[months] = total_pay
        months += 1
    return months


def _scan(buf: npt.NDArray[np.uint8], ends: npt.NDArray[np.int64], docs: npt.NDArray[np.bool_],
          declarable: npt.NDArray[np.bool_], part: npt.NDArray[np.int8]
          ) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint8],
                     npt.NDArray[np.int64]]:
    """(months found or -1, lines per file, month's file, month's key bytes (NUL-padded), pay)."""
    n = buf.size
    nfiles = ends.size
    # Upper bound on the lines: the newlines.
    total = 0
    for i in range(n):
        if buf[i] == 10:
            total += 1
    key_at = np.empty(total, dtype=np.int64)      # where tipo_doc starts
    doc_len = np.empty(total, dtype=np.int64)     # length of num_doc
    hashes = np.empty(total, dtype=np.uint64)
    concept = np.empty(total, dtype=np.int64)
    pay = np.empty(total, dtype=np.int64)
    lines = np.zeros(nfiles, dtype=np.int64)
    m_file = np.empty(total, dtype=np.int64)
    m_key = np.zeros((total, KEY_WIDTH), dtype=np.uint8)
    m_pay = np.empty(total, dtype=np.int64)
    run_at = np.empty(total + 1, dtype=np.int64)
    months = 0
    line = 0
    start = 0
    for f in range(nfiles):
        stop = ends[f]
        first = line
        i = start
        while i < stop:
            nxt, length, h, c4, amount = _parse_line(buf, i, stop, docs, declarable, part)
            if nxt < 0:
                return -1, lines, m_file, m_key, m_pay
            key_at[line], doc_len[line], hashes[line], concept[line], pay[line] = i, length, h, c4, amount
            line += 1
            i = nxt
        if i != stop:
            return -1, lines, m_file, m_key, m_pay
        lines[f] = line - first
        order, heads, runs = _worker_groups(buf, key_at, doc_len, hashes, run_at, first, line)
        if runs < 0:
            return -1, lines, m_file, m_key, m_pay
        months = _add_months(buf, key_at, doc_len, concept, pay, order, heads, runs, f, line - first, months,
                             m_file, m_key, m_pay)
        if months < 0:
            return -1, lines, m_file, m_key, m_pay
        start = stop
    return months, lines, m_file, m_key, m_pay


if HAVE_NUMBA:  # each function finds the compiled helpers by their names when it is compiled
    # The helpers of each line allocate nothing: compiled without reference counting (an atomic operation
    # per array argument and call otherwise), LLVM inlines them into the loop over the lines.
    per_line: dict[str, Any] = {"cache": True, "nogil": True, "_nrt": False}
    _digits = njit(**per_line)(_digits)
    _amount = njit(**per_line)(_amount)
    _document = njit(**per_line)(_document)
    _concept = njit(**per_line)(_concept)
    _parse_line = njit(**per_line)(_parse_line)
    _same_key = njit(**per_line)(_same_key)
    _distinct_concepts = njit(cache=True, nogil=True)(_distinct_concepts)
    _worker_groups = njit(cache=True, nogil=True)(_worker_groups)
    _add_months = njit(cache=True, nogil=True)(_add_months)
    _scan = njit(cache=True, nogil=True)(_scan)


def scan_clean(data: bytes, ends: npt.NDArray[np.int64]) -> CleanScan | None:
    """The lines per file and the worker-months of the files joined in *data* (each file's
    lines end with a newline; file *k* ends at ``ends[k]``), or None as soon as a line is not
    plainly good (see the module's docstring)."""
    docs, declarable, part = _tables()
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.asarray(ends, dtype=np.int64)
    months, lines, m_file, m_key, m_pay = _scan(buf, ends, docs, declarable, part)
    if months < 0:
        return None
    return CleanScan(lines=lines, month_file=m_file[:months], month_key=m_key[:months].view(f"S{KEY_WIDTH}").ravel(),
                     insurable_pay=m_pay[:months])


def checked_from_scan(scan: CleanScan, file_ids: npt.NDArray[np.int64], names: pl.DataFrame) -> Checked:
    """The :class:`~seguro_desempleo.formats.payroll_lines.Checked` that validating the chunk's
    lines would give (no bad line): *file_ids* are the files' ids in the import, *names* their
    ``file``, ``ruc`` and ``period``."""
    file_ids = np.asarray(file_ids, dtype=np.int64)
    filled = scan.lines > 0
    stats = pl.DataFrame({"file": file_ids[filled], "n": scan.lines[filled],
                          "bad": np.zeros(int(filled.sum()), dtype=np.int64)})
    key = pl.Series("key", scan.month_key).cast(pl.Utf8)
    months = (pl.DataFrame({"file": file_ids[scan.month_file]})
              .with_columns(key.str.slice(0, 2).alias("tipo_doc"), key.str.slice(2).alias("num_doc"),
                            pl.Series("insurable_pay", scan.insurable_pay))
              .join(names.select("file", "ruc", "period"), on="file", how="left", maintain_order="left")
              .select("file", "ruc", "period", "tipo_doc", "num_doc", "insurable_pay"))
    bad = pl.DataFrame(schema={"file": pl.Int64, "line": pl.Int64, "field": pl.Utf8, "reason": pl.Utf8,
                               "code": pl.Utf8, "reason_es": pl.Utf8})
    return Checked(bad, stats, months)
