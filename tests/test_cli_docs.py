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
  waktu: "09.00"
  tempat: Aula Kantor Kecamatan Ngronggot
"""

LAMPUNG_VALUES = """\
surat: {dari: Bupati Lampung Tengah, nomor: 050/77/D.a.VI.02/2026, tanggal: 2026-11-19}
nomor: 005/310/D.a.IV.05/2026
kepada: [Kepala Dinas, Para Pejabat Eselon III]
rapat: {tanggal: 2026-11-25, waktu: "13.00", tempat: Ruang Rapat Diskominfo}
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
    assert "Jl. Raya Ngronggot" in text  # the kop from the organisation file
    if fmt == "md":  # a rule under the kop, not a setext heading made of it
        assert "\n---\n" in text and "\n\n---\n" in text and "Ngronggot, Jawa Timur\n---" not in text
    # the head signs, or the Sekretaris "a.n." the head; never the lane typing the letter
    head = ("MOHAMAD MAKRUP, S.Sos", "NIP. 19690115 199003 1 008", "Pembina Tk. I (IV/b)")
    signer = {
        "disposisi": (*head, "Ngronggot, 23 November 2026"),
        "format-data": ("a.n. Camat Ngronggot", "Sekretaris Kecamatan Ngronggot,", "Drs. SUGENG RAHARJO, M.Si",
                        "Ngronggot, 23 November 2026"),
        "undangan": ("a.n. Camat Ngronggot", "Sekretaris Kecamatan Ngronggot,", "Drs. SUGENG RAHARJO, M.Si",
                     "Ngronggot, 23 November 2026"),
        "persetujuan": (*head, "Ngronggot, 27 November 2026"),
        "pengantar": (*head, "Ngronggot, 27 November 2026"),
    }[doc]
    for part in signer:
        assert part in text, part


def test_the_letters_carry_what_matters(sop, nganjuk):
    run, values = nganjuk
    undangan = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "pengantar.nomor=050/1/2026")
    for part in ("Nomor", "005/87/411.512/2026", "Sifat", "Lampiran", "Hal", "Undangan Rapat",
                 "Kepala Seksi Pemerintahan", "Selasa, 24 November 2026", "09.00 WIB s.d. selesai",
                 "Aula Kantor Kecamatan Ngronggot", "Pembahasan Draft Renja Tahun 2027",
                 "a.n. Camat Ngronggot", "Sekretaris Kecamatan Ngronggot,"):
        assert part in undangan, part
    disposisi = rendered(sop, "disposisi", "--run", run, "--values", values, "--format", "md")
    for part in ("LEMBAR DISPOSISI", "| Surat dari | Bupati Nganjuk |", "| Tanggal surat | 20 November 2026 |",
                 "| Diterima tanggal | 23 November 2026 |",
                 "| Diteruskan kepada Sdr. | Kasubag Perencanaan & Keuangan (SITI AMINAH, S.E.) |",
                 "| Batas waktu penyelesaian | 27 November 2026 |", "Camat Ngronggot,"):  # the run's end
        assert part in disposisi, part
    pengantar = rendered(sop, "pengantar", "--run", run, "--values", values, "--set", "nomor=050/99/411.512/2026")
    for part in ("SURAT PENGANTAR", "Nomor: 050/99/411.512/2026", "Yth. Kepala BAPPEDA Kabupaten Nganjuk",
                 "Jenis yang dikirim", "Banyaknya", "Dokumen Renja Kecamatan Ngronggot Tahun 2027", "di Nganjuk",
                 "Diterima"):
        assert part in pengantar, part
    form = rendered(sop, "format-data", "--run", run, "--values", values, "--set", "seksi=Seksi Pemerintahan; Seksi Trantib",
                    "--set", "batas_waktu=2026-11-30", "--format", "md")
    assert form.count("FORMAT PENGUMPULAN DATA DAN INFORMASI RENCANA KERJA TAHUNAN") == 2
    assert "Seksi/Bidang/Subbagian: Seksi Trantib" in form
    assert "paling lambat Senin, 30 November 2026" in form
    assert "| No | Program | Kegiatan | Sub Kegiatan | Indikator Kinerja |" in form


