"""The data files of the claims area ship with the package (pyproject package-data)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ["claims/templates/resolucion.html", "employment_service/just_causes.csv"]


def test_data_files_exist_and_match_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    for rel in DATA:
        assert (ROOT / "src/seguro_desempleo" / rel).is_file()
        name = rel.rsplit("/", 1)[-1]
        assert any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns), rel


def test_docs_have_a_glossary() -> None:
    for doc in ("docs/claims.md", "docs/payments.md"):
        text = (ROOT / doc).read_text()
        assert "## Glossary" in text and "| code name |" in text
