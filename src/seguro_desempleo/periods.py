"""Months (``YYYY-MM``) as integer indices, so windows are array arithmetic.

A month index is ``year * 12 + (month - 1)``: 2024-01 → 24288. Dates are ``datetime.date`` at
the edges and ``numpy.datetime64[D]`` inside the rules.
"""

from __future__ import annotations

import datetime as dt
import re

from seguro_desempleo.errors import InputError

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def parse_period(text: object, *, field: str = "period", where: str | None = None) -> int:
    """``"2024-03"`` → month index; a clear error naming the field otherwise."""
    if not isinstance(text, str):
        raise InputError(f"period must be a string 'YYYY-MM', got {text!r}", field=field, where=where)
    m = _PERIOD_RE.match(text.strip())
    if not m:
        raise InputError(f"'{text}' is not a period 'YYYY-MM'", field=field, where=where)
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise InputError(f"'{text}' is not a valid month", field=field, where=where)
    return month_index(year, month)


def format_period(index: int) -> str:
    year, month0 = divmod(int(index), 12)
    return f"{year:04d}-{month0 + 1:02d}"


def period_of(date: dt.date) -> int:
    return month_index(date.year, date.month)


def first_day(index: int) -> dt.date:
    year, month0 = divmod(int(index), 12)
    return dt.date(year, month0 + 1, 1)


def parse_date(text: object, *, field: str = "date", where: str | None = None) -> dt.date:
    """ISO ``YYYY-MM-DD`` (JSON, API) or ``dd/mm/aaaa`` (SUNAT files, the web) → ``date``."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str):
        raise InputError(f"date must be a string 'YYYY-MM-DD', got {text!r}", field=field, where=where)
    s = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return dt.date.fromisoformat(s)
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", s):
            return dt.datetime.strptime(s, "%d/%m/%Y").date()
    except ValueError:
        pass
    raise InputError(f"'{text}' is not a valid date (YYYY-MM-DD or dd/mm/aaaa)", field=field, where=where)


def format_date_pe(date: dt.date) -> str:
    """Display form for people in Peru: ``dd/mm/aaaa``."""
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


# ------------------------------------------------------------------ months for people (issue 30)
MONTH_NAMES = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_MONTH_IN_TEXT = re.compile(r"(?<![\d-])((?:19|20)\d\d)-(0[1-9]|1[0-2])(?![\d-])")


def months_in_text(value: object, lang: str = "es") -> str:
    """Every ``YYYY-MM`` month inside a text for people written ``abril 2025`` / ``April 2025`` (the
    rules' details: "12 aportaciones en los 24 meses de 2023-01 a 2024-12"); a date (``2025-04-30``)
    is left alone. Machine values (form fields, CSV, JSON, ``<code>``) never pass here."""
    names = MONTH_NAMES.get(lang, MONTH_NAMES["en"])
    return _MONTH_IN_TEXT.sub(lambda m: f"{names[int(m.group(2)) - 1]} {m.group(1)}", str(value))


def month_for_people(value: object, lang: str = "es") -> str:
    """A month as people read it: ``2025-04``, ``202504`` (a file's) or a month index → ``abril 2025``
    (``April 2025`` in English); any other text with its ``YYYY-MM`` months rewritten."""
    text = str(value).strip()
    try:
        if isinstance(value, int) or (text.isdigit() and len(text) == 5):        # a month index (24303)
            index = int(text)
        else:
            index = parse_period(f"{text[:4]}-{text[4:]}" if text.isdigit() and len(text) == 6 else text)
        year, month = format_period(index).split("-")
    except Exception:
        return months_in_text(value, lang)
    return f"{MONTH_NAMES.get(lang, MONTH_NAMES['en'])[int(month) - 1]} {year}"
