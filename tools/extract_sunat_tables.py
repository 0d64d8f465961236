"""Extract SUNAT Planilla Electrónica code tables (Anexo 2) into small CSV files.

Run from the project root; reads the official xlsx in ../shared/reference/ and writes
src/seguro_desempleo/domain/sunat_tables/tabla{3,12,17,22}.csv (committed, so the package
never needs the xlsx at run time):

    python tools/extract_sunat_tables.py
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
XLSX = ROOT.parent / "shared" / "reference" / "390199-anexo2_tablas_parametricas_actualizada-26-06-26.xlsx"
OUT = ROOT / "src" / "seguro_desempleo" / "domain" / "sunat_tables"

SHEETS = {
    "tabla3": ("T3- Tipo Documento", 2),
    "tabla12": ("T12 Contratos", 2),
    "tabla17": ("T17 Motivo fin del periodo", 2),
    "tabla22": ("T22 Ing, Trib y Desc", 4),
}


def _code(value: object, previous: int | None, width: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("=+A") and previous is not None:
        return str(previous + 1).zfill(width)  # the sheet's own "previous + 1" formulas
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return text.zfill(width)
    return None


def main() -> int:
    wb = openpyxl.load_workbook(XLSX, read_only=True)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (sheet, width) in SHEETS.items():
        rows = []
        previous = None
        for r in wb[sheet].iter_rows(values_only=True):
            code = _code(r[0], previous, width)
            if code is None or r[1] is None:
                continue
            previous = int(code)
            description = " ".join(str(r[1]).split())
            if name == "tabla22":
                essalud = str(r[2] or "").strip().upper() == "SI"
                rows.append({"code": code, "description": description, "essalud": "1" if essalud else "0"})
            else:
                note = next((str(c) for c in r[2:] if isinstance(c, str) and
                             ("Deshabilitado" in c or "deshabilitado" in c)), "")
                rows.append({"code": code, "description": description,
                             "disabled": "1" if note else "0"})
        with open(OUT / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{name}: {len(rows)} codes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
