"""Use-cases of runs: what `sop start / advance / status / runs / log / undo / cancel / note` call.

Each function opens the store (any `sop_cli.store.interface.Store`), does its work in one
transaction and returns a typed view (`engine.RunView`; for writes with `recorded`, the event
appended). `load_run` gives the `RunState` itself, for reports and letters.

Every use-case takes one `Session` (when it is, who acts, on which store) and values: event times
as values (`at`: an aware or naive datetime, a `date`
meaning the office edge of that day, or a `time` meaning today) read in the organisation's zone.
Reading them from the environment and the command line is the CLI's job (`sop_cli.cli.parse`).

Only `start` reads SOP files (the catalog); the other commands use the definition pinned in the
run, and `status` merely hashes the source file to say whether it changed.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sop_cli.errors import AmbiguousError, ConflictError, NotFoundError, UsageError
from sop_cli.i18n import _, ngettext
from sop_cli.run import engine
from sop_cli.store.interface import KeptFile

if TYPE_CHECKING:
    from sop_cli.definition.graph import Graph
    from sop_cli.run.periods import Period
    from sop_cli.store.interface import RunRow, Store, StoredRun
    from sop_cli.worktime import WorkCalendar

PINNED_YEARS = 3
"""A run pins the national holidays of the year it starts and of the two following years."""

YEARS = range(2000, 2101)
"""The years a run may be for."""


class DaysAgo(NamedTuple):
    """A day counted back from today in the organisation's zone (0: today, 1: yesterday), with an
    optional time of day: what "hari ini 09.30" or "kemarin" mean."""

    days: int
    clock: time | None = None


FIRST_YEAR, LAST_YEAR = 1900, 2200
"""The years a run can start in or record events in. Python's dates end at year 9999 and a run's
calendar and forecast reach up to ten years ahead, so moments far outside the working lives of
people using `sop` are refused with this range rather than overflowing later."""

_ALL = 2**31
"""A `limit` of runs this large or larger means every run (no store holds that many)."""

class Session(NamedTuple):
    """Who acts, when, on which store: what each use-case of a command needs besides its values.

    `now` is an aware datetime; `actor` is recorded when nobody is named (`by`); `os_user` typed
    the command; `pressed` is when the person pressed Enter, if known (`advance` without a step
    acts only on what could be seen then). The CLI makes one per command (`cli.parse.session`).
    """

    now: datetime
    actor: str = ""
    os_user: str = ""
    store: str | Path | None = None
    by: str | None = None
    pressed: datetime | None = None

    @property
    def who(self) -> str:
        """The person an event names: the one given with `by`, else the acting user."""
        return self.by or self.actor


Moment = datetime | date | time | DaysAgo
"""An event time as given: a datetime (naive: in the organisation's zone), a date alone (an office
edge of that day), a time alone (today), or a `DaysAgo`."""


# Times ----------------------------------------------------------------------------------------


def _office_edge(calendar: WorkCalendar, day: date, *, end: bool) -> datetime:
    spans = calendar.intervals.get(day.weekday())
    edge = (spans[-1][1] if end else spans[0][0]) if spans else (time(16, 0) if end else time(7, 30))
    return datetime.combine(day, edge, tzinfo=calendar.tz)


def _moment(at: Moment, tz: tzinfo, now: datetime, date_only: Callable[[date], datetime]) -> datetime:
    """An `at` value as an aware datetime in zone `tz`.

    Raises:
        UsageError: The moment is outside the years `FIRST_YEAR`..`LAST_YEAR` (option "at").
    """
    if isinstance(at, DaysAgo):
        day = now.astimezone(tz).date() - timedelta(days=at.days)
        moment = date_only(day) if at.clock is None else datetime.combine(day, at.clock, tzinfo=tz)
    elif isinstance(at, datetime):
        moment = at.replace(tzinfo=tz) if at.tzinfo is None else at
    elif isinstance(at, date):
        _check_year(at.year)
        moment = date_only(at)
    else:
        moment = datetime.combine(now.astimezone(tz).date(), at, tzinfo=tz)
    _check_year(moment.year)  # before any change of zone, which can overflow at year 1 or 9999
    return moment


def _check_year(year: int, option: str = "at") -> None:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return
    if option == "year":
        raise UsageError(_("{year} is outside the years sop handles ({first}–{last}). Nothing was recorded.").format(
            year=year, first=FIRST_YEAR, last=LAST_YEAR), option=option)
    raise UsageError(_("falls in the year {year}, outside the years sop handles ({first}–{last}). "
                       "Nothing was recorded.").format(year=year, first=FIRST_YEAR, last=LAST_YEAR), option=option)


# Store access ---------------------------------------------------------------------------------


def _open(store: str | Path | None, *, create: bool, readonly: bool = False) -> Store:
    from sop_cli.paths import store_path
    from sop_cli.store import open_store

    opened = open_store(store, create=create, readonly=readonly, summarize=engine.stored_summary)
    if opened is None:
        if _named(store):
            raise NotFoundError(_("The store {store} does not exist.").format(store=store_path(store)),
                                hint=_("Check the store's path; starting a run there creates it."),
                                suggest="store_missing")
        raise NotFoundError(_("No runs yet: the store {store} does not exist.").format(store=store_path(store)),
                            hint=_("Start a run first."), suggest="start_example")
    return opened


def _named(store: str | Path | None) -> bool:
    """Whether the store was named by the person (an option or `SOP_STORE`), not the default."""
    return bool(store or os.environ.get("SOP_STORE"))


def _resolve(st: Store, run: str | None, *, latest_if_none_active: bool = False) -> str:
    """The run id `run` designates (exact id or unique prefix); without it, the only active run.

    With `latest_if_none_active` (reading commands), no active run means the last one updated,
    so `sop status` right after the last step shows the finished run.
    """
    if run:
        run = run.strip()
        if st.run_exists(run):
            return run
        # Run ids are written in lower case; `RENJA-2027` is how some people type them.
        if run != run.lower() and st.run_exists(run.lower()):
            return run.lower()
        matches = st.run_ids_with_prefix(run) or st.run_ids_with_prefix(run.lower())
        if len(matches) == 1:
            return matches[0]
        if not matches:
            lines, more = _run_lines(st, include_all=True)
            raise NotFoundError(_("No run {run!r}.").format(run=run), hint=_known_runs(lines, more, include_all=True),
                                suggest="runs", details={"lines": lines, "more": more, "all": True})
        listing = "\n".join(f"  {m}" for m in matches[:20]) + ("\n  ..." if len(matches) > 20 else "")
        raise AmbiguousError(_("{run!r} matches {count} runs; give more of the id:").format(run=run, count=len(matches))
                             + "\n" + listing)
    active = st.run_ids(active_only=True)
    if len(active) == 1:
        return active[0]
    if not active and latest_if_none_active:
        latest = st.latest_run_id()
        if latest:
            return latest
    if not active:
        others = len(st.run_ids())
        hint = _("Start one first.") if not others else ngettext(
            "Start one first. There is {count} finished or cancelled run; name it.",
            "Start one first. There are {count} finished or cancelled runs; name one.", others).format(count=others)
        raise NotFoundError(_("No active run."), hint=hint, suggest="start", details={"others": others})
    lines, more = _run_lines(st, include_all=False, limit=30)
    raise AmbiguousError(
        _("{count} runs are active; say which:").format(count=len(active)) + "\n"
        + _known_runs(lines, more, include_all=False),
        code="which_run", details={"count": len(active), "lines": lines, "more": more, "all": False},
    )


def _run_lines(st: Store, *, include_all: bool, limit: int = 20) -> tuple[list[str], bool]:
    rows = st.summaries(include_all=include_all, limit=limit + 1)
    lines = [f"  {r.id}  {r.title}  ({_row_state(r)})" for r in rows[:limit]]
    return lines, len(rows) > limit


def _row_state(row: RunRow) -> str:
    """A run's status as a listing shows it: "active, step 3" (in the interface language)."""
    summary = row.summary
    if summary.current_step:
        return _("{status}, step {step}").format(status=engine.status_word(summary.status), step=summary.current_step)
    return engine.status_word(summary.status)


