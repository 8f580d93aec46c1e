"""Use-cases of runs: what `sop start / advance / status / runs / log / undo / cancel / note` call.

Each function opens the store, does its work in one transaction and returns JSON-ready data
(`engine.run_view` plus, for writes, `recorded`: the event appended). `load_run` gives the
`RunState` itself, for reports and letters.

The clock: every function takes `now` (aware datetime) for tests and callers; without it the time
is `SOP_NOW` when set (a testing and demonstration aid: ISO `2026-11-26T09:00`, read as WIB when
it has no UTC offset), else the system clock. `--at` values are read in the organisation's zone.

Only `start` reads SOP files (the catalog); the other commands use the definition pinned in the
run, and `status` merely hashes the source file to say whether it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from sop_cli.run import engine
from sop_cli.errors import AmbiguousError, NotFoundError, UsageError

WIB = timezone(timedelta(hours=7), "WIB")
PINNED_YEARS = 3
"""A run pins the national holidays of the year it starts and of the two following years."""

_AT_FORMS = "e.g. 2026-11-26 09:30, 2026-11-26T09:30, 2026-11-26, or 09:30 for today"


# Clock and times ------------------------------------------------------------------------------


def current_time() -> datetime:
    """Now: `SOP_NOW` when set (testing and demonstrations), else the system clock; whole seconds."""
    text = os.environ.get("SOP_NOW")
    if text:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(f"SOP_NOW={text!r} is not a date and time; write e.g. 2026-11-26T09:00.") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        return moment.replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def parse_moment(
    text: str, tz: Any, *, now: datetime, date_only: Callable[[date], datetime] | None = None, option: str = "--at"
) -> datetime:
    """Read a `--at` value in zone `tz`: `2026-11-26 09:30`, `2026-11-26T09:30`, a date, or `09:30`.

    A date alone becomes `date_only(day)` (default: 07.30 that day). A time alone is today.

    Raises:
        UsageError: The text is none of those forms.
    """
    value = text.strip()
    clock = re.fullmatch(r"(\d{1,2})[.:](\d{2})", value)
    try:
        if clock:
            hour, minute = int(clock.group(1)), int(clock.group(2))
            today = now.astimezone(tz).date()
            return datetime.combine(today, time(hour, minute), tzinfo=tz)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            return date_only(day) if date_only else datetime.combine(day, time(7, 30), tzinfo=tz)
        moment = datetime.fromisoformat(re.sub(r"(\d)\.(\d{2})$", r"\1:\2", value))
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date and time; write it as {_AT_FORMS} "
                         f"(in the organisation's time zone). Nothing was recorded.") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _office_edge(calendar: Any, day: date, *, end: bool) -> datetime:
    spans = calendar.intervals.get(day.weekday())
    edge = (spans[-1][1] if end else spans[0][0]) if spans else (time(16, 0) if end else time(7, 30))
    return datetime.combine(day, edge, tzinfo=calendar.tz)


def _shower(tz: Any) -> Callable[[datetime], str]:
    def show(moment: datetime) -> str:
        local = moment.astimezone(tz)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    return show


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "unknown"


def _actor_fallback() -> str:
    return os.environ.get("SOP_USER") or _os_user()


# Store access ---------------------------------------------------------------------------------


def _open(store: str | Path | None, *, create: bool) -> Any:
    from sop_cli.paths import store_path
    from sop_cli.store import open_store

    opened = open_store(store, create=create)
    if opened is None:
        raise NotFoundError(
            f"No runs yet: the store {store_path(store)} does not exist.",
            hint="Start a run with `sop start SOP` (e.g. `sop start renja --org ngronggot`).",
        )
    return opened


def _resolve(st: Any, run: str | None, *, latest_if_none_active: bool = False) -> str:
    """The run id `run` designates (exact id or unique prefix); without it, the only active run.

    With `latest_if_none_active` (reading commands), no active run means the last one updated,
    so `sop status` right after the last step shows the finished run.
    """
    if run:
        run = run.strip()
        if st.run_record(run) is not None:
            return run
        pattern = run.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = [r[0] for r in st.conn.execute("SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id", (pattern,))]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"No run {run!r}.", hint=_known_runs(st, include_all=True))
        listing = "\n".join(f"  {m}" for m in matches[:20]) + ("\n  ..." if len(matches) > 20 else "")
        raise AmbiguousError(f"{run!r} matches {len(matches)} runs; give more of the id:\n{listing}")
    active = st.active_run_ids()
    if len(active) == 1:
        return str(active[0])
    if not active and latest_if_none_active:
        row = st.conn.execute("SELECT id FROM runs ORDER BY updated_at DESC, created_at DESC LIMIT 1").fetchone()
        if row:
            return str(row[0])
    if not active:
        others = st.run_ids()
        hint = "Start one with `sop start SOP`."
        if others:
            hint += f" Finished or cancelled runs ({len(others)}) are listed by `sop runs --all`; name one with --run."
        raise NotFoundError("No active run.", hint=hint)
    raise AmbiguousError(f"{len(active)} runs are active; say which with --run:\n{_known_runs(st, include_all=False, limit=30)}")


def _known_runs(st: Any, *, include_all: bool, limit: int = 20) -> str:
    rows = st.summaries(include_all=include_all, limit=limit + 1)
    if not rows:
        return "There are no runs; start one with `sop start SOP`."
    lines = [
        f"  {r['id']}  {r['title']}  ({r['status']}" + (f", step {r['current_step']})" if r["current_step"] else ")")
        for r in rows[:limit]
    ]
    more = "\n  ... and more (`sop runs --all`)" if len(rows) > limit else ""
    return ("Runs:\n" if include_all else "") + "\n".join(lines) + more


def _state(st: Any, run_id: str) -> engine.RunState:
    return engine.state_from_records(st.run_record(run_id) or {}, st.events(run_id))


def load_run(run: str | None = None, *, store: str | Path | None = None) -> engine.RunState:
    """The `RunState` of run `run` (id or unique prefix; None: the only active run, or the last
    run updated when none is active).

    Raises:
        NotFoundError: No store, no such run, or no active run.
        AmbiguousError: The prefix, or the absence of `run`, fits several runs.
    """
    with _open(store, create=False) as st, st.read():
        return _state(st, _resolve(st, run, latest_if_none_active=True))


def _view(state: engine.RunState, now: datetime, event: engine.Event | None = None) -> dict[str, Any]:
    view = engine.run_view(state, now)
    if event is not None:
        view["recorded"] = engine.event_view(state, event)
    return view


def _append(
    run: str | None, store: str | Path | None, now: datetime | None,
    build: Callable[[engine.RunState, datetime], engine.Event],
    prepare: Callable[[Any, engine.RunState, datetime], Any] | None = None,
) -> dict[str, Any]:
    """Append the event `build(state, now)` makes, checking it against the state inside the write.

    `prepare(store, state, now)` runs first, outside the transaction, after a trial `build` on the
    state as read (so bad input is refused before anything, e.g. an attachment copy, is written).
    """
    now = now or current_time()
    with _open(store, create=False) as st:
        with st.read():
            run_id = _resolve(st, run)
            if prepare is not None:
                state = _state(st, run_id)
        if prepare is not None:
            build(state, now)  # refuse bad input early
            prepare(st, state, now)
        with st.write():
            state = _state(st, run_id)  # re-read inside the transaction: the expected-state check
            event = build(state, now)
            seq = st.append_event(run_id, event.record())
            event = replace(event, seq=seq)
            new_state = engine.with_event(state, event)
            from sop_cli.store import summary_values

            st.update_summary(run_id, summary_values(new_state))
    return _view(new_state, now, event)


# Attachments ----------------------------------------------------------------------------------


def _check_files(files: Iterable[str | Path]) -> list[Path]:
    paths = [Path(f).expanduser() for f in files]
    for path in paths:
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise UsageError(f"--attach {path}: the file {what}. Nothing was recorded.")
    return paths


def _keep_copies(st: Any, run_id: str, paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Copy files into the run's attachments folder; return what the event records of each."""
    kept = []
    folder = st.attachments_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        digest = hashlib.sha256()
        temporary = folder / f".{os.getpid()}.{path.name}.tmp"
        size = 0
        try:
            with path.open("rb") as source, temporary.open("wb") as target:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    target.write(chunk)
                    size += len(chunk)
                target.flush()
                os.fsync(target.fileno())
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise UsageError(f"--attach {path}: cannot copy the file ({error}). Nothing was recorded.") from None
        sha = digest.hexdigest()
        final = folder / f"{sha[:12]}-{path.name}"
        os.replace(temporary, final)
        kept.append({
            "name": path.name,
            "sha256": sha,
            "size": size,
            "path": final.relative_to(st.path.parent).as_posix(),
        })
    return kept


