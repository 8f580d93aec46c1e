"""What both SQL stores say alike: `SqlStore`, the base of `SqliteStore` and `PostgresStore`.

The two stores keep the same tables and speak the same SQL over them; what differs is the
driver's placeholder (`?` or `%s`), how a moment travels (ISO 8601 text in UTC, or a datetime),
and what a shared database adds: the organisation on the rows of a run (its row security reads
it), locks, the server's clock. The queries written here once are the ones that differ in nothing
else; each store keeps its opening, transactions, pins, run ids and attachments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from sop_cli.errors import SopError, StoreError
from sop_cli.i18n import _
from sop_cli.store.interface import (
    Event,
    EventKind,
    NewCase,
    NewRun,
    RunFilter,
    RunRow,
    RunStatus,
    RunSummary,
    StoredRun,
    Summarize,
    bad_zone,
    changed_meanwhile,
    damaged,
    data_problem,
    filter_sql,
    kind_problem,
    like_literal,
    not_a_moment,
    org_of,
    subject_key,
)

if TYPE_CHECKING:
    from sop_cli.store.periods import PeriodFigures, StepSpread

Row = tuple[Any, ...]
_S = TypeVar("_S", bound="SqlStore")

SUMMARY = ("status", "current_step", "current_kegiatan", "current_since", "current_due", "steps_done", "steps_total",
           "rework_loops", "last_seq", "updated_at")
"""The summary columns of `runs` (`RunSummary`'s fields, in order)."""

_TIMES = ("started_at", "ended_at", "outcome", "office_minutes", "external_minutes", "promised_minutes", "within",
          "holder", "last_seq")
_STEP_TIMES = ("seq", "step", "lane", "external", "started_at", "finished_at", "minutes", "standard_minutes", "late")


class SqlStore:
    """The queries of `sop_cli.store.interface.Store` that both SQL stores run alike."""

    location: str
    _mark: ClassVar[str]
    """The driver's placeholder: `?` (sqlite3) or `%s` (psycopg)."""
    _keeps_org: ClassVar[bool] = False
    """Whether the rows of a run carry its organisation (`org_id`: a shared store's row security)."""

    # What each store provides ------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[object] = ()) -> Iterable[Row]:
        """Run `sql` in the current transaction; its rows."""
        raise NotImplementedError

    def _many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run `sql` once for each of `rows`."""
        raise NotImplementedError

    def _moment(self, moment: datetime) -> object:
        """A moment as a parameter."""
        raise NotImplementedError

    def _read_moment(self, value: Any) -> datetime:
        """A moment as a column gives it back (ValueError or TypeError when it is none)."""
        raise NotImplementedError

    def _append(self, run_id: str, event: Event) -> Event:
        """Insert `event` into the run's log; the event as stored."""
        raise NotImplementedError

    def load_run(self, run_id: str) -> StoredRun | None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Rows --------------------------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        return next(iter(self._query(sql, params)), None)

    def _all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return list(self._query(sql, params))

    def _marks(self, count: int) -> str:
        return ", ".join([self._mark] * count)

    def _insert(self, table: str, record: Mapping[str, object]) -> None:
        self._query(f"INSERT INTO {table} ({', '.join(record)}) VALUES ({self._marks(len(record))})",
                    tuple(record.values()))

    def _where(self, include_all: bool, where: RunFilter | None) -> tuple[str, list[object]]:
        """`WHERE …` (or "") keeping the runs `where` keeps, only the active ones unless `include_all`."""
        condition, params = filter_sql(where, self._mark, self._moment)
        parts = ([] if include_all else ["status = 'active'"]) + ([condition] if condition else [])
        return (" WHERE " + " AND ".join(parts) if parts else ""), params

    def _owner(self, sop_id: str) -> dict[str, object]:
        return {"org_id": org_of(sop_id)} if self._keeps_org else {}

    def _summary_columns(self, summary: RunSummary) -> dict[str, object]:
        values = {name: getattr(summary, name) for name in SUMMARY} | {"status": summary.status.value}
        return {name: self._moment(v) if isinstance(v, datetime) else v for name, v in values.items()}

    def _run_record(self, run: NewRun, summary: RunSummary) -> dict[str, object]:
        return {
            "id": run.id, "sop_id": run.sop_id, **self._owner(run.sop_id), "year": run.year, "title": run.title,
            "zone": run.zone, "definition_sha256": run.definition_sha256, "calendar_sha256": run.calendar_sha256,
            "source_path": run.source_path, "source_sha256": run.source_sha256,
            "created_at": self._moment(run.created_at), **self._summary_columns(summary),
        }

    def _identity(self, run_id: str) -> NewRun | None:
        """The run's identity as `export_run` carries it."""
        row = self._one("SELECT id, sop_id, year, title, zone, definition_sha256, calendar_sha256, source_path, "
                        f"source_sha256, created_at FROM runs WHERE id = {self._mark}", (run_id,))
        if row is None:
            return None
        return NewRun(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                      self._read_moment(row[9]).astimezone(timezone.utc))

    def _run_row(self, r: Row) -> RunRow:
        """A listing row (`summaries`); a zone that is not WIB, WITA or WIT, or a summary that cannot
        be read, is damage (exit 4)."""
        from sop_cli.worktime import ZONES

        def moment(value: Any) -> datetime | None:
            return self._read_moment(value) if value is not None else None

        try:
            if r[4] not in ZONES:
                raise ValueError(bad_zone(r[4]))
            summary = RunSummary(RunStatus(r[6]), r[7], r[8], moment(r[9]), moment(r[10]), r[11], r[12], r[13], r[14],
                                 moment(r[15]))
            return RunRow(r[0], r[1], r[2], r[3], r[4], self._read_moment(r[5]), summary, r[16], r[17], r[18])
        except (TypeError, ValueError) as error:
            raise damaged(self.location, str(r[0]), _("its summary cannot be read ({error})").format(
                error=error)) from None

    # Runs --------------------------------------------------------------------------------------

    def run_exists(self, run_id: str) -> bool:
        """Whether a run with exactly this id exists."""
        return self._one(f"SELECT 1 FROM runs WHERE id = {self._mark}", (run_id,)) is not None

    def run_ids_with_prefix(self, prefix: str) -> list[str]:
        """Ids starting with `prefix` (taken literally: `%` and `_` are not wildcards), by id."""
        return [str(r[0]) for r in self._query(
            f"SELECT id FROM runs WHERE id LIKE {self._mark} ESCAPE '\\' ORDER BY id", (like_literal(prefix) + "%",))]

    def run_ids(self, *, active_only: bool = False) -> list[str]:
        """Every run id (only active ones with `active_only`), oldest first."""
        where = " WHERE status = 'active'" if active_only else ""
        return [str(r[0]) for r in self._query(f"SELECT id FROM runs{where} ORDER BY created_at, id")]

    def create_run(self, run: NewRun, started: Event, summary: RunSummary) -> Event:
        """Add the run's row and its `started` event as seq 1 (inside `write()`)."""
        self._insert("runs", self._run_record(run, summary))
        started = self._append(run.id, replace(started, seq=1))
        self._set_times(run.id, summary)
        return started

    def append_event(self, run_id: str, event: Event, *, after_seq: int, summary: RunSummary) -> Event:
        """Append `event` as seq `after_seq + 1` and set the summary (inside `write()`).

        Raises:
            ConflictError: The log's last seq is not `after_seq`.
        """
        row = self._one(f"SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = {self._mark}", (run_id,))
        last = int(row[0]) if row else 0
        if last != after_seq:
            raise changed_meanwhile(run_id, last)
        event = self._append(run_id, replace(event, seq=after_seq + 1))
        self._set_summary(run_id, summary, event)
        return event

    _LISTED = (f"SELECT id, sop_id, year, title, zone, created_at, {', '.join(SUMMARY)}, "
               "(SELECT untuk FROM case_subjects WHERE case_subjects.run_id = runs.id) AS untuk, "
               "(SELECT number FROM cases WHERE cases.run_id = runs.id) AS case_number, "
               "(SELECT holder FROM run_times WHERE run_times.run_id = runs.id) AS holder")
    """A listing row: identity, summary, and whom a case is for, its number, who holds it now."""

    def summaries(self, *, include_all: bool = False, limit: int | None = None,
                  where: RunFilter | None = None) -> list[RunRow]:
        """Active runs (every run with `include_all`) kept by `where`, oldest first; the newest
        `limit` of them."""
        condition, params = self._where(include_all, where)
        limited = f" ORDER BY created_at DESC, id DESC LIMIT {int(limit)}" if limit is not None else ""
        return [self._run_row(r) for r in self._query(
            f"SELECT * FROM ({self._LISTED} FROM runs{condition}{limited}) AS newest ORDER BY created_at, id", params)]

    def count_runs(self, *, include_all: bool = False, where: RunFilter | None = None) -> int:
        """How many runs are active (exist, with `include_all`) and kept by `where`."""
        condition, params = self._where(include_all, where)
        row = self._one(f"SELECT COUNT(*) FROM runs{condition}", params)
        return int(row[0]) if row else 0

    def _set_summary(self, run_id: str, summary: RunSummary, event: Event | None = None) -> None:
        values = self._summary_columns(summary)
        assignments = ", ".join(f"{name} = {self._mark}" for name in values)
        self._query(f"UPDATE runs SET {assignments} WHERE id = {self._mark}", (*values.values(), run_id))
        self._set_times(run_id, summary, event)

    def _set_times(self, run_id: str, summary: RunSummary, event: Event | None = None) -> None:
        """Bring the run's `run_times` row and `step_times` rows in line with `summary.times`.

        A completed pass (keyed by its event's seq) never changes: after appending `event`, only
        its own pass is added (a step event) or the pass it takes back removed (`undone`); without
        an event (a new, imported or rebuilt run) every row is written afresh."""
        times, m = summary.times, self._mark
        if times is None:
            return
        if event is None:
            self._query(f"DELETE FROM step_times WHERE run_id = {m}", (run_id,))
            new = list(times.steps)
        else:
            if event.kind == EventKind.UNDONE and isinstance(event.data.get("undoes"), int):
                self._query(f"DELETE FROM step_times WHERE run_id = {m} AND seq = {m}", (run_id, event.data["undoes"]))
            new = [t for t in times.steps if t.seq == event.seq]
        org = "org_id, " if self._keeps_org else ""
        upsert = (f"INSERT INTO run_times (run_id, {org}sop_id, {', '.join(_TIMES)}) "
                  f"SELECT id, {org}sop_id, {self._marks(len(_TIMES))} FROM runs WHERE id = {m} "
                  "ON CONFLICT (run_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _TIMES))
        values = (self._moment(times.started_at), self._moment(times.ended_at) if times.ended_at else None,
                  times.outcome, times.office_minutes, times.external_minutes, times.promised_minutes,
                  None if times.within is None else int(times.within), times.holder, summary.last_seq, run_id)
        insert = (f"INSERT INTO step_times (run_id, {org}sop_id, {', '.join(_STEP_TIMES)}) "
                  f"SELECT id, {org}sop_id, {self._marks(len(_STEP_TIMES))} FROM runs WHERE id = {m}")
        rows = [(t.seq, t.step, t.lane, int(t.external), self._moment(t.started_at), self._moment(t.finished_at),
                 t.minutes, t.standard_minutes, int(t.late), run_id) for t in new]
        self._write_times(upsert, values, insert, rows)

    def _write_times(self, upsert: str, values: Sequence[object], insert: str,
                     rows: Sequence[Sequence[object]]) -> None:
        self._query(upsert, values)
        if rows:
            self._many(insert, rows)

    def _replay_each(self, run_ids: Iterable[str], summarize: Summarize,
                     loaded: Mapping[str, StoredRun] | None = None) -> Iterator[tuple[StoredRun, RunSummary]]:
        """Each run of `run_ids` (from `loaded` when there) with its summary replayed by `summarize`;
        a damaged run is left out, for reading it to name the damage."""
        for run_id in run_ids:
            try:
                stored = (loaded or {}).get(run_id) or self.load_run(run_id)
                if stored is None or not stored.events:
                    continue
                summary = summarize(stored)
            except (SopError, KeyError, TypeError, ValueError, AttributeError, OverflowError):
                continue
            yield stored, summary

    # Cases -------------------------------------------------------------------------------------

    def next_case_number(self, sop_id: str, year: int) -> int:
        """The next free case number of SOP `sop_id` in `year` (inside `write()`, where writers of
        the same SOP and year queue; the unique key is the last defence)."""
        row = self._one(f"SELECT COALESCE(MAX(number), 0) FROM cases WHERE sop_id = {self._mark} AND year = {self._mark}",
                        (sop_id, year))
        return int(row[0]) + 1 if row else 1

    def add_case(self, case: NewCase) -> None:
        """Record a case's number and (apart, as personal data) whom it is for (inside `write()`)."""
        owner = self._owner(case.sop_id)
        self._insert("cases", {"run_id": case.run_id, **owner, "sop_id": case.sop_id, "year": case.year,
                               "number": case.number, "received_at": self._moment(case.received_at)})
        if case.untuk:
            self._insert("case_subjects", {"run_id": case.run_id, **owner, "untuk": case.untuk,
                                           "untuk_key": subject_key(case.untuk)})

    def open_cases_for(self, sop_id: str, untuk: str) -> list[str]:
        """The active cases of SOP `sop_id` for the person named `untuk` (compared by `subject_key`)."""
        return [str(r[0]) for r in self._query(
            "SELECT runs.id FROM runs JOIN case_subjects s ON s.run_id = runs.id "
            f"WHERE runs.sop_id = {self._mark} AND runs.status = 'active' AND s.untuk_key = {self._mark} "
            "ORDER BY runs.created_at, runs.id", (sop_id, subject_key(untuk)))]

    def erasable_cases(self, before: datetime) -> list[str]:
        """Cases that ended (finished, refused or cancelled) before `before` and still hold their
        subject's name, oldest first."""
        return [str(r[0]) for r in self._query(
            "SELECT t.run_id FROM run_times t JOIN case_subjects s ON s.run_id = t.run_id "
            f"WHERE t.ended_at IS NOT NULL AND t.ended_at < {self._mark} AND s.untuk IS NOT NULL "
            "ORDER BY t.ended_at, t.run_id", (self._moment(before),))]

    def erase_subject(self, run_id: str, at: datetime) -> None:
        """Erase whom case `run_id` was for (the row stays, marked with when it was erased)."""
        self._query(f"UPDATE case_subjects SET untuk = NULL, untuk_key = NULL, erased_at = {self._mark} "
                    f"WHERE run_id = {self._mark}", (self._moment(at), run_id))

    # Reports over many runs (`store.periods` holds their SQL) ----------------------------------

    def period_figures(self, sop_id: str, start: datetime, end: datetime) -> PeriodFigures:
        """SOP `sop_id`'s cases over [start, end), aggregated by the database."""
        from sop_cli.store.periods import period_figures

        return period_figures(self._query, self._mark, self._moment, sop_id, start, end)

    def step_spread(self, sop_id: str) -> list[StepSpread]:
        """Every step of SOP `sop_id` over all its runs."""
        from sop_cli.store.periods import step_spread

        return step_spread(self._query, self._mark, sop_id)

    def run_outcomes(self, sop_id: str) -> tuple[int, int]:
        """(runs, finished or refused) of SOP `sop_id`."""
        from sop_cli.store.periods import run_outcomes

        return run_outcomes(self._query, self._mark, sop_id)

    def case_counts(self, year: int, where: RunFilter | None = None) -> list[tuple[str, int, int, int, int, int, int]]:
        """Per service SOP, its cases received in `year`."""
        from sop_cli.store.periods import case_counts

        condition, params = filter_sql(where, self._mark, self._moment)
        return case_counts(self._query, self._mark, year, condition, params)

    def run_heads(self, where: RunFilter | None = None) -> list[tuple[str, str, str, bool, str]]:
        """(id, sop_id, status, is a case, definition sha256) of every run `where` keeps, oldest
        first: what choosing runs needs, without their summaries."""
        condition, params = self._where(True, where)
        return [(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), str(r[4])) for r in self._query(
            "SELECT id, sop_id, status, id IN (SELECT run_id FROM cases), definition_sha256 FROM runs"
            f"{condition} ORDER BY created_at, id", params)]

    def ended_step_rows(self, where: RunFilter | None = None) -> Iterator[tuple[str, int, int, int, int]]:
        """(run id, step, working minutes, late, standard minutes) of every completed pass of the runs
        `where` keeps that are no longer active (cases of service SOPs left out: they are not a
        cycle's runs), streamed from `step_times` (no replay)."""
        condition, params = self._where(True, where)
        rest = (f"{condition} AND " if condition else " WHERE ") + "status <> 'active' AND id NOT IN (SELECT run_id FROM cases)"
        rows = self._query("SELECT run_id, step, minutes, late, standard_minutes FROM step_times "
                           f"WHERE run_id IN (SELECT id FROM runs{rest}) ORDER BY run_id, seq", params)
        # typed NOT NULL columns (text, then integers; late is 0 or 1): passed on as the driver reads
        # them, since an evaluation streams millions of these rows
        return cast("Iterator[tuple[str, int, int, int, int]]", iter(rows))

    def pinned_texts(self, shas: Sequence[str]) -> dict[str, str]:
        """The pinned JSON texts of these SHA-256s (asked 500 at a time)."""
        found: dict[str, str] = {}
        wanted = list(shas)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update((str(r[0]), str(r[1])) for r in self._query(
                f"SELECT sha256, body FROM pinned WHERE sha256 IN ({self._marks(len(chunk))})", chunk))
        return found

    def sop_ids(self, where: RunFilter | None = None) -> list[str]:
        """The qualified ids of the SOPs of the runs `where` keeps (every status), sorted."""
        condition, params = self._where(True, where)
        return [str(r[0]) for r in self._query(f"SELECT DISTINCT sop_id FROM runs{condition} ORDER BY sop_id", params)]


def event_columns(event: Event, moment: Callable[[datetime], object]) -> dict[str, object]:
    """The columns of an event row (without run_id), its times passed through `moment`."""
    return {
        "seq": event.seq, "kind": event.kind.value, "at": moment(event.at), "recorded_at": moment(event.recorded_at),
        "actor": event.actor, "os_user": event.os_user, "step": event.step,
        "data": json.dumps(dict(event.data), ensure_ascii=False, sort_keys=True),
    }


def event_from_columns(location: str, run_id: str, seq: Any, kind: Any, at: Any, recorded_at: Any, actor: Any,
                       os_user: Any, step: Any, data: Any, db_user: Any = None, *,
                       read_moment: Callable[[Any], datetime]) -> Event:
    """An `Event` from the columns of its row, checked as sop wrote it (`read_moment` turns a time
    column into an aware datetime, or raises TypeError or ValueError).

    Raises:
        StoreError: The row is damaged (a time that cannot be read or is out of range, data that is
            not a JSON object of the shape sop writes, a number or step that is not one): names the
            run and event (exit 4).
    """
    def bad(problem: str) -> StoreError:
        return damaged(location, str(run_id), problem, seq if isinstance(seq, int) else None)

    if not isinstance(seq, int):
        raise bad(_("its number {value!r} is not a whole number").format(value=seq))
    for column, value in (("kind", kind), ("actor", actor), ("os_user", os_user)):
        if not isinstance(value, str):
            raise bad(_("its {key} {value!r} is not text").format(key=column, value=value))
    if step is not None and not isinstance(step, int):
        raise bad(_("its step {value!r} is not a step number").format(value=step))
    times = []
    for column, value in (("at", at), ("recorded_at", recorded_at)):
        try:
            moment = read_moment(value)
            if not 1 < moment.year < 9999:  # any change of zone would overflow
                raise ValueError(moment.year)
            times.append(moment.astimezone(timezone.utc))
        except (AttributeError, OverflowError, TypeError, ValueError):
            raise bad(not_a_moment(column, value)) from None
    try:
        decoded = json.loads(data or "{}")
    except (TypeError, ValueError) as error:
        raise bad(_("its data is not JSON ({error})").format(error=error)) from None
    problem = kind_problem(kind) or data_problem(decoded)
    if problem:
        raise bad(problem)
    return Event(seq=seq, kind=kind, at=times[0], recorded_at=times[1], actor=actor, os_user=os_user, step=step,
                 data=decoded, db_user=db_user or None)