def _known_runs(lines: list[str], more: bool, *, include_all: bool) -> str:
    if not lines:
        return _("There are no runs; start one first.")
    return (_("Runs:") + "\n" if include_all else "") + "\n".join(lines) + ("\n  " + _("... and more") if more else "")


def _state(st: Store, run_id: str) -> engine.RunState:
    stored = st.load_run(run_id)
    if stored is None:
        raise NotFoundError(_("No run {run!r}.").format(run=run_id))
    return replay(stored, st.location)


def replay(stored: StoredRun, location: str) -> engine.RunState:
    """The state of a stored run; a pinned form or log that cannot be replayed is a damaged store.

    The rows were checked one by one when read (`sop_cli.store.interface.data_problem`); what is
    left is damage only the whole run shows: a pinned definition or calendar of the wrong shape,
    an event that does not fit the definition. Its message names the run (exit 4), not a crash.

    Raises:
        StoreError: The run cannot be replayed.
    """
    from sop_cli.errors import StoreError
    from sop_cli.store.interface import damaged

    try:
        return engine.state_of(stored)
    except StoreError as error:
        # What the engine, the graph or the pinned form found, worded to follow "run X: "; an error
        # without one already names the store and the run.
        problem = error.details.get("problem")
        if not isinstance(problem, str):
            raise
        raise damaged(location, stored.id, problem) from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        # The data came from the store, not from this command: whatever of it cannot be read is
        # damage (SOP_DEBUG=1 still shows where, through the chained exception).
        problem = _("its pinned definition, calendar or log cannot be read ({error})").format(
            error=f"{type(error).__name__}: {error}")
        raise damaged(location, stored.id, problem) from error


