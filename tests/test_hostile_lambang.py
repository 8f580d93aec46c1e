"""A hostile `kop.lambang`: the organisation file names the image printed in every letter's kop. It
may only be an image (PNG, JPEG, sanitised SVG) beside the organisation file; anything else is a
located validation error, never the bytes of another file in a letter, never exit 70."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from tests.conftest import write
from tests.hostile import as_user, invoke
from tests.sample import VALID
from tests.test_office_files import PNG

SECRET = "SOP_SECRET_TOKEN=hunter2"


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)
    monkeypatch.setenv("SOP_SECRET_TOKEN", "hunter2")  # what /proc/self/environ would carry


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder of an office's SOP files (one SOP, `uji`), on SOP_PATH; a secret file two folders up."""
    folder = tmp_path / "sops" / "kabupaten-uji" / "kantor-uji"
    write(folder / "uji.yaml", VALID)
    write(tmp_path / "etc" / "passwd", f"root:x:0:0:{SECRET}\n")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    return folder


def pictures(path) -> list:
    """The pictures set in the text of a .docx (not the legend's drawn symbols)."""
    import docx
    from docx.enum.shape import WD_INLINE_SHAPE

    return [s for s in docx.Document(str(path)).inline_shapes if s.type == WD_INLINE_SHAPE.PICTURE]


def organisation(folder: Path, lambang: str) -> Path:
    return write(folder / "organisasi.yaml", f"kop:\n  alamat: Jl. Uji No. 1\n  lambang: {lambang}\n")


def embedded(html: str) -> list[bytes]:
    """The bytes of every data: image in the HTML."""
    return [base64.b64decode(m) for m in re.findall(r'src="data:[^;"]+;base64,([^"]+)"', html)]


@pytest.mark.parametrize(("name", "problem"), [
    ("/proc/self/environ", "'/proc/self/environ' is a path"),
    ("../../../etc/passwd", "'../../../etc/passwd' reaches into other folders"),
    ("sub/lambang.png", "'sub/lambang.png' reaches into other folders"),
    ("'C:\\Windows\\win.ini'", "is a path"),
    ("catatan.png", "not an image: a lambang is a PNG, JPEG or SVG file"),
    ("tautan.png", "'tautan.png' is a link to a file outside the organisation's folder"),
    ("hilang.png", "no image 'hilang.png' beside the organisation file"),
    ("besar.png", "over the 2097152 a lambang may have"),
    ("rusak.png", "a damaged PNG"),
    ("entitas.svg", "an SVG with a DOCTYPE or entities"),
    ("fifo.png", "not a regular file"),
])
def test_a_lambang_that_is_not_an_image_of_the_office_is_a_located_error(sop, office: Path, tmp_path: Path,
                                                                         name: str, problem: str) -> None:
    import os

    (office / "catatan.png").write_text(SECRET)  # a text file named like an image
    (office / "tautan.png").symlink_to(tmp_path / "etc" / "passwd")
    (office / "besar.png").write_bytes(base64.b64decode(PNG) + b"\0" * (2 * 1024 * 1024))
    (office / "rusak.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk")
    (office / "entitas.svg").write_text('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                        '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>')
    os.mkfifo(office / "fifo.png")
    org = organisation(office, name)
    checked = invoke(sop, "validate", tmp_path / "sops")
    assert checked.code == 1, checked.output
    assert f"{org}:3:3: kop.lambang: " in checked.stdout and problem in checked.stdout, checked.output
    for fmt in ("html", "docx", "pdf"):
        out = tmp_path / f"sop.{fmt}"
        ran = invoke(sop, "render", "sop", "uji", "--out", out)
        assert ran.code == 1, ran.output  # a validation error, not 70
        assert ran.stderr.startswith(f"Error: {org}:3:3: kop.lambang: ") and problem in ran.stderr, ran.output
        assert not out.exists() and SECRET not in ran.output and "hunter2" not in ran.output


def test_a_png_lambang_is_printed_in_html_docx_and_pdf(sop, office: Path, tmp_path: Path) -> None:
    (office / "lambang-kantor.png").write_bytes(base64.b64decode(PNG))
    organisation(office, "lambang-kantor.png")
    html = invoke(sop, "render", "sop", "uji")
    assert html.code == 0, html.output
    assert embedded(html.stdout) == [base64.b64decode(PNG)]
    assert invoke(sop, "render", "sop", "uji", "--out", tmp_path / "sop.docx").code == 0

    assert len(pictures(tmp_path / "sop.docx")) == 1


HOSTILE_SVG = """\
<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 60 80"
     onload="fetch('http://127.0.0.1:9/onload')">
  <script>fetch('http://127.0.0.1:9/script')</script>
  <style>@import url(http://127.0.0.1:9/import.css);</style>
  <defs><linearGradient id="emas"><stop offset="0" stop-color="#d4af37"/></linearGradient></defs>
  <path d="M5 5 H55 V50 L30 75 L5 50 Z" fill="url(#emas)" stroke="#000" onclick="alert(1)"
        style="stroke:url(http://127.0.0.1:9/stroke)"/>
  <image href="file:///etc/passwd" width="10" height="10"/>
  <use xlink:href="http://127.0.0.1:9/use.svg#a"/>
  <a href="javascript:alert(1)"><text x="30" y="40">KAB</text></a>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://127.0.0.1:9/frame"/></foreignObject>
</svg>
"""


def test_an_svg_lambang_is_sanitised_and_the_docx_does_without_it(sop, office: Path, tmp_path: Path) -> None:
    (office / "lambang.svg").write_text(HOSTILE_SVG, encoding="utf-8")
    organisation(office, "lambang.svg")
    assert invoke(sop, "validate", tmp_path / "sops").code == 0
    html = invoke(sop, "render", "sop", "uji")
    assert html.code == 0, html.output
    [svg] = [data.decode("utf-8") for data in embedded(html.stdout)]
    for gone in ("script", "onload", "onclick", "@import", "127.0.0.1", "/etc/passwd", "<image", "foreignObject",
                 "iframe", "javascript", "<a "):
        assert gone not in svg, (gone, svg)
    for kept in ('d="M5 5 H55 V50 L30 75 L5 50 Z"', 'fill="url(#emas)"', "stop-color", "linearGradient"):
        assert kept in svg, (kept, svg)
    # Word takes no SVG: the letter is written without the picture (not exit 70)
    docx_out = tmp_path / "sop.docx"
    ran = invoke(sop, "render", "sop", "uji", "--out", docx_out)
    assert ran.code == 0, ran.output

    assert len(pictures(docx_out)) == 0


def test_check_lambang_is_the_gate_for_any_file(tmp_path: Path) -> None:
    """The function a command that copies a lambang in calls (`sop org lambang`)."""
    from sop_cli.errors import DefinitionError
    from sop_cli.render.lambang import check_lambang

    png = tmp_path / "apa-saja.bin"
    png.write_bytes(base64.b64decode(PNG))
    lambang = check_lambang(png)
    assert (lambang.mime, lambang.suffix) == ("image/png", ".png")
    with pytest.raises(DefinitionError) as caught:
        check_lambang(Path("/proc/self/environ"))
    assert caught.value.details["problem"] == "not an image: a lambang is a PNG, JPEG or SVG file"
    assert str(caught.value).startswith("/proc/self/environ: ")
