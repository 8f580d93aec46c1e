"""Printing for the CLI. Plain text and JSON need no imports; rich is loaded only for tables."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def print_json(data: Any) -> None:
    """Data as indented JSON on stdout (dates and paths as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_error(error: Exception) -> None:
    """`Error: message` on stderr: the one shape every user-facing failure takes."""
    sys.stderr.write(f"Error: {error}\n")


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


def console() -> Any:
    """A rich Console for stdout (imported here, on first use only)."""
    from rich.console import Console

    return Console(highlight=False, no_color="NO_COLOR" in os.environ, soft_wrap=False)
