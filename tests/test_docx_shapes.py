"""The flowchart of the SOP document's .docx is drawn with Word shapes, read back from word/document.xml:
one shape per step of the step's kind, an arrow per edge, YA/TIDAK labels, off-page connectors in
pairs, every shape anchored in a lane cell of the flowchart table and drawn inside its row."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import REPO

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
NS = {"w": W, "wp": WP, "a": A, "wps": WPS}
EMU_PER_TWIP = 635

SOPS = {
    "nganjuk/kecamatan-ngronggot/renja": REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml",
    "lampung-tengah/diskominfo/renja": REPO / "sops/lampung-tengah/diskominfo/renja.yaml",
    # a decision whose TIDAK ends the process (its own small Selesai)
    "contoh/dinas-contoh/rekomendasi-keramaian": REPO / "examples/sops/contoh/dinas-contoh/rekomendasi-keramaian.yaml",
}


def _definition(path: Path):
    from sop_cli.definition.loader import load_definition

    return load_definition(path)


def _shapes(document: Path) -> list[dict]:
    """Every anchored shape: its geometry, name, description, text, arrowhead, and the table cell it is in."""
    root = etree.fromstring(zipfile.ZipFile(document).read("word/document.xml"))
    found = []
    for anchor in root.iter(f"{{{WP}}}anchor"):
        doc_pr = anchor.find("wp:docPr", NS)
        geometry = anchor.find(".//a:prstGeom", NS)
        cell = next((a for a in anchor.iterancestors() if a.tag == f"{{{W}}}tc"), None)
        row = next((a for a in anchor.iterancestors() if a.tag == f"{{{W}}}tr"), None)
        table = next((a for a in anchor.iterancestors() if a.tag == f"{{{W}}}tbl"), None)
        extent = anchor.find("wp:extent", NS)
        height = row.find("w:trPr/w:trHeight", NS) if row is not None else None
        first_row = table.find("w:tr", NS) if table is not None else None
        found.append({
            "prst": geometry.get("prst") if geometry is not None else None,
            "id": doc_pr.get("id"),
            "name": doc_pr.get("name"),
            "descr": doc_pr.get("descr") or "",
            "text": " ".join("".join(t.text or "" for t in anchor.iter(f"{{{W}}}t")).split()),
            "arrow": anchor.find(".//a:ln/a:tailEnd", NS) is not None,
            "x": int(anchor.find("wp:positionH/wp:posOffset", NS).text),
            "y": int(anchor.find("wp:positionV/wp:posOffset", NS).text),
            "cx": int(extent.get("cx")), "cy": int(extent.get("cy")),
            "in_flow_table": first_row is not None and "".join(first_row.itertext()).startswith("NoKegiatan"),
            "row_height": int(height.get(f"{{{W}}}val")) * EMU_PER_TWIP if height is not None else None,
            "exact": height is not None and height.get(f"{{{W}}}hRule") == "exact",
            "lanes_width": _lanes_width(table) if table is not None else 0,
            "cell_index": row.findall("w:tc", NS).index(cell) if row is not None and cell is not None else -1,
        })
    return found


def _lanes_width(table) -> int:
    """The width of the lane columns (the grid columns between Kegiatan and the four Mutu Baku/Keterangan ones)."""
    columns = [int(c.get(f"{{{W}}}w")) for c in table.findall("w:tblGrid/w:gridCol", NS)]
    return sum(columns[2:-4]) * EMU_PER_TWIP


@pytest.mark.parametrize("name", list(SOPS))
def test_the_sop_flowchart_in_word_is_drawn_with_shapes_of_each_steps_kind(sop, tmp_path: Path, name: str,
                                                                          monkeypatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    definition = _definition(SOPS[name])
    graph = definition.graph
    out = tmp_path / "sop.docx"
    result = sop("render", "sop", name, "--out", out)
    assert result.exit_code == 0, result.output
    shapes = _shapes(out)

    kinds = Counter(step.simbol for step in definition.langkah)
    refusals = sum(1 for step in graph.steps.values() if step.refusal_ends)
    by_geometry = Counter(s["prst"] for s in shapes)
    assert by_geometry["flowChartProcess"] == kinds["proses"]
    assert by_geometry["flowChartDecision"] == kinds["keputusan"]
    assert by_geometry["flowChartTerminator"] == kinds["mulai"] + kinds["selesai"] + refusals
    # each step's own shape names the step and its kind, as `sop import` reads it
    own = {s["name"]: s for s in shapes if s["name"].startswith("langkah ")}
    assert sorted(own) == sorted(f"langkah {step.no}" for step in definition.langkah)
    for step in definition.langkah:
        shape = own[f"langkah {step.no}"]
        assert shape["descr"].startswith(f"{step.simbol}: langkah {step.no}"), shape
        if step.simbol == "keputusan":
            tidak = "Selesai" if step.tidak == "selesai" else step.tidak
            assert f"YA → {step.ya}, TIDAK → {tidak}" in shape["descr"]
    assert [s["text"] for s in shapes if s["prst"] == "flowChartTerminator"].count("Mulai") == kinds["mulai"]

    # an arrow per edge of the graph: its lines name it, the last one carries the arrowhead
    lines = [s for s in shapes if s["prst"] == "straightConnector1" and s["descr"] != "alur penghubung antarhalaman"]
    named = {re.fullmatch(r"alur dari langkah (\d+) ke (?:langkah (\d+)|akhir proses)", s["descr"]) for s in lines}
    assert None not in named
    edges = {(str(a), "selesai" if b is None else str(b)) for a, b, _ in graph.edges()}
    assert {(m.group(1), m.group(2) or "selesai") for m in named if m} == edges
    assert sum(s["arrow"] for s in lines) == len(edges)

    labels = Counter(s["text"] for s in shapes if s["name"].startswith("label "))
    assert labels["YA"] == labels["TIDAK"] == kinds["keputusan"]

    # off-page connectors come in pairs with the same step number, one closing a page, one opening the next
    pentagons = [s["text"] for s in shapes if s["prst"] == "flowChartOffpageConnector"]
    assert len(pentagons) % 2 == 0 and Counter(pentagons) == Counter(pentagons[::2]) + Counter(pentagons[1::2])
    if name != "contoh/dinas-contoh/rekomendasi-keramaian":  # the seeds' flowcharts take two pages
        assert pentagons

    # anchored in the first lane cell of a flowchart row of exact height, drawn inside the lanes and the row
    assert len({s["id"] for s in shapes}) == len(shapes)
    for shape in shapes:
        assert shape["in_flow_table"] and shape["cell_index"] == 2 and shape["exact"], shape
        assert shape["x"] >= -1 and shape["x"] + shape["cx"] <= shape["lanes_width"] + EMU_PER_TWIP, shape
        assert shape["y"] >= -1 and shape["y"] + shape["cy"] <= shape["row_height"] + EMU_PER_TWIP, shape  # heights are kept in twips


def test_the_flowchart_table_breaks_where_the_pdf_breaks_and_no_page_is_near_blank(sop, tmp_path: Path) -> None:
    """Each page of the flowchart is a table of its own with the header repeated; the page count is
    the PDF's (LibreOffice is asked only where it is installed)."""
    import docx

    name = "lampung-tengah/diskominfo/renja"
    out = tmp_path / "sop.docx"
    assert sop("render", "sop", name, "--out", out).exit_code == 0
    document = docx.Document(str(out))
    flow = [t for t in document.tables if t.rows[0].cells[0].text == "No"]
    assert len(flow) >= 2
    assert "bersambung ke halaman berikutnya" in flow[0].rows[-1].cells[1].text
    assert "dari halaman sebelumnya" in flow[1].rows[2].cells[1].text
    breaks = document.element.body.findall(f".//{{{W}}}pageBreakBefore")
    assert len(breaks) == len(flow)  # the flowchart's sheet, then each page it goes on to


