"""`sop import`: an office's SOP AP document (its copied text, a Word file) as an SOP draft that
validates, says where it guessed, and gives back the SOP it was rendered from."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

SEEDS = REPO / "tests" / "data" / "seeds"
SHIPPED = {
    "000_fc0bf2a86c375b93.txt": REPO / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml",
    "004_10d00499ab070ac7.txt": REPO / "sops" / "lampung-tengah" / "diskominfo" / "renja.yaml",
}
EVERY_SOP = sorted(p for root in (REPO / "sops", REPO / "examples" / "sops") for p in root.rglob("*.yaml")
                   if p.name != "organisasi.yaml")


def _plain(path: Path) -> dict:
    from sop_cli.definition.loader import load_definition
    from sop_cli.definition.model import plain

    return plain(load_definition(path))


def _imported(sop, source: Path, out: Path, *extra: str) -> dict:
    result = sop("import", source, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return _plain(out)


# The seeds' text ------------------------------------------------------------------------------

LANE_GUESSES_THAT_DIFFER = {
    # Steps whose lane mark the text lost, where the importer's guess (marked inferensi, with its
    # ground) is not the transcriber's inference in sops/: the only differences allowed.
    "000_fc0bf2a86c375b93.txt": [4, 5],  # Nganjuk: the invitation and the meeting, by the Sekretaris
    "004_10d00499ab070ac7.txt": [9, 10, 12],  # Lampung Tengah: the correction by the Sekretaris; the cover letter
}


@pytest.mark.parametrize("seed", sorted(SHIPPED))
def test_a_seeds_text_imports_to_the_shipped_sop_but_for_the_lanes_its_marks_lost(sop, tmp_path: Path, seed: str) -> None:
    """Field by field, the draft is the shipped SOP (transcribed by hand from the same text). The
    one difference allowed: the lane of a step whose mark the text lost, which the shipped SOP
    also marks as inferred; the draft marks it inferred too and says why."""
    from sop_cli.definition.diff import diff_sops

    draft = _imported(sop, SEEDS / seed, tmp_path / "draft.yaml")
    shipped = _plain(SHIPPED[seed])
    difference = diff_sops(shipped, draft)
    assert difference["header"] == [] and difference["lists"] == []
    inferred = {s["no"] for s in shipped["langkah"] if s["asal_pelaksana"] == "inferensi"}
    allowed = []
    for change in difference["steps"]:
        assert change["change"] == "changed", change
        assert [f["field"] for f in change["fields"]] == ["pelaksana"], change
        assert change["old_no"] in inferred, change
        allowed.append(change["old_no"])
    steps = {s["no"]: s for s in draft["langkah"]}
    for no in allowed:
        assert steps[no]["asal_pelaksana"] == "inferensi" and steps[no]["dasar_inferensi"]
    assert allowed == LANE_GUESSES_THAT_DIFFER[seed]
    decisions = [(s["no"], s["ya"], s["tidak"]) for s in draft["langkah"] if s["simbol"] == "keputusan"]
    assert decisions == [(s["no"], s["ya"], s["tidak"]) for s in shipped["langkah"] if s["simbol"] == "keputusan"]
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert "# PERIKSA" in text and "Diimpor dengan `sop import`" in text  # (_plain validated the draft)


def test_the_lanes_the_text_marks_are_read_from_their_columns(sop, tmp_path: Path) -> None:
    draft = _imported(sop, SEEDS / "004_10d00499ab070ac7.txt", tmp_path / "d.yaml")
    marked = {s["no"]: s["pelaksana"] for s in draft["langkah"] if s["asal_pelaksana"] == "sumber"}
    assert marked == {1: ["sekretaris"], 2: ["perencana"], 3: ["staf"], 4: ["staf"], 5: ["staf"], 6: ["staf"],
                      7: ["staf"], 8: ["perencana", "staf"]}


def test_without_out_the_draft_goes_to_stdout_and_the_checks_to_stderr(sop) -> None:
    result = sop("import", SEEDS / "000_fc0bf2a86c375b93.txt")
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["id"] == "renja"
    assert "Check against the document" in result.stderr and "(langkah 9)" in result.stderr
    assert "nganjuk/kecamatan-ngronggot/renja" in result.stderr


def test_an_office_the_catalog_does_not_know_gets_guessed_ids_and_says_so(sop, tmp_path: Path) -> None:
    text = (SEEDS / "000_fc0bf2a86c375b93.txt").read_text(encoding="utf-8")
    text = text.replace("NGRONGGOT", "BAGOR").replace("Ngronggot", "Bagor")
    source = tmp_path / "bagor.txt"
    source.write_text(text, encoding="utf-8")
    draft = _imported(sop, source, tmp_path / "bagor.yaml")
    assert draft["organisasi"]["id"] == "kecamatan-bagor" and draft["organisasi"]["wilayah"] == "nganjuk"
    assert draft["organisasi"]["nama"] == "Kecamatan Bagor" and draft["id"] == "penyusunan-rencana-kerja"
    written = (tmp_path / "bagor.yaml").read_text(encoding="utf-8")
    assert "# PERIKSA: unit ini belum ada di katalog" in written
    assert "# PERIKSA: kode SOP dibuat dari namanya" in written
    assert [lane["id"] for lane in draft["pelaksana"]] == ["sekretaris", "kasubag-perencanaan-keuangan", "camat"]


# The round trip: render a .docx, import it -----------------------------------------------------


def test_render_then_import_gives_back_every_shipped_and_example_sop(sop, tmp_path: Path, monkeypatch) -> None:
    from sop_cli.definition.diff import diff_sops

    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    assert len(EVERY_SOP) >= 7
    for path in EVERY_SOP:
        original = _plain(path)
        qualified = f"{original['organisasi']['wilayah']}/{original['organisasi']['id']}/{original['id']}"
        document = tmp_path / f"{original['id']}.docx"
        rendered = sop("render", "sop", qualified, "--out", document)
        assert rendered.exit_code == 0, rendered.output
        draft = tmp_path / f"{original['id']}.yaml"
        imported = _imported(sop, document, draft, "--force")
        assert diff_sops(original, imported)["same"], qualified
        # what the document does not print but the office's letters need is kept from the catalog
        assert [s.get("dokumen") for s in imported["langkah"]] == [s.get("dokumen") for s in original["langkah"]]
        compared = sop("diff", qualified, draft)
        assert compared.exit_code == 0 and "->" not in compared.output, compared.output


# Word files made the way offices make them -----------------------------------------------------

WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _shape(cell, prst: str, text: str = "", *, offset: int = 0, down: int = 0, name: str = "Flowchart: Process 1") -> None:
    """A shape from Word's toolbar, anchored in `cell` (DrawingML as Word writes it, with a VML fallback)."""
    from docx.oxml import parse_xml

    body = (f'<wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx>'
            if text else "")
    xml = f'''<w:r xmlns:w="{W}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
      xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:wps="{WPS}"
      xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:v="urn:schemas-microsoft-com:vml">
      <mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>
        <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0"
                   layoutInCell="1" allowOverlap="1">
          <wp:simplePos x="0" y="0"/>
          <wp:positionH relativeFrom="column"><wp:posOffset>{offset}</wp:posOffset></wp:positionH>
          <wp:positionV relativeFrom="paragraph"><wp:posOffset>{down}</wp:posOffset></wp:positionV>
          <wp:extent cx="600000" cy="300000"/><wp:wrapNone/><wp:docPr id="1" name="{name}"/>
          <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
            <wps:wsp><wps:cNvSpPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="600000" cy="300000"/></a:xfrm>
              <a:prstGeom prst="{prst}"><a:avLst/></a:prstGeom>{"<a:noFill/><a:ln><a:noFill/></a:ln>" if prst == "rect" else
              '<a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln w="9525"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln>'}</wps:spPr>
              {body}<wps:bodyPr/></wps:wsp>
          </a:graphicData></a:graphic>
        </wp:anchor></w:drawing></mc:Choice>
      <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>{text or "x"}</w:t></w:r></w:p>
        </w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'''
    cell.paragraphs[0]._p.append(parse_xml(xml))


