"""The compiled fast path for clean PLAME lines (formats.rem_scan) against the polars path it
shortens (plame.split_lines + payroll_lines.validate_in_slices): on any files, when the polars
path finds a bad line the fast path gives up (None); when it does not give up, it gives the same
lines per file and the same worker-months; and on plainly good files it never gives up."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.formats import plame, rem_scan
from seguro_desempleo.formats.payroll_lines import validate_in_slices

LATEST = 2025 * 12 + 5
RUC = "20100070970"

good_doc = st.sampled_from([("01", "45678912"), ("01", "10000001"), ("04", "X-12"), ("07", "AB123456789012Z"),
                            ("22", "9")])
odd_doc = st.tuples(st.sampled_from(["01", "06", "1", "99", " 01", "04", "6"]),
                    st.sampled_from(["4567891", "456789123", "45678912 ", "AB_1", "", "1234567890123456", "ñ1",
                                     "45678912", "X-12"]))
good_concept = st.sampled_from(["0121", "0105", "0113", "0202", "0909", "0406", "0704", "0705", "0707", "0701",
                                "0605"])
odd_concept = st.sampled_from(["0100", "9999", "121", "01210", " 0121", "A121", ""])
good_amount = st.one_of(st.integers(0, 9_999_999).map(str),
                        st.tuples(st.integers(0, 9_999_999), st.integers(0, 99), st.booleans()).map(
                            lambda t: f"{t[0]}.{t[1]:02d}" if t[2] else f"{t[0]}.{t[1] % 10}"))
odd_amount = st.sampled_from(["12345678", "1.234", ".5", "5.", " 12", "1,5", "-3", "1e3", "12345678.00", "0.00 "])


def plain_line(doc: tuple[str, str], concept: str, accrued: str, paid: str) -> str:
    return f"{doc[0]}|{doc[1]}|{concept}|{accrued}|{paid}|"


odd_line = st.one_of(  # one field or the shape odd: a bad line, or one only the polars path reads
    st.builds(plain_line, odd_doc, good_concept, good_amount, good_amount),
    st.builds(plain_line, good_doc, odd_concept, good_amount, good_amount),
    st.builds(plain_line, good_doc, good_concept, odd_amount, good_amount),
    st.builds(plain_line, good_doc, good_concept, good_amount, odd_amount),
    st.builds(plain_line, good_doc, good_concept, st.just(""), st.just("")),
    st.builds(lambda d, c, a: f"{d[0]}|{d[1]}|{c}|{a}|{a}", good_doc, good_concept, good_amount),  # no last "|"
    st.builds(lambda d, c, a: f"{d[0]}|{d[1]}|{c}|{a}|{a}|x|", good_doc, good_concept, good_amount),
    st.builds(plain_line, good_doc, good_concept, good_amount, good_amount),  # good (may repeat a worker × concept)
    st.sampled_from(["", "   ", "01|45678912|0121|100.00|", "01|45678912|0121|0.00|2500.00|",
                     "01|45678912|1001|100|100|", "1|45678912|0121|100|100|", "01|45678912|121|100|100|",
                     "01|456789124|0121|100|100|", "01|10000001|0704||30.00|"]),
)


def polars_path(data: bytes, ends: list[int]) -> tuple[bool, pl.DataFrame, pl.DataFrame]:
    ids = list(range(len(ends)))
    names = pl.DataFrame({"file": ids, "ruc": [RUC] * len(ids), "period": [LATEST] * len(ids)},
                         schema={"file": pl.Int64, "ruc": pl.Utf8, "period": pl.Int64})
    lines = plame.split_lines(data, ends, ids, 5, plame.FIELDS).join(names, on="file", how="left")
    checked = validate_in_slices(lines, latest_period=LATEST)
    # (a notice — issue 31 — is not plainly good either: the fast path leaves it to this path)
    return (checked.bad.height == 0 and checked.notices.height == 0, checked.stats.select("file", pl.col("n").cast(pl.Int64)).sort("file"),
            checked.months.sort("file", "tipo_doc", "num_doc"))


def fast_path(data: bytes, ends: list[int]) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    blob, stops = plame.normalised(data, np.asarray(ends, dtype=np.int64))
    scan = rem_scan.scan_clean(blob, stops)
    if scan is None:
        return None
    ids = np.arange(len(ends), dtype=np.int64)
    names = pl.DataFrame({"file": ids, "ruc": [RUC] * len(ids), "period": [LATEST] * len(ids)},
                         schema={"file": pl.Int64, "ruc": pl.Utf8, "period": pl.Int64})
    checked = rem_scan.checked_from_scan(scan, ids, names)
    assert checked.bad.height == 0
    return (checked.stats.select("file", pl.col("n").cast(pl.Int64)).sort("file"),
            checked.months.sort("file", "tipo_doc", "num_doc"))


def joined(files: list[list[str]], crlf: bool) -> tuple[bytes, list[int]]:
    eol = "\r\n" if crlf else "\n"
    parts = [("".join(ln + eol for ln in f)).encode("latin-1") for f in files]
    return b"".join(parts), np.cumsum([len(p) for p in parts]).tolist()


@st.composite
def plain_files(draw: st.DrawFn) -> list[list[str]]:
    """Plainly good files: each worker × concept at most once per file, lines in any order."""
    files = []
    for _ in range(draw(st.integers(1, 5))):
        pairs = draw(st.lists(st.tuples(good_doc, good_concept), unique=True, max_size=12))
        lines = []
        for d, c in pairs:
            accrued, paid = draw(good_amount), draw(good_amount)
            if float(accrued) == 0:  # accrued 0 with a paid amount is a notice (issue 31): not plain
                paid = accrued
            if c in ("0704", "0701", "0605") and draw(st.booleans()):
                accrued = ""  # Estructura 18: only the amount deducted counts for these
            lines.append(plain_line(d, c, accrued, paid))
        files.append(lines)
    return files


@settings(max_examples=300, deadline=None)
@given(files=plain_files(), crlf=st.booleans())
def test_plain_files_take_the_fast_path(files: list[list[str]], crlf: bool) -> None:
    data, ends = joined(files, crlf)
    ok, stats, months = polars_path(data, ends)
    assert ok
    fast = fast_path(data, ends)
    assert fast is not None
    assert fast[0].equals(stats) and fast[1].equals(months)


@settings(max_examples=500, deadline=None)
@given(files=plain_files(), odd=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 12), odd_line), max_size=2),
       crlf=st.booleans())
def test_fast_path_agrees_with_polars_or_gives_up(files: list[list[str]], odd: list[tuple[int, int, str]],
                                                  crlf: bool) -> None:
    """Plainly good files with up to two odd lines put in (anything: bad, unusual or good)."""
    for f, at, line in odd:
        files[f % len(files)].insert(at, line)
    data, ends = joined(files, crlf)
    ok, stats, months = polars_path(data, ends)
    fast = fast_path(data, ends)
    if not ok:
        assert fast is None  # the fast path never accepts what the polars path rejects
    elif fast is not None:
        assert fast[0].equals(stats) and fast[1].equals(months)


def test_insurable_pay_sums_only_essalud_concepts() -> None:
    """0121 (insurable) 1,000.50 + 0105 (insurable) 20 + 0113 (not insurable) 300: 1,020.50."""
    data, ends = joined([["01|45678912|0121|1000.5|0|", "01|45678912|0113|300|300|", "01|45678912|0105|20.00|20|",
                          "04|X-1|0121|1|1|"]], crlf=False)
    scan = rem_scan.scan_clean(data, np.asarray(ends))
    assert scan is not None
    assert scan.lines.tolist() == [4]
    got = sorted(zip(scan.month_key.tolist(), scan.insurable_pay.tolist(), strict=True))
    assert got == [(b"0145678912", 102_050), (b"04X-1", 100)]


def test_a_worker_in_two_runs_of_lines_is_one_worker_month() -> None:
    data, ends = joined([["01|45678912|0121|10|10|", "01|10000001|0121|1|1|", "01|45678912|0105|5|5|"]], crlf=False)
    scan = rem_scan.scan_clean(data, np.asarray(ends))
    assert scan is not None
    assert sorted(zip(scan.month_key.tolist(), scan.insurable_pay.tolist(), strict=True)) == [
        (b"0110000001", 100), (b"0145678912", 1_500)]
    dup, ends = joined([["01|45678912|0121|10|10|", "01|10000001|0121|1|1|", "01|45678912|0121|5|5|"]], crlf=False)
    one, one_end = joined([["01|45678912|0121|10||"]], crlf=False)  # no amount paid: the polars path says so
    assert rem_scan.scan_clean(one, np.asarray(one_end)) is None
    assert rem_scan.scan_clean(dup, np.asarray(ends)) is None  # the same concept twice: the polars path says so
