"""An SOP AP document as offices write it in Word (.docx), read with python-docx.

The body is read in order: tables and paragraphs. A table is the identity table when a cell is
an identity label (Nomor SOP, Tanggal Pembuatan, Disahkan oleh …; its other cell holds the kop:
PEMERINTAH …, the unit, the address), the lists table when a cell is a list title (Dasar Hukum …),
the flowchart table when its first row starts with No and Kegiatan. Merged cells are read once
(python-docx repeats a merged cell in every grid column it spans).

In the flowchart table, the row under "Pelaksana" names the lanes. A step's lane is the column
of its mark: the text `sop render` writes (`[ ] → 3`), or a shape (DrawingML `wps:wsp`: its
preset geometry flowChartProcess, flowChartDecision, flowChartTerminator …, its text, its
name/description) anchored in that cell, moved to the column its middle is drawn over (its
horizontal offset) and to the row (its vertical offset, where the rows' heights are set); an
older Word's VML shapes (`v:shape type="#_x0000_t110"` …) the same way.
A "Ya"/"Tidak" label (a text box or a word in a cell) is read as a branch.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import Any

from sop_cli.definition.importer.source import (
    IDENTITY,
    KEGIATAN,
    LIST_TITLES,
    MUTU,
    Mark,
    Row,
    Source,
    key,
    list_items,
    read_mark,
    value,
)
from sop_cli.errors import DefinitionError
from sop_cli.i18n import _

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "wps": WPS, "wp": WP, "a": A, "mc": MC}

_GEOMETRY = {
    "flowChartProcess": "proses", "flowChartAlternateProcess": "proses", "flowChartPredefinedProcess": "proses",
    "flowChartDocument": "proses", "flowChartManualOperation": "proses", "rect": "proses", "roundRect": "proses",
    "flowChartDecision": "keputusan", "diamond": "keputusan",
    "flowChartTerminator": "terminal", "ellipse": "terminal", "flowChartConnector": "terminal",
}
_EMU_PER_TWIP = 635



def read_docx(content: bytes, path: str) -> Source:
    """The `Source` of a .docx file's bytes.

    Raises:
        DefinitionError: the bytes are not a Word document.
    """
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DefinitionError(_("{path}: not a Word document (.docx) that can be opened ({error}).").format(
            path=path, error=error)) from None
    source = Source(path=path, kind="docx")
    loose: list[str] = []  # paragraphs outside the tables: some offices type the identity and lists so
    paragraphs_before: list[str] = []
    after_penjelasan = False
    flow_found = False
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            after_penjelasan = False
            kind = _table_kind(block)
            if kind in ("identitas", "daftar"):
                # one table may hold both: LibreOffice joins two tables that touch when it saves
                _identity(source, block)
                _lists(source, block)
            elif kind == "alur" and flow_found:
                _flow(source, block, _index(document, block))  # the table goes on after a page break
            elif kind == "alur":
                flow_found = True
                title = next((p for p in reversed(paragraphs_before) if p), None)
                if title and not source.judul:
                    source.judul = title
                    if source.penjelasan and source.penjelasan[-1] == title:
                        source.penjelasan.pop()  # the flowchart's title, not the last paragraph of Penjelasan
                _flow(source, block, _index(document, block))
            paragraphs_before = []
            continue
        text = " ".join(block.text.split())
        if re.match(r"^penjelasan\s*:?\s*$", text, re.I):
            after_penjelasan = True
            continue
        if after_penjelasan and text and not flow_found:
            if _is_title(block, text):
                after_penjelasan = False
            else:
                source.penjelasan.append(text)
            paragraphs_before.append(text)
            continue
        if text.upper().startswith("PEMERINTAH ") and source.pemerintah is None:
            source.pemerintah = text
        paragraphs_before.append(text)
        if not flow_found:
            loose += block.text.split("\n")
    from sop_cli.definition.importer.text import identity_lines, list_lines

    identity_lines(source, loose)
    if not source.lists:
        list_lines(source, loose)
    texts = [" ".join(line.split()) for line in loose]
    if source.unit is None and source.pemerintah in texts:
        at = texts.index(source.pemerintah)
        source.unit = next((t for t in texts[at + 1:at + 6] if t.isupper() and not t.startswith(("PEMERINTAH", "SOP",
                                                                                               "STANDAR"))), None)
    if not flow_found:
        source.problems.append("tidak ada tabel alur: tidak ada tabel yang diawali kolom No dan Kegiatan")
    return source


def _is_title(paragraph: Any, text: str) -> bool:
    """Whether a paragraph is a heading (the title above the flowchart), not body text."""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return style.lower().startswith(("heading", "title", "judul")) or bool(
        re.match(r"^(SOP\b|STANDAR OPERASIONAL)", text, re.I))


def _index(document: Any, table: Any) -> int:
    tables = [t._tbl for t in document.tables]
    return tables.index(table._tbl) + 1 if table._tbl in tables else 0


def _unique_cells(row: Any) -> list[Any]:
    seen: list[Any] = []
    for cell in row.cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen


def _lines(cell: Any) -> list[str]:
    """The cell's lines: its paragraphs, and the lines a manual break (Shift+Enter) makes within one."""
    return [" ".join(line.split()) for p in cell.paragraphs for line in p.text.split("\n")]


