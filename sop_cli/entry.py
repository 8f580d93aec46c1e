"""The first module of the `sop` program: Ctrl-C is handled before anything heavy is imported.

The `sop` script and `python -m sop_cli` start here. Importing Typer, the store or the engine
takes a while, and a Ctrl-C during those imports used to print a traceback. The handler is
installed first, with only the C `_signal` module, and ends the process on the first press with
one line on stderr and exit code 130, whatever was running.

The handler does not raise: an exception raised from a signal handler can land inside an import
lock's callback or a destructor, where Python prints "Exception ignored" with a traceback and
carries on. Ending the process at once is safe because nothing `sop` writes can be left half
done by it: a store write is one SQLite transaction (uncommitted, it is not in the store), and
files are written to a temporary name and renamed (a killed `sop` leaves at most a temporary,
swept by the next one) - the same guarantees that hold when the process is killed.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # the C module: `signal` would import enum first
import os
import sys
import time
from typing import TYPE_CHECKING

_IMPORTED = time.time()  # the process's first moment that Python code sees: before Typer, the store, the engine

if TYPE_CHECKING:
    from types import FrameType

INTERRUPTED = "Interrupted: nothing half-done was recorded (`sop log` shows what was)."
"""The one line a Ctrl-C prints (English)."""

DIHENTIKAN = "Dihentikan pengguna: tidak ada yang tercatat setengah jalan (`sop log` menampilkan yang tercatat)."
"""The same line in Indonesian, the default interface language.

The two are kept here, not in the catalog: a Ctrl-C may come before `sop_cli.i18n` (gettext, the
catalog) is imported, and the handler must not import anything. `interrupted` reads `SOP_LANG` as
`sop_cli.i18n.language` does (its first two letters, `en` for English, anything else Indonesian).
"""

EXIT_INTERRUPTED = 130

STARTED: float | None = None
"""When the person pressed Enter (seconds since the epoch): this module's first moment, set when it
runs as the `sop` program (`main`), None when a test or a library imports it. `sop advance` without
--step acts only on what the person could have seen then: it refuses if the run moved since (the
imports before the store is read can take a second on a busy machine)."""


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    leave_interrupted()


def interrupted() -> str:
    """The Ctrl-C line in the interface language (see `DIHENTIKAN`)."""
    return INTERRUPTED if os.environ.get("SOP_LANG", "").strip().lower()[:2] == "en" else DIHENTIKAN


def leave_interrupted() -> None:
    """Print the one line and end the process with exit code 130."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # a second press changes nothing
    try:
        sys.stdout.flush()
    except Exception:
        pass
    try:
        os.write(2, (interrupted() + "\n").encode())
    finally:
        os._exit(EXIT_INTERRUPTED)  # no interpreter shutdown: nothing left to run or print


def main() -> None:
    """Entry point of the `sop` script and `python -m sop_cli`."""
    global STARTED
    STARTED = _IMPORTED
    _signal.signal(_signal.SIGINT, _on_sigint)
    try:
        from sop_cli.cli.quick import main as quick

        code = quick()  # `sop status`, `sop runs`: answered without building the Typer app
        if code is not None:
            sys.exit(code)
        from sop_cli.cli import main as run

        run()
    except KeyboardInterrupt:  # a handler replaced by a library: still one line and 130
        leave_interrupted()


# pip's `sop` script imports this module, then runs more of its own code before calling main():
# when this process is that script, the handler is installed at import, closing that gap. Any
# other importer (a test, a library user) keeps its own Ctrl-C.
if os.path.basename(sys.argv[0]) in ("sop", "sop.exe", "sop-script.py"):
    _signal.signal(_signal.SIGINT, _on_sigint)
