"""Hostile SOP files: every one ends in a located error with exit 1, never exit 70, and never hides
the other SOP files of the catalog."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO, write
from tests.hostile import as_user, invoke, run_sop
from tests.sample import VALID, replace


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


def validate(sop, tmp_path: Path, content: str | bytes, name: str = "bad.yaml"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return invoke(sop, "validate", path)


UNBUILDABLE = {
    "impossible date": (VALID.replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntanggal_pembuatan: 2026-02-30"),
                        "bad.yaml:3:20: invalid date '2026-02-30' (day is out of range for month)"),
    "month 13": (VALID.replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntanggal_revisi: 2026-13-01"),
                 "bad.yaml:3:17: invalid date '2026-13-01' (month must be in 1..12)"),
    "holiday on 31 April": (replace("  alias: [uji]", "  alias: [uji]\n  hari_libur:\n    - {tanggal: 2026-04-31, nama: Hari Jadi}"),
                            "bad.yaml:10:17: invalid date '2026-04-31'"),
    "!!int abc": (replace("  - no: 2", "  - no: !!int abc"), "bad.yaml:34:9: invalid value 'abc' for the tag !!int: not a valid integer"),
    "!!bool maybe": (VALID.replace("nama: Prosedur Uji", "nama: !!bool maybe"), "bad.yaml:2:7: invalid value 'maybe' for the tag !!bool"),
    "!!timestamp foo": (VALID.replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntanggal_efektif: !!timestamp foo"),
                        "bad.yaml:3:18: invalid date 'foo'"),
    "!!float abc": (VALID.replace("nama: Prosedur Uji", "nama: !!float abc"), "bad.yaml:2:7: invalid value 'abc' for the tag !!float"),
    "an int past Python's digit limit": (VALID.replace("nama: Prosedur Uji", "nama: !!int " + "9" * 5000),
                                         "bad.yaml:2:7: invalid value '99999"),
}


@pytest.mark.parametrize("case", sorted(UNBUILDABLE))
def test_values_yaml_cannot_build_are_located_errors(sop, tmp_path: Path, case: str) -> None:
    content, expected = UNBUILDABLE[case]
    ran = validate(sop, tmp_path, content)
    assert ran.code == 1, ran.output
    assert ran.stdout.startswith(f"FAIL  {tmp_path / expected}"), ran.output
    assert "Internal error" not in ran.output and "Traceback" not in ran.output


@pytest.mark.parametrize("text", [
    "a: " + "[" * 600 + "]" * 600 + "\n",
    "a:\n" + "".join("  " * i + "- \n" for i in range(1, 600)),
    "a: " + "{b: " * 300 + "1" + "}" * 300 + "\n",
    "a: " + "[" * 80 + "]" * 80 + "\n",  # under the recursion limit, over the depth bound
])
def test_deep_nesting_is_refused_with_its_location(sop, tmp_path: Path, text: str) -> None:
    ran = validate(sop, tmp_path, text)
    assert ran.code == 1, ran.output
    assert "nested more than 64 levels deep" in ran.first, ran.output
    assert ran.first.startswith(f"FAIL  {tmp_path / 'bad.yaml'}:")
    line, column = ran.first.split("bad.yaml:", 1)[1].split(":")[:2]
    assert int(line) >= 1 and int(column) >= 1


@pytest.mark.parametrize(("value", "message"), [
    ("true", "langkah[1].no: Input should be a valid integer, got bool True"),
    ("18446744073709551616", "langkah[1].no: Input should be less than or equal to 9999"),
    ("0", "langkah[1].no: Input should be greater than or equal to 1"),
    ("2.5", "langkah[1].no: Input should be a valid integer"),
])
def test_step_numbers_are_integers_the_store_can_hold(sop, tmp_path: Path, value: str, message: str) -> None:
    ran = validate(sop, tmp_path, replace("  - no: 2", f"  - no: {value}"))
    assert ran.code == 1
    assert f"bad.yaml:34:5: {message}" in ran.stdout, ran.output


def test_a_branch_number_past_the_bound_is_refused(sop, tmp_path: Path) -> None:
    ran = validate(sop, tmp_path, replace("    tidak: 2", "    tidak: 99999999999999999999"))
    assert ran.code == 1 and "langkah[2].tidak: Input should be less than or equal to 9999" in ran.stdout, ran.output


@pytest.mark.parametrize("dokumen", ["/abs/path/evil", "sub/evil", "../evil", "..", ".hidden", "a\\b", "evil\nx"])
def test_a_document_name_is_a_name_not_a_path(sop, tmp_path: Path, dokumen: str) -> None:
    quoted = '"' + dokumen.replace("\\", "\\\\").replace("\n", "\\n") + '"'
    ran = validate(sop, tmp_path, VALID.replace("    simbol: selesai", f"    simbol: selesai\n    dokumen: {quoted}"))
    assert ran.code == 1, ran.output
    assert "langkah[3].dokumen:" in ran.stdout and "is not a document name" in ran.stdout, ran.output
    assert f"{tmp_path / 'bad.yaml'}:56:5:" in ran.stdout


def test_a_plain_document_name_is_accepted(sop, tmp_path: Path) -> None:
    # an SOP's own document type lives in dokumen/ beside the SOP file (see docs/templates.md)
    write(tmp_path / "dokumen" / "tanda-terima.yaml", "judul: Tanda Terima\n")
    write(tmp_path / "dokumen" / "tanda-terima.md", "# Tanda terima\n")
    ran = validate(sop, tmp_path, VALID.replace("    simbol: selesai", "    simbol: selesai\n    dokumen: tanda-terima"))
    assert ran.code == 0, ran.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_called_utf16_not_binary(sop, tmp_path: Path, encoding: str) -> None:
    ran = validate(sop, tmp_path, VALID.encode(encoding))
    assert ran.code == 1
    assert ran.first == f"FAIL  {tmp_path / 'bad.yaml'}:1:1: the file is UTF-16 text; save it as UTF-8"


def test_a_fifo_is_not_a_regular_file_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    ran = run_sop("validate", fifo, timeout=30)
    assert ran.code == 1, ran.output
    assert ran.first == f"FAIL  {fifo}: not a regular file (a named pipe); YAML is read from a text file"


def test_dev_zero_is_not_a_regular_file(tmp_path: Path) -> None:
    ran = run_sop("validate", "/dev/zero", timeout=30)
    assert ran.code == 1, ran.output
    assert ran.first == "FAIL  /dev/zero: not a regular file (a device); YAML is read from a text file"


def test_a_folder_named_like_an_sop_file(sop, tmp_path: Path) -> None:
    (tmp_path / "renja.yaml").mkdir()
    ran = invoke(sop, "validate", tmp_path / "renja.yaml")
    assert ran.code == 1, ran.output
    assert ran.first == f"FAIL  {tmp_path / 'renja.yaml'}: a folder (a folder named like an SOP file) with no SOP files (*.yaml, *.yml) in it"
    assert "0 of 1 SOP file(s) valid." in ran.stdout


def test_a_folder_named_like_an_sop_file_inside_a_folder_is_reported(sop, tmp_path: Path) -> None:
    folder = tmp_path / "sops"
    (folder / "renja.yaml").mkdir(parents=True)
    (folder / "ok.yaml").write_text(VALID, encoding="utf-8")
    ran = invoke(sop, "validate", folder)
    assert ran.code == 1
    assert f"FAIL  {folder / 'renja.yaml'}: is a folder, not a YAML file" in ran.stdout, ran.output
    assert "1 of 2 SOP file(s) valid." in ran.stdout


def test_a_folder_of_looping_symlinks_is_reported_not_counted_as_zero(sop, tmp_path: Path) -> None:
    folder = tmp_path / "loops"
    folder.mkdir()
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    (folder / "up").symlink_to(folder)  # a folder link back to itself: followed once
    (folder / "dangling.yml").symlink_to(tmp_path / "gone.yml")
    ran = invoke(sop, "validate", folder)
    assert ran.code == 1, ran.output
    assert f"FAIL  {folder / 'a.yaml'}: cannot be read: a symbolic link that loops" in ran.stdout
    assert f"FAIL  {folder / 'b.yaml'}: cannot be read: a symbolic link that loops" in ran.stdout
    assert f"FAIL  {folder / 'dangling.yml'}: cannot be read: a symbolic link to" in ran.stdout
    assert "0 of 3 SOP file(s) valid." in ran.stdout


def test_an_empty_folder_given_to_validate_fails(sop, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    ran = invoke(sop, "validate", tmp_path / "empty")
    assert ran.code == 1 and "no SOP files (*.yaml, *.yml) in it" in ran.first, ran.output


def test_validate_reports_each_file_of_several(sop, tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text(VALID, encoding="utf-8")
    bad = tmp_path / "b.yaml"
    bad.write_text(VALID.replace("nama: Prosedur Uji", "nama: !!bool maybe"), encoding="utf-8")
    ran = invoke(sop, "validate", good, bad)
    assert ran.code == 1
    assert f"ok    {good}" in ran.stdout
    assert f"FAIL  {bad}:2:7: invalid value 'maybe'" in ran.stdout
    assert "1 of 2 SOP file(s) valid." in ran.stdout


BAD_FILES = {
    "date.yaml": VALID.replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntanggal_pembuatan: 2026-02-30"),
    "deep.yaml": "a: " + "[" * 600 + "]" * 600 + "\n",
    "utf16.yaml": VALID.encode("utf-16"),
    "tag.yaml": "id: !!int abc\n",
}


@pytest.fixture
def hostile_sops(tmp_path: Path) -> Path:
    """A ./sops folder holding one valid SOP and one of each kind of bad file, a FIFO and a loop."""
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "ok.yaml").write_text(VALID, encoding="utf-8")
    for name, content in BAD_FILES.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    os.mkfifo(folder / "fifo.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    return folder


def test_list_keeps_working_with_bad_files_in_the_catalog(sop, hostile_sops: Path) -> None:
    ran = invoke(sop, "list")
    assert ran.code == 0, ran.output
    assert "kabupaten-uji/kantor-uji/uji" in ran.stdout
    assert "nganjuk/kecamatan-ngronggot/renja" in ran.stdout
    assert ran.stderr == "Warning: 6 SOP file(s) are invalid and not listed; run `sop validate`.\n"


def test_start_of_other_sops_keeps_working_with_bad_files_in_the_catalog(sop, hostile_sops: Path) -> None:
    for name in ("uji", "nganjuk/kecamatan-ngronggot/renja"):
        ran = invoke(sop, "start", name, "--at", "2026-11-23 08:00", "--json")
        assert ran.code == 0, ran.output


def test_validate_of_the_catalog_names_every_bad_file(sop, hostile_sops: Path) -> None:
    ran = invoke(sop, "validate")
    assert ran.code == 1
    failed = [line for line in ran.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 6, ran.stdout
    for name in (*BAD_FILES, "fifo.yaml", "loop.yaml"):
        assert any(f"sops/{name}" in line for line in failed), name
    assert "3 of 9 SOP file(s) valid." in ran.stdout


def test_a_bad_file_on_sop_path_as_a_user_runs_it(tmp_path: Path, hostile_sops: Path) -> None:
    ran = run_sop("list", cwd=tmp_path / "sops", env={"SOP_PATH": str(hostile_sops), "SOP_HOME": str(tmp_path / "h")})
    assert ran.code == 0, ran.output
    assert "kabupaten-uji/kantor-uji/uji" in ran.stdout
    assert ran.first == "Warning: 6 SOP file(s) are invalid and not listed; run `sop validate`."


def test_shipped_catalog_is_untouched(sop) -> None:
    assert invoke(sop, "validate").code == 0
    assert (REPO / "sops").is_dir()


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_values_that_are_not_a_file_are_named_for_what_they_are(sop, monkeypatch, tmp_path: Path, kind: str) -> None:
    from tests.test_report import make_run

    run = make_run(sop, monkeypatch, upto=1)
    target = {"folder": tmp_path / "nilai", "fifo": tmp_path / "nilai.fifo", "device": Path("/dev/zero")}[kind]
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    ran = invoke(sop, "render", "undangan", "--run", run, "--values", target)
    assert ran.code == 2, ran.output
    expected = "is a folder, not a YAML file" if kind == "folder" else "not a regular file"
    assert ran.first.startswith(f"Error: --values {target}: {target}: ") and expected in ran.first, ran.first
    assert "no such file" not in ran.output
