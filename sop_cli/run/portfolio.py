"""BAPPEDA's view of a whole Kabupaten, and the evaluation of an SOP from the history of its runs.

`portfolio` answers, for one cycle (a year, by default the year being planned, as `sop start`'s): which units have started
each SOP, where each run stands, whether it is late, and whether its forecast end meets the
Kabupaten's deadline; per step across units, how long it really takes against its Mutu Baku; and
in which lanes runs wait longest. `evaluasi` answers Permenpan RB 35/2012's evaluation: per step
of one SOP, over all its runs, the standard time against the real one, and a revised Mutu Baku
where the standard is missed in most runs.

Definitions (working minutes on each run's pinned calendar):

- *actual* of a pass through a step: from becoming current to completion; only completed passes
  count towards median, p90 and share late. *p90*: the nearest-rank 90th percentile.
- *late*: a pass completed after its due time; a unit's run is late when its current step is.
- *a step across units*: units whose SOPs share a name (`renja`) and a step with the same number,
  kegiatan and waktu (copies of one model SOP) are counted together; a step written differently
  is its own row.
- *rework rate* of a step: the share of runs that passed through it more than once.
- *waiting in a lane*: the actual time of every pass through a step of that lane (the current
  pass up to now), attributed to each lane of the step.
- *forecast end*: a finished run's end; an active run's forecast (the current step's due time,
  or now when it is late, then the standard times of the main path); a cancelled run has none.
- *proposed Mutu Baku*: for a step late in more than half of its completed passes, the 80th
  percentile of its actual times, rounded up to a whole number of menit (under an hour, to 5),
  jam (under a working day) or hari, so that four passes in five would have met it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from sop_cli.errors import AmbiguousError, NotFoundError
from sop_cli.i18n import _
from sop_cli.run.plan import procedure
from sop_cli.run.state import RunState, state_of, stored_summary
from sop_cli.store.interface import RunFilter, RunStatus, org_of

if TYPE_CHECKING:
    from sop_cli.store.interface import Store


class UnitRow(TypedDict):
    """One unit and one SOP in the cycle: its run (if any) and where it stands."""

    org_id: str
    org_name: str
    sop: str
    run: str | None
    status: str
    """"not started", "active", "finished" or "cancelled"."""
    current_step: int | None
    current_kegiatan: str | None
    current_lanes: list[str]
    progress: dict[str, int]
    late: bool
    late_minutes: int
    forecast_end: datetime | None
    meets_deadline: bool | None
    days_past_deadline: int | None


class _StepTimes(TypedDict):
    """One step's standard time against its completed passes (working minutes)."""

    step: int
    kegiatan: str
    waktu: str
    standard_minutes: int
    passes: int
    median_minutes: int | None
    p90_minutes: int | None
    late_share: float | None


class StepRow(_StepTimes):
    """One step of an SOP across the runs of the cycle."""

    sop: str
    rework_rate: float | None


class LaneRow(TypedDict):
    """Where runs wait: one lane's time over every pass through its steps."""

    lane: str
    passes: int
    total_minutes: int
    median_minutes: int | None
    waiting_now: int


class ServiceRow(TypedDict):
    """One unit's service SOP in the year: its cases by outcome (cases are not runs of the cycle)."""

    org_id: str
    org_name: str
    sop: str
    received: int
    finished: int
    refused: int
    cancelled: int
    open: int
    within_percent: int | None


class PortfolioData(TypedDict):
    """`sop report --portfolio`."""

    now: datetime
    year: int
    sop: str | None
    deadline: date | None
    runs: int
    units: list[UnitRow]
    steps: list[StepRow]
    lanes: list[LaneRow]
    summary: dict[str, int]
    services: list[ServiceRow]


class EvaluasiRow(_StepTimes):
    """One step of the evaluated SOP."""

    missed_in_most: bool
    proposed_waktu: str | None
    proposed_minutes: int | None


