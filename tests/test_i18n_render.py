"""Bahasa Indonesia first, for what `sop_cli/render` says: the render errors and notices, the
terminal's tables of the portfolio and the evaluation, the report's table, summary and CSV
column names (`sop_cli.render.report`), in Indonesian by default and in English with
`SOP_LANG=en`; and the documents, Indonesian in both languages, byte for byte the same."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import write
from tests.test_cli_docs import NGANJUK_VALUES
from tests.test_report import NGANJUK, make_run

LAMPUNG = "lampung-tengah/diskominfo/renja"


@pytest.fixture
def speak(monkeypatch: pytest.MonkeyPatch):
    """`speak("id")` / `speak("en")`: the interface language of the commands that follow."""

    def choose(lang: str) -> None:
        monkeypatch.setenv("SOP_LANG", lang)

    choose("id")
    return choose


@pytest.fixture
def ok(sop):
    def run(*args: str) -> str:
        result = sop(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


@pytest.fixture
def fails(sop, monkeypatch: pytest.MonkeyPatch):
    """`fails(code, *args)`: the stderr of a command that must fail with `code`, as a user sees it."""
    monkeypatch.delenv("SOP_DEBUG")

    def run(code: int, *args: str) -> str:
        result = sop(*args)
        assert result.exit_code == code, result.output
        assert result.stdout == "" and "Traceback" not in result.stderr
        return result.stderr

    return run


@pytest.fixture
def kabupaten(sop, monkeypatch: pytest.MonkeyPatch, ok):
    """Ngronggot: renja 2026 on time at step 2, renja 2027 and 2028 (step 1 late in 2027 only);
    Diskominfo: renja 2026 late at step 1. Now is Thursday 26 November 2026, 08.30 WIB."""
    monkeypatch.setenv("SOP_USER", "planner")
    monkeypatch.setenv("SOP_NOW", "2026-11-26T08:30")
    for year, done in (("2026", "08:00"), ("2027", "08:30"), ("2028", "07:33")):
        ok("start", NGANJUK, "--year", year, "--at", "2026-11-26 07:30")
        ok("advance", "--run", f"renja-{year}", "--at", done)
    ok("start", LAMPUNG, "--year", "2026", "--at", "2026-11-02 08:00")
    return ok


def header(table: str) -> list[str]:
    """The words of a plain table's header line (the line above the rule)."""
    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line.replace(" ", "")) <= {"-", "─"})
    return lines[rule - 1].split()


# The portfolio and the evaluation in the terminal -------------------------------------------------


def test_the_portfolio_table_speaks_indonesian_by_default(kabupaten, speak):
    table = kabupaten("report", "--portfolio", "--year", "2026", "--deadline", "2027-01-31")
    assert header(table) == ["Unit", "SOP", "Pelaksanaan", "Keadaan", "Langkah", "berjalan", "Kemajuan", "Perkiraan",
                             "selesai", "Tenggat"]
    assert "tepat waktu" in table and "terlambat" in table and "memenuhi" in table
    assert "Dilalui" in table and "Perbaikan" in table
    assert "Pelaksana" in table and "Menunggu sekarang" in table
    for english in ("Run ", "State", "on time", "Passes", "Rework", "Waiting now", "meets it"):
        assert english not in table, english


def test_the_portfolio_table_speaks_english_when_asked(kabupaten, speak):
    speak("en")
    table = kabupaten("report", "--portfolio", "--year", "2026", "--deadline", "2026-11-26")
    assert header(table) == ["Unit", "SOP", "Run", "State", "Current", "step", "Progress", "Forecast", "end", "Deadline"]
    assert "on time" in table and "late" in table and "5 days past it" in table
    assert "Passes" in table and "Rework" in table and "Waiting now" in table
    for indonesian in ("Keadaan", "tepat waktu", "Dilalui", "Menunggu sekarang", "lewat 5 hari"):
        assert indonesian not in table, indonesian


