"""The root of the `sop` command line: the Typer app, global options and the error boundary.

Command modules (`defs`, `runs`, `docs`) only parse arguments, call one core function and print.
Expected failures are `SopError`s and become one message plus an exit code here; anything else is
a bug, shown as a one-line internal error unless `SOP_DEBUG=1` asks for the traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import typer

from sop_cli import __version__
from sop_cli.cli.boundary import crashed, failed, flush_notices
from sop_cli.cli.helptext import App, Group, usage_message
from sop_cli.errors import SopError
from sop_cli.i18n import N_, _


class _Group(Group):
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except Exception as error:  # `sop --bogus`: the root's own options
            if not _is_click_exception(error):
                raise
            _usage_failure(error)

    def invoke(self, ctx: Any) -> Any:
        try:  # each command's output passes the terminal guard (helptext.Command.invoke)
            return self._invoke(ctx)
        finally:
            flush_notices()

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SopError as error:
            raise typer.Exit(failed(error)) from None
        except typer.Abort:  # a prompt ended by Ctrl-D
            sys.stderr.write(_("Aborted.") + "\n")
            raise typer.Exit(1) from None
        except (typer.Exit, KeyboardInterrupt, BrokenPipeError):
            raise  # click ends a closed pipe (`sop log | head`) quietly with exit code 1
        except Exception as error:
            if _is_click_exception(error):
                _usage_failure(error)
            if os.environ.get("SOP_DEBUG") == "1" or _is_click_exception(error):
                raise
            raise typer.Exit(crashed(error)) from None


def _usage_failure(error: Exception) -> NoReturn:
    """A usage error of click or Typer, worded in the interface language; click's exit code (2)."""
    from sop_cli.cli.output import print_error

    if type(error).__name__ in ("UsageError", "BadParameter", "MissingParameter", "NoSuchOption",
                                "BadOptionUsage", "BadArgumentUsage") or hasattr(error, "ctx"):
        print_error(usage_message(error))
    else:
        print_error(getattr(error, "format_message", lambda: str(error))())
    raise typer.Exit(getattr(error, "exit_code", 1)) from None


def _is_click_exception(error: Exception) -> bool:
    # Usage errors belong to click (exit 2). Its ClickException is reached through typer's public
    # BadParameter, because click's home moved (vendored as the private typer._click from 0.26).
    base = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")
    return isinstance(error, base)


app = App(
    cls=_Group,
    name="sop",
    help=N_("Run the Standard Operating Procedures (SOP) of Indonesian regional government offices."),
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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=N_("Print the version.")),
) -> None:
    # The root's help is the app's `help` (Typer prefers the callback's docstring, so it has none).
    pass


@app.command("completion", help=N_(
    "Print the shell completion script: e.g. `eval \"$(sop completion bash)\"` in ~/.bashrc.\n\n"
    "Tab then completes commands, options, SOP ids, run ids, step numbers, organisations and document types."))
def completion_command(
    shell: str = typer.Argument(..., metavar=N_("SHELL"), help=N_("bash, zsh or fish.")),
) -> None:
    from sop_cli.cli.complete import SHELLS, script
    from sop_cli.errors import UsageError

    if shell not in SHELLS:
        raise UsageError(_("{shell!r} is not a shell sop completes; give one of {shells}.").format(
            shell=shell, shells=", ".join(SHELLS)))
    print(script(shell))


from sop_cli.cli import attachments, authoring, cases, defs, docs, importing, org, runs, store  # noqa: E402  (modules register their commands on `app`)

_modules = (attachments, authoring, cases, defs, docs, importing, org, runs, store)


def main() -> None:
    """Run the command line (the `sop` script starts in `sop_cli.entry`, which calls this)."""
    if "_SOP_COMPLETE" in os.environ:  # the shell asks what Tab offers (see sop_cli.cli.complete)
        from sop_cli.cli.complete import init, remember

        init()
        try:
            app()
        finally:
            remember()  # the quick path answers the next Tabs from it (cli/quick.py)
        return
    else:
        _build_only(sys.argv[1:2])
    app()  # a Ctrl-C that reaches here as KeyboardInterrupt is sop_cli.entry's to word


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
