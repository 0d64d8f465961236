"""The names SUNAT gives its files (PLAME ``.rem``, T-Registro ``.per``).

Kept apart from the readers (no polars, no database): the import's file-reading process imports
only this module and the standard library.
"""

from __future__ import annotations

import re

REM_NAME_RE = re.compile(r"^0601(\d{4})(\d{2})(\d{11})\.rem$", re.IGNORECASE)
"""PLAME remuneration file: ``0601`` (form), year, month, the employer's RUC (Estructura 18)."""

PER_NAME_RE = re.compile(r"^RP_(\d{11})\.per$", re.IGNORECASE)
"""T-Registro periods file: ``RP_`` and the employer's RUC (Estructura 11)."""
