"""Indonesian words for dates and times, as written in letters: "22 November 2026", "Senin".

Plain functions (no Jinja2); the rendering environment exposes them as filters.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sop_cli.worktime import DAY_NAMES as HARI
from sop_cli.worktime import MONTH_NAMES as BULAN
from sop_cli.worktime import zone_name


def as_date(value: object) -> date | datetime | None:
    """A date/datetime from a date, a datetime or an ISO string ("2026-11-22", "2026-11-22T09:00");
    None for anything else (free text such as "Maret 2021" stays text)."""
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
        except ValueError:
            return None
    return None


def local(value: date | datetime, tz: tzinfo | None) -> date | datetime:
    """An aware datetime moved to `tz` (dates and naive datetimes are returned unchanged)."""
    if isinstance(value, datetime) and tz is not None and value.tzinfo is not None:
        return value.astimezone(tz)
    return value


def tanggal(value: object, tz: tzinfo | None = None) -> str:
    """`2026-11-22` -> "22 November 2026"; text that is not a date is returned as it is."""
    moment = as_date(value)
    if moment is None:
        return "" if value is None else str(value)
    moment = local(moment, tz)
    return f"{moment.day} {BULAN[moment.month - 1]} {moment.year}"


def hari(value: object, tz: tzinfo | None = None) -> str:
    """The day name: `2026-11-23` -> "Senin" ("" when the value is not a date)."""
    moment = as_date(value)
    if moment is None:
        return ""
    return HARI[local(moment, tz).weekday()]


def hari_tanggal(value: object, tz: tzinfo | None = None) -> str:
    """"Senin, 23 November 2026"."""
    moment = as_date(value)
    if moment is None:
        return "" if value is None else str(value)
    return f"{hari(moment, tz)}, {tanggal(moment, tz)}"


def jam(value: object, tz: tzinfo | None = None) -> str:
    """The clock time as written in letters: "09.00" plus the zone name when known ("09.00 WIB")."""
    moment = as_date(value)
    if not isinstance(moment, datetime):
        return "" if value is None else str(value)
    shown = local(moment, tz)
    offset = shown.utcoffset() if isinstance(shown, datetime) else None
    zone = zone_name(offset)
    return f"{shown:%H.%M}" + (f" {zone}" if zone else "")


def tanggal_jam(value: object, tz: tzinfo | None = None) -> str:
    """"23 November 2026 09.00 WIB" for a datetime, "23 November 2026" for a date."""
    moment = as_date(value)
    if not isinstance(moment, datetime):
        return tanggal(value, tz)
    return f"{tanggal(moment, tz)} {jam(moment, tz)}"


def tanggal_singkat(value: object, tz: tzinfo | None = None) -> str:
    """"23 Nov 2026 08.00" for a datetime, "23 Nov 2026" for a date (tables)."""
    moment = as_date(value)
    if moment is None:
        return "" if value is None else str(value)
    moment = local(moment, tz)
    text = f"{moment.day} {BULAN[moment.month - 1][:3].replace('Agu', 'Agt')} {moment.year}"
    return f"{text} {moment:%H.%M}" if isinstance(moment, datetime) else text


def waktu_text(value: object) -> str:
    """A Mutu Baku waktu as written beside computed times, one way whatever the YAML says ("10 Menit"
    -> "10 menit"): the definition's `display_waktu`, for templates and tables ("" for None)."""
    from sop_cli.definition.duration import display_waktu

    return display_waktu(str(value)) if value is not None else ""
