"""Working-time arithmetic for SOP step deadlines ("Mutu Baku waktu").

A `WorkCalendar` knows when an office works: the weekly office intervals (default: the ASN work
week of Perpres 21/2023, 37.5 hours Monday to Friday from 07.30 local time), the days off
(weekends, national holidays and cuti bersama from the `holidays` package, and an organisation's
own days off) and the time zone (WIB, WITA or WIT; Indonesia has no daylight saving time).

Durations are objects with `.value` (int) and `.unit` ("menit", "jam", "hari" or "minggu"):

* "menit" and "jam" count office-clock time only, skipping breaks, nights and days off;
* "hari" counts working days, keeping the position inside the working day (the working time
  already elapsed that day); "minggu" is 5 working days.

A due moment that falls exactly on the start of an office interval is presented as the end of the
previous one: 4.5 jam from Monday 07.30 is Monday 12.00, 1 hari from Monday 07.30 is Monday 16.00.

`holidays` is imported lazily and its data cached per year, because every `sop` command pays for
the imports of the modules it loads.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Protocol

from sop_cli.errors import SopError

__all__ = [
    "DEFAULT_INTERVALS",
    "CalendarError",
    "DurationLike",
    "WorkCalendar",
    "duration_minutes",
    "format_minutes",
    "zone",
]

ZONES: Mapping[str, timezone] = MappingProxyType(
    {
        "WIB": timezone(timedelta(hours=7), "WIB"),
        "WITA": timezone(timedelta(hours=8), "WITA"),
        "WIT": timezone(timedelta(hours=9), "WIT"),
    }
)

_MON_THU = ((time(7, 30), time(12, 0)), (time(13, 0), time(16, 0)))
_FRI = ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))

DEFAULT_INTERVALS: Mapping[int, tuple[tuple[time, time], ...]] = MappingProxyType(
    {0: _MON_THU, 1: _MON_THU, 2: _MON_THU, 3: _MON_THU, 4: _FRI}
)
"""ASN office hours (Perpres 21/2023): 7.5 h a day, 60 min break Mon–Thu, 90 min on Friday."""

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
ORG_DAY_OFF = "Libur instansi"
UNIT_MINUTES = {"menit": 1, "jam": 60}
UNIT_DAYS = {"hari": 1, "minggu": 5}
MAX_DAYS = 3660
"""Upper bound, in calendar days, of every day-by-day walk (about ten years)."""

_US_PER_MINUTE = 60_000_000


class CalendarError(SopError, ValueError):
    """A calendar is misconfigured or asked for something it cannot compute."""


def _too_long(value: int, unit: str) -> CalendarError:
    return CalendarError(f"{value} {unit} is too long to schedule (over {MAX_DAYS} days).")


class DurationLike(Protocol):
    """What the calendar needs of a Duration: an amount and a unit ("menit", "jam", ...)."""

    @property
    def value(self) -> int: ...

    @property
    def unit(self) -> str: ...


def zone(name: str) -> tzinfo:
    """Return the fixed-offset time zone named WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9).

    Args:
        name: The zone name, case-insensitive.

    Raises:
        CalendarError: The name is not one of the three Indonesian zones.
    """
    try:
        return ZONES[name.strip().upper()]
    except (KeyError, AttributeError):
        raise CalendarError(
            f"Unknown time zone {name!r}.", hint="Use one of: WIB, WITA, WIT."
        ) from None


@functools.lru_cache(maxsize=64)
def _national_holidays(year: int) -> Mapping[date, str]:
    """National holidays and cuti bersama of `year`, with their Indonesian names."""
    import holidays  # noqa: PLC0415 - lazy on purpose: the import costs tens of milliseconds

    days = holidays.ID(years=year, categories=("public", "government"), language="id")
    return MappingProxyType(dict(days.items()))


def _parse_time(value: time | str) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise CalendarError(f"Office hour {value} must not carry a time zone.")
        return value
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise CalendarError(f"Invalid office hour {value!r}; expected e.g. '07:30'.") from None


def _to_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _from_us(us: int) -> time:
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _normalise_intervals(
    intervals: Mapping[int, Iterable[tuple[time | str, time | str]]],
) -> dict[int, tuple[tuple[time, time], ...]]:
    result: dict[int, tuple[tuple[time, time], ...]] = {}
    for weekday, spans in intervals.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise CalendarError(f"Invalid weekday {weekday!r}; expected 0 (Monday) to 6 (Sunday).")
        parsed = sorted((_parse_time(start), _parse_time(end)) for start, end in spans)
        previous_end: time | None = None
        for start, end in parsed:
            if start >= end:
                raise CalendarError(
                    f"Office interval {start:%H:%M}–{end:%H:%M} on {DAY_NAMES[weekday]} "
                    "must end after it starts."
                )
            if previous_end is not None and start < previous_end:
                raise CalendarError(f"Office intervals on {DAY_NAMES[weekday]} overlap.")
            previous_end = end
        if parsed:
            result[weekday] = tuple(parsed)
    return result


def _unit(duration: DurationLike) -> str:
    unit = str(duration.unit).strip().lower()
    if unit not in UNIT_MINUTES and unit not in UNIT_DAYS:
        raise CalendarError(
            f"Unknown duration unit {duration.unit!r}.", hint="Use menit, jam, hari or minggu."
        )
    value = duration.value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CalendarError(f"Invalid duration {value!r} {unit}; expected a whole number >= 0.")
    return unit


def duration_minutes(duration: DurationLike, day_minutes: int = 450) -> int:
    """Return a duration in working minutes, for totals: a hari is `day_minutes`, a minggu 5 hari.

    Raises:
        CalendarError: The unit is unknown or the value is not a whole number >= 0.
    """
    unit = _unit(duration)
    if unit in UNIT_MINUTES:
        return duration.value * UNIT_MINUTES[unit]
    return duration.value * UNIT_DAYS[unit] * day_minutes


def format_minutes(minutes: int, day_minutes: int = 450) -> str:
    """Render working minutes in Indonesian, e.g. "2 hari 3 jam 15 menit" or "0 menit".

    A hari is `day_minutes` long; negative amounts get a leading "-".
    """
    if day_minutes <= 0:
        raise CalendarError(f"day_minutes must be positive, not {day_minutes}.")
    sign = "-" if minutes < 0 else ""
    days, rest = divmod(abs(minutes), day_minutes)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "hari"), (hours, "jam"), (mins, "menit")) if n]
    return sign + (" ".join(parts) if parts else "0 menit")


@dataclass(frozen=True)
class WorkCalendar:
    """When an office works, and deadline arithmetic over that time.

    Attributes:
        zone_name: "WIB", "WITA" or "WIT" (case-insensitive; stored upper-case).
        intervals: Weekday (0 = Monday) to its office intervals as (start, end) local times;
            "HH:MM" strings are accepted. A weekday without intervals is not a working day.
        extra_days_off: The organisation's own days off (local holidays, extra leave).
        use_national_holidays: Treat national holidays and cuti bersama (`holidays` package)
            as days off.
        day_minutes: Length of one "hari" when totalling durations (`duration_minutes`).

    Raises:
        CalendarError: On construction, if no weekday has office hours or a field is invalid.
    """

    zone_name: str = "WIB"
    intervals: Mapping[int, tuple[tuple[time, time], ...]] = field(
        default_factory=lambda: DEFAULT_INTERVALS, hash=False
    )
    extra_days_off: frozenset[date] = frozenset()
    use_national_holidays: bool = True
    day_minutes: int = 450
    _spans: tuple[tuple[tuple[int, int], ...], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        tz = zone(self.zone_name)
        intervals = _normalise_intervals(self.intervals)
        if not intervals:
            raise CalendarError(
                "The work calendar has no working day: no weekday has office hours."
            )
        days_off = set()
        for day in self.extra_days_off:
            if isinstance(day, datetime):
                day = day.date()
            if not isinstance(day, date):
                raise CalendarError(f"Invalid day off {day!r}; expected a date.")
            days_off.add(day)
        if isinstance(self.day_minutes, bool) or not isinstance(self.day_minutes, int):
            raise CalendarError(f"day_minutes must be a whole number, not {self.day_minutes!r}.")
        if self.day_minutes <= 0:
            raise CalendarError(f"day_minutes must be positive, not {self.day_minutes}.")
        spans = tuple(
            tuple((_to_us(start), _to_us(end)) for start, end in intervals.get(weekday, ()))
            for weekday in range(7)
        )
        object.__setattr__(self, "zone_name", str(tz))
        object.__setattr__(self, "intervals", MappingProxyType(intervals))
        object.__setattr__(self, "extra_days_off", frozenset(days_off))
        object.__setattr__(self, "_spans", spans)

    @classmethod
    def from_config(cls, zone: str, extra_days_off: Iterable[date] = ()) -> WorkCalendar:
        """Build the default ASN calendar for a zone plus an organisation's own days off."""
        return cls(zone_name=zone, extra_days_off=frozenset(extra_days_off))

    @property
    def tz(self) -> tzinfo:
        """The calendar's fixed-offset time zone."""
        return ZONES[self.zone_name]

    # Days ---------------------------------------------------------------------------------

    def _national_name(self, d: date) -> str | None:
        if not self.use_national_holidays:
            return None
        return _national_holidays(d.year).get(d)

    def day_off_reason(self, d: date) -> str | None:
        """Why `d` is not a working day, in Indonesian; None if it is one.

        A national holiday or cuti bersama gives its name (e.g. "Hari Raya Idul Fitri"), even on
        a weekend; then an organisation's day off gives "Libur instansi"; then a weekday without
        office hours gives the day's name ("Sabtu", "Minggu").
        """
        if isinstance(d, datetime):
            d = d.date()
        name = self._national_name(d)
        if name is not None:
            return name
        if d in self.extra_days_off:
            return ORG_DAY_OFF
        if not self._spans[d.weekday()]:
            return DAY_NAMES[d.weekday()]
        return None

    def is_working_day(self, d: date) -> bool:
        """Whether the office works on `d`."""
        return self.day_off_reason(d) is None

    def holidays_in(self, year: int) -> list[tuple[date, str]]:
        """National holidays, cuti bersama and the organisation's days off of `year`, by date.

        Weekends are not listed. A date that is both national and organisational appears once,
        with its national name.
        """
        days: dict[date, str] = {d: ORG_DAY_OFF for d in self.extra_days_off if d.year == year}
        if self.use_national_holidays:
            days.update(_national_holidays(year))
        return sorted(days.items())

    def _day_spans(self, d: date) -> tuple[tuple[int, int], ...]:
        spans = self._spans[d.weekday()]
        if not spans or d in self.extra_days_off or self._national_name(d) is not None:
            return ()
        return spans

    def _day_length(self, d: date) -> int:
        return sum(end - start for start, end in self._day_spans(d))

    def _next_working_day(self, d: date) -> date:
        for offset in range(1, MAX_DAYS + 1):
            candidate = d + timedelta(days=offset)
            if self._day_spans(candidate):
                return candidate
        raise CalendarError(f"No working day within {MAX_DAYS} days after {d.isoformat()}.")

    def _previous_working_day(self, d: date) -> date:
        for offset in range(1, MAX_DAYS + 1):
            candidate = d - timedelta(days=offset)
            if self._day_spans(candidate):
                return candidate
        raise CalendarError(f"No working day within {MAX_DAYS} days before {d.isoformat()}.")

    # Moments ------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise CalendarError(f"Expected a date and time, not {moment!r}.")
        if moment.tzinfo is None or moment.utcoffset() is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def _position(self, moment: datetime) -> tuple[date, int]:
        """The working day and working microseconds elapsed in it at `moment`.

        A moment at or after the end of the working day, or on a day off, is the start (0) of
        the next working day, so the elapsed part is always shorter than the day.
        """
        local = self._local(moment)
        day = local.date()
        spans = self._day_spans(day)
        clock = _to_us(local.timetz().replace(tzinfo=None))
        elapsed = sum(max(0, min(clock, end) - start) for start, end in spans)
        if spans and elapsed < sum(end - start for start, end in spans):
            return day, elapsed
        return self._next_working_day(day), 0

    def _moment(self, day: date, elapsed: int, *, at_end: bool) -> datetime:
        """The local moment `elapsed` working microseconds into working day `day`.

        With `at_end`, a moment on the start of an interval is presented as the end of the
        previous interval (of the previous working day when `elapsed` is 0).
        """
        if at_end and elapsed == 0:
            day = self._previous_working_day(day)
            elapsed = self._day_length(day)
        spans = self._day_spans(day)
        remaining = elapsed
        for start, end in spans:
            length = end - start
            if remaining < length or (at_end and remaining == length):
                return datetime.combine(day, _from_us(start + remaining), tzinfo=self.tz)
            remaining -= length
        return datetime.combine(day, _from_us(spans[-1][1]), tzinfo=self.tz)

    def add(self, start: datetime, duration: DurationLike) -> datetime:
        """Return the due moment of `duration` working time counted from `start`.

        `start` outside office hours first moves to the next office moment; a naive `start` is
        read in the calendar's zone and the result is in the calendar's zone. A zero duration
        gives that next office moment.

        Raises:
            CalendarError: Invalid duration, or a due moment more than ~10 years away.
        """
        unit = _unit(duration)
        day, elapsed = self._position(start)
        at_end = duration.value > 0
        limit = day + timedelta(days=MAX_DAYS)
        if unit in UNIT_DAYS:
            for _ in range(duration.value * UNIT_DAYS[unit]):
                day = self._next_working_day(day)
                if day > limit:
                    raise _too_long(duration.value, unit)
            elapsed = min(elapsed, self._day_length(day))
        else:
            remaining = duration.value * UNIT_MINUTES[unit] * _US_PER_MINUTE
            while remaining > self._day_length(day) - elapsed:
                remaining -= self._day_length(day) - elapsed
                day, elapsed = self._next_working_day(day), 0
                if day > limit:
                    raise _too_long(duration.value, unit)
            elapsed += remaining
        return self._moment(day, elapsed, at_end=at_end)

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole office minutes in [a, b); 0 if `b` is not after `a`.

        `add(t, N menit)` followed by `working_minutes_between(t, result)` gives back N.
        """
        if self._local(b) <= self._local(a):
            return 0
        day_a, elapsed_a = self._position(a)
        day_b, elapsed_b = self._position(b)
        if day_b <= day_a:
            return max(0, elapsed_b - elapsed_a) // _US_PER_MINUTE
        total = self._day_length(day_a) - elapsed_a + elapsed_b
        day = day_a + timedelta(days=1)
        while day < day_b:
            total += self._day_length(day)
            day += timedelta(days=1)
        return total // _US_PER_MINUTE
