"""The files an office opens: each is read back with the library that reads it (python-docx,
openpyxl, pypdf) and checked for names, NIP, Indonesian dates and every step of the SOP."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import REPO, write
from tests.test_cli_docs import NGANJUK_VALUES
from tests.test_report import LAMPUNG, NGANJUK, make_run

NIP = "19690115 199003 1 008"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# a 1x1 PNG, as an organisation's lambang image
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def squash(text: str) -> str:
    """Text without whitespace, so a phrase wrapped over lines still matches."""
    return re.sub(r"\s+", "", text)


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def steps_of(name: str) -> list[str]:
    import yaml

    folder = "nganjuk/kecamatan-ngronggot" if name == NGANJUK else "lampung-tengah/diskominfo"
    data = yaml.safe_load((REPO / "sops" / folder / "renja.yaml").read_text(encoding="utf-8"))
    return [" ".join(step["kegiatan"].split()) for step in data["langkah"]]


def made(sop, *args) -> None:
    result = sop(*args)
    assert result.exit_code == 0, result.output


def test_the_sop_document_as_docx_has_every_step_the_signer_and_no_working_notes(sop, tmp_path):
    out = tmp_path / "sop.docx"
    made(sop, "render", "sop", NGANJUK, "--out", out)
    text = docx_text(out)
    assert "MOHAMAD MAKRUP, S.Sos" in text and f"NIP. {NIP}" in text
    assert "KECAMATAN NGRONGGOT" in text and "PENYUSUNAN RENCANA KERJA" in text
    for kegiatan in steps_of(NGANJUK):
        assert squash(kegiatan) in squash(text), kegiatan
    for note in ("inferensi", "Sumber:", "seed"):
        assert note not in text


@pytest.mark.parametrize("name", [NGANJUK, LAMPUNG])
def test_the_sop_document_as_pdf_has_every_step_and_no_blank_page(sop, tmp_path, name):
    out = tmp_path / "sop.pdf"
    made(sop, "render", "sop", name, "--out", out)
    pages = pdf_pages(out)
    assert all(page.strip() for page in pages), [i + 1 for i, page in enumerate(pages) if not page.strip()]
    text = squash("".join(pages))
    for kegiatan in steps_of(name):  # each row whole on one page
        assert any(squash(kegiatan) in squash(page) for page in pages), kegiatan
    assert "inferensi" not in text and "Sumber:" not in text
    # the flowchart goes on over a page break through a pair of off-page connectors
    flow = [i for i, page in enumerate(pages) if "Kegiatan" in page]
    assert len(flow) >= 2
    for before, after in itertools.pairwise(flow):
        assert squash("bersambung ke halaman berikutnya") in squash(pages[before])
        assert squash("dari halaman sebelumnya") in squash(pages[after])
    assert squash("Penghubung antarhalaman") in text
    if name == NGANJUK:
        assert squash(NIP) in text


@pytest.mark.slow
def test_the_sop_document_s_html_printed_from_a_browser_has_the_pdf_s_pages(sop, tmp_path):
    """As an office prints the HTML (Chromium's print to PDF, headers and footers left on): the
    PDF's pages, each with the same steps, the flowchart going on through the same numbered
    off-page connectors, and no browser date or file address in the margins."""
    import subprocess

    from tests.office import chromium

    browser = chromium()
    made(sop, "render", "sop", NGANJUK, "--out", tmp_path / "sop.html")
    made(sop, "render", "sop", NGANJUK, "--out", tmp_path / "sop.pdf")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--print-to-pdf={tmp_path / 'printed.pdf'}", (tmp_path / "sop.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    printed, pdf = pdf_pages(tmp_path / "printed.pdf"), pdf_pages(tmp_path / "sop.pdf")

    def steps_by_page(pages: list[str]) -> list[list[int]]:
        return [[no for no, kegiatan in enumerate(steps_of(NGANJUK), 1) if squash(kegiatan) in squash(page)]
                for page in pages]

    assert len(printed) == len(pdf) >= 3
    assert steps_by_page(printed) == steps_by_page(pdf)
    connectors = [(squash("bersambung ke halaman berikutnya") in squash(page),
                   squash("dari halaman sebelumnya") in squash(page)) for page in printed]
    assert connectors == [(squash("bersambung ke halaman berikutnya") in squash(page),
                           squash("dari halaman sebelumnya") in squash(page)) for page in pdf]
    assert any(end for end, _ in connectors) and any(start for _, start in connectors)
    assert not any("file:" in page or "sop.html" in page for page in printed)


@pytest.mark.slow
def test_letters_in_word_print_on_the_pdf_s_pages_each_page_signed(sop, finished, tmp_path):
    """As an office prints the .docx (LibreOffice headless), with its lambang and Sekretaris set: a disposisi on
    one page and the format-data form one page per seksi, as the PDF, the signer on every page
    (a kop taller than the PDF's once pushed each form's signatures onto a page of their own)."""
    import base64
    import subprocess

    from tests.office import libreoffice

    office = libreoffice()
    run, values = finished
    (tmp_path / "lambang.png").write_bytes(base64.b64decode(PNG))
    made(sop, "org", "lambang", "ngronggot", tmp_path / "lambang.png")
    made(sop, "org", "pejabat", "ngronggot", "sekretaris", "--nip", "19700512 199503 1 004",
         "--pangkat", "Penata Tk. I (III/d)")
    seksi = ["--set", "seksi=Seksi Pemerintahan;Seksi Trantib"]
    signers = {"disposisi": "MOHAMAD MAKRUP, S.Sos", "format-data": "Drs. SUGENG RAHARJO, M.Si"}
    for doc in signers:
        for fmt in ("docx", "pdf"):
            made(sop, "render", doc, "--run", run, "--values", values, *(seksi if doc == "format-data" else []),
                 "--out", tmp_path / f"{doc}.{fmt}")
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "lo"), str(tmp_path / "disposisi.docx"),
                    str(tmp_path / "format-data.docx")], check=True, capture_output=True, timeout=180)
    for doc, signer in signers.items():
        printed, pdf = pdf_pages(tmp_path / "lo" / f"{doc}.pdf"), pdf_pages(tmp_path / f"{doc}.pdf")
        assert len(printed) == len(pdf) == (2 if doc == "format-data" else 1), doc
        assert all(squash(signer) in squash(page) for page in printed), doc


def pdf_fonts(path: Path) -> set[str]:
    """The base names of the fonts a PDF embeds, without the subset tag (`ABCDEF+`)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(str(path)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


# Arial and Times New Roman where the machine has them, else the faces sop brings with it: never
# the machine's wider fallback (DejaVu Sans or Serif), which moves every line and page break.
METRIC_FACES = re.compile(r"(Liberation-?(Sans|Serif)|Arial|Times)", re.IGNORECASE)


def test_pdf_text_is_set_in_faces_with_the_metrics_of_arial_and_times(sop, finished, tmp_path):
    run, values = finished
    made(sop, "render", "sop", NGANJUK, "--out", tmp_path / "sop.pdf")
    made(sop, "render", "undangan", "--run", run, "--values", values, "--out", tmp_path / "undangan.pdf")
    sop_fonts, letter_fonts = pdf_fonts(tmp_path / "sop.pdf"), pdf_fonts(tmp_path / "undangan.pdf")
    assert sop_fonts and all(METRIC_FACES.match(name) for name in sop_fonts), sop_fonts
    # a letter is in the serif of Tata Naskah Dinas; only a symbol may come from another font
    assert any(re.match(r"(Liberation-?Serif|Times)", name, re.IGNORECASE) for name in letter_fonts), letter_fonts
    assert not any(re.match(r"DejaVu-?(Sans|Serif)", name) for name in letter_fonts), letter_fonts


@pytest.fixture
def finished(sop, monkeypatch, tmp_path):
    run = make_run(sop, monkeypatch)
    return run, write(tmp_path / "nilai.yaml", NGANJUK_VALUES + "pengantar: {nomor: 050/99/411.512/2026}\n")


def test_every_letter_as_docx_and_pdf_carries_the_signer_and_indonesian_dates(sop, finished, tmp_path):
    run, values = finished
    expected = {
        "disposisi": ("LEMBAR DISPOSISI", "MOHAMAD MAKRUP, S.Sos", NIP, "20 November 2026"),
        "format-data": ("FORMAT PENGUMPULAN DATA", "a.n. Camat Ngronggot", "Drs. SUGENG RAHARJO, M.Si",
                        "23 November 2026"),
        "undangan": ("Undangan Rapat", "a.n. Camat Ngronggot", "Drs. SUGENG RAHARJO, M.Si", "Selasa, 24 November 2026"),
        "persetujuan": ("LEMBAR PERSETUJUAN", "MOHAMAD MAKRUP, S.Sos", NIP,
                        "Dokumen Renja Kecamatan Ngronggot Tahun 2027"),
        "pengantar": ("SURAT PENGANTAR", "MOHAMAD MAKRUP, S.Sos", NIP, "27 November 2026"),
    }
    for doc, parts in expected.items():
        docx_file = tmp_path / f"{doc}.docx"
        made(sop, "render", doc, "--run", run, "--values", values, "--out", docx_file)
        text = docx_text(docx_file)
        for part in (*parts, "KECAMATAN NGRONGGOT"):
            assert part in text, (doc, part)
    pdf_file = tmp_path / "undangan.pdf"
    made(sop, "render", "undangan", "--run", run, "--values", values, "--out", pdf_file)
    pages = pdf_pages(pdf_file)
    assert len(pages) == 1 and "Selasa, 24 November 2026" in pages[0] and "a.n. Camat Ngronggot" in pages[0]


def test_format_data_and_the_report_as_xlsx(sop, finished, tmp_path):
    import openpyxl

    run, _values = finished
    form = tmp_path / "format.xlsx"
    made(sop, "render", "format-data", "--run", run, "--set", "seksi=Seksi Pemerintahan;Seksi Trantib",
         "--set", "batas_waktu=2026-11-30", "--out", form)
    book = openpyxl.load_workbook(form)
    assert book.sheetnames == ["Seksi Pemerintahan", "Seksi Trantib"]
    cells = [c for row in book["Seksi Trantib"].iter_rows(values_only=True) for c in row if c is not None]
    assert "KECAMATAN NGRONGGOT" in cells and "Pagu Indikatif (Rp)" in cells
    assert any("paling lambat Senin, 30 November 2026" in str(c) for c in cells)
    # printed: one landscape page wide, signed by the seksi's head and the Sekretaris a.n. the Camat
    assert "Kepala Seksi/Bidang/Subbagian," in cells and "Drs. SUGENG RAHARJO, M.Si" in cells
    assert "a.n. Camat Ngronggot" in cells
    form_sheet = book["Seksi Trantib"]
    assert form_sheet.page_setup.orientation == "landscape" and form_sheet.page_setup.fitToWidth == 1
    assert form_sheet.sheet_properties.pageSetUpPr.fitToPage

    report = tmp_path / "laporan.xlsx"
    made(sop, "report", "--run", run, "--out", report)
    sheet = openpyxl.load_workbook(report)["Laporan"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "No"))
    body = rows[header + 1:]
    assert len(body) == 16  # 14 steps, two passed twice
    columns = rows[header]
    first = dict(zip(columns, body[0]))
    assert first["Mulai"] == datetime(2026, 11, 23, 8, 0) and first["Terlambat"] == "tidak"
    assert dict(zip(columns, body[1]))["Terlambat"] == "ya"
    kegiatan = [dict(zip(columns, row))["Kegiatan"] for row in body]
    for step in steps_of(NGANJUK):
        assert step in kegiatan
    # a wrapped Kegiatan gets the lines it needs (LibreOffice does not measure rows itself)
    long_row = header + 1 + next(i for i, row in enumerate(body) if len(str(dict(zip(columns, row))["Kegiatan"])) > 70)
    assert sheet.row_dimensions[long_row + 1].height >= 45
    # signed under its summary, as the PDF: the head "Mengetahui", the maker beside him
    signed = [c for row in openpyxl.load_workbook(report)["Ringkasan"].iter_rows(values_only=True) for c in row if c]
    assert "Mengetahui," in signed and "MOHAMAD MAKRUP, S.Sos" in signed and f"NIP. {NIP}" in signed
    assert "Yang membuat," in signed

    monitoring = tmp_path / "monitoring.xlsx"
    made(sop, "report", "--run", run, "--monitoring", "--out", monitoring)
    sheet = openpyxl.load_workbook(monitoring).active
    assert sheet["A4"].value.startswith("Metode: catatan pelaksanaan langkah; toleransi: tidak ada")
    assert "Prosedur" in [c.value for c in sheet[6]]
    assert "Penilai," in [c for row in sheet.iter_rows(values_only=True) for c in row]


def test_an_unknown_suffix_is_refused_and_nothing_is_written(sop, finished, tmp_path, monkeypatch):
    monkeypatch.delenv("SOP_DEBUG")
    run, values = finished
    for args in (("render", "sop", NGANJUK), ("render", "undangan", "--run", run, "--values", values),
                 ("report", "--run", run)):
        out = tmp_path / "surat.rtf"
        result = sop(*args, "--out", out)
        assert result.exit_code == 2 and "names no format" in result.stderr and ".pdf" in result.stderr
        assert not out.exists()
    result = sop("render", "sop", NGANJUK, "--out", tmp_path / "sop.xlsx")
    assert result.exit_code == 2 and not (tmp_path / "sop.xlsx").exists()
    result = sop("render", "sop", NGANJUK, "--format", "docx")
    assert result.exit_code == 2 and "give --out FILE.docx" in result.stderr


def test_an_office_from_scratch_renders_its_own_letter(sop, monkeypatch, tmp_path):
    """A Kelurahan service SOP, its organisation file, and a document type of its own."""
    folder = tmp_path / "sops" / "nganjuk" / "kelurahan-kauman"
    write(folder / "sktm.yaml", """\
        id: sktm
        nama: Pelayanan Surat Keterangan Tidak Mampu
        organisasi: {id: kelurahan-kauman, wilayah: nganjuk, pemerintah: Pemerintah Kabupaten Nganjuk,
                     nama: Kelurahan Kauman, kota: Nganjuk}
        disahkan_oleh: {jabatan: Lurah Kauman}
        dasar_hukum: [Peraturan Bupati Nganjuk]
        kualifikasi_pelaksana: [Lurah, Staf]
        keterkaitan: [-]
        peralatan_perlengkapan: [Komputer]
        peringatan: [Pelayanan terlambat]
        pencatatan_pendataan: [Buku register]
        pelaksana:
          - {id: staf, nama: Staf Pelayanan}
          - {id: lurah, nama: Lurah}
        langkah:
          - {no: 1, kegiatan: Menerima berkas permohonan, pelaksana: [staf], asal_pelaksana: sumber,
             simbol: mulai, kelengkapan: KTP dan KK, waktu: 10 menit, output: Berkas}
          - {no: 2, kegiatan: Menandatangani surat keterangan, pelaksana: [lurah], asal_pelaksana: sumber,
             simbol: selesai, kelengkapan: Berkas, waktu: 10 menit, output: SKTM, dokumen: sktm}
        """)
    import base64

    (folder / "lambang.png").write_bytes(base64.b64decode(PNG))
    write(folder / "organisasi.yaml", """\
        kop: {alamat: "Jl. Contoh No. 1, Nganjuk", telepon: null, email: kauman@example.go.id, lambang: lambang.png}
        pimpinan: lurah
        pejabat:
          lurah: {jabatan: Lurah Kauman, nama: "BUDI SANTOSO, S.IP", pangkat: Penata (III/c), nip: "198001012005011001"}
        """)
    write(folder / "dokumen" / "sktm.yaml", """\
        judul: Surat keterangan tidak mampu
        penandatangan: pimpinan
        nilai:
          nomor: {jenis: text, wajib: true, arti: nomor surat, contoh: 470/12/2026}
          pemohon: {jenis: text, wajib: true, arti: nama pemohon, contoh: SUKARMI}
          lahir: {jenis: date, arti: tanggal lahir pemohon}
        """)
    write(folder / "dokumen" / "sktm.html", """\
        {% extends "_layout.html" %}{% from "_macros.html" import kop, ttd %}
        {% block body %}<div class="sheet portrait">{{ kop(org) }}
        <div class="judul-naskah">SURAT KETERANGAN TIDAK MAMPU</div><div class="nomor-naskah">Nomor: {{ nilai.nomor }}</div>
        <p>Yang bertanda tangan di bawah ini menerangkan bahwa {{ nilai.pemohon }}{% if nilai.lahir %}, lahir {{ nilai.lahir | tanggal }}{% endif %}, adalah warga tidak mampu.</p>
        {{ ttd(penandatangan, tempat ~ ", " ~ (tanggal | tanggal)) }}</div>{% endblock %}
        """)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T09:00")
    made(sop, "validate", str(tmp_path / "sops"))
    made(sop, "start", "nganjuk/kelurahan-kauman/sktm", "--at", "2026-11-24 08:00")
    made(sop, "advance", "--at", "2026-11-24 08:10")
    out = tmp_path / "sktm.docx"
    made(sop, "render", "sktm", "--set", "nomor=470/12/2026", "--set", "pemohon=SUKARMI",
         "--set", "lahir=1970-05-02", "--out", out)
    text = docx_text(out)
    for part in ("KELURAHAN KAUMAN", "Nomor: 470/12/2026", "SUKARMI, lahir 2 Mei 1970", "Lurah Kauman,",
                 "BUDI SANTOSO, S.IP", "NIP. 19800101 200501 1 001", "Nganjuk, 24 November 2026"):
        assert part in text, part
    import docx

    assert len(docx.Document(str(out)).inline_shapes) == 1  # the lambang of the kop
    result = sop("render", "sktm", "--set", "nomor=470/12/2026", "--set", "pemohon=SUKARMI")
    assert result.exit_code == 0, result.output
    html = result.stdout
    assert '<img class="lambang" src="data:image/png;base64,' in html and "lambang umum" not in html
    assert "Pos-el kauman@example.go.id" in html
    result = sop("render", "sktm", "--set", "nomor=1", "--set", "pemohon=X", "--set", "alamat=Y")
    assert result.exit_code == 2 and "'sktm' takes no value 'alamat'. Its values: nomor, pemohon, lahir" in result.stderr


def test_rendering_html_loads_no_office_library(tmp_path):
    import json
    import os
    import subprocess
    import sys

    code = ("import sys, runpy; sys.argv = ['sop', 'render', 'sop', 'nganjuk/kecamatan-ngronggot/renja'];\n"
            "import io, contextlib\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            "    try:\n        runpy.run_module('sop_cli', run_name='__main__')\n"
            "    except SystemExit:\n        pass\n"
            "import json; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('docx', 'openpyxl', 'weasyprint', 'pypdf'))))\n")
    env = dict(os.environ, SOP_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False,
                            cwd=tmp_path)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], result.stderr