def test_a_unit_past_the_deadline_counts_its_days_in_indonesian(kabupaten, speak):
    table = kabupaten("report", "--portfolio", "--year", "2026", "--deadline", "2026-11-26")
    assert "lewat 5 hari" in table and "lewat 12 hari" in table


def test_the_evaluation_table_in_both_languages_with_waktu_in_lower_case(kabupaten, speak):
    table = kabupaten("report", "--evaluasi", "renja", "--org", "ngronggot")
    assert header(table) == ["No", "Kegiatan", "Mutu", "baku", "Dilalui", "Median", "P90", "Terlambat", "Usulan",
                             "mutu", "baku"]
    # the SOP file writes "10 Menit", "2 Jam": beside computed times, units are written one way
    assert " 10 menit " in table and " 2 jam " in table
    assert "Menit" not in table and "Jam" not in table
    speak("en")
    table = kabupaten("report", "--evaluasi", "renja", "--org", "ngronggot")
    assert header(table) == ["No", "Kegiatan", "Mutu", "baku", "Passes", "Median", "P90", "Late", "Proposed", "Mutu",
                             "baku"]
    assert " 10 menit " in table and "Menit" not in table


def test_the_portfolio_and_evaluation_documents_are_the_same_in_both_languages(kabupaten, speak, tmp_path: Path):
    pages = {}
    for lang in ("id", "en"):
        speak(lang)
        kabupaten("report", "--portfolio", "--year", "2026", "--deadline", "2026-11-26",
                  "--out", str(tmp_path / f"portfolio-{lang}.html"))
        kabupaten("report", "--evaluasi", "renja", "--org", "ngronggot", "--out", str(tmp_path / f"evaluasi-{lang}.html"))
        kabupaten("report", "--portfolio", "--year", "2026", "--out", str(tmp_path / f"portfolio-{lang}.xlsx"))
        pages[lang] = [(tmp_path / f"{name}-{lang}.html").read_text(encoding="utf-8") for name in ("portfolio", "evaluasi")]
    assert pages["id"] == pages["en"]
    portfolio, evaluasi = pages["id"]
    for word in ("<th>Pelaksanaan</th>", "<th>Keadaan</th>", "<th>Perbaikan</th>", "lewat 5 hari", "tepat waktu"):
        assert word in portfolio, word
    assert "<th>Run</th>" not in portfolio and "<th>Rework</th>" not in portfolio
    assert "<th>Usulan mutu baku</th>" in evaluasi and "<td>10 menit</td>" in evaluasi
    openpyxl = pytest.importorskip("openpyxl")
    books = [openpyxl.load_workbook(tmp_path / f"portfolio-{lang}.xlsx") for lang in ("id", "en")]
    cells = [[[c.value for c in row] for sheet in book for row in sheet.iter_rows()] for book in books]
    assert cells[0] == cells[1]
    assert [c.value for c in books[0]["Unit"][1]][:4] == ["Unit", "SOP", "Pelaksanaan", "Keadaan"]


# The report of a run --------------------------------------------------------------------------------


def _report(run: str, now: str = "2026-12-10T10:00"):
    from sop_cli.render.report import report_data
    from sop_cli.run.service import load_run

    return report_data(load_run(run), datetime.fromisoformat(now + "+07:00"))


