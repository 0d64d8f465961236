"""storage.sqlite_bulk: rows packed by numpy and unpacked by SQLite store exactly what
``executemany`` stores — same values, same storage classes (INTEGER, TEXT, NULL) — and a frame
it cannot represent exactly is refused (the caller then uses ``executemany``)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.storage import sqlite_bulk

ints = st.integers(-(2**62), 2**62)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
                ).filter(lambda s: not s.endswith(" "))
stamps = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1))


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 40))
    cols: dict[str, pl.Series] = {
        "a": pl.Series("a", draw(st.lists(ints, min_size=n, max_size=n)), dtype=pl.Int64),
        "b": pl.Series("b", draw(st.lists(st.none() | st.integers(0, 10**9), min_size=n, max_size=n)),
                       dtype=pl.Int64),
        "t": pl.Series("t", draw(st.lists(texts, min_size=n, max_size=n)), dtype=pl.Utf8),
        "d": pl.Series("d", draw(st.lists(stamps, min_size=n, max_size=n)), dtype=pl.Datetime("us")),
        "k": pl.Series("k", draw(st.lists(st.integers(0, 255), min_size=n, max_size=n)), dtype=pl.Int32),
    }
    return pl.DataFrame(cols)


def stored(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT typeof(a), a, typeof(b), b, typeof(t), t, typeof(d), d, typeof(k), k "
                        f"FROM {table} ORDER BY rowid").fetchall()


@settings(max_examples=200, deadline=None)
@given(frame=frames())
def test_packed_rows_are_stored_as_executemany_stores_them(frame: pl.DataFrame) -> None:
    conn = sqlite3.connect(":memory:")
    for table in ("one", "two"):
        conn.execute(f"CREATE TABLE {table} (a INTEGER, b INTEGER, t VARCHAR(40), d DATETIME, k INTEGER)")
    assert sqlite_bulk.packable(frame)
    sqlite_bulk.insert(conn.cursor(), "one", frame)
    rows = [(a, b, t, d.strftime("%Y-%m-%d %H:%M:%S.%f"), k) for a, b, t, d, k in frame.iter_rows()]
    conn.executemany("INSERT INTO two VALUES (?, ?, ?, ?, ?)", rows)
    assert stored(conn, "one") == stored(conn, "two")
    assert len(stored(conn, "one")) == frame.height


def test_named_columns_and_order() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE w (id INTEGER PRIMARY KEY, doc_type VARCHAR(2), doc_number VARCHAR(15))")
    frame = pl.DataFrame({"x": [7, 8, 9], "y": ["01", "04", "07"], "z": ["45678912", "X-1", "AB"]})
    sqlite_bulk.insert(conn.cursor(), "w", frame, ["id", "doc_type", "doc_number"])
    assert conn.execute("SELECT * FROM w ORDER BY id").fetchall() == [(7, "01", "45678912"), (8, "04", "X-1"),
                                                                       (9, "07", "AB")]


def test_frames_that_cannot_be_packed_exactly_are_refused() -> None:
    assert not sqlite_bulk.packable(pl.DataFrame({"t": ["ends with a space "]}))
    assert not sqlite_bulk.packable(pl.DataFrame({"t": ["a", None]}))
    assert not sqlite_bulk.packable(pl.DataFrame({"t": ["a\x00b"]}))
    assert not sqlite_bulk.packable(pl.DataFrame({"f": [1.5]}))
    assert not sqlite_bulk.packable(pl.DataFrame({"d": [dt.datetime(2025, 1, 1), None]}))
    assert sqlite_bulk.packable(pl.DataFrame({"i": [1, None], "t": ["", "ñandú"]}))
