"""A command's `--help` screen in the interface language, laid out by rich.

`helptext.Command.format_help` (click's public hook) writes this text into click's formatter; click
prints it (without colour codes when stdout is not a terminal). Every word on it comes from the
click objects that `helptext.localise` has worded, so the screen is the same in both languages but
for the words. A person reads no programmer's types here: a flag has no metavar, a value has its
metavar, and bounds are said in the help text, not as `[x>=0]`.

Only `--help` imports this module (and rich).
"""

from __future__ import annotations

import io
import re
from typing import Any, ClassVar

from rich.console import Console
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sop_cli.i18n import _


class _Options(RegexHighlighter):
    """Options and command lines named inside help texts (`--approve`, `sop start`), in colour."""

    base_style = "help."
    highlights: ClassVar[list[str]] = [r"(?P<option>(?<![\w-])--?[a-zA-Z][\w-]*)", r"(?P<code>`[^`\n]+`)"]


_THEME_STYLES = {"help.option": "bold cyan", "help.code": "bold"}


def help_screen(command: Any, ctx: Any, width: int, colour: bool) -> str:
    """The help of `command` (a click command or group, with its context) as text of `width`
    columns; with colour codes when `colour`."""
    from rich.theme import Theme

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False, emoji=False,
                      markup=False, theme=Theme(_THEME_STYLES), legacy_windows=False)
    highlight = _Options()
    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    console.print(Text.assemble((_("Usage: "), "yellow"), (usage, "bold")), overflow="fold")
    paragraphs = [p for p in (command.help or "").split("\n\n") if p.strip()]
    if paragraphs:
        console.print()
    for n, paragraph in enumerate(paragraphs):
        text = highlight(Text(" ".join(paragraph.split())))
        console.print(Padding(text, (1 if n else 0, 0, 0, 1)))
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    arguments = [p for p in params if p.param_type_name == "argument"]
    options = [p for p in params if p.param_type_name != "argument"]
    if arguments:
        _section(console, _("Arguments"), [(_argument_name(p), _described(p, highlight)) for p in arguments])
    if options:
        _section(console, _("Options"), [(_option_names(p), _described(p, highlight)) for p in options])
    subcommands = getattr(command, "commands", None)
    if subcommands:
        rows = []
        for name in command.list_commands(ctx):
            sub = subcommands[name]
            if not getattr(sub, "hidden", False):
                summary = sub.short_help or (sub.help or "").split("\n\n")[0]
                rows.append((Text(name, style="bold cyan"), highlight(Text(" ".join(summary.split())))))
        _section(console, _("Commands"), rows)
    # rich pads every table line to the width; a line ends at its last character
    return "".join(_TRAILING.sub(r"\1", line) for line in out.getvalue().splitlines(keepends=True))


_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)(?=\n?$)")


def _section(console: Console, title: str, rows: list[tuple[Text, Text]]) -> None:
    """A titled two-column list: what to type (wrapped past two fifths of the width) and what it does."""
    console.print()
    console.print(Text(title, style="bold"))
    table = Table.grid(padding=(0, 2), pad_edge=False)
    table.add_column(max_width=max(16, console.width * 2 // 5))
    table.add_column(ratio=1)
    for row in rows:
        table.add_row(*row)
    console.print(Padding(table, (0, 0, 0, 2)))


def _option_names(param: Any) -> Text:
    """`--run, -r PELAKSANAAN`: the long name first, then the value's metavar (a flag has none)."""
    names = sorted(param.opts, key=lambda o: (not o.startswith("--"), o)) + list(param.secondary_opts)
    text = Text(", ".join(names), style="bold cyan")
    if not param.is_flag:
        text.append(" " + (param.metavar or (param.name or "").upper()), style="yellow")
    return text


def _argument_name(param: Any) -> Text:
    return Text(param.metavar or (param.name or "").upper(), style="bold cyan")


def _described(param: Any, highlight: RegexHighlighter) -> Text:
    text = highlight(Text(" ".join((param.help or "").split())))
    if param.required:
        text.append(" " + _("[required]"), style="red")
    return text
