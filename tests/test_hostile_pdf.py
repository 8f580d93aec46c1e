"""A hostile template meeting WeasyPrint: whatever a template in the working folder's `templates/`
or an SOP's `dokumen/` asks for, the PDF reads only data: URLs, the fonts sop ships and images in
the organisation's folder. A server on 127.0.0.1 records every request: it must get none; a
`file:` attachment must not be in the PDF (read back with pypdf)."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write
from tests.hostile import as_user, invoke
from tests.sample import VALID
from tests.test_office_files import PNG

pytest.importorskip("weasyprint")
SECRET = "RAHASIA-DI-LUAR-FOLDER"


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records the path of every request it gets; it stops at the
    end of the test, and by itself after 60 s whatever happens."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            hits.append(self.path)
            body = b"body { color: red }" if self.path.endswith(".css") else base64.b64decode(PNG)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    stop = threading.Timer(60, server.shutdown)
    stop.daemon = True
    stop.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        stop.cancel()
        server.shutdown()
        server.server_close()
        thread.join(5)


def payload(url: str, secret: Path) -> str:
    """Every way an HTML template can make WeasyPrint fetch or embed something."""
    return f"""\
<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{url}/link.css">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<link rel="attachment" href="{secret.as_uri()}">
<link rel="attachment" href="{url}/attachment.txt">
<style>
@import url("{url}/import.css");
@font-face {{ font-family: Jauh; src: url("{url}/font.ttf"); }}
body {{ background: url("{url}/background.png"); font-family: Jauh, "Liberation Sans"; }}
h1 {{ list-style-image: url("file:///etc/hostname"); }}
</style></head><body>
<h1>Dokumen {{{{ sop.nama if sop is defined else '' }}}}</h1>
<img src="{url}/img.png"><img src="file:///etc/passwd"><img src="/etc/passwd"><img src="../../../rahasia.png">
<embed src="{url}/embed.png"><object data="{url}/object.png"></object><iframe src="{url}/iframe.html"></iframe>
<svg width="10" height="10"><image href="{url}/svg-image.png" width="10" height="10"/></svg>
<a rel="attachment" href="file:///etc/passwd">lampiran</a>
<img src="stempel.png" alt="stempel kantor">
<p>Isi surat.</p>
</body></html>
"""


def read_pdf(path: Path) -> tuple[str, dict[str, object], int]:
    """(its text, its attachments, the number of images) as pypdf reads them."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    images = sum(len(page.images) for page in reader.pages)
    return text, dict(reader.attachments), images


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An office's folder with one SOP whose step 1 outputs a document type of its own, a stamp
    image beside them, and a secret image outside the folder."""
    folder = tmp_path / "sops" / "kabupaten-uji" / "kantor-uji"
    write(folder / "uji.yaml", VALID.replace("    output: Disposisi\n", "    output: Disposisi\n    dokumen: nota\n", 1))
    write(folder / "dokumen" / "nota.yaml", "judul: Nota dinas\nkeadaan: [aktif, selesai]\nsejak: mulai\n")
    (folder / "stempel.png").write_bytes(base64.b64decode(PNG))
    (tmp_path / "sops" / "rahasia.png").write_bytes(base64.b64decode(PNG) + SECRET.encode())
    (tmp_path / "rahasia.txt").write_text(SECRET)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    return folder


@pytest.mark.parametrize("where", ["templates", "report", "dokumen"])
def test_a_pdf_fetches_nothing_and_embeds_no_file(sop, office: Path, tmp_path: Path, listener, where: str) -> None:
    url, hits = listener
    html = payload(url, tmp_path / "rahasia.txt")
    out = tmp_path / "hasil.pdf"
    if where == "templates":  # the working folder's override of the SOP document
        write(tmp_path / "templates" / "sop.html", html)
        ran = invoke(sop, "render", "sop", "uji", "--out", out)
    elif where == "report":  # ... and of the run report
        write(tmp_path / "templates" / "report.html", html)
        assert invoke(sop, "start", "uji", "--at", "2026-11-23 08:00").code == 0
        ran = invoke(sop, "report", "--out", out)
    else:  # an SOP's own document type, rendered for a run
        write(office / "dokumen" / "nota.html", html)
        assert invoke(sop, "start", "uji", "--at", "2026-11-23 08:00").code == 0
        ran = invoke(sop, "render", "nota", "--out", out)
    assert ran.code == 0, ran.output
    assert hits == []
    text, attachments, images = read_pdf(out)
    assert attachments == {}
    assert "Isi surat." in text and "root:" not in text and SECRET not in text
    assert images == 1  # the stamp in the organisation's folder, and nothing else
    assert SECRET.encode() not in out.read_bytes()
    assert "Warning: the template asked for file:///etc/passwd; a PDF reads only data: URLs" in ran.stderr
    assert f"{url}/img.png" in ran.stderr  # what was left out is said


def test_the_shipped_fonts_still_reach_the_pdf(sop, office: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "sop.pdf"
    assert invoke(sop, "render", "sop", "uji", "--out", out).code == 0
    fonts = {str(font["/BaseFont"]) for page in PdfReader(str(out)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Liberation-Sans" in name for name in fonts), fonts  # the family the @font-face rules name


def test_a_weasyprint_without_a_url_fetcher_is_not_used(sop, office: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint before 68 has no URLFetcher to confine: it is refused with what to install, never used."""
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint.urls", None)  # as if the installed one lacked it
    ran = invoke(sop, "render", "sop", "uji", "--out", tmp_path / "sop.pdf")
    assert ran.code == 2, ran.output
    assert "WeasyPrint >= 68" in ran.first and "pip install 'sop-cli[pdf]'" in ran.first
    assert not (tmp_path / "sop.pdf").exists()
