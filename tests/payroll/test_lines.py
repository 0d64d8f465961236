"""Line validation: slices give the same answer as one pass (duplicates across slices, sums)."""

from __future__ import annotations

import itertools
from unittest import mock

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.formats.payroll_lines import validate_in_slices

CONCEPTS = ["0121", "0201", "0406", "9999"]


def frame(rows: list[tuple[int, int, str, str]]) -> pl.DataFrame:
    n = len(rows)
    return pl.DataFrame({
        "file": [r[0] for r in rows], "line": list(range(1, n + 1)), "ruc": ["20100070970"] * n,
        "period": [24302] * n, "tipo_doc": ["01"] * n, "num_doc": [f"{r[1]:08d}" for r in rows],
        "concepto": [r[2] for r in rows], "devengado": [r[3] for r in rows], "pagado": [r[3] for r in rows],
        "shape_error": pl.Series([None] * n, dtype=pl.Utf8), "shape_field": ["line"] * n,
        "shape_code": pl.Series([None] * n, dtype=pl.Utf8), "shape_es": pl.Series([None] * n, dtype=pl.Utf8),
    }, schema_overrides={"file": pl.Int64, "line": pl.Int64, "period": pl.Int64})


def canon(df: pl.DataFrame) -> list[tuple[object, ...]]:
    return sorted(df.rows())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4), st.sampled_from(CONCEPTS),
                          st.sampled_from(["1000", "2500.50", "x", "", "1130.00"])), min_size=1, max_size=30),
       st.integers(1, 7), st.booleans())
def test_slices_agree_with_one_pass(rows: list[tuple[int, int, str, str]], size: int, file_after_file: bool) -> None:
    """Fixed slices (lines in any order: their sums are added up again) and slices that end where
    a file does (lines file after file, as PLAME files come) give what one pass gives."""
    df = frame(sorted(rows, key=lambda r: r[0]) if file_after_file else rows)
    whole = validate_in_slices(df, latest_period=30000, slice_rows=10_000)
    sliced = validate_in_slices(df, latest_period=30000, slice_rows=size)
    assert canon(whole.bad) == canon(sliced.bad)
    assert canon(whole.stats) == canon(sliced.stats)
    assert canon(whole.months) == canon(sliced.months)


def test_slices_end_where_files_do() -> None:
    from seguro_desempleo.formats.payroll_lines import _slices

    files = pl.Series([0, 0, 0, 1, 1, 2, 3, 3, 3, 3])
    assert _slices(files, 4) == ([(0, 5), (5, 5)], True)  # each slice finishes its last file
    assert _slices(files, 20) == ([(0, 10)], True)
    assert _slices(pl.Series([0] * 10), 4) == ([(0, 4), (4, 4), (8, 2)], False)  # one long file: cut inside
    assert _slices(pl.Series([1, 0, 1, 0, 2]), 2) == ([(0, 2), (2, 2), (4, 1)], False)  # not file after file


def test_duplicate_across_slices_names_the_first_line() -> None:
    """Issue 31 item 5: only an identical repeat (worker, concept and both amounts) is refused;
    the same worker and concept with other amounts is summed, with a notice naming the line."""
    df = frame([(0, 1, "0121", "1000"), (0, 2, "0121", "1000"), (0, 1, "0201", "10"), (0, 1, "0121", "1000"),
                (0, 2, "0121", "5")])
    out = validate_in_slices(df, latest_period=30000, slice_rows=2)
    assert out.bad.rows() == [(0, 4, "concepto",
                               "the same worker, concept and amounts twice (pay would be counted twice) "
                               "(first at line 1)", "line_duplicate",
                               "el mismo trabajador, concepto y montos dos veces (se contaría dos veces la "
                               "remuneración) (primera vez en la línea 1)")]
    assert [(r[1], r[4]) for r in out.notices.rows()] == [(5, "line_summed")]
    pay = {r[4]: r[5] for r in out.months.rows()}
    assert pay == {"00000001": 101_000, "00000002": 100_500}  # 1,000 + 10 soles (0201 is insurable); 1,000 + 5


FIELD = st.text(st.characters(min_codepoint=0, max_codepoint=0x7F, exclude_characters="|\n\r"), max_size=6)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.tuples(FIELD, FIELD, FIELD, FIELD, FIELD), max_size=5), min_size=1, max_size=6),
       st.sampled_from(["", " ", "x", "|", "\r", "\xd1"]))
def test_split_lines_fast_path_agrees_with_the_text_path(files: list[list[tuple[str, ...]]], tweak: str) -> None:
    """Clean PLAME lines are split by polars' CSV reader (plame._clean); anything else by the text
    functions. Both give the same frame: each file's lines as written, tweaked or not (a trailing
    field, a CR, a Latin-1 byte send the lines to the text path)."""
    from seguro_desempleo.formats import plame

    datas = []
    for lines in files:
        text = "".join("|".join(f) + "|" + (tweak if k == 0 else "") + "\n" for k, f in enumerate(lines))
        datas.append(text.encode("latin-1"))
    ends = list(itertools.accumulate(len(d) for d in datas))
    ids = list(range(10, 10 + len(datas)))
    fast = plame.split_lines(b"".join(datas), ends, ids, 5, plame.FIELDS)
    with mock.patch.object(plame, "_clean", return_value=False):
        text_path = plame.split_lines(b"".join(datas), ends, ids, 5, plame.FIELDS)
    assert fast.schema == text_path.schema
    assert fast.rows() == text_path.rows()
    for i, d in enumerate(datas):  # each file's lines, as it alone would give them
        alone = plame.split_lines(d, [len(d)], [ids[i]], 5, plame.FIELDS)
        assert alone.rows() == fast.filter(pl.col("file") == ids[i]).rows()


def test_split_lines_normalises_line_ends_file_by_file() -> None:
    """CRLF, a lone CR and a missing final newline are fixed in their own file only: the line
    numbers of every file stay its own, and an empty file has no line."""
    from seguro_desempleo.formats import plame

    datas = [b"01|1|0121|1|0|\r\n01|2|0121|2|0|\r\n", b"", b"01|3|0121|3|0|\r01|4|0121|4|0|",
             b"01|5|0121|5|0|\n"]
    ends = list(itertools.accumulate(len(d) for d in datas))
    out = plame.split_lines(b"".join(datas), ends, [0, 1, 2, 3], 5, plame.FIELDS)
    assert out.select("file", "line", "num_doc").rows() == [(0, 1, "1"), (0, 2, "2"), (2, 1, "3"), (2, 2, "4"),
                                                           (3, 1, "5")]
    assert out["shape_error"].null_count() == out.height


def test_which_lines_take_the_csv_path() -> None:
    from seguro_desempleo.formats.plame import _clean

    line = b"01|12345678|0121|100.00|0|\n"
    assert _clean(line * 3, 5)
    assert not _clean(line + b"01|12345678|0121|100.00|0\n", 5)     # no closing '|'
    assert not _clean(line + b"01|12345678|0121|100.00|0|x\n", 5)   # a sixth field
    assert not _clean(line + b"01|12345678|0121|1|\n", 5)           # four fields
    assert not _clean(line + b"\n", 5)                               # a blank line
    assert not _clean(line.replace(b"0121", b"\xd1121"), 5)          # Latin-1
    assert not _clean(line[:-1], 5)                                  # no final newline
    assert not _clean(b"", 5)
