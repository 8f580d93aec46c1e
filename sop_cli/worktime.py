"""Working-time arithmetic for SOP step deadlines ("Mutu Baku waktu").

A `WorkCalendar` knows when an office works: the weekly office intervals (default: the ASN work
week of Perpres 21/2023, 37.5 hours Monday to Friday from 07.30 local time), the days off
(weekends, national holidays and cuti bersama from the `holidays` package, and an organisation's
own days off) and the time zone (WIB, WITA or WIT; Indonesia has no daylight saving time).

Durations are objects with `.value` (int) and `.unit` ("menit", "jam", "hari", "minggu",
"hari kalender" or "bulan"), optionally `.untimed` (see `sop_cli.definition.duration`):

* "menit" and "jam" count office-clock time only, skipping breaks, nights and days off;
* "hari" counts working days, keeping the position inside the working day (the working time
  already elapsed that day); "minggu" is 5 working days;
* "hari kalender" counts calendar days and "bulan" calendar months (same day of the month, or
  the month's last day), keeping the position inside the working day; a due day that is not a
  working day moves to the next working day (the usual rule for a time limit ending on a
  holiday).

An office's hours may differ by period: `periods` holds date ranges (e.g. Ramadan) with their own
weekly intervals. Its own days off are one-off dates or yearly month-days (a Hari Jadi).

A due moment that falls exactly on the start of an office interval is presented as the end of the
previous one: 4.5 jam from Monday 07.30 is Monday 12.00, 1 hari from Monday 07.30 is Monday 16.00.

`holidays` is imported lazily and its data cached per year, because every `sop` command pays for
the imports of the modules it loads.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any, Protocol, TypedDict

from sop_cli.errors import SopError
from sop_cli.i18n import N_, _

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

_RAMADAN_MON_THU = ((time(8, 0), time(12, 0)), (time(12, 30), time(15, 0)))
_RAMADAN_FRI = ((time(8, 0), time(11, 30)), (time(12, 30), time(15, 30)))

ASN_RAMADAN_INTERVALS: Mapping[int, tuple[tuple[time, time], ...]] = MappingProxyType(
    {0: _RAMADAN_MON_THU, 1: _RAMADAN_MON_THU, 2: _RAMADAN_MON_THU, 3: _RAMADAN_MON_THU, 4: _RAMADAN_FRI}
)
"""ASN Ramadan hours (Perpres 21/2023: 32.5 h a week from 08.00, breaks of 30 min, 60 on Friday):
Monday–Thursday 08.00–15.00 with a break 12.00–12.30, Friday 08.00–15.30 with 11.30–12.30."""

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
"""The Indonesian names of the weekdays, Monday first (`date.weekday()`): the one list that the
terminal, the documents and the calendar's own messages use."""
MONTH_NAMES = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
               "Oktober", "November", "Desember")
"""The Indonesian names of the months, January first."""


def zone_name(offset: timedelta | None) -> str | None:
    """"WIB", "WITA" or "WIT" for a UTC offset of Indonesia's zones (`ZONES`), else None."""
    return next((name for name, tz in ZONES.items() if tz.utcoffset(None) == offset), None)


ORG_DAY_OFF = "Libur instansi"
UNIT_MINUTES = {"menit": 1, "jam": 60}
UNIT_DAYS = {"hari": 1, "minggu": 5}
CALENDAR_UNITS = ("hari kalender", "bulan")
_ESTIMATE_DAYS = {"hari kalender": 5 / 7, "bulan": 21}
"""Working days a calendar unit counts for in totals only (a month holds about 21 working days)."""
MAX_DAYS = 3660
"""Upper bound, in calendar days, of every day-by-day walk (about ten years)."""

_US_PER_MINUTE = 60_000_000


class CalendarError(SopError, ValueError):
    """A calendar is misconfigured or asked for something it cannot compute."""


def _too_long(value: int, unit: str) -> CalendarError:
    return CalendarError(_("{value} {unit} is too long to schedule (over {days} days).").format(
        value=value, unit=unit, days=MAX_DAYS))


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
            _("Unknown time zone {name!r}.").format(name=name), hint=_("Use one of: WIB, WITA, WIT.")
        ) from None


