"""When: a run's definition and calendar as the engine reads them, the passes through its steps
with their due times, and the one plan (`planned`) every date a user sees comes from.

A run follows its pinned definition (`sop_cli.definition.pinned`, upgraded from any older format)
read into the definition graph (`sop_cli.definition.graph`, which owns the flow rules), without
pydantic, so the commands typed all day stay fast; and its pinned working calendar
(`sop_cli.worktime`). Each pass through a step is a `StepVisit`: it becomes current when the step
before it ends and is due its Mutu Baku *waktu* of working time later.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sop_cli.definition.duration import Duration
from sop_cli.definition.graph import Graph
from sop_cli.definition.pinned import CALENDAR_FORMAT, read_pinned, upgrade_calendar

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition
    from sop_cli.store.interface import KeptFile
    from sop_cli.worktime import PinnedCalendar, WorkCalendar

_ZERO = Duration(0, "menit")


@functools.lru_cache(maxsize=32)
def _graph_from_pinned(text: str) -> Graph:
    return Graph.from_json(read_pinned(text))


def procedure(sop: SopDefinition | Mapping[str, Any] | str | Graph) -> Graph:
    """The definition graph of a `SopDefinition`, its JSON form (dict), a pinned text (any format:
    see `sop_cli.definition.pinned`), or a `Graph`."""
    if isinstance(sop, Graph):
        return sop
    if isinstance(sop, str):
        return _graph_from_pinned(sop)
    if isinstance(sop, Mapping):
        return Graph.from_json(sop)
    return sop.graph


def pinned_calendar(zone: str, days_off: Mapping[date, str], years: Sequence[int], source: str,
                    calendar: WorkCalendar | None = None) -> PinnedCalendar:
    """The JSON a run pins for its calendar (format `CALENDAR_FORMAT`: see `sop_cli.definition.pinned`):
    zone and every day off of `years` with its name, plus the office hours, periods (Ramadan) and
    yearly days off of `calendar` (the ASN week and none of either when it is None)."""
    from sop_cli.worktime import WorkCalendar, pin_fields

    return {
        "pinned_format": CALENDAR_FORMAT,
        "zone": zone,
        "years": list(years),
        "days_off": {d.isoformat(): name for d, name in sorted(days_off.items())},
        "source": source,
        **pin_fields(calendar or WorkCalendar(zone_name=zone, use_national_holidays=False)),
    }


def run_calendar(pinned: Mapping[str, Any]) -> WorkCalendar:
    """The run's `WorkCalendar` from its pinned JSON, any format (no `holidays` import: the days are pinned)."""
    return _calendar_from_json(json.dumps(upgrade_calendar(pinned), sort_keys=True))


@functools.lru_cache(maxsize=256)  # a Kabupaten's runs share a few calendars (the portfolio replays them all)
def _calendar_from_json(text: str) -> WorkCalendar:
    from sop_cli.worktime import from_pinned

    return from_pinned(json.loads(text))


@dataclass(eq=False, repr=False)  # compared by identity: no __eq__/__repr__ to generate, 0.3 ms of every `sop status`
class StepVisit:
    """One pass through a step: from becoming current to being completed (or still open).

    `outcome` is "done", "approved" or "rejected" once completed, None while open.
    `working_minutes` is the actual working time taken (None while open); `standard_minutes`
    the Mutu Baku time; `late` whether it was (or, for a still open visit, is not yet known to
    be) completed after `due_at` (open visits: see `RunState.is_late(now)`).
    """

    step: int
    kegiatan: str
    lanes: tuple[str, ...]
    waktu: str
    standard_minutes: int
    became_current_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    by: str | None = None
    outcome: str | None = None
    note: str | None = None
    reason: str | None = None
    attachments: list[KeptFile] = field(default_factory=list)
    working_minutes: int | None = None
    event_seq: int | None = None
    untimed: bool = False
    external: bool = False
    sub_run: str | None = None

    @property
    def timed(self) -> bool:
        """Whether the office can be late on it: it has a fixed time and is done inside the office."""
        return not (self.untimed or self.external)

    @property
    def late(self) -> bool:
        """Completed after its due time (never for a step with no fixed time, "sesuai jadwal", nor
        for one done outside the office, `eksternal`: waiting for them pauses the office's clock)."""
        return self.timed and self.completed_at is not None and self.completed_at > self.due_at


