"""`sop org lambang`, `sop org pejabat`, `sop org show`: an office gets a signable letter without
editing YAML; without a lambang the kop is text only and `render` says how to add one."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.test_office_files import PNG

OFFICE = Path("sop-home") / "organisasi" / "nganjuk" / "kecamatan-ngronggot"


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "lambang-nganjuk.png"
    path.write_bytes(base64.b64decode(PNG))
    return path


def test_without_a_lambang_the_kop_is_text_only_and_render_says_how_to_add_one(sop) -> None:
    result = sop("render", "sop", "renja", "--org", "ngronggot")
    assert result.exit_code == 0
    assert "lambang umum" not in result.stdout and "<svg class=\"lambang\"" not in result.stdout
    assert result.stderr.count("sop org lambang ngronggot FILE.png") == 1


def test_org_lambang_copies_a_checked_image_and_every_kop_prints_it(sop, tmp_path: Path) -> None:
    result = sop("org", "lambang", "ngronggot", _png(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / OFFICE / "lambang.png").read_bytes() == base64.b64decode(PNG)
    text = (tmp_path / OFFICE / "organisasi.yaml").read_text()
    assert "lambang: lambang.png" in text
    assert "# belum diketahui" in text and "kode_pos: null" in text  # the office's comments and nulls stay
    html = sop("render", "sop", "renja", "--org", "ngronggot")
    assert f'src="data:image/png;base64,{PNG}' in html.stdout and "lambang" not in html.stderr


def test_org_lambang_refuses_a_file_that_is_not_an_image(sop, tmp_path: Path) -> None:
    (tmp_path / "bukan.png").write_text("root:x:0:0\n")
    result = sop("org", "lambang", "ngronggot", tmp_path / "bukan.png")
    assert result.exit_code == 1
    assert "not an image" in result.stderr
    assert not (tmp_path / OFFICE).exists()


def test_org_pejabat_sets_the_register_and_the_letter_signs_with_it(sop, tmp_path: Path) -> None:
    result = sop("org", "pejabat", "ngronggot", "sekretaris", "--nama", "Drs. SUPRIYANTO",
                 "--nip", "19700512 199503 1 004", "--pangkat", "Penata Tk. I (III/d)")
    assert result.exit_code == 0, result.output
    text = (tmp_path / OFFICE / "organisasi.yaml").read_text()
    assert 'nip: "197005121995031004"' in text and "nama: Drs. SUPRIYANTO" in text
    shown = sop("org", "show", "ngronggot", "--json")
    import json

    data = json.loads(shown.stdout)
    assert data["file"] == str(tmp_path / OFFICE / "organisasi.yaml")  # the office's own copy
    assert data["pejabat"]["sekretaris"]["nama"] == "Drs. SUPRIYANTO"
    undangan = next(r for r in data["documents"] if r["type"] == "undangan")
    assert not [m for m in undangan["missing"] if m.get("key") == "sekretaris"]


def test_org_pejabat_refuses_a_bad_nip_and_keeps_the_file(sop, tmp_path: Path) -> None:
    result = sop("org", "pejabat", "ngronggot", "sekretaris", "--nip", "123")
    assert result.exit_code == 2
    assert "18 digits" in result.stderr
    assert not (tmp_path / OFFICE / "organisasi.yaml").exists()


def test_a_new_official_needs_a_jabatan(sop, tmp_path: Path) -> None:
    result = sop("org", "pejabat", "ngronggot", "kasi-pemerintahan", "--nama", "BUDI")
    assert result.exit_code == 2 and "--jabatan" in result.stderr
    ok = sop("org", "pejabat", "ngronggot", "kasi-pemerintahan", "--nama", "BUDI",
             "--jabatan", "Kepala Seksi Pemerintahan Kecamatan Ngronggot")
    assert ok.exit_code == 0, ok.output


def test_org_show_lists_what_each_document_still_lacks(sop) -> None:
    result = sop("org", "show", "lampung-tengah/diskominfo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    undangan = next(line for line in lines if line.strip().startswith("undangan"))
    assert "lambang" in undangan and "(sekretaris): name, NIP, pangkat" in undangan
    assert "sop org lambang" in result.stdout and "sop org pejabat" in result.stdout


def test_org_show_fits_80_columns(sop, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = sop("org", "show", "lampung-tengah/diskominfo")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "kepala-dinas" in result.stdout and "undangan (lampung-tengah/diskominfo/renja)" in result.stdout


def test_the_sop_document_s_pengesah_the_sop_file_leaves_unnamed_comes_from_the_register(sop) -> None:
    """Lampung's SOP file names only the jabatan of its pengesah (the Kepala Dinas): once the office
    sets him with `sop org pejabat`, the SOP document is signed with his name, pangkat and NIP, and
    `sop org show` no longer lists him as missing for it. A name the SOP file gives stays."""
    import json

    lampung = "lampung-tengah/diskominfo/renja"
    before = json.loads(sop("org", "show", "diskominfo-lamteng", "--json").stdout)
    row = next(r for r in before["documents"] if r["type"] == "sop")
    assert [m["fields"] for m in row["missing"] if m.get("key") == "kepala-dinas"] == [["nama", "nip", "pangkat"]]
    result = sop("org", "pejabat", "diskominfo-lamteng", "kepala-dinas", "--nama", "Drs. HENDRA WIJAYA, M.M.",
                 "--nip", "196808101994031007", "--pangkat", "Pembina Utama Muda (IV/c)")
    assert result.exit_code == 0, result.output
    html = sop("render", "sop", lampung).stdout
    assert "Drs. HENDRA WIJAYA, M.M." in html and "NIP. 19680810 199403 1 007" in html
    assert "Pembina Utama Muda (IV/c)" in html
    after = json.loads(sop("org", "show", "diskominfo-lamteng", "--json").stdout)
    row = next(r for r in after["documents"] if r["type"] == "sop")
    assert not [m for m in row["missing"] if m["what"] == "pejabat"]
    # Ngronggot's SOP file names its Camat with the pangkat as written on the signed SOP
    sop("org", "pejabat", "ngronggot", "camat", "--pangkat", "Pembina Utama Muda (IV/c)")
    assert "Pembina TK I" in sop("render", "sop", "nganjuk/kecamatan-ngronggot/renja").stdout


def test_org_show_names_who_signs_the_report_as_its_maker(sop) -> None:
    """The report is signed "Yang membuat" by the lane doing most steps (Lampung's Staf), so
    `sop org show` lists that official beside the head until the register names him."""
    import json

    data = json.loads(sop("org", "show", "diskominfo-lamteng", "--json").stdout)
    report = next(r for r in data["documents"] if r["type"] == "report")
    assert {m["key"] for m in report["missing"] if m["what"] == "pejabat"} == {"kepala-dinas", "staf"}
    made = sop("org", "pejabat", "diskominfo-lamteng", "staf", "--jabatan", "Pranata Komputer", "--nama", "DEWI LESTARI",
               "--nip", "199203142019032015", "--pangkat", "Penata Muda (III/a)")
    assert made.exit_code == 0, made.output
    data = json.loads(sop("org", "show", "diskominfo-lamteng", "--json").stdout)
    report = next(r for r in data["documents"] if r["type"] == "report")
    assert {m["key"] for m in report["missing"] if m["what"] == "pejabat"} == {"kepala-dinas"}


def test_org_kop_sets_the_contacts_every_kop_prints_and_show_stops_asking(sop, tmp_path: Path) -> None:
    import json

    asked = sop("org", "show", "ngronggot")
    assert "sop org kop ngronggot" in asked.stdout and "--telepon '...'" in asked.stdout
    result = sop("org", "kop", "ngronggot", "--telepon", "(0358) 551234", "--email", "kec.ngronggot@nganjukkab.go.id",
                 "--laman", "ngronggot.nganjukkab.go.id")
    assert result.exit_code == 0, result.output
    assert "(0358) 551234" in result.stdout
    text = (tmp_path / OFFICE / "organisasi.yaml").read_text()
    assert 'telepon: "(0358) 551234"\n' in text  # text, not a number; its "belum diketahui" comment gone
    data = json.loads(sop("org", "show", "ngronggot", "--json").stdout)
    assert (data["kop"]["telepon"], data["kop"]["laman"]) == ("(0358) 551234", "ngronggot.nganjukkab.go.id")
    assert not [m for row in data["documents"] for m in row["missing"] if m["what"] == "kop"]
    assert "sop org kop" not in sop("org", "show", "ngronggot").stdout
    html = sop("render", "sop", "renja", "--org", "ngronggot").stdout
    assert "Telepon (0358) 551234" in html and "kec.ngronggot@nganjukkab.go.id" in html
    # '' clears one; a bad e-mail is refused and nothing is written
    assert sop("org", "kop", "ngronggot", "--laman", "").exit_code == 0
    assert json.loads(sop("org", "show", "ngronggot", "--json").stdout)["kop"].get("laman") is None
    before = (tmp_path / OFFICE / "organisasi.yaml").read_bytes()
    refused = sop("org", "kop", "ngronggot", "--email", "bukan surel", "--telepon", "1")
    assert refused.exit_code == 2 and "--email" in refused.stderr
    assert (tmp_path / OFFICE / "organisasi.yaml").read_bytes() == before
    assert sop("org", "kop", "ngronggot").exit_code == 2  # nothing to set


def test_a_lane_not_yet_in_the_register_is_asked_for_with_its_jabatan(sop) -> None:
    hint = next(line for line in sop("org", "show", "diskominfo").stdout.replace("\n    ", " ").splitlines()
                if "sop org pejabat diskominfo-lamteng staf" in line)
    assert "--jabatan '...'" in hint
    refused = sop("org", "pejabat", "diskominfo", "staf", "--nama", "ANI")
    assert refused.exit_code == 2
    assert "--jabatan 'Staf Dinas Komunikasi Informatika dan Statistik'" in refused.stderr  # this office's, not Ngronggot's
    assert sop("org", "pejabat", "diskominfo", "staf", "--nama", "ANI", "--jabatan",
               "Staf Dinas Komunikasi Informatika dan Statistik").exit_code == 0
    after = next(line for line in sop("org", "show", "diskominfo").stdout.replace("\n    ", " ").splitlines()
                 if "sop org pejabat diskominfo-lamteng staf" in line)
    assert "--jabatan" not in after  # in the register now: its NIP and pangkat are still asked for
