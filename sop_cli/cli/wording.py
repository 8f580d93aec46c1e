"""The CLI's words for the core's errors: option names as flags, next actions as command lines.

The core raises `SopError`s worded in values with structured fields (`option`, `code`,
`suggest`, `details`; see `sop_cli.errors`); this module is the one place that adds what only the
command line knows: that "at" is typed `--at`, and that undoing a step is `sop undo --run ...`.
An Indonesian interface would replace these tables, not the core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sop_cli.errors import SopError
from sop_cli.i18n import _, ngettext

Details = Mapping[str, object]

FLAGS: dict[str, str] = {"copy_to": "--copy-to"}
"""Option names whose flag is not simply `--<name>`."""

MESSAGES: dict[str, Callable[[Details], str]] = {
    "approve_and_reject": lambda d: _("Give either --approve or --reject, not both."),
    "decision_needs_verdict": lambda d: (
        _("Step {step} ({kegiatan}) is a decision: add --approve to go on to step {ya}, or --reject --reason TEXT "
          "to end the process (the request is refused or returned). Nothing was recorded.")
        if d["tidak"] == "selesai" else
        _("Step {step} ({kegiatan}) is a decision: add --approve to go on to step {ya}, or --reject --reason TEXT "
          "to send the run back to step {tidak}. Nothing was recorded.")
        if d.get("rework", True) else
        _("Step {step} ({kegiatan}) is a decision: add --approve to go on to step {ya}, or --reject --reason TEXT "
          "to go on to step {tidak} instead. Nothing was recorded.")
    ).format(**d),
    "reject_needs_reason": lambda d: _("--reject needs --reason TEXT: say what must be corrected. Nothing was recorded."),
    "reason_with_approval": lambda d: _("--reason goes with --reject; for a remark on an approval use --note."),
    "not_a_decision": lambda d: _(
        "--{option}: step {step} ({kegiatan}) is not a decision step; run `sop advance` without it. "
        "Nothing was recorded.").format(**d),
    "reason_without_decision": lambda d: _("--reason goes with --reject; for a remark use --note."),
    "undo_needs_reason": lambda d: _("`sop undo` needs --reason TEXT: the log keeps why a step was reopened."),
    "cancel_needs_reason": lambda d: _("`sop cancel` needs --reason TEXT: the log keeps why the run was ended."),
    "note_empty": lambda d: _("Give the note's text, or --attach FILE, or both."),
    "run_exists": lambda d: (
        _("SOP {sop} already has a run for {year}; nothing was recorded:").format(**d) + "\n" + "\n".join(_lines(d))
        + "\n" + _("Follow it with `sop status --run {run}`, or start a second run for {year} with "
                   "`sop start {sop} --year {year} --again`.").format(run=_first(d), year=d["year"], sop=d["sop"])
    ),
    "case_open": lambda d: _(
        "SOP {sop} already has an open case for this person: {runs}. Nothing was recorded. Follow it with "
        "`sop status --run {run}`, or start another case for the same person with `--again`.").format(
        sop=d["sop"], runs=_all_runs(d), run=_first(d)),
    "which_step": lambda d: _(
        "Several steps are current at the same time: {listed}. Say which one is done with --step N. "
        "Nothing was recorded.").format(**d),
    "sub_run_missing": lambda d: _(
        "Step {step} ({kegiatan}) is done by SOP {sub_sop}: start a run of it with "
        "`sop start {sub_sop} --parent {run}`; the step is done when that run finishes. "
        "Nothing was recorded.").format(**d),
    "no_sop": lambda d: f"{d['message']} " + ngettext(
        "({count} SOP file is invalid: run `sop validate`)", "({count} SOP files are invalid: run `sop validate`)",
        _count(d, "invalid")).format(count=d["invalid"]),
    "which_org": lambda d: _(
        "SOP {name} is defined by {count} organisations; say which one with --org, set a default with "
        "`sop org use ORG`, or use the full id:").format(**d) + "\n" + "\n".join(_lines(d)),
    "which_run": lambda d: _("{count} runs are active; say which with --run:").format(**d) + "\n" + _runs(d),
    "out_suffix": lambda d: _(
        "--out {path}: the suffix {suffix!r} names no format this command writes; "
        "use one of: {suffixes} (or --format).").format(**d),
}
"""Messages the CLI words itself, by `SopError.code`."""

HINTS: dict[str, Callable[[Details], str]] = {
    "undo": lambda d: _("To reopen its last step, use `sop undo --run {run} --reason TEXT`.").format(**d),
    "cancel": lambda d: _("To end the run, use `sop cancel --run {run} --reason TEXT`.").format(**d),
    "status_and_log": lambda d: _("See `sop status --run {run}` and `sop log --run {run}`.").format(**d),
    "start_example": lambda d: _("Start a run with `sop start SOP` (e.g. `sop start renja --org ngronggot`)."),
    "start": lambda d: (
        _("Start one with `sop start SOP`. Finished or cancelled runs ({others}) are listed by `sop runs --all`; "
          "name one with --run.").format(**d) if d.get("others") else _("Start one with `sop start SOP`.")
    ),
    "runs": lambda d: _runs(d),
    "store_newer": lambda d: _("Upgrade sop to use it, or point --store / SOP_STORE at another file."),
    "store_missing": lambda d: _("Check --store / SOP_STORE (a first `sop start ... --store PATH` creates a store there)."),
    "store_init": lambda d: _("Create it with `sop store init`, or name another one."),
    "store_unreadable": lambda d: _("Point --store / SOP_STORE at another file, or move this one away."),
    "document_types": lambda d: _("See `sop render --list` for the document types and their values."),
    "give_values": lambda d: _("Give them with {sets} or in a YAML file passed with --values FILE.").format(
        sets=" ".join(f"--set {key}=..." for key in _keys(d)[:3])),
}
"""Next actions as command lines, by `SopError.suggest`."""


def _lines(d: Details) -> list[str]:
    lines = d["lines"]
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def _count(d: Details, key: str) -> int:
    count = d[key]
    assert isinstance(count, int)
    return count


def _all_runs(d: Details) -> str:
    runs = d["runs"]
    assert isinstance(runs, list)
    return ", ".join(str(run) for run in runs)


def _first(d: Details) -> str:
    runs = d["runs"]
    assert isinstance(runs, list)
    return str(runs[0])


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
        return _("There are no runs; start one with `sop start SOP`.")
    more = "\n  " + _("... and more (`sop runs --all`)") if d["more"] else ""
    return (_("Runs:") + "\n" if d["all"] else "") + "\n".join(lines) + more


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
