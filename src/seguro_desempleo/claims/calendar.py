"""Peruvian business days (días hábiles) for the deadlines of Ley 27444 (TUO, art. 145).

A business day is Monday to Friday and not a national holiday (feriado nacional) under art. 6 of
Decreto Legislativo 713 as amended. Each holiday carries the year from which it applies, so a
deadline in 2021 does not skip the Batalla de Junín (declared a holiday in 2022):

======================  ==========  ==================================  ==========
holiday                 date        source                              from year
======================  ==========  ==================================  ==========
Año Nuevo               01-01       D. Leg. 713, art. 6 (1991)          1991
Jueves y Viernes Santo  movable     D. Leg. 713, art. 6                 1991
Día del Trabajo         05-01       D. Leg. 713, art. 6                 1991
Batalla de Arica y
Día de la Bandera       06-07       Ley 31788 (2023)                    2023
San Pedro y San Pablo   06-29       D. Leg. 713, art. 6                 1991
Día de la Fuerza Aérea  07-23       Ley 31822 (2023)                    2023
Fiestas Patrias         07-28/29    D. Leg. 713, art. 6                 1991
Batalla de Junín        08-06       Ley 31530 (2022)                    2022
Santa Rosa de Lima      08-30       D. Leg. 713, art. 6                 1991
Combate de Angamos      10-08       D. Leg. 713, art. 6                 1991
Todos los Santos        11-01       D. Leg. 713, art. 6                 1991
Inmaculada Concepción   12-08       D. Leg. 713, art. 6                 1991
Batalla de Ayacucho     12-09       Ley 31381 (2022)                    2022
Navidad del Señor       12-25       D. Leg. 713, art. 6                 1991
======================  ==========  ==================================  ==========

Not modelled: días no laborables decreed for the public sector year by year (e.g. D.S.
011-2024-PCM), regional holidays, and holidays before 1991. Extra closing days can be passed as
``extra_closed`` to :class:`BusinessCalendar`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from seguro_desempleo.errors import InputError

LEGAL_BASIS = "D. Leg. 713, art. 6 (modificado por Leyes 31381, 31530, 31788 y 31822)"


@dataclass(frozen=True)
class FixedHoliday:
    month: int
    day: int
    name: str
    source: str
    since: int


FIXED_HOLIDAYS: tuple[FixedHoliday, ...] = (
    FixedHoliday(1, 1, "Año Nuevo", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(5, 1, "Día del Trabajo", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(6, 7, "Batalla de Arica y Día de la Bandera", "Ley 31788", 2023),
    FixedHoliday(6, 29, "San Pedro y San Pablo", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(7, 23, "Día de la Fuerza Aérea del Perú", "Ley 31822", 2023),
    FixedHoliday(7, 28, "Fiestas Patrias", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(7, 29, "Fiestas Patrias", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(8, 6, "Batalla de Junín", "Ley 31530", 2022),
    FixedHoliday(8, 30, "Santa Rosa de Lima", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(10, 8, "Combate de Angamos", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(11, 1, "Todos los Santos", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(12, 8, "Inmaculada Concepción", "D. Leg. 713, art. 6", 1991),
    FixedHoliday(12, 9, "Batalla de Ayacucho", "Ley 31381", 2022),
    FixedHoliday(12, 25, "Navidad del Señor", "D. Leg. 713, art. 6", 1991),
)


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian computus, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=512)
def holidays(year: int) -> dict[dt.date, str]:
    """The national holidays of *year* (date → Spanish name), as in force that year."""
    out = {dt.date(year, h.month, h.day): h.name for h in FIXED_HOLIDAYS if year >= h.since}
    easter = easter_sunday(year)
    out[easter - dt.timedelta(days=3)] = "Jueves Santo"
    out[easter - dt.timedelta(days=2)] = "Viernes Santo"
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class BusinessCalendar:
    """Días hábiles: Monday–Friday minus national holidays and any *extra_closed* days."""

    extra_closed: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def with_closed(cls, days: Iterable[dt.date]) -> BusinessCalendar:
        return cls(frozenset(days))

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in holidays(day.year) and day not in self.extra_closed

    def add_business_days(self, start: dt.date, n: int) -> dt.date:
        """The *n*-th business day after *start* (start itself never counts; n ≥ 0).

        Ley 27444 counts a term from the day after notification, so a 15-day term notified on
        *start* ends on ``add_business_days(start, 15)``. ``n == 0`` returns *start*.
        """
        if n < 0:
            raise InputError(f"cannot add {n} business days; use a count ≥ 0", field="days")
        return _add_business_days(self, start, n)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in (start, end]: after *start*, up to and including *end*.

        Negative when *end* is before *start*, so that
        ``business_days_between(s, add_business_days(s, n)) == n``.
        """
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count

    def next_business_day(self, day: dt.date) -> dt.date:
        """*day* itself if it is a business day, otherwise the next one."""
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day


@lru_cache(maxsize=8192)
def _add_business_days(calendar: BusinessCalendar, start: dt.date, n: int) -> dt.date:
    """:meth:`BusinessCalendar.add_business_days`, remembered (every approval plans the same few
    terms from the same few dates; the calendar is immutable)."""
    day = start
    left = n
    while left > 0:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            left -= 1
    return day


DEFAULT_CALENDAR = BusinessCalendar()


def add_business_days(start: dt.date, n: int) -> dt.date:
    return DEFAULT_CALENDAR.add_business_days(start, n)


def business_days_between(start: dt.date, end: dt.date) -> int:
    return DEFAULT_CALENDAR.business_days_between(start, end)


def is_business_day(day: dt.date) -> bool:
    return DEFAULT_CALENDAR.is_business_day(day)
