"""`sop render DOC --run RUN`: the documents the steps output, for a run of each SOP; --list,
--set/--values, missing values, an SOP's own template, --attach."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import REPO, write
from tests.test_report import LAMPUNG, NGANJUK, make_run

NGANJUK_VALUES = """\
surat:
  dari: Bupati Nganjuk
  nomor: 050/1234/411.403/2026
  tanggal: 2026-11-20
undangan:
  nomor: 005/87/411.512/2026
kepada:
  - Kepala Seksi Pemerintahan
  - Kepala Subbagian Umum dan Kepegawaian
rapat:
  tanggal: 2026-11-24
  waktu: "09.00 - selesai"
  tempat: Aula Kantor Kecamatan Ngronggot
pejabat:
  sekretaris: {pangkat: Pembina (IV/a), nip: "197203101998031005"}
  kasubag-perencanaan: {pangkat: Penata Tk. I (III/d), nip: "198005122005012003"}
"""

LAMPUNG_VALUES = """\
surat: {dari: Bupati Lampung Tengah, nomor: 050/77/D.a.VI.02/2026, tanggal: 2026-11-19}
nomor: 005/310/D.a.IV.05/2026
kepada: [Kepala Dinas, Para Pejabat Eselon III]
rapat: {tanggal: 2026-11-25, waktu: "13.00 - selesai", tempat: Ruang Rapat Diskominfo}
pejabat:
  kepala-dinas: {pangkat: Pembina Utama Muda (IV/c), nip: "197001011995031002"}
  sekretaris: {pangkat: Pembina (IV/a), nip: "197503152000032004"}
  perencana: {pangkat: Penata (III/c), nip: "198602022010011005"}
