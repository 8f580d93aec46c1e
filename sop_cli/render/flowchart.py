"""The swimlane flowchart of an SOP AP table, drawn as one inline SVG per table row.

Each step row of the flowchart table has one cell spanning all lane columns; it holds an SVG that
fills the cell (`position: absolute; inset: 0`), draws the lane separators, the step's symbol in
its lane(s) and the parts of the arrows that cross the row. Every coordinate is either a share of
the row's width (lanes are equal columns) or anchored to the row's top, middle or bottom, so the
pieces meet at the row borders whatever height the browser gives each row (long texts in other
columns make rows taller) and when a page break falls between rows.

Symbols (Permenpan RB 35/2012): capsule for mulai/selesai, rectangle for proses, diamond for
keputusan; a step done by several lanes gets one symbol spanning them. An arrow to the next row
leaves the symbol's bottom, jogs sideways just below the row border and enters the next symbol from
the top; a branch back up (TIDAK) leaves the diamond's side, climbs on the right edge of the target
lane and enters the target from the right. Steps done at the same time (`paralel`) hang from a fork
bar just below the splitting step's row and meet on a join bar just above the step that waits for
them (the bars of an activity diagram's AND split/join); their rows stay one per step, so each
branch sits in its own lane side by side with the others. `mermaid()` gives the same chart as Mermaid text. Both draw the edges of the definition graph
(`SopDefinition.graph`), which owns the flow rules.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition

MID = "50%"
TOP = "0"
BOTTOM = "100%"
JOG = "9"  # px below a row's top where arrows between lanes run sideways
HALF_HEIGHT = {"mulai": 12, "selesai": 12, "proses": 12, "keputusan": 16}
SYMBOL_MARGIN = 0.18  # share of a lane left free on each side of a symbol
TRACK = 0.92  # where in its lane an arrow climbs back up
LABEL_FONT = "font-family:Arial,Helvetica,'Liberation Sans',sans-serif;font-size:9px"
CAPSULE_FONT = "font-family:Arial,Helvetica,'Liberation Sans',sans-serif;font-size:11.5px"  # the table's 9 pt


@dataclass
class _Row:
    lo: int
    hi: int
    simbol: str
    inferred: bool
    no: int = 0
    lines: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)

    @property
    def center(self) -> float:
        return (self.lo + self.hi + 1) / 2

    def covers(self, x: float) -> bool:
        return self.lo + SYMBOL_MARGIN <= x <= self.hi + 1 - SYMBOL_MARGIN


def escape(text: str) -> str:
    """Text safe inside SVG markup (no `html` import: it costs start-up time)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _pct(x: float, lanes: int) -> str:
    return f"{x / lanes * 100:.3f}%"


def rows_svg(sop: SopDefinition) -> list[str]:
    """One SVG (text) per step of `sop`, in step order, drawing that row of the flowchart."""
    lanes = [lane.id for lane in sop.pelaksana]
    count = len(lanes)
    index = {step.no: i for i, step in enumerate(sop.langkah)}
    rows = []
    for step in sop.langkah:
        columns = [lanes.index(p) for p in step.pelaksana]
        rows.append(_Row(min(columns), max(columns), step.simbol, step.asal_pelaksana == "inferensi", step.no))

    graph = sop.graph
    for source, target, label in graph.edges():
        if target is None:
            _refusal_end(rows[index[source]], count)  # a TIDAK that ends the process
        elif graph.step(source).is_split or graph.step(source).split is not None:
            continue  # drawn with the bars of its split and join
        else:
            _edge(rows, index[source], index[target], label, count)
    for node in graph.steps.values():
        if node.is_split:
            join = index[node.join] if node.join is not None else None
            _fork_join(rows, index[node.no], [index[b] for b in node.branches], join, count)

    return [_svg(row, count) for row in rows]


def _lane_centre(row: _Row, towards: float) -> float:
    """The centre of the lane of `row`'s span nearest `towards`: a symbol spanning two lanes is
    joined in one of its lanes, never on the border between them."""
    return min((k + 0.5 for k in range(row.lo, row.hi + 1)), key=lambda x: (abs(x - towards), x))


BAR = 'stroke="#000" stroke-width="3.2"'