def test_every_letter_and_report_as_pdf_has_no_blank_page_and_every_row(sop, finished, tmp_path):
    run, values = finished
    for doc in ("disposisi", "format-data", "persetujuan", "pengantar"):
        out = tmp_path / f"{doc}.pdf"
        made(sop, "render", doc, "--run", run, "--values", values, "--out", out)
        pages = pdf_pages(out)
        assert len(pages) == 1 and pages[0].strip(), doc
        assert squash("MOHAMAD MAKRUP, S.Sos" if doc != "format-data" else "a.n. Camat Ngronggot") in squash(pages[0])
    out = tmp_path / "laporan.pdf"
    made(sop, "report", "--run", run, "--out", out)
    pages = pdf_pages(out)
    assert all(page.strip() for page in pages)
    text = squash("".join(pages))
    for kegiatan in steps_of(NGANJUK):
        assert squash(kegiatan) in text, kegiatan
    assert "Rework" not in text and squash("Pengulangan") in text


def test_report_and_monitoring_pdfs_never_split_a_row_and_end_with_the_signature(sop, finished, tmp_path):
    run, _ = finished
    assert sop("note", "--run", run, "Draf final diserahkan ke BAPPEDA").exit_code == 0
    for args, name in ((["report"], "laporan"), (["report", "--monitoring"], "monitoring")):
        out = tmp_path / f"{name}.pdf"
        made(sop, *args, "--run", run, "--out", out)
        pages = [squash(page) for page in pdf_pages(out)]
        assert len(pages) >= 2 and all(pages), name  # the Nganjuk run takes two pages
        for kegiatan in steps_of(NGANJUK):
            # a row split across pages would leave part of its text on each
            assert any(squash(kegiatan) in page for page in pages), (name, kegiatan)
        text = "".join(pages)
        assert squash("Catatan dan lampiran pelaksanaan") in text and squash("Draf final diserahkan ke BAPPEDA") in text
        for english in ("Rework", "Orang", "(run"):
            assert english not in text, (name, english)
        assert squash("NIP.") in pages[-1], name  # the signature block, whole on the last page
    assert squash("MOHAMAD MAKRUP, S.Sos") in squash(pdf_pages(tmp_path / "laporan.pdf")[-1])


