"""`sop new`: a new SOP file from flags or from answers in Indonesian, that validates and runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

FLAGS = [
    "new", "--org", "Kelurahan Entrop", "--pemerintah", "Pemerintah Kota Jayapura", "--zona", "WIT",
    "--nama", "Pelayanan Surat Keterangan Domisili", "--id", "domisili",
    "--lane", "pemohon=Pemohon", "--lane", "Petugas Loket", "--lane", "lurah=Lurah",
    "--step", "pemohon: Mengajukan permohonan | 5 menit | Berkas permohonan",
    "--step", "Petugas Loket: Memeriksa berkas | 15 menit | Berkas diperiksa",
    "--step", "3: Menandatangani surat | 1 jam | Surat keterangan domisili",
]


def run_to_the_end(sop, folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, steps: int) -> dict:
    monkeypatch.setenv("SOP_PATH", str(folder))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T09:00")
    started = sop("start", name, "--at", "2026-11-24T08:00", "--json")
    assert started.exit_code == 0, started.output
    run = json.loads(started.stdout)["run"]
    for no in range(1, steps + 1):
        result = sop("advance", "--run", run, "--step", str(no), "--at", f"2026-11-24T08:{no:02d}")
        assert result.exit_code == 0, result.output
    return json.loads(sop("status", "--run", run, "--json").stdout)


def test_flags_write_a_commented_file_that_validates_and_runs(sop, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "sops" / "domisili.yaml"
    out.parent.mkdir()
    result = sop(*FLAGS, "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "# Pelaksana: kolom-kolom bagan alir" in text and "# Unit kerja yang menerbitkan SOP." in text
    data = yaml.safe_load(text)
    assert data["organisasi"] == {"id": "kelurahan-entrop", "wilayah": "jayapura", "zona_waktu": "WIT",
                                  "pemerintah": "Pemerintah Kota Jayapura", "nama": "Kelurahan Entrop"}
    assert data["disahkan_oleh"]["jabatan"] == "Lurah Entrop"
    assert [lane["id"] for lane in data["pelaksana"]] == ["pemohon", "petugas-loket", "lurah"]
    from sop_cli.definition.loader import load_definition

    steps = load_definition(out).langkah
    assert [(s.no, s.simbol, s.pelaksana) for s in steps] == [
        (1, "mulai", ["pemohon"]), (2, "proses", ["petugas-loket"]), (3, "selesai", ["lurah"])]
    assert steps[1].kelengkapan == "Berkas permohonan"  # what the step before gave
    assert sop("validate", out).exit_code == 0
    status = run_to_the_end(sop, out.parent, monkeypatch, "domisili", 3)
    assert status["finished_at"] is not None
    # the six lists are still empty: the SOP document renders them as blanks to fill
    for fmt in ("html", "md"):
        page = tmp_path / f"domisili.{fmt}"
        rendered = sop("render", "sop", "domisili", "--format", fmt, "--out", page)
        assert rendered.exit_code == 0, rendered.output
        assert "Menandatangani surat" in page.read_text(encoding="utf-8")


def test_questions_in_indonesian_write_the_same_kind_of_file(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOP_LANG", raising=False)
    answers = "\n".join([
        "Kecamatan Contoh", "Pemerintah Kabupaten Nganjuk", "", "Penyusunan Renja", "",
        "Camat", "Sekretaris", "",          # lanes, then an empty answer ends them
        "2", "Menyusun rancangan", "dua hari", "2 hari", "Rancangan Renja",  # a bad waktu is asked again
        "camat", "Menetapkan Renja", "1 jam", "Renja",
        "",                                 # not a decision
        "",                                 # no more steps
        "rencana",                          # the kind: not a kind, asked again
        "",                                 # the kind inferred: perencanaan (no applicant starts it)
        "",                                 # the default signer
    ]) + "\n"
    out = tmp_path / "sops" / "renja.yaml"
    out.parent.mkdir()
    result = sop("new", "--out", out, input=answers)
    assert result.exit_code == 0, result.output
    assert "Nama SOP" in result.output and "Langkah 1" in result.output  # asked in Indonesian
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["id"] == "penyusunan-renja" and data["organisasi"]["wilayah"] == "nganjuk"
    assert data["organisasi"]["zona_waktu"] == "WIB" and data["disahkan_oleh"]["jabatan"] == "Camat Contoh"
    assert [s["pelaksana"] for s in data["langkah"]] == [["sekretaris"], ["camat"]]
    assert data["langkah"][0]["waktu"] == "2 hari"
    assert data["jenis"] == "perencanaan" and "Jawab layanan atau perencanaan" in result.output
    status = run_to_the_end(sop, out.parent, monkeypatch, "penyusunan-renja", 2)
    assert status["finished_at"] is not None


def test_english_prompts_with_sop_lang_en(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOP_LANG", "en")
    result = sop("new", "--org", "Kecamatan X", "--pemerintah", "Pemerintah Kabupaten Y",
                 "--lane", "camat=Camat", "--out", tmp_path / "x.yaml", input="Nama\nx\n")
    assert "Name of the SOP" in result.output


def test_an_organisation_of_the_catalog_is_copied(sop, tmp_path: Path, monkeypatch) -> None:
    from tests.conftest import REPO

    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    out = tmp_path / "baru.yaml"
    result = sop("new", "--org", "kelurahan-entrop", "--nama", "SOP Baru", "--lane", "lurah=Lurah",
                 "--step", "lurah: Mulai | 5 menit | A", "--step", "lurah: Selesai | 5 menit | B", "--out", out)
    assert result.exit_code == 0, result.output
    org = yaml.safe_load(out.read_text(encoding="utf-8"))["organisasi"]
    assert org["wilayah"] == "jayapura" and org["zona_waktu"] == "WIT"


@pytest.mark.parametrize(("extra", "code", "message"), [
    (["--step", "lurah: Mulai | 5 menit"], 2, "--step 'lurah: Mulai | 5 menit': write \"LANE: KEGIATAN | WAKTU | OUTPUT\""),
    (["--step", "camat: A | 5 menit | B", "--step", "lurah: C | 5 menit | D"], 2, "no lane 'camat'"),
    (["--step", "lurah: A | lima menit | B", "--step", "lurah: C | 5 menit | D"], 1, "langkah[0].waktu"),
    (["--step", "lurah: A | 5 menit | B"], 2, "at least two steps"),
    (["--step", "lurah: A | 5 menit | B", "--step", "lurah: C | 5 menit | D | ya=1"], 2, "tidak=N (a step number)"),
    (["--step", "lurah: A | 5 menit | B", "--step", "lurah: C | 5 menit | D | tidak=1"], 2, "step 2 cannot be a decision"),
    (["--step", "lurah: A | 5 menit | B", "--step", "lurah: C | 5 menit | D | tidak=9", "--step", "lurah: E | 5 menit | F"],
     1, "tidak points to step 9, which does not exist"),
])
def test_bad_flags_are_refused_and_nothing_is_written(sop, tmp_path: Path, monkeypatch, extra, code, message) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    out = tmp_path / "x.yaml"
    result = sop("new", "--org", "Kelurahan A", "--pemerintah", "Pemerintah Kota B", "--nama", "X",
                 "--lane", "lurah=Lurah", *extra, "--out", out)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert not out.exists()


def test_an_existing_file_is_kept_unless_forced(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    out = tmp_path / "domisili.yaml"
    out.write_text("mine\n", encoding="utf-8")
    result = sop(*FLAGS, "--out", out)
    assert result.exit_code == 3 and "exists" in result.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert sop(*FLAGS, "--out", out, "--force").exit_code == 0
    assert sop("validate", out).exit_code == 0


def test_any_text_is_written_as_typed(sop, tmp_path: Path) -> None:
    odd = 'Memeriksa "berkas": #1, {a}, [b] & \\ ok\tlagi'
    out = tmp_path / "odd.yaml"
    result = sop("new", "--org", "Kelurahan A", "--pemerintah", "Pemerintah Kota B", "--nama", "SOP: #uji",
                 "--lane", "lurah=Lurah: Kepala # kelurahan",
                 "--step", f"lurah: {odd} | 5 menit | Surat: #1", "--step", "lurah: Selesai | - | Arsip", "--out", out)
    assert result.exit_code == 0, result.output
    from sop_cli.definition.loader import load_definition

    sop_def = load_definition(out)
    assert sop_def.nama == "SOP: #uji" and sop_def.pelaksana[0].nama == "Lurah: Kepala # kelurahan"
    assert sop_def.langkah[0].kegiatan == " ".join(odd.split()) and sop_def.langkah[0].output == "Surat: #1"
    assert sop_def.langkah[1].waktu == "-"


def test_a_wrong_lane_answer_is_asked_again(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    answers = "\n".join(["9", "lurah", "Menerima", "5 menit", "Berkas", "1", "Menandatangani", "1 jam", "Surat", "", ""])
    out = tmp_path / "x.yaml"
    result = sop("new", "--org", "Kelurahan A", "--pemerintah", "Pemerintah Kota B", "--nama", "X",
                 "--lane", "lurah=Lurah", "--out", out, input=answers + "\n")
    assert result.exit_code == 0, result.output
    assert "Tidak ada pelaksana '9'" in result.output


def test_a_decision_asked_and_run_to_a_refusal(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    answers = "\n".join([
        "pemohon", "Mengajukan permohonan", "5 menit", "Berkas",
        "loket", "Memeriksa kelengkapan", "15 menit", "Berkas lengkap", "7", "selesai",  # 7: not an earlier step
        "",                                 # a decision cannot end the list
        "lurah", "Menandatangani surat", "1 jam", "Surat", "",
        "",
    ]) + "\n"
    folder = tmp_path / "sops"
    result = sop("new", "--org", "Kelurahan A", "--pemerintah", "Pemerintah Kota B", "--nama", "Surat Domisili",
                 "--lane", "pemohon=Pemohon", "--lane", "loket=Petugas Loket", "--lane", "lurah=Lurah",
                 "--out", folder / "domisili.yaml", input=answers)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((folder / "domisili.yaml").read_text(encoding="utf-8")).get("jenis") is None  # flags: inferred
    assert "Jawab dengan nomor langkah sebelumnya" in result.output
    assert "tidak dapat berupa keputusan" in result.output
    from sop_cli.definition.loader import load_definition

    decision = load_definition(folder / "domisili.yaml").step(2)
    assert (decision.simbol, decision.ya, decision.tidak) == ("keputusan", 3, "selesai")

    monkeypatch.setenv("SOP_PATH", str(folder))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T09:00")
    run = json.loads(sop("start", "surat-domisili", "--at", "2026-11-24T08:00", "--json").stdout)["run"]
    assert sop("advance", "--run", run, "--step", "1", "--at", "2026-11-24T08:05").exit_code == 0
    refused = sop("advance", "--run", run, "--step", "2", "--reject", "--reason", "KTP tidak ada", "--at", "2026-11-24T08:10")
    assert refused.exit_code == 0, refused.output
    assert json.loads(sop("status", "--run", run, "--json").stdout)["outcome"] == "ditolak"


def test_a_decision_by_flags_loops_back(sop, tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    result = sop("new", "--org", "Kelurahan A", "--pemerintah", "Pemerintah Kota B", "--nama", "X",
                 "--lane", "staf=Staf", "--lane", "lurah=Lurah",
                 "--step", "staf: Menyusun konsep | 1 jam | Konsep",
                 "--step", "lurah: Memeriksa konsep | 30 menit | Konsep diperiksa | tidak=1",
                 "--step", "staf: Mengirim | 5 menit | Surat", "--out", out)
    assert result.exit_code == 0, result.output
    from sop_cli.definition.loader import load_definition

    decision = load_definition(out).step(2)
    assert (decision.simbol, decision.ya, decision.tidak) == ("keputusan", 3, 1)


def test_sop_new_asks_the_kind_and_a_service_starts_cases(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    answers = "\n".join([
        "Kelurahan Contoh", "Pemerintah Kota Contoh", "WIT", "Pelayanan Surat Pengantar Nikah", "",
        "Pemohon", "Petugas Loket", "Lurah", "",
        "1", "Menyerahkan berkas", "5 menit", "Berkas",
        "2", "Memeriksa dan mencatat", "15 menit", "Berkas tercatat", "",
        "3", "Menandatangani surat pengantar", "1 jam", "Surat pengantar", "",
        "",
        "",                                 # the kind: layanan, inferred from the Pemohon's first step
        "",
    ]) + "\n"
    out = tmp_path / "sops" / "nikah.yaml"
    out.parent.mkdir()
    result = sop("new", "--out", out, input=answers)
    assert result.exit_code == 0, result.output
    assert "Jenis: layanan" in result.output and "[layanan]" in result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["jenis"] == "layanan"
    monkeypatch.setenv("SOP_PATH", str(out.parent))
    monkeypatch.setenv("SOP_NOW", "2026-12-06 10:00")
    first = sop("start", "pelayanan-surat-pengantar-nikah", "--untuk", "Ani", "--json")
    assert first.exit_code == 0, first.output
    assert __import__("json").loads(first.stdout)["run"] == "pelayanan-surat-pengantar-nikah-2026-0001"
