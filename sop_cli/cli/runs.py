"""Commands about runs: start, advance, status, runs, log, undo, cancel, note.

Each command parses its options, calls one function of `sop_cli.run.service`, and prints the view it
returns (plain text, or `--json`). No rich, yaml or jinja2 here: these are typed all day.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sop_cli.cli import app, complete
from sop_cli.cli.options import JSON, ORG, RUN, STORE
from sop_cli.cli.output import (
    fit,
    one_line,
    paint,
    plain_table,
    print_json,
    progress_bar,
    tanggal,
    tanggal_pendek,
)

if TYPE_CHECKING:
    from sop_cli.run.engine import (
        CurrentView,
        EventView,
        LaneView,
        PlannedView,
        RunView,
        SourceFile,
        VisitView,
    )

BY = typer.Option(None, "--by", metavar="NAME", help="Who did it (default: the person assigned to the step's lane, else $SOP_USER, else your user name).")
AT_HELP = ("When it happened, in the organisation's time zone: '2026-11-26 09:30', '26/11/2026 09:30', "
           "'09:30' (today), 'kemarin 14:00', or a date ('26-11-2026', 'hari ini', 'kemarin': "
           "end of office hours that day); default now.")

_KINDS = {
    "started": "started",
    "step_completed": "step completed",
    "approved": "approved",
    "rejected": "rejected",
    "undone": "undone",
    "cancelled": "cancelled",
    "note": "note",
    "attachment": "attachment",
    "sub_run_started": "sub-SOP run started",
}


@app.command("start")
def start_command(
    sop: str = typer.Argument(..., help="SOP id, e.g. renja or nganjuk/kecamatan-ngronggot/renja.",
                              autocompletion=complete.sop_ids),
    org: str | None = ORG,
    year: int | None = typer.Option(None, "--year", "-y", metavar="YYYY", help="The year the run is for, 2000 to 2100 (default: the year being planned, next year)."),
    title: str | None = typer.Option(None, "--title", "-t", metavar="TEXT", help="Title (default: the SOP's name and the year)."),
    at: str | None = typer.Option(None, "--at", metavar="DATETIME", help="When the run started (default now; a date alone means 07.30 that day)."),
    assign: list[str] | None = typer.Option(None, "--assign", "-a", metavar="LANE=NAME", help="Who fills a lane, e.g. --assign camat='Drs. Budi'. Repeatable."),
    by: str | None = typer.Option(None, "--by", metavar="NAME", help="Who starts the run (default: $SOP_USER, else your user name)."),
    again: bool = typer.Option(False, "--again", help="Start a second run although the SOP already has one for the year."),
    if_new: bool = typer.Option(False, "--if-new", help="Start only if the SOP has no run for the year; else say which run it has (exit 0)."),
    parent: str | None = typer.Option(None, "--parent", metavar="RUN", help="Start it as the sub-SOP of RUN's current step (sub_sop); that step is done when this run finishes."),
    parent_step: int | None = typer.Option(None, "--parent-step", metavar="N", help="With --parent: the parent's step, when several current steps name this SOP."),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    """Start a run of an SOP for a year and print its forecast: the planned start and due time of every step."""
    from sop_cli.cli.parse import actor, now, optional_at, os_user, parse_assignments
    from sop_cli.errors import ConflictError, UsageError
    from sop_cli.run.service import run_status, start_run

    if again and if_new:
        raise UsageError("Give either --again or --if-new, not both.")
    try:
        view = start_run(sop, org=org, year=year, title=title, at=optional_at(at),
                         assign=parse_assignments(assign or []), by=by, again=again, store=store, now=now(),
                         actor=actor(), os_user=os_user(), parent=parent, parent_step=parent_step)
    except ConflictError as error:
        if not (if_new and error.code == "run_exists"):
            raise
        runs = error.details["runs"]
        assert isinstance(runs, list)
        view = run_status(str(runs[0]), store=store, now=now())
        if as_json:
            print_json(view)
            return
        view = one_line(view)
        _say(f"Already started {paint(view['run'], 'bold')} for {view['year']}: {view['title']} "
              "(nothing new was started)")
        if assign or title or at:
            _say("The run keeps what it was started with; --assign, --title and --at were not applied.")
        _print_identity(view)
        _print_progress(view)
        _print_current(view)
        return
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    _say(f"Started {paint(view['run'], 'bold')} for {view['year']}: {view['title']}")
    taken = view.get("id_taken")
    if taken:
        _say(f"(the id {taken['run']} belongs to the run of {taken['sop']} for {taken['year']})")
    _print_identity(view)
    _say(f"Started   {tanggal(view['started_at'])}  (by {view['recorded']['actor']})")
    _say(f"Due       {tanggal(view['planned_end'])}  (forecast, without rework)")
    print()
    _print_forecast(view, view["forecast"])
    first = view["current"]
    if first is not None:  # a new run always has its first step current
        _say(f"\nNext: when step {first['step']} is done, `sop advance --run {view['run']} --step {first['step']}`.")


@app.command("advance")
def advance_command(
    run: str | None = RUN,
    step: int | None = typer.Option(None, "--step", "-s", metavar="N", help="Refuse unless step N is the current step (without it: the step current when you pressed Enter).",
                                      autocompletion=complete.step_numbers),
    by: str | None = BY,
    note: str | None = typer.Option(None, "--note", "-n", metavar="TEXT", help="A remark kept with the step."),
    attach: list[Path] | None = typer.Option(None, "--attach", metavar="FILE", help="Keep a copy of FILE (with its SHA-256) with the run. Repeatable."),
    at: str | None = typer.Option(None, "--at", metavar="DATETIME", help=AT_HELP + " Not before the step became current."),
    approve: bool = typer.Option(False, "--approve", help="Decision step: YA, go on."),
    reject: bool = typer.Option(False, "--reject", help="Decision step: TIDAK, send the run back for rework (needs --reason)."),
    reason: str | None = typer.Option(None, "--reason", metavar="TEXT", help="Why the step is rejected."),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    """Complete the current step of a run (on a decision step: --approve, or --reject --reason)."""
    from sop_cli.cli.parse import actor, now, optional_at, os_user
    from sop_cli.run.service import advance

    view = advance(run, step=step, by=by, note=note, attach=attach or [], at=optional_at(at), approve=approve,
                   reject=reject, reason=reason, store=store, now=now(), actor=actor(), os_user=os_user())
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    event = view["recorded"]
    done = next(v for v in reversed(view["visits"]) if v["completed_at"] and v["step"] == event["step"])
    verb = {"approved": "approved", "rejected": "rejected"}.get(event["kind"], "done")
    timing = _timing(done)
    _say(f"{view['run']}: step {event['step']} {verb} by {event['actor']}, {tanggal(event['at'])}{timing}.")
    if event.get("reason"):
        _say(f"Reason: {event['reason']}")
    for item in event.get("attachments", []):
        _say(f"Attached {item['name']} (sha256 {item['sha256'][:12]}…, {item['size']} bytes)")
    current = view["current"]
    if event["kind"] == "rejected" and view["status"] == "finished":
        _say("TIDAK ends the process: the request is refused or returned (ditolak).")
    elif event["kind"] == "rejected" and current is not None:
        _say(f"Back to step {current['step']} for rework (rework loop {view['rework_loops']}).")
    _print_progress(view)
    if view["status"] == "finished":
        ending = " (ditolak: refused or returned at a decision)" if view["outcome"] == "ditolak" else ""
        _say(f"Run {view['run']} is finished{ending}.")
        if view.get("parent"):
            parent = view["parent"]
            _say(f"It was the sub-SOP of run {parent['run']}, step {parent['step']}: that step is done with it "
                  f"(see `sop status --run {parent['run']}`).")
        return
    _print_current(view)


@app.command("status")
def status_command(run: str | None = RUN, store: str | None = STORE, as_json: bool = JSON) -> None:
    """Where a run stands: the current step, who has it, when it is due, progress, next steps."""
    from sop_cli.cli.parse import now
    from sop_cli.run.service import run_status

    view = run_status(run, store=store, now=now())
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    _say(f"{paint(view['run'], 'bold')}  {view['title']}")
    _print_identity(view)
    _print_progress(view)
    if view["status"] == "finished":
        ending = " — ditolak (refused or returned at a decision)" if view["outcome"] == "ditolak" else ""
        _say(f"Status    finished {tanggal(view['finished_at'])}{ending}")
        _print_totals(view)
    elif view["status"] == "cancelled":
        _say(f"Status    cancelled {tanggal(view['cancelled_at'])}: {view['cancel_reason']}")
    else:
        _print_current(view)
        upcoming = view["next_steps"]
        for i, planned in enumerate(upcoming[:3]):
            label = "Next" if i == 0 else ""
            _say(f"{label:<9} {planned['step']:>2}  {planned['kegiatan']}  ({_lanes(planned['lanes'])})"
                 f"  due {tanggal_pendek(planned['planned_due'])}", 13)
        if len(upcoming) > 3:
            _say(f"{'':<9} ... {len(upcoming) - 3} more")
        _say(f"Run due   {tanggal(view['planned_end'])} (forecast)")
    _print_source_warning(view["sop_file"], view["run"])


@app.command("runs")
def runs_command(
    include_all: bool = typer.Option(False, "--all", "-a", help="Also list finished and cancelled runs."),
    limit: int = typer.Option(50, "--limit", "-n", min=0, metavar="N", help="At most the N most recently started runs (0: all)."),
    org: str | None = typer.Option(None, "--org", "-o", metavar="ORG", help="Only this organisation's runs (its id, or the id's last word: ngronggot)."),
    sop: str | None = typer.Option(None, "--sop", metavar="SOP", help="Only runs of this SOP (renja, or a full id)."),
    year: int | None = typer.Option(None, "--year", "-y", metavar="YYYY", help="Only runs for this year."),
    late: bool = typer.Option(False, "--late", help="Only active runs whose current step is past due."),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    """List the active runs (all runs with --all) of every unit the store lets you read: SOP, year,
    current step, progress, late or on time; --org, --sop, --year and --late narrow the list."""
    from sop_cli.cli.parse import now
    from sop_cli.run.service import list_runs

    rows, total = list_runs(include_all=include_all, limit=limit or None, store=store, now=now(),
                            org=org, sop=sop, year=year, late=late)
    if as_json:
        print_json(rows)
        return
    if not rows:
        if org or sop or year or late:
            print("No runs match.")
        else:
            print("No runs." if include_all else "No active runs (`sop runs --all` lists finished ones).")
        return
    table = []
    for r in rows:
        if r["status"] == "active":
            state = paint("LATE", "red") if r["late"] else paint("on time", "green")
            where = f"{r['current_step']} {r['current_kegiatan'] or ''}"
            due = tanggal_pendek(r["current_due"]) if r["current_due"] else "sesuai jadwal"
        else:
            state, where, due = r["status"], "-", "-"
        progress = f"{progress_bar(r['progress']['done'], r['progress']['total'], 10)} {r['progress']['done']}/{r['progress']['total']}"
        table.append([r["run"], r["sop"], str(r["year"]), where, progress, due, state])
    print(plain_table(["Run", "SOP", "Year", "Current step", "Progress", "Due", "State"], table, frozenset({2}),
                      keep=frozenset({0, 2, 6}), last=frozenset({4, 5})))
    if total > len(rows):
        every = "sop runs --all --limit 0" if include_all else "sop runs --limit 0"
        _say(f"(the {len(rows)} most recently started of {total:,} runs; `{every}` lists them all)")


@app.command("log")
def log_command(run: str | None = RUN, store: str | None = STORE, as_json: bool = JSON) -> None:
    """The audit trail of a run: every event with when, who (with the database user [in brackets] in a
    shared store, and the OS user) and details."""
    from sop_cli.cli.parse import now
    from sop_cli.run.service import run_log

    view = run_log(run, store=store, now=now())
    if as_json:
        print_json(view["events"])
        return
    view = one_line(view)
    _say(f"{paint(view['run'], 'bold')}  {view['title']}  ({view['sop']['id']}, times {view['sop']['zona_waktu']})")
    rows = []
    for e in view["events"]:
        kind = _KINDS.get(e["kind"], e["kind"])
        if e["undone_by"]:
            kind += f" (undone by #{e['undone_by']})"
        # In a shared store the database user who wrote the event stands beside the --by name.
        who = f"{e['actor']} [{e['db_user']}]" if e.get("db_user") else e["actor"]
        rows.append([str(e["seq"]), tanggal_pendek(e["at"], year=True), kind, str(e["step"] or "-"),
                     who, e["os_user"], _details(e)])
    print(plain_table(["#", "When", "Event", "Step", "By", "OS user", "Details"], rows, frozenset({0, 3}),
                      keep=frozenset({0, 3}), last=frozenset({1})))


@app.command("undo")
def undo_command(
    run: str | None = RUN,
    reason: str | None = typer.Option(None, "--reason", metavar="TEXT", help="Why (required; kept in the log)."),
    step: int | None = typer.Option(None, "--step", "-s", metavar="N", help="Refuse unless the last step event is step N's.",
                                      autocompletion=complete.step_numbers),
    event: int | None = typer.Option(None, "--event", "-e", metavar="N", help="Refuse unless the last step event is event N of `sop log`."),
    by: str | None = typer.Option(None, "--by", metavar="NAME", help="Who undoes it (default: $SOP_USER, else your user name)."),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    """Reverse the last step event by appending an 'undone' event (history is never deleted).

    Only the event that was last when you pressed Enter is undone; if someone records or undoes a
    step in between, nothing is undone (exit 3).
    """
    from sop_cli.cli.parse import actor, now, os_user
    from sop_cli.run.service import undo

    view = undo(run, reason=reason or "", by=by, step=step, event=event, store=store, now=now(), actor=actor(),
                os_user=os_user())
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    recorded = view["recorded"]
    _say(f"{view['run']}: undid event #{recorded['undoes']} (step {recorded['step']}); reason: {recorded['reason']}")
    _print_progress(view)
    _print_current(view)


@app.command("cancel")
def cancel_command(
    run: str | None = RUN,
    reason: str | None = typer.Option(None, "--reason", metavar="TEXT", help="Why the run ends (required)."),
    by: str | None = typer.Option(None, "--by", metavar="NAME", help="Who cancels it (default: $SOP_USER, else your user name)."),
    at: str | None = typer.Option(None, "--at", metavar="DATETIME", help=AT_HELP),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    """End a run that will not be completed (it stays in the store and its log)."""
    from sop_cli.cli.parse import actor, now, optional_at, os_user
    from sop_cli.run.service import cancel

    view = cancel(run, reason=reason or "", by=by, at=optional_at(at), store=store, now=now(), actor=actor(),
                  os_user=os_user())
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    _say(f"{view['run']} cancelled {tanggal(view['cancelled_at'])}: {view['cancel_reason']}")


@app.command("note")
def note_command(
    text: str | None = typer.Argument(None, help="The remark."),
    run: str | None = RUN,
    attach: list[Path] | None = typer.Option(None, "--attach", metavar="FILE", help="Keep a copy of FILE (with its SHA-256) with the run. Repeatable."),
    by: str | None = typer.Option(None, "--by", metavar="NAME", help="Who writes it (default: $SOP_USER, else your user name)."),
    at: str | None = typer.Option(None, "--at", metavar="DATETIME", help=AT_HELP),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    """Add a remark and/or files to a run's log without moving the run."""
    from sop_cli.cli.parse import actor, now, optional_at, os_user
    from sop_cli.run.service import add_note

    view = add_note(run, text=text, attach=attach or [], by=by, at=optional_at(at), store=store, now=now(),
                    actor=actor(), os_user=os_user())
    if as_json:
        print_json(view)
        return
    view = one_line(view)
    event = view["recorded"]
    _say(f"{view['run']}: {_KINDS[event['kind']]} #{event['seq']} added ({_details(event)}).")