def _office_docx(path: Path, kegiatan3: str, *, label_from_decision_row: bool = False) -> None:
    """An SOP as a Kelurahan types it in Word: kop paragraphs, an identity table whose kop cell is
    merged down, a lists table, and the flowchart table with merged header cells and shapes."""
    import docx

    document = docx.Document()
    identity = document.add_table(rows=6, cols=3, style="Table Grid")
    kop = identity.cell(0, 0).merge(identity.cell(5, 0))
    kop.text = "PEMERINTAH KOTA CONTOH\nKELURAHAN SUKAMAJU\nJl. Merdeka No. 1"
    rows = [("Nomor SOP", "470/12/SOP/2025"), ("Tanggal Pembuatan", "3 Januari 2025"), ("Tanggal Revisi", "-"),
            ("Tanggal Pengesahan", "Februari 2025"), ("Disahkan oleh", ""), ("Nama SOP", "PELAYANAN SURAT PENGANTAR NIKAH")]
    for i, (label, text) in enumerate(rows):
        identity.cell(i, 1).text = label
        identity.cell(i, 2).text = text
    signer = identity.cell(4, 2)
    signer.paragraphs[0].text = "Plt. Lurah Sukamaju"
    for line in ("", "RINA WATI, S.AP", "Penata (III/c)", "NIP. 19850312 201001 2 004"):
        signer.add_paragraph(line)
    lists = document.add_table(rows=6, cols=2, style="Table Grid")
    pairs = [("Dasar Hukum:", "Kualifikasi Pelaksana:"), ("1. Undang-Undang Nomor 1 Tahun 1974\n2. Peraturan Wali Kota Contoh Nomor 5 Tahun 2024", "Memahami administrasi kependudukan"),
             ("Keterkaitan:", "Peralatan/Perlengkapan:"), ("SOP Pelayanan Surat Keterangan", "- Komputer\n- Printer"),
             ("Peringatan:", "Pencatatan dan Pendataan:"), ("Pelayanan tertunda", "Buku register")]
    for r, (left, right) in enumerate(pairs):
        lists.cell(r, 0).text, lists.cell(r, 1).text = left, right
    document.add_paragraph("SOP Pelayanan Surat Pengantar Nikah", style="Heading 2")
    flow = document.add_table(rows=7, cols=9, style="Table Grid")
    flow.cell(0, 0).merge(flow.cell(1, 0)).text = "No"
    flow.cell(0, 1).merge(flow.cell(1, 1)).text = "Kegiatan"
    flow.cell(0, 2).merge(flow.cell(0, 4)).text = "Pelaksana"
    flow.cell(0, 5).merge(flow.cell(0, 7)).text = "Mutu Baku"
    flow.cell(0, 8).merge(flow.cell(1, 8)).text = "Keterangan"
    for column, name in zip(range(2, 8), ("Pemohon", "Petugas Loket", "Lurah", "Persyaratan", "Waktu", "Output"), strict=True):
        flow.cell(1, column).text = name
    steps = [
        ("1", "Mengajukan permohonan surat pengantar nikah", 2, "flowChartTerminator", "Formulir, KTP, KK", "5 menit", "Berkas permohonan", ""),
        ("2", "Menerima dan mencatat berkas", 3, "flowChartProcess", "Berkas permohonan", "10 Menit", "Berkas tercatat", ""),
        ("3", kegiatan3, 3, "flowChartDecision", "Berkas tercatat", "15 menit", "Berkas lengkap", ""),
        ("4", "Menandatangani surat pengantar", 4, "flowChartProcess", "Konsep surat", "1 hari", "Surat pengantar", ""),
        ("5", "Menerima surat pengantar", 2, "flowChartTerminator", "Surat pengantar", "5 menit", "Surat diterima", "Diambil sendiri"),
    ]
    for r, (no, kegiatan, lane, prst, kelengkapan, waktu, output, ket) in enumerate(steps, 2):
        for column, text in ((0, no), (1, kegiatan), (5, kelengkapan), (6, waktu), (7, output), (8, ket)):
            flow.cell(r, column).text = text
        if lane == 4 and prst == "flowChartProcess":
            # drawn over the Lurah column but anchored one column to the left, as a drag in Word leaves it:
            # its middle sits one and a half columns (of 6 inches / 9) right of the anchor cell's left edge
            _shape(flow.cell(r, 3), prst, offset=914_400 - 300_000)
        else:
            _shape(flow.cell(r, lane), prst, "Mulai" if r == 2 else "")
    if label_from_decision_row:
        # rows of a fixed height (2 cm); the label anchored in the decision's row but drawn two rows up,
        # over the applicant's first step
        from docx.enum.table import WD_ROW_HEIGHT_RULE
        from docx.shared import Cm

        for row in flow.rows:
            row.height, row.height_rule = Cm(2), WD_ROW_HEIGHT_RULE.EXACTLY
        _shape(flow.cell(4, 2), "rect", "Tidak", down=-Cm(3.2), name="Text Box 7")
    else:
        _shape(flow.cell(3, 2), "rect", "Tidak", name="Text Box 7")  # the rejected branch back to the applicant's row
    _shape(flow.cell(4, 3), "rect", "Ya", name="Text Box 8")
    _shape(flow.cell(4, 3), "straightConnector1", name="Straight Arrow Connector 9")
    document.save(path)


