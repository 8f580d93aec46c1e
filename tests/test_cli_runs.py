"""The run commands through the CLI: start, advance, status, runs, log, undo, cancel, note."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import write
from tests.sample import VALID, replace

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"


@pytest.fixture(autouse=True)
def planner(monkeypatch):
    monkeypatch.setenv("SOP_USER", "planner")


@pytest.fixture
def clock(monkeypatch):
    """Set the time every command sees (`SOP_NOW`, WIB)."""

    def set_to(text: str) -> None:
        monkeypatch.setenv("SOP_NOW", text)

    set_to("2026-11-26T09:00")
    return set_to


def data(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fails(result, code: int, message: str) -> None:
    """The command failed with one `Error:` paragraph containing `message` and no traceback."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def started(sop, clock):
    """A Nganjuk run started Thursday 26 November 2026 09.00, with two lanes assigned."""
    result = sop("start", "renja", "--org", "ngronggot", "--assign", "camat=Drs. Makrup",
                 "--assign", "kasubag-perencanaan=Budi Santoso")
    assert result.exit_code == 0, result.output
    return "renja-2027"


def _rows(lines: list[str]) -> list[str]:
    """Table rows whose long cells wrapped onto more lines, each joined back into one line."""
    rows: list[str] = []
    for line in lines:
        if line[:3].strip().isdigit() or not rows:
            rows.append(line)
        else:
            rows[-1] += " " + line.strip()
    return rows


# A whole run of each SOP ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "total"), [(NGANJUK, 14), (LAMPUNG, 13)], ids=["nganjuk", "lampung-tengah"])
def test_a_whole_run_with_a_rejection_and_an_undo(sop, clock, name, total):
    moment = datetime(2026, 11, 2, 8, 0)  # a Monday

    def at_next_moment() -> None:
        nonlocal moment
        moment += timedelta(minutes=20)
        clock(moment.isoformat())

    clock(moment.isoformat())
    view = data(sop("start", name, "--assign", "sekretaris=Sri Wahyuni", "--json"))
    run = view["run"]
    assert (run, view["progress"]["total"], len(view["forecast"])) == ("renja-2027", total, total)

    def advance(*options: str) -> dict:
        at_next_moment()
        return data(sop("advance", "--run", run, "--json", *options))

    for no in range(1, 9):
        advance("--step", str(no), "--by", f"Pelaksana {no}")
    view = advance("--step", "9", "--reject", "--reason", "Belum sesuai Renstra")
    assert (view["current"]["step"], view["rework_loops"]) == (8, 1)
    assert view["recorded"]["actor"] == "Sri Wahyuni"  # the person assigned to the decision's lane
    advance("--step", "8", "--note", "Sudah diperbaiki", "--by", "Pelaksana 8")
    at_next_moment()
    view = data(sop("undo", "--run", run, "--reason", "Salah konsep diunggah", "--json"))
    assert view["current"]["step"] == 8 and view["recorded"]["undoes"] == 11
    advance("--step", "8", "--by", "Pelaksana 8")
    view = advance("--step", "9", "--approve")
    assert view["current"]["step"] == 10
    for no in range(10, total + 1):
        view = advance("--step", str(no), "--by", f"Pelaksana {no}")

    assert (view["status"], view["current"], view["progress"]["done"], view["rework_loops"]) == ("finished", None, total, 1)
    status = sop("status").stdout  # no active run left: the last one updated
    assert f"Progress  {total}/{total} steps, 1 rework loop\nStatus    finished Senin, 2 November 2026" in status
    assert f"over {total + 2} step visits" in status
    assert data(sop("runs", "--json")) == []
    assert [r["status"] for r in data(sop("runs", "--all", "--json"))] == ["finished"]

    events = data(sop("log", "--run", run, "--json"))
    kinds = [e["kind"] for e in events]
    assert kinds == ["started", *["step_completed"] * 8, "rejected", "step_completed", "undone",
                     "step_completed", "approved", *["step_completed"] * (total - 9)]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["actor"] and e["os_user"] == getpass.getuser() and e["at"] for e in events)
    assert events[10]["undone_by"] == 12 and events[11]["reason"] == "Salah konsep diunggah"

    log = sop("log", "--run", run).stdout
    lines = log.splitlines()[:3] + _rows(log.splitlines()[3:])
    assert len(lines) == 3 + len(events)  # title, header, rule, one row per event
    assert lines[3].split()[:7] == ["1", "Sen", "2", "Nov", "2026", "08.00", "started"]
    assert "rejected" in lines[12] and "Sri Wahyuni" in lines[12] and "reason: Belum sesuai Renstra" in lines[12]
    assert "step completed (undone by #12)" in lines[13]
    assert "undone" in lines[14] and "planner" in lines[14] and "undoes #11; reason: Salah konsep diunggah" in lines[14]
    for event, line in zip(events, lines[3:]):
        assert line.split()[0] == str(event["seq"]) and event["actor"] in line