def _fork_join(rows: list[_Row], split: int, branches: list[int], join: int | None, lanes: int) -> None:
    """An AND split and join: the splitting step's arrow ends on a fork bar at the top of the first
    branch's row, an arrow drops from the bar into every branch; every branch drops onto a join bar
    at the top of the join's row, from which one arrow enters the join."""
    first = branches[0]
    xs = _lane_centre(rows[split], sum(rows[b].center for b in branches) / len(branches))
    xb = [_lane_centre(rows[b], xs) for b in branches]
    lo, hi = min([xs, *xb]) - 0.12, max([xs, *xb]) + 0.12
    _path(rows, [(xs, split, MID), (xs, first, JOG)], lanes, f"{rows[split].no}-paralel")
    rows[first].lines.append(
        f'<line x1="{_pct(lo, lanes)}" y1="{JOG}" x2="{_pct(hi, lanes)}" y2="{JOG}" {BAR}/>'
    )
    for b, x in zip(branches, xb, strict=True):
        _path(rows, [(x, first, JOG), (x, b, MID)], lanes, f"{rows[split].no}-{rows[b].no}")
        h = HALF_HEIGHT[rows[b].simbol]
        rows[b].marks.append(_at(x, lanes, f'<path d="M-4,{-h - 7} L4,{-h - 7} L0,{-h} Z" class="head"/>'))
    if join is None:
        return
    xj = _lane_centre(rows[join], sum(xb) / len(xb))
    lo, hi = min([xj, *xb]) - 0.12, max([xj, *xb]) + 0.12
    for b, x in zip(branches, xb, strict=True):
        _path(rows, [(x, b, MID), (x, join, JOG)], lanes, f"{rows[b].no}-{rows[join].no}")
    rows[join].lines.append(
        f'<line x1="{_pct(lo, lanes)}" y1="{JOG}" x2="{_pct(hi, lanes)}" y2="{JOG}" {BAR}/>'
    )
    _path(rows, [(xj, join, JOG), (xj, join, MID)], lanes, f"paralel-{rows[join].no}")
    h = HALF_HEIGHT[rows[join].simbol]
    rows[join].marks.append(_at(xj, lanes, f'<path d="M-4,{-h - 7} L4,{-h - 7} L0,{-h} Z" class="head"/>'))


def _refusal_end(row: _Row, lanes: int) -> None:
    """A TIDAK that ends the process: a short arrow from the diamond's side to a small Selesai capsule,
    on the side with more room (the right unless the diamond is in the last lane)."""
    right = row.hi + 1 < lanes or row.lo == 0
    side = row.hi + 1 - SYMBOL_MARGIN if right else row.lo + SYMBOL_MARGIN
    s = 1 if right else -1
    capsule_x = 36 if right else -82
    row.marks.append(_at(side, lanes, (
        f'<line x1="0" y1="0" x2="{s * 29}" y2="0" class="flow" data-edge="{row.no}-selesai"/>'
        f'<path d="M{s * 29},-4 L{s * 29},4 L{s * 36},0 Z" class="head"/>'
        f'<rect x="{capsule_x}" y="-8" width="46" height="16" rx="8" ry="8" class="symbol"/>'
        f'<text x="{capsule_x + 23}" y="3.5" text-anchor="middle" style="{LABEL_FONT}">Selesai</text>'
        f'<text x="{s * 3}" y="-4" text-anchor="{"start" if right else "end"}" style="{LABEL_FONT}">TIDAK</text>'
    )))


def _edge(rows: list[_Row], i: int, j: int, label: str | None, lanes: int) -> None:
    source, target = rows[i], rows[j]
    xs = _lane_centre(source, target.center)
    xt = _lane_centre(target, xs)
    if j > i and label != "TIDAK":
        blocked = any(rows[k].covers(xs) for k in range(i + 1, j))
        if blocked:
            track = min(source.lo, target.lo) + 1 - TRACK
            points = [(xs, i, MID), (xs, i + 1, JOG), (track, i + 1, JOG), (track, j, JOG), (xt, j, JOG), (xt, j, MID)]
        elif xs == xt:
            points = [(xs, i, MID), (xt, j, MID)]
        else:
            points = [(xs, i, MID), (xs, j, JOG), (xt, j, JOG), (xt, j, MID)]
        _path(rows, points, lanes, f"{source.no}-{target.no}")
        h = HALF_HEIGHT[target.simbol]
        target.marks.append(_at(xt, lanes, f'<path d="M-4,{-h - 7} L4,{-h - 7} L0,{-h} Z" class="head"/>'))
        if label:
            d = HALF_HEIGHT[source.simbol]
            source.marks.append(_at(xs, lanes, f'<text x="4" y="{d + 10}" style="{LABEL_FONT}">{escape(label)}</text>'))
        return
    # TIDAK: leave by the diamond's side, run down (a branch forward, e.g. to Selesai) or climb (a
    # rejection loop) on the right edge of the lanes, enter the target from the right; so YA and
    # TIDAK never share a line or a label spot
    track = (max(source.hi, target.hi) if j > i else target.hi) + TRACK
    edge = target.hi + 1 - SYMBOL_MARGIN
    points = [(xs, i, MID), (track, i, MID), (track, j, MID), (edge, j, MID)]
    _path(rows, points, lanes, f"{source.no}-{target.no}")
    target.marks.append(_at(edge, lanes, '<path d="M7,-4 L7,4 L0,0 Z" class="head"/>'))
    if label:
        right = track > xs
        side = source.hi + 1 - SYMBOL_MARGIN if right else source.lo + SYMBOL_MARGIN
        anchor = "start" if right else "end"
        dx = 3 if right else -3
        # on the side of the run the line leaves free: below it when it climbs, above when it goes
        # down, so a track close to the diamond never strikes through the word
        dy = 11 if j < i else -4
        source.marks.append(
            _at(side, lanes, f'<text x="{dx}" y="{dy}" text-anchor="{anchor}" style="{LABEL_FONT}">{escape(label)}</text>')
        )


