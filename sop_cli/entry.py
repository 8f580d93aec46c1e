"""The first module of the `sop` program: Ctrl-C is handled before anything heavy is imported.

The `sop` script and `python -m sop_cli` start here. Importing Typer, the store or the engine
takes a while, and a Ctrl-C during those imports used to print a traceback. The handler is
installed first, with only modules Python has already loaded, and turns the first press into one
line on stderr and exit code 130, whatever was running. Later presses are ignored, so the line
is printed once and a write being rolled back is not interrupted again.

A store write is one transaction: interrupted, it is rolled back whole (the store's `write()`
rolls back on any exception), so the line can say that nothing half-done was kept.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # the C module: `signal` would import enum first, widening the unguarded window
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

INTERRUPTED = "Interrupted: nothing half-done was recorded (`sop log` shows what was)."
"""The one line a Ctrl-C prints."""

EXIT_INTERRUPTED = 130


class Interrupted(BaseException):
    """Ctrl-C. Not a `KeyboardInterrupt`, so click does not turn it into "Aborted!" and exit 1,
    and not an `Exception`, so no error boundary mistakes it for a bug."""


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    raise Interrupted


def leave_interrupted() -> None:
    """Print the one line and end the process with exit code 130."""
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed pipe must not hide the line below
        pass
    try:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_INTERRUPTED)  # no interpreter shutdown: nothing left to run, nothing to print


def main() -> None:
    """Entry point of the `sop` script and `python -m sop_cli`."""
    _signal.signal(_signal.SIGINT, _on_sigint)
    try:
        from sop_cli.cli import main as run

        run()
    except (Interrupted, KeyboardInterrupt):
        leave_interrupted()
    finally:
        # Past this point the command is over: a press during shutdown changes nothing.
        _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
