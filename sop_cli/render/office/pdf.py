"""PDF from the HTML documents, with WeasyPrint (the `pdf` extra: `pip install 'sop-cli[pdf]'`)."""

from __future__ import annotations

from sop_cli.render.office import need


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document (A4, page rules from its `@page` CSS)."""
    try:
        import logging

        from weasyprint import HTML
    except ImportError:
        raise need("weasyprint", "WeasyPrint", "pdf") from None
    # WeasyPrint logs every CSS property it ignores (box-shadow, ...); none matter for print.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return bytes(HTML(string=html).write_pdf())