HOSTILE = 'Memeriksa kelengkapan "berkas" #1: {nikah} & <b>N1</b>'


def test_a_word_file_made_by_hand_with_toolbar_shapes_and_labels(sop, tmp_path: Path) -> None:
    document = tmp_path / "sop-nikah.docx"
    _office_docx(document, HOSTILE)
    draft = _imported(sop, document, tmp_path / "nikah.yaml")
    assert draft["organisasi"]["pemerintah"] == "Pemerintah Kota Contoh" and draft["organisasi"]["nama"] == "Kelurahan Sukamaju"
    assert draft["organisasi"]["alamat"] == "Jl. Merdeka No. 1"
    assert draft["nama"] == "Pelayanan Surat Pengantar Nikah" and draft["nomor"] == "470/12/SOP/2025"
    assert (draft["tanggal_pembuatan"], draft["tanggal_revisi"], draft["tanggal_pengesahan"]) == ("2025-01-03", None, "Februari 2025")
    assert draft["disahkan_oleh"] == {"jabatan": "Lurah Sukamaju", "kedudukan": "plt", "nama": "RINA WATI, S.AP",
                                      "pangkat": "Penata (III/c)", "nip": "198503122010012004",
                                      "atas_nama": None, "untuk_beliau": None}
    assert draft["dasar_hukum"] == ["Undang-Undang Nomor 1 Tahun 1974", "Peraturan Wali Kota Contoh Nomor 5 Tahun 2024"]
    assert draft["peralatan_perlengkapan"] == ["Komputer", "Printer"]
    assert [lane["nama"] for lane in draft["pelaksana"]] == ["Pemohon", "Petugas Loket", "Lurah"]
    steps = draft["langkah"]
    assert [(s["no"], s["pelaksana"], s["simbol"]) for s in steps] == [
        (1, ["pemohon"], "mulai"), (2, ["petugas-loket"], "proses"), (3, ["petugas-loket"], "keputusan"),
        (4, ["lurah"], "proses"), (5, ["pemohon"], "selesai")]
    assert (steps[2]["ya"], steps[2]["tidak"]) == (4, 2)  # "Tidak" sits in step 2's row
    assert steps[2]["kegiatan"] == HOSTILE  # text is data: quotes, # and : survive the YAML
    assert [s["waktu"] for s in steps] == ["5 menit", "10 Menit", "15 menit", "1 hari", "5 menit"]
    assert steps[4]["keterangan"] == "Diambil sendiri" and all(s["asal_pelaksana"] == "sumber" for s in steps)
    assert sop("validate", tmp_path / "nikah.yaml").exit_code == 0