def test_start_prints_the_run_id_and_the_forecast_of_every_step(sop, clock):
    result = sop("start", "renja", "--org", "ngronggot", "--assign", "camat=Drs. Makrup")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Started renja-2027 for 2027: Penyusunan Rencana Kerja 2027"
    assert lines[2] == "Started   Kamis, 26 November 2026 09.00 WIB  (by planner)"
    assert lines[3] == "Due       Selasa, 1 Desember 2026 09.05 WIB  (forecast, without rework)"
    assert lines[7].split() == ["1", "Memerintahkan", "penyusunan", "Rencana", "Kerja", "(Renja)", "Camat",
                                "(Drs.", "Makrup)", "5", "menit", "Kam", "26", "Nov", "09.00", "Kam", "26", "Nov", "09.05"]
    assert lines[20].split()[0] == "14" and lines[20].endswith("Sel  1 Des 08.55  Sel  1 Des 09.05")
    assert lines[-1] == "Next: when step 1 is done, `sop advance --run renja-2027 --step 1`."


def test_start_options_year_title_at_and_ids_of_later_runs(sop, clock):
    view = data(sop("start", "renja", "--org", "ngronggot", "--year", "2027", "--title", "Renja 2027",
                    "--at", "2026-11-25", "--json"))
    assert (view["run"], view["year"], view["title"]) == ("renja-2027", 2027, "Renja 2027")
    assert view["started_at"] == "2026-11-25T07:30:00+07:00"  # a date alone: the start of office hours
    assert view["recorded"]["recorded_at"] == "2026-11-26T09:00:00+07:00"
    fails(sop("start", "renja", "--org", "ngronggot", "--year", "2027"), 3,
          "SOP nganjuk/kecamatan-ngronggot/renja already has a run for 2027; nothing was recorded:\n"
          "  renja-2027  Renja 2027  (active, step 1 of 14)\nFollow it with `sop status --run renja-2027`, "
          "or start a second run for 2027 with `sop start nganjuk/kecamatan-ngronggot/renja --year 2027 --again`.")
    assert data(sop("start", "renja", "--org", "ngronggot", "--year", "2027", "--again", "--json"))["run"] == "renja-2027-2"
    view = data(sop("start", LAMPUNG, "--json"))  # another organisation's renja for 2027: a new id, said so
    assert view["run"] == "renja-2027-3"
    assert view["id_taken"] == {"run": "renja-2027", "sop": NGANJUK, "year": 2027}
    assert data(sop("start", LAMPUNG, "--year", "2028", "--json"))["run"] == "renja-2028"
    assert data(sop("start", LAMPUNG, "--at", "2026-11-26 08:15", "--year", "2029", "--json"))["started_at"] == "2026-11-26T08:15:00+07:00"


# status ---------------------------------------------------------------------------------------


