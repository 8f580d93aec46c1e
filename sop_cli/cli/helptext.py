"""Typer's and click's own words in the interface language: help screens and usage errors.

Help texts, command descriptions and metavars are written in English in the code, marked with
`N_()`; `localise` sets each command's and parameter's text (their public `help`, `short_help`,
`metavar`, `options_metavar` and `subcommand_metavar` attributes) from its English original through
`_()` before the command line is parsed, so one built click command serves every language (the
tests build it once and switch `SOP_LANG` between invocations).

The help screen is ours (`helpscreen`, drawn by rich through click's public `format_help`): Typer's
own screen shows programmer's types (`<bool>`, `<str>`, `[x>=0]`) and has no public way to word
its titles.

Every command is a `Command` and every group a `Group` (`App` passes them as Typer's public `cls`):
Typer's own classes with the usage line's prefix and the help option's text in our words, through click's
public methods (`format_usage`, `get_help_option`). A command's callback runs inside the output
`guard` (`Command.invoke`), so that its output is made safe for the terminal, while the help screen
(rich's own colours, printed while the command line is parsed) is not touched.

Usage errors (an unknown option, a missing argument, `--step tiga`) are click's and Typer's
exceptions with English f-string messages; `usage_message` words them again from their fields:
one paragraph naming the option and what was expected. The root group prints it as every other
error (`Error: ...`) with click's exit code 2.

Only `--help` imports rich; everything here is otherwise cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from sop_cli.i18n import N_, _

_ENGLISH = "_sop_english"
"""The attribute keeping a click object's English texts (translated from on every call)."""

NUMBERS: dict[str, str] = {
    "step": N_("the step must be a number"),
    "parent_step": N_("the parent's step must be a number"),
    "year": N_("the year must be a number, e.g. 2026"),
    "limit": N_("the limit must be a number (0: all)"),
    "event": N_("the event must be a number, as `sop log` shows it"),
}
"""What an integer option holds, by parameter name, for "--step: the step must be a number"."""

_CLICK_WORDS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))
"""Typer's usage-line words, translated by `localise` (marked here for the catalog)."""


class _Worded:
    """What a `sop` command and group say in our words (click's public methods)."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        localise(self)  # its help and metavars in the interface language, before parsing can word an error
        return super().make_context(info_name, args, parent, **extra)  # type: ignore[misc]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            rest: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
            return rest
        except Exception as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # `sop`, `sop org`: the help, exit 2
                typer.echo(ctx.get_help(), color=ctx.color)
                raise typer.Exit(2) from None
            # a usage error raised without a context (click's parser) gets the command's, for its message
            if hasattr(error, "ctx") and error.ctx is None:
                error.ctx = ctx
            raise

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`[OPTIONS] SOP [FILE]...`: an argument by its metavar, in brackets when optional."""
        pieces = [self.options_metavar] if self.options_metavar else []  # type: ignore[attr-defined]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
        if getattr(self, "subcommand_metavar", None):
            pieces.append(self.subcommand_metavar)  # type: ignore[attr-defined]
        return pieces

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from sop_cli.cli.helpscreen import help_screen
        from sop_cli.cli.output import color_enabled, terminal_width

        for sub in getattr(self, "commands", {}).values():
            localise(sub)  # the subcommands it lists, worded only when listed
        formatter.write(help_screen(self, ctx, terminal_width(), color_enabled()))


class Command(_Worded, TyperCommand):
    """A `sop` command (e.g. `sop start`): its callback's output goes through the terminal guard."""

    def invoke(self, ctx: Any) -> Any:
        from sop_cli.cli.output import guard

        with guard():
            return super().invoke(ctx)


class Group(_Worded, TyperGroup):
    """A `sop` command group (the root, `sop org`, `sop store`)."""


class App(typer.Typer):
    """A Typer app whose groups are `Group`s and whose commands are `Command`s by default (Typer's
    public `cls` arguments), so every command of `sop` gets our words and the terminal guard."""

    def __init__(self, *, cls: Any = None, **kwargs: Any) -> None:
        super().__init__(cls=cls or Group, **kwargs)

    def command(self, name: str | None = None, *, cls: Any = None,
                **kwargs: Any) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or Command, **kwargs)


def _text(thing: Any, attribute: str) -> None:
    """Set `thing.attribute` to the interface-language text of its English original."""
    originals = thing.__dict__.setdefault(_ENGLISH, {})
    if attribute not in originals:
        originals[attribute] = getattr(thing, attribute, None)
    english = originals[attribute]
    setattr(thing, attribute, _(english) if english else english)


def localise(command: Any) -> None:
    """Word `command` and its parameters in the interface language (not its subcommands: each is
    worded when click makes its context, or when a help screen lists it, so a command does not pay
    for the words of the whole tree)."""
    for attribute in ("help", "short_help", "options_metavar", "subcommand_metavar"):
        if hasattr(command, attribute):
            _text(command, attribute)
    for param in command.params:
        _text(param, "help")
        _text(param, "metavar")