def test_a_label_drawn_over_another_row_than_its_anchor_counts_where_it_is_drawn(sop, tmp_path: Path) -> None:
    document = tmp_path / "label.docx"
    _office_docx(document, "Memeriksa kelengkapan berkas", label_from_decision_row=True)
    steps = _imported(sop, document, tmp_path / "label.yaml")["langkah"]
    assert (steps[2]["simbol"], steps[2]["ya"], steps[2]["tidak"]) == ("keputusan", 4, 1)
    assert steps[2]["pelaksana"] == ["petugas-loket"]


def test_bad_input_is_refused_with_what_and_where(sop, tmp_path: Path) -> None:
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /XObject /Subtype /Image >> endobj\n%%EOF")
    result = sop("import", scanned)
    assert result.exit_code == 1 and "scanned PDF" in result.output and str(scanned) in result.output
    text_pdf = tmp_path / "teks.pdf"
    text_pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Font /Subtype /Type1 >> endobj\n%%EOF")
    assert "copy all the text" in sop("import", text_pdf).output
    not_docx = tmp_path / "rusak.docx"
    not_docx.write_bytes(b"PK\x03\x04 not really a zip")
    result = sop("import", not_docx)
    assert result.exit_code == 1 and "not a Word document" in result.output
    odt = tmp_path / "sop.odt"
    odt.write_bytes(b"x")
    assert sop("import", odt).exit_code == 2
    assert sop("import", tmp_path / "missing.txt").exit_code == 1
    no_table = tmp_path / "surat.txt"
    no_table.write_text("PEMERINTAH KABUPATEN UJI\nSurat biasa, bukan SOP.\n", encoding="utf-8")
    result = sop("import", no_table)
    assert result.exit_code == 1 and "tidak ada tabel alur" in result.output
    out = tmp_path / "ada.yaml"
    out.write_text("milik orang lain", encoding="utf-8")
    result = sop("import", SEEDS / "000_fc0bf2a86c375b93.txt", "--out", out)
    assert result.exit_code == 3 and out.read_text(encoding="utf-8") == "milik orang lain"


def test_an_unreadable_waktu_and_a_broken_row_are_located_in_the_draft(sop, tmp_path: Path) -> None:
    text = (SEEDS / "000_fc0bf2a86c375b93.txt").read_text(encoding="utf-8")
    text = text.replace("\t2 jam\tDraft Renja\tSOP pelaksanaan rapat", "\tsetengah hari kurang\tDraft Renja\tSOP pelaksanaan rapat")
    source = tmp_path / "rusak.txt"
    source.write_text(text, encoding="utf-8")
    result = sop("import", source, "--out", tmp_path / "d.yaml")
    assert result.exit_code == 0, result.output
    assert "baris 56 (langkah 5): waktu 'setengah hari kurang' tidak terbaca" in result.output
    written = (tmp_path / "d.yaml").read_text(encoding="utf-8")
    assert "# PERIKSA: waktu 'setengah hari kurang' tidak terbaca" in written
    assert _plain(tmp_path / "d.yaml")["langkah"][4]["waktu"] == "-"