def test_the_approval_sheet_shows_the_correction_history_escaped(sop, nganjuk):
    run, _values = nganjuk
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


def test_every_document_is_the_same_from_either_store(sop, monkeypatch, tmp_path):
    """The documents of one run, copied into PostgreSQL, match the SQLite ones byte for byte."""
    from tests.postgres import fresh_schema, server_url

    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    run = make_run(sop, monkeypatch)
    setting = ["--set", "pengantar.nomor=050/99/411.512/2026"]
    documents = [(doc, fmt) for doc in DOCS for fmt in ("html", "md")]
    from_sqlite = {(doc, fmt): rendered(sop, doc, "--run", run, "--values", values, *setting, "--format", fmt)
                   for doc, fmt in documents}
    with fresh_schema(server_url()) as url:
        monkeypatch.setenv("SOP_STORE", url)
        assert make_run(sop, monkeypatch) == run
        for doc, fmt in documents:
            assert rendered(sop, doc, "--run", run, "--values", values, *setting, "--format", fmt) == \
                from_sqlite[(doc, fmt)], (doc, fmt)


@pytest.mark.parametrize("doc", DOCS)
def test_every_document_renders_for_a_lampung_run(sop, monkeypatch, tmp_path, doc):
    run = make_run(sop, monkeypatch, LAMPUNG)
    values = write(tmp_path / "nilai.yaml", LAMPUNG_VALUES)
    nomor = [] if doc in ("persetujuan", "format-data", "disposisi") else ["--set", "nomor=000.8/5/D.a.IV.05/2026"]
    text = rendered(sop, doc, "--run", run, "--values", values, *nomor)
    assert "DINAS KOMUNIKASI INFORMATIKA DAN STATISTIK" in text.upper()
    assert "Gunung Sugih, " in text and "Nganjuk" not in text
    head = "Kepala Dinas Komunikasi Informatika dan Statistik Kabupaten Lampung Tengah"
    if doc in ("persetujuan", "pengantar", "disposisi", "undangan"):
        # the head: named by the run (the register leaves the name open), NIP a line to fill;
        # the undangan invites the Kepala Dinas, so it is not signed on his behalf
        assert "Ir. HENDRA WIJAYA, M.M." in text and "NIP. ......" in text
        assert f"{head}," in text
    if doc == "format-data":
        # the perencana types it; the Sekretaris signs it a.n. the head
        assert "DEWI LESTARI" not in text and "Dra. RINA MARLINA" in text
        assert f"a.n. {head}" in text and "Sekretaris Dinas Komunikasi Informatika dan Statistik," in text
    if doc == "disposisi":
        assert "Perencana (AGUS SALIM, S.T.)" in text


def test_a_missing_value_is_one_error_listing_every_key_needed(sop, nganjuk, monkeypatch):
    run, _ = nganjuk
    monkeypatch.delenv("SOP_DEBUG")
    result = sop("render", "undangan", "--run", run, "--set", "nomor=005/1/2026")
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith("Error: Document 'undangan' for run renja-2027 (step 4) needs 4 values only a person knows:")
    for key in ("kepada", "rapat.tanggal", "rapat.waktu", "rapat.tempat"):
        assert f"\n  {key}: " in err, key
    assert "\n  nomor:" not in err
    assert "--values FILE" in err


def test_the_document_core_names_no_flag_and_the_cli_adds_them(sop, nganjuk, monkeypatch, tmp_path):
    # render_run_document speaks values (option/suggest/details); cli/wording.py adds --set, --step, --out
    from datetime import datetime, timezone

    from sop_cli.errors import SopError
    from sop_cli.render.documents import format_from_suffix, render_run_document
    from sop_cli.run.service import load_run

    run, _ = nganjuk
    state = load_run(run)
    now = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    calls = [
        lambda: render_run_document("undangan", state, values={}, now=now),
        lambda: render_run_document("undangan", state, values={"x": "1"}, set_keys=["x"], now=now),
        lambda: render_run_document("undangan", state, step=99, now=now),
        lambda: render_run_document("undangan", state, step=1, now=now),
        lambda: render_run_document("surat-ajaib", state, now=now),
        lambda: format_from_suffix(tmp_path / "x.rtf", ("html", "md")),
    ]
    for call in calls:
        with pytest.raises(SopError) as raised:
            call()
        assert "--" not in str(raised.value) and "sop render" not in str(raised.value), str(raised.value)
    monkeypatch.delenv("SOP_DEBUG")
    worded = {
        ("undangan", "--run", run): "Give them with --set nomor=... --set kepada=... --set rapat.tanggal=...",
        ("undangan", "--run", run, "--set", "x=1"): "--set x: 'undangan' takes no value 'x'.",
        ("undangan", "--run", run, "--step", "99"): "--step 99: SOP nganjuk/kecamatan-ngronggot/renja has no step 99",
        ("surat-ajaib", "--run", run): "See `sop render --list`",
        ("undangan", "--run", run, "--out", str(tmp_path / "x.rtf")): "--out " + str(tmp_path / "x.rtf") + ": the suffix '.rtf'",
    }
    for args, words in worded.items():
        result = sop("render", *args)
        assert result.exit_code in (1, 2) and words in result.stderr, (args, result.stderr)


