"""Values past the edges: huge limits, moments at year 1 or 9999, years outside 1900–2200, and SOPs whose
standard times cannot be scheduled. Each is one clear error (or a sane result), never exit 70."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke
from tests.sample import VALID


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")


@pytest.fixture
def started(sop) -> str:
    ran = invoke(sop, "start", "renja", "--org", "ngronggot")
    assert ran.code == 0, ran.output
    return "renja-2027"  # the year being planned


def test_a_limit_past_any_integer_lists_every_run(sop, started: str) -> None:
    ran = invoke(sop, "runs", "--limit", "99999999999999999999")
    assert ran.code == 0, ran.output
    assert started in ran.stdout
    ran = invoke(sop, "runs", "--limit", "99999999999999999999", "--json")
    assert [row["run"] for row in json.loads(ran.stdout)] == [started]


@pytest.mark.parametrize(("at", "year"), [
    ("0001-01-01", 1),
    ("0001-01-01T00:00", 1),
    ("9999-12-31T23:59-12:00", 9999),
    ("9999-12-31", 9999),
    ("1899-12-31", 1899),
    ("1900-01-01T00:00+14:00", 1899),  # still 1899 in WIB: the run would be renja-1899
])
def test_start_at_a_moment_outside_the_years_is_refused(sop, at: str, year: int) -> None:
    ran = invoke(sop, "start", "renja", "--org", "ngronggot", "--at", at)
    assert ran.code == 2, ran.output
    assert ran.first == (f"Error: --at falls in the year {year}, outside the years sop handles (1900–2200). "
                         "Nothing was recorded.")
    assert invoke(sop, "runs", "--all", "--json").stdout.strip() == "[]"


def test_start_at_the_first_handled_year_works(sop) -> None:
    ran = invoke(sop, "start", "renja", "--org", "ngronggot", "--at", "1900-01-02", "--json")
    assert ran.code == 0, ran.output
    assert json.loads(ran.stdout)["run"] == "renja-1901"  # the year being planned


@pytest.mark.parametrize("command", [
    ["advance"], ["cancel", "--reason", "x"], ["note", "catatan"],
])
@pytest.mark.parametrize("at", ["0001-01-01", "9999-12-31T23:59-12:00", "1899-12-31T10:00"])
def test_events_at_a_moment_outside_the_years_are_refused(sop, started: str, command: list[str], at: str) -> None:
    ran = invoke(sop, *command, "--at", at)
    assert ran.code == 2, ran.output
    assert ran.first.startswith("Error: --at falls in the year "), ran.output
    assert ran.first.endswith("outside the years sop handles (1900–2200). Nothing was recorded.")
    assert len(json.loads(invoke(sop, "log", "--json").stdout)) == 1


@pytest.mark.parametrize("year", ["1999", "2101", "99999", "0", "-5"])
def test_a_year_outside_the_range_is_refused_with_the_range(sop, year: str) -> None:
    # a run is for a plausible plan year, narrower than the moments sop handles (1900-2200)
    ran = invoke(sop, "start", "renja", "--org", "ngronggot", "--year", year)
    assert ran.code == 2, ran.output
    assert ran.first == (f"Error: --year {year} is outside the years a run may be for (2000 to 2100); e.g. 2027. "
                         "Nothing was recorded.")


@pytest.mark.parametrize("now", ["0001-01-01T00:00", "9999-12-31T23:00", "9999-12-31T23:59-12:00", "1899-06-01"])
@pytest.mark.parametrize("command", [["status"], ["runs"], ["start", "renja", "--org", "ngronggot"], ["advance"]])
def test_sop_now_outside_the_years_is_refused(sop, started: str, monkeypatch: pytest.MonkeyPatch,
                                              now: str, command: list[str]) -> None:
    monkeypatch.setenv("SOP_NOW", now)
    ran = invoke(sop, *command)
    assert ran.code == 2, ran.output
    assert ran.first == f"Error: SOP_NOW={now!r} is outside the years sop handles (1900–2200)."


def _validate(sop, tmp_path: Path, text: str):
    path = tmp_path / "panjang.yaml"
    path.write_text(text, encoding="utf-8")
    return invoke(sop, "validate", path)


@pytest.mark.parametrize(("waktu", "limit"), [("9999 minggu", "52 minggu"), ("2001 hari", "260 hari"),
                                              ("53 minggu", "52 minggu")])
def test_validate_refuses_a_step_longer_than_start_can_schedule(sop, tmp_path: Path, waktu: str, limit: str) -> None:
    ran = _validate(sop, tmp_path, VALID.replace("waktu: 5 menit", f"waktu: {waktu}", 1))
    assert ran.code == 1, ran.output
    assert ran.stdout.startswith(f"FAIL  {tmp_path / 'panjang.yaml'}: 1 problem"), ran.output
    assert (f"panjang.yaml:32:5: langkah[0].waktu: waktu {waktu!r} is longer than a step can take: at most {limit} "
            "(about a year)") in ran.stdout


def test_steps_that_add_up_past_the_bound_are_refused() -> None:
    # Each step is bounded at about a year, so only an SOP of eight or more such steps reaches the total.
    from sop_cli.definition.duration import parse_waktu, total_too_long

    assert total_too_long([parse_waktu("52 minggu")] * 6 + [parse_waktu("12 bulan")]) is None
    problem = total_too_long([parse_waktu("52 minggu")] * 8)
    assert problem == ("the standard times of all steps add up to 2,080 working days, more than 2,000 "
                       "(about eight years), the longest run sop schedules")
    assert total_too_long([parse_waktu("260 hari kalender")] * 8) is not None


def test_the_longest_sop_validate_accepts_starts_quickly(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "sops"
    folder.mkdir()
    longest = VALID
    for waktu in ("5 menit", "1 hari", "1 jam", "15 menit"):
        longest = longest.replace(f"waktu: {waktu}", "waktu: 52 minggu", 1)
    (folder / "uji.yaml").write_text(longest, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(folder))
    assert invoke(sop, "validate", folder / "uji.yaml").code == 0  # a copy elsewhere would repeat its id
    began = time.monotonic()
    ran = invoke(sop, "start", "uji", "--json")
    assert ran.code == 0, ran.output
    assert invoke(sop, "status", "--json").code == 0
    assert time.monotonic() - began < 5
    assert json.loads(ran.stdout)["planned_end"].startswith("203")


def test_a_forecast_of_an_absurd_pinned_sop_stops_at_the_horizon() -> None:
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.run import engine
    from sop_cli.worktime import MAX_DAYS, WorkCalendar

    data = json.loads(json.dumps(load_catalog().resolve("renja", "ngronggot").data))
    for step in data["langkah"]:
        step["waktu"] = "1999 hari"  # pinned before validate bounded the total: 14 × 1999 hari
    proc = engine.procedure(data)
    start = datetime(2026, 11, 26, 9, tzinfo=timezone(timedelta(hours=7)))
    began = time.monotonic()
    planned = engine.chain(proc, WorkCalendar(), proc.main_path * 60, start)
    assert time.monotonic() - began < 5
    assert 1 <= len(planned) < len(proc.main_path)
    assert planned[-1].planned_due < start + timedelta(days=2 * MAX_DAYS)
