"""Shell completion (bash, zsh, fish): what Tab offers for SOP ids, run ids, step numbers,
organisations and document types.

The shell runs `sop` on every Tab with `_SOP_COMPLETE=complete_<shell>`; `sop completion SHELL`
prints the script that wires this up. Each function here runs only then, reads the catalog cache
or the store the way `sop list` and `sop runs` do (no YAML, no pydantic), and never raises: a
completion that fails offers nothing rather than printing an error into the user's prompt.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

# At run time, not under TYPE_CHECKING: Typer reads the annotations to pass the context.
from typer import Context

COMPLETE_VAR = "_SOP_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


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
        ended = store.run_ids_with_prefix(incomplete) if incomplete else store.run_ids()
        return _starting(store.run_ids(active_only=True) + ended, incomplete)


@_quiet
def step_numbers(ctx: Context, incomplete: str) -> list[str]:
    """The current step of the run (`--run`, else the only active run) first, then every step."""
    from sop_cli.run.service import load_run

    state = load_run(ctx.params.get("run"), store=ctx.params.get("store"))
    steps = [str(n) for n in state.procedure.steps]
    current = [str(state.current_step)] if state.current_step is not None else []
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


def script(shell: str, prog_name: str = "sop") -> str:
    """The completion script for `shell`, to be sourced by it (Typer's own scripts; they call
    `sop` back with `_SOP_COMPLETE=complete_<shell>`)."""
    # Typer keeps the scripts in a private module; pyproject pins Typer below the next minor.
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=prog_name, complete_var=COMPLETE_VAR, shell=shell)


def init() -> None:
    """Register Typer's completion classes: needed only when the shell asks for completions."""
    from typer.completion import completion_init

    completion_init()