def test_bad_values_are_refused(sop, nganjuk):
    run, values = nganjuk
    result = sop("render", "undangan", "--run", run, "--values", values, "--set", "rapat.tanggal=besok")
    assert result.exit_code == 2 and "rapat.tanggal: 'besok' is not a date" in result.stderr
    result = sop("render", "undangan", "--run", run, "--values", values, "--set", "pejabat.sekretaris.nip=123")
    assert result.exit_code == 2 and "--set pejabat.sekretaris.nip: 'undangan' takes no value" in result.stderr
    assert "Its values: nomor, kepada, rapat.tanggal" in result.stderr
    result = sop("render", "undangan", "--run", run, "--values", values, "--set", "penandatangan=lurah")
    assert result.exit_code == 2 and "'lurah' is not an official of the register" in result.stderr
    bad = write(Path(values).parent / "bad.yaml", NGANJUK_VALUES + "sifat: {x: '1'}\n")
    result = sop("render", "undangan", "--run", run, "--values", bad)
    assert result.exit_code == 2 and "sifat: {'x': '1'} is not text" in result.stderr
    bad = write(Path(values).parent / "bad.yaml", NGANJUK_VALUES + "hal: 5\n")
    result = sop("render", "undangan", "--run", run, "--values", bad)
    assert result.exit_code == 2 and "hal: 5 is a number, not text" in result.stderr
    bad = write(Path(values).parent / "bad.yaml", NGANJUK_VALUES + "tembusan: 5\n")
    result = sop("render", "undangan", "--run", run, "--values", bad)
    assert result.exit_code == 2 and "tembusan: 5 is not a list" in result.stderr
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
    assert "nganjuk/kecamatan-ngronggot/renja step 4: Mengundang Kasi dan Kasubag" in out
    assert "lampung-tengah/diskominfo/renja step 12: Membuat surat pengantar" in out
    assert "required nomor [text]: nomor surat" in out and "optional rapat.acara [text]" in out
    rows = json.loads(sop("render", "--list", "renja", "--org", "ngronggot", "--json").stdout)
    steps = {row["type"]: [s["step"] for s in row["steps"]] for row in rows}
    assert steps == {"sop": [], "disposisi": [1], "format-data": [2], "undangan": [4], "persetujuan": [11], "pengantar": [12]}


