"""PDF from the HTML documents, with WeasyPrint (the `pdf` extra: `pip install 'sop-cli[pdf]'`).

The templates ask for Arial and Times New Roman, which a Windows laptop has and a Linux server
often lacks: there fontconfig falls back to DejaVu, whose wider letters push a one-page letter
onto two pages. The PDF therefore brings its own faces: Liberation Sans and Serif (SIL OFL 1.1,
`fonts/LICENSE`), metric-compatible with Arial and Times New Roman, so a line and a page break at
the same place on every machine. Where Arial itself is installed it is used, with the same metrics.
The HTML is left to the browser and the machine's own fonts.
"""

from __future__ import annotations

from pathlib import Path

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


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document (A4, page rules from its `@page` CSS)."""
    try:
        import logging

        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except ImportError:
        raise need("weasyprint", "WeasyPrint", "pdf") from None
    # WeasyPrint logs every CSS property it ignores (box-shadow, ...); none matter for print.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    faces = CSS(string=font_faces(), font_config=fonts)
    return bytes(HTML(string=html).write_pdf(stylesheets=[faces], font_config=fonts))
