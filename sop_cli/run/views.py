"""Typed, JSON-shaped views of a run with real datetimes (aware, in the organisation's zone). They
are turned into JSON once, at the CLI's `--json` boundary (`sop_cli.cli.output.to_json`), and into
words by the CLI's printers and the templates.

Its annotations are evaluated (no `from __future__ import annotations`): a TypedDict compiles each
annotation written as a string into a ForwardRef, 0.8 ms for these views in every `sop status`.
"""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, TypedDict

from sop_cli.i18n import N_, _
from sop_cli.run.plan import StepVisit
from sop_cli.run.state import RunState
from sop_cli.store.interface import Event, EventKind, KeptFile, RunStatus

STATUS_WORDS = {RunStatus.ACTIVE: N_("active"), RunStatus.FINISHED: N_("finished"), RunStatus.CANCELLED: N_("cancelled")}
"""A run's status in words (translated at use: `status_word`)."""

KIND_WORDS = {"step_completed": N_("step completed"), "approved": N_("approved"), "rejected": N_("rejected")}
"""A step event's kind in words (translated at use: `kind_word`)."""


def status_word(status: RunStatus) -> str:
    """A run's status in the interface language ("active", "finished", "cancelled" in English)."""
    return _(STATUS_WORDS[status])


def kind_word(kind: str) -> str:
    """A step event's kind in the interface language ("step completed" for `step_completed`)."""
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind.replace("_", " ")


