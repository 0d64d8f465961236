"""Gather the "## Glossary" table of every area's document into docs/glossary.md.

Each area keeps its terms next to its explanation (``docs/<area>.md``, section ``## Glossary``);
this script copies the rows below the marker in ``docs/glossary.md`` so the project has one
glossary. ``--check`` exits 1 when the glossary is out of date (the test suite runs it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GLOSSARY = DOCS / "glossary.md"
MARKER = "<!-- gathered by tools/gather_glossary.py; edit the areas' documents, not below -->"
AREAS = {
    "payroll": "Payroll declarations and contributions", "storage": "Storage and registry",
    "ledger": "The fund's ledger", "claims": "Claims, appeals, audit", "payments": "Payments",
    "demo": "The demo", "web": "The web application", "api": "The REST API",
    "actuarial": "Actuarial valuation", "simulation": "Microsimulation",
}


def area_rows(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^## Glossary\s*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        return []
    rows = [ln for ln in m.group(1).splitlines() if ln.startswith("|")]
    return rows[2:]  # drop the header and the separator


def gathered() -> str:
    out = [MARKER, ""]
    for name, title in AREAS.items():
        path = DOCS / f"{name}.md"
        if not path.exists():
            continue
        rows = area_rows(path)
        if not rows:
            continue
        out += [f"## {title} ([{name}.md]({name}.md))", "", "| code name | término | article |",
                "|---|---|---|", *rows, ""]
    return "\n".join(out)


def render() -> str:
    current = GLOSSARY.read_text(encoding="utf-8")
    head = current.split(MARKER)[0].rstrip() + "\n\n"
    return head + gathered()


def main(argv: list[str]) -> int:
    new = render()
    if "--check" in argv:
        if GLOSSARY.read_text(encoding="utf-8") != new:
            print("docs/glossary.md is out of date: run python tools/gather_glossary.py")
            return 1
        return 0
    GLOSSARY.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