@pytest.mark.slow
def test_libreoffice_prints_the_docx_on_the_pdfs_pages_none_near_blank(sop, tmp_path: Path) -> None:
    """As an office prints it: LibreOffice headless turns each seed's .docx into the same number of
    pages as sop's PDF, every page carrying text, the flowchart's pages each with its table header,
    and every step's row whole on one page."""
    import subprocess

    from pypdf import PdfReader

    from tests.office import libreoffice

    office = libreoffice()
    chosen = list(SOPS.items())[:2]
    for name, _path in chosen:
        stem = name.split("/")[0]
        assert sop("render", "sop", name, "--out", tmp_path / f"{stem}.docx").exit_code == 0
        assert sop("render", "sop", name, "--out", tmp_path / f"{stem}-sop.pdf").exit_code == 0
    # one start of LibreOffice prints both (its start is most of the cost)
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{name.split('/')[0]}.docx") for name, _ in chosen]],
                   check=True, capture_output=True, timeout=180)
    for name, path in chosen:
        stem = name.split("/")[0]
        printed = [page.extract_text() or "" for page in PdfReader(str(tmp_path / f"{stem}.pdf")).pages]
        assert len(printed) == len(PdfReader(str(tmp_path / f"{stem}-sop.pdf")).pages), name
        assert all(len(page.split()) > 40 for page in printed), [len(page.split()) for page in printed]
        flow = [page for page in printed if "Kegiatan" in page]
        assert len(flow) >= 2 and all("Pelaksana" in page for page in flow)
        squashed = ["".join(page.split()) for page in printed]
        for step in _definition(path).langkah:
            assert any("".join(step.kegiatan.split()) in page for page in squashed), step.no


