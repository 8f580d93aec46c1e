"""The numbers of `sop report`: one row per pass through a step, and the run's summary.

Pure: it reads a `RunState` (sop_cli.run.state) and `now`, and returns typed, JSON-shaped data
with real datetimes (in the organisation's zone); the CLI turns it into a table, CSV or JSON, and
the templates `report.*` / `monitoring.*` into documents.

Definitions (working minutes, on the run's calendar):

- a *row* is a pass through a step (a visit), in order; steps not reached yet follow, with their
  forecast. A step done twice (sent back by a rejection) has two rows.
- *standard*: the step's Mutu Baku waktu; *actual*: working time from becoming current to being
  completed (to `now` for the current step); *difference*: actual − standard.
- *late*: completed after its due time; for the current step, `now` is past its due time.
- *rework*: a pass caused by a rejection, i.e. every pass after a TIDAK up to and including the
  next pass through the deciding step; `loop` numbers the rejection it belongs to (0: none).
  *Time lost to rework* is the actual time of those passes.
- *within Mutu Baku*: steps of the SOP every completed pass of which was on time, as a share of
  the steps completed at least once (a step done twice counts once); the same share of passes
  is given beside it. Both count the office's own passes only: external passes are not counted.
- *catatan*: the notes of `sop note` and every kept file of the run (with the note of the event
  that kept it), in order; those of undone events are left out. A note given when completing a
  step without files is in that step's row instead. `by` is who wrote it, None when that is only
  the operating-system account that typed the command.
- *person*: who holds the step's lanes in the run: the person the run assigns to a lane, else
  the official the organisation's register names for it (`organisation.lane_holders`); None when
  nobody is named (a line to fill in on paper). Who typed `sop advance` (`--by`, `SOP_USER`, the
  OS account) is audit data, kept in the log (`sop log`), never the person who did the step.
- *external* (*waktu di luar kantor*): a pass done only by lanes outside the office (`eksternal`:
  Pemohon, another OPD). It is never late and has no difference; its time is summed apart
  (`external_minutes`) and not in `actual_minutes` / `standard_minutes`, the office's own time.
- Steps done at the same time (the branches of a split) are rows of their own, each current
  while open; a step done by a sub-SOP names its child run (`sub_run`), and a child run names its
  parent (`parent`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from sop_cli.definition.duration import ToleransiView
from sop_cli.i18n import N_, _, ngettext
from sop_cli.run.engine import EventKind, ProgressPercent, RunHeading, RunStatus
from sop_cli.run.engine import status_word as run_status_label

if TYPE_CHECKING:
    from sop_cli.render.organisation import Organisation
    from sop_cli.run.engine import RunState

STATUS_WORDS = {
    "done": "selesai",
    "approved": "disetujui",
    "rejected": "ditolak",
    "current": "berjalan",
    "pending": "belum",
    "planned": "belum (rencana)",
}
"""A pass's status in Indonesian, for documents and the JSON `status_word` (Indonesian in both
interface languages); `planned` is the word for a forecast row (its times are planned)."""

RUN_STATUS_WORDS = {RunStatus.ACTIVE: "berjalan", RunStatus.FINISHED: "selesai", RunStatus.CANCELLED: "dihentikan"}
"""The run's status in Indonesian, for documents ("dihentikan": a run is stopped, *hentikan*;
*batalkan* is undoing one step)."""

STATUS_LABELS = {
    "done": N_("done"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "current": N_("current"),
    "pending": N_("not yet"),
    "planned": N_("not yet (planned)"),
}
"""A pass's status in the interface language (`status_label`); the keys of STATUS_WORDS."""


CSV_COLUMNS = (
    "no", "step", "kegiatan", "lanes", "person", "status", "loop", "rework", "became_current_at", "due_at",
    "completed_at", "standard_minutes", "actual_minutes", "difference_minutes", "late", "note", "reason",
    "external", "sub_run",
)
"""The keys of a report row written to CSV, in order; the header names them with `csv_header`."""

MONITORING_CSV_COLUMNS = ("no", "step", "prosedur", "pelaksana", "penilaian", "catatan", "tindakan", "paraf")
"""The keys of a monitoring row written to CSV, in order (`paraf` stays empty)."""

