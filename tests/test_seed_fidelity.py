"""The shipped YAML files say what the seed documents say, field by field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sop_cli.definition.loader import load_definition
from sop_cli.definition.model import SopDefinition
from tests.conftest import REPO

SEEDS = REPO.parent / "shared" / "seeds"
MARKS = {"MULAI", "↓"}
CASES = [
    ("000_fc0bf2a86c375b93.txt", "sops/nganjuk/kecamatan-ngronggot/renja.yaml", 14),
    ("004_10d00499ab070ac7.txt", "sops/lampung-tengah/diskominfo/renja.yaml", 13),
]

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not beside this checkout")


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").lower()


def seed_rows(text: str) -> tuple[list[dict], list[str]]:
    """Step rows of the seed table: number, kegiatan, lane columns with a mark, mutu baku, keterangan."""
    header = next(line.split("\t") for line in text.splitlines() if "Kelengkapan" in line)
    first_mutu_baku = next(i for i, cell in enumerate(header) if cell.startswith("Kelengkapan"))
    lanes = [cell.strip() for cell in header[2:first_mutu_baku]]
    rows = []
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) < 6 or not re.fullmatch(r"\d+\.?", cells[0].strip()) or not cells[1].strip()[:1].isalpha():
            continue
        lane_cells = cells[2 : 2 + len(lanes)]
        marks = [lanes[i] for i, c in enumerate(lane_cells) if c.strip() in MARKS]
        branch = [lanes[i] for i, c in enumerate(lane_cells) if c.strip() == "TIDAK"]
        rest = [c.strip() for c in cells[2:] if c.strip() and c.strip() not in MARKS | {"TIDAK"}]
        rows.append({
            "no": int(cells[0].strip(". ")), "kegiatan": cells[1], "marks": marks, "tidak_in": branch,
            "kelengkapan": rest[0], "waktu": rest[1], "output": rest[2], "keterangan": rest[3] if len(rest) > 3 else None,
        })
    return rows, lanes


@pytest.mark.parametrize(("seed", "path", "count"), CASES)
def test_every_step_matches_the_seed(seed: str, path: str, count: int) -> None:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    sop = load_definition(REPO / path)
    rows, lanes = seed_rows(text)
    assert len(rows) == count == len(sop.langkah)
    assert [lane.nama for lane in sop.pelaksana] == lanes
    lane_name = {lane.id: lane.nama for lane in sop.pelaksana}
    for row, step in zip(rows, sop.langkah):
        assert step.no == row["no"]
        assert squash(step.kegiatan) == squash(row["kegiatan"]), step.no
        assert step.waktu == row["waktu"]
        assert step.kelengkapan == row["kelengkapan"]
        assert step.output == row["output"]
        assert step.keterangan == row["keterangan"]
        if row["marks"]:
            # a lane read off the source is recorded as such
            assert step.asal_pelaksana == "sumber", step.no
            assert [lane_name[p] for p in step.pelaksana] == row["marks"]
        else:
            assert step.asal_pelaksana == "inferensi" and step.dasar_inferensi, step.no
        for lane in row["tidak_in"]:
            # "TIDAK" in a lane column is the rejected branch of the next step's decision
            decision = sop.step(step.no + 1)
            assert decision.simbol == "keputusan" and decision.tidak == step.no
            assert [lane_name[p] for p in decision.pelaksana] == [lane]


# The header and the six lists -----------------------------------------------------------------

LISTS = {  # the seed's heading -> the field
    "Dasar Hukum": "dasar_hukum",
    "Kualifikasi Pelaksana": "kualifikasi_pelaksana",
    "Keterkaitan": "keterkaitan",
    "Peralatan/Perlengkapan": "peralatan_perlengkapan",
    "Peringatan": "peringatan",
    "Pencatatan dan Pendataan": "pencatatan_pendataan",
}
IDENTITY = {  # the seed's label -> the field; an empty value in the seed is null
    "nomor sop": "nomor",
    "tanggal pembuatan": "tanggal_pembuatan",
    "tanggal revisi": "tanggal_revisi",
    "tanggal pengesahan": "tanggal_pengesahan",
    "nama sop": "nama",
    "disahkan oleh": "disahkan_oleh",
}


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def numbered(text: str) -> list[str]:
    """ "1. a 2. b" -> ["a", "b"]: split at the next number in sequence only (so "Nomor 2 Tahun" stays)."""
    items: list[str] = []
    rest, n = clean(text), 1
    if not rest.startswith("1. "):
        return [rest] if rest else []
    rest = rest[3:]
    while True:
        n += 1
        at = rest.find(f" {n}. ")
        if at < 0:
            return [*items, clean(rest)]
        items.append(clean(rest[:at]))
        rest = rest[at + len(f" {n}. "):]


def cell_items(cell: str) -> tuple[list[str], list[str]]:
    """The items of one list cell of the seed, and the "Penjelasan" paragraphs found in it."""
    paragraphs: list[str] = []
    if "<p>Penjelasan :</p>" in cell:
        cell, explanation = cell.split("<p>Penjelasan :</p>", 1)
        paragraphs = [clean(p) for p in re.findall(r"<p>(.*?)</p>", explanation, flags=re.DOTALL)]
    cell = re.sub(r"<[ou]l[^>]*>", "", cell)
    if re.match(r"\s*- ", cell):
        return [clean(item) for item in re.split(r"(?:^|\s)-\s", cell) if clean(item)], paragraphs
    return numbered(cell), paragraphs


def seed_lists(text: str) -> dict[str, list[str]]:
    """Every list of the seed by field name, with `penjelasan`: headings alone on a line are
    followed by numbered lines; headings side by side are followed by one line of cells."""
    lines = text.splitlines()
    found: dict[str, list[str]] = {"penjelasan": []}
    for i, line in enumerate(lines):
        headings = [cell.strip() for cell in line.split("\t") if cell.strip()]
        if not headings or any(h not in LISTS for h in headings):
            continue
        following = [line for line in lines[i + 1:] if line.strip()]
        if len(headings) == 1 and re.match(r"\d+\. ", following[0]):
            items = []
            for item in following:
                if not re.match(r"\d+\. ", item):
                    break
                items.append(clean(item.split(". ", 1)[1]))
            found[LISTS[headings[0]]] = items
            continue
        cells = following[0].split("\t")
        for heading, cell in zip(headings, cells):
            items, paragraphs = cell_items(cell)
            found[LISTS[heading]] = items
            found["penjelasan"] += paragraphs
    assert set(found) == {*LISTS.values(), "penjelasan"}, f"lists not found in the seed: {set(LISTS.values()) - set(found)}"
    return found


def seed_identity(text: str) -> dict[str, str | None]:
    """The labelled header fields ("Nomor SOP : 800/...") by field name; empty ones are None."""
    found: dict[str, str | None] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        for at, cell in enumerate(cells):
            if cell.lower() in IDENTITY:
                rest = [c for c in cells[at + 1:] if c and c != ":"]
                found[IDENTITY[cell.lower()]] = clean(rest[0]) if rest else None
                break
    assert set(found) == set(IDENTITY.values()), f"header fields not found: {set(IDENTITY.values()) - set(found)}"
    return found


def seed_title(text: str) -> list[str]:
    """The lines of the bold title block: the government and the unit (Nganjuk), the title."""
    block = re.search(r"\*\*(.*?)\*\*", text, flags=re.DOTALL)
    assert block, "no bold title block in the seed"
    return [clean(line) for line in block.group(1).splitlines() if line.strip()]


def list_mismatches(sop: SopDefinition, text: str) -> list[str]:
    """Every list field that differs from the seed, item by item and whole."""
    lists = seed_lists(text)
    return [f"{name}: {getattr(sop, name)!r} != seed {items!r}" for name, items in lists.items()
            if [clean(item) for item in getattr(sop, name)] != items]


def identity_mismatches(sop: SopDefinition, text: str) -> list[str]:
    """Every identity field (header, title, organisation, signer) that differs from the seed."""
    seed = seed_identity(text)
    signer = sop.disahkan_oleh
    signed = " ".join(part for part in (signer.jabatan, signer.nama, signer.pangkat,
                                        signer.nip and f"NIP. {signer.nip}") if part)
    ours = {"nomor": sop.nomor, "tanggal_pembuatan": sop.tanggal_pembuatan, "tanggal_revisi": sop.tanggal_revisi,
            "tanggal_pengesahan": sop.tanggal_pengesahan, "nama": sop.nama, "disahkan_oleh": signed}
    wrong = [f"{name}: {ours[name]!r} != seed {value!r}" for name, value in seed.items() if ours[name] != value]
    title_lines = seed_title(text)
    # The seed writes the government, the unit and the title in capitals, one per line (Lampung
    # Tengah puts the government and the unit outside the bold block).
    heading = {clean(line).strip("* ").upper() for line in text.splitlines()}
    for name, value in (("organisasi.pemerintah", sop.organisasi.pemerintah), ("organisasi.nama", sop.organisasi.nama)):
        if value.upper() not in heading:
            wrong.append(f"{name}: {value!r} is no heading line of the seed")
    organisation = {sop.organisasi.pemerintah.upper(), sop.organisasi.nama.upper()}
    title = " ".join(line for line in title_lines if line not in organisation)
    if (sop.judul or "").upper() != title:
        wrong.append(f"judul: {sop.judul!r} is not the seed's title {title!r}")
    return wrong


def _load(path: Path, text: str | None = None) -> SopDefinition:
    if text is not None:
        copy = path.parent / "copy" / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text, encoding="utf-8")
        path = copy
    return load_definition(path)


@pytest.mark.parametrize(("seed", "path", "count"), CASES)
def test_the_six_lists_and_penjelasan_are_the_seeds_item_for_item(seed: str, path: str, count: int) -> None:
    assert list_mismatches(load_definition(REPO / path), (SEEDS / seed).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("seed", "path", "count"), CASES)
def test_the_identity_is_the_seeds(seed: str, path: str, count: int) -> None:
    assert identity_mismatches(load_definition(REPO / path), (SEEDS / seed).read_text(encoding="utf-8")) == []


NGANJUK_YAML = REPO / CASES[0][1]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  - SOP Penyusunan Renstra\n", "  - SOP Penyusunan\n", "keterkaitan"),  # an item shortened
        ("  - SOP LPPD\n", "", "keterkaitan"),  # an item dropped
        ("  - SOP LKPJ\n", "  - SOP LKPJ\n  - SOP LPPD\n", "keterkaitan"),  # an item repeated
        ("peringatan:\n  - SOP tidak di jalankan maka akan terjadi hambatan dalam penyusunan Renja\n",
         "peringatan: []\n", "peringatan"),  # a list emptied
        ("  - ATK\n  - Komputer/ Laptop\n", "  - Komputer/ Laptop\n  - ATK\n", "peralatan_perlengkapan"),  # order
    ],
    ids=["shortened", "dropped", "repeated", "emptied", "reordered"],
)
def test_a_changed_list_item_is_caught(tmp_path: Path, old: str, new: str, field: str) -> None:
    yaml_text = NGANJUK_YAML.read_text(encoding="utf-8")
    assert old in yaml_text
    sop = _load(tmp_path / "renja.yaml", yaml_text.replace(old, new))
    wrong = list_mismatches(sop, (SEEDS / CASES[0][0]).read_text(encoding="utf-8"))
    assert [w.split(":")[0] for w in wrong] == [field]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('nomor: "800/ /411.512/SOP/2021"', 'nomor: "800/411.512/SOP/2021"', "nomor"),
        ("tanggal_revisi: null", "tanggal_revisi: Maret 2021", "tanggal_revisi"),
        ("tanggal_pengesahan: Maret 2021", "tanggal_pengesahan: Februari 2021", "tanggal_pengesahan"),
        ('nip: "196901151990031008"', 'nip: "196901151990031009"', "disahkan_oleh"),
        ("pangkat: Pembina TK I", "pangkat: Pembina", "disahkan_oleh"),
        ("nama: Penyusunan Rencana Kerja\n", "nama: Penyusunan Rencana\n", "nama"),
        ("judul: SOP Penyusunan Renja", "judul: SOP Penyusunan", "judul"),
        ("nama: Kecamatan Ngronggot", "nama: Kecamatan Ngronggot Baru", "organisasi.nama"),
    ],
    ids=["nomor", "revisi", "pengesahan", "nip", "pangkat", "nama", "judul", "unit"],
)
def test_a_changed_identity_field_is_caught(tmp_path: Path, old: str, new: str, field: str) -> None:
    yaml_text = NGANJUK_YAML.read_text(encoding="utf-8")
    assert yaml_text.count(old) == 1, old
    sop = _load(tmp_path / "renja.yaml", yaml_text.replace(old, new))
    wrong = identity_mismatches(sop, (SEEDS / CASES[0][0]).read_text(encoding="utf-8"))
    assert field in [w.split(":")[0] for w in wrong]  # a renamed unit also leaves its line in the title


def test_nganjuk_identity() -> None:
    sop = load_definition(REPO / CASES[0][1])
    assert sop.step(9).simbol == "keputusan" and (sop.step(9).ya, sop.step(9).tidak) == (10, 8)
    assert sop.step(1).simbol == "mulai" and sop.step(14).simbol == "selesai"


def test_lampung_tengah_identity() -> None:
    sop = load_definition(REPO / CASES[1][1])
    assert sop.disahkan_oleh.nama is None and sop.disahkan_oleh.nip is None
    assert sop.step(8).pelaksana == ["perencana", "staf"]
    assert sop.step(9).simbol == "keputusan" and (sop.step(9).ya, sop.step(9).tidak) == (10, 8)
    assert sop.step(1).simbol == "mulai" and sop.step(13).simbol == "selesai"
