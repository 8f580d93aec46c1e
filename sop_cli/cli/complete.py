"""Shell completion (bash, zsh, fish): what Tab offers for SOP ids, run ids, step numbers,
organisations and document types.

The shell runs `sop` on every Tab with `_SOP_COMPLETE=complete_<shell>`; `sop completion SHELL`
prints the script that wires this up. Each function here runs only then, reads the catalog cache
or the store the way `sop list` and `sop runs` do (no YAML, no pydantic), and never raises: a
completion that fails offers nothing rather than printing an error into the user's prompt.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

# At run time, not under TYPE_CHECKING: Typer reads the annotations to pass the context.
from typer import Context

COMPLETE_VAR = "_SOP_COMPLETE"
SHELLS = ("bash", "zsh", "fish")

if TYPE_CHECKING:
    from sop_cli.run.state import RunState
    from sop_cli.store.interface import Store


def _quiet(function: Callable[..., list[str]]) -> Callable[..., list[str]]:
    @functools.wraps(function)  # keeps the signature Typer inspects
    def run(*args: object, **kwargs: object) -> list[str]:
        try:
            return function(*args, **kwargs)
        except Exception:
            return []

    return run


def _starting(items: list[str], incomplete: str) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item.lower().startswith(incomplete.lower()):
            seen.setdefault(item, None)
    return list(seen)


@_quiet
def sop_ids(incomplete: str) -> list[str]:
    """Short ids (`renja`) and qualified ids (`nganjuk/kecamatan-ngronggot/renja`)."""
    from sop_cli.definition.catalog import load_catalog

    entries = load_catalog().entries
    return _starting([e.head.id for e in entries] + [e.qualified_id for e in entries], incomplete)


@_quiet
def org_ids(incomplete: str) -> list[str]:
    """Organisation ids and aliases."""
    from sop_cli.definition.catalog import load_catalog

    names: list[str] = []
    for entry in load_catalog().entries:
        org = entry.head.org
        names += [org.id, *org.alias]
    return _starting(names, incomplete)


@_quiet
def run_ids(ctx: Context, incomplete: str) -> list[str]:
    """Run ids of the store named by `--store` (or the default): the open ones (runs and cases)
    first, then the others starting with what was typed (a counter's year of cases is thousands of
    ids: those are found by prefix in the store, not listed)."""
    from sop_cli.store import open_store

    store = open_store(ctx.params.get("store"), create=False, migrate=False)
    if store is None:
        return []
    with store, store.read():
        return _run_ids_in(store, incomplete)


def _run_ids_in(store: Store, incomplete: str) -> list[str]:
    ended = store.run_ids_with_prefix(incomplete) if incomplete else store.run_ids()
    return _starting(store.run_ids(active_only=True) + ended, incomplete)


@_quiet
def step_numbers(ctx: Context, incomplete: str) -> list[str]:
    """The current step(s) of the run (`--run`, else the only active run) first, then every step in
    the SOP's order (the bash script keeps that order: `-o nosort`)."""
    from sop_cli.run.service import load_run

    return _starting(_steps_first_current(load_run(ctx.params.get("run"), store=ctx.params.get("store"))), incomplete)


def _steps_first_current(state: RunState) -> list[str]:
    return [str(n) for n in state.current_steps] + [str(n) for n in state.procedure.steps]


@_quiet
def document_steps(ctx: Context, incomplete: str) -> list[str]:
    """The steps of the run's SOP that output the document named before (`sop render undangan
    --step <Tab>`), the current one first; every step when no document is named yet."""
    from pathlib import Path

    from sop_cli.render.doctypes import document_types
    from sop_cli.run.service import load_run

    state = load_run(ctx.params.get("run"), store=ctx.params.get("store"))
    # while the option's value is being typed click leaves the words before it unparsed in ctx.args
    doc = ctx.params.get("doc") or next((word for word in ctx.args if not word.startswith("-")), None)
    kind = document_types(Path(state.source_path).parent if state.source_path else None).get(doc or "")
    steps = [str(step.no) for step in state.sop.langkah if kind is None or kind.belongs_to(step)] if doc != "sop" else []
    current = [str(n) for n in state.current_steps if str(n) in steps]
    return _starting(current + steps, incomplete)


@_quiet
def document_types(incomplete: str) -> list[str]:
    """`sop` and the shipped document types `sop render` knows (their manifests, by name only:
    an SOP's own types need its folder, which the command line does not give yet)."""
    from pathlib import Path

    from sop_cli.paths import template_roots
    from sop_cli.render.doctypes import _manifests

    names = {path.stem for root in template_roots() for path in _manifests(Path(root))}
    return _starting(["sop", *sorted(names)], incomplete)