@functools.lru_cache(maxsize=64)
def _national_holidays(year: int) -> Mapping[date, str]:
    """National holidays and cuti bersama of `year`, with their Indonesian names."""
    import holidays

    days = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return MappingProxyType(dict(days.items()))


def _parse_time(value: time | str) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise CalendarError(_("Office hour {value} must not carry a time zone.").format(value=value))
        return value
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise CalendarError(_("Invalid office hour {value!r}; expected e.g. '07:30'.").format(value=value)) from None


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
            raise CalendarError(_("Invalid weekday {weekday!r}; expected 0 (Monday) to 6 (Sunday).").format(
                weekday=weekday))
        parsed = sorted((_parse_time(start), _parse_time(end)) for start, end in spans)
        previous_end: time | None = None
        for start, end in parsed:
            if start >= end:
                raise CalendarError(
                    _("Office interval {start}–{end} on {day} must end after it starts.").format(
                        start=f"{start:%H:%M}", end=f"{end:%H:%M}", day=DAY_NAMES[weekday])
                )
            if previous_end is not None and start < previous_end:
                raise CalendarError(_("Office intervals on {day} overlap.").format(day=DAY_NAMES[weekday]))
            previous_end = end
        if parsed:
            result[weekday] = tuple(parsed)
    return result


def _week_spans(
    intervals: Mapping[int, tuple[tuple[time, time], ...]],
) -> tuple[tuple[tuple[int, int], ...], ...]:
    return tuple(
        tuple((_to_us(start), _to_us(end)) for start, end in intervals.get(weekday, ()))
        for weekday in range(7)
    )


_SHORT_DAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_SHORT_MONTHS = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"),
                 N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"))
"""Short names of weekdays and months in the interface's words (`hours_text`), translated at use."""


def _week_text(intervals: Mapping[int, tuple[tuple[time, time], ...]]) -> str:
    """"Mon–Thu 07.30–16.00, Fri 07.30–16.30": runs of weekdays with the same hours, first to last."""
    groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
    for weekday in range(7):
        spans = intervals.get(weekday, ())
        if not spans:
            continue
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], weekday, spans)
        else:
            groups.append((weekday, weekday, spans))
    parts = []
    for first, last, spans in groups:
        days = _(_SHORT_DAYS[first]) if first == last else f"{_(_SHORT_DAYS[first])}–{_(_SHORT_DAYS[last])}"
        parts.append(f"{days} {spans[0][0]:%H.%M}–{spans[-1][1]:%H.%M}")
    return ", ".join(parts)


def _unit(duration: DurationLike) -> str:
    unit = str(duration.unit).strip().lower()
    if unit not in UNIT_MINUTES and unit not in UNIT_DAYS and unit not in CALENDAR_UNITS:
        raise CalendarError(
            _("Unknown duration unit {unit!r}.").format(unit=duration.unit),
            hint=_("Use menit, jam, hari, minggu, hari kalender or bulan."),
        )
    value = duration.value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CalendarError(_("Invalid duration {value!r} {unit}; expected a whole number >= 0.").format(
            value=value, unit=unit))
    return unit


def duration_minutes(duration: DurationLike, day_minutes: int = 450) -> int:
    """Return a duration in working minutes, for totals: a hari is `day_minutes`, a minggu 5 hari.

    Calendar units are estimates: a hari kalender counts 5/7 of a hari, a bulan 21 hari. A step
    with no fixed time counts 0.

    Raises:
        CalendarError: The unit is unknown or the value is not a whole number >= 0.
    """
    unit = _unit(duration)
    if unit in UNIT_MINUTES:
        return duration.value * UNIT_MINUTES[unit]
    if unit in _ESTIMATE_DAYS:
        return round(duration.value * _ESTIMATE_DAYS[unit] * day_minutes)
    return duration.value * UNIT_DAYS[unit] * day_minutes


