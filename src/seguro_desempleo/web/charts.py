"""Charts as inline SVG (matplotlib, Agg): readable at a glance, text kept as text for screen
readers and search, the same data offered as a table and a CSV next to each chart.

Deterministic output (fixed hash salt, no dates in metadata) so a page renders the same twice;
the object API (no pyplot) so concurrent requests never share a figure.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from html import escape

import matplotlib
from matplotlib.figure import Figure

PALETTE = ("#8a1538", "#1a5fb4", "#0b6b2b", "#7a4d00", "#5b2a86")   # ≥ 4.5:1 on white
matplotlib.rcParams.update({"svg.hashsalt": "seguro-desempleo", "svg.fonttype": "none", "font.size": 10,
                     "axes.spines.top": False, "axes.spines.right": False})


def _svg(fig: Figure, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"<svg ", f'<svg role="img" aria-label="{escape(title)}" ', text, count=1)
    # Several charts share one page: give each its own ids (and the references to them).
    prefix = "c" + hashlib.sha1(title.encode()).hexdigest()[:8]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
               ylabel: str = "", hlines: Mapping[str, float] | None = None, subtitle: str = "") -> str:
    """Lines over *labels*; *hlines* are labelled horizontal reference lines (e.g. the reserve target);
    *subtitle* (e.g. the projection's basis) is printed under the title."""
    fig = Figure(figsize=(5.0, 2.8 if not subtitle else 3.1))   # no pyplot: figures are not shared between requests
    ax = fig.subplots()
    xs = list(range(len(labels)))
    for i, (name, values) in enumerate(series.items()):
        ax.plot(xs, [float("nan") if v is None else v for v in values], marker="o", markersize=3,
                color=PALETTE[i % len(PALETTE)], label=name, linewidth=2)
    for name, y in (hlines or {}).items():
        ax.axhline(y, color="#333333", linestyle="--", linewidth=1.2, label=name)
    _xticks(ax, labels)
    ax.set_title(title if not subtitle else f"{title}\n{subtitle}", loc="left", fontweight="bold",
                 fontsize=10 if subtitle else None)
    if ylabel:
        ax.set_ylabel(ylabel)
    if len(series) + len(hlines or {}) > 1:
        ax.legend(frameon=False, fontsize=8)
    ax.grid(axis="y", color="#dddddd")
    return _svg(fig, title)


def bar_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
              ylabel: str = "", horizontal: bool = False) -> str:
    n = max(len(series), 1)
    fig = Figure(figsize=(5.0, 2.8 if not horizontal else max(1.6, 0.35 * len(labels) + 0.9)))
    ax = fig.subplots()
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        pos = [x + (i - (n - 1) / 2) * width for x in range(len(labels))]
        vals = [0.0 if v is None else v for v in values]
        if horizontal:
            ax.barh(pos, vals, height=width, color=PALETTE[i % len(PALETTE)], label=name)
        else:
            ax.bar(pos, vals, width=width, color=PALETTE[i % len(PALETTE)], label=name)
    if horizontal:
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
    else:
        _xticks(ax, labels)
    ax.set_title(title, loc="left", fontweight="bold")
    if ylabel:
        (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=9)
    ax.grid(axis="x" if horizontal else "y", color="#dddddd")
    return _svg(fig, title)


def _xticks(ax: object, labels: Sequence[str]) -> None:
    step = max(1, -(-len(labels) // 5))     # at most 5 labels: readable on a phone
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=0)  # type: ignore[attr-defined]