def _path(rows: list[_Row], points: list[tuple[float, int, str]], lanes: int, edge: str) -> None:
    """Slice an axis-aligned polyline given as (x, row, y) points into per-row line segments, each
    naming the arrow it belongs to (`data-edge`: "3-4", for the Word shapes)."""
    for (x1, r1, y1), (x2, r2, y2) in itertools.pairwise(points):
        if r1 == r2 and y1 == y2:
            if x1 != x2:
                rows[r1].lines.append(_line(x1, y1, x2, y2, lanes, edge))
            continue
        if x1 != x2:
            raise ValueError("flowchart segments must be horizontal or vertical")
        if r1 == r2:
            rows[r1].lines.append(_line(x1, y1, x2, y2, lanes, edge))
            continue
        down = r2 > r1
        first_end, next_start = (BOTTOM, TOP) if down else (TOP, BOTTOM)
        rows[r1].lines.append(_line(x1, y1, x1, first_end, lanes, edge))
        step = 1 if down else -1
        for r in range(r1 + step, r2, step):
            rows[r].lines.append(_line(x1, TOP, x1, BOTTOM, lanes, edge))
        rows[r2].lines.append(_line(x1, next_start, x2, y2, lanes, edge))


def _line(x1: float, y1: str, x2: float, y2: str, lanes: int, edge: str) -> str:
    return f'<line x1="{_pct(x1, lanes)}" y1="{y1}" x2="{_pct(x2, lanes)}" y2="{y2}" class="flow" data-edge="{edge}"/>'


def _at(x: float, lanes: int, inner: str) -> str:
    """`inner` drawn with its origin at share `x` of the width and the middle of the row."""
    return f'<svg x="{_pct(x, lanes)}" y="50%" overflow="visible">{inner}</svg>'


def _symbol(row: _Row, lanes: int) -> str:
    left = _pct(row.lo + SYMBOL_MARGIN, lanes)
    width = _pct(row.hi - row.lo + 1 - 2 * SYMBOL_MARGIN, lanes)
    h = HALF_HEIGHT[row.simbol]
    if row.simbol == "keputusan":
        shape = (
            f'<svg x="{left}" y="{-h}" width="{width}" height="{2 * h}" viewBox="0 0 100 {2 * h}" '
            f'preserveAspectRatio="none" overflow="visible"><polygon points="50,0 100,{h} 50,{2 * h} 0,{h}" '
            'class="symbol" vector-effect="non-scaling-stroke"/></svg>'
        )
    else:
        rounded = f' rx="{h}" ry="{h}"' if row.simbol in ("mulai", "selesai") else ""
        shape = f'<rect x="{left}" y="{-h}" width="{width}" height="{2 * h}"{rounded} class="symbol"/>'
    parts = [f'<svg y="50%" overflow="visible">{shape}</svg>']
    if row.simbol in ("mulai", "selesai"):
        word = "Mulai" if row.simbol == "mulai" else "Selesai"
        parts.append(_at(row.center, lanes, f'<text y="4" text-anchor="middle" style="{CAPSULE_FONT}">{word}</text>'))
    # An inferred lane is a working note: the review view (`sop render sop --catatan`) marks it
    # in the Kegiatan column, so the chart an official signs carries no mark.
    return "".join(parts)


def _svg(row: _Row, lanes: int) -> str:
    separators = "".join(
        f'<line x1="{_pct(k, lanes)}" y1="0" x2="{_pct(k, lanes)}" y2="100%" class="lane"/>' for k in range(1, lanes)
    )
    return (
        '<svg class="flowrow" xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" aria-hidden="true">'
        "<style>.lane{stroke:#000;stroke-width:1}.flow{stroke:#000;stroke-width:1.2;fill:none}"
        ".head{fill:#000}.symbol{fill:#fff;stroke:#000;stroke-width:1.3}.inferred{fill:#666}</style>"
        f"{separators}{''.join(row.lines)}{_symbol(row, lanes)}{''.join(row.marks)}</svg>"
    )


