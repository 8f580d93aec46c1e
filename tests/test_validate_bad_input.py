"""Every kind of broken SOP file gets a clear message with file and line, exit code 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sample import VALID, replace


def check(sop, tmp_path: Path, content: str | bytes, *expected: str) -> str:
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output
    return result.output


def test_the_sample_is_valid(sop, tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(VALID, encoding="utf-8")
    result = sop("validate", tmp_path / "ok.yaml")
    assert result.exit_code == 0, result.output
    assert "1 of 1 SOP file(s) valid." in result.output


CASES = {
    "malformed yaml": (replace("nama: Prosedur Uji", "nama: [Prosedur Uji"), ["bad.yaml:", "invalid YAML"]),
    "tab indentation": (replace("  id: kantor-uji", "\tid: kantor-uji"), ["bad.yaml:4:", "tab"]),
    "wrong type": (replace("  - no: 2", "  - no: dua"), ["bad.yaml:34:5:", "langkah[1].no", "valid integer", "'dua'"]),
    "unknown key": (replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntittle: x"), ["bad.yaml:3:1: tittle: unknown field"]),
    "missing field": (replace("    waktu: 1 hari\n", ""), ["bad.yaml:34:5:", "langkah[1].waktu: required field is missing"]),
    "duplicate key": (replace("nama: Prosedur Uji", "nama: Prosedur Uji\nnama: Lagi"), ["bad.yaml:3:1: duplicate key 'nama' (first written on line 2)"]),
    "unknown lane": (replace("    pelaksana: [staf]\n    asal_pelaksana: sumber\n    kelengkapan: Data",
                             "    pelaksana: [camat]\n    asal_pelaksana: sumber\n    kelengkapan: Data"),
                     ["bad.yaml:36:17:", "langkah[1].pelaksana[0]: step 2: lane 'camat' is not declared in pelaksana (declared: kepala, staf)"]),
    "dangling branch": (replace("    tidak: 2", "    tidak: 9"), ["bad.yaml:47:5:", "langkah[2].tidak: step 3: tidak points to step 9, which does not exist"]),
    "decision with one branch": (replace("    tidak: 2\n", ""), ["langkah[2]: step 3 is a keputusan and needs both branches; tidak is missing"]),
    "unreachable step": (replace("    ya: 4", "    ya: 2"), ["langkah[3]: step 4 cannot be reached from the start (step 1)"]),
    "loop with no way out": (replace("    simbol: selesai\n", "    berikutnya: 2\n"), ["no step has simbol: selesai", "never leads to the end"]),
    "bad duration": (replace("waktu: 1 jam", "waktu: sebentar"), ["bad.yaml:49:5:", "langkah[2].waktu", "'sebentar' is not a standard time", "1 hari kerja"]),
    "bad nip length": (replace('nip: "19700101 199503 1 002"', 'nip: "1970010119950310"'), ["bad.yaml:13:3:", "disahkan_oleh.nip", "must be 18 digits"]),
    "bad nip birth date": (replace('nip: "19700101 199503 1 002"', 'nip: "19701301 199503 1 002"'), ["disahkan_oleh.nip", "not a valid birth date"]),
    "bad nip sex digit": (replace('nip: "19700101 199503 1 002"', 'nip: "19700101 199503 3 002"'), ["disahkan_oleh.nip", "digit 15 (3) must be 1 (pria) or 2 (wanita)"]),
    "bad nip appointment": (replace('nip: "19700101 199503 1 002"', 'nip: "19700101 198003 1 002"'), ["disahkan_oleh.nip", "before the age of 18"]),
    "inferred lane without reason": (replace("    pelaksana: [staf]\n    asal_pelaksana: sumber", "    pelaksana: [staf]\n    asal_pelaksana: inferensi"),
                                     ["langkah[1]", "dasar_inferensi"]),
    "empty file": ("", ["bad.yaml:1:1: the file is empty"]),
    "only a comment": ("# nothing here\n", ["bad.yaml:1:1: the file holds no YAML document"]),
    "a list, not a mapping": ("- a\n- b\n", ["bad.yaml:1:1: an SOP file is a mapping of fields"]),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["bad.yaml:3:1: the file is binary"]),
    "not utf-8": ("nama: Kecamatan Ng\xf6nggot\n".encode("latin-1"), ["bad.yaml:1:1: the file is not UTF-8 text", "save it as UTF-8"]),
    "huge file": ("# " + "x" * 1_100_000 + "\n", ["bad.yaml: the file is larger than 1000 kB"]),
    "python object": (replace("nama: Prosedur Uji", "nama: !!python/object/apply:os.system [echo hacked]"),
                      ["bad.yaml:2:7: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"]),
    "python name tag": ("!!python/name:os.system\n", ["bad.yaml:1:1:", "is not allowed"]),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)), ["the document expands to more than 100000 values"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_explained(sop, tmp_path: Path, case: str) -> None:
    content, expected = CASES[case]
    check(sop, tmp_path, content, *expected)


def test_all_problems_of_a_file_are_reported_at_once(sop, tmp_path: Path) -> None:
    broken = replace("waktu: 1 jam", "waktu: lama", replace("  - no: 2", "  - no: dua", replace("nama: Prosedur Uji", "nama: Prosedur Uji\nwarna: merah")))
    output = check(sop, tmp_path, broken, "3 problems in this SOP file")
    lines = [line.split("bad.yaml:")[1] for line in output.splitlines() if "bad.yaml:" in line]
    assert [line.split(":")[0] for line in lines[1:]] == ["3", "35", "50"]


def test_one_bad_file_does_not_hide_the_good_ones(sop, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "a.yaml").write_text(VALID, encoding="utf-8")
    (folder / "b.yaml").write_text(replace("id: uji", "id: uji-dua", replace("waktu: 1 jam", "waktu: 1 abad")), encoding="utf-8")
    result = sop("validate", folder)
    assert result.exit_code == 1
    assert "ok    " in result.output and "a.yaml" in result.output
    assert "FAIL  " in result.output and "b.yaml:" in result.output
    assert "1 of 2 SOP file(s) valid." in result.output


def test_duplicate_qualified_ids_name_both_files(sop, tmp_path: Path) -> None:
    folder = tmp_path / "dup"
    folder.mkdir()
    (folder / "a.yaml").write_text(VALID, encoding="utf-8")
    (folder / "b.yaml").write_text(VALID, encoding="utf-8")
    result = sop("validate", folder)
    assert result.exit_code == 1
    assert "b.yaml:1:1: id: the SOP id 'kabupaten-uji/kantor-uji/uji' is already defined in" in result.output
    assert "a.yaml" in result.output


def test_missing_path_is_not_found(sop, tmp_path: Path) -> None:
    result = sop("validate", tmp_path / "nowhere.yaml")
    assert result.exit_code == 1  # the exit-code rule: not found is 1
    assert "nowhere.yaml: no such file or folder" in result.output


def test_the_key_no_is_a_name_not_false(sop, tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `no` as the boolean false; as a key it must stay the field name.
    (tmp_path / "ok.yaml").write_text(VALID, encoding="utf-8")
    assert sop("validate", tmp_path / "ok.yaml").exit_code == 0