def format_minutes(minutes: int, day_minutes: int = 450) -> str:
    """Render working minutes in Indonesian, e.g. "2 hari 3 jam 15 menit" or "0 menit".

    A hari is `day_minutes` long; negative amounts get a leading "-".
    """
    if day_minutes <= 0:
        raise CalendarError(_("day_minutes must be positive, not {value}.").format(value=day_minutes))
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
        yearly_days_off: The organisation's days off every year, as (month, day) pairs.
        periods: Date ranges with their own weekly intervals, as (first day, last day,
            intervals) - e.g. Ramadan hours; a weekday a period leaves out is not a working day.

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
    yearly_days_off: frozenset[tuple[int, int]] = frozenset()
    periods: tuple[tuple[date, date, Mapping[int, tuple[tuple[time, time], ...]]], ...] = field(
        default=(), hash=False
    )
    _spans: tuple[tuple[tuple[int, int], ...], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _period_spans: tuple[tuple[date, date, tuple[tuple[tuple[int, int], ...], ...]], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        tz = zone(self.zone_name)
        intervals = _normalise_intervals(self.intervals)
        if not intervals:
            raise CalendarError(
                _("The work calendar has no working day: no weekday has office hours.")
            )
        days_off = set()
        for day in self.extra_days_off:
            if isinstance(day, datetime):
                day = day.date()
            if not isinstance(day, date):
                raise CalendarError(_("Invalid day off {day!r}; expected a date.").format(day=day))
            days_off.add(day)
        if isinstance(self.day_minutes, bool) or not isinstance(self.day_minutes, int):
            raise CalendarError(_("day_minutes must be a whole number, not {value!r}.").format(value=self.day_minutes))
        if self.day_minutes <= 0:
            raise CalendarError(_("day_minutes must be positive, not {value}.").format(value=self.day_minutes))
        spans = _week_spans(intervals)
        yearly = set()
        for pair in self.yearly_days_off:
            month, day_of_month = pair
            try:
                date(2024, month, day_of_month)  # a leap year, so that 29 February is a valid yearly day
            except (TypeError, ValueError):
                raise CalendarError(_("Invalid yearly day off {pair!r}; expected (month, day).").format(
                    pair=pair)) from None
            yearly.add((month, day_of_month))
        periods = []
        for first, last, period_intervals in self.periods:
            if not isinstance(first, date) or not isinstance(last, date) or last < first:
                raise CalendarError(_("Invalid period {first!r} to {last!r}; expected two dates in order.").format(
                    first=first, last=last))
            periods.append((first, last, MappingProxyType(_normalise_intervals(period_intervals))))
        periods.sort(key=lambda p: p[0])
        object.__setattr__(self, "periods", tuple(periods))
        object.__setattr__(self, "_period_spans", tuple((a, b, _week_spans(i)) for a, b, i in periods))
        object.__setattr__(self, "yearly_days_off", frozenset(yearly))
        object.__setattr__(self, "zone_name", str(tz))
        object.__setattr__(self, "intervals", MappingProxyType(intervals))
        object.__setattr__(self, "extra_days_off", frozenset(days_off))
        object.__setattr__(self, "_spans", spans)

    @property
    def tz(self) -> tzinfo:
        """The calendar's fixed-offset time zone."""
        return ZONES[self.zone_name]

    def hours_text(self) -> str:
        """The weekly office hours in short words, e.g. "Mon–Thu 07.30–16.00, Fri 07.30–16.30",
        followed by any periods with their own hours ("Ramadan hours 19 Feb–20 Mar 2026")."""
        text = _week_text(self.intervals)
        if self.periods:
            spans = ", ".join(f"{a.day} {_(_SHORT_MONTHS[a.month - 1])}–{b.day} {_(_SHORT_MONTHS[b.month - 1])} {b.year}"
                              for a, b, _hours in self.periods)
            text += "; " + _("other hours {periods}").format(periods=spans)
        return text

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
        if self._org_day_off(d):
            return ORG_DAY_OFF
        if not self._week(d)[d.weekday()]:
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
        for month, day in self.yearly_days_off:
            try:
                days[date(year, month, day)] = ORG_DAY_OFF
            except ValueError:  # 29 February of a common year
                pass
        if self.use_national_holidays:
            days.update(_national_holidays(year))
        return sorted(days.items())

    def _org_day_off(self, d: date) -> bool:
        return d in self.extra_days_off or (d.month, d.day) in self.yearly_days_off

    def _week(self, d: date) -> tuple[tuple[tuple[int, int], ...], ...]:
        for first, last, spans in self._period_spans:
            if first <= d <= last:
                return spans
        return self._spans

    def _day_spans(self, d: date) -> tuple[tuple[int, int], ...]:
        spans = self._week(d)[d.weekday()]
        if not spans or self._org_day_off(d) or self._national_name(d) is not None:
            return ()
        return spans

    def _day_length(self, d: date) -> int:
        return sum(end - start for start, end in self._day_spans(d))

    def _next_working_day(self, d: date) -> date:
        for offset in range(1, MAX_DAYS + 1):
            candidate = d + timedelta(days=offset)
            if self._day_spans(candidate):
                return candidate
        raise CalendarError(_("No working day within {days} days after {day}.").format(days=MAX_DAYS, day=d.isoformat()))

    def _previous_working_day(self, d: date) -> date:
        for offset in range(1, MAX_DAYS + 1):
            candidate = d - timedelta(days=offset)
            if self._day_spans(candidate):
                return candidate
        raise CalendarError(_("No working day within {days} days before {day}.").format(days=MAX_DAYS, day=d.isoformat()))

    # Moments ------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise CalendarError(_("Expected a date and time, not {moment!r}.").format(moment=moment))
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
        if unit in CALENDAR_UNITS:
            if duration.value > MAX_DAYS:
                raise _too_long(duration.value, unit)
            target = (
                day + timedelta(days=duration.value)
                if unit == "hari kalender"
                else _add_months(day, duration.value)
            )
            if target > limit:
                raise _too_long(duration.value, unit)
            if not self._day_spans(target):
                target = self._next_working_day(target)
            day, elapsed = target, min(elapsed, self._day_length(target))
        elif unit in UNIT_DAYS:
            for _day in range(duration.value * UNIT_DAYS[unit]):
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


def _add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > 9999:
        raise _too_long(months, "bulan")
    import calendar  # here: it imports locale, ~1.3 ms of every `sop status` that counts no months

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# An organisation's calendar (organisasi: zona_waktu, hari_libur, jam_kerja) -------------------

HARI = {**{name.lower(): weekday for weekday, name in enumerate(DAY_NAMES)}, "jum'at": 4, "ahad": 6}
"""Indonesian day names as an office writes them (with the spellings "Jum'at" and "Ahad") to
weekday numbers (0 = Monday)."""

RAMADAN_DAYS = 30
"""Days of Ramadan before Idul Fitri when the SOP gives no `awal_ramadan` for a year: the
`holidays` package knows 1 Syawal (Hari Raya Idul Fitri) but not 1 Ramadan, which comes 29 or 30
days earlier; 30 starts the Ramadan hours on the earlier of the two possible days."""

_CLOSED = ("-", "libur", "tutup")
_SPAN = r"^(\d{1,2})[.:](\d{2})\s*[-–]\s*(\d{1,2})[.:](\d{2})$"
"""Office hours as an SOP writes them (compiled by `re` when first read: a run's calendar is pinned)."""


def parse_days(key: str) -> list[int]:
    """Weekdays of a `jam_kerja` key: "senin", "senin-kamis" (a range), "senin, rabu".

    Raises:
        CalendarError: A name that is not an Indonesian day name, or a range going backwards.
    """
    days: list[int] = []
    for part in str(key).lower().split(","):
        ends = [e.strip() for e in re.split(r"\s*[-–]\s*|\s+s\.?d\.?\s+", part.strip())]
        unknown = [e for e in ends if e not in HARI]
        if unknown or len(ends) > 2:
            raise CalendarError(
                _("{key!r} is not a day or a range of days; write e.g. \"senin-kamis\", \"jumat\", "
                  "\"sabtu\" (senin, selasa, rabu, kamis, jumat, sabtu, minggu).").format(key=key)
            )
        first, last = HARI[ends[0]], HARI[ends[-1]]
        if last < first:
            raise CalendarError(_("{key!r}: a range of days runs from senin towards minggu.").format(key=key))
        days.extend(range(first, last + 1))
    return days


def parse_hours(value: str | Iterable[str]) -> tuple[tuple[time, time], ...]:
    """Office intervals of one day: "07.30-12.00, 13.00-16.00" (or a list of such), "-" if closed.

    Raises:
        CalendarError: A span that is not "HH.MM-HH.MM", ends before it starts, or overlaps.
    """
    parts = [str(value)] if isinstance(value, str) else [str(v) for v in value]
    spans = [p.strip() for part in parts for p in part.split(",") if p.strip()]
    if len(spans) == 1 and spans[0].lower() in _CLOSED:
        return ()
    result = []
    for span in spans:
        match = re.match(_SPAN, span)
        if not match:
            raise CalendarError(_("{span!r} is not office hours; write e.g. \"07.30-12.00, 13.00-16.00\" or \"-\" "
                                  "for closed.").format(span=span))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            result.append((time(h1, m1), time(0, 0) if (h2, m2) == (24, 0) else time(h2, m2)))
        except ValueError:
            raise CalendarError(_("{span!r} is not a time of day.").format(span=span)) from None
    normalised = _normalise_intervals({0: result}).get(0, ())
    return normalised


def parse_week(schedule: Mapping[str, Any]) -> dict[int, tuple[tuple[time, time], ...]]:
    """A weekly schedule {"senin-kamis": "07.30-12.00, 13.00-16.00", ...}; unnamed days are off.

    Raises:
        CalendarError: A bad key or value, a day named twice, or no working day at all.
    """
    week: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, value in schedule.items():
        hours = parse_hours(value)
        for weekday in parse_days(key):
            if weekday in week:
                raise CalendarError(_("{day} is named twice in the office hours.").format(day=DAY_NAMES[weekday]))
            week[weekday] = hours
    if not any(week.values()):
        raise CalendarError(_("The office hours name no working day."))
    return {d: spans for d, spans in week.items() if spans}


def parse_yearly(text: str) -> tuple[int, int]:
    """A yearly day off written "DD-MM" ("17-11" is 17 November) as (month, day).

    Raises:
        CalendarError: Not "DD-MM", or no such day in any year.
    """
    match = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", str(text))
    if not match:
        raise CalendarError(_("{text!r} is not a yearly date; write it as DD-MM, e.g. \"17-11\" for 17 November.").format(
            text=text))
    day, month = int(match.group(1)), int(match.group(2))
    try:
        date(2024, month, day)
    except ValueError:
        raise CalendarError(_("{text!r}: there is no day {day} in month {month}.").format(
            text=text, day=day, month=month)) from None
    return month, day


def ramadan_periods(
    years: Iterable[int], starts: Iterable[date] = (), *, national: bool = True
) -> list[tuple[date, date]]:
    """Ramadan of each year as (1 Ramadan, last day before Idul Fitri).

    Idul Fitri comes from the `holidays` package; 1 Ramadan is a date of `starts` falling in the
    40 days before it, else `RAMADAN_DAYS` days before it. A given start with no Idul Fitri known
    lasts 30 days.
    """
    given = sorted(set(starts))
    periods: list[tuple[date, date]] = []
    for year in sorted(set(years)):
        fitri = None
        if national:
            fitri = next((d for d, name in sorted(_national_holidays(year).items())
                          if name.startswith("Hari Raya Idul Fitri")), None)
        if fitri is None:
            periods.extend((s, s + timedelta(days=RAMADAN_DAYS - 1)) for s in given if s.year == year)
            continue
        start = next((s for s in given if fitri - timedelta(days=40) <= s < fitri),
                     fitri - timedelta(days=RAMADAN_DAYS))
        periods.append((start, fitri - timedelta(days=1)))
    return periods


def office_calendar(org: Mapping[str, Any], years: Iterable[int] = ()) -> WorkCalendar:
    """The calendar of an organisation from its SOP data (`organisasi` as JSON).

    Reads `zona_waktu`, `hari_libur` (one-off "YYYY-MM-DD" dates, yearly "DD-MM" dates or
    `setiap_tahun: true`) and `jam_kerja` ({`jadwal`: weekly hours, default the ASN week;
    `ramadan`: "asn" for the ASN Ramadan hours, or a weekly schedule; `awal_ramadan`: dates of
    1 Ramadan}). Ramadan periods are worked out for `years` only.
    """
    once: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    for row in org.get("hari_libur") or []:
        text = str(row["tanggal"])
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            if row.get("setiap_tahun"):
                yearly.add((day.month, day.day))
            else:
                once.add(day)
        else:
            yearly.add(parse_yearly(text))
    jam = org.get("jam_kerja") or {}
    week = parse_week(jam["jadwal"]) if jam.get("jadwal") else dict(DEFAULT_INTERVALS)
    periods: list[tuple[date, date, Mapping[int, tuple[tuple[time, time], ...]]]] = []
    ramadan = jam.get("ramadan")
    if ramadan:
        ramadan_week = {**week, **ASN_RAMADAN_INTERVALS} if ramadan == "asn" else parse_week(ramadan)
        starts = [date.fromisoformat(str(d)) for d in jam.get("awal_ramadan") or []]
        periods = [(a, b, ramadan_week) for a, b in ramadan_periods(years, starts)]
    return WorkCalendar(
        zone_name=org.get("zona_waktu") or "WIB",
        intervals=week,
        extra_days_off=frozenset(once),
        yearly_days_off=frozenset(yearly),
        periods=tuple(periods),
        day_minutes=_mean_day(week),
    )


def _mean_day(week: Mapping[int, tuple[tuple[time, time], ...]]) -> int:
    """A "hari" for totals: the week's office minutes over its working days (450 for ASN)."""
    minutes = [sum((_to_us(b) - _to_us(a)) // _US_PER_MINUTE for a, b in spans) for spans in week.values() if spans]
    return round(sum(minutes) / len(minutes)) if minutes else 450


def _hours_json(intervals: Mapping[int, tuple[tuple[time, time], ...]]) -> Hours:
    return {str(d): [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in spans] for d, spans in sorted(intervals.items())}


Hours = dict[str, list[list[str]]]
"""Office hours as pinned: ISO weekday ("1" Monday) to its [start, end] spans ("07:30")."""

PinnedPeriod = TypedDict("PinnedPeriod", {"from": str, "to": str, "hours": Hours})
"""A period with its own office hours (Ramadan), its ends ISO dates."""


class CalendarFields(TypedDict):
    """What a run pins of a calendar besides its zone and days off (`pin_fields`)."""

    hours: Hours
    day_minutes: int
    periods: list[PinnedPeriod]
    yearly_days_off: list[str]


class PinnedCalendar(CalendarFields, total=False):
    """A run's pinned calendar in the current format (`sop_cli.definition.pinned.CALENDAR_FORMAT`);
    a key left out reads as its default, but the zone (see `from_pinned`)."""

    pinned_format: int
    zone: str
    years: list[int]
    days_off: dict[str, str]
    source: str


def pin_fields(cal: WorkCalendar) -> CalendarFields:
    """What a run pins of `cal` besides its zone and days off (calendar format 3, see
    `sop_cli.definition.pinned`): office hours, periods with their own hours and yearly days off."""
    return {
        "hours": _hours_json(cal.intervals),
        "day_minutes": cal.day_minutes,
        "periods": [{"from": a.isoformat(), "to": b.isoformat(), "hours": _hours_json(i)}
                    for a, b, i in cal.periods],
        "yearly_days_off": [f"{d:02d}-{m:02d}" for m, d in sorted(cal.yearly_days_off)],
    }


def from_pinned(pinned: PinnedCalendar) -> WorkCalendar:
    """The calendar a run pinned (see `pin_fields`); national holidays come from its `days_off`.

    Reads the current format (`sop_cli.definition.pinned.upgrade_calendar` brings older ones up to
    it); a key left out reads as the default (the ASN week, no periods, no yearly days off).

    Raises:
        CalendarError / KeyError / ValueError / TypeError: The pinned JSON is not of this shape.
    """
    def week(hours: Hours) -> dict[int, tuple[tuple[time, time], ...]]:
        return {int(d): tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
                for d, spans in hours.items()}

    return WorkCalendar(
        zone_name=pinned["zone"],
        intervals=week(pinned["hours"]) if "hours" in pinned else DEFAULT_INTERVALS,
        extra_days_off=frozenset(date.fromisoformat(d) for d in pinned.get("days_off", {})),
        use_national_holidays=False,
        day_minutes=int(pinned.get("day_minutes", 450)),
        yearly_days_off=frozenset(parse_yearly(t) for t in pinned.get("yearly_days_off", [])),
        periods=tuple((date.fromisoformat(p["from"]), date.fromisoformat(p["to"]), week(p["hours"]))
                      for p in pinned.get("periods", [])),
    )
