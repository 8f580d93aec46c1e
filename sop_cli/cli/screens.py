"""What `sop status` and `sop runs` print, and the lines the other run screens share.

One definition of these two screens for both ways `sop` answers them: the Typer commands in
`cli/runs.py` and the quick path (`cli/quick.py`, no Typer) call `status` and `runs` here, so the
words and bytes cannot drift apart. No Typer; rich only through `cli/output.py` (the colour and the
bar, on a terminal; `sop runs`'s table).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sop_cli.cli.output import fit, one_line, paint, plain_table, print_json, tanggal, tanggal_pendek, with_bar
from sop_cli.i18n import N_, _, language, ngettext

if TYPE_CHECKING:
    from sop_cli.run.periods import Period
    from sop_cli.run.views import CurrentView, LaneView, RunListRow, RunView, SourceFile

LABELS = (N_("SOP"), N_("For"), N_("Sub-SOP"), N_("Started"), N_("Due"), N_("Status"), N_("Next"), N_("Run due"),
          N_("Progress"), N_("Parallel"), N_("Current"), N_("Who"), N_("Since"), N_("Time"), N_("Outside"))
"""The labels of the run screens, aligned to the longest in the interface language."""


def status(run: str | None, store: str | None, as_json: bool) -> None:
    """`sop status`: where a run stands."""
    from sop_cli.cli.parse import session
    from sop_cli.run.service import run_status

    view = run_status(session(store, reading=True), run)
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    say(f"{paint(view['run'], 'bold')}  {view['title']}")
    print_identity(view)
    print_progress(view)
    if view["status"] == "finished":
        if view["outcome"] == "ditolak":
            finished = _("finished {when} — ditolak (refused or returned at a decision)")
        else:
            finished = _("finished {when}")
        line(_("Status"), finished.format(when=tanggal(view["finished_at"])))
        _print_totals(view)
    elif view["status"] == "cancelled":
        line(_("Status"), _("cancelled {when}: {reason}").format(when=tanggal(view["cancelled_at"]),
                                                                        reason=view["cancel_reason"]))
    else:
        print_current(view)
        upcoming = view["next_steps"]
        for i, planned in enumerate(upcoming[:3]):
            line(_("Next") if i == 0 else "", _("{step:>2}  {kegiatan}  ({lanes})  due {due}").format(
                step=planned["step"], kegiatan=planned["kegiatan"], lanes=lanes_text(planned["lanes"]),
                due=tanggal_pendek(planned["planned_due"])), 4)
        if len(upcoming) > 3:
            line("", _("... {count} more").format(count=len(upcoming) - 3))
        line(_("Run due"), _("{when} (forecast)").format(when=tanggal(view["planned_end"])))
    _print_source_warning(view["sop_file"], view["run"])


def runs(*, include_all: bool, limit: int, org: str | None, sop: str | None, year: int | None, late: bool,
         store: str | None, as_json: bool, untuk: str | None = None, period: Period | None = None) -> None:
    """`sop runs`: the runs of the store, one row each; cases (service SOPs) as the counter sees
    them: whom each is for, who has it now, received and due. A name or a period looks for cases
    whatever became of them (every status)."""
    from sop_cli.cli.parse import session
    from sop_cli.run.service import list_runs

    if period is not None or untuk:
        include_all = True
    rows, total = list_runs(session(store, reading=True), include_all=include_all, limit=limit or None, org=org,
                            sop=sop, year=year, late=late, untuk=untuk, period=period)
    if as_json:
        print_json(rows)
        return
    if not rows:
        if org or sop or year or late or untuk or period:
            print(_("No runs match."))
        else:
            print(_("No runs.") if include_all else _("No active runs (`sop runs --all` lists finished ones)."))
        return
    if any(r["case_number"] is not None for r in rows):
        _print_cases(rows)
    else:
        _print_runs(rows)
    if total > len(rows):
        every = "sop runs --all --limit 0" if include_all else "sop runs --limit 0"
        say(_("(the {count} most recently started of {total} runs; `{every}` lists them all)").format(
            count=len(rows), total=f"{total:,}", every=every))


def _where_due_state(r: RunListRow, detail: str | None) -> tuple[str, str, str]:
    """A listed run's current step with `detail` (its kegiatan, or who has the case), when it is
    due, and on time or late; "-" for a run that has ended."""
    from sop_cli.run.views import status_word

    if r["status"] != "active":
        return "-", "-", status_word(r["status"])
    due = tanggal_pendek(r["current_due"]) if r["current_due"] else "sesuai jadwal"
    state = paint(_("LATE"), "red") if r["late"] else paint(_("on time"), "green")
    return f"{r['current_step']} {detail or ''}", due, state


def _print_cases(rows: list[RunListRow]) -> None:
    """The counter's view: each case, whom it is for, who has it now, since and due when."""
    table = []
    for r in rows:
        where, due, state = _where_due_state(r, r["holder"])
        table.append([r["run"], r["untuk"] or "-", tanggal_pendek(r["started_at"]) if r["started_at"] else "-",
                      where, due, state])
    print(plain_table([_("Case"), _("For"), _("Received"), _("With"), _("Due"), _("State")], table,
                      keep=frozenset({0, 5}), last=frozenset({2, 4})))


def _print_runs(rows: list[RunListRow]) -> None:
    table = []
    for r in rows:
        where, due, state = _where_due_state(r, r["current_kegiatan"])
        done, total = r["progress"]["done"], r["progress"]["total"]
        progress = with_bar(f"{done}/{total}", done, total, 10, " ")
        table.append([r["run"], r["sop"], str(r["year"]), where, progress, due, state])
    print(plain_table([_("Run"), "SOP", _("Year"), _("Current step"), _("Progress"), _("Due"), _("State")], table,
                      frozenset({2}), keep=frozenset({0, 2, 6}), last=frozenset({4, 5})))