def _table_kind(table: Any) -> str | None:
    rows = list(table.rows)
    if rows:
        first = [key(c.text) for c in rows[0].cells]
        if len(first) >= 3 and first[0] in ("no", "no.", "nomor") and first[1] in KEGIATAN:
            return "alur"
    for row in rows:
        for cell in _unique_cells(row):
            title = key(cell.text)
            if title in IDENTITY and title != "nomor":
                return "identitas"
            if title in LIST_TITLES:
                return "daftar"
    return None


def _identity(source: Source, table: Any) -> None:
    for row in table.rows:
        cells = _unique_cells(row)
        for i, cell in enumerate(cells):
            lines = _lines(cell)
            if any(line.upper().startswith("PEMERINTAH ") for line in lines) and source.pemerintah is None:
                kop = [line for line in lines if line]
                at = next(j for j, line in enumerate(kop) if line.upper().startswith("PEMERINTAH "))
                source.pemerintah = kop[at]
                source.unit = kop[at + 1] if at + 1 < len(kop) else None
                source.alamat = kop[at + 2] if at + 2 < len(kop) else None
                continue
            field = IDENTITY.get(key(cell.text))
            if not field or i + 1 >= len(cells) or field in source.fields:
                continue
            rest = cells[i + 1:]
            if rest and key(rest[0].text) == "" and len(rest) > 1:
                rest = rest[1:]  # a ":" column left empty
            target = rest[0]
            if key(target.text) == ":" and len(rest) > 1:
                target = rest[1]
            source.fields[field] = value(target.text)
            if field == "disahkan_oleh":
                lines = _lines(target)
                while lines and not lines[-1]:
                    lines.pop()
                source.pengesah = lines if any(lines) else []


def _lists(source: Source, table: Any) -> None:
    columns: dict[int, str] = {}
    for row in table.rows:
        cells = row.cells
        titles = {i: LIST_TITLES.get(key(c.text)) for i, c in enumerate(cells)}
        if any(titles.values()):
            columns = {i: f for i, f in titles.items() if f}
            for field in columns.values():
                source.lists.setdefault(field, [])
            continue
        done: list[Any] = []
        for i, field in columns.items():
            if i < len(cells) and not any(cells[i]._tc is d for d in done):
                done.append(cells[i]._tc)
                source.lists[field] += list_items("\n".join(_lines(cells[i])))