COLUMN_NAMES = {
    # report rows
    "step": N_("step"), "lanes": N_("lanes"), "person": N_("person"), "status": N_("status"),
    "loop": N_("loop"), "rework": N_("rework"), "became_current_at": N_("became_current_at"),
    "due_at": N_("due_at"), "completed_at": N_("completed_at"), "standard_minutes": N_("standard_minutes"),
    "actual_minutes": N_("actual_minutes"), "difference_minutes": N_("difference_minutes"), "late": N_("late"),
    "note": N_("note"), "reason": N_("reason"), "external": N_("external"), "sub_run": N_("sub_run"),
    # portfolio units (`sop_cli.render.portfolio.PORTFOLIO_CSV_COLUMNS`)
    "org_id": N_("org_id"), "org_name": N_("org_name"), "run": N_("run"), "current_step": N_("current_step"),
    "current_kegiatan": N_("current_kegiatan"), "done": N_("done"), "total": N_("total"),
    "late_minutes": N_("late_minutes"), "forecast_end": N_("forecast_end"), "meets_deadline": N_("meets_deadline"),
    "days_past_deadline": N_("days_past_deadline"),
    # evaluation steps (`sop_cli.render.portfolio.EVALUASI_CSV_COLUMNS`)
    "passes": N_("passes"), "median_minutes": N_("median_minutes"), "p90_minutes": N_("p90_minutes"),
    "late_share": N_("late_share"), "missed_in_most": N_("missed_in_most"), "proposed_waktu": N_("proposed_waktu"),
    "proposed_minutes": N_("proposed_minutes"),
}
"""CSV column names by key; in English the name is the key itself. Keys that are the
regulation's words or the same in both languages (`no`, `kegiatan`, `prosedur`, `pelaksana`,
`sop`, `waktu`, ...) are not listed and stay as they are."""


def csv_header(columns: Iterable[str]) -> list[str]:
    """The CSV header for row keys `columns` in the interface language: Indonesian by default
    ("no;langkah;kegiatan;pelaksana;petugas;..."), the keys themselves with `SOP_LANG=en`.
    JSON keeps the keys in both."""
    return [_(COLUMN_NAMES[column]) if column in COLUMN_NAMES else column for column in columns]


def status_label(row: ReportRow) -> str:
    """A pass's status in the interface language ("selesai", "belum (rencana)"; "done", ...)."""
    key = "planned" if row["status"] == "pending" and row["status_word"] == STATUS_WORDS["planned"] else row["status"]
    return _(STATUS_LABELS[key]) if key in STATUS_LABELS else row["status_word"]


class ReportRow(TypedDict):
    """A pass through a step (or a step not reached yet, with its forecast)."""

    no: int
    step: int
    kegiatan: str
    waktu: str
    lanes: list[str]
    person: str | None
    status: str
    status_word: str
    loop: int
    rework: bool
    became_current_at: datetime
    due_at: datetime
    completed_at: datetime | None
    standard_minutes: int
    actual_minutes: int | None
    difference_minutes: int | None
    late: bool
    note: str | None
    reason: str | None
    external: bool
    sub_run: str | None


class WithinStandard(TypedDict):
    """Steps of the SOP whose every completed pass was on time, of the steps completed at least
    once (`count`, `of`, `percent`); and the same of passes (`passes_on_time`, `passes`)."""

    count: int
    of: int
    percent: int | None
    passes_on_time: int
    passes: int


class NoteRow(TypedDict):
    """A note or kept file of the run: when, by whom (None: only a login name is known), at which
    step, the text, the files."""

    seq: int
    at: datetime
    by: str | None
    step: int | None
    kegiatan: str | None
    note: str | None
    attachments: list[dict[str, object]]


class ReportSummary(TypedDict):
    """The run's totals (see the module docstring)."""

    progress: ProgressPercent
    within_standard: WithinStandard
    late_steps: list[int]
    rework_loops: int
    rework_minutes: int
    rework_steps: list[int]
    actual_minutes: int
    standard_minutes: int
    external_minutes: int
    forecast_end: datetime | None
    finished_at: datetime | None
    end: datetime | None
    current_step: int | None
    current_steps: list[int]
    parent: dict[str, object] | None
    sub_runs: dict[str, str]
    day_minutes: int
    """How long a "hari" of working time is for the office: every total is worded in it."""


class ReportData(RunHeading):
    """`sop report`: the run's heading (`status_word`: its status in Indonesian), lane name to
    person, the summary, one row per pass, and the run's notes and files."""

    status_word: str
    untuk: str | None
    """Whom a case of a service SOP is for (None for a plan's run, or once erased)."""
    assignments: dict[str, str]
    summary: ReportSummary
    rows: list[ReportRow]
    catatan: list[NoteRow]


