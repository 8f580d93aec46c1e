"""Bahasa Indonesia first, for what the run engine, the service and the stores say: refusals,
attachment and calendar errors, store errors. Each test runs real commands with `SOP_LANG=id`
(on both stores: see tests/conftest.py) and reads the message as a user sees it; a few check
that `SOP_LANG=en` still gives the English text.

The sentences the CLI words itself from structured errors (`sop_cli.cli.wording`: the flags, the
command lines of hints) are not checked here; the values the core hands it (a run's state in
words) are.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import write
from tests.sample import VALID
from tests.test_store_postgres import as_user, pg_url, users  # noqa: F401  (fixtures)

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"
STEP_1 = "1 (Memerintahkan penyusunan Rencana Kerja (Renja))"


@pytest.fixture(autouse=True)
def indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    monkeypatch.setenv("SOP_USER", "planner")
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")


def fails(result, code: int, *messages: str) -> str:
    """The command failed with exit `code`, nothing on stdout, and every one of `messages` in its
    error; returns the error text."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for message in messages:
        assert message in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def started(sop) -> str:
    result = sop("start", "renja", "--org", "ngronggot")
    assert result.exit_code == 0, result.output
    return "renja-2027"


@pytest.fixture
def own_store(store_backend: str) -> None:
    """Tests that make their own store run once, not once per store."""
    if store_backend != "sqlite":
        pytest.skip("makes its own store")


def test_the_same_sop_and_year_started_twice_lists_the_run_in_indonesian(sop, started):
    error = fails(sop("start", "renja", "--org", "ngronggot"), 3)
    assert "  renja-2027  Penyusunan Rencana Kerja 2027  (berjalan, langkah 1 dari 14)" in error
    fails(sop("start", "renja", "--org", "ngronggot", "--year", "1999", "--again"), 2,
          "--year 1999 di luar tahun yang boleh untuk pelaksanaan (2000 sampai 2100); mis. 2027. "
          "Tidak ada yang dicatat.")


def test_steps_out_of_turn_are_refused_in_indonesian(sop, started):
    fails(sop("advance", "--step", "3"), 3,
          f"Langkah 3 belum berjalan: langkah {STEP_1} harus diselesaikan lebih dulu. Tidak ada yang dicatat.")
    fails(sop("advance", "--step", "99"), 2, f"--step 99: SOP {NGANJUK} tidak memiliki langkah 99.")
    assert sop("advance").exit_code == 0
    error = fails(sop("advance", "--step", "1"), 3, "Langkah 1 pelaksanaan renja-2027 sudah diselesaikan oleh ",
                  "(2026-11-26 09:00 WIB); langkah berjalan sekarang 2 (")
    assert error.splitlines()[0].endswith("Tidak ada yang dicatat.")


def test_times_out_of_range_are_refused_in_indonesian(sop, started):
    fails(sop("advance", "--at", "2026-11-27T08:00"), 2,
          "--at 2026-11-27 08:00 WIB masih di masa depan (sekarang 2026-11-26 09:00 WIB). Tidak ada yang dicatat.")
    fails(sop("advance", "--at", "2026-11-25T08:00"), 2,
          "--at 2026-11-25 08:00 WIB lebih awal daripada saat langkah 1 mulai berjalan (2026-11-26 09:00 WIB); "
          "catatan tidak dapat mundur dalam waktu. Tidak ada yang dicatat.")
    fails(sop("advance", "--at", "1850-01-01T08:00"), 2, "--at jatuh pada tahun 1850, di luar tahun yang ditangani sop")


def test_undo_guards_speak_indonesian(sop, started):
    fails(sop("undo", "--reason", "salah klik"), 3,
          "Tidak ada yang dapat dibatalkan: belum ada langkah pelaksanaan renja-2027 yang diselesaikan sejak dimulai.")
    assert sop("advance").exit_code == 0
    fails(sop("undo", "--reason", "salah klik", "--step", "5"), 3,
          "Catatan langkah terakhir pelaksanaan renja-2027 adalah #2 (langkah 1, diselesaikan oleh ",
          "bukan langkah 5; hanya yang terakhir yang dapat dibatalkan. Tidak ada yang dibatalkan.")