def test_an_sop_carries_its_own_document_type_in_a_folder_beside_it(sop, monkeypatch, tmp_path):
    source = (REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml").read_text(encoding="utf-8")
    own = source.replace("    keterangan: SOP pengarsipan\n", "    keterangan: SOP pengarsipan\n    dokumen: tanda-terima\n")
    own = own.replace("id: renja\n", "id: renja-uji\n", 1)
    write(tmp_path / "own" / "renja-uji.yaml", own)
    write(tmp_path / "own" / "dokumen" / "tanda-terima.yaml",
          "judul: Tanda terima dokumen\npenandatangan: pelaksana\nnilai:\n"
          "  penerima: {jenis: text, wajib: true, arti: siapa yang menerima, contoh: Bappeda}\n"
          "  catatan: {jenis: text, bawaan: \"'-'\"}\n")
    write(tmp_path / "own" / "dokumen" / "tanda-terima.md",
          "Tanda terima {{ run.title }}: {{ nilai.penerima }} pada {{ tanggal | tanggal }}; "
          "{{ penandatangan.nama }}; opsional={{ nilai.catatan }}\n")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "own"))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T09:00")
    assert sop("validate", str(tmp_path / "own")).exit_code == 0
    assert sop("start", "nganjuk/kecamatan-ngronggot/renja-uji", "--at", "2026-11-23 08:00",
               "--assign", "kasubag-perencanaan=SITI AMINAH, S.E.").exit_code == 0
    listed = sop("render", "--list", "nganjuk/kecamatan-ngronggot/renja-uji").stdout
    assert "tanda-terima  Tanda terima dokumen" in listed and "step 14: Pengiriman dokumen" in listed
    assert "required penerima [text]: siapa yang menerima (e.g. Bappeda)" in listed
    # the run is at step 2: the document of step 14 waits for its step
    result = sop("render", "tanda-terima", "--run", "renja-uji", "--format", "md", "--set", "penerima=Bappeda")
    assert result.exit_code == 3 and "has not reached step 14" in result.stderr


