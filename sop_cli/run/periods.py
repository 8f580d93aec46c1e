"""Periods a counter and its reports look at: a month, a quarter, a year, or days from-to.

A period is a span of whole days [start, end) in the organisation's time zone; `bounds` gives
its two moments. Its label is Indonesian, as the reports it heads are official documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sop_cli.worktime import MONTH_NAMES as BULAN

TRIWULAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """Days [start, end) (end: the day after the last) and how a report names them."""

    start: date
    end: date
    label: str

    @property
    def last(self) -> date:
        """The last day of the period."""
        return self.end - timedelta(days=1)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """The period's first and end moments (midnight) in zone `tz`."""
        return datetime.combine(self.start, time(0), tzinfo=tz), datetime.combine(self.end, time(0), tzinfo=tz)


def month(year: int, number: int) -> Period:
    """Month `number` (1-12) of `year`: "Desember 2026"."""
    end = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return Period(date(year, number, 1), end, f"{BULAN[number - 1]} {year}")


def quarter(year: int, number: int) -> Period:
    """Quarter `number` (1-4) of `year`: "Triwulan IV 2026"."""
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, end, f"Triwulan {TRIWULAN[number - 1]} {year}")


def whole_year(year: int) -> Period:
    """The calendar year `year`: "Tahun 2026"."""
    return Period(date(year, 1, 1), date(year + 1, 1, 1), f"Tahun {year}")


def days(first: date, last: date) -> Period:
    """The days `first` to `last`, both included: "1 Desember 2026 – 15 Desember 2026"."""
    def named(day: date) -> str:
        return f"{day.day} {BULAN[day.month - 1]} {day.year}"

    return Period(first, last + timedelta(days=1), named(first) if first == last else f"{named(first)} – {named(last)}")
