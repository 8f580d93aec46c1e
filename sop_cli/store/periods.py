"""The SQL of a period report, shared by both stores: figures aggregated by the database.

A period report (`sop report --sop SKTM --bulan 2026-12`) reads the rows the write path keeps
(`run_times`, one per run; `step_times`, one per completed pass through a step; see
`interface.RunTimes`), never the logs: counts are sums, percentiles are picked by window
functions (`ROW_NUMBER` over the sorted times), so the work and the memory do not grow with the
number of events. The same SQL runs on SQLite (3.25 or later) and PostgreSQL; only the
placeholder and the encoding of a moment differ.

Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
ceil(p·n/100); the median is the 50th (the lower middle of an even count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Query = Callable[[str, tuple[Any, ...]], Iterable[Sequence[Any]]]
"""A store's `query(sql, params)`: runs SQL with the store's placeholder, gives the rows."""


@dataclass(frozen=True)
class StepFigures:
    """One step over the period: passes completed, of which late, median and p90 working minutes."""

    step: int
    passes: int
    late: int
    median_minutes: int | None
    p90_minutes: int | None
    standard_minutes: int | None = None


@dataclass(frozen=True)
class LaneFigures:
    """Where cases waited: one lane's completed passes and their working minutes."""

    lane: str
    external: bool
    passes: int
    total_minutes: int
    median_minutes: int | None


@dataclass(frozen=True)
class PeriodFigures:
    """A service SOP over a period [start, end).

    `received`: cases started in it; `finished` / `refused` / `cancelled`: cases that ended in it
    that way; `open`: cases received before its end and not ended by then; `within`: of the cases
    finished or refused in it, those whose office working time was within the promised time;
    `median_minutes`, `p90_minutes`: their office working time. `steps` and `lanes` cover the
    completed passes of the cases that ended (finished or refused) in the period."""

    received: int
    finished: int
    refused: int
    cancelled: int
    open: int
    within: int
    median_minutes: int | None
    p90_minutes: int | None
    steps: list[StepFigures]
    lanes: list[LaneFigures]
    promised_minutes: int | None = None


def _ranks(value: str, partition: str, source: str, extra: str = "") -> str:
    """Rows (`key`, `n`, `rank`, `value`) of `source` whose rank is the median's or the p90's."""
    over = f"PARTITION BY {partition} " if partition else ""
    key = partition or "0"
    return (
        f"SELECT k, n, rn, v FROM (SELECT {key} AS k, {value} AS v, "
        f"ROW_NUMBER() OVER ({over}ORDER BY {value}) AS rn, COUNT(*) OVER ({over.strip()}) AS n "
        f"FROM {source}{extra}) AS ranked WHERE rn = (n + 1) / 2 OR rn = (9 * n + 9) / 10"
    )


def _picked(rows: Iterable[Sequence[Any]]) -> dict[Any, tuple[int | None, int | None]]:
    found: dict[Any, list[int | None]] = {}
    for key, n, rank, value in rows:
        pair = found.setdefault(key, [None, None])
        if rank == (n + 1) // 2:
            pair[0] = int(value)
        if rank == (9 * n + 9) // 10:
            pair[1] = int(value)
    return {key: (pair[0], pair[1]) for key, pair in found.items()}


def period_figures(query: Query, mark: str, encode: Callable[[datetime], object], sop_id: str, start: datetime,
                   end: datetime) -> PeriodFigures:
    """The figures of SOP `sop_id` (qualified) over [start, end), with `query(sql, params)` running
    SQL whose placeholder is `mark` and `encode` turning a moment into a parameter."""
    s, e = encode(start), encode(end)
    counts = next(iter(query(
        "SELECT "
        f"COALESCE(SUM(CASE WHEN started_at >= {mark} THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN outcome = 'selesai' AND ended_at >= {mark} AND ended_at < {mark} THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN outcome = 'ditolak' AND ended_at >= {mark} AND ended_at < {mark} THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN outcome = 'dibatalkan' AND ended_at >= {mark} AND ended_at < {mark} THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN ended_at IS NULL OR ended_at >= {mark} THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN within = 1 AND ended_at >= {mark} AND ended_at < {mark} THEN 1 ELSE 0 END), 0), "
        "MAX(promised_minutes) "
        f"FROM run_times WHERE sop_id = {mark} AND started_at < {mark}",
        (s, s, e, s, e, s, e, e, s, e, sop_id, e),
    )))
    ended = (f"run_times WHERE sop_id = {mark} AND outcome IN ('selesai', 'ditolak') "
             f"AND ended_at >= {mark} AND ended_at < {mark}")
    overall = _picked(query(_ranks("office_minutes", "", ended), (sop_id, s, e))).get(0, (None, None))
    passes = (f"step_times JOIN run_times ON run_times.run_id = step_times.run_id "
              f"WHERE run_times.sop_id = {mark} AND run_times.outcome IN ('selesai', 'ditolak') "
              f"AND run_times.ended_at >= {mark} AND run_times.ended_at < {mark}")
    picked = _picked(query(_ranks("step_times.minutes", "step_times.step", passes), (sop_id, s, e)))
    steps = [StepFigures(int(step), int(n), int(late or 0), *picked.get(step, (None, None)), standard)
             for step, n, late, standard in query(
                 f"SELECT step_times.step, COUNT(*), SUM(step_times.late), MAX(step_times.standard_minutes) FROM {passes} "
                 "GROUP BY step_times.step ORDER BY step_times.step", (sop_id, s, e))]
    lane_medians = _picked(query(_ranks("step_times.minutes", "step_times.lane", passes), (sop_id, s, e)))
    lanes = [LaneFigures(str(lane), bool(external), int(n), int(total or 0), lane_medians.get(lane, (None, None))[0])
             for lane, external, n, total in query(
                 f"SELECT step_times.lane, MAX(step_times.external), COUNT(*), SUM(step_times.minutes) FROM {passes} "
                 "GROUP BY step_times.lane ORDER BY SUM(step_times.minutes) DESC, step_times.lane", (sop_id, s, e))]
    received, finished, refused, cancelled, still_open, within = (int(v) for v in counts[:6])
    promised = int(counts[6]) if counts[6] is not None else None
    return PeriodFigures(received, finished, refused, cancelled, still_open, within, overall[0], overall[1],
                         steps, lanes, promised)


