"""`sop report` on runs driven through the CLI with a fixed clock (SOP_NOW and --at).

The Nganjuk run below is finished, with one rejection at step 9; the expected numbers are
worked out by hand in working minutes on the ASN week (07.30-16.00, break 12.00-13.00).
"""

from __future__ import annotations

import atexit
import csv
import io
import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"
SCRIPT = "Target <script>alert(1)</script> belum sesuai RKPD"

# (step completed at, extra options); Monday 23 November 2026 onwards, WIB.
NGANJUK_STEPS = [
    ("2026-11-23 08:05", []),            # 1   5 menit: 5        on time
    ("2026-11-23 09:30", []),            # 2   1 jam: 85         late +25
    ("2026-11-23 09:40", []),            # 3   15 menit: 10      on time
    ("2026-11-23 10:00", []),            # 4   10 menit: 20      late +10
    ("2026-11-23 13:30", []),            # 5   2 jam: 150        late +30
    ("2026-11-23 15:30", []),            # 6   2 jam: 120        on time
    ("2026-11-25 10:00", []),            # 7   1 hari: 630       late +180
    ("2026-11-26 09:00", []),            # 8   1 hari: 390       on time
    ("2026-11-26 10:30", ["--reject", "--reason", SCRIPT]),  # 9  1 jam: 90  late +30, rejected
    ("2026-11-27 09:00", ["--note", "Diperbaiki <b>tabel</b>"]),  # 8 again: 360 (rework)
    ("2026-11-27 10:00", ["--approve"]),  # 9 again: 60 on time (rework)
    ("2026-11-27 10:10", []),            # 10  10 menit: 10      on time
    ("2026-11-27 10:20", []),            # 11  5 menit: 10       late +5
    ("2026-11-27 10:30", []),            # 12  10 menit: 10      on time
    ("2026-11-27 11:00", []),            # 13  30 menit: 30      on time
    ("2026-11-27 11:10", []),            # 14  10 menit: 10      on time
]
NGANJUK_PEOPLE = ["camat=MOHAMAD MAKRUP, S.Sos", "sekretaris=Drs. SUGENG RAHARJO, M.Si",
                  "kasubag-perencanaan=SITI AMINAH, S.E."]

LAMPUNG_STEPS = [
    ("2026-11-23 08:10", []),            # 1   10 menit            on time
    ("2026-11-23 10:30", []),            # 2   2 jam: 140          late +20
    ("2026-11-23 11:00", []),            # 3
    ("2026-11-23 11:30", []),            # 4
    ("2026-11-23 14:30", []),            # 5
    ("2026-11-24 09:00", []),            # 6
    ("2026-11-30 09:00", []),            # 7   4 hari
    ("2026-12-02 09:00", []),            # 8   2 hari
    ("2026-12-03 10:00", ["--reject", "--reason", "Pagu belum sesuai"]),  # 9  late +60
    ("2026-12-04 09:00", []),            # 8 again
    ("2026-12-04 10:00", ["--approve"]),  # 9 again
    ("2026-12-04 11:00", []),            # 10
    ("2026-12-04 11:10", []),            # 11
    ("2026-12-04 13:30", []),            # 12  15 menit: 50 (Friday break)  late +35
    ("2026-12-04 14:00", []),            # 13
]
LAMPUNG_PEOPLE = ["kepala-dinas=Ir. HENDRA WIJAYA, M.M.", "sekretaris=Dra. RINA MARLINA",
                  "perencana=AGUS SALIM, S.T.", "staf=DEWI LESTARI, A.Md."]


_TEMPLATES: dict[tuple[object, ...], tuple[Path, str]] = {}


