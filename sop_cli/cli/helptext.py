"""Typer's and click's own words in the interface language: help screens and usage errors.

Help texts, command descriptions and metavars are written in English in the code, marked with
`N_()`; `localise` sets each command's and parameter's text from its stored English original
through `_()` before the command line is parsed, so one built click command serves every language
(the tests build it once and switch `SOP_LANG` between invocations). The click objects get the
subclasses below (their class is swapped in place: Typer builds them from our decorators), which
word the usage line, the help option, the `--help` section titles and the types column without
programmer jargon (`<bool>`, `<str>`, `{sop}`, `[x>=0]`).

Usage errors (an unknown option, a missing argument, `--step tiga`) are click's and Typer's
exceptions with English f-string messages; `usage_message` words them again from their fields:
one paragraph naming the option and what was expected. The root group prints it as every other
error (`Error: ...`) with click's exit code 2.

Only `--help` imports rich (Typer's help screen); everything here is otherwise cheap.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

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


def _usage_pieces(command: Any, ctx: Any) -> list[str]:
    pieces = [_("[OPTIONS]")]
    for param in command.get_params(ctx):
        pieces.extend(param.get_usage_pieces(ctx))
    if isinstance(command, TyperGroup):
        pieces.append(_("COMMAND [ARGS]..."))
    return pieces


def _help_option(option: Any) -> Any:
    if option is not None:
        _swap(option)
        option.help = _("Show this message and exit.")
    return option


def _attach(error: Exception, ctx: Any) -> None:
    """Give a usage error raised without a context (click's parser) the command's, for its message."""
    if hasattr(error, "ctx") and error.ctx is None:
        error.ctx = ctx


# The click classes with our words. Their instances are Typer's (built from our decorators) with the
# class swapped in place, so they add no state (`__slots__ = ()`). A command and a group share their
# words through one class factory, not a mixin: a second base changes the instance layout, which
# `__class__` assignment refuses.


def _worded(base: type, name: str, doc: str) -> type:
    """`base` (Typer's command or group class) with our usage line, help option and help titles."""

    class Worded(base):
        __slots__ = ()

        def collect_usage_pieces(self, ctx: Any) -> list[str]:
            return _usage_pieces(self, ctx)

        def format_usage(self, ctx: Any, formatter: Any) -> None:
            formatter.write_usage(ctx.command_path, " ".join(_usage_pieces(self, ctx)), prefix=_("Usage: "))

        def get_help_option(self, ctx: Any) -> Any:
            return _help_option(super().get_help_option(ctx))

        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            try:
                return super().parse_args(ctx, args)
            except Exception as error:
                _attach(error, ctx)
                raise

        def format_help(self, ctx: Any, formatter: Any) -> None:
            _rich_words()
            super().format_help(ctx, formatter)

    Worded.__name__ = Worded.__qualname__ = name
    Worded.__doc__ = doc
    return Worded


Command = _worded(TyperCommand, "Command", "A `sop` command (e.g. `sop start`).")
Group = _worded(TyperGroup, "Group", "A `sop` command group (the root, `sop org`, `sop store`).")


class Option(TyperOption):
    """An option as a person reads it: a flag has no type, a value has its metavar, no ranges."""

    __slots__ = ()

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        return self.metavar or (self.name or "").upper()

    def _get_number_range_help_str(self) -> str | None:
        return None  # the help text says it in words


class Argument(TyperArgument):
    """An argument named by its metavar: `SOP`, optional ones in brackets `[FILE]`."""

    __slots__ = ()

    def _usage_display_name(self) -> str:
        name = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            name += "..."
        return name if self.required else f"[{name}]"

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def make_metavar(self, ctx: Any = None, *, usage: bool = False, **_ignored: Any) -> str:
        # Typer before 0.29 writes a required argument `{SOP}` in the usage line and asks for it here
        return self._usage_display_name() if usage else self.metavar or (self.name or "").upper()

    def get_error_hint(self, ctx: Any = None) -> str:
        return self.metavar or (self.name or "").upper()


def _quiet(kind: Any) -> Any:
    """`kind` (a click parameter type) that prints no type and no range in the help: Typer before
    0.29 shows an argument as `<str>` and a bounded option as `N [x>=0]`, which mean nothing to a
    planner (the help text says the bounds in words)."""
    if getattr(kind, "_sop_quiet", False):
        return kind
    quiet = copy.copy(kind)
    quiet.__class__ = type(type(kind).__name__, (type(kind),), {
        "_sop_quiet": True, "get_metavar": lambda self, *a, **k: "", "_describe_range": lambda self: ""})
    return quiet


_CLASSES: dict[type, type] = {TyperCommand: Command, TyperGroup: Group, TyperOption: Option, TyperArgument: Argument}


def _swap(thing: Any) -> None:
    ours = _CLASSES.get(type(thing))
    if ours is not None:
        thing.__class__ = ours


def _text(thing: Any, attribute: str) -> None:
    """Set `thing.attribute` to the interface-language text of its English original."""
    originals = thing.__dict__.setdefault(_ENGLISH, {})
    if attribute not in originals:
        originals[attribute] = getattr(thing, attribute)
    english = originals[attribute]
    setattr(thing, attribute, _(english) if english else english)


def localise(command: Any) -> None:
    """Word `command`, its parameters and its subcommands in the interface language."""
    _swap(command)
    _text(command, "help")
    _text(command, "short_help")
    for param in command.params:
        _swap(param)
        _text(param, "help")
        _text(param, "metavar")
        kind = param.__dict__.get("type")  # Typer 0.29 has a type_descriptor instead (and no such words)
        if kind is not None and (isinstance(param, TyperArgument) or hasattr(kind, "_describe_range")):
            param.type = _quiet(kind)
    for sub in getattr(command, "commands", {}).values():
        localise(sub)


def _rich_words() -> None:
    """Typer's help screen titles and marks (module constants of `typer.rich_utils`)."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.ENVVAR_STRING = _("[env var: {}]")
    rich_utils.DEPRECATED_STRING = _("(deprecated) ")
    rich_utils.ABORTED_TEXT = _("Aborted.")


# Usage errors ------------------------------------------------------------------------------------


def _kinds(error: Exception) -> set[str]:
    """The class names of `error` and its bases (click lives inside Typer; its classes are named)."""
    return {cls.__name__ for cls in type(error).__mro__}


def _flag(param: Any) -> str:
    """How the command line spells `param`: its long option, else its metavar."""
    opts = list(getattr(param, "opts", []) or [])
    if isinstance(param, TyperArgument):
        return param.metavar or (param.name or "").upper()
    longs = [o for o in opts if o.startswith("--")]
    return (longs or opts or [param.name or "?"])[0]


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
