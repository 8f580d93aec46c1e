"""`sop render sop SOP`: the SOP AP document with its swimlane flowchart, and the rendering layer
(template overrides, strict undefined values, the sandbox, autoescaping)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import write
from tests.sample import VALID

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"


def render(sop, *args: str) -> str:
    result = sop("render", "sop", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(html: str) -> list[str]:
    """The SVG of each step row of the flowchart, in order."""
    return re.findall(r'<svg class="flowrow".*?</svg>(?=</td>)', html, flags=re.S)


def symbol_box(row: str) -> tuple[float, float]:
    """(left, width) of the row's symbol, as percent of the lane columns' width."""
    match = re.search(r'<rect x="([\d.]+)%" y="-\d+" width="([\d.]+)%"', row) or re.search(
        r'<svg x="([\d.]+)%" y="-\d+" width="([\d.]+)%"[^>]*><polygon', row)
    assert match, row
    return float(match.group(1)), float(match.group(2))


def test_html_has_the_identity_block_the_six_lists_and_every_step(sop):
    html = render(sop, NGANJUK)
    assert "PENYUSUNAN RENCANA KERJA" in html.upper()
    assert "800/ /411.512/SOP/2021" in html
    assert "MOHAMAD MAKRUP, S.Sos" in html and "NIP. 19690115 199003 1 008" in html and "Pembina TK I" in html
    for title in ("Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan/Perlengkapan",
                  "Peringatan", "Pencatatan dan Pendataan"):
        assert f"<th>{title}:</th>" in html
    # the pairs: each row of headings holds two lists side by side
    assert re.search(r"<th>Dasar Hukum:</th><th>Kualifikasi Pelaksana:</th>", html)
    for heading in ("No", "Kegiatan", "Pelaksana", "Mutu Baku", "Kelengkapan", "Waktu", "Output", "Keterangan",
                    "Sekretaris", "Kasubag Perencanaan &amp; Keuangan", "Camat"):
        assert f"<th>{heading}</th>" in html or f'>{heading}</th>' in html
    assert "Menganalisis data dan informasi renja yang telah terkumpul" in html
    assert "SOP alur surat masuk dan surat keluar" in html
    assert "size: A4 landscape" in html


@pytest.mark.parametrize(("name", "lanes", "steps"), [(NGANJUK, 3, 14), (LAMPUNG, 4, 13)], ids=["nganjuk", "lampung"])
def test_every_step_has_its_symbol_in_its_lane(sop, name, lanes, steps):
    from sop_cli.definition.catalog import load_catalog

    definition = load_catalog().resolve(name).sop
    html = render(sop, name)
    found = rows(html)
    assert len(found) == steps
    lane_ids = [lane.id for lane in definition.pelaksana]
    for step, row in zip(definition.langkah, found):
        columns = [lane_ids.index(p) for p in step.pelaksana]
        left, width = symbol_box(row)
        lane_width = 100 / lanes
        assert min(columns) * lane_width < left < (min(columns) + 0.5) * lane_width, (step.no, left)
        assert (max(columns) + 0.5) * lane_width < left + width < (max(columns) + 1) * lane_width, (step.no, width)
        shape = {"mulai": 'rx="', "selesai": 'rx="', "proses": "<rect ", "keputusan": "<polygon"}[step.simbol]
        assert shape in row, (step.no, step.simbol)
        # lane separators: one line per inner border
        assert row.count('class="lane"') == lanes - 1


def test_arrows_connect_each_row_to_the_next_and_the_rejection_loops_back(sop):
    found = rows(render(sop, NGANJUK))
    # every row but the last sends a line down to its bottom edge; every row but the first
    # receives an arrowhead on top of its symbol
    for row in found[:-1]:
        assert 'y2="100%"' in row
    for row in found[1:]:
        assert re.search(r'<path d="M-4,-\d+ L4,-\d+ L0,-\d+ Z" class="head"/>', row)
    assert "Mulai" in found[0] and "Selesai" in found[-1]
    decision, target = found[8], found[7]
    assert ">YA</text>" in decision and ">TIDAK</text>" in decision
    # TIDAK climbs from row 9 to the top edge and enters step 8 from the right with an arrowhead
    assert 'y1="50%" x2="' in decision and 'y2="0"' in decision
    assert '<path d="M7,-4 L7,4 L0,0 Z" class="head"/>' in target


def test_a_step_of_two_lanes_has_one_symbol_spanning_both(sop):
    found = rows(render(sop, LAMPUNG))
    left, width = symbol_box(found[7])  # step 8: perencana + staf (lanes 3 and 4 of 4)
    assert left == pytest.approx(54.5) and width == pytest.approx(41.0)


def test_the_signed_document_carries_no_working_notes_the_review_view_does(sop):
    html = render(sop, LAMPUNG)
    for note in ("inferensi", "Sumber:", "seed", 'class="inferred"', ">*<"):
        assert note not in html, note
    review = render(sop, LAMPUNG, "--catatan")
    assert review.count("* lajur hasil inferensi:") == 5  # steps 9-13
    assert "Lajur pelaksana langkah 9–13 adalah hasil inferensi" in review
    assert "Sumber: Dokumen SOP Diskominfo Lampung Tengah" in review
    md = render(sop, LAMPUNG, "--format", "md")
    assert "inferensi" not in md and "Sumber:" not in md and "\\*" not in md


def test_markdown_has_the_tables_and_a_mermaid_chart_with_one_subgraph_per_lane(sop):
    md = render(sop, NGANJUK, "--format", "md")
    assert "| Nomor SOP | 800/ /411.512/SOP/2021 |" in md
    assert "NIP. 19690115 199003 1 008" in md
    assert "| Dasar Hukum | Kualifikasi Pelaksana |" in md
    assert "| No | Kegiatan | Sekretaris | Kasubag Perencanaan & Keuangan | Camat | Kelengkapan | Waktu | Output | Keterangan |" in md
    assert "| 9 | Mengoreksi konsepDokumen rencana kerja (Renja) tahunan | ◇ YA → 10, TIDAK → 8 |" in md
    mermaid = md.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert mermaid.count("subgraph ") == 3 and mermaid.count("\n  end") == 3
    assert '  subgraph lane_camat["Camat"]' in mermaid
    assert '    s1(["1. Memerintahkan penyusunan Rencana Kerja (Renja)"])' in mermaid
    assert '    s9{"9. Mengoreksi konsepDokumen rencana kerja (Renja) tahunan"}' in mermaid
    assert "  s9 -- YA --> s10\n  s9 -- TIDAK --> s8" in mermaid


def test_out_writes_the_file_and_its_suffix_chooses_the_format(sop, tmp_path):
    out = tmp_path / "docs" / "sop.md"
    result = sop("render", "sop", "renja", "--org", "ngronggot", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith("# SOP Penyusunan Renja\n")


def test_text_from_an_sop_file_is_escaped_in_html(sop, tmp_path, monkeypatch):
    text = VALID.replace("kegiatan: Menyusun konsep", 'kegiatan: "Menyusun <script>alert(1)</script> konsep"')
    write(tmp_path / "own" / "uji.yaml", text)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "own"))
    html = render(sop, "kabupaten-uji/kantor-uji/uji")
    assert "Menyusun &lt;script&gt;alert(1)&lt;/script&gt; konsep" in html
    assert "<script>" not in html
    assert "NIP. 19700101 199503 1 002" in html
    # no alamat or contact in this file: the kop still renders, without empty lines
    assert "Telepon" not in html


def test_a_users_template_overrides_the_shipped_one_by_name(sop, tmp_path, monkeypatch):
    write(tmp_path / "mine" / "sop.md", "Milik saya: {{ sop.nama }} / {{ pengesah.nip }} / {{ '2026-11-22' | hari_tanggal }}\n")
    monkeypatch.setenv("SOP_TEMPLATES", str(tmp_path / "mine"))
    assert render(sop, NGANJUK, "--format", "md") == \
        "Milik saya: Penyusunan Rencana Kerja / 19690115 199003 1 008 / Minggu, 22 November 2026\n"
    assert "<!DOCTYPE html>" in render(sop, NGANJUK)  # sop.html still comes from the package


def test_an_undefined_value_is_an_error_naming_template_and_line(sop, tmp_path, monkeypatch):
    write(tmp_path / "mine" / "sop.md", "baris satu\n{{ sop.nama }}\n{{ sop.tidak_ada }}\n")
    monkeypatch.setenv("SOP_TEMPLATES", str(tmp_path / "mine"))
    monkeypatch.delenv("SOP_DEBUG")
    result = sop("render", "sop", NGANJUK, "--format", "md")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.match(r"Error: \S*mine/sop\.md:3: undefined value: .*tidak_ada", result.stderr), result.stderr


def test_the_sandbox_refuses_python_internals(sop, tmp_path, monkeypatch):
    write(tmp_path / "mine" / "sop.md", "{{ sop.__class__.__mro__[1].__subclasses__() }}\n")
    monkeypatch.setenv("SOP_TEMPLATES", str(tmp_path / "mine"))
    result = sop("render", "sop", NGANJUK, "--format", "md")
    assert result.exit_code == 1
    assert "mine/sop.md:1" in result.stderr
    assert "subclasses" not in result.stdout


def test_a_template_syntax_error_names_file_and_line(sop, tmp_path, monkeypatch):
    write(tmp_path / "mine" / "sop.md", "ok\n{% if %}\n")
    monkeypatch.setenv("SOP_TEMPLATES", str(tmp_path / "mine"))
    result = sop("render", "sop", NGANJUK, "--format", "md")
    assert result.exit_code == 1
    assert "sop.md:2: template syntax error" in result.stderr


def test_render_needs_a_document_and_an_sop(sop):
    result = sop("render")
    assert result.exit_code == 2 and "sop render --list" in result.stderr
    result = sop("render", "sop")
    assert result.exit_code == 2 and "needs the SOP" in result.stderr
    result = sop("render", "sop", NGANJUK, "--format", "rtf")
    assert result.exit_code == 2 and "use one of html, md, docx, pdf" in result.stderr


def test_dates_days_and_nip_in_indonesian():
    from datetime import date, datetime, timedelta, timezone

    from sop_cli.render import indonesian

    wita = timezone(timedelta(hours=8))
    assert indonesian.tanggal(date(2026, 11, 22)) == "22 November 2026"
    assert indonesian.hari("2026-11-23") == "Senin"
    assert indonesian.hari_tanggal("2026-08-17") == "Senin, 17 Agustus 2026"
    assert indonesian.jam(datetime(2026, 11, 23, 9, 5, tzinfo=wita)) == "09.05 WITA"
    assert indonesian.tanggal("Maret 2021") == "Maret 2021"
    assert indonesian.tanggal_singkat(datetime(2026, 8, 3, 14, 0)) == "3 Agt 2026 14.00"


def test_the_dates_keep_the_labels_of_the_original(sop, tmp_path, monkeypatch):
    md = render(sop, NGANJUK, "--format", "md")
    assert "| Tanggal Pembuatan | Februari 2021 |" in md
    assert "| Tanggal Revisi | - |" in md
    assert "| Tanggal Pengesahan | Maret 2021 |" in md
    assert "Tanggal Efektif" not in md  # the original has no such row
    write(tmp_path / "sops" / "uji.yaml", VALID.replace("disahkan_oleh:", "tanggal_efektif: 2024-07-01\ndisahkan_oleh:"))
    md = render(sop, "uji", "--format", "md")
    assert "| Tanggal Efektif | 1 Juli 2024 |" in md


def test_no_connector_runs_on_a_lane_border(sop):
    import re

    for name, lanes in ((LAMPUNG, 4), (NGANJUK, 3)):
        borders = {round(100 * k / lanes, 3) for k in range(1, lanes)}
        for row in rows(render(sop, name)):
            for x1, x2 in re.findall(r'<line x1="([\d.]+)%" y1="[^"]*" x2="([\d.]+)%" y2="[^"]*" class="flow"', row):
                if x1 == x2:  # a vertical run
                    assert round(float(x1), 3) not in borders, (name, x1)


def test_the_identity_block_keeps_nama_sop_in_its_cell_and_leaves_lines_to_fill(sop, monkeypatch, tmp_path):
    from tests.conftest import REPO

    source = (REPO / "sops/lampung-tengah/diskominfo/renja.yaml").read_text(encoding="utf-8")
    source = source.replace("tanggal_efektif: null", "tanggal_efektif: 2024-07-01").replace("id: renja\n", "id: renja-efektif\n", 1)
    write(tmp_path / "own" / "renja.yaml", source)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "own"))
    shipped = render(sop, LAMPUNG)
    assert 'class="instansi" rowspan="6"' in shipped  # Nomor, three dates, Disahkan oleh, Nama SOP
    assert '<td class="label">Nomor SOP</td><td>………………………………</td>' in shipped  # a line to fill, not "-"
    effective = render(sop, "lampung-tengah/diskominfo/renja-efektif")
    assert 'class="instansi" rowspan="7"' in effective and "Tanggal Efektif</td><td>1 Juli 2024" in effective


def test_a_tidak_forward_leaves_by_the_side_and_never_overprints_ya(sop, monkeypatch, tmp_path):
    from tests.conftest import REPO

    source = (REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml").read_text(encoding="utf-8")
    source = source.replace("    tidak: 8\n", "    tidak: 14\n").replace("id: renja\n", "id: renja-maju\n", 1)
    write(tmp_path / "own" / "renja.yaml", source)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "own"))
    decision = rows(render(sop, "nganjuk/kecamatan-ngronggot/renja-maju"))[8]
    ya = re.search(r'<svg x="([\d.]+)%"[^>]*><text x="4"[^>]*>YA</text>', decision)
    tidak = re.search(r'<svg x="([\d.]+)%"[^>]*><text x="3" y="-4" text-anchor="start"[^>]*>TIDAK</text>', decision)
    assert ya and tidak and ya.group(1) != tidak.group(1)
