"""Builders of PLAME / T-Registro / CSV test files with valid identifiers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from stdnum.pe import ruc as ruc_mod


def make_ruc(n: int, prefix: str = "20") -> str:
    """A RUC with a correct check digit: prefix + 8 digits of *n* + check digit."""
    body = f"{prefix}{n:08d}"
    return body + ruc_mod.calc_check_digit(body)


def bad_check_ruc(n: int) -> str:
    good = make_ruc(n)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def dni(n: int) -> str:
    return f"{n:08d}"


def write_rem(directory: Path, ruc: str, period: str, lines: Iterable[str | tuple[object, ...]]) -> Path:
    """``0601AAAAMM<RUC>.rem`` with the given lines (tuples are joined with '|' plus a trailing '|')."""
    year, month = period.split("-")
    path = directory / f"0601{year}{month}{ruc}.rem"
    text = "".join((ln if isinstance(ln, str) else "|".join(str(x) for x in ln) + "|") + "\r\n" for ln in lines)
    path.write_bytes(text.encode("latin-1"))
    return path


def write_per(directory: Path, ruc: str, lines: Iterable[str | tuple[object, ...]]) -> Path:
    path = directory / f"RP_{ruc}.per"
    text = "".join((ln if isinstance(ln, str) else "|".join(str(x) for x in ln) + "|") + "\n" for ln in lines)
    path.write_bytes(text.encode("latin-1"))
    return path


def write_csv(path: Path, rows: Iterable[tuple[object, ...]]) -> Path:
    head = "ruc,periodo,tipo_doc,num_doc,concepto,devengado,pagado\n"
    path.write_text(head + "".join(",".join(str(x) for x in r) + "\n" for r in rows), encoding="utf-8")
    return path