def mermaid(sop: SopDefinition) -> str:
    """The flowchart as Mermaid text: one subgraph per lane, YA/TIDAK on a decision's branches.

    A step done by several lanes sits in the subgraph of the first and names the others.
    """
    lines = ["flowchart TD"]
    for lane in sop.pelaksana:
        steps = [s for s in sop.langkah if s.pelaksana[0] == lane.id]
        lines.append(f'  subgraph {_mid(lane.id)}["{_mtext(lane.nama)}"]')
        lines.append("    direction TB")
        for step in steps:
            text = f"{step.no}. {step.kegiatan}"
            if len(step.pelaksana) > 1:
                others = " + ".join(sop.lane(p).nama for p in step.pelaksana)
                text += f" ({others})"
            text = _mtext(text)
            shape = {
                "mulai": f'(["{text}"])',
                "selesai": f'(["{text}"])',
                "keputusan": f'{{"{text}"}}',
                "proses": f'["{text}"]',
            }[step.simbol]
            lines.append(f"    s{step.no}{shape}")
        lines.append("  end")
    graph = sop.graph
    for node in graph.steps.values():
        if node.is_split:  # the AND split and join as bars (Mermaid's fork/join states have no flowchart shape)
            lines.append(f'  s{node.no}_fork[["paralel"]]')
            if node.join is not None:
                lines.append(f'  s{node.no}_join[["bersamaan selesai"]]')
    for source, target, label in graph.edges():
        origin, into = graph.step(source), graph.step(target) if target is not None else None
        if origin.is_split:
            if target == origin.branches[0]:
                lines.append(f"  s{source} --> s{source}_fork")
            lines.append(f"  s{source}_fork --> s{target}")
        elif origin.split is not None and into is not None and into.no == origin.join:
            lines.append(f"  s{source} --> s{origin.split}_join")
            if source == graph.step(origin.split).branches[-1]:
                lines.append(f"  s{origin.split}_join --> s{target}")
        elif target is None:
            lines.append(f'  s{source} -- {label} --> s{source}_selesai(["Selesai (ditolak)"])')
        else:
            lines.append(f"  s{source} -- {label} --> s{target}" if label else f"  s{source} --> s{target}")
    return "\n".join(lines)


def _mid(lane_id: str) -> str:
    return "lane_" + lane_id.replace("-", "_")


def _mtext(text: str) -> str:
    """Text safe inside a quoted Mermaid label (quotes and angle brackets as entities)."""
    text = " ".join(str(text).split())
    for raw, entity in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, entity)
    return text


def fixed_svg(svg: str, width: float, height: float) -> str:
    """A row SVG of `rows_svg` with every share turned into pixels of a `width` x `height` box and
    the nested anchoring `<svg>`s turned into translated groups, for renderers (WeasyPrint) that
    cannot stretch an absolutely placed SVG over a table cell nor place nested SVGs by percent."""
    horizontal = {"x", "x1", "x2", "width"}

    def absolute(match: re.Match[str]) -> str:
        name, share = match.group(1), float(match.group(2)) / 100
        return f'{name}="{(width if name in horizontal else height) * share:.2f}"'

    svg = re.sub(r'\b(x|x1|x2|y|y1|y2|width|height)="(-?[\d.]+)%"', absolute, svg)
    out: list[str] = []
    stack: list[bool] = []
    last = 0
    for tag in re.finditer(r"<svg\b[^>]*>|</svg>", svg):
        out.append(svg[last:tag.start()])
        last = tag.end()
        text = tag.group(0)
        if text == "</svg>":
            out.append("</g>" if stack.pop() else "</svg>")
            continue
        anchor = re.fullmatch(r'<svg(?: x="([-\d.]+)")? y="([-\d.]+)" overflow="visible">', text)
        if anchor:
            out.append(f'<g transform="translate({anchor.group(1) or 0},{anchor.group(2)})">')
            stack.append(True)
        elif 'class="flowrow"' in text:
            out.append(text.replace('width="100%" height="100%"', "").replace(
                "<svg ", f'<svg width="{width:.2f}" height="{height:.2f}" viewBox="0 0 {width:.2f} {height:.2f}" ', 1))
            stack.append(False)
        else:
            out.append(text)
            stack.append(False)
    out.append(svg[last:])
    return "".join(out)