def test_validate_refuses_a_dokumen_naming_no_type(sop, monkeypatch, tmp_path):
    monkeypatch.delenv("SOP_DEBUG", raising=False)
    source = (REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml").read_text(encoding="utf-8")
    write(tmp_path / "x" / "renja.yaml", source.replace("    dokumen: undangan\n", "    dokumen: sktm\n"))
    result = sop("validate", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert "renja.yaml:" in result.stdout and "langkah[3].dokumen: step 4 names document type 'sktm'" in result.stdout
    assert "0 of 1 SOP file(s) valid." in result.stdout


def test_a_broken_organisation_file_is_a_located_error(sop, monkeypatch, tmp_path):
    source = (REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml").read_text(encoding="utf-8")
    write(tmp_path / "x" / "renja.yaml", source)
    write(tmp_path / "x" / "organisasi.yaml", "pimpinan: camat\npejabat:\n  camat: {jabatan: Camat, nip: '123'}\n")
    result = sop("validate", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'x' / 'organisasi.yaml'}:3:" in result.stdout and "pejabat.camat.nip" in result.stdout


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
    kept_at = Path(result.stdout.split("kept at ", 1)[1].rstrip(")\n"))
    assert kept_at.is_file() and "LEMBAR PERSETUJUAN" in kept_at.read_text(encoding="utf-8")
    kept = json.loads(sop("log", "--run", run, "--json").stdout)[-1]["attachments"][0]
    assert "LEMBAR PERSETUJUAN" in (Path(sop_home_store(tmp_path)).parent / kept["path"]).read_text(encoding="utf-8")


def sop_home_store(tmp_path: Path) -> Path:
    return tmp_path / "sop-home" / "sop.db"


def test_render_sop_of_a_run_uses_its_pinned_definition(sop, nganjuk):
    run, _ = nganjuk
    html = rendered(sop, "sop", "--run", run)
    assert html.count('<svg class="flowrow"') == 14


def test_step_of_another_document_is_refused(sop, nganjuk):
    run, values = nganjuk
    result = sop("render", "disposisi", "--run", run, "--values", values, "--step", "10", "--format", "md")
    assert result.exit_code == 2 and "step 10 of nganjuk/kecamatan-ngronggot/renja" in result.stderr
    assert "does not output a disposisi; step 1 does." in result.stderr
    md = rendered(sop, "disposisi", "--run", run, "--values", values, "--step", "1", "--format", "md")
    assert "LEMBAR DISPOSISI" in md
    result = sop("render", "disposisi", "--run", run, "--values", values, "--step", "99")
    assert result.exit_code == 2 and "has no step 99" in result.stderr


def test_the_approval_sheet_waits_for_the_approval(sop, monkeypatch):
    monkeypatch.delenv("SOP_DEBUG", raising=False)
    run = make_run(sop, monkeypatch, upto=4)
    result = sop("render", "persetujuan", "--run", run)
    assert result.exit_code == 3 and result.stdout == ""
    assert "has not reached step 11" in result.stderr


def test_the_meeting_time_gets_the_zone_once(sop, nganjuk):
    run, values = nganjuk
    written = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "rapat.waktu=09.30 WIB", "--format", "md")
    assert "- waktu: 09.30 WIB s.d. selesai\n" in written
    bare = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "rapat.waktu=13.30",
                    "--set", "rapat.sampai=15.00", "--format", "md")
    assert "- waktu: 13.30 WIB s.d. 15.00\n" in bare


def test_render_list_is_complete_rendering_with_exactly_the_listed_values_succeeds(sop, nganjuk, tmp_path):
    run, _ = nganjuk
    rows = json.loads(sop("render", "--list", "--run", run, "--json").stdout)
    for row in rows:
        if row["type"] == "sop":
            continue
        required = [v for v in row["values"] if v["wajib"]]
        assert all(v["contoh"] for v in required), row["type"]
        args = [a for v in required for a in ("--set", f"{v['key']}={v['contoh']}")]
        result = sop("render", row["type"], "--run", run, *args)
        assert result.exit_code == 0, (row["type"], result.output)
        if required:  # and each one is needed
            result = sop("render", row["type"], "--run", run, *args[2:])
            assert result.exit_code == 2 and f"\n  {required[0]['key']}: " in result.stderr


def test_an_invitation_to_the_head_is_signed_by_the_head_not_on_his_behalf(sop, monkeypatch, tmp_path):
    run = make_run(sop, monkeypatch, LAMPUNG)
    values = write(tmp_path / "nilai.yaml", LAMPUNG_VALUES)  # kepada: [Kepala Dinas, ...]
    text = rendered(sop, "undangan", "--run", run, "--values", values, "--format", "md")
    assert "a.n." not in text and "Ir. HENDRA WIJAYA, M.M." in text
    text = rendered(sop, "undangan", "--run", run, "--values", values, "--set", "kepada=Para Kepala Bidang",
                    "--format", "md")
    assert "a.n. Kepala Dinas" in text and "Dra. RINA MARLINA" in text


def test_the_template_variables_are_documented(sop, nganjuk):
    from datetime import datetime, timezone

    from sop_cli.render.context import run_document_context
    from sop_cli.run.service import load_run

    run, _ = nganjuk
    state = load_run(run)
    ctx = run_document_context(state, state.sop.step(4), penandatangan={}, pimpinan={},
                               now=datetime(2026, 12, 10, tzinfo=timezone.utc))
    documented = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    internal = {"penandatangan_lane", "lane_pimpinan"}
    for key in sorted(set(ctx) - internal | {"nilai", "dokumen", "disetujui"}):
        assert f"`{key}`" in documented, key
    for key in ctx["org"]:
        assert key in documented, f"org.{key}"


def test_a_broken_manifest_is_a_located_error(sop, monkeypatch, tmp_path):
    source = (REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml").read_text(encoding="utf-8")
    write(tmp_path / "x" / "renja.yaml", source.replace("    dokumen: undangan\n", "    dokumen: sktm\n"))
    write(tmp_path / "x" / "dokumen" / "sktm.yaml", "judul: SKTM\nnilai:\n  nomor: {jenis: teks}\n")
    result = sop("validate", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'x' / 'dokumen' / 'sktm.yaml'}:3:" in result.stdout
    assert "nilai.nomor.jenis: 'teks': use one of text, date, number, list, person" in result.stdout


def test_a_nomor_already_on_another_kept_letter_of_the_run_is_warned_about(sop, nganjuk, tmp_path):
    run, values = nganjuk
    result = sop("render", "undangan", "--run", run, "--values", values, "--set", "nomor=005/9/2026", "--attach")
    assert result.exit_code == 0, result.output
    event = json.loads(sop("log", "--run", run, "--json").stdout)[-1]
    assert event["note"] == "Dokumen undangan dibuat dengan sop render; nomor 005/9/2026"
    result = sop("render", "pengantar", "--run", run, "--set", "nomor=005/9/2026", "--format", "md")
    assert result.exit_code == 0 and "SURAT PENGANTAR" in result.stdout
    assert "Warning: Nomor 005/9/2026 is already on the undangan kept with run" in result.stderr
    result = sop("render", "pengantar", "--run", run, "--set", "nomor=050/10/2026", "--format", "md")
    assert result.exit_code == 0 and "Warning" not in result.stderr
