"""Colour contrast of the palette (WCAG 2.1 AA: 4.5:1 for text, 3:1 for graphics)."""

from __future__ import annotations

import re
from pathlib import Path

from seguro_desempleo.web import charts, i18n

CSS = (Path(i18n.__file__).resolve().parent / "static" / "style.css").read_text(encoding="utf-8")


def luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def var(name: str) -> str:
    m = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{3,6}})", CSS)
    assert m, name
    return m.group(1)


def test_text_colours_meet_aa() -> None:
    white = "#ffffff"
    pairs = {
        "text": (var("fg"), var("bg")), "links": (var("accent"), white), "header": (white, var("accent")),
        "muted": (var("muted"), white), "ok": (var("ok"), white), "bad": (var("bad"), white),
        "error box": (var("fg"), "#fdf0f1"), "meter month counted": (var("fg"), "#e8f4ec"),
        "meter month unpaid": (var("fg"), "#fdf3e1"), "focus ring": ("#1a5fb4", white),
    }
    low = {k: round(contrast(a, b), 2) for k, (a, b) in pairs.items() if contrast(a, b) < 4.5}
    assert not low


def test_chart_colours_meet_aa_for_graphics_and_text() -> None:
    assert all(contrast(c, "#ffffff") >= 4.5 for c in charts.PALETTE)


def test_small_cells_are_suppressed_with_a_complement() -> None:
    from seguro_desempleo.web.queries import suppress, suppress_cells

    assert [suppress(n) for n in (0, 1, 4, 5, 99)] == [0, None, None, 5, 99]
    # one small cell alone could be recomputed from the total: the next smallest goes too
    assert suppress_cells([("A", 3), ("B", 7), ("C", 20)]) == [("A", None), ("B", None), ("C", 20)]
    assert suppress_cells([("A", 3), ("B", 2), ("C", 20)]) == [("A", None), ("B", None), ("C", 20)]
    assert suppress_cells([("A", 8), ("B", 7)]) == [("A", 8), ("B", 7)]
