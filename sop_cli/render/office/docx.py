"""Word documents (.docx, python-docx) made from the HTML documents.

The HTML templates are the one source of every document; this module reads the part of HTML they
use (div/p/headings, tables with colspan/rowspan, ol/ul, strong/b/u, br, data-URI images) into
a Word document an office can edit. SVG drawings are skipped: the SOP template, asked for
`office`, writes the flowchart symbols as text in the lane columns instead. The page follows Tata
Naskah Dinas margins (left 3 cm, right/top/bottom 2 cm) on A4, landscape for the SOP document.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from sop_cli.render.office import need

BLOCKS = {"div", "p", "h1", "h2", "h3", "h4", "li", "body", "html", "section", "span"}
SKIP = {"style", "title", "head", "script", "svg"}
VOID = {"br", "img", "meta", "col", "hr", "link"}


@dataclass
class Node:
    """An HTML element (or, with `text`, a run of text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str | None = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def style(self, name: str) -> str | None:
        for part in self.attrs.get("style", "").split(";"):
            key, _, value = part.partition(":")
            if key.strip() == name:
                return value.strip()
        return None


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or tag in SKIP:
            if tag not in VOID:
                self.skipping += 1
            return
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag not in VOID:
                self.skipping -= 1
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.stack[-1].children.append(Node("#text", text=data))


def parse(html: str) -> Node:
    """The element tree of `html` (style, script, svg left out)."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.root


def html_to_docx(html: str, *, landscape: bool = False) -> bytes:
    """A .docx with the text, tables and lists of `html`."""
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm, Pt
    except ImportError:
        raise need("docx", "python-docx") from None
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(3 if not landscape else 2), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Arial" if landscape else "Times New Roman"
    normal.font.size = Pt(9 if landscape else 12)
    normal.paragraph_format.space_after = Pt(0)
    writer = _Writer(document, landscape)
    writer.blocks(parse(html), document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class _Writer:
    def __init__(self, document: Any, landscape: bool) -> None:
        self.document = document
        self.landscape = landscape

    # Blocks ----------------------------------------------------------------------------------

    def blocks(self, node: Node, container: Any, inherited: frozenset[str] = frozenset()) -> None:
        """Write the children of `node` into `container` (the document or a table cell)."""
        pending: list[Node] = []

        def flush() -> None:
            if any(n.tag != "#text" or (n.text or "").strip() for n in pending):
                self.paragraph(container, pending, node, inherited)
            pending.clear()

        for child in node.children:
            if child.tag == "table":
                flush()
                self.table(child, container)
            elif child.tag in ("ol", "ul"):
                flush()
                for number, item in enumerate((c for c in child.children if c.tag == "li"), 1):
                    marker = f"{number}. " if child.tag == "ol" else "• "
                    self.paragraph(container, [Node("#text", text=marker), *item.children], item, inherited)
            elif child.tag in BLOCKS - {"span"} or child.tag in ("tbody", "thead", "tr"):
                flush()
                marks = inherited | _marks(child)
                if _is_block_container(child):
                    self.blocks(child, container, marks)
                else:
                    self.paragraph(container, child.children, child, marks)
            elif child.tag == "img":
                flush()
                self.image(child, container)
            else:
                pending.append(child)
        flush()

    def paragraph(self, container: Any, inline: list[Node], owner: Node, marks: frozenset[str]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        paragraph = _new_paragraph(container)
        align = owner.style("text-align") or ("center" if owner.classes & {"judul-naskah", "nomor-naskah", "text",
                                                                            "instansi", "flow-title", "pemerintah",
                                                                            "unit"} else None)
        if "ttd" in marks or "ttd" in owner.classes:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.left_indent = Cm(7 if not self.landscape else 14)
        elif align == "center" or "kop" in marks:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "justify":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if owner.style("text-indent"):
            paragraph.paragraph_format.first_line_indent = Cm(1.25)
        if "ruang" in owner.classes:
            paragraph.paragraph_format.space_after = Pt(48 if not self.landscape else 24)
        if owner.tag in ("p",) or owner.classes & {"judul-naskah"}:
            paragraph.paragraph_format.space_before = Pt(6)
        bold = bool(owner.classes & {"judul-naskah", "pemerintah", "unit", "nama", "nama-sop"}) or owner.tag in (
            "h1", "h2", "h3", "th") or "bold" in marks
        underline = bool(owner.classes & {"judul-naskah", "nama"})
        upper = bool(owner.classes & {"pemerintah", "unit", "nama-sop"}) or "upper" in marks
        size = {"pemerintah": 14, "unit": 16, "alamat": 9, "catatan": 8, "cabang": 8}
        pt = next((size[c] for c in owner.classes if c in size), None)
        self.runs(paragraph, inline, bold=bold, underline=underline, upper=upper, pt=pt)

    def runs(self, paragraph: Any, nodes: list[Node], *, bold: bool, underline: bool, upper: bool,
             pt: int | None) -> None:
        from docx.shared import Pt

        for node in nodes:
            if node.tag == "#text":
                text = re.sub(r"\s+", " ", node.text or "")
                if not text.strip() and not paragraph.runs:
                    continue
                run = paragraph.add_run(text.upper() if upper else text)
                run.bold = bold or None
                run.underline = underline or None
                if pt:
                    run.font.size = Pt(pt)
            elif node.tag == "br":
                if paragraph.runs:
                    paragraph.runs[-1].add_break()
            elif node.tag == "img":
                continue
            else:
                self.runs(paragraph, node.children, bold=bold or node.tag in ("strong", "b", "th"),
                          underline=underline or node.tag == "u", upper=upper, pt=pt)

    def image(self, node: Node, container: Any) -> None:
        import base64

        from docx.shared import Cm

        src = node.attrs.get("src", "")
        # Word takes PNG and JPEG; an SVG lambang (and anything else) is left to the HTML and PDF
        if not src.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
            return
        from docx.image.exceptions import InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError
        from docx.image.image import Image

        try:
            data = base64.b64decode(src.split(";base64,", 1)[1], validate=True)
            Image.from_blob(data)  # a damaged image loses the picture, not the letter
        except (ValueError, InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError):
            return
        paragraph = _new_paragraph(container)
        paragraph.alignment = 1
        paragraph.add_run().add_picture(io.BytesIO(data), height=Cm(2.2))

    # Tables ----------------------------------------------------------------------------------

    def table(self, node: Node, container: Any) -> None:
        rows = [tr for section in _rows_of(node) for tr in section]
        grid: dict[tuple[int, int], tuple[Node, int, int]] = {}
        taken: set[tuple[int, int]] = set()
        width = 0
        for r, tr in enumerate(rows):
            c = 0
            for cell in (n for n in tr.children if n.tag in ("td", "th")):
                while (r, c) in taken:
                    c += 1
                span_c = int(cell.attrs.get("colspan", "1") or 1)
                span_r = int(cell.attrs.get("rowspan", "1") or 1)
                grid[(r, c)] = (cell, span_r, span_c)
                for dr in range(span_r):
                    for dc in range(span_c):
                        taken.add((r + dr, c + dc))
                c += span_c
            width = max(width, c, *(cc + 1 for rr, cc in taken if rr == r))
        if not rows or not width:
            return
        bordered = not (node.classes & {"surat-meta"})
        shares = _column_shares(node, width)
        if hasattr(container, "add_table") and container is self.document:
            table = self.document.add_table(rows=len(rows), cols=width)
        else:
            table = container.add_table(rows=len(rows), cols=width)
        if bordered:
            table.style = "Table Grid"
        header_rows = sum(len(list(s)) for s in _rows_of(node, only="thead"))
        for r in range(header_rows):
            _repeat_header(table.rows[r])
        for r in range(len(rows)):
            _keep_row_together(table.rows[r])
        usable = 25.7 if self.landscape else 16.0
        if shares:
            from docx.shared import Cm

            table.autofit = False
            for index, column in enumerate(table.columns):  # the grid LibreOffice reads
                column.width = Cm(usable * shares[index])
            for row in table.rows:
                for index, cell in enumerate(row.cells[:width]):
                    cell.width = Cm(usable * shares[index])
        for (r, c), (cell_node, span_r, span_c) in grid.items():
            cell = table.cell(r, c)
            if span_r > 1 or span_c > 1:
                cell = cell.merge(table.cell(min(r + span_r, len(rows)) - 1, min(c + span_c, width) - 1))
            self.cell(cell, cell_node)

    def cell(self, cell: Any, node: Node) -> None:
        first = cell.paragraphs[0]
        before = len(cell.paragraphs)
        marks = frozenset({"bold"}) if node.tag == "th" else frozenset()
        self.blocks(Node("div", node.attrs, node.children), cell, marks)
        if len(cell.paragraphs) > before and not first.text:
            first._element.getparent().remove(first._element)


def _column_shares(node: Node, width: int) -> list[float] | None:
    """Each column's share of the page width: from `<col style="width:N%">`, or for the
    label : value tables of a letter a narrow label and colon."""
    cols = [c for group in node.children if group.tag == "colgroup" for c in group.children if c.tag == "col"]
    shares = []
    for col in cols:
        match = re.match(r"([\d.]+)%", col.style("width") or "")
        shares.append(float(match.group(1)) / 100 if match else 0.0)
    if len(shares) == width and all(shares):
        total = sum(shares)
        return [s / total for s in shares]
    if "surat-meta" in node.classes and width == 3:
        return [0.2, 0.03, 0.77]
    return None


def _is_block_container(node: Node) -> bool:
    return any(c.tag in BLOCKS | {"table", "ol", "ul", "img"} and c.tag != "span" for c in node.children)


def _marks(node: Node) -> frozenset[str]:
    found = set()
    if "kop" in node.classes:
        found.add("kop")
    if "ttd" in node.classes:
        found.add("ttd")
    return frozenset(found)


def _rows_of(node: Node, only: str | None = None) -> list[list[Node]]:
    sections: list[list[Node]] = []
    direct = [c for c in node.children if c.tag == "tr"]
    if direct and only is None:
        sections.append(direct)
    for child in node.children:
        if child.tag in ("thead", "tbody", "tfoot") and (only is None or child.tag == only):
            sections.append([c for c in child.children if c.tag == "tr"])
    return sections


def _new_paragraph(container: Any) -> Any:
    return container.add_paragraph()


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _keep_row_together(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant)