def make_run(sop, monkeypatch, name: str = NGANJUK, *, upto: int | None = None, now: str = "2026-12-10T10:00") -> str:
    """Start a run of `name` on Monday 23 November 2026 08.00 and complete its steps (the first
    `upto` of them) at the times listed above; the clock then stays at `now`.

    The run is driven through the CLI once per test process and kind of run (an SQLite store
    kept as a template); each test gets its own copy, made by `sop store copy` into the test's
    own store (SQLite or PostgreSQL), so the tests stay isolated and pay for 2 commands, not 17.
    """
    monkeypatch.setenv("SOP_NOW", now)
    monkeypatch.setenv("SOP_USER", "planner")
    key = (name, upto, os.environ.get("SOP_PATH"), os.environ.get("SOP_TEMPLATES"), Path("sops").exists())
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="sop-template-run-"))
        atexit.register(shutil.rmtree, folder, True)
        target = os.environ.get("SOP_STORE")
        monkeypatch.setenv("SOP_STORE", str(folder / "sop.db"))
        _TEMPLATES[key] = (folder / "sop.db", _drive_run(sop, name, upto))
        if target is None:
            monkeypatch.delenv("SOP_STORE")
        else:
            monkeypatch.setenv("SOP_STORE", target)
    template, run = _TEMPLATES[key]
    target = os.environ.get("SOP_STORE") or str(Path(os.environ["SOP_HOME"]) / "sop.db")
    result = sop("store", "copy", str(template), target)
    assert result.exit_code == 0, result.output
    return run