def load_run(run: str | None = None, *, store: str | Path | None = None) -> engine.RunState:
    """The `RunState` of run `run` (id or unique prefix; None: the only active run, or the last
    run updated when none is active).

    Raises:
        NotFoundError: No store, no such run, or no active run.
        AmbiguousError: The prefix, or the absence of `run`, fits several runs.
    """
    with _open(store, create=False, readonly=True) as st, st.read():
        return _state(st, _resolve(st, run, latest_if_none_active=True))


def _view(state: engine.RunState, now: datetime, event: engine.Event | None = None) -> engine.RunView:
    view = engine.run_view(state, now)
    if event is not None:
        view["recorded"] = engine.event_view(state, event)
    return view


def _append(
    session: Session, run: str | None,
    build: Callable[[engine.RunState], engine.Event],
    prepare: Callable[[Store, engine.RunState], object] | None = None,
    seen: Callable[[engine.RunState], Callable[[engine.RunState], None]] | None = None,
    look: Callable[[Store, engine.RunState], object] | None = None,
) -> engine.RunView:
    """Append the event `build(state)` makes, checking it against the state inside the write.

    `prepare(store, state)` runs first, outside the transaction, after a trial `build` on the
    state as read (so bad input is refused before anything, e.g. an attachment copy, is written).
    `seen(state)`, given the state as first read (what the person saw when they pressed Enter),
    returns the check the state inside the write must pass (it raises `ConflictError` when
    someone else moved the run in between).
    `look(store, state)` runs before every `build`, in the same transaction (reading a child run).
    A step event that finishes a sub-SOP's run also completes its parent's step (`_complete_parent`).
    """

    check: Callable[[engine.RunState], None] | None = None
    with _open(session.store, create=False) as st:
        with st.read():
            run_id = _resolve(st, run)
            if prepare is not None or seen is not None:
                state = _state(st, run_id)
                if look is not None:
                    look(st, state)
        if seen is not None:
            check = seen(state)
        if prepare is not None:
            build(state)  # refuse bad input early
            prepare(st, state)
        with st.write():
            state = _state(st, run_id)  # re-read inside the transaction: the expected-state check
            if check is not None:
                check(state)
            if look is not None:
                look(st, state)
            event, new_state = record(st, run_id, state, build(state))
            if new_state.status == engine.RunStatus.FINISHED and state.status == engine.RunStatus.ACTIVE and new_state.parent:
                _complete_parent(st, new_state, event)
    return _view(new_state, session.now, event)


def record(st: Store, run_id: str, state: engine.RunState, event: engine.Event) -> tuple[engine.Event, engine.RunState]:
    """Append `event` to run `run_id`, whose state is `state`, with the summary it leaves
    (ConflictError when the log moved on since); the event as stored and the state after it."""
    last = state.events[-1].seq
    after = engine.with_event(state, replace(event, seq=last + 1))
    return st.append_event(run_id, event, after_seq=last, summary=engine.summary(after)), after


def _complete_parent(st: Store, child: engine.RunState, last: engine.Event) -> None:
    """Complete the parent's step a finished child run did, when that step is still current and
    waiting for this child; otherwise leave the parent as it is (it can be advanced by hand)."""

    link = child.parent or {}
    parent_id, step = str(link.get("run", "")), link.get("step")
    stored = st.load_run(parent_id)
    if stored is None or not isinstance(step, int):
        return
    parent = engine.state_of(stored)
    if step not in parent.current_steps or parent.sub_runs.get(step) != child.run_id:
        return
    event = engine.step_event(parent, now=last.recorded_at, at=max(last.at, parent.events[-1].at),
                              expected_step=step, fallback_actor=last.actor, os_user=last.os_user,
                              by=last.actor, sub_run=child)
    record(st, parent.run_id, parent, event)


# Attachments ----------------------------------------------------------------------------------


