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
