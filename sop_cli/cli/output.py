"""Printing for the CLI: plain text, the one JSON serialiser, error messages; standard library
only (tables are drawn in `tables`).

Text that reaches a terminal is data, never commands to the terminal: `shown` makes control
characters visible (`\x1b`, `\n` in a one-line field, `⟨U+202E⟩` for bidi and other format
characters). The tables, the error messages and JSON apply it to each value, and `guard` wraps
stdout and stderr for the run of a command so that a line printed by any other path gets the same
treatment (keeping its line breaks). What is stored stays exactly as given.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


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
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in "\n\t" and multiline:
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


def print_error(error: Exception) -> None:
    """`Error: message` on stderr: the one shape every user-facing failure takes."""
    from sop_cli.cli.wording import describe
    from sop_cli.errors import DefinitionError, SopError

    if isinstance(error, DefinitionError):
        lines = [shown(error.message), *("  " + shown(p) for p in error.problems)]
        text = "\n".join(lines)
    elif isinstance(error, SopError):
        text = shown(describe(error), multiline=True)
    else:
        text = shown(error, multiline=True)
    sys.stderr.write(f"Error: {text}\n")


def print_internal_error(error: Exception) -> None:
    """A bug: say so in one line and how to get the details."""
    sys.stderr.write(
        f"Internal error: {type(error).__name__}: {shown(error)}\n"
        "This is a bug in sop; run again with SOP_DEBUG=1 to see the traceback, and report it.\n"
    )


_SGR = ("\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m")


class _Guarded:
    """A text stream whose `write` passes text through `shown` (line breaks kept).

    The colour codes `paint` writes are let through when colour is on; user text cannot make them
    do more than colour, and on a pipe or with NO_COLOR none pass.
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
        return self._stream.write(text)

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


# Plain-text helpers for the run commands (no rich: `sop status` and `sop advance` stay fast) ---

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")


def _moment(value: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value) if isinstance(value, str) else value


def tanggal(value: Any) -> str:
    """A moment in Indonesian words, in its own zone: "Kamis, 26 November 2026 14.30 WIB"."""
    if not value:
        return "-"
    m = _moment(value)
    zone = _zone_name(m)
    return f"{HARI[m.weekday()]}, {m.day} {BULAN[m.month - 1]} {m.year} {m:%H.%M}{zone}"


def tanggal_pendek(value: Any, *, year: bool = False) -> str:
    """A moment, short: "Kam 26 Nov 14.30" (with the year when asked)."""
    if not value:
        return "-"
    m = _moment(value)
    return f"{HARI[m.weekday()][:3]} {m.day:>2} {BULAN[m.month - 1][:3]}{f' {m.year}' if year else ''} {m:%H.%M}"


def _zone_name(moment: Any) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    hours = offset.total_seconds() / 3600
    return {7: " WIB", 8: " WITA", 9: " WIT"}.get(int(hours), f" UTC{hours:+g}") if hours == int(hours) else f" {moment:%z}"


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """A unicode bar: "██████░░░░░░" (`width` cells)."""
    filled = round(width * done / total) if total else width
    return "█" * filled + "░" * (width - filled)


def paint(text: str, style: str, stream: Any = None) -> str:
    """`text` in colour ("red", "green", "yellow", "bold", "dim") on a terminal without NO_COLOR."""
    if not color_enabled(stream):
        return text
    codes = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}
    return f"\033[{codes[style]}m{text}\033[0m"


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis."""
    text = " ".join(shown(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def plain_table(headers: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> str:
    """Columns padded to their widest cell (columns in `right` right-aligned); header underlined."""
    table = [[_cell(cell) for cell in row] for row in (headers, *rows)]
    headers, rows = table[0], table[1:]
    widths = [max(len(_visible(r[i])) for r in table) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - len(_visible(cell)))
            out.append(pad + cell if i in right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _cell(text: str) -> str:
    """One table cell on one line, made safe; `paint`'s colour codes kept when colour is on."""
    if "\033" in text and color_enabled():
        import re

        parts = re.split("(" + "|".join(re.escape(code) for code in _SGR) + ")", text)
        return "".join(p if p in _SGR else shown(p) for p in parts)
    return shown(text)


def _visible(text: str) -> str:
    import re

    return re.sub(r"\033\[[0-9;]*m", "", text) if "\033" in text else text