def _check_files(files: Iterable[str | Path]) -> list[Path]:
    """The files to attach, each checked to be a regular file before anything is written.

    The copy checks again on what it opens (`sop_cli.fs.copy_atomically`); this check words the
    common mistakes before a run is even read.
    """
    paths = [Path(f).expanduser() for f in files]
    for path in paths:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            missing = (_("{path}: the file is a link to a file that does not exist. Nothing was recorded.")
                       if path.is_symlink() else _("{path}: the file does not exist. Nothing was recorded."))
            raise UsageError(missing.format(path=path), option="attach") from None
        except OSError as error:
            raise UsageError(_("{path}: the file cannot be read ({reason}). Nothing was recorded.").format(
                path=path, reason=error.strerror or error), option="attach") from None
        if stat.S_ISDIR(mode):
            raise UsageError(_("{path}: the file is a folder, not a file. Nothing was recorded.").format(path=path),
                             option="attach")
        if not stat.S_ISREG(mode):
            raise UsageError(_("{path}: not a regular file (a FIFO, device or socket); attach a file. "
                               "Nothing was recorded.").format(path=path), option="attach")
    return paths


def _keep(st: Store, run_id: str, paths: Sequence[Path]) -> list[KeptFile]:
    from sop_cli.settings import max_attachment_bytes

    limit = max_attachment_bytes()
    return [st.keep_attachment(run_id, path, max_bytes=limit) for path in paths]


# Use-cases ------------------------------------------------------------------------------------


