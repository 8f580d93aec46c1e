"""The flowchart of the SOP AP document as Word shapes (DrawingML `wps:wsp` in `wp:anchor`).

The layout is the PDF's: `render/flowchart.py` draws each step row as an SVG, `documents._fix_rows`
gives the rows their heights in pixels, their page breaks and the off-page connectors; this
module reads that SVG (a small vocabulary sop writes itself: lines, rects, the diamond's polygon,
the pentagon, the arrowheads' paths, texts, each placed by `<g transform="translate(…)">`) and
writes the same drawing as shapes an office can move in Word: flowChartTerminator,
flowChartProcess, flowChartDecision, flowChartOffpageConnector, straight connector lines (an
arrowhead at the end of the last one of each arrow) and YA/TIDAK text boxes.

Every shape is anchored in the first lane cell of its row, its position in EMU from that cell's
left edge and the row's top; the rows have exact heights and the lane cells no margins, so the
positions are the PDF's in Word and in LibreOffice alike. Each shape's `wp:docPr` name and
description say what it is ("langkah 3", "proses: langkah 3 → 4"), which `sop import` reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    from sop_cli.render.office.docx import Node

EMU_PER_PX = 9525  # a CSS pixel is 1/96 inch
WPS_URI = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    f'xmlns:wps="{WPS_URI}"'
)
GEOMETRY = {"mulai": "flowChartTerminator", "selesai": "flowChartTerminator", "terminal": "flowChartTerminator",
            "proses": "flowChartProcess", "keputusan": "flowChartDecision", "sambung": "flowChartOffpageConnector"}
REACH = 8.0  # px an arrowhead's tip may lie beyond the end of its line (the PDF draws the head there)
LABEL_PX = 5.4  # the width of a character of the 9 px label font, for the text boxes' size


@dataclass
class Shape:
    """One shape of a row, in pixels from the row's top-left corner."""

    kind: str  # a key of GEOMETRY, "garis" (a line), "batang" (a fork/join bar) or "label"
    x: float
    y: float
    w: float
    h: float
    text: str = ""
    arrow: bool = False  # a line: an arrowhead at (x + w, y + h)
    edge: str = ""  # a line: the arrow it is part of ("3-4")
    name: str = ""
    descr: str = ""


def _number(value: str | None) -> float:
    match = re.match(r"-?[\d.]+", value or "")
    return float(match.group(0)) if match else 0.0


def _text(node: Node) -> str:
    return " ".join("".join(c.text or "" for c in node.children if c.tag == "#text").split())