class MonitoringRow(TypedDict):
    """A row of the monitoring form (Tabel 7): one per step of the SOP."""

    no: int
    step: int
    prosedur: str
    pelaksana: list[str]
    penilaian: str | None
    baik: bool | None
    catatan: str
    tindakan: str


class MonitoringData(RunHeading):
    """`sop report --monitoring`: the report's heading and summary, the form's rows, the passes,
    the run's notes and files, and the tolerance its verdicts used."""

    status_word: str
    untuk: str | None
    assignments: dict[str, str]
    summary: ReportSummary
    rows: list[MonitoringRow]
    passes: list[ReportRow]
    catatan: list[NoteRow]
    toleransi: ToleransiView | None
    """The tolerance the verdicts used (`definition.duration.Toleransi`; None: none)."""


def toleransi_text(toleransi: ToleransiView | None) -> str:
    """The tolerance as a monitoring form states it (as `_macros.html` `toleransi` does): "10 menit
    (ditetapkan oleh unit kerja)", "10% dari mutu baku setiap langkah (ditetapkan dalam SOP)", or
    that there is none."""
    if toleransi is None:
        return "tidak ada (langkah yang melewati mutu baku dinilai oleh penilai)"
    share = " dari mutu baku setiap langkah" if toleransi["percent"] is not None else ""
    return f"{toleransi['text']}{share} (ditetapkan {'dalam SOP' if toleransi['source'] == 'sop' else 'oleh unit kerja'})"