def _flow(source: Source, table: Any, number: int) -> None:
    rows = list(table.rows)
    top = [key(c.text) for c in rows[0].cells]
    second = [" ".join(c.text.split()) for c in rows[1].cells] if len(rows) > 1 else []
    where = f"tabel {number}"
    if "pelaksana" in top and second:
        lane_columns = [i for i, title in enumerate(top) if title == "pelaksana"]
        header_rows = 2
        names = second
    else:
        lane_columns = [i for i in range(2, len(top)) if top[i] not in MUTU]
        header_rows = 1
        names = [c.text for c in rows[0].cells]
    mutu: dict[str, int] = {}
    for i, title in enumerate(top):
        if MUTU.get(title) == "keterangan":
            mutu["keterangan"] = i
    for i, text in enumerate(second if header_rows == 2 else [c.text for c in rows[0].cells]):
        field = MUTU.get(key(text))
        if field and i not in lane_columns:
            mutu.setdefault(field, i)
    lanes: list[str] = []
    external: set[int] = set()
    for i in lane_columns:
        name = " ".join(names[i].split())
        if re.search(r"\(luar kantor\)\s*$", name, re.I):
            external.add(len(lanes))
        lanes.append(re.sub(r"\s*\(luar kantor\)\s*$", "", name, flags=re.I) or f"Pelaksana {len(lanes) + 1}")
    if source.lanes and lanes != source.lanes:
        source.problems.append(f"{where}: lanjutan tabel alur dengan pelaksana lain ({', '.join(lanes)}; tabel pertama: "
                               f"{', '.join(source.lanes)}); langkahnya tidak dibaca")
        return
    source.lanes, source.external = lanes, external
    if not lane_columns:
        source.problems.append(f"{where}: judul tabel alur tidak memuat kolom pelaksana")
        return
    missing = [f for f in ("kelengkapan", "waktu", "output") if f not in mutu]
    if missing:
        source.problems.append(f"{where}: tabel alur tidak punya kolom {', '.join(missing)}")
    widths = _grid_widths(table)
    heights = [int(row.height) if row.height is not None else None for row in rows]
    at_row: dict[int, Row] = {}
    drawn: list[tuple[int, int, Mark, int]] = []  # (table row, lane, mark, vertical middle from the row's top)
    for r, row in enumerate(rows[header_rows:], header_rows + 1):
        cells = row.cells
        first = " ".join(cells[0].text.split()).rstrip(".")
        if len(cells) < 2 or key(cells[1].text) in KEGIATAN or key(cells[0].text) in ("no", "no.", "nomor"):
            continue  # a repeated header
        if not first.isdigit():
            said = " ".join(cells[1].text.split())
            if said and not re.match(r"(?i)^(dari halaman|bersambung|lanjutan)", said):
                source.notes.append(f"{where}, baris {r}: tanpa nomor langkah, dilewati: {said[:60]!r}")
            continue  # a "from the page before" row, an empty row
        step = Row(no=first, where=f"{where}, baris {r}", kegiatan=" ".join(" ".join(_lines(cells[1])).split()))
        for field, column in mutu.items():
            if column < len(cells):
                setattr(step, field, " ".join(" ".join(_lines(cells[column])).split()) or None)
        row_widths = _row_widths(cells) or widths
        for lane, column in enumerate(lane_columns):
            drawn += [(r - 1, at, mark, down) for at, mark, down in
                      _read_cell(cells[column], lane, lane_columns, row_widths, column, lanes)]
        at_row[r - 1] = step
        source.rows.append(step)
    for r, lane, mark, down in drawn:
        step = at_row.get(_row_of(down, r, heights), at_row[r])
        _merge(step, lane, mark)


def _row_of(down: int, row: int, heights: list[int | None]) -> int:
    """The table row a shape's middle is drawn over, `down` EMU below the top of `row` (negative:
    above). Rows' heights are known only when set (as flowchart tables often are); where a height
    on the way is not known, the shape stays in `row`."""
    if not down or heights[row] is None:
        return row
    at, top = row, 0
    while down < top:
        if at == 0 or heights[at - 1] is None:
            return row
        at -= 1
        top -= heights[at] or 0
    while down >= top + (heights[at] or 0):
        if at + 1 >= len(heights) or heights[at + 1] is None:
            return row
        top += heights[at] or 0
        at += 1
    return at


def _grid_widths(table: Any) -> list[int]:
    grid = table._tbl.find(f"{{{W}}}tblGrid")
    if grid is None:
        return []
    return [int(col.get(f"{{{W}}}w") or 0) * _EMU_PER_TWIP for col in grid.findall(f"{{{W}}}gridCol")]


