"""`sop show` in the terminal: the identity header, the six lists and the swimlane table.

The column widths are decided here (a lane column never wider than 12, Kegiatan keeping three
times the room of the others, never narrower than a column's longest word); rich draws the tables
(`output.draw_table`: boxes on a terminal, wrapping at spaces, alignment, bold). Widths count
characters, which fits the Latin text and the flowchart symbols used here.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sop_cli.cli.output import _is_terminal, _pieces, draw_table, paint, shown, wrap_words
from sop_cli.definition.duration import display_waktu
from sop_cli.definition.nip import format_nip
from sop_cli.i18n import _

_SYMBOL = {"mulai": "(●)", "selesai": "(■)", "proses": "[▪]", "keputusan": "<◆>"}


@dataclass
class Column:
    """A column of a `grid`: header, alignment ("left", "right", "center"), width limits."""

    header: str = ""
    justify: str = "left"
    min_width: int = 1
    max_width: int | None = None
    wrap: bool = True
    weight: int = 1  # when space is short, a column of weight 3 keeps three times the width


def terminal_width() -> int:
    """`COLUMNS`, else the terminal's width, else 80."""
    return shutil.get_terminal_size((80, 24)).columns


def print_sop(console: Any, data: dict[str, Any]) -> None:
    """`sop show`: identity, the six lists, the swimlane table.

    `console`: where lines go: anything with a `print(str)` method, or None for stdout.
    """
    write: Callable[[str], None] = console.print if console is not None else print
    data = _shown_data(data)
    width = terminal_width()
    org = data["organisasi"]
    signer = data["disahkan_oleh"]
    signer_text = ", ".join(x for x in (signer["jabatan"], signer.get("nama"), signer.get("pangkat")) if x)
    if signer.get("nip"):
        signer_text += f", NIP {format_nip(signer['nip'])}"
    identity = [
        [label, value or "—"]
        for label, value in (
            ("Nama SOP", data["nama"]),
            ("ID", data["qualified_id"]),
            ("Nomor SOP", data.get("nomor")),
            ("Tanggal Pembuatan", data.get("tanggal_pembuatan")),
            ("Tanggal Revisi", data.get("tanggal_revisi")),
            ("Tanggal Pengesahan", data.get("tanggal_pengesahan")),
            ("Tanggal Efektif", data.get("tanggal_efektif")),
            ("Disahkan oleh", signer_text),
            ("Zona waktu", org["zona_waktu"]),
        )
    ]
    identity += _office_rows(org)
    lines = grid([Column(), Column()], identity, width, boxed=False, bold_first=True)
    span = max(len(line) for line in lines)
    for title in (org["pemerintah"], org["nama"]):
        write(paint(title.center(span).rstrip(), "bold"))
    write("")
    for line in lines:
        write(line)
    write("")

    from sop_cli.definition.overview import LISTS

    half = max(20, (width - 3) // 2)
    pairs = list(zip(LISTS[::2], LISTS[1::2]))
    for (left, left_title), (right, right_title) in pairs:
        rows = [[left_title, right_title], [_numbered(data[left]), _numbered(data[right])]]
        block = grid([Column(min_width=half, max_width=half), Column(min_width=half, max_width=half)], rows,
                     width, boxed=False, bold_first_row=True)
        for line in block:
            write(line)
        write("")
    if data.get("penjelasan"):
        write(paint("Penjelasan", "bold"))
        for paragraph in data["penjelasan"]:
            for line in textwrap.wrap(paragraph, width) or [""]:
                write(line)
        write("")
    for line in steps_table(data, width):
        write(line)


def _office_rows(org: dict[str, Any]) -> list[list[str]]:
    """"Jam kerja" and "Hari libur" rows of `sop show`, when the organisation sets them."""
    rows = []
    jam = org.get("jam_kerja") or {}
    if jam:
        from sop_cli.worktime import CalendarError, office_calendar

        try:
            text = office_calendar(org).hours_text()
        except CalendarError:
            text = _("(see the file)")
        ramadan = jam.get("ramadan")
        if ramadan:
            text += "; " + (_("Ramadan: jam kerja ASN") if ramadan == "asn" else _("Ramadan: own hours"))
        rows.append(["Jam kerja", text])
    days = []
    for day in org.get("hari_libur") or []:
        when = str(day["tanggal"])
        if day.get("setiap_tahun") or len(when) == 5:
            when = (when[8:10] + "-" + when[5:7] if len(when) == 10 else when) + " setiap tahun"
        days.append(f"{when} {day['nama']}")
    if days:
        rows.append(["Hari libur", "; ".join(days)])
    return rows


def _shown_data(value: Any) -> Any:
    """Every string of `data` made safe for the terminal before it is measured and wrapped."""
    if isinstance(value, str):
        return shown(value, multiline=True)
    if isinstance(value, dict):
        return {k: _shown_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown_data(v) for v in value]
    return value


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)) or "—"