def test_the_report_table_and_summary_words_in_indonesian(sop, monkeypatch, speak):
    from sop_cli.render.report import report_table, summary_lines

    run = make_run(sop, monkeypatch)
    data = _report(run)
    headers, rows = report_table(data)
    assert headers == ["No", "Kegiatan", "Pelaksana", "Petugas", "Status", "Mutu baku", "Realisasi", "Selisih",
                       "Terlambat", "Perbaikan"]
    assert rows[1][4:] == ["selesai", "1 jam", "1 jam 25 menit", "+25 menit", "ya", ""]
    assert rows[8][4] == "ditolak" and rows[9][4] == "selesai" and rows[9][9] == "putaran 1"
    assert rows[10][4] == "disetujui" and rows[0][8] == "tidak"
    summary = dict(summary_lines(data))
    assert summary == {
        "Kemajuan": "14/14 langkah (100%)",
        "Dalam mutu baku": "8 dari 14 langkah (57%); 10 dari 16 pelaksanaan langkah tepat waktu",
        "Terlambat": "2, 4, 5, 7, 9, 11",
        "Perbaikan": "1 kali perbaikan, 7 jam hilang (langkah 8, 9)",
        "Waktu kerja": "4 hari 3 jam 10 menit realisasi, 4 hari 1 jam 5 menit mutu baku",
        "Selesai": "Jumat, 27 November 2026 11.10 WIB",
    }


def test_the_report_table_and_summary_words_in_english(sop, monkeypatch, speak):
    from sop_cli.render.report import report_table, summary_lines

    speak("en")
    run = make_run(sop, monkeypatch, upto=6, now="2026-11-25T09:00")  # step 7 current and late
    data = _report(run, "2026-11-25T09:00")
    headers, rows = report_table(data)
    assert headers == ["No", "Kegiatan", "Lane", "Assignee", "Status", "Mutu baku", "Actual", "Difference", "Late",
                       "Rework"]
    assert [row[4] for row in rows[5:8]] == ["done", "current", "not yet (planned)"]
    assert rows[6][8] == "yes" and rows[7][8] == "-"
    summary = summary_lines(data)
    assert summary[0] == ("Progress", "6/14 steps (43%)")
    assert summary[3] == ("Rework", "0 rework loops, 0 menit lost")
    assert summary[-1] == ("Forecast end", "Kamis, 26 November 2026 11.05 WIB")
    speak("id")
    assert summary_lines(data)[-1] == ("Perkiraan selesai", "Kamis, 26 November 2026 11.05 WIB")
    assert report_table(data)[1][7][4] == "belum (rencana)"


def test_csv_column_names_are_indonesian_by_default_and_json_keys_stay_english(sop, monkeypatch, speak):
    from sop_cli.render.portfolio import EVALUASI_CSV_COLUMNS, PORTFOLIO_CSV_COLUMNS
    from sop_cli.render.report import CSV_COLUMNS, MONITORING_CSV_COLUMNS, csv_header

    assert ";".join(csv_header(CSV_COLUMNS)) == (
        "no;langkah;kegiatan;pelaksana;petugas;status;putaran;perbaikan;mulai;batas_waktu;selesai;waktu_baku_menit;"
        "realisasi_menit;selisih_menit;terlambat;catatan;alasan;eksternal;sub_pelaksanaan")
    assert csv_header(MONITORING_CSV_COLUMNS) == ["no", "langkah", "prosedur", "pelaksana", "penilaian", "catatan",
                                                  "tindakan", "paraf"]
    assert csv_header(PORTFOLIO_CSV_COLUMNS)[:4] == ["kode_unit", "nama_unit", "sop", "pelaksanaan"]
    assert csv_header(EVALUASI_CSV_COLUMNS)[-2:] == ["usulan_waktu", "usulan_menit"]
    speak("en")
    assert csv_header(CSV_COLUMNS) == list(CSV_COLUMNS)  # English: the row keys, as JSON has them
    assert csv_header(PORTFOLIO_CSV_COLUMNS) == list(PORTFOLIO_CSV_COLUMNS)
    assert csv_header(EVALUASI_CSV_COLUMNS) == list(EVALUASI_CSV_COLUMNS)
    speak("id")
    run = make_run(sop, monkeypatch, upto=2, now="2026-11-23T10:00")
    data = json.loads(sop("report", "--run", run, "--format", "json").stdout)
    assert set(data["rows"][0]) >= set(CSV_COLUMNS) and "status_word" in data["rows"][0]


