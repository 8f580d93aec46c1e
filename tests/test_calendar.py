"""Working-time arithmetic of `sop_cli.worktime`.

2026 facts used below, as printed by
`holidays.ID(years=2026, categories=("public", "government"), language="id")` (holidays 0.109):

* Mon 16 Feb Cuti Bersama Tahun Baru Imlek, Tue 17 Feb Tahun Baru Imlek;
* Wed 18 Mar Cuti Bersama Hari Suci Nyepi, Thu 19 Mar Hari Suci Nyepi,
  Fri 20 Mar Cuti Bersama Hari Raya Idul Fitri, Sat 21 Mar Hari Raya Idul Fitri,
  Sun 22 Mar Hari kedua dari Hari Raya Idul Fitri, Mon 23 + Tue 24 Mar Cuti Bersama Hari Raya
  Idul Fitri: offices are closed from Wed 18 to Tue 24 March 2026;
* Fri 3 Apr Wafat Yesus Kristus;
* Mon 17 Aug Hari Kemerdekaan Republik Indonesia.

Monday 2 March 2026 to Friday 13 March 2026 hold no holiday.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

import pytest

from sop_cli.worktime import (
    CalendarError,
    WorkCalendar,
    duration_minutes,
    format_minutes,
    zone,
)


class Duration(NamedTuple):
    value: int
    unit: str


def d(text: str) -> Duration:
    value, unit = text.split()
    return Duration(int(value), unit)


case = pytest.param
WIB = timezone(timedelta(hours=7))
CAL = WorkCalendar()


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


# add: menit and jam ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        case(wib(2026, 3, 2, 8), d("30 menit"), wib(2026, 3, 2, 8, 30), id="within-day"),
        case(wib(2026, 3, 2, 11, 30), d("1 jam"), wib(2026, 3, 2, 13, 30), id="lunch"),
        case(wib(2026, 3, 6, 11), d("1 jam"), wib(2026, 3, 6, 13, 30), id="friday-prayer"),
        case(wib(2026, 3, 2, 15, 30), d("1 jam"), wib(2026, 3, 3, 8), id="night"),
        case(wib(2026, 3, 6, 16), d("1 jam"), wib(2026, 3, 9, 8), id="weekend"),
        case(wib(2026, 3, 2, 7, 30), d("20 jam"), wib(2026, 3, 4, 13, 30), id="multi-day"),
        case(wib(2026, 3, 2, 12, 15), d("30 menit"), wib(2026, 3, 2, 13, 30), id="start-in-break"),
        case(wib(2026, 3, 2, 6), d("30 menit"), wib(2026, 3, 2, 8), id="start-early"),
        case(wib(2026, 3, 2, 20), d("1 jam"), wib(2026, 3, 3, 8, 30), id="start-20h"),
        case(wib(2026, 3, 7, 10), d("2 jam"), wib(2026, 3, 9, 9, 30), id="start-saturday"),
        case(wib(2026, 8, 17, 9), d("1 jam"), wib(2026, 8, 18, 8, 30), id="start-holiday"),
        case(wib(2026, 3, 17, 15), d("2 jam"), wib(2026, 3, 25, 8, 30), id="across-lebaran"),
        case(wib(2026, 3, 2, 8, 0, 30), d("5 menit"), wib(2026, 3, 2, 8, 5, 30), id="seconds-kept"),
    ],
)
def test_add_counts_office_clock_time(start: datetime, duration: Duration, due: datetime) -> None:
    assert CAL.add(start, duration) == due


# add: hari and minggu ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        case(wib(2026, 3, 2, 10), d("1 hari"), wib(2026, 3, 3, 10), id="next-day"),
        # 14:00 Thursday is 330 working minutes into the day; on Friday that is 14:30.
        case(wib(2026, 3, 5, 14), d("1 hari"), wib(2026, 3, 6, 14, 30), id="thu-to-fri"),
        case(wib(2026, 3, 6, 14), d("1 hari"), wib(2026, 3, 9, 13, 30), id="fri-to-mon"),
        case(wib(2026, 3, 2, 20), d("1 hari"), wib(2026, 3, 3, 16), id="start-20h"),
        case(wib(2026, 3, 7, 9), d("2 hari"), wib(2026, 3, 10, 16), id="start-saturday"),
        case(wib(2026, 3, 2, 10), d("1 minggu"), wib(2026, 3, 9, 10), id="minggu"),
        case(wib(2026, 3, 2, 12, 0), d("1 hari"), wib(2026, 3, 3, 12, 0), id="from-break"),
        # Thu 12 Feb + 4: Fri 13, (Mon 16 cuti bersama, Tue 17 Imlek), Wed 18, Thu 19, Fri 20.
        case(wib(2026, 2, 12, 10), d("4 hari"), wib(2026, 2, 20, 10), id="imlek"),
        # Thu 2 Apr + 4: (Fri 3 Wafat Yesus Kristus), Mon 6, Tue 7, Wed 8, Thu 9.
        case(wib(2026, 4, 2, 10), d("4 hari"), wib(2026, 4, 9, 10), id="good-friday"),
        # Thu 12 Mar + 4: Fri 13, Mon 16, Tue 17, (Wed 18 .. Tue 24 Nyepi + Idul Fitri), Wed 25.
        case(wib(2026, 3, 12, 10), d("4 hari"), wib(2026, 3, 25, 10), id="lebaran"),
        case(wib(2026, 3, 12, 7, 30), d("4 hari"), wib(2026, 3, 17, 16), id="lebaran-0730"),
    ],
)
def test_add_counts_working_days_keeping_position(
    start: datetime, duration: Duration, due: datetime
) -> None:
    assert CAL.add(start, duration) == due


def test_hari_is_clamped_to_a_shorter_target_day() -> None:
    short_friday = {d: (("07:30", "12:00"), ("13:00", "16:00")) for d in range(4)} | {
        4: (("07:30", "11:30"),)
    }
    cal = WorkCalendar(intervals=short_friday)
    assert cal.add(wib(2026, 3, 5, 15), d("1 hari")) == wib(2026, 3, 6, 11, 30)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        case(wib(2026, 3, 2, 7, 30), d("270 menit"), wib(2026, 3, 2, 12), id="4.5-jam"),
        case(wib(2026, 3, 2, 7, 30), d("450 menit"), wib(2026, 3, 2, 16), id="7.5-jam"),
        case(wib(2026, 3, 2, 7, 30), d("1 hari"), wib(2026, 3, 2, 16), id="1-hari"),
        case(wib(2026, 3, 6, 7, 30), d("4 jam"), wib(2026, 3, 6, 11, 30), id="friday-noon"),
        case(wib(2026, 3, 6, 7, 30), d("1 hari"), wib(2026, 3, 6, 16, 30), id="friday-end"),
        case(wib(2026, 3, 2, 7, 30), d("1 minggu"), wib(2026, 3, 6, 16, 30), id="1-minggu"),
        case(wib(2026, 3, 17, 7, 30), d("2 hari"), wib(2026, 3, 25, 16), id="lebaran"),
    ],
)
def test_due_on_an_interval_start_is_shown_as_previous_end(
    start: datetime, duration: Duration, due: datetime
) -> None:
    assert CAL.add(start, duration) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (wib(2026, 3, 2, 7, 30), wib(2026, 3, 2, 7, 30)),
        (wib(2026, 3, 2, 12, 30), wib(2026, 3, 2, 13)),
        (wib(2026, 3, 6, 20), wib(2026, 3, 9, 7, 30)),
    ],
)
def test_zero_duration_is_the_next_office_moment(start: datetime, due: datetime) -> None:
    assert CAL.add(start, d("0 menit")) == due
    assert CAL.add(start, d("0 hari")) == due


def test_unit_is_case_insensitive() -> None:
    assert CAL.add(wib(2026, 3, 2, 8), d("1 Jam")) == wib(2026, 3, 2, 9)


@pytest.mark.parametrize("duration", [d("1 tahun"), Duration(-1, "jam"), Duration(True, "jam")])
def test_invalid_duration_raises(duration: Duration) -> None:
    with pytest.raises(CalendarError):
        CAL.add(wib(2026, 3, 2, 8), duration)


@pytest.mark.parametrize("duration", [Duration(10**9, "hari"), Duration(10**9, "jam")])
def test_huge_duration_raises_instead_of_looping(duration: Duration) -> None:
    with pytest.raises(CalendarError, match="too long"):
        CAL.add(wib(2026, 3, 2, 8), duration)


# Days off ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 3, 2), None),
        (date(2026, 3, 7), "Sabtu"),
        (date(2026, 3, 8), "Minggu"),
        (date(2026, 3, 19), "Hari Suci Nyepi"),
        (date(2026, 3, 20), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 21), "Hari Raya Idul Fitri"),
        (date(2026, 2, 16), "Cuti Bersama Tahun Baru Imlek"),
        (date(2026, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
    ],
)
def test_day_off_reason_in_indonesian(day: date, reason: str | None) -> None:
    assert CAL.day_off_reason(day) == reason
    assert CAL.is_working_day(day) is (reason is None)


def test_org_extra_day_off() -> None:
    cal = WorkCalendar(extra_days_off=frozenset({date(2026, 3, 3)}))
    assert cal.day_off_reason(date(2026, 3, 3)) == "Libur instansi"
    assert cal.add(wib(2026, 3, 2, 15, 30), d("1 jam")) == wib(2026, 3, 4, 8)
    assert cal.add(wib(2026, 3, 2, 10), d("1 hari")) == wib(2026, 3, 4, 10)
    assert (date(2026, 3, 3), "Libur instansi") in cal.holidays_in(2026)
    assert cal.holidays_in(2025) == CAL.holidays_in(2025)


def test_national_holidays_can_be_ignored() -> None:
    cal = WorkCalendar(use_national_holidays=False)
    assert cal.is_working_day(date(2026, 3, 19))
    assert cal.holidays_in(2026) == []
    assert cal.add(wib(2026, 3, 17, 15), d("2 jam")) == wib(2026, 3, 18, 8, 30)


def test_holidays_in_2026_sorted_with_cuti_bersama() -> None:
    days = CAL.holidays_in(2026)
    assert days == sorted(days)
    assert (date(2026, 3, 23), "Cuti Bersama Hari Raya Idul Fitri") in days
    assert (date(2026, 12, 24), "Cuti Bersama Hari Raya Natal") in days
    assert {d for d, _ in days} >= {date(2026, 3, d) for d in range(18, 25)}


def test_national_name_wins_over_org_day_off() -> None:
    cal = WorkCalendar(extra_days_off=frozenset({date(2026, 8, 17)}))
    assert cal.day_off_reason(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert [d for d, _ in cal.holidays_in(2026)].count(date(2026, 8, 17)) == 1


# Zones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "hours"), [("WIB", 7), ("wita", 8), ("Wit", 9)])
def test_zone_offsets(name: str, hours: int) -> None:
    assert zone(name).utcoffset(None) == timedelta(hours=hours)
    assert zone(name).dst(None) is None


def test_unknown_zone_raises_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        zone("UTC")
    with pytest.raises(CalendarError):
        WorkCalendar(zone_name="Asia/Jakarta")


@pytest.mark.parametrize(("name", "hours"), [("WITA", 8), ("WIT", 9)])
def test_naive_times_are_local_and_results_in_calendar_zone(name: str, hours: int) -> None:
    cal = WorkCalendar(zone_name=name.lower())
    due = cal.add(datetime(2026, 3, 2, 7, 30), d("1 jam"))
    assert due == datetime(2026, 3, 2, 8, 30, tzinfo=timezone(timedelta(hours=hours)))
    assert due.utcoffset() == timedelta(hours=hours)
    assert due.tzname() == name
    assert cal.zone_name == name


def test_aware_times_are_converted_to_calendar_zone() -> None:
    wit = WorkCalendar(zone_name="WIT")
    # 07:30 WIB is 09:30 WIT: two office hours have gone already in Jayapura.
    due = wit.add(wib(2026, 3, 2, 7, 30), d("1 jam"))
    assert due == datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=9)))
    # 23:00 UTC Sunday is 06:00 WIB Monday.
    utc_start = datetime(2026, 3, 1, 23, tzinfo=timezone.utc)
    assert CAL.add(utc_start, d("1 jam")) == wib(2026, 3, 2, 8, 30)
    assert CAL.add(utc_start, d("1 jam")).tzname() == "WIB"


# working_minutes_between -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        (wib(2026, 3, 2, 8), wib(2026, 3, 2, 8), 0),
        (wib(2026, 3, 2, 9), wib(2026, 3, 2, 8), 0),
        (wib(2026, 3, 2, 11), wib(2026, 3, 2, 14), 120),
        (wib(2026, 3, 2, 7, 30), wib(2026, 3, 3, 7, 30), 450),
        (wib(2026, 3, 2, 0), wib(2026, 3, 9, 0), 5 * 450),
        (wib(2026, 3, 7, 9), wib(2026, 3, 9, 8), 30),
        (wib(2026, 3, 17, 16), wib(2026, 3, 25, 8), 30),
        (wib(2026, 3, 2, 12, 10), wib(2026, 3, 2, 12, 50), 0),
        (wib(2026, 3, 2, 8, 0, 0), wib(2026, 3, 2, 8, 1, 59), 1),
    ],
)
def test_working_minutes_between(a: datetime, b: datetime, minutes: int) -> None:
    assert CAL.working_minutes_between(a, b) == minutes


@pytest.mark.parametrize(
    "start",
    [
        wib(2026, 3, 2, 7, 30),
        wib(2026, 3, 2, 12, 30),
        wib(2026, 3, 5, 15, 59),
        wib(2026, 3, 6, 16, 30),
        wib(2026, 3, 12, 9, 17, 45),
        wib(2026, 12, 23, 14),
    ],
)
def test_between_inverts_add(start: datetime) -> None:
    for minutes in [*range(0, 1000, 7), 450, 2250, 9000]:
        due = CAL.add(start, Duration(minutes, "menit"))
        assert CAL.working_minutes_between(start, due) == minutes, (start, minutes, due)


def test_between_matches_hari_on_full_days() -> None:
    start = wib(2026, 3, 10, 10)
    due = CAL.add(start, d("4 hari"))
    assert CAL.working_minutes_between(start, due) == 4 * 450


# Configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "intervals",
    [{}, {0: ()}, {5: [], 6: []}],
)
def test_calendar_without_working_day_raises(intervals: dict) -> None:
    with pytest.raises(ValueError, match="no working day"):
        WorkCalendar(intervals=intervals)


@pytest.mark.parametrize(
    "intervals",
    [
        {0: [("12:00", "08:00")]},
        {0: [("08:00", "12:00"), ("11:00", "13:00")]},
        {7: [("08:00", "12:00")]},
        {0: [("8 pagi", "12:00")]},
    ],
)
def test_invalid_intervals_raise(intervals: dict) -> None:
    with pytest.raises(CalendarError):
        WorkCalendar(intervals=intervals)


def test_custom_intervals_with_saturday() -> None:
    cal = WorkCalendar(intervals={5: [("08:00", "12:00")], 0: [(time(8), time(12))]})
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.day_off_reason(date(2026, 3, 3)) == "Selasa"
    assert cal.add(wib(2026, 3, 2, 11), d("2 jam")) == wib(2026, 3, 7, 9)
    assert dataclasses.replace(cal, zone_name="WITA").intervals == cal.intervals


def test_defaults_and_equality() -> None:
    cal = WorkCalendar(zone_name="wita", extra_days_off=frozenset({date(2026, 1, 2)}))
    same = WorkCalendar(zone_name="WITA", extra_days_off=frozenset({date(2026, 1, 2)}))
    assert cal == same
    assert hash(cal) == hash(same)
    with pytest.raises(CalendarError):
        WorkCalendar(day_minutes=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.zone_name = "WIB"  # type: ignore[misc]


# Totals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "minutes"),
    [
        (d("15 menit"), 15),
        (d("2 jam"), 120),
        (d("3 hari"), 1350),
        (d("1 minggu"), 2250),
    ],
)
def test_duration_minutes(duration: Duration, minutes: int) -> None:
    assert duration_minutes(duration) == minutes


def test_duration_minutes_custom_day() -> None:
    assert duration_minutes(d("1 minggu"), day_minutes=480) == 2400


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 menit"),
        (5, "5 menit"),
        (60, "1 jam"),
        (450, "1 hari"),
        (2 * 450 + 3 * 60 + 15, "2 hari 3 jam 15 menit"),
        (450 + 15, "1 hari 15 menit"),
        (-90, "-1 jam 30 menit"),
    ],
)
def test_format_minutes(minutes: int, text: str) -> None:
    assert format_minutes(minutes) == text


def test_format_minutes_custom_day() -> None:
    assert format_minutes(480, day_minutes=480) == "1 hari"
    assert format_minutes(450, day_minutes=480) == "7 jam 30 menit"


# Start-up cost ----------------------------------------------------------------------------


def test_import_does_not_load_holidays() -> None:
    code = "import sys, sop_cli.worktime; sys.exit('holidays' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0

# The speed of a cached deadline is timed in benchmarks/run.py (a wall clock has no place here).
