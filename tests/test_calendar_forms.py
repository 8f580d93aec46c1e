"""Deadline arithmetic of the forms offices write: ranges, clock time in two units, calendar days
and months, no fixed time, a Saturday counter, Ramadan hours, yearly days off, and what a run pins.

2026 facts (holidays 0.109): Nyepi and Idul Fitri close offices Wed 18 to Tue 24 March 2026;
Hari Raya Idul Fitri is Sat 21 March 2026, so Ramadan 1447 H is taken as Thu 19 February to
Fri 20 March 2026 (30 days before it). Monday 2 to Friday 13 March 2026 hold no holiday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from sop_cli.definition.duration import parse_duration
from sop_cli.definition.pinned import upgrade_calendar
from sop_cli.run import engine
from sop_cli.worktime import (
    CalendarError,
    WorkCalendar,
    duration_minutes,
    office_calendar,
    parse_days,
    parse_hours,
    parse_week,
    pin_fields,
    ramadan_periods,
)

WIB = timezone(timedelta(hours=7))
WIT = timezone(timedelta(hours=9))
CAL = WorkCalendar()

SATURDAY_COUNTER = {
    "zona_waktu": "WIT",
    "jam_kerja": {"jadwal": {"senin-kamis": "07.30-12.00, 13.00-16.00", "jumat": "07.30-11.30, 13.00-16.30",
                             "sabtu": "08.00-12.00"}},
}


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def wit(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIT)


def due(start: datetime, waktu: str, cal: WorkCalendar = CAL) -> datetime:
    return cal.add(start, parse_duration(waktu))


# Clock time, ranges, no fixed time ------------------------------------------------------------


def test_two_units_and_a_decimal_comma_are_office_clock_time() -> None:
    assert due(wib(2026, 3, 2, 8), "2 jam 30 menit") == wib(2026, 3, 2, 10, 30)
    assert due(wib(2026, 3, 2, 11), "1,5 jam") == wib(2026, 3, 2, 13, 30)  # over the lunch break
    assert due(wib(2026, 3, 2, 8), "0,5 jam") == wib(2026, 3, 2, 8, 30)


def test_a_range_is_due_at_its_upper_bound() -> None:
    start = wib(2026, 3, 5, 10)  # Thursday
    assert due(start, "1-2 hari") == due(start, "2 hari") == wib(2026, 3, 9, 10)
    assert due(start, "30 menit - 1 jam") == wib(2026, 3, 5, 11)


def test_no_fixed_time_gives_no_time_in_the_plan() -> None:
    assert due(wib(2026, 3, 2, 10), "sesuai jadwal") == wib(2026, 3, 2, 10)
    assert due(wib(2026, 3, 6, 17), "-") == wib(2026, 3, 9, 7, 30)  # only moved into office time
    assert duration_minutes(parse_duration("-")) == 0


# Calendar days and months ---------------------------------------------------------------------


@pytest.mark.parametrize(("start", "waktu", "expected"), [
    (wib(2026, 3, 2, 10), "3 hari kalender", wib(2026, 3, 5, 10)),  # Mon -> Thu
    (wib(2026, 3, 5, 10), "3 hari kalender", wib(2026, 3, 9, 10)),  # Thu -> Sun -> next working day Mon
    (wib(2026, 3, 6, 10), "1 hari kalender", wib(2026, 3, 9, 10)),  # Fri -> Sat -> Mon
    (wib(2026, 3, 17, 10), "1 hari kalender", wib(2026, 3, 25, 10)),  # into Nyepi/Lebaran -> Wed 25
    (wib(2026, 3, 2, 10), "1 bulan", wib(2026, 4, 2, 10)),  # same day of the next month
    (wib(2026, 1, 30, 10), "1 bulan", wib(2026, 3, 2, 10)),  # 30 Feb -> 28 Feb (Sat) -> Mon 2 Mar
])
def test_calendar_days_and_months_count_the_calendar(start: datetime, waktu: str, expected: datetime) -> None:
    assert due(start, waktu) == expected


def test_calendar_days_count_weekends_that_working_days_skip() -> None:
    start = wib(2026, 3, 5, 10)  # Thursday
    assert due(start, "7 hari kalender") < due(start, "7 hari")


def test_calendar_units_have_estimates_for_totals() -> None:
    assert duration_minutes(parse_duration("7 hari kalender")) == 5 * 450
    assert duration_minutes(parse_duration("1 bulan")) == 21 * 450


# Office hours ---------------------------------------------------------------------------------


def test_a_saturday_counter_makes_saturday_a_working_day() -> None:
    cal = office_calendar(SATURDAY_COUNTER)
    assert cal.is_working_day(date(2026, 3, 7)) and not cal.is_working_day(date(2026, 3, 8))
    assert due(wit(2026, 3, 6, 16), "1 jam", cal) == wit(2026, 3, 7, 8, 30)  # Fri ends 16.30, Sat opens 08.00
    assert due(wit(2026, 3, 6, 10), "1-2 hari", cal) == wit(2026, 3, 9, 10)  # Sat and Mon
    assert due(wit(2026, 3, 7, 11), "2 jam", cal) == wit(2026, 3, 9, 8, 30)  # Sat closes at 12.00
    assert cal.hours_text() == "Mon–Thu 07.30–16.00, Fri 07.30–16.30, Sat 08.00–12.00"


def test_the_asn_week_stays_the_default() -> None:
    cal = office_calendar({"zona_waktu": "WIB"})
    assert dict(cal.intervals) == dict(CAL.intervals) and cal.day_minutes == 450
    # a run of an SOP without jam_kerja pins what a format-2 calendar meant (see its upgrade)
    assert pin_fields(cal) == {k: v for k, v in upgrade_calendar({"pinned_format": 2}).items() if k != "pinned_format"}


def test_ramadan_hours_follow_the_asn_schedule_on_the_dates_from_the_calendar() -> None:
    cal = office_calendar({"jam_kerja": {"ramadan": "asn"}}, years=[2026])
    assert [(a, b) for a, b, _ in cal.periods] == [(date(2026, 2, 19), date(2026, 3, 20))]
    assert due(wib(2026, 3, 2, 7, 30), "1 jam", cal) == wib(2026, 3, 2, 9)  # opens at 08.00
    assert due(wib(2026, 3, 2, 11, 30), "1 jam", cal) == wib(2026, 3, 2, 13)  # break 12.00-12.30
    assert due(wib(2026, 3, 2, 14, 30), "1 jam", cal) == wib(2026, 3, 3, 8, 30)  # closes at 15.00
    assert due(wib(2026, 4, 6, 7, 30), "1 jam", cal) == wib(2026, 4, 6, 8, 30)  # after Ramadan: 07.30


def test_ramadan_start_given_as_data_wins_over_the_default() -> None:
    periods = ramadan_periods([2026], [date(2026, 2, 18)])
    assert periods == [(date(2026, 2, 18), date(2026, 3, 20))]
    cal = office_calendar({"jam_kerja": {"ramadan": "asn", "awal_ramadan": ["2026-02-18"]}}, years=[2026])
    assert due(wib(2026, 2, 18, 7, 30), "30 menit", cal) == wib(2026, 2, 18, 8, 30)


def test_ramadan_keeps_the_saturday_counter_with_asn_hours() -> None:
    org = {**SATURDAY_COUNTER, "jam_kerja": {**SATURDAY_COUNTER["jam_kerja"], "ramadan": "asn"}}
    cal = office_calendar(org, years=[2026])
    assert cal.is_working_day(date(2026, 3, 7))  # a Saturday in Ramadan
    assert due(wit(2026, 3, 6, 15), "1 jam", cal) == wit(2026, 3, 7, 8, 30)  # Fri closes 15.30 in Ramadan


@pytest.mark.parametrize(("key", "days"), [
    ("senin", [0]), ("Senin-Kamis", [0, 1, 2, 3]), ("senin - jumat", [0, 1, 2, 3, 4]),
    ("sabtu, minggu", [5, 6]), ("Jum'at", [4]),
])
def test_day_keys(key: str, days: list[int]) -> None:
    assert parse_days(key) == days


@pytest.mark.parametrize(("value", "message"), [
    ({"senen": "07.30-16.00"}, "not a day"),
    ({"kamis-senin": "07.30-16.00"}, "runs from senin"),
    ({"senin": "07.30-16"}, "not office hours"),
    ({"senin": "07.30-25.00"}, "not a time of day"),
    ({"senin": "12.00-08.00"}, "must end after it starts"),
    ({"senin": "08.00-12.00, 11.00-13.00"}, "overlap"),
    ({"senin-jumat": "07.30-16.00", "jumat": "07.30-11.00"}, "named twice"),
    ({"senin": "-"}, "no working day"),
])
def test_bad_office_hours_say_what_is_wrong(value: dict[str, str], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse_week(value)


def test_closed_days_and_lists_of_spans() -> None:
    assert parse_hours("-") == ()
    assert parse_hours(["07.30-12.00", "13:00-16:00"]) == ((time(7, 30), time(12)), (time(13), time(16)))


# Days off every year --------------------------------------------------------------------------


def test_yearly_days_off_repeat_every_year() -> None:
    cal = office_calendar({"hari_libur": [
        {"tanggal": "17-11", "nama": "Hari Jadi Kabupaten"},
        {"tanggal": "2026-08-20", "nama": "Hari Jadi Kota", "setiap_tahun": True},
        {"tanggal": "2026-12-28", "nama": "Libur sekali"},
    ]})
    for year in (2026, 2027, 2030):
        assert cal.day_off_reason(date(year, 11, 17)) == "Libur instansi"
        assert date(year, 11, 17) in dict(cal.holidays_in(year))
        assert date(year, 8, 20) in dict(cal.holidays_in(year))
    assert date(2026, 12, 28) in dict(cal.holidays_in(2026))
    assert date(2027, 12, 28) not in dict(cal.holidays_in(2027))
    assert due(wib(2026, 11, 16, 10), "1 hari", cal) == wib(2026, 11, 18, 10)  # Tue 17 Nov skipped
    assert due(wib(2027, 11, 16, 10), "1 hari", cal) == wib(2027, 11, 18, 10)  # Wed 17 Nov 2027 too


# What a run pins ------------------------------------------------------------------------------


def test_the_pinned_calendar_carries_hours_periods_and_yearly_days() -> None:
    org = {**SATURDAY_COUNTER, "hari_libur": [{"tanggal": "17-11", "nama": "Hari Jadi"}],
           "jam_kerja": {**SATURDAY_COUNTER["jam_kerja"], "ramadan": "asn"}}
    years = [2026, 2027, 2028]
    cal = office_calendar(org, years)
    days_off = {d: n for y in years for d, n in cal.holidays_in(y)}
    pinned = engine.pinned_calendar("WIT", days_off, years, source="test", calendar=cal)
    assert pinned["hours"]["5"] == [["08:00", "12:00"]] and pinned["yearly_days_off"] == ["17-11"]
    assert len(pinned["periods"]) == 3

    again = engine.run_calendar(pinned)
    assert again.hours_text() == cal.hours_text()
    assert "Sat 08.00–12.00; other hours 19 Feb–20 Mar 2026" in again.hours_text()
    for start, waktu in [(wit(2026, 3, 6, 15), "1 jam"), (wit(2026, 11, 16, 10), "1 hari"),
                         (wit(2031, 11, 14, 10), "1 hari"), (wit(2027, 2, 15, 9), "2 jam 30 menit")]:
        assert due(start, waktu, again) == due(start, waktu, cal)
    # beyond the pinned years the yearly day still holds: Sat 15 Nov 2031 + 1 hari skips Mon 17 Nov
    assert due(wit(2031, 11, 15, 10), "1 hari", again) == wit(2031, 11, 18, 9, 30)


@pytest.mark.parametrize("version", [None, 2])
def test_an_old_pin_without_hours_reads_as_the_asn_week(version: int | None) -> None:
    old = {"zone": "WIB", "years": [2026], "days_off": {"2026-08-17": "Hari Kemerdekaan"}, "source": "x"}
    if version is not None:
        old["pinned_format"] = version
    cal = engine.run_calendar(old)
    assert dict(cal.intervals) == dict(CAL.intervals) and not cal.periods
    assert due(wib(2026, 8, 14, 10), "1 hari", cal) == wib(2026, 8, 18, 10)
