"""SUNAT Planilla Electrónica code tables (Anexo 2), extracted by ``tools/extract_sunat_tables.py``.

- Tabla 3: document types; Tabla 12: contract types; Tabla 17: termination causes;
- Tabla 22: remuneration concepts, with whether each is subject to the EsSalud regular
  contribution (the insurable pay follows EsSalud's base, PL 5510/2022-CR art. 5 → Ley 26790 art. 6).

The vocabulary the claims, the rules and the file readers share, so it lives in the domain
(decision 0806): a claim case's termination cause is checked against Tabla 17 by the evaluation
service, a PLAME line's concept against Tabla 22 by the readers. The tables are the committed
CSV files next to this module (``sunat_tables/``), read once; ``formats.codes`` re-exports them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLES_DIR = Path(__file__).resolve().parent / "sunat_tables"

EMPLOYER_FLAGGED_CONCEPTS: frozenset[str] = frozenset(f"{1000 + k:04d}" for k in range(1, 41))
"""Tabla 22 "otros conceptos" 1001–1040: their EsSalud affectation is "SI/NO", set by the employer
(``payroll concept``); until the employer registers it, the line is not counted, with a notice."""


@dataclass(frozen=True)
class Code:
    code: str
    description: str
    disabled: bool = False
    essalud: bool = False


@cache
def table(name: str) -> dict[str, Code]:
    """``table("tabla17")`` → {code: Code}."""
    with open(TABLES_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return {
            row["code"]: Code(row["code"], row["description"], row.get("disabled") == "1",
                              row.get("essalud") == "1")
            for row in csv.DictReader(fh)
        }


def termination_causes() -> dict[str, Code]:
    return table("tabla17")


def contract_types() -> dict[str, Code]:
    return table("tabla12")


def document_types() -> dict[str, Code]:
    return table("tabla3")


def remuneration_concepts() -> dict[str, Code]:
    return table("tabla22")


def insurable_concepts() -> frozenset[str]:
    """Tabla 22 concepts subject to the EsSalud regular contribution (column 3 = SI)."""
    return frozenset(c.code for c in table("tabla22").values() if c.essalud)