def _drive_run(sop, name: str, upto: int | None) -> str:
    steps, people = (NGANJUK_STEPS, NGANJUK_PEOPLE) if name == NGANJUK else (LAMPUNG_STEPS, LAMPUNG_PEOPLE)
    args = ["start", name, "--year", "2027", "--at", "2026-11-23 08:00"]
    for person in people:
        args += ["--assign", person]
    result = sop(*args, "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)["run"]
    for at, extra in steps[:upto]:
        result = sop("advance", "--run", run, "--at", at, *extra)
        assert result.exit_code == 0, result.output
    return run


@pytest.fixture
def finished(sop, monkeypatch):
    return make_run(sop, monkeypatch)


def report_json(sop, *args):
    result = sop("report", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_json_rows_are_the_passes_with_the_rework_loop_and_late_steps(sop, finished):
    data = report_json(sop, "--run", finished)
    rows = data["rows"]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 14]
    assert [r["actual_minutes"] for r in rows] == [5, 85, 10, 20, 150, 120, 630, 390, 90, 360, 60, 10, 10, 10, 30, 10]
    assert [r["difference_minutes"] for r in rows][:9] == [0, 25, -5, 10, 30, 0, 180, -60, 30]
    assert [r["step"] for r in rows if r["late"]] == [2, 4, 5, 7, 9, 11]
    assert [(r["step"], r["loop"]) for r in rows if r["rework"]] == [(8, 1), (9, 1)]
    assert rows[8]["status"] == "rejected" and rows[8]["reason"] == SCRIPT and not rows[8]["rework"]
    assert rows[10]["status"] == "approved"
    assert rows[0]["person"] == "MOHAMAD MAKRUP, S.Sos" and rows[0]["lanes"] == ["Camat"]
    summary = data["summary"]
    assert summary["progress"] == {"done": 14, "total": 14, "percent": 100}
    # steps of the SOP, not passes: 6 of the 14 steps were late at least once (2, 4, 5, 7, 9, 11)
    assert summary["within_standard"] == {"count": 8, "of": 14, "percent": 57, "passes_on_time": 10, "passes": 16}
    assert summary["rework_loops"] == 1
    assert summary["rework_minutes"] == 420
    assert summary["late_steps"] == [2, 4, 5, 7, 9, 11]
    assert summary["finished_at"] == "2026-11-27T11:10:00+07:00"
    assert summary["forecast_end"] is None


def test_report_csv_has_one_line_per_pass(sop, finished, tmp_path):
    result = sop("report", "--run", finished, "--format", "csv")
    assert result.exit_code == 0, result.output
    # for Excel set to Indonesian: ';', dd/mm/yyyy dates, ya/tidak
    assert result.stdout.startswith("no;step;kegiatan;")
    # a file for Excel also has the BOM and CR LF line ends (on stdout those are control characters)
    out = tmp_path / "laporan.csv"
    assert sop("report", "--run", finished, "--out", out).exit_code == 0
    written = out.read_bytes().decode("utf-8")
    assert written.startswith("\ufeffno;step;kegiatan;") and written.count("\r\n") == 17
    assert written.removeprefix("\ufeff").replace("\r\n", "\n") == result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == 16
    assert rows[9]["step"] == "8" and rows[9]["rework"] == "ya" and rows[9]["loop"] == "1"
    assert rows[9]["actual_minutes"] == "360" and rows[9]["note"] == "Diperbaiki <b>tabel</b>"
    assert rows[1]["late"] == "ya" and rows[1]["difference_minutes"] == "25" and rows[0]["late"] == "tidak"
    assert rows[0]["became_current_at"] == "23/11/2026 08:00"
    assert rows[0]["lanes"] == "Camat"


def test_report_table_shows_the_loop_the_late_steps_and_the_summary(sop, finished, monkeypatch):
    result = sop("report", "--run", finished)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    rework = [line for line in lines if "loop 1" in line]
    assert len(rework) == 2 and rework[0].lstrip().startswith("8 ") and rework[1].lstrip().startswith("9 ")
    step2 = next(line for line in lines if line.lstrip().startswith("2 "))
    assert "1 jam 25 menit" in step2 and "+25 menit" in step2 and step2.split()[-1] == "yes"
    assert "Progress          14/14 steps (100%)" in result.stdout
    assert "Within Mutu Baku  8 of 14 steps (57%); 10 of 16 step passes on time" in result.stdout
    assert "Late              2, 4, 5, 7, 9, 11" in result.stdout
    assert "Rework            1 rework loop, 7 jam lost (steps 8, 9)" in result.stdout
    assert "Finished          Jumat, 27 November 2026 11.10 WIB" in result.stdout
    # The planner's default: the same table in Indonesian, no English word left.
    monkeypatch.setenv("SOP_LANG", "id")
    result = sop("report", "--run", finished)
    lines = result.stdout.splitlines()
    assert [line.lstrip()[:2] for line in lines if "putaran 1" in line] == ["8 ", "9 "]
    assert next(line for line in lines if line.lstrip().startswith("2 ")).split()[-1] == "ya"
    assert "Kemajuan         14/14 langkah (100%)" in result.stdout
    assert "Dalam mutu baku  8 dari 14 langkah (57%); 10 dari 16 pelaksanaan langkah tepat waktu" in result.stdout
    assert "Terlambat        2, 4, 5, 7, 9, 11" in result.stdout
    assert "Perbaikan        1 kali perbaikan, 7 jam hilang (langkah 8, 9)" in result.stdout
    assert "Selesai          Jumat, 27 November 2026 11.10 WIB" in result.stdout
    assert "Rework" not in result.stdout and "Progress" not in result.stdout


def test_report_md_and_html_show_the_same_numbers_and_escape_text(sop, finished, tmp_path):
    md = sop("report", "--run", finished, "--format", "md")
    assert md.exit_code == 0, md.output
    assert "| 10 | 8 | Membuat konsep rencana kerja (Renja) tahunan |" in md.stdout
    assert md.stdout.count("putaran 1") == 2
    assert "**Pengulangan**: 1 putaran; waktu hilang 7 jam (langkah 8, 9)" in md.stdout
    assert "&lt;script&gt;" in md.stdout and "<script>" not in md.stdout
    out = tmp_path / "laporan.html"
    html = sop("report", "--run", finished, "--out", out)
    assert html.exit_code == 0, html.output
    text = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert "Diperbaiki &lt;b&gt;tabel&lt;/b&gt;" in text
    assert text.count('class="rework') == 2
    assert "14 dari 14 langkah (100%)" in text and "Jumat, 27 November 2026 11.10 WIB" in text
    assert "LAPORAN PELAKSANAAN SOP PENYUSUNAN RENJA" in text


def test_report_of_an_active_run_marks_the_late_current_step_and_forecasts_the_end(sop, monkeypatch):
    run = make_run(sop, monkeypatch, upto=6, now="2026-11-25T09:00")  # step 7 current since Mon 15.30
    data = report_json(sop, "--run", run)
    current = [r for r in data["rows"] if r["status"] == "current"]
    assert [(r["step"], r["actual_minutes"], r["late"]) for r in current] == [(7, 30 + 450 + 90, True)]
    pending = [r["step"] for r in data["rows"] if r["status"] == "pending"]
    assert pending == [8, 9, 10, 11, 12, 13, 14]
    assert data["summary"]["late_steps"] == [2, 4, 5, 7]
    assert data["summary"]["progress"]["done"] == 6
    # the late step pushes the rest: 8-14 take 1 hari + 2 jam 5 menit... from now (Wed 09.00)
    assert data["summary"]["forecast_end"] == "2026-11-26T11:05:00+07:00"


def test_monitoring_form_judges_each_step_from_the_run(sop, finished):
    data = report_json(sop, "--run", finished, "--monitoring")
    rows = {r["step"]: r for r in data["rows"]}
    assert len(rows) == 14
    assert rows[1]["penilaian"] == "Berjalan dengan baik" and rows[1]["tindakan"] == "-"
    # what is late, sent back or redone is a person's to judge: the facts in Catatan, the verdict
    # and Tindakan blank (issue 21: no tool-made "Tidak berjalan dengan baik", no stock Tindakan)
    assert rows[9]["penilaian"] is None and rows[9]["tindakan"] == ""
    assert SCRIPT in rows[9]["catatan"] and "Dikembalikan (TIDAK) ke langkah 8" in rows[9]["catatan"]
    assert rows[8]["penilaian"] is None and "Dikerjakan ulang 1 kali" in rows[8]["catatan"]
    assert rows[2]["penilaian"] is None and "Melewati mutu baku 1 jam" in rows[2]["catatan"]
    assert not any(r["tindakan"] not in ("", "-") for r in rows.values())
    html = sop("report", "--run", finished, "--monitoring", "--format", "html")
    assert html.exit_code == 0, html.output
    for heading in ("No", "Prosedur", "Penilaian terhadap penerapan", "Catatan hasil penilaian",
                    "Tindakan yang harus diambil", "Paraf penilai"):
        assert f"<th>{heading}</th>" in html.stdout
    assert "&lt;script&gt;" in html.stdout and "<script>" not in html.stdout
    md = sop("report", "--run", finished, "--monitoring", "--format", "md")
    assert "| No | Prosedur | Penilaian | Catatan | Tindakan | Paraf |" in md.stdout
    assert "| 1 | Memerintahkan penyusunan Rencana Kerja (Renja) (Camat) | Berjalan dengan baik |" in md.stdout


def test_report_of_the_lampung_run_counts_its_own_loop(sop, monkeypatch):
    run = make_run(sop, monkeypatch, LAMPUNG)
    data = report_json(sop, "--run", run)
    assert [r["step"] for r in data["rows"] if r["late"]] == [2, 9, 12]
    assert [r["step"] for r in data["rows"] if r["rework"]] == [8, 9]
    assert data["summary"]["rework_minutes"] == 390 + 60
    assert data["rows"][-2]["actual_minutes"] == 50
    assert data["rows"][7]["lanes"] == ["Perencana", "Staf/Jabatan Fungsional Umum"]


def test_report_refuses_an_unknown_format(sop, finished):
    result = sop("report", "--run", finished, "--format", "rtf")
    assert result.exit_code == 2
    assert "use one of table, md, html, json, csv, xlsx, pdf" in result.stderr


def test_a_note_that_looks_like_a_timestamp_stays_the_text_that_was_written(sop, monkeypatch, tmp_path):
    # Report times used to be strings guessed back into datetimes by their shape, so this note
    # came out as "2026-11-23 08:30:00"; the report now carries real datetimes and text as text.
    run = make_run(sop, monkeypatch, upto=1, now="2026-11-23T09:00")
    assert sop("advance", "--run", run, "--at", "2026-11-23 08:30", "--note", "2026-11-23T08:30:00").exit_code == 0
    out = tmp_path / "laporan.html"
    assert sop("report", "--run", run, "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "Catatan: 2026-11-23T08:30:00</em>" in text
    row = report_json(sop, "--run", run)["rows"][1]
    assert (row["note"], row["completed_at"]) == ("2026-11-23T08:30:00", "2026-11-23T08:30:00+07:00")
    # the CSV for Excel writes times as dd/mm/yyyy hh:mm, and the note as it was written
    result = sop("report", "--run", run, "--format", "csv")
    csv_row = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))[1]
    assert (csv_row["note"], csv_row["completed_at"]) == ("2026-11-23T08:30:00", "23/11/2026 08:30")
    # and the workbook holds the note as text beside a real (local) Excel date
    import openpyxl

    book = tmp_path / "laporan.xlsx"
    assert sop("report", "--run", run, "--out", book).exit_code == 0
    cells = [cell.value for line in openpyxl.load_workbook(book).active.iter_rows() for cell in line]
    assert "2026-11-23T08:30:00" in cells and datetime(2026, 11, 23, 8, 30) in cells