def steps_table(data: dict[str, Any], width: int | None = None) -> list[str]:
    """The flowchart table in the terminal: one column per lane, a symbol where the lane acts.

    When the lanes do not fit side by side, one "Pelaksana" column names the lanes of each step;
    when even that does not fit, each step is a block of labelled lines. Boxed on a terminal,
    plain (no box drawing) in a file or a pipe.
    """
    width = width or terminal_width()
    boxed = _is_terminal()
    lanes = data["pelaksana"]
    names = {lane["id"]: lane["nama"] + (" (luar)" if lane.get("eksternal") else "") for lane in lanes}
    tail = [Column("Kelengkapan", min_width=8), Column("Waktu", wrap=False), Column("Output", min_width=8),
            Column("Keterangan", min_width=8)]
    swimlanes = [Column("No", "right"), Column("Kegiatan", min_width=16, weight=3),
                 *(Column(names[lane["id"]], "center", min_width=4, max_width=12) for lane in lanes), *tail]
    one_column = [Column("No", "right"), Column("Kegiatan", min_width=16, weight=3),
                  Column("Pelaksana", min_width=8, weight=2), *tail]
    wide_rows, narrow_rows = [], []
    for step in data["langkah"]:
        mark = _SYMBOL[step["simbol"]] + ("*" if step["asal_pelaksana"] == "inferensi" else "")
        cells = [mark if lane["id"] in step["pelaksana"] else "" for lane in lanes]
        kegiatan = step["kegiatan"]
        if step["simbol"] == "keputusan":
            kegiatan += f"\nYA → {step['ya']}, TIDAK → {step['tidak']}"
        if step.get("paralel"):
            kegiatan += f"\n→ {' + '.join(map(str, step['paralel']))} (bersamaan)"
        if step.get("sub_sop"):
            kegiatan += f"\nsub-SOP: {step['sub_sop']}"
        rest = [step["kelengkapan"], display_waktu(step["waktu"]), step["output"], step.get("keterangan") or ""]
        wide_rows.append([str(step["no"]), kegiatan, *cells, *rest])
        acting = f"{mark} " + ", ".join(names.get(lane, lane) for lane in step["pelaksana"])
        narrow_rows.append([str(step["no"]), kegiatan, acting, *rest])
    if fits(swimlanes, wide_rows, width, boxed=boxed):
        body = grid(swimlanes, wide_rows, width, boxed=boxed)
    elif fits(one_column, narrow_rows, width, boxed=boxed):
        body = grid(one_column, narrow_rows, width, boxed=boxed)
    else:
        body = _step_blocks(one_column, narrow_rows, width)
    span = min(max(len(line) for line in body), width)
    caption = (f"Waktu total (mutu baku): {data['waktu_total']}   "
               "(●) mulai  [▪] proses  <◆> keputusan  (■) selesai  * pelaksana hasil inferensi")
    title = [paint(line.center(span).rstrip(), "bold") for line in wrap_words(f"SOP: {data['nama']}", span)]
    return [*title, *body, *(line.center(span).rstrip() for line in wrap_words(caption, span))]


def _step_blocks(columns: list[Column], rows: list[list[str]], width: int) -> list[str]:
    """Each step as a block: "No. Kegiatan" wrapped, then one labelled line per other column."""
    label = max(len(c.header) for c in columns[2:]) + 2
    out: list[str] = []
    for row in rows:
        head = [shown(p, multiline=True) for p in row[1].split("\n")]
        lines = [line for paragraph in head for line in wrap_words(paragraph, width - 4)]
        out.append(f"{row[0]:>2}  {lines[0]}")
        out.extend(f"    {line}" for line in lines[1:])
        for column, cell in zip(columns[2:], row[2:]):
            if not cell.strip():
                continue
            wrapped = wrap_words(shown(cell), max(width - 4 - label, 12))
            out.append(f"    {column.header:<{label}}{wrapped[0]}")
            out.extend(f"    {'':<{label}}{line}" for line in wrapped[1:])
        out.append("")
    return out


def grid(columns: list[Column], rows: list[list[str]], width: int, *, boxed: bool,
         bold_first: bool = False, bold_first_row: bool = False) -> list[str]:
    """Lines of a table fitting `width`: cells wrapped at spaces, a line between boxed rows."""
    gap = 3 if boxed else 2  # "│ x │": one border plus a space each side; unboxed: two spaces
    edge = 4 if boxed else 2
    natural = [_natural(column, [r[i] for r in rows]) for i, column in enumerate(columns)]
    least = [_least(column, [r[i] for r in rows]) for i, column in enumerate(columns)]
    widths = list(natural)
    available = width - edge - gap * (len(columns) - 1)
    # Shrink the column widest for its weight, down to its longest word: never inside a word.
    for floor in (least,):
        while sum(widths) > available:
            shrinkable = [i for i, c in enumerate(columns) if c.wrap and widths[i] > floor[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: (widths[i] / columns[i].weight, -i))
            widths[widest] -= 1

    cells = [[shown(cell, multiline=True) for cell in row] for row in rows]
    text = draw_table([c.header for c in columns], cells, widths, boxed=boxed,
                      right=frozenset(i for i, c in enumerate(columns) if c.justify == "right"),
                      centre=frozenset(i for i, c in enumerate(columns) if c.justify == "center"),
                      bold_column=0 if bold_first else None, bold_first_row=bold_first_row)
    return text.split("\n")


def _natural(column: Column, cells: list[str]) -> int:
    longest = max([len(line) for cell in [column.header, *cells] for line in str(cell).split("\n")] or [1])
    if column.max_width:
        longest = min(longest, column.max_width)
    return max(longest, column.min_width)


def _least(column: Column, cells: list[str]) -> int:
    if not column.wrap:
        return _natural(column, cells)
    word = max([len(w) for cell in [column.header, *cells] for w in _pieces(str(cell))] or [1])
    return max(word, min(column.min_width, _natural(column, cells)))


def fits(columns: list[Column], rows: list[list[str]], width: int, *, boxed: bool) -> bool:
    """Whether `grid` can lay the table out in `width` without breaking a word."""
    gap, edge = (3, 4) if boxed else (2, 2)
    least = [_least(column, [r[i] for r in rows]) for i, column in enumerate(columns)]
    return sum(least) + edge + gap * (len(columns) - 1) <= width
