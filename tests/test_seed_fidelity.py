"""The shipped YAML files say what the seed documents say, field by field."""

from __future__ import annotations

import re

import pytest

from sop_cli.definition.loader import load_definition
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


@pytest.mark.parametrize(("seed", "path", "count"), CASES)
def test_header_and_lists_match_the_seed(seed: str, path: str, count: int) -> None:
    text = squash((SEEDS / seed).read_text(encoding="utf-8"))
    sop = load_definition(REPO / path)
    for value in (sop.organisasi.pemerintah, sop.organisasi.nama, sop.nama, sop.disahkan_oleh.jabatan):
        assert squash(value) in text
    for field in ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan_perlengkapan",
                  "peringatan", "pencatatan_pendataan", "penjelasan"):
        for item in getattr(sop, field):
            assert squash(item) in text, (field, item)


def test_nganjuk_identity() -> None:
    sop = load_definition(REPO / CASES[0][1])
    assert sop.nomor == "800/ /411.512/SOP/2021"
    assert (sop.tanggal_pembuatan, sop.tanggal_revisi, sop.tanggal_pengesahan) == ("Februari 2021", None, "Maret 2021")
    signer = sop.disahkan_oleh
    assert (signer.jabatan, signer.nama, signer.pangkat, signer.nip) == (
        "Camat Ngronggot", "MOHAMAD MAKRUP, S.Sos", "Pembina TK I", "196901151990031008")
    assert len(sop.dasar_hukum) == 2 and len(sop.kualifikasi_pelaksana) == 5 and len(sop.keterkaitan) == 7
    assert len(sop.peralatan_perlengkapan) == 6 and len(sop.penjelasan) == 2
    assert sop.step(9).simbol == "keputusan" and (sop.step(9).ya, sop.step(9).tidak) == (10, 8)
    assert sop.step(1).simbol == "mulai" and sop.step(14).simbol == "selesai"


def test_lampung_tengah_identity() -> None:
    sop = load_definition(REPO / CASES[1][1])
    assert (sop.nomor, sop.tanggal_pembuatan, sop.tanggal_revisi, sop.tanggal_pengesahan) == (None, None, None, None)
    assert sop.disahkan_oleh.jabatan == "Kepala Dinas Komunikasi Informatika dan Statistik Kabupaten Lampung Tengah"
    assert sop.disahkan_oleh.nip is None
    assert len(sop.dasar_hukum) == 4 and len(sop.kualifikasi_pelaksana) == 2 and len(sop.keterkaitan) == 2
    assert len(sop.peralatan_perlengkapan) == 3 and sop.penjelasan == []
    assert sop.step(8).pelaksana == ["perencana", "staf"]
    assert sop.step(9).simbol == "keputusan" and (sop.step(9).ya, sop.step(9).tidak) == (10, 8)
    assert sop.step(1).simbol == "mulai" and sop.step(13).simbol == "selesai"
