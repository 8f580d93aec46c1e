"""Values a letter must not accept, and defaults nobody chose: an impossible meeting is refused
(exit 2, the value named), an unusual one warned about; a form leaves blank what a person must
tick, write or judge."""

from __future__ import annotations

import pytest

from tests.test_report import NGANJUK, make_run

BASE = ["--set", "nomor=005/87/411.512/2026", "--set", "kepada=Kepala Seksi Pemerintahan",
        "--set", "rapat.tempat=Aula Kantor", "--format", "md"]


@pytest.fixture
def run(sop, monkeypatch) -> str:
    monkeypatch.delenv("SOP_DEBUG")  # as users run it: no traceback, the documented exit code
    return make_run(sop, monkeypatch, NGANJUK)


def undangan(sop, run: str, tanggal: str, waktu: str, *extra: str):
    return sop("render", "undangan", "--run", run, "--set", f"rapat.tanggal={tanggal}", "--set", f"rapat.waktu={waktu}",
               *BASE, *extra)


@pytest.mark.parametrize("waktu", ["25.99", "24.00", "9.75", "jam sembilan"])
def test_an_impossible_time_is_refused(sop, run: str, waktu: str) -> None:
    result = undangan(sop, run, "2026-11-24", waktu)
    assert result.exit_code == 2, result.output
    assert f"rapat.waktu={waktu}: not a time of day" in result.stderr and "Traceback" not in result.output


def test_a_meeting_before_the_letters_date_is_refused(sop, run: str) -> None:
    result = undangan(sop, run, "2026-11-20", "09.00", "--set", "tanggal=2026-11-23")
    assert result.exit_code == 2, result.output
    assert "rapat.tanggal=2026-11-20: the meeting is before the letter's date (2026-11-23)" in result.stderr


def test_a_weekend_meeting_is_warned_about_and_a_weekday_is_not(sop, run: str) -> None:
    saturday = undangan(sop, run, "2026-11-28", "09.00")
    assert saturday.exit_code == 0, saturday.output
    assert "Warning: rapat.tanggal=2026-11-28 is a Saturday" in saturday.stderr
    tuesday = undangan(sop, run, "2026-11-24", "9:30", "--set", "rapat.sampai=12.00")
    assert tuesday.exit_code == 0 and "rapat.tanggal" not in tuesday.stderr


def test_no_made_up_acara_a_line_to_fill_instead(sop, run: str) -> None:
    text = undangan(sop, run, "2026-11-24", "09.00").stdout
    assert "Pembahasan" not in text and "- acara: ......" in text
    given = undangan(sop, run, "2026-11-24", "09.00", "--set", "rapat.acara=Rancangan Renja 2027").stdout
    assert "- acara: Rancangan Renja 2027" in given


def test_the_disposisi_comes_unticked_with_no_catatan_written_in(sop, run: str) -> None:
    html = sop("render", "disposisi", "--run", run, "--set", "surat.dari=Bupati Nganjuk", "--set",
               "surat.nomor=050/1/2026", "--set", "surat.tanggal=2026-11-20").stdout
    assert "&#10003;" not in html and "✓" not in html
    assert "Mohon segera ditindaklanjuti" not in html
    ticked = sop("render", "disposisi", "--run", run, "--set", "surat.dari=Bupati Nganjuk", "--set",
                 "surat.nomor=050/1/2026", "--set", "surat.tanggal=2026-11-20", "--set", "sifat=Segera",
                 "--set", "harap=Koordinasikan").stdout
    assert ticked.count("&#10003;") + ticked.count("✓") == 2
