"""Commands about runs: start, advance, status, runs, log, undo, cancel, note.

Each command parses its options, calls one function of `sop_cli.run.service`, and prints the view it
returns (plain text, or `--json`). No rich, yaml or jinja2 here: these are typed all day.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sop_cli.cli import app, complete, periods, screens
from sop_cli.cli.options import JSON, ORG, RUN, STORE
from sop_cli.cli.output import one_line, paint, plain_table, print_json, tanggal, tanggal_pendek
from sop_cli.cli.screens import lanes_text, line, print_current, print_identity, print_progress, say
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.run.views import (
        EventView,
        PlannedView,
        RunView,
        VisitView,
    )

BY = typer.Option(None, "--by", metavar=N_("NAME"), help=N_("Who did it (default: the person assigned to the step's lane, else $SOP_USER, else your user name)."))
AT_HELP = N_("When it happened, in the organisation's time zone: '2026-11-26 09:30', '26/11/2026 09:30', "
             "'09:30' (today), 'kemarin 14:00', or a date ('26-11-2026', 'hari ini', 'kemarin': "
             "end of office hours that day); default now.")

EVENT_KINDS = {
    "started": N_("started"),
    "step_completed": N_("step completed"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "undone": N_("undone"),
    "cancelled": N_("cancelled"),
    "note": N_("note"),
    "attachment": N_("attachment"),
    "sub_run_started": N_("sub-SOP run started"),
    "erased": N_("personal data erased"),
}
"""Event kinds as the log shows them (translated at use)."""

@app.command("start", help=N_("Start a run of an SOP for a year and print its forecast: the planned start and due time of every step."))
def start_command(
    sop: str = typer.Argument(..., metavar="SOP", help=N_("SOP id, e.g. renja or nganjuk/kecamatan-ngronggot/renja."),
                              autocompletion=complete.sop_ids),
    org: str | None = ORG,
    year: int | None = typer.Option(None, "--year", "-y", metavar=N_("YEAR"), help=N_("The year the run is for, 2000 to 2100 (default: the year being planned, next year).")),
    title: str | None = typer.Option(None, "--title", "-t", metavar=N_("TEXT"), help=N_("Title (default: the SOP's name and the year).")),
    at: str | None = typer.Option(None, "--at", metavar=N_("TIME"), help=N_("When the run started (default now; a date alone means 07.30 that day).")),
    assign: list[str] | None = typer.Option(None, "--assign", "-a", metavar=N_("LANE=NAME"), help=N_("Who fills a lane, e.g. --assign camat='Drs. Budi'. Repeatable.")),
    by: str | None = typer.Option(None, "--by", metavar=N_("NAME"), help=N_("Who starts the run (default: $SOP_USER, else your user name).")),
    again: bool = typer.Option(False, "--again", help=N_("Start a second run although the SOP already has one for the year.")),
    if_new: bool = typer.Option(False, "--if-new", help=N_("Start only if the SOP has no run for the year; else say which run it has (exit 0).")),
    parent: str | None = typer.Option(None, "--parent", metavar=N_("RUN"), help=N_("Start it as the sub-SOP of the current step of the run RUN (sub_sop); that step is done when this run finishes.")),
    parent_step: int | None = typer.Option(None, "--parent-step", metavar="N", help=N_("With --parent: the parent's step, when several current steps name this SOP.")),
    untuk: str | None = typer.Option(None, "--untuk", "-u", metavar=N_("NAME"), help=N_("Service SOP: whom the case is for (the applicant). Personal data: kept apart from the log, erasable with `sop cases purge`.")),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.cli.parse import optional_at, parse_assignments, session
    from sop_cli.errors import ConflictError, UsageError
    from sop_cli.run.service import run_status, start_run

    if again and if_new:
        raise UsageError(_("Give either --again or --if-new, not both."))
    try:
        view = start_run(session(store, by), sop, org=org, year=year, title=title, at=optional_at(at),
                         assign=parse_assignments(assign or []), again=again, parent=parent, parent_step=parent_step,
                         untuk=untuk)
        complete.remember(view["run"])  # what Tab offers changed: the quick path answers from it
    except ConflictError as error:
        if not (if_new and error.code == "run_exists"):
            raise
        runs = error.details["runs"]
        assert isinstance(runs, list)
        view = run_status(session(store, reading=True), str(runs[0]))
        if as_json:
            print_json(view)
            return
        view = one_line(view)
        say(_("Already started {run} for {year}: {title} (nothing new was started)").format(
            run=paint(view["run"], "bold"), year=view["year"], title=view["title"]))
        if assign or title or at:
            say(_("The run keeps what it was started with; --assign, --title and --at were not applied."))
        print_identity(view)
        print_progress(view)
        print_current(view)
        return
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    if view["case_number"] is not None:
        say(_("Started case {run}: {title}").format(run=paint(view["run"], "bold"), title=view["title"]))
    else:
        say(_("Started {run} for {year}: {title}").format(run=paint(view["run"], "bold"), year=view["year"],
                                                           title=view["title"]))
    taken = view.get("id_taken")
    if taken:
        say(_("(the id {run} belongs to the run of {sop} for {year})").format(**taken))
    print_identity(view)
    line(_("Started"), _("{when}  (by {actor})").format(when=tanggal(view["started_at"]),
                                                              actor=view["recorded"]["actor"]))
    line(_("Due"), _("{when}  (forecast, without rework)").format(when=tanggal(view["planned_end"])))
    print()
    _print_forecast(view, view["forecast"])
    first = view["current"]
    if first is not None:  # a new run always has its first step current
        say("\n" + _("Next: when step {step} is done, `sop advance --run {run} --step {step}`.").format(
            step=first["step"], run=view["run"]))


@app.command("advance", help=N_("Complete the current step of a run (on a decision step: --approve, or --reject --reason)."))
def advance_command(
    run: str | None = RUN,
    step: int | None = typer.Option(None, "--step", "-s", metavar="N", help=N_("Refuse unless step N is the current step (without it: the step current when you pressed Enter)."),
                                      autocompletion=complete.step_numbers),
    by: str | None = BY,
    note: str | None = typer.Option(None, "--note", "-n", metavar=N_("TEXT"), help=N_("A remark kept with the step.")),
    attach: list[Path] | None = typer.Option(None, "--attach", metavar=N_("FILE"), help=N_("Keep a copy of FILE (with its SHA-256) with the run. Repeatable.")),
    at: str | None = typer.Option(None, "--at", metavar=N_("TIME"), help=N_(
        "When it happened, in the organisation's time zone: '2026-11-26 09:30', '26/11/2026 09:30', "
        "'09:30' (today), 'kemarin 14:00', or a date ('26-11-2026', 'hari ini', 'kemarin': "
        "end of office hours that day); default now. Not before the step became current.")),
    approve: bool = typer.Option(False, "--approve", help=N_("Decision step: YA, go on.")),
    reject: bool = typer.Option(False, "--reject", help=N_("Decision step: TIDAK, send the run back for rework (needs --reason).")),
    reason: str | None = typer.Option(None, "--reason", metavar=N_("TEXT"), help=N_("Why the step is rejected.")),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.cli.parse import optional_at, session
    from sop_cli.run.service import advance

    view = advance(session(store, by), run, step=step, note=note, attach=attach or [], at=optional_at(at),
                   approve=approve, reject=reject, reason=reason)
    complete.remember(view["run"])  # what Tab offers changed: the quick path answers from it
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    event = view["recorded"]
    done = next(v for v in reversed(view["visits"]) if v["completed_at"] and v["step"] == event["step"])
    wording = {"approved": N_("{run}: step {step} approved by {actor}, {when}{timing}."),
               "rejected": N_("{run}: step {step} rejected by {actor}, {when}{timing}.")}.get(
        event["kind"], N_("{run}: step {step} done by {actor}, {when}{timing}."))
    say(_(wording).format(run=view["run"], step=event["step"], actor=event["actor"], when=tanggal(event["at"]),
                           timing=_timing(done, view["day_minutes"])))
    if event.get("reason"):
        say(_("Reason: {reason}").format(reason=event["reason"]))
    for item in event.get("attachments", []):
        say(_("Attached {name} (sha256 {sha}…, {size} bytes)").format(name=item["name"], sha=item["sha256"][:12],
                                                                        size=item["size"]))
    current = view["current"]
    if event["kind"] == "rejected" and view["status"] == "finished":
        say(_("TIDAK ends the process: the request is refused or returned (ditolak)."))
    elif event["kind"] == "rejected" and current is not None and event.get("rework"):
        say(_("Back to step {step} for rework (rework loop {loop}).").format(step=current["step"],
                                                                             loop=view["rework_loops"]))
    elif event["kind"] == "rejected" and current is not None:
        say(_("TIDAK goes on to step {step}.").format(step=current["step"]))
    print_progress(view)
    if view["status"] == "finished":
        if view["outcome"] == "ditolak":
            say(_("Run {run} is finished (ditolak: refused or returned at a decision).").format(run=view["run"]))
        else:
            say(_("Run {run} is finished.").format(run=view["run"]))
        if view.get("parent"):
            parent = view["parent"]
            say(_("It was the sub-SOP of run {run}, step {step}: that step is done with it "
                   "(see `sop status --run {run}`).").format(run=parent["run"], step=parent["step"]))
        return
    print_current(view)


@app.command("status", help=N_("Where a run stands: the current step, who has it, when it is due, progress, next steps."))
def status_command(run: str | None = RUN, store: str | None = STORE, as_json: bool = JSON) -> None:
    screens.status(run, store, as_json)


@app.command("runs", help=N_(
    "List the active runs (all runs with --all) of every unit the store lets you read: SOP, year, "
    "current step, progress, late or on time; --org, --sop, --year and --late narrow the list."))
def runs_command(
    include_all: bool = typer.Option(False, "--all", "-a", help=N_("Also list finished and cancelled runs.")),
    limit: int = typer.Option(50, "--limit", "-n", min=0, metavar="N", help=N_("At most the N most recently started runs (0: all).")),
    org: str | None = typer.Option(None, "--org", "-o", metavar=N_("ORG"), help=N_("Only this organisation's runs (its id, or the id's last word: ngronggot).")),
    sop: str | None = typer.Option(None, "--sop", metavar="SOP", help=N_("Only runs of this SOP (renja, or a full id).")),
    year: int | None = typer.Option(None, "--year", "-y", metavar=N_("YEAR"), help=N_("Only runs for this year.")),
    late: bool = typer.Option(False, "--late", help=N_("Only active runs whose current step is past due.")),
    untuk: str | None = typer.Option(None, "--untuk", "-u", metavar=N_("NAME"), help=N_("Only cases for someone whose name contains NAME (any case).")),
    bulan: str | None = periods.BULAN,
    dari: str | None = periods.DARI,
    sampai: str | None = periods.SAMPAI,
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    screens.runs(include_all=include_all, limit=limit, org=org, sop=sop, year=year, late=late, store=store,
                 as_json=as_json, untuk=untuk, period=periods.parse_period(bulan=bulan, dari=dari, sampai=sampai))


@app.command("log", help=N_(
    "The audit trail of a run: every event with when, who (with the database user in brackets in a "
    "shared store, and the OS user) and details."))
def log_command(run: str | None = RUN, store: str | None = STORE, as_json: bool = JSON) -> None:
    from sop_cli.cli.parse import session
    from sop_cli.run.service import run_log

    view = run_log(session(store, reading=True), run)
    if as_json:
        print_json(view["events"])
        return
    view = one_line(view)
    say(_("{run}  {title}  ({sop}, times {zone})").format(run=paint(view["run"], "bold"), title=view["title"],
                                                         sop=view["sop"]["id"], zone=view["sop"]["zona_waktu"]))
    if view.get("untuk"):
        say(_("For: {name}").format(name=view["untuk"]))
    rows = []
    for e in view["events"]:
        kind = _(EVENT_KINDS[e["kind"]]) if e["kind"] in EVENT_KINDS else e["kind"]
        if e["undone_by"]:
            kind = _("{kind} (undone by #{seq})").format(kind=kind, seq=e["undone_by"])
        # In a shared store the database user who wrote the event stands beside the --by name.
        who = f"{e['actor']} [{e['db_user']}]" if e.get("db_user") else e["actor"]
        rows.append([str(e["seq"]), tanggal_pendek(e["at"], year=True), kind, str(e["step"] or "-"),
                     who, e["os_user"], _details(e)])
    print(plain_table(["#", _("When"), _("Event"), _("Step"), _("By"), _("OS user"), _("Details")], rows,
                      frozenset({0, 3}), keep=frozenset({0, 3}), last=frozenset({1})))


@app.command("undo", help=N_(
    "Reverse the last step event by appending an 'undone' event (history is never deleted).\n\n"
    "Only the event that was last when you pressed Enter is undone; if someone records or undoes a "
    "step in between, nothing is undone (exit 3)."))
def undo_command(
    run: str | None = RUN,
    reason: str | None = typer.Option(None, "--reason", metavar=N_("TEXT"), help=N_("Why (required; kept in the log).")),
    step: int | None = typer.Option(None, "--step", "-s", metavar="N", help=N_("Refuse unless the last step event is step N's."),
                                      autocompletion=complete.step_numbers),
    event: int | None = typer.Option(None, "--event", "-e", metavar="N", help=N_("Refuse unless the last step event is event N of `sop log`.")),
    by: str | None = typer.Option(None, "--by", metavar=N_("NAME"), help=N_("Who undoes it (default: $SOP_USER, else your user name).")),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.cli.parse import session
    from sop_cli.run.service import undo

    view = undo(session(store, by), run, reason=reason or "", step=step, event=event)
    complete.remember(view["run"])  # what Tab offers changed: the quick path answers from it
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    recorded = view["recorded"]
    say(_("{run}: undid event #{seq} (step {step}); reason: {reason}").format(
        run=view["run"], seq=recorded["undoes"], step=recorded["step"], reason=recorded["reason"]))
    print_progress(view)
    print_current(view)


@app.command("cancel", help=N_("End a run that will not be completed (it stays in the store and its log)."))
def cancel_command(
    run: str | None = RUN,
    reason: str | None = typer.Option(None, "--reason", metavar=N_("TEXT"), help=N_("Why the run ends (required).")),
    by: str | None = typer.Option(None, "--by", metavar=N_("NAME"), help=N_("Who cancels it (default: $SOP_USER, else your user name).")),
    at: str | None = typer.Option(None, "--at", metavar=N_("TIME"), help=AT_HELP),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.cli.parse import optional_at, session
    from sop_cli.run.service import cancel

    view = cancel(session(store, by), run, reason=reason or "", at=optional_at(at))
    complete.remember(view["run"])  # what Tab offers changed: the quick path answers from it
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    say(_("{run} cancelled {when}: {reason}").format(run=view["run"], when=tanggal(view["cancelled_at"]),
                                                       reason=view["cancel_reason"]))


@app.command("note", help=N_("Add a remark and/or files to a run's log without moving the run."))
def note_command(
    text: str | None = typer.Argument(None, metavar=N_("TEXT"), help=N_("The remark.")),
    run: str | None = RUN,
    attach: list[Path] | None = typer.Option(None, "--attach", metavar=N_("FILE"), help=N_("Keep a copy of FILE (with its SHA-256) with the run. Repeatable.")),
    by: str | None = typer.Option(None, "--by", metavar=N_("NAME"), help=N_("Who writes it (default: $SOP_USER, else your user name).")),
    at: str | None = typer.Option(None, "--at", metavar=N_("TIME"), help=AT_HELP),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.cli.parse import optional_at, session
    from sop_cli.run.service import add_note

    view = add_note(session(store, by), run, text=text, attach=attach or [], at=optional_at(at))
    complete.remember(view["run"])  # what Tab offers changed: the quick path answers from it
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    event = view["recorded"]
    say(_("{run}: {kind} #{seq} added ({details}).").format(run=view["run"], kind=_(EVENT_KINDS[event["kind"]]),
                                                              seq=event["seq"], details=_details(event)))


# Printing -------------------------------------------------------------------------------------

def _print_forecast(view: RunView, planned: list[PlannedView]) -> None:
    rows = [
        [str(p["step"]), p["kegiatan"], lanes_text(p["lanes"]), p["waktu"],
         tanggal_pendek(p["planned_start"]), tanggal_pendek(p["planned_due"])]
        for p in planned
    ]
    print(plain_table(["No", "Kegiatan", "Pelaksana", "Waktu", _("Start"), _("Due")], rows, frozenset({0}),
                      keep=frozenset({0}), last=frozenset({3, 4, 5})))
    say(_("(working time {zone}: {hours}; days without office hours, national holidays and cuti bersama "
           "skipped)").format(zone=view["sop"]["zona_waktu"], hours=view["office_hours"]))


def _timing(visit: VisitView, day_minutes: int) -> str:
    """How long the step took, its hari as long as the office's working day."""
    from sop_cli.worktime import format_minutes

    actual = visit["actual_minutes"]
    if actual is None:
        return ""
    from sop_cli.definition.duration import parse_duration

    try:
        untimed = parse_duration(visit["waktu"]).untimed
    except ValueError:
        untimed = False
    if untimed:
        return " — " + _("{time} of working time (no fixed time: {waktu})").format(time=format_minutes(actual, day_minutes),
                                                                                 waktu=visit["waktu"])
    if visit.get("external"):
        return " — " + _("{time} outside the office (eksternal: not counted against the office)").format(
            time=format_minutes(actual, day_minutes))
    verdict = _("late ({time} of {waktu})") if visit["late"] else _("on time ({time} of {waktu})")
    return " — " + verdict.format(time=format_minutes(actual, day_minutes), waktu=visit["waktu"])


