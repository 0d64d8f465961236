"""The names SUNAT gives its files: kept in :mod:`seguro_desempleo.domain.file_names` (the import's
service and its file-reading process use them without importing ``formats/``; decision 0803),
re-exported here for the readers."""

from __future__ import annotations

from seguro_desempleo.domain.file_names import PER_NAME_RE, REM_NAME_RE

__all__ = ["PER_NAME_RE", "REM_NAME_RE"]
