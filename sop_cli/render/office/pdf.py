"""PDF from the HTML documents, with WeasyPrint (the `pdf` extra: `pip install 'sop-cli[pdf]'`).

The templates ask for Arial and Times New Roman, which a Windows laptop has and a Linux server
often lacks: there fontconfig falls back to DejaVu, whose wider letters push a one-page letter
onto two pages. The PDF therefore brings its own faces: Liberation Sans and Serif (SIL OFL 1.1,
`fonts/LICENSE`), metric-compatible with Arial and Times New Roman, so a line and a page break at
the same place on every machine. Where Arial itself is installed it is used, with the same metrics.
The HTML is left to the browser and the machine's own fonts.

A template may come from an SOP's `dokumen/` folder or the working folder's `templates/`, so
WeasyPrint is given a fetcher (`OfficeFetcher`) that reads only `data:` URLs, the fonts sop ships
and images (checked as a lambang is: PNG, JPEG, sanitised SVG) in the organisation's folder.
Every other URL (`file:` anywhere else, `http(s):`, `ftp:`), whether asked for by `<img>`,
`<link>`, `@import`, CSS `url()`, `<embed>`, `<object>` or `<link rel=attachment>`, is refused
and left out of the PDF; the refusals are reported as warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sop_cli.i18n import _
from sop_cli.render.office import need

FONTS = Path(__file__).with_name("fonts")

#: The bundled families, under the names every template's font stack lists after Arial and Times
#: New Roman. They are declared under their own names, so the PDF says which font it embeds.
FAMILIES = {"Liberation Sans": "LiberationSans", "Liberation Serif": "LiberationSerif"}
FACES = {("normal", "normal"): "Regular", ("bold", "normal"): "Bold",
         ("normal", "italic"): "Italic", ("bold", "italic"): "BoldItalic"}


def font_faces() -> str:
    """The @font-face rules that bind each family name to its bundled file."""
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(FONTS / f"{stem}-{suffix}.ttf").as_uri()}"); }}'
        for family, stem in FAMILIES.items()
        for (weight, style), suffix in FACES.items()
    )


def html_to_pdf(html: str, *, folder: Path | None = None, warnings: list[str] | None = None) -> bytes:
    """The PDF of an HTML document (A4, page rules from its `@page` CSS).

    `folder` is the organisation's folder (relative URLs resolve there; its images may be read);
    `warnings`, if given, collects each URL refused."""
    try:
        import logging

        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher  # noqa: F401 - from WeasyPrint 68; older ones fetch anything
    except ImportError:
        raise need("weasyprint", "WeasyPrint >= 68", "pdf") from None
    # WeasyPrint logs every CSS property it ignores (box-shadow, ...) and every resource it could
    # not load; none matter for print, and refused URLs are reported through `warnings`.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    refused: list[str] = []
    fetcher = office_fetcher(folder, refused)
    fonts = FontConfiguration()
    faces = CSS(string=font_faces(), font_config=fonts, url_fetcher=fetcher)
    base = folder.resolve().as_uri() + "/" if folder is not None else None
    pdf = bytes(HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(stylesheets=[faces], font_config=fonts))
    if warnings is not None:
        warnings.extend(dict.fromkeys(
            _("the template asked for {url}; a PDF reads only data: URLs, the fonts sop ships and images in the "
              "organisation's folder, so it was left out").format(url=url) for url in refused))
    return pdf


def office_fetcher(folder: Path | None, refused: list[str]) -> Any:
    """WeasyPrint's URL fetcher for sop's documents (see the module's doc); each refused URL is
    appended to `refused`."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OfficeFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no types
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            found = local_resource(url, folder)
            if found is None:
                refused.append(url)
                raise ValueError(f"refused: {url}")
            data, mime = found
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})

    return OfficeFetcher(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)


def local_resource(url: str, folder: Path | None) -> tuple[bytes, str] | None:
    """(bytes, media type) of a `file:` URL that names a font sop ships or an image in `folder`;
    None for anything else."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from sop_cli.errors import DefinitionError
    from sop_cli.fs import read_regular
    from sop_cli.render.lambang import check_lambang

    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
        if path.is_relative_to(FONTS.resolve()) and path.suffix.lower() == ".ttf":
            return read_regular(path, max_bytes=16 * 1024 * 1024), "font/ttf"
        if folder is not None and path.is_relative_to(folder.resolve(strict=True)):
            image = check_lambang(path)
            return image.data, image.mime
    except (OSError, RuntimeError, ValueError, DefinitionError):
        return None
    return None