def test_read_mark_reads_the_marks_sop_writes_and_what_copied_text_keeps() -> None:
    from sop_cli.definition.importer.source import read_mark

    assert (read_mark("< > YA → 10, TIDAK → 8").ya, read_mark("< > YA → 10, TIDAK → 8").tidak) == (10, 8)
    assert read_mark("< > YA → 3, TIDAK → Selesai").tidak == "selesai"
    split = read_mark("[ ] → 3 + 4 (bersamaan)")
    assert (split.simbol, split.next, split.parallel) == ("proses", (3, 4), True)
    assert read_mark("( Mulai ) → 2").simbol == "mulai" and read_mark("( Selesai )").simbol == "selesai"
    assert read_mark("↓").simbol == "proses" and read_mark("MULAI").simbol == "mulai"
    assert read_mark("TIDAK").labels == ("TIDAK",) and not read_mark("").present
    # a shape's description as a renderer may word it
    worded = read_mark("keputusan; YA: langkah 10; TIDAK: kembali ke langkah 8")
    assert (worded.simbol, worded.ya, worded.tidak) == ("keputusan", 10, 8)
    assert read_mark("YA: langkah 3 · TIDAK: proses selesai (ditolak/dikembalikan)").tidak == "selesai"
    assert read_mark("proses → 4").next == (4,) and read_mark("selesai").simbol == "selesai"


def test_list_items_reads_numbered_html_and_bulleted_cells() -> None:
    from sop_cli.definition.importer.source import list_items

    assert list_items('<ol style="x"> 1. Perda Nomor 2 Tahun 2019 (Nomor 8); 2. Perbup 28 ') == [
        "Perda Nomor 2 Tahun 2019 (Nomor 8);", "Perbup 28"]
    assert list_items("<ul> - ATK - Komputer/ Laptop") == ["ATK", "Komputer/ Laptop"]
    assert list_items("-") == [] and list_items("Satu butir") == ["Satu butir"]
    assert list_items("Baris satu\nBaris dua") == ["Baris satu", "Baris dua"]


def test_the_draft_writer_is_sop_news(tmp_path: Path) -> None:
    """`sop import` writes through authoring.draft_yaml: a Draft without import's extras is
    exactly what `sop new` wrote before import existed."""
    from sop_cli.definition.authoring import Draft, LaneDraft, StepDraft, checked_text

    draft = Draft("uji", "Uji", {"id": "k", "wilayah": "w", "pemerintah": "P", "nama": "Kantor"}, "Kepala Kantor",
                  [LaneDraft("kepala", "Kepala"), LaneDraft("staf", "Staf")],
                  [StepDraft("kepala", "Mulai", "5 menit", "A"), StepDraft("staf", "Cek", "1 jam", "B", tidak=1),
                   StepDraft("staf", "Akhir", "1 hari", "C")])
    text = checked_text(draft, tmp_path / "uji.yaml")
    assert "nomor: null\n" in text and "dasar_hukum: []\n" in text and "penjelasan" not in text
    assert "    kelengkapan: \"A\"\n" in text  # what the step before gave, as `sop new` does
    assert io.StringIO(text).readline().startswith("# SOP Uji, Kantor.")


# BPMN 2.0 -------------------------------------------------------------------------------------


def test_an_exported_bpmn_imports_to_the_same_process(sop, tmp_path: Path, monkeypatch) -> None:
    """BPMN carries the process, not the identity or the six lists: lanes and steps come back whole."""
    from sop_cli.definition.diff import diff_sops

    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    for path in EVERY_SOP:
        original = _plain(path)
        qualified = f"{original['organisasi']['wilayah']}/{original['organisasi']['id']}/{original['id']}"
        exported = tmp_path / f"{original['id']}.bpmn"
        assert sop("render", "sop", qualified, "--out", exported).exit_code == 0
        draft = _imported(sop, exported, tmp_path / f"{original['id']}.yaml", "--force")
        difference = diff_sops(original, draft)
        assert difference["steps"] == [], (qualified, difference["steps"])
        assert not [c for c in difference["lists"] if c["field"] == "pelaksana"], qualified
        assert draft["organisasi"] == original["organisasi"] and draft["id"] == original["id"]