class PlannedStep(NamedTuple):
    """A forecast entry: when a step is expected to start and be due (main path, no rework)."""

    step: int
    kegiatan: str
    lanes: tuple[str, ...]
    waktu: str
    planned_start: datetime
    planned_due: datetime


def new_visit(proc: Graph, calendar: WorkCalendar, no: int, since: datetime) -> StepVisit:
    from sop_cli.worktime import duration_minutes

    step = proc.step(no)
    return StepVisit(
        step=no,
        kegiatan=step.kegiatan,
        lanes=step.lanes,
        waktu=step.waktu,
        standard_minutes=duration_minutes(step.durasi, calendar.day_minutes),
        became_current_at=since,
        due_at=calendar.add(since, step.durasi),
        untimed=step.durasi.untimed,
        external=step.external,
    )


class Plan(NamedTuple):
    """A run's plan as of a moment: `steps`, the current steps (as they became current and are
    due) then every step ahead on the main path (YA at every decision ahead); `end`, the run's
    planned end (None unless active). Every date a screen, letter or report shows comes from it."""

    steps: list[PlannedStep]
    end: datetime | None


def planned(proc: Graph, calendar: WorkCalendar, current: Sequence[StepVisit], now: datetime) -> Plan:
    """The one plan: the current steps `current` (one, or the open branches of a split), then the
    rest of the main path (after the join when they are branches) chained by `chain`.

    A current step ends at its due time, or at `now` if that is later: a late step, a step with no
    fixed time and a step outside the office (whose waiting pauses the office's clock) all end no
    earlier than now, so nothing ahead is planned in the past and the end is never before now."""
    if not current:
        return Plan([], None)
    firsts = [PlannedStep(v.step, v.kegiatan, v.lanes, v.waktu, v.became_current_at, v.due_at) for v in current]
    due = {v.step: max(v.due_at, now) for v in current}
    head = proc.step(current[0].step)
    if head.split is not None:
        rest = proc.path_from(head.join) if head.join is not None else []
    else:
        rest = proc.path_from(head.no)[1:]
    ahead = chain(proc, calendar, rest, max(due.values()), due)
    return Plan([*firsts, *ahead], max([*due.values(), *(p.planned_due for p in ahead)]))


def chain(proc: Graph, calendar: WorkCalendar, steps: Sequence[int], moment: datetime,
          due: Mapping[int, datetime] | None = None) -> list[PlannedStep]:
    """The forecast rule: `steps` one after the other from `moment`, each starting at the next
    working moment after the previous one is due and taking its Mutu Baku *waktu*; the branches of
    a split all start when the split is due, and the join starts when the last branch is due.

    `due` gives the due times of steps already planned (the current ones).

    The chain stops at the calendar's horizon (`MAX_DAYS` after `moment`): `validate` refuses
    SOPs whose steps add up to more, but a run pinned before that rule keeps a bounded forecast
    (shorter than its path) instead of taking seconds or running past year 9999."""
    from sop_cli.worktime import MAX_DAYS

    planned: list[PlannedStep] = []
    dues = dict(due or {})
    horizon = moment + timedelta(days=MAX_DAYS)
    for no in steps:
        if moment > horizon:
            break
        step = proc.step(no)
        ready = moment
        if step.split is not None and step.split in dues:
            ready = dues[step.split]
        else:
            branches = [dues[b] for s in proc.steps.values() if s.is_split and s.join == no
                        for b in s.branches if b in dues]
            if branches:
                ready = max(branches)
        start = calendar.add(ready, _ZERO)
        moment = dues[no] = calendar.add(start, step.durasi)
        planned.append(PlannedStep(no, step.kegiatan, step.lanes, step.waktu, start, moment))
    return planned