def test_finished_and_cancelled_runs_refuse_in_indonesian(sop, tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_PATH", str(write(tmp_path / "mine" / "uji.yaml", VALID).parent))
    assert sop("start", "uji").exit_code == 0
    for options in ([], [], ["--approve"], []):
        assert sop("advance", *options).exit_code == 0, options
    fails(sop("advance", "--run", "uji"), 3,
          "Pelaksanaan uji-2027 sudah selesai: semua 4 langkah telah dikerjakan; tidak dapat melanjutkannya.")
    fails(sop("cancel", "--run", "uji", "--reason", "x"), 3, "tidak dapat menghentikannya.")
    assert sop("undo", "--run", "uji", "--reason", "Surat belum terkirim").exit_code == 0
    assert sop("cancel", "--run", "uji", "--reason", "Prosedur diganti").exit_code == 0
    fails(sop("advance", "--run", "uji"), 3,
          "Pelaksanaan uji-2027 sudah dihentikan (Prosedur diganti); tidak dapat lagi melanjutkannya.")
    fails(sop("undo", "--run", "uji", "--reason", "x"), 3, "tidak dapat lagi membatalkan langkah.")


def test_decision_refusals_of_the_core_are_indonesian(sop, tmp_path, monkeypatch):
    """The CLI words these with its flags; the core's own sentence (`str(error)`) is Indonesian too."""
    from datetime import datetime

    from sop_cli.errors import UsageError
    from sop_cli.run import service
    from sop_cli.worktime import zone

    monkeypatch.setenv("SOP_PATH", str(write(tmp_path / "mine" / "uji.yaml", VALID).parent))
    assert sop("start", "uji").exit_code == 0
    assert sop("advance").exit_code == 0 and sop("advance").exit_code == 0
    now = datetime(2026, 11, 26, 9, 0, tzinfo=zone("WIB"))
    cases = [
        ({}, "Langkah 3 (", "adalah keputusan: setujui untuk lanjut ke langkah 4, atau tolak dengan alasan"),
        ({"reject": True}, "Penolakan memerlukan alasan: sebutkan apa yang harus diperbaiki. Tidak ada yang dicatat."),
        ({"approve": True, "reject": True}, "Berikan persetujuan atau penolakan, jangan keduanya."),
    ]
    for options, *expected in cases:
        with pytest.raises(UsageError) as refused:
            service.advance(service.Session(now, actor="planner", os_user="planner"), **options)
        for text in expected:
            assert text in str(refused.value), str(refused.value)


def test_unknown_and_ambiguous_runs_and_a_missing_store_are_indonesian(sop, started, tmp_path):
    error = fails(sop("status", "--run", "anggaran"), 1, "Tidak ada pelaksanaan 'anggaran'.")
    assert "  renja-2027  Penyusunan Rencana Kerja 2027  (berjalan, langkah 1)" in error
    assert sop("start", LAMPUNG).exit_code == 0  # renja-2027-2: the same id in another organisation
    fails(sop("status", "--run", "renja-2"), 1,
          "'renja-2' cocok dengan 2 pelaksanaan; tulis kodenya lebih lengkap:\n  renja-2027\n  renja-2027-2")
    missing = tmp_path / "tidak-ada.db"
    fails(sop("status", "--store", str(missing)), 1, f"Basis data {missing} tidak ada.")


def test_no_store_yet_is_indonesian(sop, own_store, isolated_home):
    fails(sop("status"), 1, f"Belum ada pelaksanaan: basis data {isolated_home / 'sop.db'} belum ada.")


def test_attachments_too_big_or_not_a_file_are_refused_in_indonesian(sop, started, tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_MAX_ATTACHMENT_MB", "1")
    big = tmp_path / "pindaian.pdf"
    big.write_bytes(b"x" * 1_500_000)
    fails(sop("note", "lampiran", "--attach", str(big)), 2,
          f"--attach {big}: ukuran berkas 1,5 MB, melebihi batas lampiran 1,0 MB (SOP_MAX_ATTACHMENT_MB). "
          "Tidak ada yang dicatat.")
    fails(sop("advance", "--attach", str(tmp_path)), 2, f"--attach {tmp_path}: ini folder, bukan berkas.")
    fails(sop("advance", "--attach", str(tmp_path / "hilang.pdf")), 2,
          f"--attach {tmp_path / 'hilang.pdf'}: berkas tidak ada. Tidak ada yang dicatat.")
    assert [e["kind"] for e in _log(sop)] == ["started"]


def _log(sop) -> list[dict]:
    import json

    result = sop("log", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_office_hours_are_worded_in_indonesian_and_english(sop, started, monkeypatch):
    import json

    view = json.loads(sop("status", "--json").stdout)
    assert view["office_hours"].startswith("Sen–Kam 07.30–16.00, Jum 07.30–16.30")
    monkeypatch.setenv("SOP_LANG", "en")
    view = json.loads(sop("status", "--json").stdout)
    assert view["office_hours"].startswith("Mon–Thu 07.30–16.00, Fri 07.30–16.30")


def test_calendar_errors_are_indonesian():
    from sop_cli.worktime import CalendarError, parse_week, parse_yearly, zone

    with pytest.raises(CalendarError, match="Zona waktu 'GMT' tidak dikenal."):
        zone("GMT")
    with pytest.raises(CalendarError, match="'senin-ahad-x' bukan nama hari atau rentang hari"):
        parse_week({"senin-ahad-x": "07.30-16.00"})
    with pytest.raises(CalendarError, match="'31-02': tidak ada tanggal 31 pada bulan 2."):
        parse_yearly("31-02")


def test_the_english_interface_keeps_the_english_text(sop, started, monkeypatch):
    monkeypatch.setenv("SOP_LANG", "en")
    fails(sop("advance", "--step", "3"), 3, f"Step 3 is not current yet: step {STEP_1} comes first. Nothing was recorded.")
    error = fails(sop("start", "renja", "--org", "ngronggot"), 3)
    assert "(active, step 1 of 14)" in error
    fails(sop("undo", "--reason", "x"), 3, "Nothing to undo: no step of run renja-2027 has been completed since it started.")


def test_sub_sop_refusals_are_indonesian(sop, monkeypatch):
    from tests.conftest import REPO

    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    monkeypatch.setenv("SOP_NOW", "2026-12-07T08:00+08:00")
    run = "rekomendasi-teknis-2026-0001"
    assert sop("start", "rekomendasi-teknis", "--at", "2026-11-30T08:00").exit_code == 0
    for options in (["--at", "2026-11-30T09:00"], ["--at", "2026-11-30T09:30"], ["--step", "3", "--at", "2026-12-01T09:00"],
                    ["--step", "4", "--at", "2026-12-02T09:00"]):
        assert sop("advance", "--run", run, *options).exit_code == 0, options
    fails(sop("start", "telaah-izin", "--parent", run), 3,
          f"Pelaksanaan {run} tidak memiliki langkah berjalan yang dikerjakan oleh SOP contoh/dinas-contoh/telaah-izin "
          "(sub_sop); langkah berjalannya 5 (")
    assert sop("start", "rapat-koordinasi", "--parent", run, "--at", "2026-12-02T09:30").exit_code == 0
    fails(sop("start", "rapat-koordinasi", "--parent", run), 3,
          f"Langkah 5 pelaksanaan {run} sudah memiliki pelaksanaan sub-SOP rapat-koordinasi-2026 (berjalan). "
          "Tidak ada yang dimulai.")
    fails(sop("advance", "--run", run), 3, "dikerjakan oleh pelaksanaan rapat-koordinasi-2026 dari SOP ",
          "yang berstatus berjalan (pada langkah 1); langkah ini selesai bila pelaksanaan itu selesai.")


# The stores ------------------------------------------------------------------------------------


def test_a_damaged_sqlite_store_names_the_run_and_event_in_indonesian(sop, own_store, started, isolated_home):
    db = isolated_home / "sop.db"
    assert sop("advance").exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("UPDATE events SET data = '{not json' WHERE seq = 2")
    conn.commit()
    conn.close()
    fails(sop("status"), 4, f"Basis data {db} rusak: pelaksanaan renja-2027 catatan riwayat 2: datanya bukan JSON (")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE events SET data = '{}', step = 99 WHERE seq = 2")
    conn.commit()
    conn.close()
    fails(sop("status"), 4, f"Basis data {db} rusak: pelaksanaan renja-2027: catatan riwayat 2 menyelesaikan langkah 99, "
                            "padahal langkah berjalan saat itu 1. Tidak ada yang diubah.")
    # a damaged pinned definition: the problem comes worded from the pinned form, not cut from a sentence
    conn = sqlite3.connect(db)
    conn.execute("UPDATE events SET step = 1 WHERE seq = 2")
    conn.execute("DROP TRIGGER IF EXISTS pinned_no_update")
    conn.execute("UPDATE pinned SET body = '[1]' WHERE kind = 'definition'")
    conn.commit()
    conn.close()
    fails(sop("status"), 4, f"Basis data {db} rusak: pelaksanaan renja-2027: SOP yang tersimpan padanya bukan objek JSON. "
                            "Tidak ada yang diubah.")


def test_a_store_from_a_newer_sop_is_refused_in_indonesian(sop, own_store, started, isolated_home):
    db = isolated_home / "sop.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    fails(sop("status"), 4, f"Basis data {db} ditulis oleh sop versi yang lebih baru (versi skema 999; sop ini "
                            "mengenal sampai ")


def test_store_admin_refusals_are_indonesian(sop, own_store, started, isolated_home, tmp_path):
    db = isolated_home / "sop.db"
    fails(sop("store", "copy", str(db), str(db)), 2, f"{db} menjadi sumber sekaligus tujuan; sebutkan dua basis data "
                                                     "yang berbeda.")
    fails(sop("store", "grant", "--unit", "ngronggot", "--user", "camat", "--store", str(db)), 2,
          f"Basis data {db} adalah berkas SQLite: milik satu unit kerja")
    missing = tmp_path / "lain.db"
    fails(sop("store", "status", "--store", str(missing)), 1, f"Basis data {missing} tidak ada.")
    fails(sop("store", "copy", str(db), str(tmp_path / "salinan.db"), "--run", "anggaran-2027"), 1,
          f"Tidak ada pelaksanaan 'anggaran-2027' di basis data {db}.")


def test_an_unreachable_server_names_the_host_in_indonesian(sop, own_store):
    pytest.importorskip("psycopg")
    error = fails(sop("status", "--store", "postgresql://sop:secret@127.0.0.1:1/nothing"), 4,
                  "Server PostgreSQL di 127.0.0.1:1 (basis data nothing) tidak dapat dihubungi: ")
    assert "secret" not in error and len(error.strip().splitlines()) == 1


@pytest.mark.postgres
def test_a_unit_refused_another_units_run_is_told_in_indonesian(sop, own_store, pg_url, users):  # noqa: F811
    from sop_cli.store.postgres import PostgresStore

    camat, kominfo = users("camat"), users("kominfo")
    admin = PostgresStore.open(pg_url)
    try:
        admin.grant(org_id="kecamatan-ngronggot", org_name="Kecamatan Ngronggot", members=[camat])
        admin.grant(org_id="diskominfo", org_name="Diskominfo Lampung Tengah", members=[kominfo])
    finally:
        admin.close()
    error = fails(sop("start", LAMPUNG, "--store", as_user(pg_url, camat)), 5,
                  "Kecamatan Ngronggot tidak berhak mengubah pelaksanaan milik Diskominfo Lampung Tengah (pelaksanaan ",
                  f"pengguna basis data {camat}). Tidak ada yang dicatat.")
    assert len(error.strip().splitlines()) == 1

