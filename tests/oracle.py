"""A reference model of a run: what its log means and when everything is planned, written apart from
the engine (`sop_cli.run.engine`), from the SOP format and the rules users are told, as plainly and
slowly as it likes. `tests/test_oracle.py` holds the engine to it on generated SOPs and logs.

It stands on the same ground as the engine: the working calendar (`WorkCalendar.add`, which has
property tests of its own) and the parsing of a *waktu*; everything above that is re-derived here
from the SOP's JSON form (its `langkah` rows), never from `Graph`:

- a step goes on to `berikutnya` or the step written next; a *selesai* ends; a *keputusan* goes
  to `ya` when approved and to `tidak` when rejected (`tidak: selesai` ends the process, "ditolak");
- a step with `paralel` opens all its branches at once; a branch goes on to the join (the step
  written after the last branch), which opens when every branch is done, at the latest end;
- a rejection is rework when its `tidak` leads back to the decision, else a branch;
- an undo takes back the latest step event in effect; a cancellation ends the run;
- a step is due its *waktu* of working time after it became current; it is late when completed
  after that, unless it has no fixed time or is done only by lanes outside the office;
- the plan as of `now`: a current step ends at its due time or now, whichever is later; then every
  step ahead on the way YA goes, each starting at the next working moment after the one before it
  (a branch after its split, a join after its last branch) and taking its *waktu*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sop_cli.definition.duration import Duration, parse_duration

STEP_EVENTS = ("step_completed", "approved", "rejected")
NOTHING = Duration(0, "menit")


@dataclass
class Pass:
    step: int
    start: datetime
    due: datetime
    timed: bool
    end: datetime | None = None
    outcome: str | None = None

    @property
    def late(self) -> bool:
        return self.timed and self.end is not None and self.end > self.due


@dataclass
class Reference:
    status: str
    passes: list[Pass]
    rework: int
    outcome: str | None
    finished_at: datetime | None
    done: int
    total: int
    open_steps: list[int]
    plan: list[tuple[int, datetime, datetime]] = field(default_factory=list)
    end: datetime | None = None


class Sop:
    """The SOP as its rows say, read plainly."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.rows = {row["no"]: row for row in data["langkah"]}
        self.order = [row["no"] for row in data["langkah"]]
        self.outside_lanes = {lane["id"] for lane in data["pelaksana"] if lane.get("eksternal")}

    def written_after(self, no: int) -> int | None:
        index = self.order.index(no) + 1
        return self.order[index] if index < len(self.order) else None

    def branches(self, no: int) -> list[int]:
        return list(self.rows[no].get("paralel") or [])

    def split_of(self, no: int) -> int | None:
        return next((n for n in self.order if no in self.branches(n)), None)

    def join(self, split: int) -> int | None:
        return self.written_after(max(self.branches(split), key=self.order.index))

    def simbol(self, no: int) -> str:
        return self.rows[no].get("simbol") or "proses"

    def waktu(self, no: int) -> Duration:
        return parse_duration(self.rows[no]["waktu"])

    def timed(self, no: int) -> bool:
        lanes = self.rows[no]["pelaksana"]
        outside = bool(lanes) and all(lane in self.outside_lanes for lane in lanes)
        return not outside and not self.waktu(no).untimed

    def then(self, no: int) -> int | None:
        """Where an ordinary step (or a YA) goes."""
        if self.simbol(no) == "selesai":
            return None
        split = self.split_of(no)
        if split is not None:
            return self.join(split)
        row = self.rows[no]
        if self.simbol(no) == "keputusan":
            return row["ya"]
        return row.get("berikutnya") or self.written_after(no)

    def everywhere_from(self, no: int) -> set[int]:
        """Every step some way from `no` reaches (YA and TIDAK, all branches)."""
        seen: set[int] = set()
        todo = [no]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(self.branches(n))
            if self.simbol(n) == "keputusan" and isinstance(self.rows[n].get("tidak"), int):
                todo.append(self.rows[n]["tidak"])
            following = self.then(n) if not self.branches(n) else None
            if following is not None:
                todo.append(following)
        return seen

    def way_from(self, no: int) -> list[int]:
        """The steps from `no` on, YA at every decision, every branch of a split before its join."""
        way: list[int] = []
        n: int | None = no
        while n is not None and n not in way:
            way.append(n)
            if self.branches(n):
                way.extend(b for b in self.branches(n) if b not in way)
                n = self.join(n)
            else:
                n = self.then(n)
        return way