# The scripts the shells source. They call `sop` back with `_SOP_COMPLETE=complete_<shell>` and the
# words typed so far, in the variables Typer's completion classes read (`typer.completion`). bash
# would sort the offers as text (`1 10 11 ... 2`): `-o nosort` (bash 4.4 and later) keeps the order
# sop gives, the current step first; `-o default` falls back to file names where sop offers none.
_SCRIPTS = {
    "bash": """\
_sop_completion() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD %(var)s=complete_bash $1 ) )
    return 0
}
complete -o default -o nosort -F _sop_completion %(prog)s 2>/dev/null || complete -o default -F _sop_completion %(prog)s""",
    "zsh": """\
#compdef %(prog)s

_sop_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(var)s=complete_zsh %(prog)s)
}

compdef _sop_completion %(prog)s""",
    "fish": ('complete --command %(prog)s --no-files --arguments "(env %(var)s=complete_fish '
             '_TYPER_COMPLETE_FISH_ACTION=get-args _TYPER_COMPLETE_ARGS=(commandline -cp) %(prog)s)" '
             '--condition "env %(var)s=complete_fish _TYPER_COMPLETE_FISH_ACTION=is-args '
             '_TYPER_COMPLETE_ARGS=(commandline -cp) %(prog)s"'),
}


def script(shell: str, prog_name: str = "sop") -> str:
    """The completion script for `shell`, to be sourced by it."""
    return _SCRIPTS[shell] % {"prog": prog_name, "var": COMPLETE_VAR}


def init() -> None:
    """Register Typer's completion classes: needed only when the shell asks for completions."""
    from typer.completion import completion_init  # type: ignore[attr-defined]  # typer's own name for it, not in __all__

    completion_init()


# The Tab cache: what the quick path (`cli/quick.py`) offers without Typer ---------------------

_STEPS_KEPT = 8  # the active runs whose steps the cache holds: the one just written, the latest started


class _Params:
    """The part of a click context the value functions read (`ctx.params`)."""

    def __init__(self, **params: object) -> None:
        self.params = params


def remember(run: str | None = None) -> None:
    """Write the Tab cache for the default store and the catalog: the answers the value functions
    give to an empty word, with the stamps they were given under; the steps of `run` (the run just
    written) and of the latest started active runs. Never raises: a cache that cannot be written
    only means the next Tab takes the long way."""
    try:
        _remember(run)
    except Exception:
        pass


def _remember(written: str | None) -> None:
    from sop_cli.cli.tabcache import TAB_CACHE, TAB_FORMAT, catalog_stamp, store_stamp
    from sop_cli.fs import write_atomically
    from sop_cli.paths import sop_home, store_location
    from sop_cli.run.service import replay
    from sop_cli.store import open_store

    location = store_location()
    stamp = store_stamp(location)
    if stamp is None:
        return
    catalog = catalog_stamp()
    where = (os.getcwd(), os.environ.get("SOP_PATH", ""))
    path = sop_home() / "cache" / TAB_CACHE
    known = None
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        if (old["format"], old["catalog_stamp"], old["cwd"], old["sop_path"]) == (TAB_FORMAT, catalog, *where):
            if (old["store"], old["store_stamp"]) == (str(location), stamp):
                return  # still true
            known = old["sop_ids"]  # only the runs changed
    except (OSError, ValueError, KeyError, TypeError):
        pass
    # One opening of the store for all of it: this runs after every write, so its cost is felt.
    store = open_store(None, create=False, migrate=False)
    if store is None:
        return
    with store, store.read():
        runs = _run_ids_in(store, "")
        active = store.run_ids(active_only=True)
        kept = list(dict.fromkeys([*([written] if written in active else []), *reversed(active)]))[:_STEPS_KEPT]
        steps = {}
        for run in kept:
            stored = store.load_run(run)
            if stored is not None:
                steps[run] = _steps_first_current(replay(stored, store.location))
    data = {
        "format": TAB_FORMAT, "store": str(location), "store_stamp": stamp, "runs": runs, "steps": steps,
        "default_run": active[0] if len(active) == 1 else None,
        "catalog_stamp": catalog, "sop_ids": sop_ids("") if known is None else known, "cwd": where[0], "sop_path": where[1],
    }
    if store_stamp(location) != stamp:
        return  # the store moved on while we read it: leave the cache to the next writer
    write_atomically(path, json.dumps(data, ensure_ascii=False))  # a cache: not synced to the disk