# Usage errors ------------------------------------------------------------------------------------


def _kinds(error: Exception) -> set[str]:
    """The class names of `error` and its bases (click lives inside Typer; its classes are named)."""
    return {cls.__name__ for cls in type(error).__mro__}


def _flag(param: Any) -> str:
    """How the command line spells `param`: its long option, else its metavar."""
    opts: list[str] = list(getattr(param, "opts", []) or [])
    if isinstance(param, TyperArgument):
        return str(param.metavar or (param.name or "").upper())
    longs = [o for o in opts if o.startswith("--")]
    return str((longs or opts or [param.name or "?"])[0])


def _or(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{first} or {last}").format(first=", ".join(items[:-1]), last=items[-1])


def usage_message(error: Exception) -> str:
    """A click/Typer usage error as one paragraph in the interface language."""
    kinds = _kinds(error)
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "sop"
    see = _("See `{command} --help`.").format(command=command)
    message = str(getattr(error, "message", "") or "")
    if "NoSuchOption" in kinds:
        text = _("No such option {option} for `{command}`.").format(option=error.option_name, command=command)  # type: ignore[attr-defined]
        possible = sorted(getattr(error, "possibilities", None) or [])
        if possible:
            return text + " " + _("Did you mean {options}?").format(options=_or(possible))
        return f"{text} {see}"
    if "BadOptionUsage" in kinds:
        option = error.option_name  # type: ignore[attr-defined]
        if "does not take a value" in message:
            return _("{option} takes no value. {see}").format(option=option, see=see)
        return _("{option} needs a value. {see}").format(option=option, see=see)
    if "MissingParameter" in kinds:
        param = getattr(error, "param", None)
        if param is None:
            return _("Something is missing. {see}").format(see=see)
        what = _flag(param)
        help_text = (param.help or "").strip()
        if isinstance(param, TyperArgument):
            if help_text:
                return _("Missing argument {name}: {help} {see}").format(name=what, help=help_text, see=see)
            return _("Missing argument {name}. {see}").format(name=what, see=see)
        return _("Missing option {option}. {see}").format(option=what, see=see)
    if "BadParameter" in kinds:
        return _bad_value(error, see)
    if message.startswith("No such command"):
        return _no_such_command(message, ctx, command)
    extra = re.match(r"Got unexpected extra argument\(s\) \((.*)\)$", message, re.DOTALL)
    if extra:
        return _("`{command}` takes no more arguments; it got: {args}. {see}").format(
            command=command, args=extra.group(1), see=see)
    return f"{message} {see}" if message else see


def _bad_value(error: Any, see: str) -> str:
    param = getattr(error, "param", None)
    if param is None:
        return _("Invalid value: {message} {see}").format(message=error.message, see=see)
    flag = _flag(param)
    whole, low, high = _whole_number(param)
    if whole:
        text = str(error.message)
        # "'x' is not a valid int" / "Input should be a valid integer" is a word where a number
        # belongs; anything else ("-3 is not in the range x>=0") is a number out of bounds
        out_of_range = "valid" not in text
        if out_of_range and (low is not None or high is not None):
            if high is None:
                return _("{flag}: the value must be {low} or more.").format(flag=flag, low=low)
            if low is None:
                return _("{flag}: the value must be {high} or less.").format(flag=flag, high=high)
            return _("{flag}: the value must be from {low} to {high}.").format(flag=flag, low=low, high=high)
        reason = NUMBERS.get(param.name or "")
        if reason:
            return _("{flag}: {reason}.").format(flag=flag, reason=_(reason))
        return _("{flag}: the value must be a whole number.").format(flag=flag)
    return _("{flag}: invalid value ({message}). {see}").format(flag=flag, message=error.message, see=see)


def _whole_number(param: Any) -> tuple[bool, Any, Any]:
    """Whether `param` takes a whole number, and its bounds. Typer 0.29 describes the type with a
    `type_descriptor`; earlier releases with click's INT or IntRange ("int", "int range"; "integer" in click itself)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        info = getattr(descriptor, "parameter_info", None)
        return getattr(descriptor, "annotation", None) is int, getattr(info, "min", None), getattr(info, "max", None)
    kind = getattr(param, "type", None)
    if getattr(kind, "name", "") in ("int", "integer", "int range", "integer range"):
        return True, getattr(kind, "min", None), getattr(kind, "max", None)
    return False, None, None


def _no_such_command(message: str, ctx: Any, command: str) -> str:
    found = re.match(r"No such command (['\"])(.*?)\1\.", message, re.DOTALL)
    typo = found.group(2) if found else ""
    text = _("No such command {name!r}.").format(name=typo)
    from difflib import get_close_matches  # only a mistyped command needs it

    names = list(getattr(getattr(ctx, "command", None), "commands", {}) or {})
    matches = get_close_matches(typo, names)
    if matches:
        return text + " " + _("Did you mean {commands}?").format(commands=_or([f"'{m}'" for m in matches]))
    return text + " " + _("`{command} --help` lists the commands.").format(command=command)