class EvaluasiData(TypedDict):
    """`sop report --evaluasi SOP`."""

    now: datetime
    sop: str
    nama: str
    organisasi: str
    runs: int
    finished: int
    steps: list[EvaluasiRow]


# Numbers ---------------------------------------------------------------------------------------


def percentile(values: Sequence[int], pct: int) -> int | None:
    """The nearest-rank `pct`th percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def median(values: Sequence[int]) -> int | None:
    """The median, rounded to a whole minute (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else round((ordered[middle - 1] + ordered[middle]) / 2)


def proposed_waktu(minutes: int, day_minutes: int) -> tuple[str, int]:
    """A Mutu Baku waktu covering `minutes` of working time, as the SOP writes it: ("2 jam", 120)."""
    if minutes <= 60:
        value = max(5, 5 * math.ceil(minutes / 5))
        return (f"{value} menit", value) if value < 60 else ("1 jam", 60)
    if minutes <= day_minutes:
        hours = math.ceil(minutes / 60)
        if hours * 60 < day_minutes:
            return f"{hours} jam", hours * 60
        return "1 hari", day_minutes
    days = math.ceil(minutes / day_minutes)
    return f"{days} hari", days * day_minutes


def _short(sop_id: str) -> str:
    return sop_id.rsplit("/", 1)[-1]


# Use-cases -------------------------------------------------------------------------------------


def _open(store: str | Path | None) -> Store | None:
    from sop_cli.store import open_store, store_exists

    if not store_exists(store):
        return None
    return open_store(store, create=False, summarize=stored_summary)


def _states(st: Store, rows: Sequence[_Head]) -> dict[str, RunState]:
    # Runs of a Kabupaten share a few pinned calendars: `plan.run_calendar` parses each once.
    return {stored.id: state_of(stored) for stored in st.load_runs([row.id for row in rows])}


def portfolio(
    *, now: datetime, year: int | None = None, sop: str | None = None, org: str | None = None,
    deadline: date | None = None, store: str | Path | None = None,
) -> PortfolioData:
    """The portfolio of the cycle `year` (default: the year being planned, the one after `now`'s, as `sop start`'s) over the runs this store
    lets the user read, optionally of one SOP (`renja` or a qualified id) or one organisation.

    Every unit granted in a shared store appears, with "not started" for an SOP it has no run of.
    """

    year = year or now.year + 1
    st = _open(store)
    ended: _Passes = _Passes()
    if st is None:
        rows: list[_Head] = []
        states: dict[str, RunState] = {}
        units = []
        counted = []
    else:
        with st, st.read():
            # Cases of service SOPs are counted apart (`services`), not as the cycle's runs.
            where = RunFilter(org=org, sop=sop, year=year)
            heads = [head for head in st.run_heads(where) if not head[3]]
            rows = [_Head(*head[:3]) for head in heads]
            # Only the runs that need their state are replayed: the active ones (their current
            # passes) and the one shown per unit and SOP; the finished and cancelled runs' passes
            # are the rows their writes kept (`step_times`), streamed from the store.
            chosen_ids = {row.id for row in _pick(rows).values()}
            states = _states(st, [r for r in rows if r.status == RunStatus.ACTIVE or r.id in chosen_ids])
            ended = _ended_passes(st, where, {head[0]: head[4] for head in heads})
            units = st.units()
            counted = st.case_counts(year, RunFilter(org=org, sop=sop) if org or sop else None)
    names = {u.org_id: u.org_name for u in units}
    chosen = _pick(rows)
    for key, row in chosen.items():
        state = states.get(row.id)
        if state is not None:
            names.setdefault(key[0], state.procedure.org.nama or key[0])
    sops = sorted({key[1] for key in chosen} | ({_short(sop)} if sop else set()))
    org_ids = sorted(names if org is None else {key[0] for key in chosen} | {
        o for o in names if o == org or o.endswith("-" + org)})
    unit_rows = [
        _unit_row(o, names.get(o, o), s, chosen.get((o, s)), states, now, deadline)
        for o in org_ids for s in sops
    ]
    unit_rows.sort(key=lambda r: (r["sop"], r["org_name"].lower()))
    steps, lanes = _across([s for s in states.values() if s.status == RunStatus.ACTIVE], now, ended)
    summary = {
        "units": len(org_ids),
        "not_started": sum(1 for r in unit_rows if r["status"] == "not started"),
        "active": sum(1 for r in unit_rows if r["status"] == "active"),
        "finished": sum(1 for r in unit_rows if r["status"] == "finished"),
        "cancelled": sum(1 for r in unit_rows if r["status"] == "cancelled"),
        "late": sum(1 for r in unit_rows if r["late"]),
        "past_deadline": sum(1 for r in unit_rows if r["meets_deadline"] is False),
    }
    services: list[ServiceRow] = [
        {"org_id": org_of(sop_id), "org_name": names.get(org_of(sop_id), org_of(sop_id)), "sop": _short(sop_id),
         "received": received, "finished": finished, "refused": refused, "cancelled": cancelled, "open": still_open,
         "within_percent": round(100 * within / (finished + refused)) if finished + refused else None}
        for sop_id, received, finished, refused, cancelled, still_open, within in counted
    ]
    services.sort(key=lambda r: (r["sop"], r["org_name"].lower()))
    return {"now": now, "year": year, "sop": sop, "deadline": deadline, "runs": len(rows), "units": unit_rows,
            "steps": steps, "lanes": lanes, "summary": summary, "services": services}


class _Head(NamedTuple):
    """What choosing a run needs of it."""

    id: str
    sop_id: str
    status: str


def _pick(rows: Sequence[_Head]) -> dict[tuple[str, str], _Head]:
    """One run per unit and SOP: the latest that was not cancelled, else the latest."""
    chosen: dict[tuple[str, str], _Head] = {}
    for row in rows:
        key = (org_of(row.sop_id), _short(row.sop_id))
        previous = chosen.get(key)
        if previous is None or previous.status == RunStatus.CANCELLED or row.status != RunStatus.CANCELLED:
            chosen[key] = row
    return chosen


StepKey = tuple[str, int, str, str]
"""A step across units: the SOP's short id, the step's number, kegiatan and waktu."""


class _Passes:
    """The completed passes of the runs no longer active, by step across units, from the store's
    rows: minutes, late count, standard minutes, passes per run (for the rework rate), and the
    minutes per lane."""

    def __init__(self) -> None:
        self.actual: dict[StepKey, list[int]] = defaultdict(list)
        self.late: dict[StepKey, int] = defaultdict(int)
        self.standard: dict[StepKey, int] = {}
        self.visited: dict[StepKey, list[int]] = defaultdict(list)
        self.lanes: dict[str, list[int]] = defaultdict(list)


def _ended_passes(st: Store, where: RunFilter, shas: dict[str, str]) -> _Passes:
    """Stream `step_times` of the runs `where` keeps that are finished or cancelled into `_Passes`
    (`shas`: each run's pinned definition, read once each, for the step's kegiatan, waktu and lanes)."""
    found = _Passes()
    shapes: dict[str, dict[int, tuple[StepKey, list[str]]]] = {}
    counts: dict[StepKey, int] = defaultdict(int)
    current = None
    texts = st.pinned_texts(sorted(set(shas.values())))
    for sha, text in texts.items():
        proc = procedure(text)
        sop = _short(proc.qualified_id)
        shapes[sha] = {no: ((sop, no, step.kegiatan, step.waktu), [proc.lanes.get(lane, lane) for lane in step.lanes])
                       for no, step in proc.steps.items()}
    for run_id, step, minutes, late, standard in st.ended_step_rows(where):
        if run_id != current:
            for key, n in counts.items():
                found.visited[key].append(n)
            counts.clear()
            current = run_id
        shape = shapes.get(shas.get(run_id, ""), {}).get(step)
        if shape is None:
            continue
        key, lanes = shape
        found.standard.setdefault(key, standard)
        found.actual[key].append(minutes)
        found.late[key] += late
        counts[key] += 1
        for lane in lanes:
            found.lanes[lane].append(minutes)
    for key, n in counts.items():
        found.visited[key].append(n)
    return found


def _unit_row(org_id: str, org_name: str, sop: str, row: _Head | None, states: dict[str, RunState],
              now: datetime, deadline: date | None) -> UnitRow:
    empty: UnitRow = {
        "org_id": org_id, "org_name": org_name, "sop": sop, "run": None, "status": "not started",
        "current_step": None, "current_kegiatan": None, "current_lanes": [],
        "progress": {"done": 0, "total": 0, "percent": 0}, "late": False, "late_minutes": 0,
        "forecast_end": None, "meets_deadline": False if deadline else None, "days_past_deadline": None,
    }
    if row is None:
        return empty
    state = states[row.id]
    tz = state.calendar.tz
    current = state.current
    late = state.is_late(now)
    end = state.end(now)
    meets: bool | None = None
    past: int | None = None
    if deadline is not None:
        limit = datetime.combine(deadline, time(23, 59, 59), tzinfo=tz)
        meets = end is not None and end <= limit
        if end is not None and not meets:
            past = (end.astimezone(tz).date() - deadline).days
    total = state.steps_total
    return {
        **empty,
        "run": row.id, "status": state.status,
        "current_step": current.step if current else None,
        "current_kegiatan": current.kegiatan if current else None,
        "current_lanes": [state.procedure.lanes.get(i, i) for i in current.lanes] if current else [],
        "progress": {"done": state.steps_done, "total": total,
                     "percent": round(100 * state.steps_done / total) if total else 100},
        "late": late,
        "late_minutes": state.calendar.working_minutes_between(current.due_at, now) if late and current else 0,
        "forecast_end": end.astimezone(tz) if end else None,
        "meets_deadline": meets,
        "days_past_deadline": past,
    }


def _across(states: list[RunState], now: datetime, ended: _Passes) -> tuple[list[StepRow], list[LaneRow]]:
    """Steps across units and lanes: the ended runs' passes (`ended`, from the store's rows) and the
    replayed active runs' passes, the current one counted up to `now`."""
    actual: dict[StepKey, list[int]] = defaultdict(list, {k: list(v) for k, v in ended.actual.items()})
    late: dict[StepKey, int] = defaultdict(int, ended.late)
    visited: dict[StepKey, list[int]] = defaultdict(list, {k: list(v) for k, v in ended.visited.items()})
    standard: dict[StepKey, int] = dict(ended.standard)
    lane_minutes: dict[str, list[int]] = defaultdict(list, {k: list(v) for k, v in ended.lanes.items()})
    waiting_now: dict[str, int] = defaultdict(int)
    for state in states:
        sop = _short(state.procedure.qualified_id)
        counts: dict[StepKey, int] = defaultdict(int)
        for visit in state.visits:
            key = (sop, visit.step, visit.kegiatan, visit.waktu)
            standard.setdefault(key, visit.standard_minutes)
            counts[key] += 1
            if visit.working_minutes is not None:
                minutes = visit.working_minutes
                actual[key].append(minutes)
                late[key] += visit.late
            elif state.status == RunStatus.ACTIVE:
                minutes = state.calendar.working_minutes_between(visit.became_current_at, now)
                for lane in visit.lanes:
                    waiting_now[state.procedure.lanes.get(lane, lane)] += 1
            else:
                continue
            for lane in visit.lanes:
                lane_minutes[state.procedure.lanes.get(lane, lane)].append(minutes)
        for key, n in counts.items():
            visited[key].append(n)
    steps: list[StepRow] = []
    for key in sorted(standard):
        values = actual.get(key, [])
        runs = visited.get(key, [])
        steps.append({
            "sop": key[0], "step": key[1], "kegiatan": key[2], "waktu": key[3], "standard_minutes": standard[key],
            "passes": len(values), "median_minutes": median(values), "p90_minutes": percentile(values, 90),
            "late_share": round(late[key] / len(values), 3) if values else None,
            "rework_rate": round(sum(1 for n in runs if n > 1) / len(runs), 3) if runs else None,
        })
    lanes: list[LaneRow] = [
        {"lane": lane, "passes": len(values), "total_minutes": sum(values), "median_minutes": median(values),
         "waiting_now": waiting_now.get(lane, 0)}
        for lane, values in lane_minutes.items()
    ]
    lanes.sort(key=lambda r: (-r["total_minutes"], r["lane"]))
    return steps, lanes


def evaluasi(sop: str, *, now: datetime, org: str | None = None, store: str | Path | None = None) -> EvaluasiData:
    """The evaluation of SOP `sop` (`renja`, or a qualified id) from all its runs in the store.

    The figures come from the per-step rows every write keeps (`step_times`, `run_times`),
    aggregated by the database (`sop_cli.store.periods.step_spread`); only the newest run is
    replayed, for the SOP's steps and office day. A province's 150,000 runs are a few queries.

    Raises:
        NotFoundError: No run of such an SOP.
        AmbiguousError: Runs of several SOPs of that name (give the qualified id or `org`).
    """
    from sop_cli.worktime import duration_minutes

    st = _open(store)
    if st is None:
        raise NotFoundError(_("No runs of SOP {sop!r}: the store does not exist yet.").format(sop=sop))
    with st, st.read():
        where = RunFilter(sop=sop, org=org)
        ids = st.sop_ids(where)
        if not ids:
            raise NotFoundError(_("No runs of SOP {sop!r} in the store {store}; an evaluation needs its history.").format(
                sop=sop, store=st.location))
        if len(ids) > 1:
            listing = "\n".join(f"  {i}" for i in ids)
            raise AmbiguousError(_("Runs of {count} SOPs are named {sop!r}; give the full id (or the organisation):").format(
                count=len(ids), sop=sop) + "\n" + listing)
        newest = st.summaries(include_all=True, limit=1, where=RunFilter(sop=ids[0]))
        stored = st.load_run(newest[0].id) if newest else None
        spread = {row.step: row for row in st.step_spread(ids[0])}
        runs, finished = st.run_outcomes(ids[0])
    if stored is None:
        raise NotFoundError(_("No runs of SOP {sop!r} in the store {store}; an evaluation needs its history.").format(
            sop=sop, store=st.location))
    state = state_of(stored)
    proc = state.procedure
    day_minutes = state.calendar.day_minutes
    steps: list[EvaluasiRow] = []
    for step in proc.steps.values():
        row = spread.get(step.no)
        passes = row.passes if row else 0
        share = row.late / passes if row and passes else None
        most = share is not None and share > 0.5
        proposal = proposed_waktu(row.p80_minutes or 0, day_minutes) if most and row else None
        standard = duration_minutes(step.durasi, day_minutes)
        steps.append({
            "step": step.no, "kegiatan": step.kegiatan, "waktu": step.waktu, "standard_minutes": standard,
            "passes": passes, "median_minutes": row.median_minutes if row else None,
            "p90_minutes": row.p90_minutes if row else None,
            "late_share": round(share, 3) if share is not None else None, "missed_in_most": most,
            "proposed_waktu": proposal[0] if proposal else None, "proposed_minutes": proposal[1] if proposal else None,
        })
    return {
        "now": now, "sop": proc.qualified_id, "nama": proc.nama, "organisasi": proc.org.nama,
        "runs": runs, "finished": finished, "steps": steps,
    }