HOSTILE_SOP = """\
id: uji-bentuk
nama: Uji Bentuk
organisasi: {id: kantor-uji, wilayah: kabupaten-uji, pemerintah: Pemerintah Kabupaten Uji, nama: Kantor Uji}
disahkan_oleh: {jabatan: Kepala Kantor Uji}
dasar_hukum: [Peraturan Uji]
keterkaitan: [SOP Uji Lain]
kualifikasi_pelaksana: [Teliti]
pencatatan_pendataan: [Register]
peralatan_perlengkapan: [Komputer]
peringatan: [Jangan lupa]
pelaksana:
  - {id: a, nama: "Staf \\"A\\" <b>&amp;</b>"}
  - {id: c, nama: Kepala}
  - {id: b, nama: "Seksi B, Ya Tidak"}
langkah:
  - {no: 1, kegiatan: Mulai, pelaksana: [a], simbol: mulai, waktu: 5 menit, output: Berkas,
     asal_pelaksana: sumber, kelengkapan: Berkas}
  - {no: 2, kegiatan: "Memeriksa <script>alert(1)</script>", pelaksana: [a, b], waktu: 5 menit, output: Berkas,
     asal_pelaksana: sumber, kelengkapan: Berkas}
  - {no: 3, kegiatan: Memutuskan, pelaksana: [c], simbol: keputusan, ya: 4, tidak: 2, waktu: 5 menit, output: Berkas,
     asal_pelaksana: sumber, kelengkapan: Berkas}
  - {no: 4, kegiatan: Selesai, pelaksana: [a], simbol: selesai, waktu: 5 menit, output: Berkas,
     asal_pelaksana: sumber, kelengkapan: Berkas}
"""


def test_people_s_names_in_shapes_stay_text_and_a_box_over_lanes_apart_imports_to_its_own(
        sop, tmp_path: Path, monkeypatch) -> None:
    """Lane names with quotes, markup and the words Ya/Tidak, and a step done by two lanes that are
    not side by side (its box spans the lane between): the .docx opens, and importing it gives the
    same SOP back."""
    import docx

    from sop_cli.definition.diff import diff_sops
    from sop_cli.definition.model import plain

    folder = tmp_path / "sops" / "kabupaten-uji" / "kantor-uji"
    folder.mkdir(parents=True)
    (folder / "uji-bentuk.yaml").write_text(HOSTILE_SOP, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    out = tmp_path / "uji.docx"
    result = sop("render", "sop", "uji-bentuk", "--out", out)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))  # well-formed XML, or python-docx would refuse it
    assert any("Memeriksa <script>" in cell.text for table in document.tables for row in table.rows
               for cell in row.cells)
    box = next(s for s in _shapes(out) if s["name"] == "langkah 2")
    assert box["descr"] == 'proses: langkah 2 → 3; pelaksana: Staf "A" <b>&amp;</b>, Seksi B, Ya Tidak'
    draft = tmp_path / "uji.yaml"
    imported = sop("import", out, "--out", draft, "--force")
    assert imported.exit_code == 0, imported.output
    assert diff_sops(plain(_definition(folder / "uji-bentuk.yaml")), plain(_definition(draft)))["same"]
