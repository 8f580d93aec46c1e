"""Printing for the CLI: plain text, the one JSON serialiser, error messages, and what rich draws:
the tables (`plain_table` decides the widths of a run screen's table, `draw_table` has rich draw it),
the progress bar (`with_bar`) and colour (`paint`). rich is imported only when it draws something:
a table, or colour on a terminal; so `sop status` through a pipe and `sop advance` never load it.

Text that reaches a terminal is data, never commands to the terminal: `shown` makes control
characters visible (`\x1b`, `\n` in a one-line field, `⟨U+202E⟩` for bidi and other format
characters). The tables, the error messages and JSON apply it to each value, and `guard` wraps
stdout and stderr for the run of a command so that a line printed by any other path gets the same
treatment (keeping its line breaks). What is stored stays exactly as given.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console, RenderableType


def shown(text: object, *, multiline: bool = False) -> str:
    """`text` safe for a terminal: every control and format character made visible.

    C0/C1 controls and DEL become `\\x1b`-style escapes (a line break stays one when `multiline`,
    else it becomes `\\n`); format characters (bidi overrides such as U+202E, zero-width ones),
    line/paragraph separators and lone surrogates become `⟨U+202E⟩`.
    """
    text = str(text)
    if text.isprintable() or (multiline and text.replace("\n", "").replace("\t", "").isprintable()):
        return text  # the common case, at C speed (print() writes its line break on its own)
    import unicodedata

    out = []
    for char in text:
        if char.isprintable() or char == " " or (char in "\n\t" and multiline):
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif unicodedata.category(char) == "Cc":
            out.append(f"\\x{ord(char):02x}")
        elif unicodedata.category(char) in ("Zs", "Co", "Cn") and not _unsafe(char):
            out.append(char)  # no-break and other spaces, private-use and new characters: harmless
        else:
            out.append(f"⟨U+{ord(char):04X}⟩")
    return "".join(out)


def one_line(data: Any) -> Any:
    """`data` (a view of dicts, lists, strings) with every string `shown` on one line, for f-strings.

    A line break inside a title, name or reason would start a line of its own in the output and
    could pass for one `sop` wrote (a forged row of the audit trail); here it shows as `\\n`.
    """
    if isinstance(data, str):
        return shown(data)
    if isinstance(data, dict):
        return {key: one_line(value) for key, value in data.items()}
    if isinstance(data, list):
        return [one_line(value) for value in data]
    return data


def _unsafe(char: str) -> bool:
    # Unassigned code points in the tag and variation-selector planes can hide text on some terminals.
    return 0xE0000 <= ord(char) <= 0xE0FFF


def _plain(value: object) -> object:
    """A value JSON has no type for: datetimes, dates and times as ISO 8601, anything else as text."""
    from datetime import date, time

    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def to_json(data: object) -> str:
    """The one serialiser of the `--json` boundary: typed views (with real datetimes, ISO 8601
    in their own zone, e.g. `2026-11-26T09:00:00+07:00`) as indented JSON text; control and
    bidi characters inside strings `\\u`-escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_plain)
    if not text.isprintable():
        # json escapes only U+0000..U+001F: DEL, C1 (0x9b is a CSI) and U+202E pass through raw.
        # Outside strings the text holds only spaces and line breaks, so any other such character is
        # inside a string, where its \u escape stands for the same data.
        text = "".join(c if c.isprintable() or c in " \n" else json.dumps(c)[1:-1] for c in text)
    return text + "\n"


def print_json(data: object) -> None:
    """Data as indented JSON on stdout (`to_json`)."""
    sys.stdout.write(to_json(data))


def print_error(error: Exception | str) -> None:
    """`Error: message` on stderr: the one shape every user-facing failure takes (`Kesalahan:` in
    Indonesian)."""
    from sop_cli.cli.wording import describe
    from sop_cli.errors import DefinitionError, SopError
    from sop_cli.i18n import _

    if isinstance(error, DefinitionError):
        lines = [shown(error.message), *("  " + shown(p) for p in error.problems)]
        text = "\n".join(lines)
    elif isinstance(error, SopError):
        text = shown(describe(error), multiline=True)
    else:
        text = shown(error, multiline=True)
    text = _("Error: {message}").format(message=text)
    if hasattr(sys.stderr, "isatty") and sys.stderr.isatty():
        # on a terminal each line wraps at words (the terminal would cut them), continued indented;
        # a pipe or a log file keeps one line per line, for grep and editors (file:line:column)
        text = "\n".join(fit(line, _indent(line) + 2) for line in text.split("\n"))
    sys.stderr.write(text + "\n")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def print_internal_error(error: Exception) -> None:
    """A bug: say so in one line and how to get the details."""
    from sop_cli.i18n import _

    sys.stderr.write(
        _("Internal error: {kind}: {error}").format(kind=type(error).__name__, error=shown(error)) + "\n"
        + _("This is a bug in sop; run again with SOP_DEBUG=1 to see the traceback, and report it.") + "\n"
    )