# The lines the run screens share ---------------------------------------------------------------


def say(text: str, hang: int | None = None) -> None:
    """Print a line wrapped at words to the terminal (see `output.fit`)."""
    print(fit(text, hang))


def line(label: str, text: str, extra: int = 0) -> None:
    """Print `Label     text`, the labels of a screen aligned, wrapped lines under the text."""
    width = _label_width(language())
    print(fit(f"{label:<{width}} {text}", width + 1 + extra))


@functools.cache
def _label_width(lang: str) -> int:
    """The width of the longest label in the interface language `lang` (the current one)."""
    return max(9, *(len(_(name)) for name in LABELS))


def print_identity(view: RunView) -> None:
    sop = view["sop"]
    line("SOP", f"{sop['id']}  ({sop['organisasi']}, {sop['pemerintah']})")
    if view.get("untuk"):
        line(_("For"), str(view["untuk"]))
    parent = view.get("parent")
    if parent:
        line(_("Sub-SOP"), _("of run {run}, step {step} (done there when this run finishes)").format(
            run=parent["run"], step=parent["step"]))


def print_progress(view: RunView) -> None:
    p = view["progress"]
    loops = view["rework_loops"]
    steps = ngettext("{done}/{total} step", "{done}/{total} steps", p["total"]).format(done=p["done"], total=p["total"])
    if loops:
        steps = ngettext("{steps}, {loops} rework loop", "{steps}, {loops} rework loops", loops).format(
            steps=steps, loops=loops)
    line(_("Progress"), with_bar(steps, p["done"], p["total"]))


def print_current(view: RunView) -> None:
    steps = view.get("current_steps") or ([view["current"]] if view["current"] else [])
    if len(steps) > 1:
        listed = _or(str(c["step"]) for c in steps)
        line(_("Parallel"), _("steps {listed} are current at the same time; the next step waits for all "
                              "(`sop advance --run {run} --step N` completes one)").format(listed=listed, run=view["run"]))
    for current in steps:
        _print_one_current(view, current)


def lanes_text(lanes: list[LaneView]) -> str:
    return ", ".join(f"{lane['nama']} ({lane['person']})" if lane["person"] else lane["nama"] for lane in lanes)


def _or(items: Iterable[str]) -> str:
    """`1 and 2`, `1, 2 and 3`."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return _("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


def _print_one_current(view: RunView, current: CurrentView) -> None:
    from sop_cli.worktime import format_minutes

    line(_("Current"), _("step {step}: {kegiatan}  ({waktu})").format(**current))
    line(_("Who"), lanes_text(current["lanes"]))
    line(_("Since"), tanggal(current["since"]))
    if current.get("sub_sop"):
        if current.get("sub_run"):
            line(_("Sub-SOP"), _("done by run {run} ({sop}); this step completes when it finishes").format(
                run=current["sub_run"], sop=current["sub_sop"]))
        else:
            line(_("Sub-SOP"), _("{sop}: start it with `sop start {sop} --parent {run}`").format(
                sop=current["sub_sop"], run=view["run"]))
    if current.get("external"):
        line(_("Due"), _("outside the office (eksternal): waiting pauses the office's clock; never late"))
        return
    if current.get("untimed"):
        line(_("Due"), _("no fixed time (sesuai jadwal): tracked, never late"))
        return
    if current["late"]:
        state = paint(_("LATE by {time}").format(time=format_minutes(current["late_minutes"], view["day_minutes"])),
                      "red")
    else:
        state = _("{time} of working time left").format(
            time=format_minutes(current["remaining_minutes"], view["day_minutes"]))
    line(_("Due"), f"{tanggal(current['due'])} — {state}")


def _print_totals(view: RunView) -> None:
    from sop_cli.worktime import format_minutes

    done = [v for v in view["visits"] if v["completed_at"]]
    inside = [v for v in done if not v.get("external")]
    actual = sum(v["actual_minutes"] or 0 for v in inside)
    standard = sum(v["standard_minutes"] for v in inside)
    late = sum(1 for v in done if v["late"])
    line(_("Time"), ngettext("{actual} of working time over {count} step visit (standard {standard}); {late} late",
                             "{actual} of working time over {count} step visits (standard {standard}); {late} late",
                             len(inside)).format(actual=format_minutes(actual, view["day_minutes"]), count=len(inside),
                                                 standard=format_minutes(standard, view["day_minutes"]), late=late))
    if len(inside) < len(done):
        line(_("Outside"), _("{time} waiting outside the office (waktu di luar kantor: eksternal lanes, not "
                             "counted against the office)").format(
            time=format_minutes(view["external_minutes"], view["day_minutes"])))


def _print_source_warning(source: SourceFile, run: str) -> None:
    if source["state"] == "changed":
        say(paint(_("Note: the SOP file changed since the run started ({path}); this run keeps the definition "
                    "it started with.").format(path=source["path"]), "yellow"))
        import shlex

        from sop_cli.cli.output import shown

        command = f"sop diff --run {shlex.quote(run)} {shlex.quote(str(source['path']))}"
        say(shown(_("What the new version would change for this run: {command}").format(command=command)))
    elif source["state"] == "missing":
        say(paint(_("Note: the SOP file is gone ({path}); this run keeps the definition it started with.").format(
            path=source["path"]), "yellow"))
