"""The CLI's words for the core's errors: option names as flags, next actions as command lines.

The core raises `SopError`s worded in values with structured fields (`option`, `code`,
`suggest`, `details`; see `sop_cli.errors`); this module is the one place that adds what only the
command line knows: that "at" is typed `--at`, and that undoing a step is `sop undo --run ...`.
An Indonesian interface would replace these tables, not the core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sop_cli.errors import SopError

Details = Mapping[str, object]

FLAGS: dict[str, str] = {"copy_to": "--copy-to"}
"""Option names whose flag is not simply `--<name>`."""

MESSAGES: dict[str, Callable[[Details], str]] = {
    "approve_and_reject": lambda d: "Give either --approve or --reject, not both.",
    "decision_needs_verdict": lambda d: (
        f"Step {d['step']} ({d['kegiatan']}) is a decision: add --approve to go on to step {d['ya']}, "
        "or --reject --reason TEXT to " + (
            "end the process (the request is refused or returned)" if d["tidak"] == "selesai"
            else f"send the run back to step {d['tidak']}"
        ) + ". Nothing was recorded."
    ),
    "reject_needs_reason": lambda d: "--reject needs --reason TEXT: say what must be corrected. Nothing was recorded.",
    "reason_with_approval": lambda d: "--reason goes with --reject; for a remark on an approval use --note.",
    "not_a_decision": lambda d: (
        f"--{d['option']}: step {d['step']} ({d['kegiatan']}) is not a decision step; run `sop advance` without it. "
        "Nothing was recorded."
    ),
    "reason_without_decision": lambda d: "--reason goes with --reject; for a remark use --note.",
    "undo_needs_reason": lambda d: "`sop undo` needs --reason TEXT: the log keeps why a step was reopened.",
    "cancel_needs_reason": lambda d: "`sop cancel` needs --reason TEXT: the log keeps why the run was ended.",
    "note_empty": lambda d: "Give the note's text, or --attach FILE, or both.",
    "which_step": lambda d: (
        f"Several steps are current at the same time: {d['listed']}. Say which one is done with --step N. "
        "Nothing was recorded."
    ),
    "sub_run_missing": lambda d: (
        f"Step {d['step']} ({d['kegiatan']}) is done by SOP {d['sub_sop']}: start a run of it with "
        f"`sop start {d['sub_sop']} --parent {d['run']}`; the step is done when that run finishes. "
        "Nothing was recorded."
    ),
    "which_run": lambda d: f"{d['count']} runs are active; say which with --run:\n{_runs(d)}",
    "out_suffix": lambda d: (
        f"--out {d['path']}: the suffix {d['suffix']!r} names no format this command writes; "
        f"use one of: {d['suffixes']} (or --format)."
    ),
}
"""Messages the CLI words itself, by `SopError.code`."""

HINTS: dict[str, Callable[[Details], str]] = {
    "undo": lambda d: f"To reopen its last step, use `sop undo --run {d['run']} --reason TEXT`.",
    "cancel": lambda d: f"To end the run, use `sop cancel --run {d['run']} --reason TEXT`.",
    "status_and_log": lambda d: f"See `sop status --run {d['run']}` and `sop log --run {d['run']}`.",
    "start_example": lambda d: "Start a run with `sop start SOP` (e.g. `sop start renja --org ngronggot`).",
    "start": lambda d: "Start one with `sop start SOP`." + (
        f" Finished or cancelled runs ({d['others']}) are listed by `sop runs --all`; name one with --run."
        if d.get("others") else ""
    ),
    "runs": lambda d: _runs(d),
    "store_newer": lambda d: "Upgrade sop to use it, or point --store / SOP_STORE at another file.",
    "store_unreadable": lambda d: "Point --store / SOP_STORE at another file, or move this one away.",
    "document_types": lambda d: "See `sop render --list` for the document types and their values.",
    "give_values": lambda d: (
        "Give them with " + " ".join(f"--set {key}=..." for key in _keys(d)[:3])
        + " or in a YAML file passed with --values FILE."
    ),
}
"""Next actions as command lines, by `SopError.suggest`."""


def _keys(d: Details) -> list[str]:
    """The `keys` of `details` (value names a document still needs)."""
    keys = d["keys"]
    assert isinstance(keys, list)
    return [str(key) for key in keys]


def _runs(d: Details) -> str:
    """A listing of runs (`details` lines, more, all) as a hint."""
    lines = d["lines"]
    assert isinstance(lines, list)
    if not lines:
        return "There are no runs; start one with `sop start SOP`."
    more = "\n  ... and more (`sop runs --all`)" if d["more"] else ""
    return ("Runs:\n" if d["all"] else "") + "\n".join(lines) + more


def flag(option: str) -> str:
    """How the command line spells the option the core calls `option`."""
    return FLAGS.get(option, f"--{option}")


def describe(error: SopError) -> str:
    """The error's message and hint in the command line's words."""
    wording = MESSAGES.get(error.code or "")
    message = wording(error.details) if wording else error.message
    if error.option and not wording:
        message = f"{flag(error.option)} {message}"
    hinting = HINTS.get(error.suggest or "")
    hint = hinting(error.details) if hinting else error.hint
    text = message if not hint else f"{message}\n{hint}"
    if type(error).__str__ is not SopError.__str__:  # e.g. DefinitionError lists its problems
        return str(error)
    return text