def start_run(
    session: Session, sop: str, *, org: str | None = None, year: int | None = None, title: str | None = None,
    at: Moment | None = None, assign: Mapping[str, str] | None = None, again: bool = False,
    parent: str | None = None, parent_step: int | None = None, untuk: str | None = None,
) -> engine.RunView:
    """Start a run of SOP `sop` (id as for `sop show`); return its view with the forecast.

    With `parent` (a run id or prefix), the run is a sub-SOP's child run: it does the parent's
    current step whose `sub_sop` names this SOP (`parent_step` when several could), for the
    parent's year unless `year` is given; both runs name each other (the child's `started` has
    `parent`, the parent's log a `sub_run_started`), and the
    parent's step is completed when the child finishes.

    The run pins the validated definition (with SHA-256 of its canonical JSON and of the source
    file) and its calendar (the national holidays and cuti bersama of `PINNED_YEARS` years plus
    the organisation's own days off), so later edits of the YAML or of `holidays` never change it.
    Its id is `<sop id>-<year>`, then `-2`, `-3`... when taken (the view's `id_taken` then names
    the run holding the plain id). `year` defaults to the year being planned: the one after `at`.
    A second run of the same SOP and year (not counting cancelled runs) needs `again`.
    A service SOP (`jenis: layanan`, see `sop_cli.run.cases`) starts a case instead: for `untuk`,
    numbered in the year it is received (`sktm-2026-0042`; `year` refused), any number a year; a
    second open case for the same person needs `again`.
    `assign` maps a lane (id or name, any case) to the person filling it; `at` alone as a date
    means the start of office hours.

    Raises:
        ConflictError: The SOP already has a run for the year and `again` is not set
            (`code` "run_exists").
        NotFoundError / AmbiguousError: The SOP name fits no SOP / several.
        UsageError: A bad assignment, `at`, `year` or `title` (with `option` naming which).
        StateError: `parent` has no current step done by this SOP, or that step has a child run
            that is not cancelled.
    """
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.pinned import pin_text
    from sop_cli.run import cases
    from sop_cli.store.interface import NewCase, NewRun
    from sop_cli.worktime import office_calendar, zone

    now = session.now
    entry = load_catalog().resolve(sop, org)
    definition = entry.data  # what model_dump(mode="json") gives, straight from the catalog cache
    definition_text = pin_text(definition)  # versioned: see sop_cli.definition.pinned
    proc = engine.procedure(definition)
    assignments = _assignments(assign or {}, proc)
    untuk = cases.check_untuk(untuk, proc, parent=parent is not None)
    is_case = proc.jenis == "layanan" and parent is None
    if is_case and year is not None:
        raise UsageError(_("SOP {sop} is a service: a case is numbered in the year it is received, not for a year "
                           "given (a case received earlier is started with the time it was received). "
                           "Nothing was recorded.").format(
            sop=proc.qualified_id), option="year")
    tz = zone(proc.zone)
    national = office_calendar(definition["organisasi"])
    moment = now if at is None else _moment(at, tz, now, lambda d: _office_edge(national, d, end=False))
    if moment > now:
        raise UsageError(_("{at} is in the future (now is {now}); a run starts when its first step can begin. "
                           "Nothing was recorded.").format(at=engine.show_moment(moment, tz),
                                                           now=engine.show_moment(now, tz)), option="at")
    local_year = moment.astimezone(tz).year
    if at is not None:
        _check_year(local_year)  # 1900-01-01T00:00+14:00 is still 1899 in the organisation's zone
    if year is not None and year not in YEARS:  # narrower than FIRST_YEAR..LAST_YEAR: a plausible plan
        raise UsageError(_("{year} is outside the years a run may be for ({first} to {last}); e.g. {example}. "
                           "Nothing was recorded.").format(year=year, first=YEARS[0], last=YEARS[-1],
                                                           example=local_year + 1), option="year")
    if title is not None and not title.strip():
        raise UsageError(_("is empty; leave it out to use the SOP's name and the year."), option="title")
    years = range(local_year, local_year + PINNED_YEARS)
    national = office_calendar(definition["organisasi"], years)  # with its Ramadan periods
    days_off = {d: name for y in years for d, name in national.holidays_in(y)}
    pinned = engine.pinned_calendar(proc.zone, days_off, list(years), source=_holidays_source(), calendar=national)
    calendar_text = json.dumps(pinned, ensure_ascii=False, sort_keys=True)
    given_year = year
    import hashlib  # here: OpenSSL costs ~2.5 ms, and `sop runs` never hashes

    source_sha = hashlib.sha256(entry.path.read_bytes()).hexdigest()
    source_path = str(entry.path.resolve())

    with _open(session.store, create=parent is None) as st, st.write():
        mother: engine.RunState | None = None
        link: dict[str, Any] = {}
        if parent is not None:
            mother = _state(st, _resolve(st, parent))
            step_no = engine.start_child(mother, proc.qualified_id, parent_step)
            _check_no_child(st, mother, step_no)
            link = {"parent": {"run": mother.run_id, "step": step_no}}
        # The year being planned: the Renja prepared in 2026 is the Renja for 2027; a sub-SOP's
        # run is for its parent's year; a case is numbered in the year it is received.
        year = local_year if is_case else given_year or (mother.year if mother is not None else local_year + 1)
        number = st.next_case_number(proc.qualified_id, year) if is_case else None
        if number is not None:
            cases.guard_open_case(st, proc.qualified_id, untuk, again)
        title = (title or (cases.case_title(proc.nama, year, number) if number is not None
                           else f"{proc.nama} {year}")).strip()
        # A sub-SOP may run once per parent step (_check_no_child guards that), so only a run
        # started on its own is checked against the year's other runs.
        same = [r for r in st.summaries(include_all=True)
                if r.sop_id == proc.qualified_id and r.year == year and r.summary.status != engine.RunStatus.CANCELLED
                ] if mother is None and not is_case else []
        if same and not again:
            raise ConflictError(
                _("SOP {sop} already has a run for {year}: {runs}. Nothing was recorded.").format(
                    sop=proc.qualified_id, year=year, runs="; ".join(f"{r.id} ({_state_words(r)})" for r in same)),
                code="run_exists",
                details={"runs": [r.id for r in same], "sop": proc.qualified_id, "year": year,
                         "lines": [f"  {r.id}  {r.title}  ({_state_words(r)})" for r in same]},
            )
        base = cases.case_id(definition["id"], year, number) if number is not None else f"{definition['id']}-{year}"
        run_id = st.new_run_id(base)
        taken = [r for r in st.summaries(include_all=True) if r.id == base] if run_id != base else []
        definition_sha = st.pin("definition", definition_text)
        calendar_sha = st.pin("calendar", calendar_text)
        data = {
            "run": run_id, "sop": proc.qualified_id, "year": year, "title": title,
            "assignments": assignments, "source_path": source_path,
            "source_sha256": source_sha, "definition_sha256": definition_sha, "calendar_sha256": calendar_sha,
            **link,
        }
        started = engine.Event(1, engine.EventKind.STARTED, moment, now, session.who, session.os_user, None, data)
        state = engine.derive(proc, [started], engine.run_calendar(pinned))
        started = st.create_run(
            NewRun(run_id, proc.qualified_id, year, title, proc.zone, definition_sha, calendar_sha,
                   source_path, source_sha, moment),
            started, engine.summary(state),
        )
        if number is not None:
            st.add_case(NewCase(run_id, proc.qualified_id, year, number, untuk, moment))
            state.untuk, state.case_number = untuk, number
        if mother is not None:
            linked = engine.Event(0, engine.EventKind.SUB_RUN_STARTED, max(moment, mother.events[-1].at), now, session.who,
                                  session.os_user, link["parent"]["step"], {"sub_run": run_id, "sop": proc.qualified_id})
            record(st, mother.run_id, mother, linked)
    view = _view(state, now, started)
    if taken:
        view["id_taken"] = {"run": taken[0].id, "sop": taken[0].sop_id, "year": taken[0].year}
    return view