def show_moment(moment: datetime, tz: tzinfo | None) -> str:
    """A moment for a message, in zone `tz`: `2026-11-26 09:30 WIB`."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


class SopHeading(TypedDict):
    """The SOP a run follows, as every view names it."""

    id: str
    nama: str
    organisasi: str | None
    pemerintah: str | None
    zona_waktu: str


class SopIdentity(SopHeading):
    """`SopHeading` plus where the pinned definition came from."""

    source_path: str | None
    source_sha256: str | None
    definition_sha256: str | None


class _RunFields(TypedDict):
    run: str
    title: str
    year: int
    status: RunStatus
    outcome: str | None
    now: datetime
    started_at: datetime
    finished_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class RunHeading(_RunFields):
    """What names a run in every view of it (`run_heading`)."""

    sop: SopHeading


class LaneView(TypedDict):
    """A lane of a step with the person assigned to it (None: nobody)."""

    id: str
    nama: str
    person: str | None


class CurrentView(TypedDict):
    """The current step of an active run as of `now`."""

    step: int
    kegiatan: str
    waktu: str
    lanes: list[LaneView]
    since: datetime
    due: datetime
    late: bool
    late_minutes: int
    remaining_minutes: int
    untimed: bool
    external: bool
    sub_sop: str | None
    sub_run: str | None


class Progress(TypedDict):
    """Main-path steps done of the total."""

    done: int
    total: int


class ProgressPercent(Progress):
    """`Progress` with its rounded percentage."""

    percent: int


class VisitView(TypedDict):
    """One pass through a step."""

    step: int
    kegiatan: str
    waktu: str
    lanes: list[LaneView]
    became_current_at: datetime
    due_at: datetime
    completed_at: datetime | None
    by: str | None
    outcome: str | None
    note: str | None
    reason: str | None
    attachments: list[KeptFile]
    standard_minutes: int
    actual_minutes: int | None
    late: bool
    external: bool
    sub_run: str | None


class PlannedView(TypedDict):
    """A forecast entry."""

    step: int
    kegiatan: str
    waktu: str
    lanes: list[LaneView]
    planned_start: datetime
    planned_due: datetime


class _EventFields(TypedDict):
    seq: int
    kind: str
    at: datetime
    recorded_at: datetime
    actor: str
    os_user: str
    step: int | None
    kegiatan: str | None
    undone_by: int | None


class EventView(_EventFields, total=False):
    """One log entry; the optional keys appear when the event has them (`details`: `started`;
    `db_user`: written to a shared store; `rework`: a rejection that sends the run back)."""

    db_user: str
    rework: bool
    note: str
    reason: str
    attachments: list[KeptFile]
    undoes: int
    sub_run: str
    details: dict[str, Any]


class SourceFile(TypedDict):
    """Whether the SOP file a run started from is unchanged, changed, missing or unknown."""

    path: str | None
    state: str


class _RunViewFields(_RunFields):
    sop: SopIdentity
    jenis: str
    untuk: str | None
    case_number: int | None
    assignments: dict[str, str]
    lanes: dict[str, str]
    office_hours: str
    day_minutes: int
    current: CurrentView | None
    current_steps: list[CurrentView]
    parent: dict[str, Any] | None
    sub_runs: dict[str, str]
    office_minutes: int
    external_minutes: int
    progress: ProgressPercent
    rework_loops: int
    visits: list[VisitView]
    forecast: list[PlannedView]
    next_steps: list[PlannedView]
    planned_end: datetime | None
    events: list[EventView]


class TakenId(TypedDict):
    """The run holding the plain id `<sop id>-<year>` a new run could not have."""

    run: str
    sop: str
    year: int


class RunView(_RunViewFields, total=False):
    """A whole run (`run_view`); `recorded` (the event a write appended), `sop_file` (status) and
    `id_taken` (start, when the plain id was taken) are added by the service."""

    recorded: EventView
    sop_file: SourceFile
    id_taken: TakenId


class RunListRow(TypedDict):
    """One run in `sop runs`, from the stored summary (no replay)."""

    run: str
    sop: str
    year: int
    title: str
    status: RunStatus
    current_step: int | None
    current_kegiatan: str | None
    current_since: datetime | None
    current_due: datetime | None
    late: bool
    progress: Progress
    rework_loops: int
    started_at: datetime | None
    untuk: str | None
    case_number: int | None
    holder: str | None


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    return moment.astimezone(tz) if moment else None


def run_heading(state: RunState, now: datetime) -> RunHeading:
    """What names a run in every view of it (datetimes in the organisation's zone); `outcome` is
    "selesai" or "ditolak" (a decision's TIDAK ended the process) for a finished run, else None."""
    tz = state.calendar.tz
    proc = state.procedure
    org = proc.data["organisasi"]
    return {
        "run": state.run_id,
        "title": state.title,
        "year": state.year,
        "status": state.status,
        "outcome": state.outcome,
        "now": now.astimezone(tz),
        "sop": {"id": proc.qualified_id, "nama": proc.nama, "organisasi": org.get("nama"),
                "pemerintah": org.get("pemerintah"), "zona_waktu": proc.zone},
        "started_at": state.started_at.astimezone(tz),
        "finished_at": _local(state.finished_at, tz),
        "cancelled_at": _local(state.cancelled_at, tz),
        "cancel_reason": state.cancel_reason,
    }


def run_view(state: RunState, now: datetime) -> RunView:
    """A run as a typed view (`RunView`: its keys are typed and stable), datetimes in the
    organisation's zone; `forecast`, `next_steps` (after the current steps) and `planned_end` are
    the plan as of `now` (`RunState.plan`)."""
    tz = state.calendar.tz
    cal = state.calendar
    proc = state.procedure

    def t(moment: datetime) -> datetime:
        return moment.astimezone(tz)

    def lanes(ids: Sequence[str]) -> list[LaneView]:
        return [{"id": i, "nama": proc.lanes.get(i, i), "person": state.assignments.get(i)} for i in ids]

    def current_view(visit: StepVisit) -> CurrentView:
        late = visit.timed and now > visit.due_at
        return {
            "step": visit.step,
            "kegiatan": visit.kegiatan,
            "waktu": visit.waktu,
            "lanes": lanes(visit.lanes),
            "since": t(visit.became_current_at),
            "due": t(visit.due_at),
            "late": late,
            "late_minutes": cal.working_minutes_between(visit.due_at, now) if late else 0,
            "remaining_minutes": 0 if late or not visit.timed else cal.working_minutes_between(now, visit.due_at),
            "untimed": visit.untimed,
            "external": visit.external,
            "sub_sop": proc.step(visit.step).sub_sop,
            "sub_run": state.sub_runs.get(visit.step),
        }

    current_steps = [current_view(v) for v in state.open_visits]
    current: CurrentView | None = current_steps[0] if current_steps else None
    plan = state.plan(now)
    forecast: list[PlannedView] = [
        {"step": p.step, "kegiatan": p.kegiatan, "waktu": p.waktu, "lanes": lanes(p.lanes),
         "planned_start": t(p.planned_start), "planned_due": t(p.planned_due)}
        for p in plan.steps
    ]
    total = state.steps_total
    heading = run_heading(state, now)
    sop: SopIdentity = {**heading["sop"], "source_path": state.source_path,
                        "source_sha256": state.source_sha256, "definition_sha256": state.definition_sha256}
    return {
        "run": heading["run"],
        "title": heading["title"],
        "year": heading["year"],
        "status": heading["status"],
        "outcome": heading["outcome"],
        "now": heading["now"],
        "sop": sop,
        "jenis": proc.jenis,
        "untuk": state.untuk,
        "case_number": state.case_number,
        "started_at": heading["started_at"],
        "finished_at": heading["finished_at"],
        "cancelled_at": heading["cancelled_at"],
        "cancel_reason": heading["cancel_reason"],
        "assignments": dict(state.assignments),
        "lanes": dict(proc.lanes),
        "office_hours": cal.hours_text(),
        "day_minutes": cal.day_minutes,  # how long a "hari" of working time is, as every total is worded
        "current": current,
        "current_steps": current_steps,
        "parent": state.parent,
        "sub_runs": {str(no): run for no, run in state.sub_runs.items()},
        "office_minutes": state.office_minutes,
        "external_minutes": state.external_minutes,
        "progress": {"done": state.steps_done, "total": total,
                     "percent": round(100 * state.steps_done / total) if total else 100},
        "rework_loops": state.rework_loops,
        "visits": [
            {
                "step": v.step, "kegiatan": v.kegiatan, "waktu": v.waktu, "lanes": lanes(v.lanes),
                "became_current_at": t(v.became_current_at), "due_at": t(v.due_at),
                "completed_at": _local(v.completed_at, tz), "by": v.by, "outcome": v.outcome, "note": v.note,
                "reason": v.reason, "attachments": v.attachments, "standard_minutes": v.standard_minutes,
                "actual_minutes": v.working_minutes, "late": v.late, "external": v.external,
                "sub_run": v.sub_run,
            }
            for v in state.visits
        ],
        "forecast": forecast,
        "next_steps": forecast[len(current_steps) or 1:],
        "planned_end": _local(plan.end, tz),
        "events": [event_view(state, e) for e in state.events],
    }


def event_view(state: RunState, event: Event) -> EventView:
    """One log entry as a typed view (times in the organisation's zone)."""
    tz = state.calendar.tz
    step = state.procedure.steps.get(event.step) if event.step is not None else None
    data = dict(event.data)
    view: EventView = {
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at.astimezone(tz),
        "recorded_at": event.recorded_at.astimezone(tz),
        "actor": event.actor,
        "os_user": event.os_user,
        "step": event.step,
        "kegiatan": step.kegiatan if step else None,
        "undone_by": state.undone_by.get(event.seq),
    }
    if event.db_user:
        view["db_user"] = event.db_user
    if "note" in data:
        view["note"] = data["note"]
    if "reason" in data:
        view["reason"] = data["reason"]
    if "attachments" in data:
        view["attachments"] = data["attachments"]
    if "undoes" in data:
        view["undoes"] = data["undoes"]
    if "sub_run" in data:
        view["sub_run"] = str(data["sub_run"])
    if event.kind == EventKind.REJECTED and event.step is not None and event.step in state.procedure.steps:
        view["rework"] = state.procedure.sends_back(event.step)
    if event.kind in (EventKind.STARTED, EventKind.ERASED):
        view["details"] = {k: v for k, v in data.items() if k not in view}
    return view
