"""The error boundary of a command: the one place a `SopError` becomes its message and exit code,
and anything else an internal error (exit 70). The Typer app (`cli/root.py`) and the quick path
(`cli/quick.py`) both end here, so a failure reads the same whichever path answered."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from sop_cli.errors import SopError

INTERNAL_ERROR = 70


def flush_notices() -> None:
    """What the core asked to tell the user on the side (e.g. a template override), on stderr."""
    env = sys.modules.get("sop_cli.render.env")  # never imported just to ask
    if env is not None:
        for line in env.take_notices():
            sys.stderr.write(line + "\n")


def failed(error: SopError) -> int:
    """Print an expected failure as `Error: ...`; its exit code."""
    from sop_cli.cli.output import print_error

    flush_notices()  # "using ./templates/x" belongs before the error it may explain
    print_error(error)
    return error.exit_code


def crashed(error: Exception) -> int:
    """A bug: one line and exit 70 (the traceback only with SOP_DEBUG=1: the caller re-raises)."""
    from sop_cli.cli.output import print_internal_error

    print_internal_error(error)
    return INTERNAL_ERROR


def run_guarded(command: Callable[[], None]) -> int:
    """Run `command` as the Typer app runs a command: output guarded, errors worded; the exit code."""
    from sop_cli.cli.output import guard

    with guard():
        try:
            command()
            return 0
        except SopError as error:
            return failed(error)
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as error:
            if os.environ.get("SOP_DEBUG") == "1":
                raise
            return crashed(error)
        finally:
            flush_notices()
