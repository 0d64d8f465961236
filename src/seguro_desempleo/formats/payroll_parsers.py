"""The readers of ``formats/`` behind the payroll import's port
(:class:`seguro_desempleo.domain.payroll_parsers.PayrollParsers`; decision 0806).

Each method calls its reader through the module at call time (``plame.split_lines``, not a name
bound once), so what a test patches on a reader module is what the import runs. The composition
root hands :data:`PARSERS` to the service (``bootstrap.payroll_parsers``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from seguro_desempleo.domain.payroll_parsers import SourceFile
from seguro_desempleo.formats import payroll_csv, payroll_lines, plame, plame_other, rem_scan, tregistro


class FormatParsers:
    """:class:`~seguro_desempleo.domain.payroll_parsers.PayrollParsers` over ``formats/``."""

    def skipped(self, path: str) -> bool:
        return plame_other.skipped(path)

    def rem_name(self, name: str) -> tuple[str, int]:
        return plame.parse_rem_name(name, check_ruc=False)

    def check_file_ruc(self, ruc: str, name: str) -> None:
        plame.check_file_ruc(ruc, name)

    def rem_lines(self, data: bytes, ends: Sequence[int], file_ids: Sequence[int]) -> pl.DataFrame:
        return plame.split_lines(data, ends, file_ids, len(plame.FIELDS), plame.FIELDS)

    def rem_lines_clean(self, data: bytes, ends: Sequence[int], file_ids: Sequence[int],
                        names: pl.DataFrame) -> payroll_lines.Checked | None:
        if not rem_scan.HAVE_NUMBA:
            return None
        blob, stops = plame.normalised(data, np.asarray(ends, dtype=np.int64))
        scan = rem_scan.scan_clean(blob, stops)
        del blob
        if scan is None:
            return None
        return rem_scan.checked_from_scan(scan, np.asarray(file_ids, dtype=np.int64), names)

    def read_table(self, src: SourceFile, file_id: int, only_ruc: str | None = None) -> pl.DataFrame:
        return payroll_csv.read_table(src, file_id, only_ruc)

    def validate(self, lines: pl.DataFrame, *, latest_period: int, earliest_period: int = 0,
                 concept_flags: pl.DataFrame | None = None) -> payroll_lines.Checked:
        return payroll_lines.validate_in_slices(lines, latest_period=latest_period,
                                                earliest_period=earliest_period, concept_flags=concept_flags)

    def parse_per(self, src: SourceFile, *, today: dt.date) -> tuple[Any, ...]:
        return tregistro.parse_per(src, today=today)

    def parse_tra(self, src: SourceFile) -> tuple[Any, ...]:
        return plame_other.parse_tra(src)

    def parse_snl(self, src: SourceFile, *, latest_period: int, earliest_period: int = 0) -> Any:
        return plame_other.parse_snl(src, latest_period=latest_period, earliest_period=earliest_period)

    def parse_jor(self, src: SourceFile, *, latest_period: int, earliest_period: int = 0) -> Any:
        return plame_other.parse_jor(src, latest_period=latest_period, earliest_period=earliest_period)


PARSERS = FormatParsers()
"""The one instance (the readers keep no state)."""