MODELER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  id="Definitions_0x" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.0.0">
  <bpmn:collaboration id="Collaboration_1"><bpmn:participant id="P_1" name="Izin Reklame" processRef="Process_1"/></bpmn:collaboration>
  <bpmn:process id="Process_1" name="Pelayanan Izin Reklame" isExecutable="false">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_a" name="Pemohon"><bpmn:flowNodeRef>Start</bpmn:flowNodeRef><bpmn:flowNodeRef>T_ajukan</bpmn:flowNodeRef><bpmn:flowNodeRef>End_tolak</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_b" name="Petugas"><bpmn:flowNodeRef>T_periksa</bpmn:flowNodeRef><bpmn:flowNodeRef>G_1</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_c" name="Kepala Dinas"><bpmn:flowNodeRef>T_teken</bpmn:flowNodeRef><bpmn:flowNodeRef>End_ok</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start"/>
    <bpmn:task id="T_ajukan" name="Mengajukan permohonan"><bpmn:documentation>Kelengkapan: Formulir
Waktu: 10 menit
Output: Berkas</bpmn:documentation></bpmn:task>
    <bpmn:task id="T_periksa" name="Memeriksa berkas"/>
    <bpmn:exclusiveGateway id="G_1" name="Lengkap?"/>
    <bpmn:task id="T_teken" name="Menandatangani izin"/>
    <bpmn:endEvent id="End_ok"/><bpmn:endEvent id="End_tolak" name="Ditolak"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="T_ajukan"/>
    <bpmn:sequenceFlow id="F2" sourceRef="T_ajukan" targetRef="T_periksa"/>
    <bpmn:sequenceFlow id="F3" sourceRef="T_periksa" targetRef="G_1"/>
    <bpmn:sequenceFlow id="F4" name="Tidak" sourceRef="G_1" targetRef="End_tolak"/>
    <bpmn:sequenceFlow id="F5" name="Ya" sourceRef="G_1" targetRef="T_teken"/>
    <bpmn:sequenceFlow id="F6" sourceRef="T_teken" targetRef="End_ok"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="Pl" bpmnElement="Collaboration_1">
    <bpmndi:BPMNShape id="s1" bpmnElement="T_teken"><dc:Bounds x="600" y="300" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s2" bpmnElement="T_ajukan"><dc:Bounds x="200" y="50" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s3" bpmnElement="T_periksa"><dc:Bounds x="400" y="180" width="100" height="80"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_a_bpmn_drawn_in_a_modeler_becomes_a_draft_to_complete(sop, tmp_path: Path) -> None:
    source = tmp_path / "reklame.bpmn"
    source.write_text(MODELER, encoding="utf-8")
    result = sop("import", source, "--out", tmp_path / "reklame.yaml")
    assert result.exit_code == 0, result.output
    draft = _plain(tmp_path / "reklame.yaml")
    assert draft["nama"] == "Pelayanan Izin Reklame"
    assert [lane["nama"] for lane in draft["pelaksana"]] == ["Pemohon", "Petugas", "Kepala Dinas"]
    steps = draft["langkah"]
    assert [(s["no"], s["kegiatan"], s["pelaksana"], s["simbol"]) for s in steps] == [
        (1, "Mengajukan permohonan", ["pemohon"], "mulai"), (2, "Memeriksa berkas", ["petugas"], "keputusan"),
        (3, "Menandatangani izin", ["kepala-dinas"], "selesai")]
    assert (steps[1]["ya"], steps[1]["tidak"]) == (3, "selesai")  # "Ya" by its name; "Tidak" ends at an end event
    assert (steps[0]["kelengkapan"], steps[0]["waktu"], steps[0]["output"]) == ("Formulir", "10 menit", "Berkas")
    written = (tmp_path / "reklame.yaml").read_text(encoding="utf-8")
    assert "# PERIKSA: kolom Waktu kosong di dokumen" in written and "PERIKSA: kop: nama pemerintah daerah" in written
    assert "PERIKSA: proses BPMN tidak menyebut pengesah" in result.output
    broken = tmp_path / "rusak.bpmn"
    broken.write_text("<bpmn:definitions", encoding="utf-8")
    refused = sop("import", broken)
    assert refused.exit_code == 1 and "not BPMN XML" in refused.output


