"""Properties of working-time arithmetic over many generated moments and durations (Hypothesis).

The example tests in test_calendar.py pin exact 2026 dates; these check what must hold for any
start moment of 2026-2027 (holidays and cuti bersama included) and any length.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_cli.definition.duration import Duration
from sop_cli.worktime import WorkCalendar

CAL = WorkCalendar()
WIB = timezone(timedelta(hours=7))
FIRST = datetime(2026, 1, 1, tzinfo=WIB)

moments = st.integers(min_value=0, max_value=2 * 365 * 24 * 60).map(lambda m: FIRST + timedelta(minutes=m))
minutes = st.integers(min_value=0, max_value=20 * 450)  # up to twenty working days
# No example database (nothing written into the checkout); the autouse SOP_HOME fixture is harmless here.
quick = settings(max_examples=150, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


@quick
@given(moments, minutes)
def test_the_minutes_added_are_the_working_minutes_between(start: datetime, n: int) -> None:
    due = CAL.add(start, Duration(n, "menit"))
    assert CAL.working_minutes_between(start, due) == n


@quick
@given(moments, minutes, minutes)
def test_a_longer_duration_is_never_due_earlier(start: datetime, a: int, b: int) -> None:
    shorter, longer = sorted((a, b))
    assert CAL.add(start, Duration(shorter, "menit")) <= CAL.add(start, Duration(longer, "menit"))


@quick
@given(moments, st.integers(min_value=1, max_value=20 * 450))
def test_a_due_moment_is_on_a_working_day_and_not_before_the_start(start: datetime, n: int) -> None:
    due = CAL.add(start, Duration(n, "menit"))
    assert due > start
    assert CAL.is_working_day(due.astimezone(WIB).date())


@quick
@given(moments, st.integers(min_value=1, max_value=15))
def test_n_hari_lands_on_the_nth_working_day_after_the_start_day(start: datetime, n: int) -> None:
    due = CAL.add(start, Duration(n, "hari"))
    # Outside office hours the count starts at the next office moment. A due time at the start of
    # a day is shown as the end of the previous one; adding nothing moves it back to that start.
    first = CAL.add(start, Duration(0, "menit")).date()
    landing = CAL.add(due, Duration(0, "menit")).date()
    days = [first + timedelta(days=k) for k in range(1, (landing - first).days + 1)]
    assert sum(CAL.is_working_day(day) for day in days) == n
    assert CAL.is_working_day(due.date())