# Printing -------------------------------------------------------------------------------------


def _say(text: str, hang: int | None = None) -> None:
    """Print a line wrapped at words to the terminal (see `output.fit`)."""
    print(fit(text, hang))


def _print_identity(view: RunView) -> None:
    sop = view["sop"]
    _say(f"SOP       {sop['id']}  ({sop['organisasi']}, {sop['pemerintah']})")
    parent = view.get("parent")
    if parent:
        _say(f"Sub-SOP   of run {parent['run']}, step {parent['step']} (done there when this run finishes)")


def _print_progress(view: RunView) -> None:
    p = view["progress"]
    loops = view["rework_loops"]
    extra = f", {loops} rework loop{'s' if loops != 1 else ''}" if loops else ""
    _say(f"Progress  {progress_bar(p['done'], p['total'])}  {p['done']}/{p['total']} steps{extra}")


def _print_current(view: RunView) -> None:
    steps = view.get("current_steps") or ([view["current"]] if view["current"] else [])
    if len(steps) > 1:
        listed = " and ".join(str(c["step"]) for c in steps)
        _say(f"Parallel  steps {listed} are current at the same time; the next step waits for all "
             f"(`sop advance --run {view['run']} --step N` completes one)")
    for current in steps:
        _print_one_current(view, current)