def test_a_bpmn_with_an_entity_payload_reads_no_file(sop, tmp_path: Path) -> None:
    hostile = MODELER.replace('<?xml version="1.0" encoding="UTF-8"?>',
                              '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    hostile = hostile.replace('name="Memeriksa berkas"', 'name="Memeriksa &x;"')
    source = tmp_path / "x.bpmn"
    source.write_text(hostile, encoding="utf-8")
    result = sop("import", source, "--out", tmp_path / "x.yaml")
    assert "root:" not in result.output
    if result.exit_code == 0:
        assert "root:" not in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def _vml(cell, kind: str, text: str = "", margin_pt: float = 0) -> None:
    """A shape as an older Word (compatibility mode) writes it: VML in w:pict."""
    from docx.oxml import parse_xml

    body = f'<v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox>' if text else ""
    cell.paragraphs[0]._p.append(parse_xml(
        f'<w:r xmlns:w="{W}" xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
        f'<v:shape type="#_x0000_t{kind}" style="position:absolute;margin-left:{margin_pt}pt;width:40pt;height:20pt">'
        f'{body}</v:shape></w:pict></w:r>'))


def test_an_older_words_vml_shapes_and_unnumbered_rows(sop, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    identity = document.add_table(rows=2, cols=3)
    identity.cell(0, 0).merge(identity.cell(1, 0)).text = "PEMERINTAH KABUPATEN CONTOH\nDINAS CONTOH"
    identity.cell(0, 1).text, identity.cell(0, 2).text = "Nama SOP", "Pelayanan Uji"
    identity.cell(1, 1).text, identity.cell(1, 2).text = "Disahkan oleh", "Kepala Dinas Contoh"
    flow = document.add_table(rows=6, cols=8)
    for column, text in enumerate(("No", "Kegiatan", "Staf", "Kepala", "Kelengkapan", "Waktu", "Output", "Keterangan")):
        flow.cell(0, column).text = text
    rows = [("1", "Menerima berkas", 2, "116"), ("2", "Memeriksa berkas", 3, "110"), ("", "catatan: berkas asli dibawa", 0, ""),
            ("3", "Menyerahkan hasil", 2, "116")]
    for r, (no, kegiatan, column, kind) in enumerate(rows, 1):
        flow.cell(r, 0).text, flow.cell(r, 1).text = no, kegiatan
        flow.cell(r, 4).text, flow.cell(r, 5).text, flow.cell(r, 6).text = "Berkas", "10 menit", "Berkas"
        if kind:
            _vml(flow.cell(r, column), kind)
    _vml(flow.cell(1, 2), "202", "Tidak")
    path = tmp_path / "lama.docx"
    document.save(path)
    result = sop("import", path, "--out", tmp_path / "lama.yaml")
    assert result.exit_code == 0, result.output
    assert "tanpa nomor langkah, dilewati: 'catatan: berkas asli dibawa'" in result.output
    steps = _plain(tmp_path / "lama.yaml")["langkah"]
    assert [(s["no"], s["pelaksana"], s["simbol"]) for s in steps] == [
        (1, ["staf"], "mulai"), (2, ["kepala"], "keputusan"), (3, ["staf"], "selesai")]
    assert (steps[1]["ya"], steps[1]["tidak"]) == (3, 1)


def test_what_to_check_fits_80_columns(sop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = sop("import", SEEDS / "004_10d00499ab070ac7.txt", "--out", tmp_path / "d.yaml")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) > 8 and max(len(line) for line in lines) <= 80
    assert any(line.startswith("    ") for line in lines)  # an item's continuation hangs under its text


@pytest.mark.parametrize("seed", sorted(SHIPPED))
def test_damaged_text_gives_a_draft_or_a_located_refusal_never_a_crash(seed: str, tmp_path: Path) -> None:
    """Lines lost, cells shifted, junk typed in: the importer words every outcome (no exception but
    SopError), as a person's half-copied document would have it."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from sop_cli.definition.importer import import_document
    from sop_cli.errors import SopError

    lines = (SEEDS / seed).read_text(encoding="utf-8").split("\n")

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, len(lines) - 1), st.sampled_from(["drop", "tab", "junk", "dup"]),
                              st.text(max_size=12)), max_size=8))
    def damaged(edits: list[tuple[int, str, str]]) -> None:
        text = list(lines)
        for at, kind, junk in edits:
            at = min(at, len(text) - 1)
            if kind == "drop" and len(text) > 1:
                del text[at]
            elif kind == "tab":
                text[at] = text[at].replace("\t", "\t\t", 1)
            elif kind == "junk":
                text[at] = text[at] + junk
            else:
                text.insert(at, text[at])
        try:
            imported = import_document(Path("rusak.txt"), content="\n".join(text).encode("utf-8"))
        except SopError as error:
            assert str(error)
        else:
            assert imported.text.startswith("# SOP ")

    damaged()


@pytest.mark.slow
def test_a_word_file_saved_again_by_libreoffice_still_imports_whole(sop, tmp_path: Path) -> None:
    """Offices pass documents through LibreOffice, which joins tables that touch (here the identity
    and the lists) and rewrites the XML: the round trip still holds."""
    import subprocess

    from sop_cli.definition.diff import diff_sops
    from tests.office import libreoffice

    office = libreoffice()
    document = tmp_path / "renja.docx"
    assert sop("render", "sop", "nganjuk/kecamatan-ngronggot/renja", "--out", document).exit_code == 0
    saved = tmp_path / "simpan"
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved), str(document)],
                   check=True, capture_output=True, timeout=180)
    draft = _imported(sop, saved / "renja.docx", tmp_path / "renja.yaml")
    assert diff_sops(_plain(SHIPPED["000_fc0bf2a86c375b93.txt"]), draft)["same"]


def test_a_flowchart_table_split_over_pages_is_read_whole(sop, tmp_path: Path) -> None:
    """Offices often start a new table on each page, the header repeated: the steps go on."""
    import copy

    import docx

    from sop_cli.definition.diff import diff_sops

    rendered = tmp_path / "renja.docx"
    assert sop("render", "sop", "nganjuk/kecamatan-ngronggot/renja", "--out", rendered).exit_code == 0
    document = docx.Document(str(rendered))
    tables = len(document.tables)
    flow = document.tables[-1]._tbl
    second = copy.deepcopy(flow)
    rows, rows2 = flow.findall(f"{{{W}}}tr"), second.findall(f"{{{W}}}tr")
    for row in rows[9:]:
        flow.remove(row)  # the first page: header rows and steps 1-7
    for row in rows2[2:9]:
        second.remove(row)  # the second: header rows again, steps 8-14
    gap = copy.deepcopy(document.paragraphs[-1]._p)
    flow.addnext(gap)
    gap.addnext(second)
    split = tmp_path / "terbelah.docx"
    document.save(str(split))
    assert len(docx.Document(str(split)).tables) == tables + 1
    draft = _imported(sop, split, tmp_path / "renja.yaml")
    assert diff_sops(_plain(SHIPPED["000_fc0bf2a86c375b93.txt"]), draft)["same"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252"])
def test_text_saved_by_notepad_in_any_of_its_encodings(sop, tmp_path: Path, encoding: str) -> None:
    text = (SEEDS / "000_fc0bf2a86c375b93.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    source = tmp_path / "salinan.txt"
    source.write_bytes(text.encode(encoding, errors="replace"))
    draft = _imported(sop, source, tmp_path / "d.yaml")
    assert len(draft["langkah"]) == 14 and draft["disahkan_oleh"]["nama"] == "MOHAMAD MAKRUP, S.Sos"


def test_a_word_file_with_the_identity_and_lists_typed_as_paragraphs(sop, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ("PEMERINTAH KABUPATEN CONTOH", "BADAN PENDAPATAN DAERAH", "Nomor SOP : 900/7/SOP/2024",
                 "Tanggal Pembuatan : 2 Mei 2024", "Nama SOP : Pelayanan Keberatan Pajak", "Disahkan oleh : Kepala Badan",
                 "Dasar Hukum"):
        document.add_paragraph(line)
    for item in ("Undang-Undang Nomor 1 Tahun 2022", "Peraturan Daerah Nomor 4 Tahun 2023"):
        document.add_paragraph(item, style="List Number")  # Word's own numbering: no "1." in the text
    document.add_paragraph("Peringatan")
    document.add_paragraph("Keberatan lewat waktu ditolak")
    flow = document.add_table(rows=3, cols=7, style="Table Grid")
    for column, text in enumerate(("No", "Kegiatan", "Wajib Pajak", "Petugas", "Kelengkapan", "Waktu", "Output")):
        flow.cell(0, column).text = text
    for r, (kegiatan, lane, mark) in enumerate((("Mengajukan keberatan", 2, "( Mulai ) → 2"),
                                                ("Meneliti keberatan", 3, "( Selesai )")), 1):
        flow.cell(r, 0).text, flow.cell(r, 1).text, flow.cell(r, lane).text = str(r), kegiatan, mark
        flow.cell(r, 4).text, flow.cell(r, 5).text, flow.cell(r, 6).text = "Surat", "3 hari", "Berkas"
    path = tmp_path / "keberatan.docx"
    document.save(path)
    draft = _imported(sop, path, tmp_path / "keberatan.yaml")
    assert (draft["organisasi"]["pemerintah"], draft["organisasi"]["nama"]) == (
        "Pemerintah Kabupaten Contoh", "Badan Pendapatan Daerah")
    assert (draft["nomor"], draft["tanggal_pembuatan"], draft["nama"]) == ("900/7/SOP/2024", "2024-05-02",
                                                                           "Pelayanan Keberatan Pajak")
    assert draft["disahkan_oleh"]["jabatan"] == "Kepala Badan"
    assert draft["dasar_hukum"] == ["Undang-Undang Nomor 1 Tahun 2022", "Peraturan Daerah Nomor 4 Tahun 2023"]
    assert draft["peringatan"] == ["Keberatan lewat waktu ditolak"]
    assert [(s["pelaksana"], s["simbol"]) for s in draft["langkah"]] == [(["wajib-pajak"], "mulai"), (["petugas"], "selesai")]