LAMPUNG_VALUES = """\
surat: {dari: Bupati Lampung Tengah, nomor: 050/321/D.a.VI.01/2026, tanggal: 2026-11-20}
undangan: {nomor: 005/45/D.a.VI.10/2026}
kepada: [Kepala Bidang Aplikasi Informatika, Kepala Bidang Statistik]
rapat: {tanggal: 2026-11-24, waktu: "09.30", tempat: Ruang Rapat Diskominfo}
pengantar: {nomor: 050/77/D.a.VI.10/2026}
seksi: [Bidang Statistik]
"""


@pytest.mark.slow
def test_every_lampung_document_in_every_format_reads_back(sop, monkeypatch, tmp_path):
    """The Lampung Tengah seed, finished with one rejection at step 9: every letter in html, md,
    docx and pdf, format-data and the report in xlsx; each file read back by its own reader."""
    import openpyxl

    run = make_run(sop, monkeypatch, LAMPUNG)
    values = write(tmp_path / "nilai.yaml", LAMPUNG_VALUES)
    heads = {"disposisi": "LEMBAR DISPOSISI", "format-data": "FORMAT PENGUMPULAN DATA", "undangan": "Undangan Rapat",
             "persetujuan": "LEMBAR PERSETUJUAN", "pengantar": "SURAT PENGANTAR"}
    for doc, head in heads.items():
        for fmt in ("html", "md", "docx", "pdf"):
            out = tmp_path / f"{doc}.{fmt}"
            made(sop, "render", doc, "--run", run, "--values", values, "--out", out)
            if fmt == "pdf":
                pages = pdf_pages(out)
                assert len(pages) == 1 and pages[0].strip(), doc
                text = pages[0]
            elif fmt == "docx":
                text = docx_text(out)
            else:
                text = out.read_text(encoding="utf-8")
            assert squash(head.lower()) in squash(text).lower(), (doc, fmt)
            assert squash("DINAS KOMUNIKASI INFORMATIKA") in squash(text).upper(), (doc, fmt)
            assert "Nganjuk" not in text and "Ngronggot" not in text, (doc, fmt)
    book = tmp_path / "format-data.xlsx"
    made(sop, "render", "format-data", "--run", run, "--values", values, "--out", book)
    assert "Bidang Statistik" in openpyxl.load_workbook(book).sheetnames
    report = tmp_path / "laporan.xlsx"
    made(sop, "report", "--run", run, "--out", report)
    cells = [c.value for line in openpyxl.load_workbook(report)["Laporan"].iter_rows() for c in line]
    for kegiatan in steps_of(LAMPUNG):
        assert " ".join(kegiatan.split()) in [" ".join(str(c).split()) for c in cells if c], kegiatan