# Use-cases ------------------------------------------------------------------------------------


def start_run(
    sop: str,
    *,
    org: str | None = None,
    year: int | None = None,
    title: str | None = None,
    at: str | datetime | None = None,
    assign: Sequence[str] | Mapping[str, str] = (),
    by: str | None = None,
    store: str | Path | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Start a run of SOP `sop` (id as for `sop show`); return its view with the forecast.

    The run pins the validated definition (with SHA-256 of its canonical JSON and of the source
    file) and its calendar (the national holidays and cuti bersama of `PINNED_YEARS` years plus
    the organisation's own days off), so later edits of the YAML or of `holidays` never change it.
    Its id is `<sop id>-<year>`, then `-2`, `-3`... when taken.

    Raises:
        NotFoundError / AmbiguousError: The SOP name fits no SOP / several.
        UsageError: Bad --assign, --at, --year or --title.
    """
    from sop_cli.run.calendar import office_calendar, zone
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.store import summary_values

    now = now or current_time()
    entry = load_catalog().resolve(sop, org)
    definition = entry.data  # what model_dump(mode="json") gives, straight from the catalog cache
    definition_text = json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    proc = engine.procedure(definition)
    assignments = _assignments(assign, proc)
    tz = zone(proc.zone)
    national = office_calendar(definition["organisasi"])
    moment = (
        parse_moment(at, tz, now=now, date_only=lambda d: _office_edge(national, d, end=False))
        if isinstance(at, str) else at or now
    )
    if moment > now:
        raise UsageError(f"--at {_shower(tz)(moment)} is in the future (now is {_shower(tz)(now)}); "
                         "a run starts when its first step can begin. Nothing was recorded.")
    if year is not None and not 1900 <= year <= 2200:
        raise UsageError(f"--year {year}: give the year as four digits, e.g. {moment.year}.")
    if title is not None and not title.strip():
        raise UsageError("--title is empty; leave it out to use the SOP's name and the year.")
    years = range(moment.astimezone(tz).year, moment.astimezone(tz).year + PINNED_YEARS)
    national = office_calendar(definition["organisasi"], years)  # with its Ramadan periods
    days_off = {d: name for y in years for d, name in national.holidays_in(y)}
    pinned = engine.pinned_calendar(proc.zone, days_off, list(years), source=_holidays_source(), calendar=national)
    calendar_text = json.dumps(pinned, ensure_ascii=False, sort_keys=True)
    year = year or moment.astimezone(tz).year
    title = (title or f"{proc.nama} {year}").strip()
    source_sha = hashlib.sha256(entry.path.read_bytes()).hexdigest()

    with _open(store, create=True) as st, st.write():
        run_id = _new_run_id(st, str(definition["id"]), year)
        definition_sha = st.pin("definition", definition_text)
        calendar_sha = st.pin("calendar", calendar_text)
        data = {
            "run": run_id, "sop": proc.qualified_id, "year": year, "title": title,
            "assignments": assignments, "source_path": str(entry.path.resolve()),
            "source_sha256": source_sha, "definition_sha256": definition_sha, "calendar_sha256": calendar_sha,
        }
        started = engine.Event(0, "started", moment, now, by or _actor_fallback(), _os_user(), None, data)
        st.insert_run({
            "id": run_id, "sop_id": proc.qualified_id, "year": year, "title": title, "zone": proc.zone,
            "definition_sha256": definition_sha, "calendar_sha256": calendar_sha,
            "source_path": data["source_path"], "source_sha256": source_sha, "created_at": engine.iso(moment),
        })
        started = replace(started, seq=st.append_event(run_id, started.record()))
        state = engine.derive(proc, [started], engine.run_calendar(pinned))
        st.update_summary(run_id, summary_values(state))
    return _view(state, now, started)


def _holidays_source() -> str:
    try:
        import holidays

        return f"holidays {holidays.__version__} (ID; public, government)"
    except Exception:  # noqa: BLE001 - the version is informative only
        return "holidays (ID; public, government)"


def _new_run_id(st: Any, sop_id: str, year: int) -> str:
    base = f"{sop_id}-{year}"
    taken = {r[0] for r in st.conn.execute("SELECT id FROM runs WHERE id = ? OR id LIKE ?", (base, base + "-%"))}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _assignments(assign: Sequence[str] | Mapping[str, str], proc: engine.Procedure) -> dict[str, str]:
    pairs = list(assign.items()) if isinstance(assign, Mapping) else []
    if not isinstance(assign, Mapping):
        for item in assign:
            lane, sep, person = item.partition("=")
            if not sep or not lane.strip() or not person.strip():
                raise UsageError(f"--assign {item!r}: write LANE=NAME, e.g. --assign camat=\"Drs. Budi\".")
            pairs.append((lane, person))
    result: dict[str, str] = {}
    by_name = {name.lower(): lane_id for lane_id, name in proc.lanes.items()}
    for lane, person in pairs:
        key = lane.strip()
        lane_id = key if key in proc.lanes else by_name.get(key.lower())
        if lane_id is None:
            lanes = ", ".join(f"{i} ({n})" for i, n in proc.lanes.items())
            raise UsageError(f"--assign {lane}={person}: SOP {proc.qualified_id} has no lane {key!r}. Its lanes: {lanes}.")
        result[lane_id] = " ".join(person.split())
    return result


def advance(
    run: str | None = None,
    *,
    step: int | None = None,
    by: str | None = None,
    note: str | None = None,
    attach: Sequence[str | Path] = (),
    at: str | datetime | None = None,
    approve: bool = False,
    reject: bool = False,
    reason: str | None = None,
    store: str | Path | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Complete the current step (approve or reject a decision step); return the new view.

    With `step`, refuse (ConflictError) unless that step is current: the check and the append are
    one transaction, so of two people completing "step 3" at once only one succeeds. `at` back-dates
    the completion (not before the step became current, not in the future; a date alone means the
    end of office hours that day, or now if that is later than now). `attach` files are copied
    beside the store with their SHA-256 before the event is written.

    Raises:
        ConflictError: The current step is not `step`.
        StateError: The run is finished or cancelled.
        UsageError: Flags that do not fit the step, a bad `at`, a missing attachment.
    """
    paths = _check_files(attach)
    copies: list[dict[str, Any]] = []

    def build(state: engine.RunState, now: datetime) -> engine.Event:
        return engine.step_event(
            state, now=now, at=_at(at, state, now, end_of_day=True), expected_step=step, approve=approve,
            reject=reject, reason=reason, note=note, attachments=copies, by=by,
            fallback_actor=_actor_fallback(), os_user=_os_user(), show=_shower(state.calendar.tz),
        )

    def prepare(st: Any, state: engine.RunState, now: datetime) -> None:
        copies.extend(_keep_copies(st, state.run_id, paths))

    return _append(run, store, now, build, prepare if paths else None)


def _at(at: str | datetime | None, state: engine.RunState, now: datetime, *, end_of_day: bool) -> datetime | None:
    if at is None or isinstance(at, datetime):
        return at
    cal = state.calendar

    def day_end(day: date) -> datetime:
        if not end_of_day:
            return _office_edge(cal, day, end=False)
        edge = _office_edge(cal, day, end=True)
        return min(edge, now) if day == now.astimezone(cal.tz).date() else edge

    return parse_moment(at, cal.tz, now=now, date_only=day_end)


def undo(
    run: str | None = None, *, reason: str, by: str | None = None,
    store: str | Path | None = None, now: datetime | None = None,
) -> dict[str, Any]:
    """Reverse the latest step event in effect by appending an `undone` event (nothing is deleted).

    Raises:
        UsageError: No reason. StateError: Nothing to undo, or the run is cancelled.
    """
    def build(state: engine.RunState, now: datetime) -> engine.Event:
        return engine.undo_event(state, now=now, reason=reason, by=by, fallback_actor=_actor_fallback(), os_user=_os_user())

    return _append(run, store, now, build)


def cancel(
    run: str | None = None, *, reason: str, by: str | None = None, at: str | datetime | None = None,
    store: str | Path | None = None, now: datetime | None = None,
) -> dict[str, Any]:
    """End an active run (a `cancelled` event with the reason).

    Raises:
        UsageError: No reason, bad `at`. StateError: Already finished or cancelled.
    """
    def build(state: engine.RunState, now: datetime) -> engine.Event:
        return engine.cancel_event(
            state, now=now, at=_at(at, state, now, end_of_day=True), reason=reason, by=by,
            fallback_actor=_actor_fallback(), os_user=_os_user(), show=_shower(state.calendar.tz),
        )

    return _append(run, store, now, build)


def add_note(
    run: str | None = None, *, text: str | None = None, attach: Sequence[str | Path] = (),
    by: str | None = None, at: str | datetime | None = None,
    store: str | Path | None = None, now: datetime | None = None,
) -> dict[str, Any]:
    """Add a note and/or attachments to a run without moving it (`note` / `attachment` event)."""
    paths = _check_files(attach)
    copies: list[dict[str, Any]] = []

    def build(state: engine.RunState, now: datetime) -> engine.Event:
        return engine.note_event(
            state, now=now, at=_at(at, state, now, end_of_day=True), text=text, attachments=copies or _pending(paths),
            by=by, fallback_actor=_actor_fallback(), os_user=_os_user(), show=_shower(state.calendar.tz),
        )

    def prepare(st: Any, state: engine.RunState, now: datetime) -> None:
        copies.extend(_keep_copies(st, state.run_id, paths))

    return _append(run, store, now, build, prepare if paths else None)


def _pending(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Placeholders for files about to be copied, so the trial check sees that files were given."""
    return [{"name": p.name} for p in paths]


def run_status(run: str | None = None, *, store: str | Path | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The view of one run as of `now`, plus `sop_file`: {path, state} where state is
    "unchanged", "changed" (the YAML differs from the one the run started from), "missing" or
    "unknown" (no source recorded)."""
    now = now or current_time()
    state = load_run(run, store=store)
    view = engine.run_view(state, now)
    view["sop_file"] = source_file_state(state)
    return view


def source_file_state(state: engine.RunState) -> dict[str, Any]:
    """Whether the SOP file a run started from still exists and still has the same bytes."""
    path = state.source_path
    if not path or not state.source_sha256:
        return {"path": path, "state": "unknown"}
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return {"path": path, "state": "missing"}
    except OSError:
        return {"path": path, "state": "unknown"}
    changed = hashlib.sha256(data).hexdigest() != state.source_sha256
    return {"path": path, "state": "changed" if changed else "unchanged"}


def run_log(run: str | None = None, *, store: str | Path | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The view of one run, whose `events` are the audit trail (every event, undone ones marked)."""
    return engine.run_view(load_run(run, store=store), now or current_time())


def list_runs(
    *, include_all: bool = False, limit: int | None = None, store: str | Path | None = None,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(rows, total): one row per active run (every run with `include_all`), from the stored
    summaries, oldest first; with `limit`, the `limit` most recently started of the `total`.

    Row keys: run, sop, year, title, status, current_step, current_kegiatan, current_since,
    current_due (ISO, organisation's zone), late, progress {done, total}, rework_loops, started_at.
    """
    from sop_cli.run.calendar import zone

    now = now or current_time()
    st = _open(store, create=False) if _store_exists(store) else None
    if st is None:
        return [], 0
    with st, st.read():
        rows = st.summaries(include_all=include_all, limit=limit)
        total = st.count_runs(include_all) if limit is not None else len(rows)
    cutoff = engine.iso(now)
    result = []
    for r in rows:
        tz = zone(r["zone"])

        def local(text: str | None, tz: Any = tz) -> str | None:
            return engine.parse_iso(text).astimezone(tz).isoformat() if text else None

        result.append({
            "run": r["id"], "sop": r["sop_id"], "year": r["year"], "title": r["title"], "status": r["status"],
            "current_step": r["current_step"], "current_kegiatan": r["current_kegiatan"],
            "current_since": local(r["current_since"]), "current_due": local(r["current_due"]),
            "late": r["status"] == "active" and r["current_due"] is not None and r["current_due"] < cutoff,
            "progress": {"done": r["steps_done"], "total": r["steps_total"]},
            "rework_loops": r["rework_loops"], "started_at": local(r["created_at"]),
        })
    return result, total


def _store_exists(store: str | Path | None) -> bool:
    from sop_cli.paths import store_path

    return store_path(store).exists()