def test_status_shows_the_current_step_its_person_due_time_progress_and_next_steps(sop, clock, started):
    clock("2026-11-26T09:04")
    assert sop("advance", "--step", "1").exit_code == 0
    clock("2026-11-26T09:30")

    assert sop("status").stdout == (
        "renja-2027  Penyusunan Rencana Kerja 2027\n"
        "SOP       nganjuk/kecamatan-ngronggot/renja  (Kecamatan Ngronggot, Pemerintah Kabupaten Nganjuk)\n"
        "Progress  1/14 steps\n"
        "Current   step 2: Membuat format pengumpulan data dan informasi rencana kerja tahunan dari masing-masing seksi  (1 jam)\n"
        "Who       Kasubag Perencanaan & Keuangan (Budi Santoso)\n"
        "Since     Kamis, 26 November 2026 09.04 WIB\n"
        "Due       Kamis, 26 November 2026 10.04 WIB — 34 menit of working time left\n"
        "Next       3  Menyampaikan format pengumpulan data dan informasi rencana kerja tahunan kepada masing-masing seksi"
        " dan Subbag  (Kasubag Perencanaan & Keuangan (Budi Santoso))  due Kam 26 Nov 10.19\n"
        "           4  Mengundang Kasi dan Kasubag untuk rapat pembahasan rencana kerja  (Sekretaris)  due Kam 26 Nov 10.29\n"
        "           5  Melaksanakan Rapat pembahasan rencana kerja tahunan  (Sekretaris)  due Kam 26 Nov 13.29\n"
        "          ... 9 more\n"
        "Run due   Selasa, 1 Desember 2026 09.04 WIB (forecast)\n"
    )


def test_status_says_a_step_is_late_in_working_time(sop, clock, started):
    clock("2026-11-27T08:00")  # due Thursday 09.05; late by the rest of Thursday and 30 min of Friday
    view = data(sop("status", "--json"))
    assert (view["current"]["late"], view["current"]["late_minutes"]) == (True, 175 + 180 + 30)
    assert "Due       Kamis, 26 November 2026 09.05 WIB — LATE by 6 jam 25 menit\n" in sop("status").stdout
    # the forecast moves on from now when the current step is late
    assert view["next_steps"][0]["planned_start"] == "2026-11-27T08:00:00+07:00"


def test_the_forecast_end_is_never_in_the_past_when_the_last_step_is_late(sop, clock, started):
    for n in range(1, 14):
        assert sop("advance", "--step", str(n), *(["--approve"] if n == 9 else [])).exit_code == 0
    clock("2026-12-02T10:00")  # step 14 (10 menit) was due on 26 November
    view = data(sop("status", "--json"))
    assert view["current"]["step"] == 14 and view["current"]["late"]
    assert view["planned_end"] == "2026-12-02T10:00:00+07:00"
    assert "Run due   Rabu, 2 Desember 2026 10.00 WIB (forecast)" in sop("status").stdout


def test_status_of_finished_and_cancelled_runs(sop, clock, started):
    clock("2026-11-26T10:00")
    assert sop("cancel", "--reason", "Anggaran dialihkan").exit_code == 0
    out = sop("status").stdout  # no active run: the last one updated
    assert "Status    cancelled Kamis, 26 November 2026 10.00 WIB: Anggaran dialihkan\n" in out
    fails(sop("advance"), 1, "No active run.\nStart one with `sop start SOP`. Finished or cancelled runs (1)")