def _state_words(row: RunRow) -> str:
    summary = row.summary
    if summary.status == engine.RunStatus.ACTIVE and summary.current_step is not None:
        return _("active, step {step} of {total}").format(step=summary.current_step, total=summary.steps_total)
    return engine.status_word(summary.status)


def _check_no_child(st: Store, parent: engine.RunState, step: int) -> None:
    """Refuse a second child run for a step whose child is active or finished (a cancelled one may
    be replaced)."""
    from sop_cli.errors import StateError

    child_id = parent.sub_runs.get(step)
    stored = st.load_run(child_id) if child_id else None
    if stored is None:
        return
    child = engine.state_of(stored)
    if child.status != engine.RunStatus.CANCELLED:
        raise StateError(
            _("Step {step} of run {run} already has its sub-SOP run {child} ({status}). Nothing was started.").format(
                step=step, run=parent.run_id, child=child.run_id, status=engine.status_word(child.status)),
            hint=_("See the run's status and log."), suggest="status_and_log", details={"run": child.run_id},
        )


def _holidays_source() -> str:
    try:
        from importlib.metadata import version

        return f"holidays {version('holidays')} (ID; public, government)"
    except Exception:
        return "holidays (ID; public, government)"


def _assignments(assign: Mapping[str, str], proc: Graph) -> dict[str, str]:
    # A lane several people fill names each, "A; B; C": from the lane's `petugas` in the SOP file
    # unless the start names others.
    result: dict[str, str] = {lane["id"]: "; ".join(lane["petugas"])
                              for lane in proc.data.get("pelaksana", []) if lane.get("petugas")}
    by_name = {name.lower(): lane_id for lane_id, name in proc.lanes.items()}
    for lane, person in assign.items():
        key = lane.strip()
        lane_id = key if key in proc.lanes else by_name.get(key.lower())
        if lane_id is None:
            lanes = ", ".join(f"{i} ({n})" for i, n in proc.lanes.items())
            raise UsageError(_("{lane}={person}: SOP {sop} has no lane {key!r}. Its lanes: {lanes}.").format(
                lane=lane, person=person, sop=proc.qualified_id, key=key, lanes=lanes), option="assign")
        names = "; ".join(" ".join(name.split()) for name in person.split(";") if name.strip())
        if not names:
            raise UsageError(_("{lane}={person}: name the person (several: \"A; B; C\").").format(lane=lane, person=person),
                             option="assign")
        result[lane_id] = names
    return result


def advance(
    session: Session, run: str | None = None, *, step: int | None = None, note: str | None = None,
    attach: Sequence[str | Path] = (), at: Moment | None = None, approve: bool = False, reject: bool = False,
    reason: str | None = None,
) -> engine.RunView:
    """Complete the current step (approve or reject a decision step); return the new view.

    Without `step`, the step completed is the one current when the person pressed Enter
    (`session.pressed`, to the second, when known): anything recorded on the run since refuses it.

    With `step`, refuse (ConflictError) unless that step is current: the check and the append are
    one transaction, so of two people completing "step 3" at once only one succeeds. `at` back-dates
    the completion (not before the step became current, not in the future; a date alone means the
    end of office hours that day, or now if that is later than now). `attach` files are copied
    beside the store with their SHA-256 before the event is written.

    Raises:
        ConflictError: The current step is not `step`.
        StateError: The run is finished or cancelled.
        UsageError: Inputs that do not fit the step, a bad `at`, a missing attachment.
    """
    paths = _check_files(attach)
    copies: list[KeptFile] = []

    children: dict[int, engine.RunState] = {}

    def look(st: Store, state: engine.RunState) -> None:
        children.clear()
        for no, child_id in state.sub_runs.items():
            stored = st.load_run(child_id) if no in state.current_steps else None
            if stored is not None:
                children[no] = engine.state_of(stored)

    def build(state: engine.RunState) -> engine.Event:
        target = step if step is not None else state.current_step
        return engine.step_event(
            state, now=session.now, at=_at(at, state, session.now), expected_step=step, approve=approve,
            reject=reject, reason=reason, note=note, attachments=copies, by=session.by,
            fallback_actor=session.actor, os_user=session.os_user,
            sub_run=children.get(target) if target is not None else None,
        )

    def prepare(st: Store, state: engine.RunState) -> None:
        copies.extend(_keep(st, state.run_id, paths))

    def seen(first: engine.RunState) -> Callable[[engine.RunState], None]:
        """Without `step`, the step current when the person pressed Enter is the one completed."""
        if first.current is None or len(first.open_visits) > 1:
            # finished or cancelled, or several current steps: step_event words that
            return lambda state: None
        expected, seq = first.current.step, first.events[-1].seq

        def check(state: engine.RunState) -> None:
            pressed = session.pressed
            since = [e for e in state.events if e.kind in _MOVES and pressed is not None and e.recorded_at >= pressed]
            if since:
                raise engine.moved_since(state, since[-1])
            moved = [e for e in state.events if e.seq > seq and e.kind in _MOVES]
            if moved or state.current is None or state.current.step != expected:
                raise engine.moved_on(state, expected)

        return check

    return _append(session, run, build, prepare if paths else None, None if step is not None else seen, look)


