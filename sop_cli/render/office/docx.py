"""Word documents (.docx, python-docx) made from the HTML documents.

The HTML templates are the one source of every document; this module reads the part of HTML they
use (div/p/headings, tables with colspan/rowspan, ol/ul, strong/b/u, br, data-URI images) into
a Word document an office can edit. The flowchart rows of the SOP document (`td.lanes`, an SVG of
`render/flowchart.py` at the PDF's fixed row heights) become Word shapes in the lane columns
(`office/shapes.py`), the table breaking where the PDF breaks it (a row with `break-before: page`
starts a new table, its header repeated); other SVG drawings are skipped. The page follows Tata
Naskah Dinas margins (left 3 cm, right/top/bottom 2 cm) on A4; the landscape SOP document has
the PDF's margins, so its flowchart has the PDF's widths, heights and page breaks.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

from sop_cli.render.office import need

BLOCKS = {"div", "p", "h1", "h2", "h3", "h4", "li", "body", "html", "section", "span"}
SKIP = {"style", "title", "head", "script"}  # an <svg> is kept: the flowchart's rows become Word shapes
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
    """The element tree of `html` (style and script left out)."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.root


def html_to_docx(html: str, *, landscape: bool = False, author: str = "", title: str = "",
                 created: datetime | None = None) -> bytes:
    """A .docx with the text, tables and lists of `html`; its document properties name `author`
    (the organisation) and `title`, made `created` (now) — not python-docx's template's."""
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm, Pt
    except ImportError:
        raise need("docx", "python-docx") from None
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    page = _page(html)
    landscape = landscape or page.landscape
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    # the template's page (its @page margins, as the PDF prints it), else Tata Naskah Dinas
    top, right, bottom, left = page.margins_mm or (20.0, 20.0, 20.0, 30.0)
    section.top_margin, section.right_margin = Cm(top / 10), Cm(right / 10)
    section.bottom_margin, section.left_margin = Cm(bottom / 10), Cm(left / 10)
    normal = document.styles["Normal"]
    normal.font.name = "Arial" if page.sans else "Times New Roman"
    normal.font.size = Pt(page.body_pt or (9 if page.sans else 12))
    normal.paragraph_format.space_after = Pt(0)
    properties = document.core_properties
    made = created or datetime.now(timezone.utc).replace(microsecond=0)
    properties.author = properties.last_modified_by = author
    properties.title, properties.comments, properties.keywords = title, "", ""
    properties.created = properties.modified = made
    properties.revision = 1
    writer = _Writer(document, landscape, (29.7 if landscape else 21.0) - (left + right) / 10, page.sizes)
    writer.blocks(parse(html), document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass
class _Page:
    landscape: bool
    margins_mm: tuple[float, float, float, float] | None  # top, right, bottom, left
    sans: bool  # the body is set in Arial (the SOP document), not Times New Roman (letters)
    body_pt: float | None = None  # the body's size (the last `body { font-size: …pt }`)
    sizes: dict[str, float] = field(default_factory=dict)  # `.class { font-size: …pt }` of the style


def _page(html: str) -> _Page:
    """What the template's style says of the printed page: `@page { size: A4 landscape; margin: … }`
    and the body's face (the last `body { font-family: … }`, a template's own after the layout's)."""
    rule = re.search(r"@page\s*\{([^}]*)\}", html)
    body = rule.group(1) if rule else ""
    margins = re.search(r"margin:\s*([\d.]+)mm(?:\s+([\d.]+)mm)?(?:\s+([\d.]+)mm)?(?:\s+([\d.]+)mm)?", body)
    found = None
    if margins:
        values = [float(v) for v in margins.groups() if v is not None]
        top, right, bottom, left = (values * 4)[:1] * 4 if len(values) == 1 else (
            values[0], values[1], values[0], values[1]) if len(values) == 2 else (
            values[0], values[1], values[2], values[1]) if len(values) == 3 else tuple(values)
        found = (top, right, bottom, left)
    faces = re.findall(r"\bbody\s*\{[^}]*font-family:\s*([^;}]*)", html)
    body_sizes = re.findall(r"\bbody\s*\{[^}]*font-size:\s*([\d.]+)pt", html)
    # a class's own size (`.isian { font-size: 10pt }`, `.kop .unit { … }`), read from the last
    # class of a rule's selector; rules for elements inside a class (`.isian th`) are left out
    sizes = {name: float(size) for name, size in re.findall(
        r"(?:^|[\s}])\.([\w-]+)\s*\{[^}]*?font-size:\s*([\d.]+)pt", html, flags=re.MULTILINE)}
    return _Page(landscape=bool(re.search(r"size:\s*A4\s+landscape", body)), margins_mm=found,
                 sans=bool(faces) and faces[-1].strip().strip('"').startswith("Arial"),
                 body_pt=float(body_sizes[-1]) if body_sizes else None, sizes=sizes)


class _Writer:
    def __init__(self, document: Any, landscape: bool, usable: float, sizes: dict[str, float] | None = None) -> None:
        self.document = document
        self.sizes = {"pemerintah": 14, "unit": 16, "alamat": 9, "catatan": 8, "cabang": 8, **(sizes or {})}
        self.landscape = landscape
        self.usable = usable  # the width between the margins, cm
        self.written: list[Any] = []  # the paragraphs written, in order
        self.sheets = 0
        self.shapes = 0  # shapes drawn so far: each one's id (wp:docPr) is unique in the document

    # Blocks ----------------------------------------------------------------------------------

    def blocks(self, node: Node, container: Any, inherited: frozenset[str] = frozenset()) -> None:
        """Write the children of `node` into `container` (the document or a table cell)."""
        pending: list[Node] = []

        def flush() -> None:
            if any(n.tag != "#text" or (n.text or "").strip() for n in pending):
                self.paragraph(container, pending, node, inherited)
            pending.clear()

        for child in node.children:
            if child.tag == "svg":
                continue
            if child.tag == "table":
                flush()
                self.table(child, container)
            elif child.tag in ("ol", "ul"):
                flush()
                for number, item in enumerate((c for c in child.children if c.tag == "li"), 1):
                    marker = f"{number}. " if child.tag == "ol" else "• "
                    self.paragraph(container, [Node("#text", text=marker), *item.children], item, inherited)
            elif "ttd-sisi" in child.classes:
                flush()
                self.side_by_side(child, container, inherited)
            elif "kop" in child.classes:
                flush()
                self.kop(child, container)
            elif child.tag in BLOCKS - {"span"} or child.tag in ("tbody", "thead", "tr"):
                flush()
                if "sheet" in child.classes:  # each sheet of the HTML is a page of its own, as printed
                    if self.sheets:
                        _page_break(container)
                    self.sheets += 1
                marks = self.marks(child, inherited)
                before = len(self.written)
                if _is_block_container(child):
                    self.blocks(child, container, marks)
                else:
                    self.paragraph(container, child.children, child, marks)
                if "ttd" in child.classes and len(self.written) > before:  # the HTML's margin above a signature
                    from docx.shared import Pt

                    self.written[before].paragraph_format.space_before = Pt(12)
            elif child.tag == "img":
                flush()
                self.image(child, container)
            else:
                pending.append(child)
        flush()

    def marks(self, node: Node, inherited: frozenset[str]) -> frozenset[str]:
        """What a block passes on to the paragraphs inside it: kop, ttd, and its own font size."""
        marks = inherited | _marks(node)
        size = next((self.sizes[c] for c in node.classes if c in self.sizes), None)
        if size:
            marks = frozenset(m for m in marks if not m.startswith("pt=")) | {f"pt={size}"}
        return marks

    def kop(self, node: Node, container: Any) -> None:
        """The kop as the HTML sets it: the lambang left of the centred text, a column as wide on
        the right, in a borderless table of one row ruled off beneath with the double line of
        Tata Naskah Dinas, kept on one page with what follows it."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        from docx.shared import Cm, Pt

        side = 1.9  # the lambang's 18 mm
        table = container.add_table(rows=1, cols=3)
        table.autofit = False
        widths = (side, self.usable - 2 * side, side)
        for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
            column.width = cell.width = Cm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _keep_row_together(table.rows[0])
        table._tbl.tblPr.append(parse_xml(
            f'<w:tblBorders {nsdecls("w")}><w:top w:val="nil"/><w:left w:val="nil"/><w:right w:val="nil"/>'
            '<w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
            '<w:bottom w:val="thickThinSmallGap" w:sz="18" w:space="0" w:color="000000"/></w:tblBorders>'))
        lambang, text = table.rows[0].cells[0], table.rows[0].cells[1]
        for cell in table.rows[0].cells:
            _no_cell_margins(cell)
        image = next((c for c in node.children if c.tag == "img"), None)
        if image is not None:
            self.image(image, lambang, height=2.0)
        words = next((c for c in node.children if "text" in c.classes), None)
        if words is not None:
            self.cell(text, words, frozenset({"kop"}))
        for cell in table.rows[0].cells:
            if len(cell.paragraphs) > 1 and not cell.paragraphs[0].text and not cell.paragraphs[0]._p.xpath(".//w:drawing"):
                cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
        gap = container.add_paragraph()  # the room under the rule (the HTML's margin), kept with what follows
        gap.paragraph_format.keep_with_next = True
        gap.paragraph_format.space_after = Pt(4)
        gap.paragraph_format.line_spacing = Pt(4)

    def side_by_side(self, node: Node, container: Any, inherited: frozenset[str]) -> None:
        """Signature blocks set side by side (`ttd-sisi`, a flex row in the HTML): a borderless table
        of one row, one block a cell, kept together on a page."""
        parts = [c for c in node.children if c.tag != "#text"]
        if not parts:
            return
        table = container.add_table(rows=1, cols=len(parts))
        _keep_row_together(table.rows[0])
        for cell, part in zip(table.rows[0].cells, parts, strict=True):
            self.cell(cell, part, self.marks(part, inherited) | {"sisi"})
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True

    def paragraph(self, container: Any, inline: list[Node], owner: Node, marks: frozenset[str]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        paragraph = _new_paragraph(container)
        self.written.append(paragraph)
        align = owner.style("text-align") or ("center" if owner.classes & {"judul-naskah", "nomor-naskah", "text",
                                                                            "instansi", "flow-title", "pemerintah",
                                                                            "unit"} else None)
        if "ttd" in marks or "ttd" in owner.classes:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if "sisi" not in marks:  # alone, a signature stands at the right; side by side, each in its cell
                paragraph.paragraph_format.left_indent = Cm(7 if not self.landscape else 14)
        elif align == "center" or "kop" in marks:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "justify":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if owner.style("text-indent"):
            paragraph.paragraph_format.first_line_indent = Cm(1.25)
        if "kepada" in owner.classes:  # the addressee block stands at the right half, as in the HTML
            paragraph.paragraph_format.left_indent = Cm(self.usable * 0.55)
        if owner.tag == "li":  # the number hangs left of its text
            paragraph.paragraph_format.left_indent = Cm(0.9)
            paragraph.paragraph_format.first_line_indent = Cm(-0.5)
        if "ruang" in owner.classes:
            paragraph.paragraph_format.space_after = Pt(48 if not self.landscape else 24)
        if owner.tag in ("p",) or owner.classes & {"judul-naskah"}:
            paragraph.paragraph_format.space_before = Pt(6)
        bold = bool(owner.classes & {"judul-naskah", "pemerintah", "unit", "nama", "nama-sop"}) or owner.tag in (
            "h1", "h2", "h3", "th") or "bold" in marks
        underline = bool(owner.classes & {"judul-naskah", "nama"})
        upper = bool(owner.classes & {"pemerintah", "unit", "nama-sop", "flow-title"}) or "upper" in marks
        if "legenda" in owner.classes:  # each item of the legend set apart from the next, as the HTML's gap
            inline = [Node("span", {"class": "pilihan"}, n.children) if n.tag == "span" else n for n in inline]
        pt = next((self.sizes[c] for c in owner.classes if c in self.sizes), None) or next(
            (float(m[3:]) for m in marks if m.startswith("pt=")), None)
        self.runs(paragraph, inline, bold=bold, underline=underline, upper=upper, pt=pt)

    def runs(self, paragraph: Any, nodes: list[Node], *, bold: bool, underline: bool, upper: bool,
             pt: float | None) -> None:
        from docx.shared import Pt

        for node in nodes:
            if node.tag == "#text":
                text = re.sub(r"[ \t\n\r\f\v]+", " ", node.text or "")  # HTML white space; a no-break space stays
                if not paragraph.runs or _ends_line(paragraph):  # a line starts with its first word
                    text = text.lstrip(" ")
                    if not text:
                        continue
                run = paragraph.add_run(text.upper() if upper else text)
                run.bold = bold or None
                run.underline = underline or None
                if pt:
                    run.font.size = Pt(pt)
            elif node.tag == "br":
                if paragraph.runs:
                    paragraph.runs[-1].add_break()
            elif node.tag == "svg":
                self.symbols(paragraph, node)
            elif node.tag == "img":
                continue
            elif "kotak" in node.classes:  # a box to tick: ☑ or ☐, then the choice's words
                ticked = any((c.text or "").strip() for c in node.children if c.tag == "#text")
                run = paragraph.add_run("\u2611\u00a0" if ticked else "\u2610\u00a0")  # never parted from its words
                run.font.name = "Segoe UI Symbol"  # Times New Roman has no ballot box
                if pt:
                    run.font.size = Pt(pt)
            elif "pilihan" in node.classes:  # one choice of a row of choices, set apart from the next
                words = [Node("#text", text=(c.text or "").replace(" ", "\u00a0")) if c.tag == "#text" else c
                         for c in node.children]
                self.runs(paragraph, words, bold=bold, underline=underline, upper=upper, pt=pt)
                paragraph.add_run("    ")
            else:
                self.runs(paragraph, node.children, bold=bold or node.tag in ("strong", "b", "th"),
                          underline=underline or node.tag == "u", upper=upper, pt=pt)

    def symbols(self, paragraph: Any, svg: Node) -> None:
        """A small drawing within a line of text (the flowchart's legend) as Word shapes set in the
        line; any other SVG (the generic lambang) is left to the HTML and PDF."""
        from docx.oxml import parse_xml

        from sop_cli.render.office.shapes import anchor_xml, read_svg

        width, height = _number(svg.attrs.get("width")), _number(svg.attrs.get("height"))
        if not (0 < width <= 60 and 0 < height <= 30):
            return
        for shape in read_svg(svg):
            if shape.kind == "label":
                continue
            shape.name, shape.descr = "legenda", f"legenda: {shape.kind}"
            self.shapes += 1
            paragraph._p.append(parse_xml(anchor_xml(shape, 1000 + self.shapes, inline=True)))
        paragraph.add_run(" ")

    def image(self, node: Node, container: Any, height: float = 2.2) -> None:
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
        self.written.append(paragraph)
        paragraph.alignment = 1
        paragraph.add_run().add_picture(io.BytesIO(data), height=Cm(height))

    # Tables ----------------------------------------------------------------------------------

    def table(self, node: Node, container: Any) -> None:
        header = [tr for section in _rows_of(node, only="thead") for tr in section]
        body = [tr for section in _rows_of(node) for tr in section if tr not in header]
        pages: list[list[Node]] = [[]]
        for tr in body:  # the page breaks the PDF makes: each page gets a table of its own
            if pages[-1] and re.search(r"break-before:\s*page", tr.attrs.get("style", "")):
                pages.append([])
            pages[-1].append(tr)
        for number, rows in enumerate(pages):
            if number:
                _page_break(container)
            self.table_rows(node, header + rows, len(header), container)

    def table_rows(self, node: Node, rows: list[Node], header_rows: int, container: Any) -> None:
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
        shares = _column_shares(node, width, rows)
        if hasattr(container, "add_table") and container is self.document:
            table = self.document.add_table(rows=len(rows), cols=width)
        else:
            table = container.add_table(rows=len(rows), cols=width)
        if "tanda-terima" in node.classes:  # a box around the table, no lines inside (a receipt to fill)
            _outer_border(table)
        elif bordered:
            table.style = "Table Grid"
        for r in range(header_rows):
            _repeat_header(table.rows[r])
        for r in range(len(rows)):
            _keep_row_together(table.rows[r])
        for r, tr in enumerate(rows):  # a row as tall as the HTML asks (room to write by hand)
            tall = max((_length_cm(n.style("height")) for n in (tr, *tr.children) if n.tag != "#text"), default=0.0)
            if tall:
                from docx.enum.table import WD_ROW_HEIGHT_RULE
                from docx.shared import Cm

                table.rows[r].height, table.rows[r].height_rule = Cm(tall), WD_ROW_HEIGHT_RULE.AT_LEAST
        usable = _length_cm(node.style("width")) or self.usable
        if shares:
            from docx.shared import Cm

            table.autofit = False
            for index, column in enumerate(table.columns):  # the grid LibreOffice reads
                column.width = Cm(usable * shares[index])
            for row in table.rows:
                for index, cell in enumerate(row.cells[:width]):
                    cell.width = Cm(usable * shares[index])
        size = next((self.sizes[c] for c in node.classes if c in self.sizes), None)
        table_size = frozenset({f"pt={size}"}) if size else frozenset()  # the table's own size, for its cells
        for (r, c), (cell_node, span_r, span_c) in grid.items():
            cell = table.cell(r, c)
            if "lanes" in cell_node.classes and span_r == 1:
                # the flowchart's row: one cell per lane (as offices draw it, and as `sop import`
                # reads it), the shapes anchored in the first
                self.flow_row(table.rows[r], [table.cell(r, c + k) for k in range(span_c)], cell_node)
                continue
            if span_r > 1 or span_c > 1:
                cell = cell.merge(table.cell(min(r + span_r, len(rows)) - 1, min(c + span_c, width) - 1))
            self.cell(cell, cell_node, table_size)

    def flow_row(self, row: Any, cells: list[Any], node: Node) -> None:
        from docx.enum.table import WD_ROW_HEIGHT_RULE
        from docx.oxml import parse_xml
        from docx.shared import Emu

        from sop_cli.render.office.shapes import EMU_PER_PX, anchor_xml, describe, read_svg

        height = re.match(r"([\d.]+)px", node.style("height") or "")
        if height:  # exact, so every shape's place from the row's top is the PDF's
            row.height, row.height_rule = Emu(round(float(height.group(1)) * EMU_PER_PX)), WD_ROW_HEIGHT_RULE.EXACTLY
        for cell in cells:
            _no_cell_margins(cell)
        svg = next((c for c in node.children if c.tag == "svg"), None)
        if svg is None:
            return
        shapes = read_svg(svg)
        describe(shapes, node.attrs.get("data-langkah"), node.attrs.get("data-bentuk"))
        paragraph = cells[0].paragraphs[0]
        for shape in shapes:
            self.shapes += 1
            paragraph._p.append(parse_xml(anchor_xml(shape, 1000 + self.shapes)))

    def cell(self, cell: Any, node: Node, marks: frozenset[str] = frozenset()) -> None:
        first = cell.paragraphs[0]
        before = len(cell.paragraphs)
        marks = marks | {"bold"} if node.tag == "th" else marks
        self.blocks(Node("div", node.attrs, node.children), cell, marks)
        if len(cell.paragraphs) > before and not first.text:
            first._element.getparent().remove(first._element)


def _column_shares(node: Node, width: int, rows: list[Node]) -> list[float] | None:
    """Each column's share of the table's width: from `<col style="width:N%">`, else from the
    first row's cells that say theirs (the others share what is left), or for the label : value
    tables of a letter a narrow label and colon."""
    cols = [c for group in node.children if group.tag == "colgroup" for c in group.children if c.tag == "col"]
    if not cols and rows:
        first = [c for c in rows[0].children if c.tag in ("td", "th")]
        if len(first) == width and any(c.style("width") for c in first):
            cols = first
    shares = []
    for col in cols:
        match = re.match(r"([\d.]+)%", col.style("width") or "")
        shares.append(float(match.group(1)) / 100 if match else 0.0)
    if len(shares) == width and any(shares) and sum(shares) < 1 + 1e-6:
        left = [i for i, share in enumerate(shares) if not share]
        for i in left:
            shares[i] = (1 - sum(shares)) / len(left)
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


def _page_break(container: Any) -> None:
    """A paragraph that starts a new page and takes no room on it (1 pt), between two tables."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = container.add_paragraph()
    paragraph.paragraph_format.page_break_before = True
    properties = paragraph._p.get_or_add_pPr()
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    properties.append(mark)
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = 0
    paragraph.paragraph_format.line_spacing = 1.0


def _no_cell_margins(cell: Any) -> None:
    """A lane cell draws from its edges: shapes are placed from the cell's left edge."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    properties = cell._tc.get_or_add_tcPr()
    properties.append(parse_xml(
        f'<w:tcMar {nsdecls("w")}><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tcMar>'))


def _ends_line(paragraph: Any) -> bool:
    """Whether the paragraph's last run ends with a line break (`<br>`)."""
    last = paragraph.runs[-1]._r
    return len(last) > 0 and last[-1].tag.endswith("}br")


def _length_cm(value: str | None) -> float:
    """A CSS length in mm, cm or px as centimetres; 0 for none or any other unit."""
    match = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|px)\s*", value or "")
    if not match:
        return 0.0
    number = float(match.group(1))
    return {"mm": number / 10, "cm": number, "px": number * 2.54 / 96}[match.group(2)]


def _outer_border(table: Any) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    line = 'w:val="single" w:sz="6" w:space="0" w:color="000000"'
    table._tbl.tblPr.append(parse_xml(
        f'<w:tblBorders {nsdecls("w")}><w:top {line}/><w:left {line}/><w:bottom {line}/><w:right {line}/>'
        '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'))


def _number(value: str | None) -> float:
    match = re.match(r"[\d.]+", value or "")
    return float(match.group(0)) if match else 0.0