def _row_widths(cells: list[Any]) -> list[int]:
    """Each grid column's width in this row, from the cells' own widths (what Word and LibreOffice
    draw with); [] when a cell does not say. A merged cell's width is shared by its columns."""
    widths: list[int] = []
    for cell in cells:
        if cell.width is None:
            return []
        span = sum(1 for other in cells if other._tc is cell._tc)
        widths.append(int(cell.width) // span)
    return widths


def _read_cell(cell: Any, lane: int, lane_columns: list[int], widths: list[int],
               column: int, names: list[str]) -> list[tuple[int, Mark, int]]:
    """What a lane cell shows: (lane, mark, how far below the row's top) for its text and each shape
    anchored in it, in the lane its middle is drawn over."""
    text = " ".join(p.text for p in cell.paragraphs)
    own = read_mark(text) if text.strip() else Mark()
    found = [(lane, own, 0)] if own.present else []
    for shape, middle, down, width in _shapes(cell._tc):
        at = _column_of(middle, lane, lane_columns, widths, column)
        covered = _lanes_under(middle - width // 2, middle + width // 2, lane_columns, widths, column) or [at]
        named = _named_lanes(shape.text, names)
        lanes = [k for k in covered if k in named] if named and set(covered) & set(named) else covered
        if shape.simbol in (None, "terminal") and len(lanes) > 1:
            lanes = [at]  # a label, an end: where its middle is
        found += [(k, replace(shape), down) for k in lanes]
    return found


def _lanes_under(left: int, right: int, lane_columns: list[int], widths: list[int], column: int) -> list[int]:
    """The lanes whose middle a shape drawn from `left` to `right` (EMU from the left of `column`'s
    cell) covers: a box drawn across two lanes is a step both do."""
    if not widths or column >= len(widths):
        return []
    edge = -sum(widths[:column])
    covered = []
    for at, width in enumerate(widths):
        if at in lane_columns and left <= edge + width // 2 <= right:
            covered.append(lane_columns.index(at))
        edge += width
    return covered


def _named_lanes(text: str, names: list[str]) -> list[int]:
    """The lanes a shape's description names ("…; pelaksana: Tim Teknis, Kepala Bidang"): where a
    box spans lanes that do not do the step (the lanes are not side by side)."""
    said = re.search(r"(?i)\bpelaksana:\s*(.+)$", text)
    if not said:
        return []
    rest = ", " + " ".join(said.group(1).split()).lower() + ","
    found = []
    for k, name in sorted(enumerate(names), key=lambda item: -len(item[1])):  # "Kepala Bidang" before "Kepala"
        written = ", " + " ".join(name.split()).lower() + ","
        if written in rest:  # a name may hold a comma itself
            rest = rest.replace(written, ",", 1)
            found.append(k)
    return sorted(found)


def _column_of(middle: int, lane: int, lane_columns: list[int], widths: list[int], column: int) -> int:
    """The lane a shape anchored in `lane`'s cell is drawn over: where its middle falls among the grid
    columns to the right (or left) of its anchor cell."""
    if not widths or column >= len(widths) or not widths[column]:
        return lane
    at, edge = column, 0
    while middle >= edge + widths[at] and at + 1 < len(widths):
        edge += widths[at]
        at += 1
    while middle < edge and at > 0:
        at -= 1
        edge -= widths[at]
    return lane_columns.index(at) if at in lane_columns else lane


def _shapes(tc: Any) -> list[tuple[Mark, int, int, int]]:
    """The marks of the shapes anchored in a cell, with where each one's middle is drawn (EMU): right
    of the cell's left edge, below the row's top (0 when the shape does not say), and its width."""
    found: list[tuple[Mark, int, int, int]] = []
    for wsp in tc.iter(f"{{{WPS}}}wsp"):
        if any(ancestor.tag == f"{{{MC}}}Fallback" for ancestor in wsp.iterancestors()):
            continue
        geometry = wsp.find(f"{{{WPS}}}spPr/{{{A}}}prstGeom")
        prst = geometry.get("prst") if geometry is not None else ""
        words = " ".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
                         for p in wsp.iter(f"{{{W}}}p"))
        frame = next((a for a in wsp.iterancestors() if a.tag in (f"{{{WP}}}anchor", f"{{{WP}}}inline")), None)
        described = ""
        offset = down = width = 0
        if frame is not None:
            doc_pr = frame.find(f"{{{WP}}}docPr")
            if doc_pr is not None:
                described = " ".join(filter(None, (doc_pr.get("name"), doc_pr.get("descr"), doc_pr.get("title"))))
            position = frame.find(f"{{{WP}}}positionH/{{{WP}}}posOffset")
            extent = frame.find(f"{{{WP}}}extent")
            width = int(extent.get("cx") or 0) if extent is not None else 0
            if position is not None and (position.text or "").lstrip("-").isdigit():
                # where the shape's middle sits, from the left of the cell it is anchored in
                offset = int(position.text or 0) + int(extent.get("cx") or 0) // 2 if extent is not None else 0
            vertical = frame.find(f"{{{WP}}}positionV/{{{WP}}}posOffset")
            if vertical is not None and (vertical.text or "").lstrip("-").isdigit():
                down = int(vertical.text or 0) + (int(extent.get("cy") or 0) // 2 if extent is not None else 0)
        if re.match(r"(?i)ujung penolakan\b", described):
            continue  # the small Selesai `sop render` draws beside a decision whose TIDAK ends the process
        connector = wsp.find(f"{{{WPS}}}cNvCnPr") is not None or "Connector" in (prst or "")
        simbol = None if connector else _GEOMETRY.get(prst or "")
        label = " ".join(words.split())
        if simbol == "proses" and re.fullmatch(r"(?i)(ya|tidak|y|t)", label):
            simbol = None  # a text box holding a branch label, not a process box
        said = " ".join(filter(None, (label, _described(described))))
        # the lanes a description names are names, not marks: "Ya"/"Tidak" in one is no branch label
        mark = read_mark(re.sub(r"(?i);?\s*\bpelaksana:.*$", "", said), None)
        mark.text = said
        if simbol == "terminal":
            mark.simbol = mark.simbol if mark.simbol in ("mulai", "selesai") else "terminal"
        elif simbol and mark.simbol != "keputusan":
            mark.simbol = simbol
        if connector and not mark.labels and not mark.next:
            continue
        found.append((mark, offset, down, width))
    return found + _vml_shapes(tc)


V = "urn:schemas-microsoft-com:vml"
_VML_TYPES = {"109": "proses", "176": "proses", "112": "proses", "114": "proses", "110": "keputusan",
              "116": "terminal", "120": "terminal", "202": None}
_VML_TAGS = {"rect": "proses", "roundrect": "proses", "oval": "terminal"}
_EMU_PER_PT = 12700


def _vml_shapes(tc: Any) -> list[tuple[Mark, int, int, int]]:
    """The shapes of a document saved by an older Word (VML `v:shape`, `v:rect` … in `w:pict`), the
    same way: the flowchart type of `type="#_x0000_t110"` (110 decision, 109 process, 116 terminator,
    202 text box), the text box's words, the left margin of its style as the horizontal offset."""
    found: list[tuple[Mark, int, int, int]] = []
    for shape in tc.iter(f"{{{V}}}shape", f"{{{V}}}rect", f"{{{V}}}roundrect", f"{{{V}}}oval", f"{{{V}}}line"):
        if any(ancestor.tag == f"{{{MC}}}Fallback" for ancestor in shape.iterancestors()):
            continue  # the same shape is read from its DrawingML choice
        tag = str(shape.tag).rsplit("}", 1)[-1]
        kind = re.search(r"_x0000_t(\d+)", shape.get("type") or "")
        simbol = _VML_TAGS.get(tag) if kind is None else _VML_TYPES.get(kind.group(1), "connector")
        if tag == "line" or (kind is not None and kind.group(1) in ("32", "33", "34", "38")):
            simbol = "connector"
        label = " ".join(" ".join(t.text or "" for t in shape.iter(f"{{{W}}}t")).split())
        if simbol == "proses" and re.fullmatch(r"(?i)(ya|tidak|y|t)", label):
            simbol = None
        mark = read_mark(label)
        if simbol == "connector":
            if not mark.labels:
                continue
        elif simbol == "terminal":
            mark.simbol = mark.simbol if mark.simbol in ("mulai", "selesai") else "terminal"
        elif simbol and mark.simbol != "keputusan":
            mark.simbol = simbol
        style = shape.get("style") or ""
        margin = re.search(r"margin-left:\s*(-?[\d.]+)pt", style)
        width = re.search(r"(?<![-\w])width:\s*([\d.]+)pt", style)
        middle = float(margin.group(1)) + (float(width.group(1)) / 2 if width else 0) if margin else 0
        top = re.search(r"margin-top:\s*(-?[\d.]+)pt", style)
        height = re.search(r"(?<![-\w])height:\s*([\d.]+)pt", style)
        down = float(top.group(1)) + (float(height.group(1)) / 2 if height else 0) if top else 0
        found.append((mark, int(middle * _EMU_PER_PT), int(down * _EMU_PER_PT),
                      int(float(width.group(1)) * _EMU_PER_PT) if width else 0))
    return found


def _described(text: str) -> str:
    """A shape's name/description as written by `sop render` or Word ("Langkah 9: keputusan; YA → 10,
    TIDAK → 8"); Word's own names ("Flowchart: Process 12", "Text Box 3") say nothing of the flow."""
    if re.match(r"(?i)^(flowchart|text ?box|rectangle|diamond|oval|straight|elbow|connector|shape|picture)\b", text):
        return ""
    return re.sub(r"(?i)^langkah\s+\d+\s*:?", "", text)


def _merge(step: Row, lane: int, mark: Mark) -> None:
    have = step.marks.get(lane)
    if have is None:
        step.marks[lane] = mark
        return
    have.simbol = have.simbol if have.simbol and have.simbol != "terminal" else mark.simbol or have.simbol
    have.next = have.next or mark.next
    have.parallel = have.parallel or mark.parallel
    have.ya = have.ya if have.ya is not None else mark.ya
    have.tidak = have.tidak if have.tidak is not None else mark.tidak
    have.labels = have.labels + mark.labels
    have.text = " ".join(filter(None, (have.text, mark.text)))