def report_data(state: RunState, now: datetime, organisation: Organisation | None = None) -> ReportData:
    """The report of run `state` as of `now` (see the module docstring for the definitions);
    `organisation` (`organisation.run_organisation`) names the officials nobody was assigned for."""
    from sop_cli.render.organisation import lane_holders

    cal = state.calendar
    tz = cal.tz
    proc = state.procedure

    def t(moment: datetime) -> datetime:
        return moment.astimezone(tz)

    def maybe(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz) if moment else None

    def lane_names(ids: Iterable[str]) -> list[str]:
        return [proc.lanes.get(i, i) for i in ids]

    holders = lane_holders(organisation, state.assignments)

    def people(ids: Iterable[str]) -> str | None:
        found = [holders[i] for i in ids if i in holders]
        return ", ".join(dict.fromkeys(found)) or None

    rows: list[ReportRow] = []
    loop = 0
    closing_step: int | None = None  # the deciding step that ends the current rework loop
    for visit in state.visits:
        is_open = visit.completed_at is None
        rework = closing_step is not None
        this_loop = loop if rework else 0
        if rework and visit.step == closing_step and not is_open and visit.outcome != "rejected":
            closing_step = None
        if visit.outcome == "rejected" and proc.sends_back(visit.step):
            loop += 1
            closing_step = visit.step
        if is_open and state.status == RunStatus.ACTIVE:
            actual = cal.working_minutes_between(visit.became_current_at, now)
            late = visit.timed and now > visit.due_at
            status = "current"
        elif is_open:  # a cancelled run's last step
            actual = cal.working_minutes_between(visit.became_current_at, state.cancelled_at or now)
            late = False
            status = "pending"
        else:
            actual = visit.working_minutes or 0
            late = visit.late
            status = visit.outcome or "done"
        rows.append({
            "step": visit.step,
            "kegiatan": visit.kegiatan,
            "waktu": visit.waktu,
            "lanes": lane_names(visit.lanes),
            "person": people(visit.lanes),
            "status": status,
            "status_word": STATUS_WORDS[status],
            "loop": this_loop,
            "rework": rework,
            "became_current_at": t(visit.became_current_at),
            "due_at": t(visit.due_at),
            "completed_at": maybe(visit.completed_at),
            "standard_minutes": visit.standard_minutes,
            "actual_minutes": actual,
            "difference_minutes": None if not visit.timed else actual - visit.standard_minutes,
            "late": late,
            "note": visit.note,
            "reason": visit.reason,
            "external": visit.external,
            "sub_run": visit.sub_run or (state.sub_runs.get(visit.step) if is_open else None),
            "no": len(rows) + 1,
        })

    plan = state.plan(now)
    for planned in plan.steps[len(state.open_visits):]:
        step = proc.step(planned.step)
        from sop_cli.worktime import duration_minutes

        rows.append({
            "step": planned.step, "kegiatan": planned.kegiatan, "waktu": planned.waktu,
            "lanes": lane_names(planned.lanes),
            "person": people(planned.lanes), "status": "pending", "status_word": STATUS_WORDS["planned"],
            "loop": 0, "rework": False, "became_current_at": t(planned.planned_start), "due_at": t(planned.planned_due),
            "completed_at": None, "standard_minutes": duration_minutes(step.durasi, cal.day_minutes),
            "actual_minutes": None, "difference_minutes": None, "late": False, "note": None, "reason": None,
            "external": step.external, "sub_run": None, "no": len(rows) + 1,
        })
    completed = [r for r in rows if r["completed_at"] and not r["external"]]  # the office's own passes
    within = sum(1 for r in completed if not r["late"])
    steps_done = {r["step"] for r in completed}
    steps_late = {r["step"] for r in completed if r["late"]}
    steps_within = len(steps_done - steps_late)
    rework_rows = [r for r in rows if r["rework"] and r["actual_minutes"] is not None]
    worked = [r for r in rows if r["actual_minutes"] is not None and not r["external"]]
    outside = [r for r in rows if r["actual_minutes"] is not None and r["external"]]
    end = state.end(now)
    total = state.steps_total
    summary: ReportSummary = {
        "progress": {"done": state.steps_done, "total": total,
                     "percent": round(100 * state.steps_done / total) if total else 100},
        "within_standard": {"count": steps_within, "of": len(steps_done),
                            "percent": round(100 * steps_within / len(steps_done)) if steps_done else None,
                            "passes_on_time": within, "passes": len(completed)},
        "late_steps": [r["step"] for r in rows if r["late"]],
        "rework_loops": state.rework_loops,
        "rework_minutes": sum(r["actual_minutes"] or 0 for r in rework_rows),
        "rework_steps": [r["step"] for r in rework_rows],
        "actual_minutes": sum(r["actual_minutes"] or 0 for r in worked),
        "standard_minutes": sum(r["standard_minutes"] for r in worked),
        "external_minutes": sum(r["actual_minutes"] or 0 for r in outside),
        "forecast_end": maybe(end) if state.status == RunStatus.ACTIVE else None,
        "finished_at": maybe(state.finished_at),
        "end": maybe(end),
        "current_step": state.current_step,
        "current_steps": state.current_steps,
        "parent": dict(state.parent) if state.parent else None,
        "sub_runs": {str(no): run for no, run in state.sub_runs.items()},
        "day_minutes": cal.day_minutes,
    }
    from sop_cli.run.engine import run_heading

    heading = run_heading(state, now)
    return {
        "run": heading["run"], "title": heading["title"], "year": heading["year"], "status": heading["status"],
        "status_word": RUN_STATUS_WORDS[heading["status"]], "outcome": heading["outcome"],
        "untuk": state.untuk,
        "now": heading["now"], "sop": heading["sop"], "started_at": heading["started_at"],
        "finished_at": heading["finished_at"], "cancelled_at": heading["cancelled_at"],
        "cancel_reason": heading["cancel_reason"],
        "assignments": {proc.lanes.get(k, k): v for k, v in state.assignments.items()},
        "summary": summary,
        "rows": rows,
        "catatan": _notes(state),
    }


def _notes(state: RunState) -> list[NoteRow]:
    """The run's `sop note` notes and kept files, in order, leaving out undone events."""
    tz = state.calendar.tz
    found: list[NoteRow] = []
    for event in state.events:
        if event.seq in state.undone_by:
            continue
        note = event.data.get("note")
        files = [dict(item) for item in event.data.get("attachments") or []]
        # A note given when completing a step is already in that step's row; repeat it only
        # beside the files it came with.
        if not files and (not note or event.kind not in (EventKind.NOTE, EventKind.ATTACHMENT)):
            continue
        found.append({
            "seq": event.seq, "at": event.at.astimezone(tz), "by": None if event.actor == event.os_user else event.actor,
            "step": event.step,
            "kegiatan": state.procedure.step(event.step).kegiatan if event.step else None,
            "note": str(note) if note else None, "attachments": files,
        })
    return found