_MOVES = frozenset({*engine.STEP_KINDS, engine.EventKind.UNDONE, engine.EventKind.CANCELLED})
"""Event kinds that change which step is current (a note does not)."""


def _at(at: Moment | None, state: engine.RunState, now: datetime) -> datetime | None:
    """`at` as an aware datetime; a date alone is the end of office hours that day (now, if that
    is today and later than now)."""
    if at is None:
        return None
    cal = state.calendar

    def day_end(day: date) -> datetime:
        edge = _office_edge(cal, day, end=True)
        return min(edge, now) if day == now.astimezone(cal.tz).date() else edge

    return _moment(at, cal.tz, now, day_end)


def undo(
    session: Session, run: str | None = None, *, reason: str, step: int | None = None, event: int | None = None,
) -> engine.RunView:
    """Reverse the latest step event in effect by appending an `undone` event (nothing is deleted).

    Only the event the person saw is reversed: the one latest when the command read the run, and,
    with `step` or `event`, only if it is that step's event or event number `event`. If another
    step event was recorded or undone in between, nothing is undone (`ConflictError`).

    Raises:
        UsageError: No reason. StateError: Nothing to undo, or the run is cancelled.
        ConflictError: The latest step event is not the one seen, or not `step` / `event`.
    """
    def build(state: engine.RunState) -> engine.Event:
        return engine.undo_event(state, now=session.now, reason=reason, by=session.by, fallback_actor=session.actor,
                                 os_user=session.os_user)

    def seen(first: engine.RunState) -> Callable[[engine.RunState], None]:
        target = first.last_step_event()
        if target is not None:
            engine.check_undo_target(first, target, step=step, event=event)

        def check(state: engine.RunState) -> None:
            latest = state.last_step_event()
            if target is not None and (latest is None or latest.seq != target.seq):
                raise engine.undo_moved_on(state, target)

        return check

    return _append(session, run, build, seen=seen)


def cancel(session: Session, run: str | None = None, *, reason: str, at: Moment | None = None) -> engine.RunView:
    """End an active run (a `cancelled` event with the reason).

    Raises:
        UsageError: No reason, bad `at`. StateError: Already finished or cancelled.
    """
    def build(state: engine.RunState) -> engine.Event:
        return engine.cancel_event(state, now=session.now, at=_at(at, state, session.now), reason=reason,
                                   by=session.by, fallback_actor=session.actor, os_user=session.os_user)

    return _append(session, run, build)


def add_note(
    session: Session, run: str | None = None, *, text: str | None = None, attach: Sequence[str | Path] = (),
    at: Moment | None = None,
) -> engine.RunView:
    """Add a note and/or attachments to a run without moving it (`note` / `attachment` event)."""
    paths = _check_files(attach)
    copies: list[KeptFile] = []

    def build(state: engine.RunState) -> engine.Event:
        return engine.note_event(
            state, now=session.now, at=_at(at, state, session.now), text=text, attachments=copies or _pending(paths),
            by=session.by, fallback_actor=session.actor, os_user=session.os_user,
        )

    def prepare(st: Store, state: engine.RunState) -> None:
        copies.extend(_keep(st, state.run_id, paths))

    return _append(session, run, build, prepare if paths else None)


def _pending(paths: Sequence[Path]) -> list[KeptFile]:
    """Placeholders for files about to be copied, so the trial check sees that files were given."""
    return [KeptFile(name=p.name, sha256="", size=0, path="") for p in paths]


def run_status(session: Session, run: str | None = None) -> engine.RunView:
    """The view of one run as of `now`, plus `sop_file`: {path, state} where state is
    "unchanged", "changed" (the YAML differs from the one the run started from), "missing" or
    "unknown" (no source recorded)."""
    state = load_run(run, store=session.store)
    view = engine.run_view(state, session.now)
    view["sop_file"] = source_file_state(state)
    return view