def test_word_files_say_the_office_and_today_and_print_as_the_pdf_does(sop, finished, tmp_path):
    """The details an office sees when it opens a letter in Word: the file's author is the
    organisation and its date today (not python-docx's template of 2013), the kop is kept together
    and ruled off, the disposisi's Sifat choices are boxes apart from each other, and format-data is
    landscape with its two signature blocks side by side."""
    from datetime import datetime, timedelta, timezone

    import docx
    from docx.enum.section import WD_ORIENT

    run, values = finished
    files = {doc: tmp_path / f"{doc}.docx" for doc in ("disposisi", "format-data")}
    made(sop, "render", "disposisi", "--run", run, "--values", values, "--set", "sifat=Segera", "--out",
         files["disposisi"])
    made(sop, "render", "format-data", "--run", run, "--out", files["format-data"])
    made(sop, "render", "sop", NGANJUK, "--out", tmp_path / "sop.docx")
    for path in (*files.values(), tmp_path / "sop.docx"):
        document = docx.Document(str(path))
        properties = document.core_properties
        assert properties.author == properties.last_modified_by == "Kecamatan Ngronggot", path
        assert abs(properties.created - datetime.now(timezone.utc)) < timedelta(minutes=5), properties.created
        assert "python-docx" not in (properties.comments + properties.author)

    disposisi = docx.Document(str(files["disposisi"]))
    form_table = next(t for t in disposisi.tables if t.cell(0, 0).text == "Surat dari")
    sifat = next(row.cells[1].text for row in form_table.rows if row.cells[0].text == "Sifat")
    assert re.sub(r"\s+", " ", sifat.replace("\u00a0", " ")).split("  ")[0].startswith("☐ Sangat Segera")
    assert "☑\u00a0Segera" in sifat and "☐\u00a0Rahasia" in sifat and "☐\u00a0Biasa" in sifat
    # the Catatan the head writes by hand has the HTML's room (22 mm), the label column its 30 %
    catatan = next(row for row in form_table.rows if row.cells[0].text == "Catatan")
    assert catatan.height is not None and round(catatan.height.mm) >= 22
    assert form_table.columns[0].width < form_table.columns[1].width / 2
    # the kop as the HTML sets it: the lambang left of the centred text, ruled off with a double line
    kop = disposisi.tables[0]
    assert disposisi.element.body.index(kop._tbl) == 0
    text = [p for p in kop.cell(0, 1).paragraphs if p.text]
    assert text[0].text == "PEMERINTAH KABUPATEN NGANJUK" and "Jl." in text[-1].text
    assert all(p.paragraph_format.keep_with_next for p in text)
    assert kop._tbl.find("{*}tblPr/{*}tblBorders/{*}bottom").get(f"{{{W}}}val") == "thickThinSmallGap"

    form = docx.Document(str(files["format-data"]))
    assert form.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert form.sections[0].page_width > form.sections[0].page_height
    signatures = form.tables[-1]
    assert len(signatures.columns) == 2 and "Kepala Seksi" in signatures.cell(0, 0).text
    assert "SUGENG RAHARJO" in signatures.cell(0, 1).text
    rows = next(t for t in form.tables if t.cell(0, 1).text == "Program").rows
    assert all(row.height is not None and round(row.height.mm) >= 7 for row in rows[2:])  # room to write a line