def monitoring_data(state: RunState, now: datetime, organisation: Organisation | None = None) -> MonitoringData:
    """The monitoring form of Permenpan RB 35/2012 (Tabel 7) filled from a run: one row per step
    of the SOP with the facts of its passes in Catatan; Penilaian says "Berjalan dengan baik" for a step
    done within its Mutu baku (or within the tolerance the SOP or the office set, `toleransi`) at the
    first pass, and stays blank (with Tindakan and Paraf) wherever a person must judge: late beyond
    any tolerance, sent back, redone."""
    from sop_cli.definition.duration import chosen_toleransi
    from sop_cli.render.indonesian import waktu_text
    from sop_cli.worktime import format_minutes

    report = report_data(state, now, organisation)
    sop = state.sop
    toleransi = chosen_toleransi(sop.toleransi, organisation.toleransi if organisation else None)
    day = state.calendar.day_minutes

    def tolerated(row: ReportRow) -> bool:
        """A completed pass late by no more than the tolerance (never without one)."""
        return (toleransi is not None and row["status"] != "current"
                and toleransi.allows(row["difference_minutes"] or 0, row["standard_minutes"], day))

    rows: list[MonitoringRow] = []
    for n, step in enumerate(sop.langkah, 1):
        waktu = waktu_text(step.waktu)  # beside computed times: units one way, lower case
        passes = [r for r in report["rows"] if r["step"] == step.no and r["actual_minutes"] is not None]
        late = [r for r in passes if r["late"]]
        rework = [r for r in passes if r["rework"]]
        rejected = [r for r in passes if r["status"] == "rejected"]
        refusals = rejected if step.tidak == "selesai" else []
        rejected = [r for r in rejected if r not in refusals]  # a lawful refusal is no fault of the step
        notes: list[str] = []
        running = any(r["status"] == "current" for r in passes)
        if not passes:
            verdict = None
            notes.append("Belum dilaksanakan pada pelaksanaan ini.")
        else:
            # A step still running is judged when it ends: its time so far is noted, not graded. A
            # pass over its Mutu baku (beyond the tolerance the SOP or the office set, if any), sent
            # back or redone is not graded either: the facts go in Catatan and the verdict and
            # Tindakan stay blank for the person who monitors (how much overrun is still "baik" is
            # the SOP's or the office's judgement, never the tool's).
            beyond = [r for r in late if not tolerated(r)]
            verdict = None if running or beyond or rejected or rework else True
            if running:
                notes.append("Sedang berjalan; dinilai setelah selesai.")
            for r in late:
                over = format_minutes(r["difference_minutes"] or 0, day)
                state_word = "masih berjalan" if r["status"] == "current" else "selesai"
                within = f", masih dalam toleransi {toleransi.text}" if toleransi and tolerated(r) else ""
                notes.append(f"Melewati mutu baku {waktu}: {state_word} {over} lebih lama{within}.")
            for r in rejected:
                notes.append(f"Dikembalikan (TIDAK) ke langkah {step.tidak}: {r['reason'] or 'tanpa alasan'}.")
            for r in refusals:
                notes.append(f"Permohonan ditolak/dikembalikan (TIDAK, proses selesai): {r['reason'] or 'tanpa alasan'}.")
            if rework:
                notes.append(f"Dikerjakan ulang {len(rework)} kali karena penolakan "
                             f"({format_minutes(sum(r['actual_minutes'] or 0 for r in rework), day)}).")
            outside = [r for r in passes if r["external"]]
            if outside:
                notes.append(f"Dilaksanakan di luar kantor (pelaksana eksternal): "
                             f"{format_minutes(sum(r['actual_minutes'] or 0 for r in outside), day)}, "
                             "tidak dihitung sebagai waktu kantor.")
            if step.sub_sop:
                runs = ", ".join(dict.fromkeys(r["sub_run"] for r in passes if r["sub_run"])) or "-"
                notes.append(f"Dilaksanakan melalui SOP {step.sub_sop} (pelaksanaan {runs}).")
            if verdict and not outside and not late:
                notes.append(f"Selesai dalam mutu baku {waktu}.")
        rows.append({
            "no": n,
            "step": step.no,
            "prosedur": step.kegiatan,
            "pelaksana": [sop.lane(p).nama for p in step.pelaksana],
            "penilaian": None if verdict is None else ("Berjalan dengan baik" if verdict else "Tidak berjalan dengan baik"),
            "baik": verdict,
            "catatan": " ".join(notes),
            "tindakan": "-" if verdict else "",
        })
    return {
        "run": report["run"], "title": report["title"], "year": report["year"], "status": report["status"],
        "outcome": report["outcome"], "untuk": report["untuk"],
        "now": report["now"], "sop": report["sop"], "started_at": report["started_at"],
        "finished_at": report["finished_at"], "cancelled_at": report["cancelled_at"],
        "cancel_reason": report["cancel_reason"], "assignments": report["assignments"],
        "status_word": report["status_word"], "summary": report["summary"], "rows": rows,
        "passes": report["rows"], "catatan": report["catatan"], "toleransi": toleransi.view() if toleransi else None,
    }