def source_file_state(state: engine.RunState) -> engine.SourceFile:
    """Whether the SOP file a run started from still exists and still has the same bytes."""
    path = state.source_path
    if not path or not state.source_sha256:
        return {"path": path, "state": "unknown"}
    try:
        digest = _file_sha256(Path(path))
    except FileNotFoundError:
        return {"path": path, "state": "missing"}
    except OSError:
        return {"path": path, "state": "unknown"}
    return {"path": path, "state": "changed" if digest != state.source_sha256 else "unchanged"}


def _file_sha256(path: Path) -> str:
    """The SHA-256 of the file at `path`, remembered in `$SOP_HOME/cache/digests.json` with the
    file's size, mtime and ctime, as git's index does: while those three are unchanged the file is
    not read again and OpenSSL is not loaded (about 2.5 ms of `sop status`). No ordinary edit keeps
    all three: an editor moves the mtime, and on POSIX even a restored mtime moves the ctime, which
    cannot be set back.

    Raises:
        OSError: The file cannot be read (FileNotFoundError: it is gone).
    """
    from sop_cli.fs import write_atomically
    from sop_cli.paths import sop_home

    info = os.stat(path)
    stamp = [info.st_size, info.st_mtime_ns, info.st_ctime_ns]
    cache = sop_home() / "cache" / "digests.json"
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    entry = known.get(str(path))
    if isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp and isinstance(entry[1], str):
        return entry[1]
    import hashlib  # here: OpenSSL costs ~2.5 ms

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    known[str(path)] = [stamp, digest]
    try:
        write_atomically(cache, json.dumps(known))  # a cache: not synced; a lost one is rebuilt
    except OSError:
        pass  # a read-only SOP_HOME only means hashing again next time
    return digest


def run_log(session: Session, run: str | None = None) -> engine.RunView:
    """The view of one run, whose `events` are the audit trail (every event, undone ones marked)."""
    return engine.run_view(load_run(run, store=session.store), session.now)


def list_runs(
    session: Session, *, include_all: bool = False, limit: int | None = None,
    org: str | None = None, sop: str | None = None, year: int | None = None, late: bool = False,
    untuk: str | None = None, period: Period | None = None,
) -> tuple[list[engine.RunListRow], int]:
    """(rows, total): one row per active run (every run with `include_all`), from the stored
    summaries, oldest first; with `limit`, the `limit` most recently started of the `total`.

    Row keys: run, sop, year, title, status, current_step, current_kegiatan, current_since,
    current_due (organisation's zone), late, progress {done, total}, rework_loops, started_at.
    `org` (an organisation id or its last word), `sop` (`renja` or a qualified id), `year` and
    `late` (only runs whose current step is past due at `now`) narrow the list, and for cases
    `untuk` (part of the name of whom a case is for) and `period` (started in those days, in the
    zone of the runs listed).
    """
    from sop_cli.store import store_exists
    from sop_cli.store.interface import RunFilter

    now, store = session.now, session.store
    if not store_exists(store) and not _named(store):
        return [], 0  # a fresh set-up: no runs yet; a named store that is missing is an error
    if limit is not None and limit >= _ALL:
        limit = None  # more than any store holds: every run (and no integer overflow in SQL)
    where = RunFilter(org=org, sop=sop, year=year, late_at=now if late else None, untuk=untuk
                      ) if (org or sop or year or late or untuk or period) else None
    with _open(store, create=False, readonly=True) as st, st.read():
        if period is not None and where is not None:
            from sop_cli.worktime import zone

            first = st.summaries(include_all=True, limit=1, where=where)
            since, until = period.bounds(zone(first[0].zone if first else "WIB"))
            where = where._replace(since=since, until=until)
        rows = st.summaries(include_all=include_all, limit=limit, where=where)
        total = st.count_runs(include_all=include_all, where=where) if limit is not None else len(rows)
    return [_list_row(r, now) for r in rows], total


def _list_row(row: RunRow, now: datetime) -> engine.RunListRow:
    from sop_cli.worktime import zone

    tz = zone(row.zone)
    summary = row.summary

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz) if moment else None

    return {
        "run": row.id, "sop": row.sop_id, "year": row.year, "title": row.title, "status": summary.status,
        "current_step": summary.current_step, "current_kegiatan": summary.current_kegiatan,
        "current_since": local(summary.current_since), "current_due": local(summary.current_due),
        "late": summary.status == engine.RunStatus.ACTIVE and summary.current_due is not None and summary.current_due < now,
        "progress": {"done": summary.steps_done, "total": summary.steps_total},
        "rework_loops": summary.rework_loops, "started_at": local(row.created_at), "untuk": row.untuk,
        "case_number": row.case_number, "holder": row.holder,
    }