"""


@pytest.fixture
def nganjuk(sop, monkeypatch, tmp_path):
    run = make_run(sop, monkeypatch)
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    return run, values


def rendered(sop, *args) -> str:
    result = sop("render", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


DOCS = ("disposisi", "format-data", "undangan", "persetujuan", "pengantar")


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("doc", DOCS)
def test_every_document_renders_for_a_nganjuk_run(sop, nganjuk, doc, fmt):
    run, values = nganjuk
    text = rendered(sop, doc, "--run", run, "--values", values, "--set", "pengantar.nomor=050/99/411.512/2026", "--format", fmt)
    assert "KECAMATAN NGRONGGOT" in text.upper() and "PEMERINTAH KABUPATEN NGANJUK" in text.upper()
    signer = {
        "disposisi": ("MOHAMAD MAKRUP, S.Sos", "19690115 199003 1 008", "Pembina TK I", "Ngronggot, 23 November 2026"),
        "format-data": ("SITI AMINAH, S.E.", "19800512 200501 2 003", "Penata Tk. I (III/d)", "Ngronggot, 23 November 2026"),
        "undangan": ("Drs. SUGENG RAHARJO, M.Si", "19720310 199803 1 005", "Pembina (IV/a)", "Ngronggot, 23 November 2026"),
        "persetujuan": ("MOHAMAD MAKRUP, S.Sos", "19690115 199003 1 008", "Pembina TK I", "Ngronggot, 27 November 2026"),
        "pengantar": ("MOHAMAD MAKRUP, S.Sos", "19690115 199003 1 008", "Pembina TK I", "Ngronggot, 27 November 2026"),
    }[doc]
    for part in signer:
        assert part in text, part
    assert "NIP. " + signer[1] in text


def test_the_letters_carry_what_matters(sop, nganjuk):
    run, values = nganjuk
    undangan = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "pengantar.nomor=050/1/2026")
    for part in ("Nomor", "005/87/411.512/2026", "Sifat", "Lampiran", "Hal", "Undangan Rapat",
                 "Kepala Seksi Pemerintahan", "Selasa, 24 November 2026", "09.00 - selesai WIB",
                 "Aula Kantor Kecamatan Ngronggot", "Melaksanakan Rapat pembahasan rencana kerja tahunan",
                 "Tembusan", "Camat Ngronggot (sebagai laporan)", "Sekretaris Kecamatan Ngronggot,"):
        assert part in undangan, part
    disposisi = rendered(sop, "disposisi", "--run", run, "--values", values, "--format", "md")
    for part in ("LEMBAR DISPOSISI", "| Surat dari | Bupati Nganjuk |", "| Tanggal surat | 20 November 2026 |",
                 "| Diterima tanggal | 23 November 2026 |",
                 "| Diteruskan kepada Sdr. | Kasubag Perencanaan & Keuangan (SITI AMINAH, S.E.) |",
                 "| Batas waktu penyelesaian | 26 November 2026 |", "Camat Ngronggot,"):
        assert part in disposisi, part
    pengantar = rendered(sop, "pengantar", "--run", run, "--values", values, "--set", "nomor=050/99/411.512/2026")
    for part in ("SURAT PENGANTAR", "Nomor: 050/99/411.512/2026", "Yth. Kepala BAPPEDA Kabupaten Nganjuk",
                 "Jenis yang dikirim", "Banyaknya", "Dokumen Rencana Kerja (Renja) Kecamatan Ngronggot Tahun 2027",
                 "Diterima"):
        assert part in pengantar, part
    form = rendered(sop, "format-data", "--run", run, "--values", values, "--set", "seksi=Seksi Pemerintahan; Seksi Trantib",
                    "--set", "batas_waktu=2026-11-30", "--format", "md")
    assert form.count("FORMAT PENGUMPULAN DATA DAN INFORMASI RENCANA KERJA TAHUNAN") == 2
    assert "Seksi/Bidang/Subbagian: Seksi Trantib" in form
    assert "paling lambat Senin, 30 November 2026" in form
    assert "| No | Program | Kegiatan | Sub Kegiatan | Indikator Kinerja |" in form


def test_the_approval_sheet_shows_the_correction_history_escaped(sop, nganjuk):
    run, values = nganjuk
    html = rendered(sop, "persetujuan", "--run", run)
    assert "LEMBAR PERSETUJUAN" in html
    assert "telah dikoreksi dan dinyatakan benar oleh Sekretaris pada tanggal 27 November 2026" in html
    assert "Dikembalikan (TIDAK)" in html and "Disetujui (YA)" in html
    assert "Target &lt;script&gt;alert(1)&lt;/script&gt; belum sesuai RKPD" in html
    assert "<script>" not in html
    md = rendered(sop, "persetujuan", "--run", run, "--format", "md")
    assert "| 1 | 26 November 2026 10.30 WIB | Dikembalikan (TIDAK) | Target &lt;script&gt;" in md


def test_set_wins_over_the_values_file_and_its_document_section(sop, nganjuk):
    run, values = nganjuk
    shared = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "nomor=005/1/2026")
    assert "005/1/2026" in shared and "005/87/411.512/2026" not in shared
    own = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "undangan.nomor=005/2/2026")
    assert "005/2/2026" in own
    pengantar = rendered(sop, "pengantar", "--run", run, "--values", values, "--set", "nomor=050/3/2026")
    assert "Nomor: 050/3/2026" in pengantar and "005/87" not in pengantar


def test_values_with_markup_are_shown_as_text_in_html(sop, nganjuk):
    run, values = nganjuk
    html = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "rapat.tempat=<script>x()</script> Aula")
    assert "&lt;script&gt;x()&lt;/script&gt; Aula" in html and "<script>" not in html


@pytest.mark.parametrize("doc", DOCS)
def test_every_document_renders_for_a_lampung_run(sop, monkeypatch, tmp_path, doc):
    run = make_run(sop, monkeypatch, LAMPUNG)
    values = write(tmp_path / "nilai.yaml", LAMPUNG_VALUES)
    signer = ["--set", "penandatangan=sekretaris"] if doc == "undangan" else []
    text = rendered(sop, doc, "--run", run, "--values", values, "--set", "nomor=000.8/5/D.a.IV.05/2026", *signer)
    assert "DINAS KOMUNIKASI INFORMATIKA DAN STATISTIK" in text.upper()
    assert "Gunung Sugih, " in text
    if doc in ("persetujuan", "pengantar"):
        # the head: named by the run, NIP and pangkat from the values (the SOP file has none)
        assert "Ir. HENDRA WIJAYA, M.M." in text and "NIP. 19700101 199503 1 002" in text
        assert "Kepala Dinas Komunikasi Informatika dan Statistik Kabupaten Lampung Tengah," in text
    if doc == "undangan":
        # staf prepares it; the letter is signed by the lane chosen with penandatangan=
        assert "DEWI LESTARI" not in text and "Dra. RINA MARLINA" in text
        assert "Sekretaris Dinas Komunikasi Informatika dan Statistik," in text
    if doc == "format-data":
        assert "AGUS SALIM, S.T." in text and "NIP. 19860202 201001 1 005" in text
    if doc == "disposisi":
        assert "Dra. RINA MARLINA" in text and "NIP. 19750315 200003 2 004" in text
        assert "Perencana (AGUS SALIM, S.T.)" in text


def test_a_missing_value_is_one_error_listing_every_key_needed(sop, nganjuk, monkeypatch):
    run, _ = nganjuk
    monkeypatch.delenv("SOP_DEBUG")
    result = sop("render", "undangan", "--run", run, "--set", "nomor=005/1/2026")
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith("Error: Document 'undangan' for run renja-2027 (step 4) needs 6 values only a person knows:")
    for key in ("kepada", "rapat.tanggal", "rapat.waktu", "rapat.tempat", "pejabat.sekretaris.pangkat",
                "pejabat.sekretaris.nip"):
        assert f"\n  {key}: " in err, key
    assert "\n  nomor:" not in err
    assert "--values FILE" in err


def test_bad_values_are_refused(sop, nganjuk):
    run, values = nganjuk
    result = sop("render", "undangan", "--run", run, "--values", values, "--set", "rapat.tanggal=besok")
    assert result.exit_code == 2 and "rapat.tanggal: 'besok' is not a date" in result.stderr
    result = sop("render", "undangan", "--run", run, "--values", values, "--set", "pejabat.sekretaris.nip=123")
    assert result.exit_code == 2 and "pejabat.sekretaris.nip: NIP '123' must be 18 digits" in result.stderr
    result = sop("render", "undangan", "--run", run, "--set", "tanpa-sama-dengan")
    assert result.exit_code == 2 and "write KEY=VALUE" in result.stderr
    result = sop("render", "surat-cinta", "--run", run)
    assert result.exit_code == 1 and "Unknown document 'surat-cinta'" in result.stderr
    result = sop("render", "undangan", NGANJUK)
    assert result.exit_code == 2 and "give --run RUN" in result.stderr


def test_list_names_every_document_type_with_its_step(sop):
    result = sop("render", "--list")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for doc in ("sop", *DOCS):
        assert f"\n{doc} " in "\n" + out, doc
    assert "nganjuk/kecamatan-ngronggot/renja langkah 4: Mengundang Kasi dan Kasubag" in out
    assert "lampung-tengah/diskominfo/renja langkah 12: Membuat surat pengantar" in out
    assert "needs: nomor, kepada, rapat.tanggal, rapat.waktu, rapat.tempat" in out
    rows = json.loads(sop("render", "--list", "renja", "--org", "ngronggot", "--json").stdout)
    steps = {row["type"]: [s["step"] for s in row["steps"]] for row in rows}
    assert steps == {"sop": [], "disposisi": [1], "format-data": [2], "undangan": [4], "persetujuan": [11], "pengantar": [12]}


def test_an_sop_can_point_a_step_at_its_own_template(sop, monkeypatch, tmp_path):
    source = (REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml").read_text(encoding="utf-8")
    own = source.replace("    keterangan: SOP pengarsipan\n", "    keterangan: SOP pengarsipan\n    dokumen: tanda-terima\n")
    own = own.replace("id: renja\n", "id: renja-uji\n", 1)
    write(tmp_path / "own" / "renja-uji.yaml", own)
    write(tmp_path / "own" / "tanda-terima.md",
          "Tanda terima {{ run.title }}: {{ nilai.penerima }} pada {{ tanggal | tanggal }}; "
          "{{ penandatangan.nama }} NIP {{ penandatangan.nip }}; opsional={{ nilai.get('catatan', '-') }}\n")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "own"))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T09:00")
    assert sop("start", "nganjuk/kecamatan-ngronggot/renja-uji", "--at", "2026-11-23 08:00",
               "--assign", "kasubag-perencanaan=SITI AMINAH, S.E.").exit_code == 0
    listed = sop("render", "--list", "nganjuk/kecamatan-ngronggot/renja-uji").stdout
    assert "tanda-terima" in listed and "langkah 14: Pengiriman dokumen" in listed
    result = sop("render", "tanda-terima", "--run", "renja-uji", "--format", "md")
    assert result.exit_code == 2
    assert "\n  penerima: used by the template" in result.stderr and "catatan" not in result.stderr
    assert "pejabat.kasubag-perencanaan.nip" in result.stderr
    text = rendered(sop, "tanda-terima", "--run", "renja-uji", "--format", "md", "--set", "penerima=Bappeda",
                    "--set", "pejabat.kasubag-perencanaan.nip=198005122005012003",
                    "--set", "pejabat.kasubag-perencanaan.pangkat=Penata")
    assert text == ("Tanda terima Penyusunan Rencana Kerja 2026: Bappeda pada 24 November 2026; "
                    "SITI AMINAH, S.E. NIP 19800512 200501 2 003; opsional=-\n")
    result = sop("render", "tanda-terima", "--run", "renja-uji", "--format", "html", "--set", "penerima=x")
    assert result.exit_code == 1 and "no tanda-terima.html was found" in result.stderr


@pytest.mark.sqlite_only
def test_attach_keeps_the_document_with_the_run_and_logs_its_hash(sop, nganjuk, tmp_path):
    run, values = nganjuk
    out = tmp_path / "undangan.html"
    result = sop("render", "undangan", "--run", run, "--values", values, "--out", out, "--attach")
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"Attached undangan.html to run {run} (sha256 {digest}" in result.stdout
    event = json.loads(sop("log", "--run", run, "--json").stdout)[-1]
    assert event["kind"] == "note" and event["note"].startswith("Dokumen undangan")
    assert [(a["name"], a["sha256"]) for a in event["attachments"]] == [("undangan.html", digest)]
    # without --out the document is kept only with the run
    result = sop("render", "persetujuan", "--run", run, "--format", "md", "--attach")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Attached persetujuan-{run}.md to run {run} (sha256 ")
    kept = json.loads(sop("log", "--run", run, "--json").stdout)[-1]["attachments"][0]
    assert "LEMBAR PERSETUJUAN" in (Path(sop_home_store(tmp_path)).parent / kept["path"]).read_text(encoding="utf-8")


def sop_home_store(tmp_path: Path) -> Path:
    return tmp_path / "sop-home" / "sop.db"


def test_render_sop_of_a_run_uses_its_pinned_definition(sop, nganjuk):
    run, _ = nganjuk
    html = rendered(sop, "sop", "--run", run)
    assert html.count('<svg class="flowrow"') == 14


def test_step_renders_a_document_for_another_step(sop, nganjuk):
    run, values = nganjuk
    md = rendered(sop, "disposisi", "--run", run, "--values", values, "--step", "10", "--format", "md")
    assert "| Diteruskan kepada Sdr. | Camat (MOHAMAD MAKRUP, S.Sos) |" in md
    assert "**Drs. SUGENG RAHARJO, M.Si**" in md and "NIP. 19720310 199803 1 005" in md
    assert "Ngronggot, 27 November 2026" in md  # step 10 was completed then
    result = sop("render", "disposisi", "--run", run, "--values", values, "--step", "99")
    assert result.exit_code == 2 and "has no step 99" in result.stderr


def test_the_meeting_time_gets_the_zone_once(sop, nganjuk):
    run, values = nganjuk
    written = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "rapat.waktu=09.00 WIB - selesai", "--format", "md")
    assert "- waktu: 09.00 WIB - selesai\n" in written
    bare = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "rapat.waktu=13.30", "--format", "md")
    assert "- waktu: 13.30 WIB\n" in bare