def _print_one_current(view: RunView, current: CurrentView) -> None:
    from sop_cli.run.calendar import format_minutes

    _say(f"Current   step {current['step']}: {current['kegiatan']}  ({current['waktu']})")
    _say(f"Who       {_lanes(current['lanes'])}")
    _say(f"Since     {tanggal(current['since'])}")
    if current.get("sub_sop"):
        if current.get("sub_run"):
            _say(f"Sub-SOP   done by run {current['sub_run']} ({current['sub_sop']}); this step completes when it finishes")
        else:
            _say(f"Sub-SOP   {current['sub_sop']}: start it with `sop start {current['sub_sop']} --parent {view['run']}`")
    if current.get("external"):
        _say("Due       outside the office (eksternal): waiting pauses the office's clock; never late")
        return
    if current.get("untimed"):
        _say("Due       no fixed time (sesuai jadwal): tracked, never late")
        return
    if current["late"]:
        state = paint(f"LATE by {format_minutes(current['late_minutes'])}", "red")
    else:
        state = f"{format_minutes(current['remaining_minutes'])} of working time left"
    _say(f"Due       {tanggal(current['due'])} — {state}")


def _print_totals(view: RunView) -> None:
    from sop_cli.run.calendar import format_minutes

    done = [v for v in view["visits"] if v["completed_at"]]
    inside = [v for v in done if not v.get("external")]
    actual = sum(v["actual_minutes"] or 0 for v in inside)
    standard = sum(v["standard_minutes"] for v in inside)
    late = sum(1 for v in done if v["late"])
    _say(f"Time      {format_minutes(actual)} of working time over {len(inside)} step visits "
          f"(standard {format_minutes(standard)}); {late} late")
    if len(inside) < len(done):
        _say(f"Outside   {format_minutes(view['external_minutes'])} waiting outside the office "
             "(waktu di luar kantor: eksternal lanes, not counted against the office)")