def read_svg(svg: Node) -> list[Shape]:
    """The shapes an SVG of `flowchart.fixed_svg` or of an off-page connector row draws."""
    shapes: list[Shape] = []
    heads: list[tuple[float, float, float, float]] = []  # (tip x, tip y, direction x, direction y)

    def walk(node: Node, dx: float, dy: float) -> None:
        for child in node.children:
            tag, a = child.tag, child.attrs
            if tag == "g":
                move = re.match(r"translate\(([-\d.]+),\s*([-\d.]+)\)", a.get("transform", ""))
                walk(child, dx + float(move.group(1)) if move else dx, dy + float(move.group(2)) if move else dy)
            elif tag == "svg":
                polygon = next((c for c in child.children if c.tag == "polygon"), None)
                if polygon is not None and len(polygon.attrs.get("points", "").split()) == 4:  # the diamond
                    shapes.append(Shape("keputusan", dx + _number(a.get("x")), dy + _number(a.get("y")),
                                        _number(a.get("width")), _number(a.get("height"))))
                else:
                    walk(child, dx + _number(a.get("x")), dy + _number(a.get("y")))
            elif tag == "line" and a.get("class") != "lane":
                x1, y1 = dx + _number(a.get("x1")), dy + _number(a.get("y1"))
                x2, y2 = dx + _number(a.get("x2")), dy + _number(a.get("y2"))
                thick = _number(a.get("stroke-width")) > 2
                shapes.append(Shape("batang" if thick else "garis", x1, y1, x2 - x1, y2 - y1, edge=a.get("data-edge", "")))
            elif tag == "rect":
                kind = "terminal" if a.get("rx") else "proses"
                shapes.append(Shape(kind, dx + _number(a.get("x")), dy + _number(a.get("y")),
                                    _number(a.get("width")), _number(a.get("height"))))
            elif tag == "polygon":
                points = [tuple(float(v) for v in p.split(",")) for p in a.get("points", "").split()]
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                kind = "keputusan" if len(points) == 4 else "sambung"  # a diamond, or the pentagon
                shapes.append(Shape(kind, dx + min(xs), dy + min(ys), max(xs) - min(xs), max(ys) - min(ys)))
            elif tag == "path":
                points = [tuple(float(v) for v in p.split(",")) for p in re.findall(r"-?[\d.]+,-?[\d.]+", a.get("d", ""))]
                if len(points) == 3 and a.get("d", "").rstrip().endswith("Z"):  # an arrowhead (a filled triangle)
                    tip = _tip(points)
                    (ax, ay), (bx, by), (tx, ty) = points[tip - 1], points[tip - 2], points[tip]
                    heads.append((dx + tx, dy + ty, tx - (ax + bx) / 2, ty - (ay + by) / 2))
            elif tag == "text":
                words = _text(child)
                width = len(words) * LABEL_PX + 4
                x = dx + _number(a.get("x"))
                anchor = a.get("text-anchor", "start")
                left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
                shapes.append(Shape("label", left, dy + _number(a.get("y")) - 10, width, 13, text=words))

    walk(svg, 0.0, 0.0)
    for tip_x, tip_y, along_x, along_y in heads:
        _point_arrow(shapes, tip_x, tip_y, along_x, along_y)
    # a word inside a capsule or a pentagon is that symbol's text, not a label of its own
    for label in [s for s in shapes if s.kind == "label"]:
        middle = (label.x + label.w / 2, label.y + label.h / 2)
        box = next((s for s in shapes if s.kind in ("terminal", "sambung")
                    and s.x <= middle[0] <= s.x + s.w and s.y <= middle[1] <= s.y + s.h), None)
        if box is not None:
            box.text = label.text
            shapes.remove(label)
    return shapes


def _tip(corners: list[tuple[float, ...]]) -> int:
    """Which corner of an arrowhead is its tip: the one off its base, whose two corners share x or y."""
    for k in range(3):
        base_a, base_b = corners[k - 1], corners[k - 2]
        if base_a[0] == base_b[0] or base_a[1] == base_b[1]:
            return k
    return 2


def _point_arrow(shapes: list[Shape], tip_x: float, tip_y: float, along_x: float, along_y: float) -> None:
    """Give the line that runs through an arrowhead's tip in its direction the arrowhead, cut at the tip
    (the PDF runs it on to the symbol's middle, under the symbol)."""
    for line in shapes:
        if line.kind != "garis":
            continue
        start_x, start_y, end_x, end_y = line.x, line.y, line.x + line.w, line.y + line.h
        if along_y and abs(start_x - tip_x) < 0.6 and abs(end_x - tip_x) < 0.6:
            low, high = sorted((start_y, end_y))
            if low - REACH <= tip_y <= high + REACH:
                origin = low if along_y > 0 else high  # the end it comes from
                if (tip_y - origin) * along_y > 0:
                    line.x, line.y, line.w, line.h, line.arrow = tip_x, origin, 0.0, tip_y - origin, True
                    return
        if along_x and abs(start_y - tip_y) < 0.6 and abs(end_y - tip_y) < 0.6:
            low, high = sorted((start_x, end_x))
            if low - REACH <= tip_x <= high + REACH:
                origin = low if along_x > 0 else high
                if (tip_x - origin) * along_x > 0:
                    line.x, line.y, line.w, line.h, line.arrow = origin, tip_y, tip_x - origin, 0.0, True
                    return