# The evaluation of an SOP over all its runs (`sop report --evaluasi`) -----------------------------


@dataclass(frozen=True)
class StepSpread:
    """One step over every completed pass of an SOP's runs: how many, how many late, the median
    (the mean of the two middle values of an even count, rounded) and the 80th and 90th percentiles
    (nearest rank) of the working minutes."""

    step: int
    passes: int
    late: int
    median_minutes: int | None
    p80_minutes: int | None
    p90_minutes: int | None


def step_spread(query: Query, mark: str, sop_id: str) -> list[StepSpread]:
    """The spread of every step of SOP `sop_id` (qualified) over all its runs, by the database.

    The index on (sop_id, step, minutes, late) covers both queries: the counts are one pass over
    it, and each percentile is the value at its rank in the step's slice of the index (`LIMIT 1
    OFFSET rank - 1`), which the database walks without sorting or holding the values."""
    found = []
    for step, passes, late in list(query(
            f"SELECT step, COUNT(*), SUM(late) FROM step_times WHERE sop_id = {mark} GROUP BY step ORDER BY step",
            (sop_id,))):
        n, step_no = int(passes), int(step)
        middle_ranks = _ranked(query, mark, sop_id, step_no, n, (n + 1) // 2, 2 if n % 2 == 0 else 1)
        middle = round(sum(middle_ranks) / len(middle_ranks)) if middle_ranks else None
        p80 = _ranked(query, mark, sop_id, step_no, n, (4 * n + 4) // 5)
        p90 = _ranked(query, mark, sop_id, step_no, n, (9 * n + 9) // 10)
        found.append(StepSpread(step_no, n, int(late or 0), middle, p80[0] if p80 else None, p90[0] if p90 else None))
    return found


def _ranked(query: Query, mark: str, sop_id: str, step: int,
            n: int, rank: int, count: int = 1) -> list[int]:
    """The minutes at ranks `rank` .. `rank + count - 1` (from 1, ascending) of a step's `n` passes,
    walking its slice of the index from the nearer end (the 80th and 90th percentiles from the top)."""
    if rank > n // 2:
        order, offset = "DESC", n - rank - count + 1
    else:
        order, offset = "ASC", rank - 1
    return sorted(int(r[0]) for r in query(
        f"SELECT minutes FROM step_times WHERE sop_id = {mark} AND step = {mark} "
        f"ORDER BY minutes {order} LIMIT {int(count)} OFFSET {max(0, int(offset))}", (sop_id, step)))


def run_outcomes(query: Query, mark: str, sop_id: str) -> tuple[int, int]:
    """(runs, finished) of SOP `sop_id`: every run, and those that ended at an end (selesai or ditolak)."""
    row = next(iter(query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome IN ('selesai', 'ditolak') THEN 1 ELSE 0 END), 0) "
        f"FROM run_times WHERE sop_id = {mark}", (sop_id,))))
    return int(row[0]), int(row[1])


def case_counts(query: Query, mark: str, year: int,
                condition: str, params: Sequence[object]) -> list[tuple[str, int, int, int, int, int, int]]:
    """Per service SOP (qualified id), its cases received in `year`: (sop_id, received, finished,
    refused, cancelled, open, within), of the runs `condition` (SQL over `runs`, "" for all) keeps."""
    kept = f" AND c.run_id IN (SELECT id FROM runs WHERE {condition})" if condition else ""
    return [(str(r[0]), *(int(v or 0) for v in r[1:])) for r in query(  # type: ignore[misc]
        "SELECT c.sop_id, COUNT(*), "
        "SUM(CASE WHEN t.outcome = 'selesai' THEN 1 ELSE 0 END), SUM(CASE WHEN t.outcome = 'ditolak' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.outcome = 'dibatalkan' THEN 1 ELSE 0 END), SUM(CASE WHEN t.ended_at IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.within = 1 THEN 1 ELSE 0 END) "
        f"FROM cases c JOIN run_times t ON t.run_id = c.run_id WHERE c.year = {mark}{kept} "
        "GROUP BY c.sop_id ORDER BY c.sop_id", (year, *params))]
