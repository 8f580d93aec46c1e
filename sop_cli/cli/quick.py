"""The quick path: `sop status` and `sop runs` answered without Typer, click or pydantic.

These two are typed all day; building the Typer app costs more than answering them (issue 22,
`benchmarks/run.py`). `answer` recognises only the plainest spellings of the two commands: the
options below, each at most once, `--opt value` or `--opt=value`, numbers as plain digits. Anything
else (`--help`, an unknown or repeated option, a value that looks like an option, a word too many,
shell completion) returns None and the full CLI answers, with its own wording of any usage error.

It is not a second definition of the commands: the screens are `cli/screens.py`, which the Typer
commands call too, and `tests/test_quick.py` checks this table against the Typer definitions
(every option here is the Typer option of that name, with its aliases, kind and default).
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from typing import Any

FLAG, TEXT, NUMBER = "flag", "text", "number"

COMMANDS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "--run": ("run", TEXT), "-r": ("run", TEXT),
        "--store": ("store", TEXT),
        "--json": ("as_json", FLAG),
    },
    "runs": {
        "--all": ("include_all", FLAG), "-a": ("include_all", FLAG),
        "--limit": ("limit", NUMBER), "-n": ("limit", NUMBER),
        "--org": ("org", TEXT), "-o": ("org", TEXT),
        "--sop": ("sop", TEXT),
        "--year": ("year", NUMBER), "-y": ("year", NUMBER),
        "--late": ("late", FLAG),
        "--store": ("store", TEXT),
        "--json": ("as_json", FLAG),
    },
}
"""Per command: option spelling -> (parameter name, kind)."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "status": {"run": None, "store": None, "as_json": False},
    "runs": {"include_all": False, "limit": 50, "org": None, "sop": None, "year": None, "late": False,
             "store": None, "as_json": False},
}
"""The parameters' values when their option is not given (the Typer defaults)."""

_DIGITS = re.compile(r"[0-9]{1,9}")


