"""Mutu baku *waktu*: the standard time of a step, written as in the SOP ("5 menit", "4 Hari").

"menit" and "jam" are office-clock time, "hari" and "minggu" are working days and weeks; the
calendar (`sop_cli.run.calendar`) turns them into deadlines.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_SYNONYMS = {
    "menit": "menit",
    "mnt": "menit",
    "jam": "jam",
    "hari": "hari",
    "hari kerja": "hari",
    "minggu": "minggu",
    "pekan": "minggu",
}

_PATTERN = re.compile(r"^\s*(\d{1,4})\s*([a-z]+(?:\s+kerja)?)\s*$", re.IGNORECASE)

ACCEPTED_FORMS = '"5 menit", "2 jam", "1 hari", "1 hari kerja", "1 minggu" (a whole number, then menit, jam, hari, hari kerja or minggu; any capitalisation)'


class Duration(NamedTuple):
    """A parsed standard time: a whole number of `unit` ("menit", "jam", "hari" or "minggu")."""

    value: int
    unit: str

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def parse_duration(text: str) -> Duration:
    """Parse "15 Menit" into Duration(15, "menit"); raise ValueError naming the accepted forms."""
    match = _PATTERN.match(str(text))
    unit = _SYNONYMS.get(re.sub(r"\s+", " ", match.group(2).lower())) if match else None
    if match is None or unit is None:
        raise ValueError(f"waktu {text!r} is not a standard time; write it as {ACCEPTED_FORMS}")
    value = int(match.group(1))
    if value <= 0:
        raise ValueError(f"waktu {text!r} must be more than zero")
    return Duration(value, unit)


MAX_WORKING_DAYS = 2000
"""The longest standard time `sop` schedules, for one step and for all steps of an SOP together:
2,000 working days, about eight years. The calendar walks day by day and gives up after ten
calendar years (`sop_cli.run.calendar.MAX_DAYS`); an SOP within this bound always fits inside that."""

_DAY_MINUTES = 420
"""The shortest office day that counts (Friday), so `working_days` never underestimates."""


def working_days(duration: Duration) -> int:
    """An upper bound of the working days `duration` takes (a minggu is 5 hari; clock time is
    counted in the shortest office day)."""
    if duration.unit == "minggu":
        return duration.value * 5
    if duration.unit == "hari":
        return duration.value
    minutes = duration.value * (60 if duration.unit == "jam" else 1)
    return -(-minutes // _DAY_MINUTES)


def too_long(duration: Duration) -> str | None:
    """Why one step's standard time is too long to schedule, or None when it is not."""
    if working_days(duration) <= MAX_WORKING_DAYS:
        return None
    return (f"waktu {duration} is longer than {MAX_WORKING_DAYS:,} working days (about eight years), "
            "the longest standard time sop schedules")


def total_too_long(durations: list[Duration]) -> str | None:
    """Why the standard times of all steps together are too long to schedule, or None."""
    total = sum(working_days(d) for d in durations)
    if total <= MAX_WORKING_DAYS:
        return None
    return (f"the standard times of all steps add up to {total:,} working days, more than "
            f"{MAX_WORKING_DAYS:,} (about eight years), the longest run sop schedules")
