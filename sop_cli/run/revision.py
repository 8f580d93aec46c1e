"""What moving a live run to a new version of its SOP would change (`sop diff --run RUN NEW`).

A run keeps the definition it started with (pinned). Before an office moves work in progress to
a revised SOP, it wants to know what that changes for this run: which steps ahead of the current
one are added or removed, whose standard time changes, and when the run would end before and
after. This only compares; it moves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypedDict

from sop_cli.definition.diff import FieldChange, SopDiff, diff_sops, match_steps
from sop_cli.definition.graph import Graph
from sop_cli.i18n import _
from sop_cli.run import engine
from sop_cli.store.interface import RunStatus


class AheadStep(TypedDict):
    """A step ahead of the current one that the new version adds or removes."""

    no: int
    kegiatan: str
    waktu: str


class TimeChange(TypedDict):
    """A step ahead (or the current one) whose standard time changes."""

    old_no: int
    new_no: int
    kegiatan: str
    old: str
    new: str


class RunRevision(TypedDict):
    """The effect of a new version on one run; `current_in_new` None when the current step is gone."""

    run: str
    status: RunStatus
    current_step: int | None
    current_kegiatan: str | None
    current_in_new: int | None
    added_ahead: list[AheadStep]
    removed_ahead: list[AheadStep]
    time_changes: list[TimeChange]
    end_before: datetime | None
    end_after: datetime | None
    definition: SopDiff


def run_revision(state: engine.RunState, new: Mapping[str, Any], now: datetime, *, new_name: str) -> RunRevision:
    """Compare run `state`'s pinned definition with `new` (JSON form) from the run's current step on."""
    old_json = state.procedure.data
    definition = diff_sops(old_json, new, old_name=_("run {run}").format(run=state.run_id), new_name=new_name)
    tz = state.calendar.tz
    result: RunRevision = {
        "run": state.run_id, "status": state.status, "current_step": None, "current_kegiatan": None,
        "current_in_new": None, "added_ahead": [], "removed_ahead": [], "time_changes": [],
        "end_before": None, "end_after": None, "definition": definition,
    }
    current = state.current
    if current is None:
        return result
    before = state.plan(now).end
    result["current_step"], result["current_kegiatan"] = current.step, current.kegiatan
    result["end_before"] = before.astimezone(tz) if before else None

    old_graph, new_graph = state.procedure, engine.procedure(dict(new))
    pairs = match_steps(old_json["langkah"], new["langkah"])
    to_new = {a["no"]: b["no"] for a, b in pairs if a is not None and b is not None}
    new_current = to_new.get(current.step)
    result["current_in_new"] = new_current
    if new_current is None:
        return result

    old_ahead, new_ahead = old_graph.path_from(current.step), new_graph.path_from(new_current)
    matched_new = {to_new[no] for no in old_ahead if no in to_new}
    result["removed_ahead"] = [_ahead(old_graph, no) for no in old_ahead
                               if no not in to_new or to_new[no] not in new_ahead]
    result["added_ahead"] = [_ahead(new_graph, no) for no in new_ahead if no not in matched_new]
    for no in old_ahead:
        other = to_new.get(no)
        if other in new_ahead and old_graph.step(no).waktu != new_graph.step(other).waktu:
            result["time_changes"].append({"old_no": no, "new_no": other, "kegiatan": new_graph.step(other).kegiatan,
                                           "old": old_graph.step(no).waktu, "new": new_graph.step(other).waktu})

    # the same plan, of the new version: its current steps as they became current, its own times
    opened = [engine.new_visit(new_graph, state.calendar, to_new[v.step], v.became_current_at)
              for v in state.open_visits if v.step in to_new]
    after = engine.planned(new_graph, state.calendar, opened, now).end
    result["end_after"] = after.astimezone(tz) if after else None
    return result


def _ahead(graph: Graph, no: int) -> AheadStep:
    step = graph.step(no)
    return {"no": no, "kegiatan": step.kegiatan, "waktu": step.waktu}


__all__ = ["AheadStep", "FieldChange", "RunRevision", "TimeChange", "run_revision"]