def recognise(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, parameters) for a command line the quick path answers, else None."""
    if not argv or argv[0] not in COMMANDS:
        return None
    command, options = argv[0], COMMANDS[argv[0]]
    values = dict(DEFAULTS[command])
    given: set[str] = set()
    rest = argv[1:]
    while rest:
        token = rest.pop(0)
        spelling, attached = token, None
        if token.startswith("--") and "=" in token:
            spelling, attached = token.split("=", 1)
        if spelling not in options:
            return None
        name, kind = options[spelling]
        if name in given:
            return None  # click takes the last; the full CLI decides
        given.add(name)
        if kind == FLAG:
            if attached is not None:
                return None
            values[name] = True
            continue
        if attached is None:
            if not rest:
                return None
            attached = rest.pop(0)
        if attached.startswith("-") or not attached.strip() or not attached.isprintable():
            return None
        if kind == NUMBER:
            if not _DIGITS.fullmatch(attached):
                return None
            values[name] = int(attached)
        else:
            values[name] = attached
    return command, values


def answer(argv: list[str]) -> int | None:
    """Answer `sop ARGV` and return the exit code, or None when the full CLI must answer it."""
    if "_SOP_COMPLETE" in os.environ:
        return complete_from_cache()
    recognised = recognise(argv)
    if recognised is None:
        return None
    command, values = recognised
    from sop_cli.cli import screens
    from sop_cli.cli.boundary import run_guarded

    if command == "status":
        return run_guarded(lambda: screens.status(values["run"], values["store"], values["as_json"]))
    return run_guarded(lambda: screens.runs(**values))


def main(argv: list[str] | None = None) -> int | None:
    """`answer` for this process's command line, with click's handling of a closed pipe."""
    try:
        code = answer(sys.argv[1:] if argv is None else argv)
        if code is not None:
            sys.stdout.flush()
        return code
    except BrokenPipeError:  # `sop runs | head -1`: quietly, exit 1, as click does
        # what is left in stdout's buffer goes nowhere at exit, instead of failing again there
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


# A Tab, answered from the cache the run commands keep (`complete.remember`) --------------------

RUN_OPTIONS = ("--run", "-r")
STEP_OPTIONS = ("--step", "-s")
TAB_VALUES: dict[str, dict[str, str]] = {
    **{command: dict.fromkeys(RUN_OPTIONS, "runs")
       for command in ("advance", "attachments", "cancel", "log", "note", "render", "report", "status", "undo")},
}
for _command in ("advance", "undo"):
    TAB_VALUES[_command].update(dict.fromkeys(STEP_OPTIONS, "steps"))
"""Per command: the options whose values a Tab offers from the cache (run ids, step numbers)."""

TAB_SOP_ARGUMENT = ("show", "start")
"""The commands whose first argument is an SOP id (`sop show <Tab>`)."""


def complete_from_cache() -> int | None:
    """Print what a Tab offers from the Tab cache, as Typer's completion classes print it for
    bash, zsh and fish, and return the exit code; None for the full CLI (a word the cache does
    not answer, or a cache older than the store or the catalog)."""
    shell = os.environ.get("_SOP_COMPLETE", "")
    try:
        request = _tab_request(shell)
        values = None if request is None else _tab_values(*request)
    except Exception:  # a damaged cache or a line shlex cannot read: the long way
        return None
    if values is None:
        return None
    if shell == "complete_zsh":
        escaped = [_zsh_escape(value) for value in values]
        answer = "_arguments '*: :((" + "\n".join(f'"{v}"' for v in escaped) + "))'" if values else "_files"
    elif shell == "complete_fish" and os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        return 0 if values else 1  # whether to offer values (else files)
    else:
        answer = "\n".join(values)
    sys.stdout.write(answer + "\n")  # as click.echo writes it
    return 0


def _tab_request(shell: str) -> tuple[list[str], str] | None:
    """(the words before the one being completed, that word) as Typer reads them for `shell`."""
    import shlex

    if shell == "complete_bash":
        words = shlex.split(os.environ["COMP_WORDS"])
        cword = int(os.environ["COMP_CWORD"])
        return words[1:cword], (words[cword] if cword < len(words) else "")
    if shell in ("complete_zsh", "complete_fish"):
        if shell == "complete_fish" and os.environ.get("_TYPER_COMPLETE_FISH_ACTION") not in ("get-args", "is-args"):
            return None
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        args = shlex.split(line)[1:]
        if args and not line.endswith(" "):
            return args[:-1], args[-1]
        return args, ""
    return None


def _zsh_escape(value: str) -> str:
    return (value.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
            .replace(":", r"\\:"))


def _tab_values(args: list[str], incomplete: str) -> list[str] | None:
    import json

    if not args or incomplete.startswith("-") or any(
            a.startswith(("--store", "--run=", "--step=")) or (a[:2] in ("-r", "-s") and len(a) > 2) for a in args):
        return None
    command = args[0]
    kind = None
    if len(args) == 1 and command in TAB_SOP_ARGUMENT:
        kind = "sop_ids"
    elif len(args) >= 2 and args[-1] in TAB_VALUES.get(command, {}):
        kind = TAB_VALUES[command][args[-1]]
    if kind is None:
        return None
    from sop_cli.cli import tabcache as stamps
    from sop_cli.paths import sop_home

    cache = json.loads((sop_home() / "cache" / stamps.TAB_CACHE).read_text(encoding="utf-8"))
    if cache.get("format") != stamps.TAB_FORMAT:
        return None
    if kind == "sop_ids":
        if (cache["cwd"], cache["sop_path"]) != (os.getcwd(), os.environ.get("SOP_PATH", "")) or \
                cache["catalog_stamp"] != stamps.catalog_stamp():
            return None
        offered = cache["sop_ids"]
    else:
        from sop_cli.paths import store_location

        location = store_location()
        if cache["store"] != str(location) or cache["store_stamp"] != stamps.store_stamp(location):
            return None
        if kind == "runs":
            offered = cache["runs"]
        else:
            run = _value_of(args, RUN_OPTIONS) or cache["default_run"]
            if run not in cache["steps"]:
                return None
            offered = cache["steps"][run]
    # The value functions keep what starts with the word in any case; Typer then keeps what starts
    # with it as typed: together, the second.
    return list(dict.fromkeys(item for item in offered if item.startswith(incomplete)))


def _value_of(args: list[str], spellings: tuple[str, ...]) -> str | None:
    for before, value in itertools.pairwise(args):
        if before in spellings:
            return value
    return None