def test_a_running_step_is_never_judged_and_planned_times_say_rencana(sop, monkeypatch, tmp_path):
    run = make_run(sop, monkeypatch, upto=6, now="2026-11-25T09:00")  # step 7 current and late
    rows = {r["step"]: r for r in report_json(sop, "--run", run, "--monitoring")["rows"]}
    assert rows[7]["penilaian"] is None and rows[7]["baik"] is None
    assert "Sedang berjalan" in rows[7]["catatan"] and "masih berjalan" in rows[7]["catatan"]
    assert rows[8]["penilaian"] is None and rows[2]["penilaian"] is None
    out = tmp_path / "laporan.html"
    assert sop("report", "--run", run, "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "belum (rencana)" in text and "rencana 25 Nov" in text and "(berjalan)" not in text


def test_notes_and_attachments_of_the_run_appear_in_report_and_monitoring(sop, monkeypatch, tmp_path):
    run = make_run(sop, monkeypatch, upto=3, now="2026-11-23T11:00")
    scan = tmp_path / "daftar hadir.pdf"
    scan.write_bytes(b"%PDF-1.4 daftar hadir")
    assert sop("note", "--run", run, "Kasi Trantib <b>berhalangan</b>", "--attach", scan).exit_code == 0
    for monitoring in ([], ["--monitoring"]):
        data = report_json(sop, "--run", run, *monitoring)
        [note] = data["catatan"]
        assert (note["note"], note["step"], note["by"]) == ("Kasi Trantib <b>berhalangan</b>", 4, "planner")
        assert [a["name"] for a in note["attachments"]] == ["daftar hadir.pdf"]
        html = sop("report", "--run", run, *monitoring, "--format", "html").stdout
        assert "Catatan dan lampiran pelaksanaan" in html and "daftar hadir.pdf" in html
        assert "Kasi Trantib &lt;b&gt;berhalangan&lt;/b&gt;" in html
        md = sop("report", "--run", run, *monitoring, "--format", "md").stdout
        assert "daftar hadir.pdf" in md and "<b>" not in md


def test_the_report_fields_a_template_sees_are_documented():
    from pathlib import Path
    from typing import get_type_hints

    from sop_cli.render.report import MonitoringData, ReportData

    documented = (Path(__file__).resolve().parent.parent / "docs" / "templates.md").read_text(encoding="utf-8")
    section = documented.split("## The report and the monitoring form", 1)[1]
    for view in (ReportData, MonitoringData):
        for key in get_type_hints(view):
            assert f"`{key}`" in section or f"{key}," in section or f" {key} " in section, key
