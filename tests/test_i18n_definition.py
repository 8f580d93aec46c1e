"""Bahasa Indonesia first, for what `sop_cli/definition` says: `sop validate`'s located problems
(pydantic's own included), YAML loading errors, catalog errors, standard times, NIP, flow checks,
pinned forms and `sop new`'s refusals. Indonesian by default; `SOP_LANG=en` gives the English."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.sample import VALID, replace
from tests.test_validate_bad_input import check

LAMTENG = "lampung-tengah/diskominfo/renja"


@pytest.fixture
def indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")


def validate(sop, tmp_path: Path, content: str | bytes) -> str:
    """`sop validate` on a bad file: exit 1, no traceback; its output."""
    return check(sop, tmp_path, content)


# (file content, Indonesian fragments, English fragments): the same problem in both languages.
CASES = {
    "wrong type": (
        replace("  - no: 2", "  - no: dua"),
        ["bad.yaml:34:5: langkah[1].no: harus berupa bilangan bulat, bukan teks 'dua'"],
        ["bad.yaml:34:5: langkah[1].no: Input should be a valid integer, got str 'dua'"],
    ),
    "unknown field": (
        replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntittle: x"),
        ["bad.yaml:3:1: tittle: kolom tidak dikenal (periksa ejaannya"],
        ["bad.yaml:3:1: tittle: unknown field (check the spelling"],
    ),
    "missing field": (
        replace("    waktu: 1 hari\n", ""),
        ["bad.yaml:34:5: langkah[1].waktu: kolom wajib tidak ada", "1 masalah dalam berkas SOP ini:"],
        ["bad.yaml:34:5: langkah[1].waktu: required field is missing", "1 problem in this SOP file:"],
    ),
    "literal": (
        replace("  alias: [uji]", "  alias: [uji]\n  zona_waktu: WIBB"),
        ["organisasi.zona_waktu: harus 'WIB', 'WITA' atau 'WIT'"],
        ["organisasi.zona_waktu: Input should be 'WIB', 'WITA' or 'WIT'"],
    ),
    "empty text": (
        replace("    kelengkapan: Data", "    kelengkapan: ''"),
        ["langkah[1].kelengkapan: teks harus berisi paling sedikit 1 karakter"],
        ["langkah[1].kelengkapan: String should have at least 1 character"],
    ),
    "empty list": (
        replace("    pelaksana: [staf]", "    pelaksana: []"),
        ["langkah[1].pelaksana: daftar harus berisi paling sedikit 1 butir, bukan 0"],
        ["langkah[1].pelaksana: List should have at least 1 item after validation, not 0"],
    ),
    "not a mapping": (
        replace("disahkan_oleh:\n  jabatan: Kepala Kantor Uji\n  nama: BUDI SANTOSO, S.E.\n  pangkat: Pembina (IV/a)\n"
                "  nip: \"19700101 199503 1 002\"", "disahkan_oleh: Kepala Kantor Uji"),
        ["disahkan_oleh: harus berupa pemetaan kolom (kunci: nilai), bukan teks 'Kepala Kantor Uji'"],
        ["disahkan_oleh: Input should be a valid dictionary or instance of Pejabat"],
    ),
    "boolean": (
        replace("    nama: Staf", "    nama: Staf\n    eksternal: kadang"),
        ["pelaksana[1].eksternal: harus berupa boolean (true/false); nilainya tidak dapat dibaca sebagai boolean, "
         "bukan teks 'kadang'"],
        ["pelaksana[1].eksternal: Input should be a valid boolean, unable to interpret input, got str 'kadang'"],
    ),
    "step number too small": (
        replace("    tidak: 2", "    tidak: 0"),
        ["langkah[2].tidak: harus lebih besar dari atau sama dengan 1"],
        ["langkah[2].tidak: Input should be greater than or equal to 1"],
    ),
    "step number too large": (
        replace("    ya: 4", "    ya: 100000"),
        ["langkah[2].ya: harus lebih kecil dari atau sama dengan 9999"],
        ["langkah[2].ya: Input should be less than or equal to 9999"],
    ),
    "union of a name and a schedule": (
        replace("  alias: [uji]", "  alias: [uji]\n  jam_kerja:\n    ramadan: 5"),
        ["organisasi.jam_kerja.ramadan: harus 'asn'; atau harus berupa pemetaan (kunci: nilai), bukan bilangan bulat 5"],
        ["organisasi.jam_kerja.ramadan: Input should be 'asn'; or Input should be a valid dictionary, got int 5"],
    ),
    "date": (
        replace("  alias: [uji]", "  alias: [uji]\n  jam_kerja:\n    awal_ramadan: [2026-2-1]"),
        ["organisasi.jam_kerja.awal_ramadan[0]: harus berupa tanggal YYYY-MM-DD (teksnya terlalu pendek), "
         "bukan teks '2026-2-1'"],
        ["organisasi.jam_kerja.awal_ramadan[0]: Input should be a valid date or datetime, input is too short, "
         "got str '2026-2-1'"],
    ),
    "bad id": (
        replace("id: uji\n", "id: Uji Coba\n"),
        ["bad.yaml:1:1: id: 'Uji Coba' bukan kode yang sah: pakai huruf kecil, angka dan tanda hubung tunggal"],
        ["bad.yaml:1:1: id: 'Uji Coba' is not an id: use lower-case letters, digits and single hyphens"],
    ),
    "unknown lane": (
        replace("    pelaksana: [staf]\n    asal_pelaksana: sumber\n    kelengkapan: Data",
                "    pelaksana: [camat]\n    asal_pelaksana: sumber\n    kelengkapan: Data"),
        ["langkah[1].pelaksana[0]: langkah 2: pelaksana 'camat' tidak dinyatakan di pelaksana "
         "(yang dinyatakan: kepala, staf)"],
        ["langkah[1].pelaksana[0]: step 2: lane 'camat' is not declared in pelaksana (declared: kepala, staf)"],
    ),
    "dangling branch": (
        replace("    tidak: 2", "    tidak: 9"),
        ["bad.yaml:47:5: langkah[2].tidak: langkah 3: tidak menunjuk langkah 9, yang tidak ada"],
        ["bad.yaml:47:5: langkah[2].tidak: step 3: tidak points to step 9, which does not exist"],
    ),
    "unreachable step": (
        replace("    ya: 4", "    ya: 2"),
        ["langkah[3]: langkah 4 tidak dapat dicapai dari awal (langkah 1)"],
        ["langkah[3]: step 4 cannot be reached from the start (step 1)"],
    ),
    "loop with no way out": (
        replace("    simbol: selesai\n", "    berikutnya: 2\n"),
        ["tidak ada langkah dengan simbol: selesai (akhir)", "tidak pernah sampai ke akhir (putaran tanpa jalan keluar)"],
        ["no step has simbol: selesai (the end)", "never leads to the end (a loop with no way out)"],
    ),
    "bad waktu": (
        replace("waktu: 1 jam", "waktu: sebentar"),
        ["bad.yaml:49:5: langkah[2].waktu: waktu 'sebentar' bukan waktu baku; tulis sebagai \"5 menit\"",
         "\"1 hari\" (atau \"1 hari kerja\")", "untuk langkah tanpa waktu tetap"],
        ["bad.yaml:49:5: langkah[2].waktu: waktu 'sebentar' is not a standard time; write it as \"5 menit\"",
         "for a step with no fixed time"],
    ),
    "waktu with a decimal point": (
        replace("waktu: 1 jam", "waktu: 1.5 jam"),
        ["waktu '1.5 jam': tulis pecahan desimal dengan koma, seperti \"1,5 jam\""],
        ["waktu '1.5 jam': write a decimal with a comma, as in \"1,5 jam\""],
    ),
    "waktu too long": (
        replace("waktu: 1 jam", "waktu: 300 hari"),
        ["waktu '300 hari' lebih lama daripada yang dapat dimakan satu langkah: paling lama 260 hari"],
        ["waktu '300 hari' is longer than a step can take: at most 260 hari (about a year)"],
    ),
    "waktu range backwards": (
        replace("waktu: 1 jam", "waktu: 3-2 hari"),
        ["waktu '3-2 hari': rentangnya dari besar ke kecil; tulis ujung yang lebih kecil lebih dahulu"],
        ["waktu '3-2 hari': the range goes from more to less; write the smaller end first"],
    ),
    "nip length": (
        replace('nip: "19700101 199503 1 002"', 'nip: "1970010119950310"'),
        ["bad.yaml:13:3: disahkan_oleh.nip: NIP '1970010119950310' harus 18 angka (mis. 19690115 199003 1 008)"],
        ["bad.yaml:13:3: disahkan_oleh.nip: NIP '1970010119950310' must be 18 digits"],
    ),
    "nip sex digit": (
        replace('nip: "19700101 199503 1 002"', 'nip: "19700101 199503 3 002"'),
        ["angka ke-15 (3) harus 1 (pria) atau 2 (wanita)"],
        ["digit 15 (3) must be 1 (pria) or 2 (wanita)"],
    ),
    "nip appointment": (
        replace('nip: "19700101 199503 1 002"', 'nip: "19700101 198003 1 002"'),
        ["pengangkatan 1980-03 sebelum usia 18 tahun (lahir 1970-01-01)"],
        ["appointment 1980-03 is before the age of 18 (born 1970-01-01)"],
    ),
    "tab indentation": (
        replace("  id: kantor-uji", "\tid: kantor-uji"),
        ["bad.yaml:4:1: YAML tidak sah: ", "buat indentasi dengan spasi, bukan tab"],
        ["bad.yaml:4:1: invalid YAML: found character '\\t' that cannot start any token", "indent with spaces, not tabs"],
    ),
    "unclosed list": (
        replace("nama: Prosedur Uji", "nama: [Prosedur Uji"),
        ["YAML tidak sah: seharusnya ',' atau ']', tetapi ditemukan"],
        ["invalid YAML: expected ',' or ']', but got"],
    ),
    "colon in a text": (
        replace("nama: Prosedur Uji", "nama: Prosedur: Uji"),
        ["bad.yaml:2:15: YAML tidak sah: nilai (sesudah ':') tidak boleh berada di sini"],
        ["bad.yaml:2:15: invalid YAML: mapping values are not allowed here"],
    ),
    "duplicate key": (
        replace("nama: Prosedur Uji", "nama: Prosedur Uji\nnama: Lagi"),
        ["bad.yaml:3:1: kunci 'nama' ganda (pertama ditulis di baris 2)"],
        ["bad.yaml:3:1: duplicate key 'nama' (first written on line 2)"],
    ),
    "python tag": (
        replace("nama: Prosedur Uji", "nama: !!python/object/apply:os.system [echo hacked]"),
        ["bad.yaml:2:7: tag 'tag:yaml.org,2002:python/object/apply:os.system' tidak diizinkan; "
         "berkas SOP hanya berisi data biasa"],
        ["bad.yaml:2:7: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"],
    ),
    "merge key": (
        "a: &a {x: 1}\nb:\n  <<: *a\n",
        ["bad.yaml:3:3: kunci gabungan (<<) tidak didukung dalam berkas SOP"],
        ["bad.yaml:3:3: merge keys (<<) are not supported in SOP files"],
    ),
    "impossible date": (
        replace("nama: Prosedur Uji", "nama: Prosedur Uji\ntanggal_revisi: 2026-02-30"),
        ["bad.yaml:3:17: tanggal '2026-02-30' tidak sah (tanggal di luar rentang hari bulan itu); tulis tanggal yang benar"],
        ["bad.yaml:3:17: invalid date '2026-02-30' (day is out of range for month); write a real date"],
    ),
    "empty file": ("", ["bad.yaml:1:1: berkas kosong"], ["bad.yaml:1:1: the file is empty"]),
    "a list, not a mapping": (
        "- a\n- b\n",
        ["bad.yaml:1:1: berkas SOP berisi pemetaan kolom (id, nama, organisasi, ...), bukan daftar"],
        ["bad.yaml:1:1: an SOP file is a mapping of fields (id, nama, organisasi, ...), not a list"],
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", ["bad.yaml:3:1: berkas biner (berisi bita NUL), bukan teks YAML"],
               ["bad.yaml:3:1: the file is binary (it contains NUL bytes), not YAML text"]),
    "latin-1": ("nama: Ng\xf6nggot\n".encode("latin-1"),
                ["bad.yaml:1:1: berkas bukan teks UTF-8 (bita 0xf6 pada posisi 8); simpan sebagai UTF-8"],
                ["bad.yaml:1:1: the file is not UTF-8 text (byte 0xf6 at offset 8); save it as UTF-8"]),
    "utf-16": ("nama: Uji\n".encode("utf-16"), ["bad.yaml:1:1: berkas berupa teks UTF-16; simpan sebagai UTF-8"],
               ["bad.yaml:1:1: the file is UTF-16 text; save it as UTF-8"]),
    "huge": ("# " + "x" * 1_100_000 + "\n", ["bad.yaml: berkas lebih besar dari 1000 kB; berkas SOP hanya beberapa kB"],
             ["bad.yaml: the file is larger than 1000 kB; an SOP file is a few kB"]),
    "alias bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)),
        ["dokumen mengembang menjadi lebih dari 100000 nilai (alias terlalu sering diulang?)"],
        ["the document expands to more than 100000 values (aliases repeated too often?)"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_speaks_indonesian_by_default_and_english_on_request(sop, tmp_path: Path, monkeypatch, case) -> None:
    content, indonesian, english = CASES[case]
    monkeypatch.setenv("SOP_LANG", "id")
    output = validate(sop, tmp_path, content)
    for text in indonesian:
        assert text in output, output
    for english_only in ("Input should", "should have", "Field required", "unknown field", "invalid YAML",
                         " is not ", " must "):
        assert english_only not in output.replace("(kunci: nilai)", ""), output
    monkeypatch.setenv("SOP_LANG", "en")
    output = validate(sop, tmp_path, content)
    for text in english:
        assert text in output, output


def test_the_problem_count_is_counted_in_indonesian(sop, tmp_path: Path, indonesian) -> None:
    broken = replace("waktu: 1 jam", "waktu: lama", replace("  - no: 2", "  - no: dua"))
    assert "bad.yaml: 2 masalah dalam berkas SOP ini:" in validate(sop, tmp_path, broken)


# Every value YAML can give, in every field of every kind: no pydantic error the model can produce
# keeps pydantic's English in Indonesian.
_VALUES = [None, 1, 1.5, True, "x", "", "2026-2-1", "selesai", "5", [], {}, ["x"], [1], [None], [1.5], ["2026-13-01"],
           {"a": 1}, {"senin": 5}, {"senin": [1]}, {"senin": "x"}, -1, 0, 10**30, 20260101]


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data[:3]):
            yield from _paths(value, (*prefix, i))


def test_every_pydantic_error_the_model_can_produce_is_worded_in_indonesian(tmp_path: Path, indonesian) -> None:
    from sop_cli.definition.loader import validate_data
    from sop_cli.definition.yamlfile import Located
    from sop_cli.errors import DefinitionError

    base = yaml.safe_load(VALID)
    base["organisasi"]["jam_kerja"] = {"jadwal": {"senin-jumat": "07.30-16.00"}, "ramadan": "asn",
                                       "awal_ramadan": ["2026-02-18"]}
    base["organisasi"]["hari_libur"] = [{"tanggal": "17-11", "nama": "Hari Jadi", "setiap_tahun": False}]
    base["langkah"][1].update(paralel=[], sub_sop="rapat", dokumen="nota", keterangan="x", berikutnya=3)
    base["pelaksana"][0].update(eksternal=False, petugas=["A"])
    base["disahkan_oleh"].update(kedudukan="plt", atas_nama="Bupati", untuk_beliau="Sekda")
    seen: set[str] = set()
    for path in list(_paths(base))[1:]:
        for value in _VALUES:
            data = copy.deepcopy(base)
            target = data
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            try:
                validate_data(Located(data, {}, tmp_path / "x.yaml"))
            except DefinitionError as error:
                for problem in error.problems:
                    seen.add(problem)
                    assert not any(english in problem for english in (
                        "Input should", "should have", "Field required", "Datetimes", "Keys should",
                        "unknown field", "required field", ", got ", "is not an id")), problem
    assert len(seen) > 100


def test_unknown_and_ambiguous_sop_ids(sop, indonesian) -> None:
    result = sop("show", "tidak-ada")
    assert result.exit_code == 1
    assert "Tidak ada SOP 'tidak-ada'. SOP yang dikenal: lampung-tengah/diskominfo/renja" in result.output
    result = sop("start", "tidak-ada")
    assert result.exit_code == 1
    assert "Tidak ada SOP 'tidak-ada'." in result.output
    result = sop("show", "renja")
    assert result.exit_code == 1
    assert "SOP 'renja' ada pada 2 organisasi; sebutkan yang mana dengan --org" in result.output
    result = sop("show", "renja", "--org", "lain")
    assert "Tidak ada SOP 'renja' untuk organisasi 'lain'." in result.output


def test_unknown_sop_id_in_english(sop) -> None:
    result = sop("start", "tidak-ada")
    assert result.exit_code == 1
    assert "No SOP 'tidak-ada'. Known SOPs: lampung-tengah/diskominfo/renja" in result.output


def test_duplicate_ids_and_invalid_files_in_the_catalog(sop, tmp_path: Path, monkeypatch, indonesian) -> None:
    folder = tmp_path / "dup"
    folder.mkdir()
    (folder / "a.yaml").write_text(VALID, encoding="utf-8")
    (folder / "b.yaml").write_text(VALID, encoding="utf-8")
    (folder / "c.yaml").write_text(replace("id: uji\n", "id: uji-tiga\n", replace("waktu: 1 jam", "waktu: lama")),
                                   encoding="utf-8")
    result = sop("validate", folder)
    assert result.exit_code == 1
    assert ("b.yaml:1:1: id: kode SOP 'kabupaten-uji/kantor-uji/uji' sudah ditetapkan di "
            in result.output), result.output
    assert "kode lengkap (wilayah/organisasi/id) harus unik" in result.output
    monkeypatch.setenv("SOP_PATH", str(folder))
    result = sop("show", "tidak-ada")
    assert "(2 berkas SOP tidak sah: jalankan `sop validate`)" in result.output


def test_unused_lane_warning(sop, tmp_path: Path, indonesian) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(replace("  - id: staf\n", "  - id: bendahara\n    nama: Bendahara\n  - id: staf\n"), encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 0, result.output
    assert "pelaksana 'bendahara' (Bendahara) tidak memiliki langkah: kolom kosong di bagan alir" in result.output


def test_list_and_show_write_units_in_lower_case(sop, indonesian) -> None:
    listing = sop("list").output
    row = next(line for line in listing.splitlines() if line.startswith(LAMTENG))
    assert "jam" in row and "Jam" not in row and "Menit" not in row
    shown = sop("show", LAMTENG).output
    total = next(line for line in shown.splitlines() if "Waktu total" in line)
    assert "Jam" not in total and "Menit" not in total


def test_display_waktu_is_lower_case_and_one_way() -> None:
    from sop_cli.definition.duration import display_waktu

    assert display_waktu("10 Menit") == "10 menit"
    assert display_waktu(" 2  Jam 30 MENIT ") == "2 jam 30 menit"
    assert display_waktu("15 mnt") == "15 menit"
    assert display_waktu("1,5 Jam") == "1,5 jam"
    assert display_waktu("Sesuai Jadwal") == "sesuai jadwal"
    assert display_waktu("3 Hari Kerja") == "3 hari kerja"


def test_sop_new_refusals_in_indonesian(sop, tmp_path: Path, monkeypatch, indonesian) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    out = tmp_path / "x.yaml"
    base = ["new", "--org", "Kelurahan A", "--pemerintah", "Pemerintah Kota B", "--nama", "X", "--lane", "lurah=Lurah"]
    result = sop(*base, "--step", "lurah: Mulai | 5 menit", "--out", out)
    assert result.exit_code == 2
    assert "tulis \"PELAKSANA: KEGIATAN | WAKTU | OUTPUT\"" in result.output
    result = sop(*base, "--step", "camat: A | 5 menit | B", "--step", "lurah: C | 5 menit | D", "--out", out)
    assert "tidak ada pelaksana 'camat'; pelaksana yang ada: lurah (Lurah)" in result.output
    result = sop(*base, "--step", "lurah: A | 5 menit | B", "--out", out)
    assert "SOP memerlukan paling sedikit dua langkah (awal dan akhir)" in result.output
    result = sop(*base, "--step", "lurah: A | 5 menit | B", "--step", "lurah: C | 5 menit | D | tidak=1", "--out", out)
    assert "langkah 2 tidak dapat menjadi keputusan" in result.output
    result = sop(*base, "--step", "lurah: A | lima menit | B", "--step", "lurah: C | 5 menit | D", "--out", out)
    assert result.exit_code == 1
    assert "langkah[0].waktu: waktu 'lima menit' bukan waktu baku" in result.output
    assert not out.exists()


def test_pinned_forms_and_graph_errors(indonesian) -> None:
    from sop_cli.definition.graph import Graph
    from sop_cli.definition.pinned import read_pinned, upgrade, upgrade_calendar
    from sop_cli.errors import StoreError

    with pytest.raises(StoreError, match="bukan JSON; basis data rusak"):
        read_pinned("{")
    with pytest.raises(StoreError, match="bukan objek JSON; basis data rusak"):
        read_pinned("[]")
    with pytest.raises(StoreError, match=r"tersimpan dalam format 9, lebih baru .* \(sampai 5\); perbarui sop"):
        upgrade({"pinned_format": 9, "definition": {}})
    with pytest.raises(StoreError, match=r"^Kalender sebuah pelaksanaan tersimpan dalam format 7"):
        upgrade_calendar({"pinned_format": 7})
    with pytest.raises(StoreError, match="berformat 'x'; basis data rusak"):
        upgrade({"pinned_format": "x"})
    from sop_cli.definition.loader import load_definition

    sops = Path(__file__).resolve().parents[1] / "sops"
    graph: Graph = load_definition(sops / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml").graph
    with pytest.raises(StoreError, match="tidak memiliki langkah 99; riwayat pelaksanaan rusak"):
        graph.step(99)


def test_pinned_forms_in_english(monkeypatch) -> None:
    from sop_cli.definition.pinned import upgrade
    from sop_cli.errors import StoreError

    with pytest.raises(StoreError, match="pinned in format 9, newer than this version of sop reads"):
        upgrade({"pinned_format": 9})


def test_sub_sop_warnings(tmp_path: Path, indonesian) -> None:
    from sop_cli.definition.catalog import load_catalog, sub_sop_warnings

    text = replace("    kelengkapan: Data", "    sub_sop: rapat-lain\n    kelengkapan: Data")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    catalog = load_catalog([tmp_path], cached=False)
    (warning,) = sub_sop_warnings(catalog.entries, catalog)
    assert warning.endswith("langkah 2: sub_sop 'rapat-lain' tidak menunjuk SOP mana pun di katalog SOP")


def test_too_long_totals_group_digits_per_language(monkeypatch) -> None:
    from sop_cli.definition.duration import Duration, total_too_long

    monkeypatch.setenv("SOP_LANG", "id")
    assert "berjumlah 2.600 hari kerja, lebih dari 2.000" in (total_too_long([Duration(260, "hari")] * 10) or "")
    monkeypatch.setenv("SOP_LANG", "en")
    assert "add up to 2,600 working days, more than 2,000" in (total_too_long([Duration(260, "hari")] * 10) or "")


def test_broken_yaml_is_explained_in_indonesian(tmp_path: Path, indonesian) -> None:
    """Random punctuation dropped into a valid file: every parser message PyYAML gives is worded."""
    import random

    from sop_cli.definition.yamlfile import read_yaml
    from sop_cli.errors import DefinitionError

    rng = random.Random(7)
    marks = [*":-[]{}&*!|>'\"#%@`,?\t \n", "  ", "---", "...", "<<", "\\"]
    messages = set()
    for _ in range(500):
        text = VALID
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(marks) + text[at:]
        try:
            read_yaml(tmp_path / "x.yaml", text.encode())
        except DefinitionError as error:
            messages.add(error.message)
    assert len(messages) > 20
    for message in messages:
        assert not any(word in message for word in ("expected", "found", "while ", "not allowed", "invalid")), message


def test_placeholders_of_the_indonesian_text_are_those_of_the_english() -> None:
    """A translation naming a placeholder the code does not pass (or a stray brace) would fail
    only when that message is shown."""
    import string

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    repo = Path(__file__).resolve().parents[1]
    with (repo / "sop_cli/locale/id/LC_MESSAGES/sop.po").open("rb") as handle:
        catalog = read_po(handle, locale="id")
    formatter = string.Formatter()

    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in formatter.parse(text) if name is not None}

    formatted_elsewhere = {"while parsing a flow mapping"}  # shown as is, never formatted
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(repo / "sop_cli/definition"), method_map=[("**.py", "python")],
            keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        ids = message if isinstance(message, tuple) else (message,)
        entry = catalog.get(ids[0])
        assert entry is not None, ids[0]
        texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set().union(*(names(i) for i in ids))
        for text in texts:
            if ids[0] in formatted_elsewhere:
                continue
            assert names(text) <= wanted | {"name"}, (ids[0], text)


def _descriptions(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description":
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _descriptions(value)


def test_schema_descriptions_are_indonesian(sop, monkeypatch) -> None:
    import json

    english = json.loads(sop("schema").output)
    assert english["title"] == "SOP definition (sop)"
    # every description is translated: a field's is N_() on its Field, a model's docstring is
    # repeated in model._MODEL_DOCS (a changed docstring fails here until it is repeated there)
    monkeypatch.setenv("SOP_LANG", "id")
    indonesian = json.loads(sop("schema").output)
    assert indonesian["title"] == "Definisi SOP (sop)"
    pairs = list(zip(_descriptions(english), _descriptions(indonesian), strict=True))
    assert len(pairs) > 40
    untranslated = [en for en, id_ in pairs if en == id_]
    assert not untranslated, untranslated
    assert indonesian["$defs"]["Langkah"]["properties"]["waktu"]["description"].startswith("Waktu baku: '5 menit'")
    # the rest of the schema is the same in both languages
    assert indonesian["$defs"]["Langkah"]["properties"]["waktu"]["pattern"] == \
        english["$defs"]["Langkah"]["properties"]["waktu"]["pattern"]


def test_a_key_that_looks_like_a_union_arm_keeps_its_name(sop, tmp_path: Path, indonesian) -> None:
    """pydantic names the arms of a union in `loc` (`literal['asn']`); they are left out of the
    field, but a key written in the file is never left out, whatever it looks like."""
    output = validate(sop, tmp_path, replace("    kelengkapan: Data", "    kelengkapan: Data\n    list[x]: 1"))
    assert "langkah[1].list[x]: kolom tidak dikenal" in output
    output = validate(sop, tmp_path, replace("  alias: [uji]", "  alias: [uji]\n  jam_kerja:\n    ramadan:\n"
                                                                 "      senin: [1]"))
    assert "organisasi.jam_kerja.ramadan.senin: " in output
    assert "constrained-str" not in output and "function-after" not in output and "literal[" not in output


def test_a_file_that_cannot_be_read(tmp_path: Path, monkeypatch) -> None:
    from sop_cli.definition.yamlfile import read_bytes
    from sop_cli.errors import DefinitionError

    (tmp_path / "x.yaml").write_text("a: 1\n", encoding="utf-8")
    inside_a_file = tmp_path / "x.yaml" / "y.yaml"
    monkeypatch.setenv("SOP_LANG", "id")
    with pytest.raises(DefinitionError, match=r"y\.yaml: tidak dapat dibaca: bukan folder$"):
        read_bytes(inside_a_file)
    with pytest.raises(DefinitionError, match=r"y\.yaml: adalah folder, bukan berkas YAML$"):
        (tmp_path / "y.yaml").mkdir()
        read_bytes(tmp_path / "y.yaml")
    monkeypatch.setenv("SOP_LANG", "en")
    with pytest.raises(DefinitionError, match=r"y\.yaml: cannot be read: Not a directory$"):
        read_bytes(inside_a_file)