STYLES = ("red", "green", "yellow", "bold", "dim")
"""The styles of the CLI's colour (rich style definitions): what `paint` and the bar use."""

BAR_DONE, BAR_TRACK = "green", "dim"
"""The progress bar's styles (from `STYLES`): the part done green, the rest of the track dim."""

_SGR = ("\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m")
"""The escape codes rich renders `STYLES` to, and its reset (tests/test_colour.py checks this list
against rich): the only codes the guard lets through."""


class _Guarded:
    """A text stream whose `write` passes text through `shown` (line breaks kept).

    The colour codes of `STYLES` are let through when colour is on; user text cannot make them do
    more than colour, and on a pipe or with NO_COLOR none pass.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._colour = color_enabled(stream)

    def write(self, text: str) -> int:
        if not text.isprintable():
            if self._colour and "\033" in text:
                import re

                parts = re.split("(" + "|".join(re.escape(code) for code in _SGR) + ")", text)
                text = "".join(p if p in _SGR else shown(p, multiline=True) for p in parts)
            else:
                text = shown(text, multiline=True)
        written: int = self._stream.write(text)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class guard:
    """Context manager: `sys.stdout` and `sys.stderr` guarded (see `_Guarded`) while it is open."""

    def __enter__(self) -> guard:
        self._saved = sys.stdout, sys.stderr
        if not isinstance(sys.stdout, _Guarded):
            sys.stdout = _Guarded(sys.stdout)
        if not isinstance(sys.stderr, _Guarded):
            sys.stderr = _Guarded(sys.stderr)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self._saved


def color_enabled(stream: Any = None) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


# Plain-text helpers for the run commands (rich only for colour: `sop status` and `sop advance` stay fast)

# The day and month names and the zone names are the calendar's (imported in the functions: the
# commands that print dates have loaded it already, the others need not).


def _moment(value: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value) if isinstance(value, str) else value


def tanggal(value: Any) -> str:
    """A moment in Indonesian words, in its own zone: "Kamis, 26 November 2026 14.30 WIB"."""
    if not value:
        return "-"
    from sop_cli.worktime import DAY_NAMES, MONTH_NAMES

    m = _moment(value)
    zone = _zone_name(m)
    return f"{DAY_NAMES[m.weekday()]}, {m.day} {MONTH_NAMES[m.month - 1]} {m.year} {m:%H.%M}{zone}"


def tanggal_pendek(value: Any, *, year: bool = False) -> str:
    """A moment, short: "Kam 26 Nov 14.30" (with the year when asked)."""
    if not value:
        return "-"
    from sop_cli.worktime import DAY_NAMES, MONTH_NAMES

    m = _moment(value)
    return f"{DAY_NAMES[m.weekday()][:3]} {m.day:>2} {MONTH_NAMES[m.month - 1][:3]}{f' {m.year}' if year else ''} {m:%H.%M}"


def _zone_name(moment: Any) -> str:
    """" WIB" for a moment in one of Indonesia's zones, else its offset (" UTC+5", " +0530")."""
    from sop_cli.worktime import zone_name

    offset = moment.utcoffset()
    if offset is None:
        return ""
    name = zone_name(offset)
    if name:
        return f" {name}"
    hours = offset.total_seconds() / 3600
    return f" UTC{hours:+g}" if hours == int(hours) else f" {moment:%z}"


def with_bar(text: str, done: int, total: int, width: int = 20, gap: str = "  ") -> str:
    """`text` after a progress bar of `width` cells drawn by rich (done of total), when colour is on.

    rich draws the track of the bar in colour only (without colour, only the done part, a line of
    no length to compare with), so plain output (a pipe, NO_COLOR) is the text alone: the count
    it carries says the same.
    """
    if not color_enabled():
        return text
    from rich.progress_bar import ProgressBar

    bar = ProgressBar(total=total or 1, completed=done if total else 1, width=width, style=BAR_TRACK,
                      complete_style=BAR_DONE, finished_style=BAR_DONE)
    return rendered(bar) + gap + text


def paint(text: str, style: str) -> str:
    """`text` in one of `STYLES` ("red", "green", "yellow", "bold", "dim"), rendered by rich, on a
    terminal without NO_COLOR; else as it is."""
    assert style in STYLES, style  # the guard lets through the codes of these only
    if not color_enabled():
        return text
    from rich.color import ColorSystem
    from rich.style import Style

    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)