def _print_forecast(view: RunView, planned: list[PlannedView]) -> None:
    rows = [
        [str(p["step"]), p["kegiatan"], _lanes(p["lanes"]), p["waktu"],
         tanggal_pendek(p["planned_start"]), tanggal_pendek(p["planned_due"])]
        for p in planned
    ]
    print(plain_table(["No", "Kegiatan", "Pelaksana", "Waktu", "Start", "Due"], rows, frozenset({0}),
                      keep=frozenset({0}), last=frozenset({3, 4, 5})))
    _say(f"(working time {view['sop']['zona_waktu']}: {view['office_hours']}; "
          "days without office hours, national holidays and cuti bersama skipped)")



def _print_source_warning(source: SourceFile, run: str) -> None:
    if source["state"] == "changed":
        _say(paint(f"Note: the SOP file changed since the run started ({source['path']}); "
                    "this run keeps the definition it started with.", "yellow"))
        import shlex

        from sop_cli.cli.output import shown

        command = f"sop diff --run {shlex.quote(run)} {shlex.quote(str(source['path']))}"
        _say(shown(f"What the new version would change for this run: {command}"))
    elif source["state"] == "missing":
        _say(paint(f"Note: the SOP file is gone ({source['path']}); this run keeps the definition it started with.", "yellow"))


