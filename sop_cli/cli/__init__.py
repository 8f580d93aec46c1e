"""The `sop` command line: the root app, global options and the error boundary.

Command modules (`defs`, `runs`, `docs`) only parse arguments, call one core function and print.
Expected failures are `SopError`s and become one message plus an exit code here; anything else is
a bug, shown as a one-line internal error unless `SOP_DEBUG=1` asks for the traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from sop_cli import __version__
from sop_cli.errors import SopError


class _Group(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        from sop_cli.cli.output import guard

        with guard():
            try:
                return self._invoke(ctx)
            finally:
                _flush_notices()

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SopError as error:
            from sop_cli.cli.output import print_error

            _flush_notices()  # "using ./templates/x" belongs before the error it may explain
            print_error(error)
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
            raise  # click ends a closed pipe (`sop log | head`) quietly with exit code 1
        except Exception as error:
            if os.environ.get("SOP_DEBUG") == "1" or _is_click_exception(error):
                raise
            from sop_cli.cli.output import print_internal_error

            print_internal_error(error)
            raise typer.Exit(70) from None


def _flush_notices() -> None:
    """What the core asked to tell the user on the side (e.g. a template override), on stderr."""
    env = sys.modules.get("sop_cli.render.env")  # never imported just to ask
    if env is not None:
        for line in env.take_notices():
            sys.stderr.write(line + "\n")


def _is_click_exception(error: Exception) -> bool:
    # Usage errors belong to click (exit 2). Its ClickException is reached through typer's public
    # BadParameter, because click's home moved (vendored as the private typer._click from 0.26).
    base = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")
    return isinstance(error, base)


app = typer.Typer(
    cls=_Group,
    name="sop",
    help="Run the Standard Operating Procedures (SOP) of Indonesian regional government offices.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"sop {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Run the Standard Operating Procedures (SOP) of Indonesian regional government offices.

    Set-up: `sop org use ngronggot` once, then `sop start renja`, `sop advance`, `sop status`.
    """


from sop_cli.cli import attachments, authoring, defs, docs, runs, store  # noqa: E402  (modules register their commands on `app`)

_ = (attachments, authoring, defs, docs, runs, store)


def main() -> None:
    """Entry point of the `sop` script and `python -m sop_cli`."""
    _build_only(sys.argv[1:2])
    try:
        app()
    except KeyboardInterrupt:
        print("Interrupted; nothing half-written was kept.", file=sys.stderr)
        sys.exit(130)


def _build_only(first: list[str]) -> None:
    """Keep only the command (or group) named on the command line, when it names exactly one.

    Typer builds the parameters of every registered command before dispatching, about 0.5 ms
    each; `sop status` needs one. Anything else (options, `--help`, a typo that deserves the
    "did you mean" list) keeps them all. Tests invoke `app` directly, so they see every command.
    """
    if not first or first[0].startswith("-"):
        return
    from typer.main import get_command_name

    name = first[0]
    commands = [c for c in app.registered_commands
                if (c.name or (c.callback and get_command_name(c.callback.__name__))) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) == 1:
        app.registered_commands[:] = commands
        app.registered_groups[:] = groups