def test_status_notices_when_the_sop_file_changed_or_is_gone(sop, clock, tmp_path, monkeypatch):
    path = write(tmp_path / "mine" / "uji.yaml", VALID)
    monkeypatch.setenv("SOP_PATH", str(path.parent))
    assert sop("start", "uji").exit_code == 0
    assert data(sop("status", "--json"))["sop_file"] == {"path": str(path.resolve()), "state": "unchanged"}
    assert "SOP file" not in sop("status").stdout  # (its digest is remembered with its size, mtime, ctime)

    # an edit of the same size with the old mtime put back is still seen (the ctime moved)
    before = path.stat()
    path.write_text(replace("waktu: 1 hari", "waktu: 3 hari"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    out = sop("status").stdout
    assert f"Note: the SOP file changed since the run started ({path.resolve()}); this run keeps the definition it started with." in out
    path.write_text(VALID, encoding="utf-8")  # and put back: unchanged again
    assert data(sop("status", "--json"))["sop_file"]["state"] == "unchanged"

    path.unlink()
    assert f"Note: the SOP file is gone ({path.resolve()})" in sop("status").stdout
    clock("2026-11-26T09:05")
    view = data(sop("advance", "--json"))  # the run goes on with its pinned definition
    assert (view["current"]["step"], view["current"]["waktu"]) == (2, "1 hari")


# advance --------------------------------------------------------------------------------------


def test_advance_prints_what_was_done_and_what_is_next(sop, clock, started):
    clock("2026-11-26T09:07")
    result = sop("advance", "--step", "1")
    assert result.stdout.splitlines()[:2] == [
        "renja-2027: step 1 done by Drs. Makrup, Kamis, 26 November 2026 09.07 WIB — late (7 menit of 5 menit).",
        "Progress  1/14 steps",
    ]
    assert "Current   step 2:" in result.stdout


def test_advance_with_the_wrong_step_says_the_run_has_moved_on(sop, clock, started):
    assert sop("advance", "--step", "1").exit_code == 0
    result = sop("advance", "--step", "1")
    fails(result, 3, "Step 1 of run renja-2027 was already completed by Drs. Makrup (2026-11-26 09:00 WIB); "
          "the current step is 2 (Membuat format pengumpulan")
    assert "Nothing was recorded." in result.stderr
    fails(sop("advance", "--step", "3"), 3,
          "Step 3 is not current yet: step 2 (Membuat format pengumpulan data dan informasi rencana kerja tahunan "
          "dari masing-masing seksi) comes first. Nothing was recorded.")
    assert len(data(sop("log", "--json"))) == 2


def test_advance_at_records_a_step_done_earlier(sop, clock, started):
    clock("2026-11-27T10:00")
    view = data(sop("advance", "--at", "2026-11-26 09:03", "--json"))
    assert (view["recorded"]["at"], view["recorded"]["recorded_at"]) == ("2026-11-26T09:03:00+07:00", "2026-11-27T10:00:00+07:00")
    assert view["current"]["since"] == "2026-11-26T09:03:00+07:00"
    assert "recorded Jum 27 Nov 10.00" in sop("log").stdout
    view = data(sop("advance", "--at", "2026-11-26", "--json"))  # a date alone: the end of office hours
    assert view["recorded"]["at"] == "2026-11-26T16:00:00+07:00"
    view = data(sop("advance", "--at", "09:45", "--json"))  # a time alone: today
    assert view["recorded"]["at"] == "2026-11-27T09:45:00+07:00"


@pytest.mark.sqlite_only
def test_advance_keeps_a_copy_of_each_attachment_with_its_sha256(sop, clock, started, tmp_path, isolated_home):
    scan = tmp_path / "disposisi camat.pdf"
    scan.write_bytes(b"%PDF-1.4 disposisi")
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()

    view = data(sop("advance", "--attach", scan, "--note", "Disposisi diterima", "--json"))

    [kept] = view["recorded"]["attachments"]
    assert kept == {"name": "disposisi camat.pdf", "sha256": digest, "size": 18,
                    "path": f"attachments/renja-2027/{digest[:12]}-disposisi camat.pdf"}
    assert (isolated_home / kept["path"]).read_bytes() == scan.read_bytes()
    assert view["visits"][0]["attachments"] == [kept] and view["visits"][0]["note"] == "Disposisi diterima"
    scan.unlink()
    assert (isolated_home / kept["path"]).exists()  # the copy outlives the original
    assert f"file disposisi camat.pdf sha256 {digest[:12]}" in sop("log").stdout


BAD_INPUT = [
    (["advance", "--at", "26.11.2026"], 2, "--at '26.11.2026' is not a date and time; write it as e.g. 2026-11-26 09:30"),
    (["advance", "--at", "2026-11-26 09:01"], 2, "--at 2026-11-26 09:01 WIB is in the future (now is 2026-11-26 09:00 WIB)"),
    (["advance", "--at", "2026-11-25 16:00"], 2, "is before step 1 became current (2026-11-26 09:00 WIB)"),
    (["advance", "--run", "anggaran"], 1, "No run 'anggaran'.\nRuns:\n  renja-2027  Penyusunan Rencana Kerja 2027  (active, step 1)"),
    (["advance", "--approve"], 2, "--approve: step 1 (Memerintahkan penyusunan Rencana Kerja (Renja)) is not a decision step"),
    (["advance", "--reject", "--reason", "x"], 2, "--reject: step 1"),
    (["advance", "--attach", "missing.pdf"], 2, "--attach missing.pdf: the file does not exist. Nothing was recorded."),
    (["advance", "--step", "77"], 2, "--step 77: SOP nganjuk/kecamatan-ngronggot/renja has no step 77."),
    (["undo", "--reason", "x"], 3, "Nothing to undo: no step of run renja-2027 has been completed since it started."),
    (["undo"], 2, "`sop undo` needs --reason TEXT"),
    (["cancel"], 2, "`sop cancel` needs --reason TEXT"),
    (["note"], 2, "Give the note's text, or --attach FILE, or both."),
    (["start", "renja", "--org", "ngronggot", "--assign", "bupati=Pak Bupati"], 2,
     "--assign bupati=Pak Bupati: SOP nganjuk/kecamatan-ngronggot/renja has no lane 'bupati'. Its lanes: sekretaris (Sekretaris), kasubag-perencanaan (Kasubag Perencanaan & Keuangan), camat (Camat)."),
    (["start", "renja", "--org", "ngronggot", "--assign", "camat"], 2, "--assign 'camat': write LANE=NAME"),
    (["start", "renja", "--org", "ngronggot", "--at", "2026-11-27"], 2, "is in the future"),
    (["start", "renja"], 1, "SOP 'renja' is defined by 2 organisations"),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUT, ids=[" ".join(a) for a, _, _ in BAD_INPUT])
def test_bad_input_is_refused_clearly_and_nothing_is_stored(sop, clock, started, isolated_home, args, code, message):
    before = data(sop("runs", "--all", "--json")), data(sop("log", "--json"))

    fails(sop(*args), code, message)

    assert (data(sop("runs", "--all", "--json")), data(sop("log", "--json"))) == before
    assert not (isolated_home / "attachments").exists()


def test_a_decision_step_needs_approve_or_reject_with_a_reason(sop, clock, started):
    for no in range(1, 9):
        assert sop("advance", "--step", str(no)).exit_code == 0
    fails(sop("advance"), 2, "Step 9 (Mengoreksi konsepDokumen rencana kerja (Renja) tahunan) is a decision: "
                             "add --approve to go on to step 10, or --reject --reason TEXT to send the run back to step 8.")
    fails(sop("advance", "--reject"), 2, "--reject needs --reason TEXT")
    result = sop("advance", "--reject", "--reason", "Target kinerja belum terukur")
    assert result.stdout.splitlines()[1:3] == ["Reason: Target kinerja belum terukur",
                                               "Back to step 8 for rework (rework loop 1)."]


# runs, log, undo, cancel, note ----------------------------------------------------------------


def test_runs_shows_the_newest_page_and_says_how_many_there_are(sop, clock, started):
    for year in (2028, 2029, 2030):
        assert sop("start", NGANJUK, "--year", str(year)).exit_code == 0
    rows = data(sop("runs", "--limit", "2", "--json"))
    assert [r["run"] for r in rows] == ["renja-2029", "renja-2030"]
    out = sop("runs", "--limit", "2").stdout
    assert "renja-2027 " not in out and "renja-2029" in out
    assert "(the 2 most recently started of 4 runs; `sop runs --limit 0` lists them all)" in out
    assert "`sop runs --all --limit 0` lists them all" in sop("runs", "--all", "--limit", "2").stdout
    assert [r["run"] for r in data(sop("runs", "--limit", "0", "--json"))] == [
        "renja-2027", "renja-2028", "renja-2029", "renja-2030"]
    assert "most recently started" not in sop("runs").stdout


def test_runs_lists_runs_with_progress_and_lateness(sop, clock, started):
    assert sop("start", LAMPUNG, "--assign", "sekretaris=Sri").exit_code == 0
    clock("2026-11-26T09:06")
    assert sop("advance", "--run", "renja-2027-2").exit_code == 0  # Lampung's step 1 (10 menit) done

    rows = data(sop("runs", "--json"))
    assert [(r["run"], r["current_step"], r["late"], r["progress"]) for r in rows] == [
        ("renja-2027", 1, True, {"done": 0, "total": 14}),
        ("renja-2027-2", 2, False, {"done": 1, "total": 13}),
    ]
    lines = sop("runs").stdout.splitlines()
    assert lines[0].split() == ["Run", "SOP", "Year", "Current", "step", "Progress", "Due", "State"]
    assert lines[2].startswith("renja-2027    nganjuk/kecamatan-ngronggot/renja  2027  1 Memerintahkan")
    assert lines[2].endswith(" 0/14      Kam 26 Nov 09.05  LATE")
    assert lines[3].endswith(" 1/13      Kam 26 Nov 11.06  on time")

    assert sop("cancel", "--run", "renja-2027-2", "--reason", "Diganti").exit_code == 0
    assert [r["run"] for r in data(sop("runs", "--json"))] == ["renja-2027"]
    assert [r["status"] for r in data(sop("runs", "--all", "--json"))] == ["active", "cancelled"]


def test_without_run_a_command_needs_a_single_active_run(sop, clock, started):
    assert sop("start", LAMPUNG).exit_code == 0
    fails(sop("status"), 1, "2 runs are active; say which with --run:\n"
                            "  renja-2027  Penyusunan Rencana Kerja 2027  (active, step 1)\n"
                            "  renja-2027-2  Penyusunan Rencana Kerja (Renja) 2027  (active, step 1)")
    fails(sop("status", "--run", "renja"), 1, "'renja' matches 2 runs; give more of the id:\n  renja-2027\n  renja-2027-2")
    assert data(sop("status", "--run", "renja-2027-", "--json"))["run"] == "renja-2027-2"  # a unique prefix
    assert data(sop("status", "--run", "renja-2027", "--json"))["run"] == "renja-2027"  # an exact id wins


def test_log_shows_every_event_with_when_who_and_the_os_user(sop, clock, started, store_backend):
    clock("2026-11-26T09:05")
    sop("advance", "--note", "Disposisi diterima")
    clock("2026-11-26T09:10")
    sop("note", "Format menunggu Sekretaris", "--by", "Budi Santoso")

    output = sop("log").stdout
    if store_backend == "postgresql":  # a shared store shows the database user beside the name
        assert "Budi Santoso [" in output
        output = re.sub(r" \[[^\]]+\]", "", output)
    lines = output.splitlines()
    lines = lines[:3] + _rows(lines[3:])
    user = getpass.getuser()
    assert lines[0] == "renja-2027  Penyusunan Rencana Kerja 2027  (nganjuk/kecamatan-ngronggot/renja, times WIB)"
    assert lines[1].split() == ["#", "When", "Event", "Step", "By", "OS", "user", "Details"]
    assert lines[3].split()[:9] == ["1", "Kam", "26", "Nov", "2026", "09.00", "started", "-", "planner"]
    assert lines[4].split()[:11] == ["2", "Kam", "26", "Nov", "2026", "09.05", "step", "completed", "1", "Drs.", "Makrup"]
    assert lines[4].split()[-4:] == [user, "note:", "Disposisi", "diterima"]
    assert lines[5].split()[6:11] == ["note", "2", "Budi", "Santoso", user]


def test_undo_reverses_the_last_step_event_and_keeps_it_in_the_log(sop, clock, started):
    clock("2026-11-26T09:05")
    sop("advance")
    clock("2026-11-26T09:30")
    sop("advance")
    clock("2026-11-26T09:40")
    result = sop("undo", "--reason", "Format belum disetujui")
    assert result.stdout.splitlines()[0] == "renja-2027: undid event #3 (step 2); reason: Format belum disetujui"
    assert "Since     Kamis, 26 November 2026 09.05 WIB" in result.stdout  # the step's original start
    assert [e["kind"] for e in data(sop("log", "--json"))] == ["started", "step_completed", "step_completed", "undone"]
    assert data(sop("undo", "--reason", "lagi", "--json"))["current"]["step"] == 1
    fails(sop("undo", "--reason", "lagi"), 3, "Nothing to undo")


def test_undo_reopens_a_finished_run_and_cancel_ends_one(sop, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_PATH", str(write(tmp_path / "mine" / "uji.yaml", VALID).parent))
    sop("start", "uji")
    for options in ([], [], ["--approve"], []):
        assert sop("advance", *options).exit_code == 0
    assert data(sop("status", "--run", "uji", "--json"))["status"] == "finished"
    fails(sop("advance", "--run", "uji"), 3, "Run uji-2027 is finished: all 4 steps are done; advancing it is not possible.\n"
                                             "To reopen its last step, use `sop undo --run uji-2027 --reason TEXT`.")
    fails(sop("cancel", "--run", "uji", "--reason", "x"), 3, "is finished")
    assert data(sop("undo", "--run", "uji", "--reason", "Surat belum terkirim", "--json"))["current"]["step"] == 4
    result = sop("cancel", "--reason", "Prosedur diganti")
    assert result.stdout == "uji-2027 cancelled Kamis, 26 November 2026 09.00 WIB: Prosedur diganti\n"
    fails(sop("advance", "--run", "uji"), 3, "Run uji-2027 was cancelled (Prosedur diganti)")
    fails(sop("undo", "--run", "uji", "--reason", "x"), 3, "was cancelled")


def test_note_adds_remarks_and_files_without_moving_the_run(sop, clock, started, tmp_path):
    paper = tmp_path / "notulen.txt"
    paper.write_text("notulen rapat")
    view = data(sop("note", "--attach", paper, "--json"))
    assert (view["recorded"]["kind"], view["recorded"]["step"], view["current"]["step"]) == ("attachment", 1, 1)
    result = sop("note", "Menunggu tanda tangan")
    assert result.stdout == "renja-2027: note #3 added (note: Menunggu tanda tangan).\n"


def test_json_output_of_every_command(sop, clock, started):
    status = data(sop("status", "--json"))
    assert set(status) >= {"run", "title", "year", "status", "sop", "assignments", "current", "progress",
                           "rework_loops", "visits", "forecast", "next_steps", "planned_end", "events", "sop_file"}
    assert status["assignments"] == {"camat": "Drs. Makrup", "kasubag-perencanaan": "Budi Santoso"}
    assert data(sop("advance", "--json"))["recorded"]["kind"] == "step_completed"
    assert data(sop("log", "--json"))[1]["step"] == 1
    assert data(sop("runs", "--json"))[0]["run"] == "renja-2027"
    assert data(sop("note", "x", "--json"))["recorded"]["note"] == "x"
    assert data(sop("undo", "--reason", "x", "--json"))["recorded"]["kind"] == "undone"
    assert data(sop("cancel", "--reason", "x", "--json"))["status"] == "cancelled"


def test_every_run_command_has_help(sop):
    for command in ("start", "advance", "status", "runs", "log", "undo", "cancel", "note"):
        result = sop(command, "--help")
        assert result.exit_code == 0 and "--json" in result.stdout and "--store" in result.stdout


def test_the_sop_file_is_read_only_by_start(sop, clock, started, monkeypatch):
    import sop_cli.definition.catalog

    def no_catalog(*args, **kwargs):
        raise AssertionError("the catalog was loaded")

    monkeypatch.setattr(sop_cli.definition.catalog, "load_catalog", no_catalog)
    for args in (["status"], ["advance"], ["log"], ["runs"], ["note", "x"], ["undo", "--reason", "x"], ["cancel", "--reason", "x"]):
        assert sop(*args).exit_code == 0, args


def test_a_step_two_lanes_share_is_recorded_as_done_by_both_people(sop, clock):
    assert sop("start", LAMPUNG, "--assign", "perencana=Dra. Rina Wati", "--assign", "staf=Andi").exit_code == 0
    clock("2026-12-18T09:00")
    for _ in range(7):
        assert sop("advance").exit_code == 0
    done = data(sop("advance", "--step", "8", "--json"))
    assert done["recorded"]["actor"] == "Dra. Rina Wati, Andi"
    assert [e["actor"] for e in data(sop("log", "--json")) if e.get("step") in (2, 3)] == ["Dra. Rina Wati", "Andi"]


# Guard rails (issue 10) -------------------------------------------------------------------------


def test_the_default_year_is_the_year_being_planned_and_out_of_range_years_are_refused(sop, clock):
    view = data(sop("start", "renja", "--org", "ngronggot", "--json"))
    assert (view["run"], view["year"]) == ("renja-2027", 2027)  # started in November 2026
    for year in ("1999", "2101"):
        fails(sop("start", LAMPUNG, "--year", year), 2, f"--year {year} is outside the years a run may be for "
              "(2000 to 2100)")
    assert len(data(sop("runs", "--all", "--json"))) == 1


def test_undo_refuses_unless_the_last_step_event_is_the_one_named(sop, clock, started):
    sop("advance")
    clock("2026-11-26T09:30")
    sop("advance")  # event #3, step 2
    fails(sop("undo", "--reason", "x", "--step", "1"), 3,
          "The last step event of run renja-2027 is #3 (step 2, step completed by Budi Santoso), not step 1; "
          "only the last one can be undone. Nothing was undone.")
    fails(sop("undo", "--reason", "x", "--event", "2"), 3, "is #3 (step 2,")
    assert [e["kind"] for e in data(sop("log", "--json"))][-1] == "step_completed"
    assert data(sop("undo", "--reason", "x", "--event", "3", "--step", "2", "--json"))["recorded"]["undoes"] == 3


def test_undo_never_reverses_an_event_recorded_after_the_person_read_the_run(sop, clock, started, monkeypatch):
    from sop_cli.run import engine, service

    sop("advance")
    real = engine.state_of
    calls = []

    def state_of(stored):  # someone completes step 2 right after this undo read the run
        calls.append(1)
        state = real(stored)
        if len(calls) == 1:
            monkeypatch.setattr(engine, "state_of", real)
            assert sop("advance", "--by", "Someone else").exit_code == 0
            monkeypatch.setattr(engine, "state_of", state_of)
        return state

    monkeypatch.setattr(engine, "state_of", state_of)
    fails(sop("undo", "--reason", "x"), 3, "changed while undoing: event #2 (step 1) is no longer the last step "
          "event. Nothing was undone.")
    monkeypatch.setattr(engine, "state_of", real)
    assert [e["kind"] for e in data(sop("log", "--json"))] == ["started", "step_completed", "step_completed"]
    assert service  # imported for the engine the service uses


@pytest.mark.parametrize(("text", "expected"), [
    ("26/11/2026 08:30", "2026-11-26T08:30:00+07:00"),
    ("26-11-2026", "2026-11-26T09:00:00+07:00"),  # a day alone: end of office hours, or now if earlier
    ("hari ini", "2026-11-26T09:00:00+07:00"),
    ("today", "2026-11-26T09:00:00+07:00"),
    ("kemarin 14.00", "2026-11-25T14:00:00+07:00"),
    ("yesterday", "2026-11-25T16:00:00+07:00"),
])
def test_at_takes_dates_as_people_write_them(sop, clock, text, expected):
    assert sop("start", "renja", "--org", "ngronggot", "--at", "2026-11-25 08:00").exit_code == 0
    assert data(sop("note", "catatan", "--at", text, "--json"))["recorded"]["at"] == expected


def test_run_ids_match_whatever_the_case(sop, clock, started):
    assert data(sop("status", "--run", "RENJA-2027", "--json"))["run"] == "renja-2027"
    assert data(sop("status", "--run", "Renja-20", "--json"))["run"] == "renja-2027"


@pytest.mark.parametrize("command", [["runs"], ["status"], ["log"], ["advance"], ["undo", "--reason", "x"],
                                     ["cancel", "--reason", "x"], ["note", "x"], ["report"]])
def test_a_store_that_does_not_exist_is_an_error(sop, clock, tmp_path, command):
    missing = tmp_path / "nowhere.db"
    fails(sop(*command, "--store", str(missing)), 1, f"The store {missing} does not exist.")
    assert not missing.exists()


def test_start_if_new_shows_the_run_that_exists_instead_of_starting_another(sop, clock, started):
    result = sop("start", "renja", "--org", "ngronggot", "--if-new", "--assign", "camat=Other")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Already started renja-2027 for 2027: Penyusunan Rencana Kerja 2027 "
                                    "(nothing new was started)\nThe run keeps what it was started with")
    assert len(data(sop("runs", "--all", "--json"))) == 1
    fails(sop("start", "renja", "--org", "ngronggot", "--if-new", "--again"), 2, "Give either --again or --if-new")
