"""`sop list / show / validate / schema / org` as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, write
from tests.sample import VALID, replace

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMTENG = "lampung-tengah/diskominfo/renja"


def test_list_shows_both_shipped_sops(sop) -> None:
    result = sop("list", "--json")
    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert rows[NGANJUK]["langkah"] == 14 and rows[LAMTENG]["langkah"] == 13
    assert rows[NGANJUK]["organisasi"] == "Kecamatan Ngronggot"
    # 5+60+15+10+120+120 menit + 1 hari + 1 hari + 60+10+5+10+30+10 menit = 2 hari + 455 menit
    assert rows[NGANJUK]["waktu_total_menit"] == 2 * 450 + 455
    assert rows[NGANJUK]["waktu_total"] == "3 hari 5 menit"
    text = sop("list").output
    assert "Kecamatan Ngronggot" in text and "Penyusunan Rencana Kerja (Renja)" in text


def test_show_draws_the_swimlane_table(sop) -> None:
    result = sop("show", "renja", "--org", "ngronggot")
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ("800/ /411.512/SOP/2021", "MOHAMAD MAKRUP, S.Sos", "19690115 199003 1 008", "Dasar Hukum",
                 "Pencatatan dan Pendataan", "Mengoreksi konsepDokumen", "YA → 10, TIDAK → 8",
                 "SOP pengarsipan", "Waktu total (mutu baku): 3 hari 5 menit"):
        assert text in out, text
    lines = out.splitlines()
    step9 = next(line for line in lines if "Mengoreksi" in line)
    header = next(line for line in lines if line.split()[:2] == ["No", "Kegiatan"])
    # the decision symbol sits in the Sekretaris column (the first lane), not in the others
    symbol = step9.index("<◆>")
    assert header.index("Sekretaris") <= symbol + 1 < header.index("Sekretaris") + len("Sekretaris")
    assert "[▪]" not in step9 and "(●)" not in step9


def test_show_json_is_the_whole_definition(sop) -> None:
    data = json.loads(sop("show", LAMTENG, "--json").output)
    assert data["qualified_id"] == LAMTENG
    assert [s["waktu"] for s in data["langkah"]][:3] == ["10 Menit", "2 Jam", "1 Jam"]
    assert data["langkah"][7]["pelaksana"] == ["perencana", "staf"]


def test_ambiguous_short_id_lists_candidates(sop) -> None:
    result = sop("show", "renja")
    assert result.exit_code == 1
    assert "SOP 'renja' is defined by 2 organisations" in result.output
    assert NGANJUK in result.output and LAMTENG in result.output
    assert "say which one with --org, set a default with `sop org use ORG`" in result.output
    assert "Traceback" not in result.output


def test_the_catalog_names_no_flag_or_command_and_the_cli_adds_them(sop, tmp_path: Path, monkeypatch) -> None:
    from sop_cli.cli.wording import describe
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.errors import AmbiguousError, NotFoundError

    write(tmp_path / "sops" / "rusak.yaml", replace("waktu: 1 jam", "waktu: sejam"))
    monkeypatch.chdir(tmp_path)
    catalog = load_catalog()
    with pytest.raises(AmbiguousError) as ambiguous:
        catalog.resolve("renja")
    with pytest.raises(NotFoundError) as missing:
        catalog.resolve("renstra")
    for error, cli_words in ((ambiguous.value, "--org"), (missing.value, "run `sop validate`")):
        assert "--" not in str(error) and "`sop" not in str(error), str(error)
        assert cli_words in describe(error)
    assert NGANJUK in str(ambiguous.value) and LAMTENG in str(ambiguous.value)
    assert str(missing.value).endswith("(1 SOP file is invalid)")
    result = sop("show", "renstra")
    assert result.exit_code == 1 and "(1 SOP file is invalid: run `sop validate`)" in result.output


def test_default_organisation_resolves_short_ids(sop, isolated_home: Path) -> None:
    result = sop("org", "use", "diskominfo-lamteng")
    assert result.exit_code == 0
    assert "Default organisation: lampung-tengah/diskominfo" in result.output
    assert json.loads(sop("show", "renja", "--json").output)["qualified_id"] == LAMTENG
    assert json.loads((isolated_home / "settings.json").read_text())["org"] == "lampung-tengah/diskominfo"
    listing = json.loads(sop("org", "list", "--json").output)
    assert [row["id"] for row in listing if row["default"]] == ["lampung-tengah/diskominfo"]
    # --org beats the default
    assert json.loads(sop("show", "renja", "--org", "ngronggot", "--json").output)["qualified_id"] == NGANJUK
    assert sop("org", "use", "-").exit_code == 0
    assert sop("show", "renja").exit_code == 1


def test_sop_org_env_var(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_ORG", "nganjuk/kecamatan-ngronggot")
    assert json.loads(sop("show", "renja", "--json").output)["qualified_id"] == NGANJUK


def test_unknown_names_are_explained(sop) -> None:
    result = sop("show", "renstra")
    assert result.exit_code == 1
    assert "No SOP 'renstra'. Known SOPs: lampung-tengah/diskominfo/renja, nganjuk/kecamatan-ngronggot/renja." in result.output
    result = sop("org", "use", "atlantis")
    assert result.exit_code == 1 and "No organisation 'atlantis'" in result.output


def test_sop_path_and_local_sops_folder_extend_the_catalog(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "extra" / "uji.yaml", VALID)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "extra"))
    ids = [row["id"] for row in json.loads(sop("list", "--json").output)]
    assert "kabupaten-uji/kantor-uji/uji" in ids
    write(tmp_path / "sops" / "dua.yaml", replace("id: uji", "id: dua"))
    ids = [row["id"] for row in json.loads(sop("list", "--json").output)]
    assert "kabupaten-uji/kantor-uji/dua" in ids and len(ids) == 4
    # a short id unique in the catalog needs no --org
    assert json.loads(sop("show", "uji", "--json").output)["nama"] == "Prosedur Uji"


def test_an_invalid_file_in_the_catalog_is_reported_not_fatal(sop, tmp_path: Path) -> None:
    write(tmp_path / "sops" / "rusak.yaml", replace("waktu: 1 jam", "waktu: sejam"))
    result = sop("list", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 2
    assert "1 SOP file(s) are invalid and not listed; run `sop validate`" in result.stderr
    result = sop("validate")
    assert result.exit_code == 1 and "rusak.yaml:" in result.output and "sejam" in result.output


def test_validate_passes_on_the_shipped_catalog(sop) -> None:
    result = sop("validate")
    assert result.exit_code == 0, result.output
    assert "2 of 2 SOP file(s) valid." in result.output


def test_schema_describes_the_fields_and_matches_the_committed_copy(sop) -> None:
    result = sop("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert {"id", "nama", "organisasi", "langkah", "pelaksana", "disahkan_oleh"} <= set(schema["properties"])
    assert "Langkah" in schema["$defs"]
    committed = REPO / "docs" / "sop.schema.json"
    assert committed.read_text(encoding="utf-8") == result.output, "run: sop schema --out docs/sop.schema.json"


def test_version_and_help(sop) -> None:
    assert sop("--version").output.startswith("sop ")
    help_text = sop("--help").output
    for command in ("list", "show", "validate", "schema", "org"):
        assert command in help_text


def test_show_fits_a_narrow_terminal_and_keeps_kegiatan_readable(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = sop("show", LAMTENG).output
    assert max(len(line) for line in out.splitlines()) <= 100
    # the lanes do not fit side by side at 100 columns: one Pelaksana column names them
    header = next(line for line in out.splitlines() if line.split()[:2] == ["No", "Kegiatan"])
    assert header.split()[2] == "Pelaksana"
    assert "Memerintahkan penyusunan" in out


def test_validate_checks_a_copied_file_against_the_catalog_in_one_round(sop, tmp_path: Path) -> None:

    copy = tmp_path / "sops" / "kediri" / "kecamatan-pare" / "renja.yaml"
    copy.parent.mkdir(parents=True)
    text = (REPO / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml").read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    result = sop("validate", str(tmp_path / "sops"))
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # wrapped at words to the terminal
    assert "the SOP id 'nganjuk/kecamatan-ngronggot/renja' is already defined in the catalog by" in said
    assert "the file's folders say 'kediri/kecamatan-pare/renja' but the id inside is" in said
    # a lane error is reported together with a field error, not after it is fixed
    copy.write_text(text.replace("pelaksana: [camat]", "pelaksana: [bupati]", 1)
                    .replace("waktu: 5 menit", "waktu: lima menit", 1), encoding="utf-8")
    out = sop("validate", str(copy)).output
    assert "lane 'bupati' is not declared in pelaksana" in out and "waktu 'lima menit' is not a standard time" in out
    assert sop("validate", str(tmp_path / "missing.yaml")).exit_code == 1


def test_the_same_sop_file_under_two_paths_is_one_sop(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `pip install .` the package ships a copy of `sops/`; `sop validate sops/` in the
    checkout then sees each file twice (issue 22). The same bytes are one SOP; a changed copy is a
    real duplicate id."""
    import shutil


    shipped = tmp_path / "shipped"
    shutil.copytree(REPO / "sops", shipped)
    shutil.copytree(REPO / "sops", tmp_path / "sops")
    monkeypatch.setenv("SOP_PATH", str(shipped))
    checked = sop("validate", "sops/")
    assert checked.exit_code == 0, checked.output
    assert "already defined" not in checked.output and "2 of 2 SOP file(s) valid." in checked.output
    listed = sop("list")
    assert listed.exit_code == 0 and "invalid" not in listed.output

    changed = tmp_path / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml"
    changed.write_text(changed.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    checked = sop("validate", "sops/")
    assert checked.exit_code == 1 and "already defined" in checked.output