# The report in the terminal (`sop report --format table`) ----------------------------------------
# Interface words, in the interface language; the documents (templates `report.*`) and the JSON
# keep their own (Indonesian) words.


def report_table(data: ReportData) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the report's table in the terminal, one row per pass: No, Kegiatan,
    lane, person, status, Mutu baku, actual, difference, late, rework (the CLI lays it out)."""
    from sop_cli.worktime import format_minutes

    def minutes(value: int | None, signed: bool = False) -> str:
        if value is None:
            return "-"
        text = format_minutes(value, data["summary"]["day_minutes"])
        return f"+{text}" if signed and value > 0 else text

    headers = ["No", "Kegiatan", _("Lane"), _("Assignee"), _("Status"), "Mutu baku", _("Actual"), _("Difference"),
               _("Late"), _("Rework")]
    rows = []
    for r in data["rows"]:
        if r["late"]:
            late = _("yes")
        elif r["external"]:
            late = _("outside the office")
        elif r["completed_at"] or r["status"] == "current":
            late = _("no")
        else:
            late = "-"
        rows.append([
            str(r["step"]), r["kegiatan"], ", ".join(r["lanes"]), r["person"] or "-", status_label(r),
            r["waktu"], minutes(r["actual_minutes"]), minutes(r["difference_minutes"], True),
            late, _("loop {loop}").format(loop=r["loop"]) if r["rework"] else "",
        ])
    return headers, rows


def summary_lines(data: ReportData) -> list[tuple[str, str]]:
    """The report's summary under its table in the terminal, as (label, text) pairs: progress,
    share within Mutu Baku, late steps, rework, working time, time outside the office, the end."""
    from sop_cli.render.indonesian import hari_tanggal, jam
    from sop_cli.worktime import format_minutes

    def moment(value: datetime) -> str:
        return f"{hari_tanggal(value)} {jam(value)}"

    s = data["summary"]
    progress = s["progress"]
    within = s["within_standard"]
    steps = ngettext("{done}/{total} step ({percent}%)", "{done}/{total} steps ({percent}%)", progress["total"])
    passes = {"count": within["count"], "of": within["of"], "percent": within["percent"],
              "on_time": within["passes_on_time"], "passes": within["passes"]}
    if within["percent"] is not None:
        share = ngettext("{count} of {of} step ({percent}%); {on_time} of {passes} step passes on time",
                         "{count} of {of} steps ({percent}%); {on_time} of {passes} step passes on time", within["of"])
    else:
        share = ngettext("{count} of {of} step; {on_time} of {passes} step passes on time",
                         "{count} of {of} steps; {on_time} of {passes} step passes on time", within["of"])
    loops = ngettext("{count} rework loop", "{count} rework loops", s["rework_loops"]).format(count=s["rework_loops"])
    day = s["day_minutes"]
    lost = format_minutes(s["rework_minutes"], day)
    if s["rework_steps"]:
        rework = _("{loops}, {time} lost (steps {steps})").format(
            loops=loops, time=lost, steps=", ".join(map(str, dict.fromkeys(s["rework_steps"]))))
    else:
        rework = _("{loops}, {time} lost").format(loops=loops, time=lost)
    lines = [
        (_("Progress"), steps.format(**progress)),
        (_("Within Mutu Baku"), share.format(**passes)),
        (_("Late"), ", ".join(map(str, s["late_steps"])) or "-"),
        (_("Rework"), rework),
        (_("Working time"), _("{actual} actual, {standard} Mutu Baku").format(
            actual=format_minutes(s["actual_minutes"], day), standard=format_minutes(s["standard_minutes"], day))),
    ]
    if s["external_minutes"]:
        lines.append((_("Outside the office"), _("{time} (external lanes, not the office's time)").format(
            time=format_minutes(s["external_minutes"], day))))
    if s["finished_at"]:
        lines.append((_("Finished"), moment(s["finished_at"])))
    elif s["forecast_end"]:
        lines.append((_("Forecast end"), moment(s["forecast_end"])))
    else:
        lines.append((_("Status"), run_status_label(data["status"])))
    return lines