_consoles: dict[bool, Console] = {}


def rendered(renderable: RenderableType) -> str:
    """The text of what rich draws, with colour (16 colours) on a terminal without NO_COLOR, else
    plain. One Console per process (per colour setting): markup, highlighting and emoji off, so
    user text is drawn as given; no width of its own (the callers decide the widths)."""
    colour = color_enabled()
    console = _consoles.get(colour)
    if console is None:
        import io

        from rich.console import Console

        console = _consoles[colour] = Console(
            file=io.StringIO(), width=10_000, force_terminal=colour, no_color=not colour,
            color_system="standard" if colour else None, highlight=False, emoji=False, markup=False,
            legacy_windows=False)
    with console.capture() as captured:
        console.print(renderable, end="")
    return captured.get()


def plain_table(headers: list[str], rows: list[list[str]], right: frozenset[int] = frozenset(), *,
                keep: frozenset[int] = frozenset(), last: frozenset[int] = frozenset(),
                width: int | None = None) -> str:
    """A table as text, drawn by rich: columns in `right` right-aligned, a rule under the header.

    The one table of the run screens (`sop runs`, `sop log`, the forecast of `sop start`, ...):
    rows of cells in, text out, so any path that prints the same data prints the same bytes. The
    table fits `width` (default: the terminal's, `COLUMNS`, else 80): cells wrap at spaces, never
    inside a word, and nothing is cut. Columns in `keep` never wrap (numbers, states); columns in
    `last` give up their room last (dates). A table that cannot fit even with every cell wrapped
    becomes one labelled block per row. On a terminal the rule is a line and `paint`'s colours
    stay; elsewhere plain hyphens and no colour.
    """
    table = [[_cell(cell) for cell in row] for row in (headers, *rows)]
    count = len(headers)
    width = width or terminal_width()
    available = width - 2 * (count - 1)
    natural = [max(len(_visible(r[i])) for r in table) for i in range(count)]
    # each column's narrowest: its longest word, an id's pieces after each `/` (never inside a word)
    least = [natural[i] if i in keep or any("\033" in r[i] for r in table)
             else max(max((len(w) for w in _pieces(_visible(r[i]))), default=1) for r in table) for i in range(count)]
    if sum(least) > available:
        return _records(table, width)
    widths = list(natural)
    for phase in ([i for i in range(count) if i not in last], sorted(last)):
        while sum(widths) > available:
            shrinkable = [i for i in phase if widths[i] > least[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: (widths[i], -i))
            widths[widest] -= 1
    return draw_table(table[0], table[1:], widths, right=right)


def draw_table(headers: list[str], rows: list[list[str]], widths: list[int], *, right: frozenset[int] = frozenset(),
               centre: frozenset[int] = frozenset(), boxed: bool = False, bold_column: int | None = None,
               bold_first_row: bool = False) -> str:
    """The text of a table drawn by rich with the given column widths (cells wrap at spaces inside
    them). Without `boxed`, a rule under the header (a line on a terminal, hyphens elsewhere) and
    two spaces between columns; `boxed` draws every cell's box (a terminal only). No header line
    when every header is empty. Colour (`paint`'s, bold) only on a terminal without NO_COLOR."""
    from rich import box as boxes
    from rich.box import Box
    from rich.table import Table
    from rich.text import Text

    terminal = _is_terminal()
    rule = "─" if terminal else "-"
    lines = boxes.SQUARE if boxed else Box(f"    \n    \n {rule}{rule} \n    \n    \n    \n    \n    \n", ascii=not terminal)
    grid = Table(box=lines, show_edge=boxed, pad_edge=boxed, padding=(0, 1) if boxed else (0, 1, 0, 0),
                 show_lines=boxed, header_style="", show_header=any(h.strip() for h in headers))
    # rich breaks lines at spaces only: an id longer than its column is broken after its `/`s here
    headers = [_id_lines(header, widths[i]) for i, header in enumerate(headers)]
    rows = [[cell if "\033" in cell else _id_lines(cell, widths[i]) for i, cell in enumerate(row)] for row in rows]
    for i, header in enumerate(headers):
        grid.add_column(Text.from_ansi(header), overflow="fold", width=widths[i],
                        justify="right" if i in right else "center" if i in centre else "left",
                        style="bold" if i == bold_column else "")
    for n, row in enumerate(rows):
        grid.add_row(*(Text.from_ansi(cell) for cell in row), style="bold" if bold_first_row and n == 0 else "")
    return "\n".join(line.rstrip() for line in rendered(grid).rstrip("\n").split("\n"))


def _id_lines(cell: str, width: int) -> str:
    """`cell` with each word longer than `width` broken into lines after its `/`s."""
    return "\n".join(" ".join("\n".join(wrap_words(word, width)) if len(word) > width else word
                               for word in line.split(" ")) for line in cell.split("\n"))


def _records(table: list[list[str]], width: int) -> str:
    """A table too wide for `width` even with every cell wrapped: one block per row, each cell on
    its own lines after its header (`Header  value`), the first cell as the block's title."""
    headers, rows = table[0], table[1:]
    label = max(len(_visible(h)) for h in headers[1:]) + 2
    out: list[str] = []
    for row in rows:
        out.append(f"{headers[0]} {row[0]}".strip())
        for header, cell in zip(headers[1:], row[1:]):
            if not _visible(cell).strip():
                continue
            room = max(width - label - 2, 20)
            lines = [cell] if "\033" in cell else wrap_words(cell, room)
            out.append(f"  {header:<{label}}{lines[0]}".rstrip())
            out.extend(f"  {'':<{label}}{line}" for line in lines[1:])
        out.append("")
    return "\n".join(out).rstrip("\n")


def terminal_width() -> int:
    """`COLUMNS`, else the terminal's width, else 80 (as `shutil.get_terminal_size`, whose module
    costs `sop status` more to import than the rest of this one)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _is_terminal() -> bool:
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def _pieces(text: str) -> list[str]:
    """The unbreakable pieces of `text`: its words, an id split after each `/`."""
    return [piece for word in text.split() for piece in re.findall(r"[^/]+/?|/", word)]


def fit(text: str, hang: int | None = None) -> str:
    """A printed line wrapped at words to the terminal's width, continuation lines indented by
    `hang` (default: under the text after a `Label     ` of ten characters, else two spaces)."""
    width = terminal_width()
    if len(_visible(text)) <= width:
        return text
    if hang is None:
        hang = 10 if re.match(r"[A-Za-z]{0,9} +\S", text[:11]) and text[9:10] == " " else 2
    lines = wrap_words(text, width - hang)
    return "\n".join([lines[0], *(" " * hang + line for line in lines[1:])])


def wrap_words(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken at spaces or after a `/`, never inside
    a word (a word longer than `width` gets a line of its own). Colour codes take no room; the
    spaces between words on one line are kept as written (aligned labels stay aligned)."""
    lines: list[str] = []
    line = ""
    for gap, word in re.findall(r"( *)(\S+)", text.strip("\n")):
        pieces = re.findall(r"[^/]+/?|/", word) if len(_visible(word)) > width else [word]
        for n, piece in enumerate(pieces):
            joiner = "" if n else (gap or " ")
            if not line:
                line = (gap if not lines else "") + piece
            elif len(_visible(line)) + len(joiner) + len(_visible(piece)) <= width:
                line += joiner + piece
            else:
                lines.append(line)
                line = piece
    return [*lines, line] if line else lines or [""]


def _cell(text: str) -> str:
    """One table cell on one line, made safe; `paint`'s colour codes kept when colour is on."""
    if "\033" in text and color_enabled():
        import re

        parts = re.split("(" + "|".join(re.escape(code) for code in _SGR) + ")", text)
        return "".join(p if p in _SGR else shown(p) for p in parts)
    return shown(text)


def _visible(text: str) -> str:
    return re.sub(r"\033\[[0-9;]*m", "", text) if "\033" in text else text


# Documents and reports: the format asked for, and where the result goes ---------------------------


def choose_format(fmt: str | None, out: Path | None, allowed: tuple[str, ...] = ("html", "md"), default: str = "html") -> str:
    """The format: --format if given, else the suffix of --out (an unknown suffix is refused, before
    anything is written), else `default`. Binary formats need --out."""
    from sop_cli.errors import UsageError
    from sop_cli.i18n import _
    from sop_cli.render.documents import format_from_suffix

    if fmt is None and out is not None:
        fmt = format_from_suffix(out, allowed)
    fmt = (fmt or default).lower()
    if fmt not in allowed:
        raise UsageError(_("--format {fmt}: use one of {formats}.").format(fmt=fmt, formats=", ".join(allowed)))
    if fmt in BINARY and out is None:
        raise UsageError(_("--format {fmt} writes a file: give --out FILE.{fmt}.").format(fmt=fmt))
    return fmt


BINARY = ("docx", "pdf", "xlsx")


def emit(text: str | bytes, out: Path | None) -> None:
    """Print `text`, or write it (text or bytes) to `out` and say so."""
    if out is None:
        assert isinstance(text, str)  # choose_format asks binary formats for --out
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from sop_cli.fs import write_file
    from sop_cli.i18n import _

    write_file(out, text)
    print(_("Wrote {path}").format(path=out))