def _lanes(lanes: list[LaneView]) -> str:
    return ", ".join(f"{lane['nama']} ({lane['person']})" if lane["person"] else lane["nama"] for lane in lanes)


def _timing(visit: VisitView) -> str:
    from sop_cli.run.calendar import format_minutes

    actual = visit["actual_minutes"]
    if actual is None:
        return ""
    from sop_cli.definition.duration import parse_duration

    try:
        untimed = parse_duration(visit["waktu"]).untimed
    except ValueError:
        untimed = False
    if untimed:
        return f" — {format_minutes(actual)} of working time (no fixed time: {visit['waktu']})"
    if visit.get("external"):
        return f" — {format_minutes(actual)} outside the office (eksternal: not counted against the office)"
    verdict = "late" if visit["late"] else "on time"
    return f" — {verdict} ({format_minutes(actual)} of {visit['waktu']})"


def _details(event: EventView) -> str:
    parts = []
    if event["kind"] == "started":
        details = event.get("details", {})
        parts.append(f"\"{details.get('title', '')}\" ({details.get('sop', '')}, year {details.get('year', '')})")
        assigned = details.get("assignments") or {}
        if assigned:
            parts.append("assigned " + ", ".join(f"{k}={v}" for k, v in assigned.items()))
    if "undoes" in event:
        parts.append(f"undoes #{event['undoes']}")
    if event.get("sub_run"):
        parts.append(f"sub-SOP run {event['sub_run']}")
    if event["kind"] == "started" and event.get("details", {}).get("parent"):
        parent = event["details"]["parent"]
        parts.append(f"sub-SOP of run {parent.get('run')}, step {parent.get('step')}")
    if event.get("reason"):
        parts.append(f"reason: {event['reason']}")
    if event.get("note"):
        parts.append(f"note: {event['note']}")
    for item in event.get("attachments", []):
        parts.append(f"file {item['name']} sha256 {item.get('sha256', '')[:12]}")
    at, recorded = event["at"], event["recorded_at"]
    if f"{recorded:%Y-%m-%d %H:%M}" != f"{at:%Y-%m-%d %H:%M}":
        parts.append(f"recorded {tanggal_pendek(recorded)}")
    return "; ".join(parts)