def describe(shapes: list[Shape], step: str | None, said: str | None) -> None:
    """Name every shape of a step's row (or of a connector row, `step` None) for a person in Word's
    selection pane and for `sop import`: the step's own symbol says the step and where it leads."""
    own = True
    for shape in shapes:
        if shape.kind in ("terminal", "proses", "keputusan") and step is not None:
            if own:
                shape.name, shape.descr = f"langkah {step}", said or ""
                kind = said.split(":", 1)[0] if said else shape.kind
                shape.kind = kind if kind in GEOMETRY else shape.kind
                own = False
            else:  # the small Selesai of a TIDAK that ends the process
                shape.name, shape.descr = "ujung penolakan", f"akhir cabang penolakan langkah {step}"
        elif shape.kind == "sambung":
            shape.name, shape.descr = "penghubung antarhalaman", f"penghubung antarhalaman ke langkah {shape.text}"
        elif shape.kind in ("garis", "batang"):
            source, _, target = shape.edge.partition("-")
            shape.name = "garis alur" if shape.kind == "garis" else "batang paralel"
            origin = "titik temu paralel" if source == "paralel" else f"langkah {source}"
            into = {"paralel": "percabangan paralel", "selesai": "akhir proses"}.get(target, f"langkah {target}")
            shape.descr = f"alur dari {origin} ke {into}" if source and target else "alur penghubung antarhalaman"
        elif shape.kind == "label":
            shape.name, shape.descr = f"label {shape.text}", f"label cabang langkah {step}" if step else "label"


def anchor_xml(shape: Shape, number: int, *, inline: bool = False) -> str:
    """A `w:r` holding `shape` anchored to the paragraph it is added to (`number`: its unique id),
    or, `inline`, set in the line of text like a character (the legend's symbols)."""
    flip = ""
    x, y, w, h = shape.x, shape.y, shape.w, shape.h
    if w < 0:
        x, w, flip = x + w, -w, flip + ' flipH="1"'
    if h < 0:
        y, h, flip = y + h, -h, flip + ' flipV="1"'
    cx, cy = round(w * EMU_PER_PX), round(h * EMU_PER_PX)
    black = '<a:solidFill><a:srgbClr val="000000"/></a:solidFill>'
    text = ""
    if shape.kind in ("garis", "batang"):
        width = 38100 if shape.kind == "batang" else 12065
        head = '<a:tailEnd type="triangle" w="med" len="med"/>' if shape.arrow else ""
        fill = f'<a:prstGeom prst="straightConnector1"><a:avLst/></a:prstGeom><a:noFill/><a:ln w="{width}">{black}{head}</a:ln>'
        frame = "<wps:cNvCnPr/>"
    elif shape.kind == "label":
        fill = '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln>'
        frame = '<wps:cNvSpPr txBox="1"/>'
        text = _text_box(shape.text, "left", 14)
    else:
        fill = (f'<a:prstGeom prst="{GEOMETRY[shape.kind]}"><a:avLst/></a:prstGeom>'
                f'<a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln w="15875">{black}</a:ln>')
        frame = "<wps:cNvSpPr/>"
        text = _text_box(shape.text, "center", 17 if shape.kind != "sambung" else 14) if shape.text else ""
    layer = {"garis": 1, "batang": 2, "label": 4}.get(shape.kind, 3)
    body = '<wps:bodyPr rot="0" vert="horz" wrap="none" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"><a:noAutofit/></wps:bodyPr>'
    name, descr = (_xml_text(t) for t in (shape.name or shape.kind, shape.descr))
    graphic = (f'<wp:docPr id="{number}" name={quoteattr(name)} descr={quoteattr(descr)}/>'
               '<wp:cNvGraphicFramePr/>'
               f'<a:graphic><a:graphicData uri="{WPS_URI}"><wps:wsp>{frame}'
               f'<wps:spPr><a:xfrm{flip}><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>{fill}</wps:spPr>'
               f'{text}{body}</wps:wsp></a:graphicData></a:graphic>')
    if inline:
        return (f'<w:r {NAMESPACES}><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
                f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>{graphic}'
                '</wp:inline></w:drawing></w:r>')
    return (
        f'<w:r {NAMESPACES}><w:drawing>'
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{layer * 1000 + number}" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="column"><wp:posOffset>{round(x * EMU_PER_PX)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{round(y * EMU_PER_PX)}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'{graphic}</wp:anchor></w:drawing></w:r>'
    )


def _xml_text(text: str) -> str:
    """`text` without the control characters XML 1.0 cannot hold (a lane name is typed by people)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


def _text_box(words: str, align: str, half_points: int) -> str:
    from xml.sax.saxutils import escape

    jc = "center" if align == "center" else "left"
    return ('<wps:txbx><w:txbxContent><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            f'<w:jc w:val="{jc}"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/>'
            f'<w:sz w:val="{half_points}"/></w:rPr><w:t xml:space="preserve">{escape(_xml_text(words))}</w:t></w:r></w:p>'
            '</w:txbxContent></wps:txbx>')