def test_the_report_in_the_terminal_speaks_indonesian(sop, monkeypatch, speak):
    run = make_run(sop, monkeypatch)
    table = sop("report", "--run", run).stdout
    assert "ditolak" in table and "disetujui" in table and "14/14 langkah (100%)" in table


def test_report_documents_are_the_same_in_both_languages(sop, monkeypatch, speak, tmp_path: Path):
    run = make_run(sop, monkeypatch, upto=10, now="2026-11-27T09:30")
    texts: dict[str, list[str]] = {}
    for lang in ("id", "en"):
        speak(lang)
        texts[lang] = [sop("report", "--run", run, *extra).stdout for extra in (
            ["--format", "md"], ["--format", "html"], ["--monitoring", "--format", "md"],
            ["--monitoring", "--format", "html"])]
        assert all(texts[lang]), lang
    assert texts["id"] == texts["en"]
    md = texts["id"][0]
    assert "ditolak" in md and "putaran 1" in md and "belum (rencana)" in md
    assert "Melewati mutu baku 1 jam" in texts["id"][2]


def test_the_sop_document_and_a_letter_are_the_same_in_both_languages(sop, monkeypatch, speak, tmp_path: Path):
    run = make_run(sop, monkeypatch)
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    texts: dict[str, list[str]] = {}
    for lang in ("id", "en"):
        speak(lang)
        texts[lang] = [sop("render", *args).stdout for args in (
            ["sop", NGANJUK, "--format", "md"], ["sop", NGANJUK, "--format", "html"],
            ["undangan", "--run", run, "--values", str(values), "--format", "md"],
            ["disposisi", "--run", run, "--values", str(values), "--format", "html"])]
        assert all(texts[lang]), lang
    assert texts["id"] == texts["en"]
    # the SOP file writes "10 Menit": the document writes units one way, lower case, like its total
    sop_md = texts["id"][0]
    assert "| 10 menit |" in sop_md and "Menit" not in sop_md


# Render errors and notices, as the user sees them -----------------------------------------------------


def test_render_errors_speak_indonesian(sop, monkeypatch, fails, tmp_path: Path):
    run = make_run(sop, monkeypatch)
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    monkeypatch.setenv("SOP_LANG", "id")
    # a name that is a path is just an unknown document
    err = fails(1, "render", "../../etc/passwd", "--run", run)
    assert "Dokumen '../../etc/passwd' tidak dikenal. Jenis dokumen nganjuk/kecamatan-ngronggot/renja: disposisi," in err
    err = fails(2, "render", "undangan", "--run", run, "--values", str(values), "--set", "ruang=Aula")
    assert "'undangan' tidak menerima nilai 'ruang'. Nilai yang diterima: nomor, kepada, rapat.tanggal" in err
    err = fails(2, "render", "undangan", "--run", run, "--set", "nomor=005/1/2026")
    assert "Dokumen 'undangan' untuk pelaksanaan renja-2027 (langkah 4) memerlukan 4 nilai yang hanya diketahui petugas:" in err
    assert "\n  rapat.tempat: " in err
    err = fails(2, "render", "undangan", "--run", run, "--values", str(values), "--set", "rapat.tanggal=besok")
    assert "rapat.tanggal: 'besok' bukan tanggal; tulis seperti 2026-11-24; mis. rapat.tanggal=2026-11-24" in err
    err = fails(2, "render", "undangan", "--run", run, "--values", str(values), "--set", "penandatangan=lurah")
    assert "'lurah' bukan pejabat dalam daftar pejabat maupun pelaksana (yang ada: " in err
    err = fails(2, "render", "disposisi", "--run", run, "--values", str(values), "--step", "10", "--format", "md")
    assert "langkah 10 dari nganjuk/kecamatan-ngronggot/renja" in err and "tidak menghasilkan disposisi" in err
    err = fails(2, "render", "undangan", "--run", run, "--values", str(tmp_path / "tidak-ada.yaml"))
    assert "tidak-ada.yaml: berkas tidak ada." in err
    for english in ("Unknown", "needs", "takes no value", "is not"):
        assert english not in err


