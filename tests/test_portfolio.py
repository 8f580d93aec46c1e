"""BAPPEDA's view (`sop runs` filters, `sop report --portfolio`) and `sop report --evaluasi`, on
both stores, as users run them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"


@pytest.fixture
def kabupaten(sop, monkeypatch: pytest.MonkeyPatch):
    """Ngronggot: renja 2026 on time at step 2 (step 1 took 30 min of its 5), renja 2027 (step 1:
    60 min) and renja 2028 (step 1: 3 min); Diskominfo: renja 2026, started on 2 November and
    still at step 1. Now is Thursday 26 November 2026, 08.30 WIB."""
    monkeypatch.setenv("SOP_USER", "planner")
    monkeypatch.delenv("SOP_DEBUG")
    monkeypatch.setenv("SOP_NOW", "2026-11-26T08:30")

    def ok(*args: str) -> str:
        result = sop(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    for year, done in (("2026", "08:00"), ("2027", "08:30"), ("2028", "07:33")):
        ok("start", NGANJUK, "--year", year, "--at", "2026-11-26 07:30")
        ok("advance", "--run", f"renja-{year}", "--at", done)
    ok("start", LAMPUNG, "--year", "2026", "--at", "2026-11-02 08:00")
    return ok


def as_json(text: str):
    return json.loads(text)


def test_runs_all_filters_by_org_sop_year_and_lateness(kabupaten):
    def ids(*args: str) -> list[str]:
        return [r["run"] for r in as_json(kabupaten("runs", "--all", "--json", *args))]

    assert ids() == ["renja-2026-2", "renja-2026", "renja-2027", "renja-2028"]
    assert ids("--org", "ngronggot") == ["renja-2026", "renja-2027", "renja-2028"]
    assert ids("--org", "diskominfo", "--sop", "renja") == ["renja-2026-2"]
    assert ids("--sop", LAMPUNG) == ["renja-2026-2"]
    assert ids("--year", "2026") == ["renja-2026-2", "renja-2026"]
    assert ids("--late") == ["renja-2026-2"]
    assert ids("--org", "nowhere") == []
    assert "No runs match." in kabupaten("runs", "--all", "--org", "nowhere")


def test_portfolio_per_unit_step_and_lane(kabupaten):
    data = as_json(kabupaten("report", "--portfolio", "--year", "2026", "--deadline", "2027-01-31", "--format", "json"))
    units = {u["org_id"]: u for u in data["units"]}
    assert set(units) == {"kecamatan-ngronggot", "diskominfo"}
    ngronggot, kominfo = units["kecamatan-ngronggot"], units["diskominfo"]
    assert (ngronggot["run"], ngronggot["status"], ngronggot["current_step"], ngronggot["late"]) == ("renja-2026", "active", 2, False)
    assert (kominfo["run"], kominfo["current_step"], kominfo["late"]) == ("renja-2026-2", 1, True)
    assert kominfo["late_minutes"] > 0 and kominfo["org_name"] == "Dinas Komunikasi Informatika dan Statistik"
    assert ngronggot["meets_deadline"] is True and ngronggot["forecast_end"] > data["now"]
    assert data["summary"] == {"units": 2, "not_started": 0, "active": 2, "finished": 0, "cancelled": 0, "late": 1,
                               "past_deadline": 0}
    step1 = next(s for s in data["steps"] if s["step"] == 1 and s["waktu"] == "5 menit")  # Ngronggot's SOP
    assert (step1["passes"], step1["median_minutes"], step1["late_share"], step1["standard_minutes"]) == (1, 30, 1.0, 5)
    totals = [lane["total_minutes"] for lane in data["lanes"]]
    assert totals == sorted(totals, reverse=True) and sum(lane["waiting_now"] for lane in data["lanes"]) >= 2

    past = as_json(kabupaten("report", "--portfolio", "--year", "2026", "--deadline", "2026-11-26", "--format", "json"))
    assert all(u["meets_deadline"] is False and u["days_past_deadline"] >= 1 for u in past["units"])


def test_portfolio_as_table_csv_html_and_xlsx(kabupaten, tmp_path: Path):
    table = kabupaten("report", "--portfolio", "--year", "2026")
    assert "Portofolio 2026: 2 unit, 0 belum mulai, 2 berjalan (1 terlambat)" in table
    assert "terlambat" in table and "Kecamatan Ngronggot" in table
    rows = list(csv.DictReader(io.StringIO(kabupaten("report", "--portfolio", "--year", "2026", "--format", "csv"))))
    assert {r["run"] for r in rows} == {"renja-2026", "renja-2026-2"}
    kabupaten("report", "--portfolio", "--year", "2026", "--out", str(tmp_path / "p.html"))
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "Progres per unit" in page and "Keterlambatan per langkah" in page
    kabupaten("report", "--portfolio", "--year", "2026", "--out", str(tmp_path / "p.xlsx"))
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert book.sheetnames == ["Unit", "Langkah", "Pelaksana"]
    assert {row[2] for row in book["Unit"].iter_rows(min_row=2, values_only=True)} == {"renja-2026", "renja-2026-2"}


def test_evaluasi_proposes_a_mutu_baku_where_most_runs_miss_it(kabupaten):
    data = as_json(kabupaten("report", "--evaluasi", NGANJUK, "--format", "json"))
    assert (data["runs"], data["sop"]) == (3, NGANJUK)
    step1 = data["steps"][0]
    # Step 1 (5 menit) took 30, 60 and 3 minutes: late in two of three; the 80th percentile is 60.
    assert (step1["passes"], step1["median_minutes"], step1["late_share"], step1["missed_in_most"]) == (3, 30, 0.667, True)
    assert (step1["proposed_waktu"], step1["proposed_minutes"]) == ("1 jam", 60)
    assert all(s["proposed_waktu"] is None for s in data["steps"][1:])
    table = kabupaten("report", "--evaluasi", "renja", "--org", "ngronggot")
    assert "langkah 1" in table and "1 jam" in table


def test_bad_input_to_the_many_run_reports(kabupaten, sop):
    def fails(code: int, text: str, *args: str) -> None:
        result = sop(*args)
        assert result.exit_code == code, result.output
        assert text in result.stderr and "Traceback" not in result.stderr

    fails(1, "Runs of 2 SOPs are named 'renja'", "report", "--evaluasi", "renja")
    fails(1, "No runs of SOP 'nothing'", "report", "--evaluasi", "nothing")
    fails(2, "--deadline 31/12/2026: give a date as YYYY-MM-DD", "report", "--portfolio", "--deadline", "31/12/2026")
    fails(2, "--format xlsx writes a file", "report", "--portfolio", "--format", "xlsx")
    fails(2, "not both", "report", "--portfolio", "--evaluasi", "renja")
    fails(2, "go with --portfolio", "report", "--year", "2026")


def test_proposed_waktu_rounds_up_to_the_units_an_sop_uses():
    from sop_cli.run.portfolio import percentile, proposed_waktu

    assert [proposed_waktu(m, 450) for m in (1, 7, 59, 61, 449, 450, 451, 1000)] == [
        ("5 menit", 5), ("10 menit", 10), ("1 jam", 60), ("2 jam", 120), ("1 hari", 450), ("1 hari", 450),
        ("2 hari", 900), ("3 hari", 1350)]
    assert percentile([5, 1, 3, 2, 4], 80) == 4 and percentile([], 90) is None
