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
from typing import TYPE_CHECKING, TypedDict

from sop_cli.errors import AmbiguousError, NotFoundError
from sop_cli.i18n import _
from sop_cli.store.interface import RunStatus

if TYPE_CHECKING:
    from sop_cli.run.engine import RunState
    from sop_cli.store.interface import RunRow, Store

PROPOSAL_PERCENTILE = 80


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


def _org(sop_id: str) -> str:
    parts = sop_id.split("/")
    return parts[1] if len(parts) >= 3 else sop_id


# Use-cases -------------------------------------------------------------------------------------


def _open(store: str | Path | None) -> Store | None:
    from sop_cli.run.engine import stored_summary
    from sop_cli.store import open_store, store_exists

    if not store_exists(store):
        return None
    return open_store(store, create=False, summarize=stored_summary)


def _states(st: Store, rows: Sequence[RunRow]) -> dict[str, RunState]:
    from sop_cli.run import engine

    # Runs of a Kabupaten share a few pinned calendars: `engine.run_calendar` parses each once.
    return {stored.id: engine.state_of(stored) for stored in st.load_runs([row.id for row in rows])}


def portfolio(
    *, now: datetime, year: int | None = None, sop: str | None = None, org: str | None = None,
    deadline: date | None = None, store: str | Path | None = None,
) -> PortfolioData:
    """The portfolio of the cycle `year` (default: the year being planned, the one after `now`'s, as `sop start`'s) over the runs this store
    lets the user read, optionally of one SOP (`renja` or a qualified id) or one organisation.

    Every unit granted in a shared store appears, with "not started" for an SOP it has no run of.
    """
    from sop_cli.store import RunFilter

    year = year or now.year + 1
    st = _open(store)
    if st is None:
        rows: list[RunRow] = []
        states: dict[str, RunState] = {}
        units = []
    else:
        with st, st.read():
            rows = st.summaries(include_all=True, where=RunFilter(org=org, sop=sop, year=year))
            states = _states(st, rows)
            units = st.units()
    names = {u.org_id: u.org_name for u in units}
    # Pick one run per unit and SOP: the latest that was not cancelled, else the latest.
    chosen: dict[tuple[str, str], RunRow] = {}
    for row in rows:
        key = (_org(row.sop_id), _short(row.sop_id))
        state = states.get(row.id)
        if state is not None:
            names.setdefault(key[0], state.procedure.org.nama or key[0])
        previous = chosen.get(key)
        if previous is None or previous.summary.status == RunStatus.CANCELLED or row.summary.status != RunStatus.CANCELLED:
            chosen[key] = row
    sops = sorted({key[1] for key in chosen} | ({_short(sop)} if sop else set()))
    org_ids = sorted(names if org is None else {key[0] for key in chosen} | {
        o for o in names if o == org or o.endswith("-" + org)})
    unit_rows = [
        _unit_row(o, names.get(o, o), s, chosen.get((o, s)), states, now, deadline)
        for o in org_ids for s in sops
    ]
    unit_rows.sort(key=lambda r: (r["sop"], r["org_name"].lower()))
    steps, lanes = _across(list(states.values()), now)
    summary = {
        "units": len(org_ids),
        "not_started": sum(1 for r in unit_rows if r["status"] == "not started"),
        "active": sum(1 for r in unit_rows if r["status"] == "active"),
        "finished": sum(1 for r in unit_rows if r["status"] == "finished"),
        "cancelled": sum(1 for r in unit_rows if r["status"] == "cancelled"),
        "late": sum(1 for r in unit_rows if r["late"]),
        "past_deadline": sum(1 for r in unit_rows if r["meets_deadline"] is False),
    }
    return {"now": now, "year": year, "sop": sop, "deadline": deadline, "runs": len(rows), "units": unit_rows,
            "steps": steps, "lanes": lanes, "summary": summary}


def _unit_row(org_id: str, org_name: str, sop: str, row: RunRow | None, states: dict[str, RunState],
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


def _across(states: list[RunState], now: datetime) -> tuple[list[StepRow], list[LaneRow]]:
    StepKey = tuple[str, int, str, str]
    actual: dict[StepKey, list[int]] = defaultdict(list)
    late: dict[StepKey, int] = defaultdict(int)
    visited: dict[StepKey, list[int]] = defaultdict(list)  # passes per run
    standard: dict[StepKey, int] = {}
    lane_minutes: dict[str, list[int]] = defaultdict(list)
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

    Raises:
        NotFoundError: No run of such an SOP.
        AmbiguousError: Runs of several SOPs of that name (give the qualified id or `org`).
    """
    from sop_cli.store import RunFilter
    from sop_cli.worktime import duration_minutes

    st = _open(store)
    if st is None:
        raise NotFoundError(_("No runs of SOP {sop!r}: the store does not exist yet.").format(sop=sop))
    with st, st.read():
        rows = st.summaries(include_all=True, where=RunFilter(sop=sop, org=org))
        ids = sorted({r.sop_id for r in rows})
        if not ids:
            raise NotFoundError(_("No runs of SOP {sop!r} in the store {store}; an evaluation needs its history.").format(
                sop=sop, store=st.location))
        if len(ids) > 1:
            listing = "\n".join(f"  {i}" for i in ids)
            raise AmbiguousError(_("Runs of {count} SOPs are named {sop!r}; give the full id (or the organisation):").format(
                count=len(ids), sop=sop) + "\n" + listing)
        states = list(_states(st, rows).values())
    proc = states[0].procedure
    day_minutes = states[0].calendar.day_minutes
    actual: dict[int, list[int]] = defaultdict(list)
    late: dict[int, int] = defaultdict(int)
    for state in states:
        for visit in state.visits:
            if visit.working_minutes is not None:
                actual[visit.step].append(visit.working_minutes)
                late[visit.step] += visit.late
    steps: list[EvaluasiRow] = []
    for step in proc.steps.values():
        values = actual.get(step.no, [])
        share = late[step.no] / len(values) if values else None
        most = share is not None and share > 0.5
        proposal = proposed_waktu(percentile(values, PROPOSAL_PERCENTILE) or 0, day_minutes) if most else None
        standard = duration_minutes(step.durasi, day_minutes)
        steps.append({
            "step": step.no, "kegiatan": step.kegiatan, "waktu": step.waktu, "standard_minutes": standard,
            "passes": len(values), "median_minutes": median(values), "p90_minutes": percentile(values, 90),
            "late_share": round(share, 3) if share is not None else None, "missed_in_most": most,
            "proposed_waktu": proposal[0] if proposal else None, "proposed_minutes": proposal[1] if proposal else None,
        })
    return {
        "now": now, "sop": proc.qualified_id, "nama": proc.nama, "organisasi": proc.org.nama,
        "runs": len(states), "finished": sum(1 for s in states if s.status == RunStatus.FINISHED), "steps": steps,
    }

