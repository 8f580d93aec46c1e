"""Service SOPs as cases (issue 20): numbering, the counter's view, the period report checked
against a count made from `sop log --json`, privacy and erasure, migration from an older store."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "sops"

# Each SOP's steps as the driver walks them: (step, what): "do" (a plain step), "check" (a decision
# whose TIDAK sends the file back: rework), "decide" (a decision whose TIDAK ends it: refused).
SOPS = {
    "sktm": [(1, "do"), (2, "check"), (3, "do"), (4, "decide"), (5, "do")],
    "rekomendasi-iumk": [(1, "do"), (2, "check"), (3, "do"), (4, "do"), (5, "decide"), (6, "do")],
    "pengantar-nikah": [(1, "do"), (2, "do"), (3, "do"), (4, "decide"), (5, "do")],
}
ZONES = {"sktm": "+09:00", "rekomendasi-iumk": "+08:00", "pengantar-nikah": "+07:00"}


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_USER", "petugas")
    monkeypatch.setenv("SOP_NOW", "2027-01-05T10:00+07:00")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def data(result: Any) -> Any:
    return json.loads(ok(result).stdout)


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def drive(sop: Any, name: str, count: int) -> list[str]:
    """`count` cases of SOP `name` through the CLI, received from late November to the end of
    December: some sent back for rework, some refused, some cancelled, some left open."""
    ids = []
    for i in range(count):
        received = datetime(2026, 11, 20, 8, 0) + timedelta(days=i * 40 // count, hours=i % 5)
        view = data(sop("start", name, "--untuk", f"Pemohon Nomor {i:02d}", "--at", at(received), "--json"))
        run = view["run"]
        ids.append(run)
        moment = received
        stop = 2 + i % 3 if i % 9 == 4 else None  # left open at a step
        for step, what in SOPS[name]:
            if stop is not None and step == stop:
                break
            if i % 13 == 5 and step == 3:
                ok(sop("cancel", "--run", run, "--reason", "permohonan dicabut", "--at", at(moment + timedelta(hours=1))))
                break
            moment += timedelta(minutes=20 * (1 + (i * 7 + step * 3) % 5), days=1 if what == "do" and step == 3 and i % 4 == 0 else 0)
            if what == "check" and i % 10 == 3:  # incomplete: back to the applicant, then again
                ok(sop("advance", "--run", run, "--step", str(step), "--reject", "--reason", "berkas kurang",
                       "--at", at(moment)))
                moment += timedelta(minutes=45)
                ok(sop("advance", "--run", run, "--step", "1", "--at", at(moment)))
                moment += timedelta(minutes=10)
            if what in ("check", "decide"):
                refuse = what == "decide" and i % 7 == 0
                flag = ["--reject", "--reason", "tidak memenuhi syarat"] if refuse else ["--approve"]
                ok(sop("advance", "--run", run, "--step", str(step), *flag, "--at", at(moment)))
                if refuse:
                    break
            else:
                ok(sop("advance", "--run", run, "--step", str(step), "--at", at(moment)))
    return ids


def count_from_logs(sop: Any, ids: list[str], month: str) -> dict[str, Any]:
    """The month's figures counted from each case's `sop log --json` alone (times in the
    organisation's zone, so a month is a prefix of the time)."""
    counts = {"received": 0, "finished": 0, "refused": 0, "cancelled": 0, "open": 0}
    ended_in_month = []
    after = f"{int(month[:4]) + int(month[5:]) // 12}-{int(month[5:]) % 12 + 1:02d}"
    for run in ids:
        events = data(sop("log", "--run", run, "--json"))
        received = events[0]["at"]
        counts["received"] += received.startswith(month)
        steps = [e for e in events if e["kind"] in ("step_completed", "approved", "rejected") and not e["undone_by"]]
        cancelled = [e for e in events if e["kind"] == "cancelled"]
        last = steps[-1] if steps else None
        end, how = None, None
        if cancelled:
            end, how = cancelled[0]["at"], "cancelled"
        elif last and last["kind"] == "rejected" and last["step"] == max(s for s, w in SOPS[run.rsplit("-", 2)[0]] if w == "decide"):
            end, how = last["at"], "refused"
        elif last and last["step"] == SOPS[run.rsplit("-", 2)[0]][-1][0]:
            end, how = last["at"], "finished"
        if end is not None and end.startswith(month):
            counts[how] += 1
            if how != "cancelled":
                ended_in_month.append(run)
        if received[:7] < after and (end is None or end[:7] >= after):
            counts["open"] += 1
    return {**counts, "ended": ended_in_month}


def nearest_rank(values: list[int], pct: int) -> int | None:
    ordered = sorted(values)
    return ordered[-(-pct * len(ordered) // 100) - 1] if ordered else None


@pytest.mark.slow
@pytest.mark.parametrize("name", SOPS)
def test_fifty_cases_of_a_service_and_the_months_report_matches_the_logs(sop, examples, name: str) -> None:
    # one service per test (its own store), so that the three run side by side on the workers
    ids = drive(sop, name, 50)
    assert ids[:2] == [f"{name}-2026-0001", f"{name}-2026-0002"] and ids[-1] == f"{name}-2026-0050"
    expected = count_from_logs(sop, ids, "2026-12")
    report = data(sop("report", "--sop", name, "--bulan", "2026-12", "--format", "json"))
    assert report["period"] == {"label": "Desember 2026", "first": "2026-12-01", "last": "2026-12-31"}
    got = {key: report[key] for key in ("received", "finished", "refused", "cancelled", "open")}
    assert got == {key: expected[key] for key in got}, name
    assert report["refused"] > 0 and report["open"] > 0 and report["finished"] > 20
    # the times, from each ended case's own replay (sop status), against the database's figures
    views = [data(sop("status", "--run", run, "--json")) for run in expected["ended"]]
    promised = {v["step"]: v["standard_minutes"] for view in views for v in view["visits"] if not v["external"]}
    office = [view["office_minutes"] for view in views]
    within = sum(minutes <= sum(promised.values()) for minutes in office)
    assert (report["ended"], report["within"]) == (len(views), within)
    assert report["within_percent"] == round(100 * within / len(views))
    assert (report["median_minutes"], report["p90_minutes"]) == (nearest_rank(office, 50), nearest_rank(office, 90))
    for row in report["steps"]:
        passes = [v["actual_minutes"] for view in views for v in view["visits"]
                  if v["step"] == row["step"] and v["completed_at"]]
        assert (row["passes"], row["median_minutes"], row["p90_minutes"]) == (
            len(passes), nearest_rank(passes, 50), nearest_rank(passes, 90)), (name, row["step"])
    lanes = {r["lane"]: r for r in report["lanes"]}
    assert lanes["pemohon"]["external"] and lanes["pemohon"]["share_percent"] == 100  # outside apart
    assert sum(r["share_percent"] for r in report["lanes"] if not r["external"]) in (99, 100, 101)
    # the year and a quarter count the same cases; November's received plus December's are all 50
    november = data(sop("report", "--sop", name, "--bulan", "2026-11", "--format", "json"))
    december = data(sop("report", "--sop", name, "--bulan", "2026-12", "--format", "json"))
    year = data(sop("report", "--sop", name, "--year", "2026", "--format", "json"))
    quarter = data(sop("report", "--sop", name, "--kuartal", "2026-Q4", "--format", "json"))
    assert november["received"] + december["received"] == year["received"] == quarter["received"] == 50
    assert year["finished"] == november["finished"] + december["finished"]
    # the counter's view: open cases oldest first, whom each is for, who has it
    rows = data(sop("runs", "--sop", name, "--json"))
    assert rows and all(r["status"] == "active" and r["case_number"] for r in rows)
    assert [r["started_at"] for r in rows] == sorted(r["started_at"] for r in rows)
    assert all(r["untuk"].startswith("Pemohon Nomor") and r["holder"] for r in rows)
    table = ok(sop("runs", "--sop", name)).output
    assert "Case" in table and "For" in table and rows[0]["run"] in table
    found = data(sop("runs", "--untuk", "pemohon nomor 07", "--json"))
    assert {r["run"] for r in found} == {f"{name}-2026-0008"}
    december_rows = data(sop("runs", "--sop", name, "--bulan", "2026-12", "--limit", "0", "--json"))
    assert len(december_rows) == december["received"]
    days = data(sop("runs", "--sop", name, "--dari", "2026-11-20", "--sampai", "2026-11-20", "--json"))
    assert [r["run"] for r in days] == [f"{name}-2026-0001", f"{name}-2026-0002"]


def test_a_case_is_numbered_in_the_year_it_was_received_and_the_renja_keeps_its_rails(sop, examples) -> None:
    first = data(sop("start", "sktm", "--untuk", "Budi Santoso", "--at", "2026-12-06 09:00", "--json"))
    assert (first["run"], first["year"], first["case_number"], first["jenis"]) == ("sktm-2026-0001", 2026, 1, "layanan")
    assert first["untuk"] == "Budi Santoso" and "Budi" not in first["title"]
    again = sop("start", "sktm", "--untuk", "  budi   SANTOSO ", "--at", "2026-12-06 09:30")
    assert again.exit_code == 3 and "already has an open case for this person: sktm-2026-0001" in again.output
    assert "Budi" not in again.output and "--again" in again.output  # the name is never in a message
    assert data(sop("start", "sktm", "--untuk", "Budi Santoso", "--again", "--at", "2026-12-06 10:00",
                    "--json"))["run"] == "sktm-2026-0002"
    assert data(sop("start", "sktm", "--untuk", "Siti", "--at", "2026-12-07 08:00", "--json"))["run"] == "sktm-2026-0003"
    new_year = data(sop("start", "sktm", "--untuk", "Ani", "--at", "2027-01-04 08:00", "--json"))
    assert new_year["run"] == "sktm-2027-0001"  # numbering starts again in the year received
    year = sop("start", "sktm", "--year", "2027")
    assert year.exit_code == 2 and "--year" in year.output and "numbered in the year it is received" in year.output
    renja = sop("start", "renja", "--org", "ngronggot", "--untuk", "Budi")
    assert renja.exit_code == 2 and "--untuk" in renja.output and "jenis: perencanaan" in renja.output
    assert data(sop("start", "renja", "--org", "ngronggot", "--json"))["run"] == "renja-2028"  # now is 2027
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 3  # one run a year, as before
    status = ok(sop("status", "--run", "sktm-2026-0001")).output
    log = ok(sop("log", "--run", "sktm-2026-0001")).output
    assert "For" in status and "Budi Santoso" in status and "For: Budi Santoso" in log
    assert "Budi Santoso" not in json.dumps(data(sop("log", "--run", "sktm-2026-0001", "--json")))  # not in the log


def test_purge_erases_whom_ended_cases_were_for_and_keeps_their_times(sop, examples, tmp_path: Path) -> None:
    ok(sop("start", "sktm", "--untuk", "Lama Sekali", "--at", "2024-12-02 08:00"))
    for step, flag in ((1, []), (2, ["--approve"]), (3, []), (4, ["--approve"]), (5, [])):
        ok(sop("advance", "--run", "sktm-2024-0001", "--step", str(step), *flag, "--at", f"2024-12-03 {step + 7:02d}:00"))
    ok(sop("start", "sktm", "--untuk", "Masih Berjalan", "--at", "2024-12-02 09:00"))
    before = data(sop("report", "--sop", "sktm", "--bulan", "2024-12", "--format", "json"))
    dry = ok(sop("cases", "purge", "--sebelum", "2025-01-01", "--dry-run"))
    assert "sktm-2024-0001" in dry.output and "sktm-2024-0002" not in dry.output
    assert data(sop("status", "--run", "sktm-2024-0001", "--json"))["untuk"] == "Lama Sekali"  # nothing erased yet
    done = ok(sop("cases", "purge", "--sebelum", "2025-01-01"))
    assert "1" in done.output and "Lama" not in done.output
    assert data(sop("status", "--run", "sktm-2024-0001", "--json"))["untuk"] is None
    assert data(sop("status", "--run", "sktm-2024-0002", "--json"))["untuk"] == "Masih Berjalan"  # still open
    events = data(sop("log", "--run", "sktm-2024-0001", "--json"))
    assert events[-1]["kind"] == "erased" and events[-1]["details"] == {"fields": ["untuk"], "sebelum": "2025-01-01"}
    assert "personal data erased" in ok(sop("log", "--run", "sktm-2024-0001")).output
    after = data(sop("report", "--sop", "sktm", "--bulan", "2024-12", "--format", "json"))
    assert after == {**before, "now": after["now"]}  # the timings are kept
    assert sop("runs", "--untuk", "lama", "--json").stdout.strip() == "[]"
    again = ok(sop("cases", "purge", "--sebelum", "2025-01-01"))  # nothing left to erase
    assert "0" in again.output
    future = sop("cases", "purge", "--sebelum", "2099-01-01")
    assert future.exit_code == 2 and "--sebelum" in future.output
    db = sqlite3.connect(Path(__import__("os").environ["SOP_HOME"]) / "sop.db")
    assert db.execute("SELECT untuk, erased_at IS NOT NULL FROM case_subjects WHERE run_id = 'sktm-2024-0001'"
                      ).fetchone() == (None, 1)
    assert b"Lama Sekali" not in b"".join(
        bytes(str(row), "utf-8") for row in db.execute("SELECT data FROM events"))


def test_bad_period_options_are_clear(sop, examples) -> None:
    for args, words in ((["--bulan", "2026-13"], "--bulan 2026-13"), (["--bulan", "0000-01"], "outside the years"),
                        (["--kuartal", "2026-5"], "--kuartal 2026-5"), (["--dari", "2026-12-01"], "go together"),
                        (["--dari", "2026-12-05", "--sampai", "2026-12-01"], "before --dari"),
                        (["--bulan", "2026-12", "--kuartal", "2026-4"], "one period")):
        result = sop("report", "--sop", "sktm", *args)
        assert result.exit_code == 2 and words in result.output, (args, result.output)
    assert sop("runs", "--bulan", "12-2026").exit_code == 2
    assert sop("report", "--bulan", "2026-12").exit_code == 2  # a period is about a service SOP: --sop
    assert sop("cases", "purge", "--sebelum", "kemarin").exit_code == 2


def test_a_store_written_before_cases_migrates_and_its_runs_go_on(sop, examples, tmp_path: Path, monkeypatch) -> None:
    import shutil

    store = tmp_path / "lama" / "sop.db"
    store.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parent / "data" / "store-main-2026-12" / "sop.db", store)
    monkeypatch.setenv("SOP_STORE", str(store))
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    rows = {r["run"]: r for r in data(sop("runs", "--all", "--json"))}
    assert set(rows) == {"renja-2026", "surat-domisili-2027"}  # the ids they had
    assert all(r["case_number"] is None and r["untuk"] is None for r in rows.values())
    assert sqlite3.connect(store).execute("PRAGMA user_version").fetchone()[0] == 4
    old = data(sop("status", "--run", "surat-domisili-2027", "--json"))
    assert (old["year"], old["case_number"], old["current"]["step"]) == (2027, None, 3)
    # its times were filled by the migration: the period report sees the run and its two steps
    november = data(sop("report", "--sop", "surat-domisili", "--bulan", "2026-11", "--format", "json"))
    assert (november["received"], november["open"]) == (1, 1)
    ok(sop("advance", "--run", "surat-domisili-2027", "--step", "3", "--at", "2026-11-26 08:00"))
    assert data(sop("status", "--run", "surat-domisili-2027", "--json"))["current"]["step"] == 4
    # the same SOP (inferred a service today) now starts cases beside the old run; the Renja keeps its rails
    assert data(sop("start", "surat-domisili", "--untuk", "Budi", "--json"))["run"] == "surat-domisili-2026-0001"
    assert sop("start", "renja", "--org", "ngronggot", "--year", "2026").exit_code == 3
    ok(sop("advance", "--run", "renja-2026", "--step", "2"))


def test_the_portfolio_counts_services_by_unit_apart_from_the_cycles_runs(sop, examples) -> None:
    for name, when in (("Budi", "2026-12-01 08:00"), ("Siti", "2026-12-01 09:00"), ("Ani", "2026-12-02 08:00")):
        ok(sop("start", "sktm", "--untuk", name, "--at", when))
    for step, flag in ((1, []), (2, ["--approve"]), (3, []), (4, ["--reject", "--reason", "tidak memenuhi"])):
        ok(sop("advance", "--run", "sktm-2026-0001", "--step", str(step), *flag, "--at", f"2026-12-03 {step + 8:02d}:00"))
    ok(sop("start", "pengantar-nikah", "--untuk", "Dewi", "--at", "2026-12-04 08:00"))
    ok(sop("start", "renja", "--org", "ngronggot", "--year", "2026", "--at", "2026-12-01 08:00"))
    data_ = data(sop("report", "--portfolio", "--year", "2026", "--format", "json"))
    assert [u["run"] for u in data_["units"]] == ["renja-2026"] and data_["runs"] == 1  # cases are not cycle runs
    services = {s["sop"]: s for s in data_["services"]}
    assert services["sktm"] | {"org_name": None} == {
        "org_id": "kelurahan-entrop", "org_name": None, "sop": "sktm", "received": 3, "finished": 0, "refused": 1,
        "cancelled": 0, "open": 2, "within_percent": 100}
    assert services["pengantar-nikah"]["received"] == 1
    table = ok(sop("report", "--portfolio", "--year", "2026")).output
    assert "Layanan per unit" in table and "sktm" in table
    assert "Layanan per unit" in ok(sop("report", "--portfolio", "--year", "2026", "--format", "html")).output


def test_a_hostile_name_is_data_everywhere_it_is_shown(sop, examples, tmp_path: Path) -> None:
    name = "<script>alert(1)</script> \x1b[31mMerah\x07 {{ 7*7 }}"
    ok(sop("start", "sktm", "--untuk", name, "--at", "2026-12-01 08:00"))
    status = ok(sop("status", "--run", "sktm-2026-0001")).output
    assert "\x1b" not in status and "\x07" not in status and "Merah" in status
    listing = ok(sop("runs", "--sop", "sktm")).output
    assert "\x1b" not in listing and "Merah" in listing
    html = ok(sop("report", "--run", "sktm-2026-0001", "--format", "html")).output
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
    md = ok(sop("report", "--run", "sktm-2026-0001", "--format", "md")).output
    assert "<script>" not in md
    assert data(sop("status", "--run", "sktm-2026-0001", "--json"))["untuk"] == " ".join(name.split())
    # the case's files and the store's attachment folders never carry the name
    (tmp_path / "ktp.txt").write_text("x", encoding="utf-8")
    ok(sop("note", "--run", "sktm-2026-0001", "--attach", str(tmp_path / "ktp.txt")))
    home = Path(__import__("os").environ["SOP_HOME"])
    assert all("Merah" not in str(path) and "script" not in str(path) for path in home.rglob("*"))