def replay(data: Mapping[str, Any], events: Sequence[Any], calendar: Any, now: datetime) -> Reference:
    sop = Sop(data)
    started = events[0]
    in_effect: list[Any] = []
    cancelled = False
    for event in events[1:]:
        if event.kind in STEP_EVENTS:
            in_effect.append(event)
        elif event.kind == "undone":
            in_effect.pop()
        elif event.kind == "cancelled":
            cancelled = True

    def begin(no: int, at: datetime) -> Pass:
        return Pass(no, at, calendar.add(at, sop.waktu(no)), sop.timed(no))

    passes = [begin(sop.order[0], started.at)]
    current = {sop.order[0]: passes[0]}
    branch_ends: dict[int, list[datetime]] = {}
    rework = 0
    outcome = None
    for event in in_effect:
        done = current.pop(event.step)
        done.end = event.at
        done.outcome = {"step_completed": "done"}.get(event.kind, event.kind)
        no = event.step
        opening: list[int] = []
        at = event.at
        split = sop.split_of(no)
        if split is not None:
            branch_ends[split].append(event.at)
            if len(branch_ends[split]) == len(sop.branches(split)):
                at = max(branch_ends[split])
                join = sop.join(split)
                opening = [join] if join is not None else []
        elif sop.branches(no):
            branch_ends[no] = []
            opening = sop.branches(no)
        elif event.kind == "rejected":
            target = sop.rows[no]["tidak"]
            if target == "selesai":
                outcome = "ditolak"
            else:
                opening = [target]
                rework += no in sop.everywhere_from(target)
        else:
            following = sop.then(no)
            opening = [following] if following is not None else []
        for n in opening:
            passes.append(begin(n, at))
            current[n] = passes[-1]
    status = "cancelled" if cancelled else "active" if current else "finished"
    if status == "finished" and outcome is None:
        outcome = "selesai"
    ended = [p.end for p in passes if p.end is not None]

    # progress: the steps done behind the current ones, of those and the steps ahead
    way = sop.way_from(sop.order[0])
    completed = [p for p in passes if p.end is not None]
    if status == "finished" and outcome == "ditolak":
        refused_at = in_effect[-1].step
        done_count = way.index(refused_at) + 1 if refused_at in way else len(way)
        total = len(way)
    else:
        ahead = {n for p in passes if p.end is None for n in sop.way_from(p.step)}
        behind = {p.step for p in completed} - ahead
        done_count, total = len(behind), len(behind | ahead)

    reference = Reference(status, passes, rework, outcome if status == "finished" else None,
                          max(ended) if status == "finished" else None, done_count, total,
                          [p.step for p in passes if p.end is None] if status == "active" else [])
    if status != "active":
        return reference

    # the plan as of now
    ends = {n: max(p.due, now) for n, p in current.items()}
    reference.plan = [(p.step, p.start, p.due) for p in passes if p.end is None]
    first = reference.plan[0][0]
    split = sop.split_of(first)
    if split is not None:
        join = sop.join(split)
        ahead_steps = sop.way_from(join) if join is not None else []
    else:
        ahead_steps = sop.way_from(first)[1:]
    due = dict(ends)
    previous = max(ends.values())
    for n in ahead_steps:
        ready = previous
        split = sop.split_of(n)
        if split is not None and split in due:
            ready = due[split]
        joined = [due[b] for s in sop.order if sop.branches(s) and sop.join(s) == n for b in sop.branches(s) if b in due]
        if split is None and joined:
            ready = max(joined)
        start = calendar.add(ready, NOTHING)
        due[n] = previous = calendar.add(start, sop.waktu(n))
        reference.plan.append((n, start, due[n]))
    reference.end = max([*ends.values(), *(d for _n, _s, d in reference.plan[len(current):])])
    return reference
