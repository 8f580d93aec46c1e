"""Printing for the CLI: plain text, the one JSON serialiser, error messages; standard library
only (tables are drawn in `tables`)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _plain(value: object) -> object:
    """A value JSON has no type for: datetimes, dates and times as ISO 8601, anything else as text."""
    from datetime import date, time

    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def to_json(data: object) -> str:
    """The one serialiser of the `--json` boundary: typed views (with real datetimes, ISO 8601
    in their own zone, e.g. `2026-11-26T09:00:00+07:00`) as indented JSON text."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_plain) + "\n"


def print_json(data: object) -> None:
    """Data as indented JSON on stdout (`to_json`)."""
    sys.stdout.write(to_json(data))


def print_error(error: Exception) -> None:
    """`Error: message` on stderr: the one shape every user-facing failure takes."""
    from sop_cli.cli.wording import describe
    from sop_cli.errors import SopError

    text = describe(error) if isinstance(error, SopError) else str(error)
    sys.stderr.write(f"Error: {text}\n")


def print_internal_error(error: Exception) -> None:
    """A bug: say so in one line and how to get the details."""
    sys.stderr.write(
        f"Internal error: {type(error).__name__}: {error}\n"
        "This is a bug in sop; run again with SOP_DEBUG=1 to see the traceback, and report it.\n"
    )


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
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def plain_table(headers: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> str:
    """Columns padded to their widest cell (columns in `right` right-aligned); header underlined."""
    table = [headers, *rows]
    widths = [max(len(_visible(r[i])) for r in table) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - len(_visible(cell)))
            out.append(pad + cell if i in right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _visible(text: str) -> str:
    import re

    return re.sub(r"\033\[[0-9;]*m", "", text) if "\033" in text else text