def test_a_run_that_has_not_reached_the_step_is_told_in_indonesian(sop, monkeypatch, fails):
    run = make_run(sop, monkeypatch, upto=1, now="2026-11-23T09:00")
    monkeypatch.setenv("SOP_LANG", "id")
    err = fails(3, "render", "undangan", "--run", run)
    assert f"Pelaksanaan {run} belum sampai pada langkah 4 (" in err and "sekarang di langkah 2" in err
    monkeypatch.setenv("SOP_LANG", "en")
    assert f"Run {run} has not reached step 4 (" in fails(3, "render", "undangan", "--run", run)


def test_the_core_messages_without_a_cli_in_both_languages(speak, tmp_path: Path):
    from sop_cli.errors import UsageError
    from sop_cli.render.documents import check_format, format_from_suffix
    from sop_cli.render.office import need

    with pytest.raises(UsageError) as raised:
        format_from_suffix(tmp_path / "x.rtf", ("html", "md"))
    assert raised.value.message.endswith("x.rtf: akhiran '.rtf' bukan format yang ditulis perintah ini; gunakan salah "
                                         "satu dari: .htm, .html, .markdown, .md.")
    with pytest.raises(UsageError, match="Format 'rtf' tidak dikenal; gunakan salah satu dari: html, md."):
        check_format("rtf", ("html", "md"))
    assert "yang belum terpasang: pip install 'sop-cli[pdf]'" in need("weasyprint", "WeasyPrint", "pdf").message
    speak("en")
    with pytest.raises(UsageError, match="Unknown format 'rtf'; use one of: html, md."):
        check_format("rtf", ("html", "md"))


def test_a_template_override_and_the_sandbox_limits_are_told_in_indonesian(sop, tmp_path: Path, fails, speak):
    NAME = "nganjuk/kecamatan-ngronggot/renja"
    override = tmp_path / "templates" / "sop.md"
    write(override, "{{ 9 ** 99999999 }}\n")
    note, error = fails(1, "render", "sop", NAME, "--format", "md").splitlines()
    assert note == f"Catatan: memakai {override} (dari ./templates) sebagai ganti sop.md bawaan."
    assert error.endswith("tidak diizinkan dalam templat: 9 ** 99999999 terlalu besar untuk templat")
    write(override, "{{ 'x' * 10**9 }}\n")
    assert "mengulang teks atau daftar 1000000000 kali terlalu besar untuk templat" in fails(1, "render", "sop", NAME,
                                                                                            "--format", "md")
    write(override, "{{ tidak_ada }}\n")
    assert "sop.md:1: nilai tidak terdefinisi: 'tidak_ada' is undefined" in fails(1, "render", "sop", NAME, "--format", "md")
    write(override, "{% include 'tidak-ada.md' %}\n")
    assert "Templat 'tidak-ada.md' tidak ditemukan (dicari di: " in fails(1, "render", "sop", NAME, "--format", "md")


def test_a_broken_manifest_and_organisation_file_are_told_in_indonesian(tmp_path: Path, speak):
    from sop_cli.errors import DefinitionError
    from sop_cli.render.doctypes import read_manifest
    from sop_cli.render.organisation import read_organisation

    manifest = write(tmp_path / "dokumen" / "tanda-terima.yaml", "judul: Tanda terima\nsejak: kapan-saja\n")
    with pytest.raises(DefinitionError, match=r"sejak: 'kapan-saja': gunakan salah satu dari mulai, langkah, "
                                              r"sesudah-keputusan"):
        read_manifest(manifest)
    organisation = write(tmp_path / "organisasi.yaml", "pimpinan: camat\npejabat: {}\n")
    with pytest.raises(DefinitionError, match=r"pimpinan: 'camat' tidak ada di pejabat \(yang ada: tidak ada\)"):
        read_organisation(organisation)