def _details(event: EventView) -> str:
    parts = []
    if event["kind"] == "started":
        details = event.get("details", {})
        parts.append(_("\"{title}\" ({sop}, year {year})").format(
            title=details.get("title", ""), sop=details.get("sop", ""), year=details.get("year", "")))
        assigned = details.get("assignments") or {}
        if assigned:
            parts.append(_("assigned {pairs}").format(pairs=", ".join(f"{k}={v}" for k, v in assigned.items())))
    if event["kind"] == "erased":
        from sop_cli.run.cases import describe

        parts.append(describe(event.get("details", {})))
    if "undoes" in event:
        parts.append(_("undoes #{seq}").format(seq=event["undoes"]))
    if event.get("sub_run"):
        parts.append(_("sub-SOP run {run}").format(run=event["sub_run"]))
    if event["kind"] == "started" and event.get("details", {}).get("parent"):
        parent = event["details"]["parent"]
        parts.append(_("sub-SOP of run {run}, step {step}").format(run=parent.get("run"), step=parent.get("step")))
    if event.get("reason"):
        parts.append(_("reason: {reason}").format(reason=event["reason"]))
    if event.get("note"):
        parts.append(_("note: {note}").format(note=event["note"]))
    for item in event.get("attachments", []):
        parts.append(_("file {name} sha256 {sha}").format(name=item["name"], sha=item.get("sha256", "")[:12]))
    at, recorded = event["at"], event["recorded_at"]
    if f"{recorded:%Y-%m-%d %H:%M}" != f"{at:%Y-%m-%d %H:%M}":
        parts.append(_("recorded {when}").format(when=tanggal_pendek(recorded)))
    return "; ".join(parts)
