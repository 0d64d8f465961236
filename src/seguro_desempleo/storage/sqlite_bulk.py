"""Bulk inserts into SQLite without a Python object per row.

``executemany`` binds every value of every row from Python: 3 million workers and 3 million
contribution records of a national month cost ~15 s of the import's writer thread, all of it
holding the GIL between rows. Here a frame's rows are packed by numpy into one fixed-width byte
string (each integer as fixed-width decimal digits, each text padded with spaces), bound once as
a BLOB, and unpacked by SQLite itself: a recursive CTE counts the rows and ``substr`` cuts each
field out by its byte offset (O(1) on a BLOB), ``CAST`` gives it back its type. The whole insert
is one ``sqlite3_step`` — C only, with the GIL released — and about twice as fast as
``executemany`` for the same rows (measured: 420,000 workers 0.77 → 0.44 s including the
packing).

Exactly the same values are stored as ``executemany`` would store: integers as INTEGER (NULL as
NULL), text as TEXT (UTF-8, byte for byte), datetimes as SQLAlchemy's SQLite text format
(``YYYY-MM-DD HH:MM:SS.ffffff``). A frame this cannot represent exactly — a text ending with a
space (the padding is trimmed), a text holding a NUL (numpy's padding), a null text, a column of
another type — is refused
(:func:`packable` is False) and the caller uses ``executemany``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S%.6f"
"""SQLAlchemy's storage format for ``DateTime`` on SQLite."""


def packable(frame: pl.DataFrame) -> bool:
    """Whether every column of *frame* can be packed exactly (see the module's docstring)."""
    for name, dtype in frame.schema.items():
        col = frame[name]
        if dtype.is_integer():
            continue
        if dtype == pl.Utf8 or isinstance(dtype, pl.Datetime):
            if col.null_count():
                return False
            if dtype == pl.Utf8 and (col.str.ends_with(" ").any() or col.str.contains("\x00", literal=True).any()):
                return False
            continue
        return False
    return True


def _int_field(values: pl.Series) -> tuple[np.ndarray, bool]:
    """Fixed-width decimal digits of an integer column (uint8, one row per value; a leading
    ``-`` for negatives, zeros after it) and whether it has nulls (their fields are spaces)."""
    nulls = values.is_null().to_numpy() if values.null_count() else None
    v = values.fill_null(0).cast(pl.Int64).to_numpy()
    neg = v < 0
    a = np.abs(v).astype(np.uint64)
    top = int(a.max()) if a.size else 0
    width = max(1, len(str(top))) + (1 if neg.any() else 0)
    out = np.empty((v.size, width), dtype=np.uint8)
    rest = a.copy()
    for k in range(width - 1, -1, -1):
        out[:, k] = (rest % 10).astype(np.uint8) + 48
        rest //= 10
    if neg.any():
        out[neg, 0] = ord("-")
    if nulls is not None:
        out[nulls] = ord(" ")
    return out, nulls is not None


def _text_field(values: pl.Series) -> np.ndarray:
    """The UTF-8 bytes of a text column, each padded with spaces to the longest (uint8 rows)."""
    longest = values.str.len_bytes().max()
    width = max(1, int(longest) if isinstance(longest, int) else 0)
    raw = values.cast(pl.Binary).to_numpy().astype(f"S{width}")  # NUL-padded
    out = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(values), width).copy()
    out[out == 0] = ord(" ")  # only the padding is NUL: packable() refuses a text that holds one
    return out


def insert(cursor: Any, table: str, frame: pl.DataFrame, columns: list[str] | None = None) -> None:
    """Insert every row of *frame* (:func:`packable`) into *table* with one statement."""
    if not frame.height:
        return
    names = columns or frame.columns
    parts: list[np.ndarray] = []
    exprs: list[str] = []
    offset = 0
    for name in frame.columns:
        col = frame[name]
        if col.dtype.is_integer():
            field, nullable = _int_field(col)
            cut = f"substr(?1, i * {{w}} + {offset + 1}, {field.shape[1]})"
            exprs.append(f"CAST(NULLIF(trim(CAST({cut} AS TEXT)), '') AS INTEGER)" if nullable
                         else f"CAST(CAST({cut} AS TEXT) AS INTEGER)")
        else:
            text = col.dt.strftime(DATETIME_FORMAT) if isinstance(col.dtype, pl.Datetime) else col
            field = _text_field(text)
            exprs.append(f"rtrim(CAST(substr(?1, i * {{w}} + {offset + 1}, {field.shape[1]}) AS TEXT))")
        parts.append(field)
        offset += field.shape[1]
    rows = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
    select = ", ".join(e.replace("{w}", str(offset)) for e in exprs)
    cursor.execute(f"WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i + 1 < ?2) "
                   f"INSERT INTO {table} ({', '.join(names)}) SELECT {select} FROM r",
                   (np.ascontiguousarray(rows).tobytes(), frame.height))
