"""The one interface of a run store, and the typed records that cross it.

`Store` is what the service talks to; `sop_cli.store.sqlite.SqliteStore` (an embedded file) and
`sop_cli.store.postgres.PostgresStore` (a database shared by the units of a Kabupaten) implement it. The store owns every query and the codec
between `Event`s and rows; the engine (above it) decides what the events mean; the service combines both.

A store is used inside one `read()` or `write()` transaction per step of a command; a write
re-reads the run and appends with `append_event(..., after_seq=...)`, which refuses (ConflictError)
when the log has moved on since the state it was built from.

Its annotations are evaluated (no `from __future__ import annotations`; the few that name what comes
later are quoted): a NamedTuple or TypedDict compiles each annotation written as a string into a
ForwardRef, 0.6 ms for these records in every `sop status`.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypedDict

from sop_cli.errors import ConflictError, StoreError, UsageError
from sop_cli.i18n import _, language

if TYPE_CHECKING:
    from sop_cli.store.periods import PeriodFigures, StepSpread


class _Word(str, Enum):
    """A closed set of words stored as text: equal to, hashed as and printed as its value, so the
    stored rows and the JSON output are the words themselves."""

    def __str__(self) -> str:
        return str(self.value)


class EventKind(_Word):
    """What an entry of a run's log records."""

    STARTED = "started"
    STEP_COMPLETED = "step_completed"
    APPROVED = "approved"
    REJECTED = "rejected"
    UNDONE = "undone"
    CANCELLED = "cancelled"
    NOTE = "note"
    ATTACHMENT = "attachment"
    SUB_RUN_STARTED = "sub_run_started"
    ERASED = "erased"


STEP_KINDS = frozenset({EventKind.STEP_COMPLETED, EventKind.APPROVED, EventKind.REJECTED})
"""The kinds that complete a step (a decision step is approved or rejected)."""


class RunStatus(_Word):
    """Where a run stands: its log decides (started and open, every step done, or stopped)."""

    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class KeptFile(TypedDict):
    """A file kept with a run, as its event records it (`data.attachments`): its original name,
    SHA-256 and size, and where the store keeps it (a path below the store's folder in SQLite,
    the SHA-256 in PostgreSQL)."""

    name: str
    sha256: str
    size: int
    path: str


@dataclass(frozen=True)
class Event:
    """One entry of a run's log.

    Attributes:
        seq: Position in the log, from 1 (0 for an event not yet appended).
        kind: What it records (`EventKind`; a plain word is read as one).
        at: When it happened (perhaps back-dated), aware.
        recorded_at: When it was written to the store, aware.
        actor: Who did it (named by the user, else the assigned person, else the acting user).
        os_user: The operating-system user who typed the command.
        step: The step it is about (completed, undone, or current at a note); None otherwise.
        data: Kind-specific details: `note`, `reason`, `attachments` ([{name, sha256, size,
            path}]), `undoes` (seq), and for `started` the run's identity (`run`, `sop`, `year`,
            `title`, `assignments`, `source_path`, `source_sha256`, `definition_sha256`).
        db_user: The database user who wrote it, in a shared (PostgreSQL) store; None in an
            SQLite file, where only `os_user` says who typed the command.
    """

    seq: int
    kind: EventKind
    at: datetime
    recorded_at: datetime
    actor: str
    os_user: str
    step: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    db_user: str | None = None

    def __post_init__(self) -> None:
        if type(self.kind) is not EventKind:
            object.__setattr__(self, "kind", EventKind(self.kind))


class RunSummary(NamedTuple):
    """The denormalised state of a run kept beside its log, so listing runs never replays them."""

    status: RunStatus
    current_step: int | None
    current_kegiatan: str | None
    current_since: datetime | None
    current_due: datetime | None
    steps_done: int
    steps_total: int
    rework_loops: int
    last_seq: int
    updated_at: datetime | None
    times: "RunTimes | None" = None
    """The run's times as rows (`RunTimes`), written beside the summary on every write so period
    reports aggregate them in the database; None when read back from a store."""


Summarize = Callable[["StoredRun"], RunSummary]
"""How a store gets the summary of a run it must rebuild (after a migration) or import: the run
layer's replay (`sop_cli.run.engine.stored_summary`), handed down so the store never imports it."""


class StepTime(NamedTuple):
    """One completed pass through a step, as a row a period report aggregates: which step, the
    lane that had it (the first of its lanes), whether that lane is outside the office, when it
    became current and was completed, its working time and its Mutu Baku (minutes), late or not."""

    seq: int
    step: int
    lane: str
    external: bool
    started_at: datetime
    finished_at: datetime
    minutes: int
    standard_minutes: int
    late: bool


class RunTimes(NamedTuple):
    """A run's times as rows (`run_times` and `step_times`), kept on the write path.

    `outcome`: "selesai", "ditolak" (refused at a decision), "dibatalkan" (cancelled), None while
    open. `promised_minutes`: the Mutu Baku of the office's timed steps on the main path (the
    service's promised time, waiting outside the office not counted); `within`: the ended run's
    office working time is at most that (None while open or cancelled)."""

    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    office_minutes: int
    external_minutes: int
    promised_minutes: int
    within: bool | None
    steps: tuple[StepTime, ...]
    holder: str | None = None
    """Who has the run now: the current step's lane and the person assigned to it ("Petugas Loket:
    Sri"), for the counter's list; None unless active."""


class RunRow(NamedTuple):
    """One run as listed: its identity and its summary (no replay)."""

    id: str
    sop_id: str
    year: int
    title: str
    zone: str
    created_at: datetime
    summary: RunSummary
    untuk: str | None = None
    """Whom a case is for (personal data: `case_subjects`); None for a plan's run or once erased."""
    case_number: int | None = None
    """A case's number in its SOP and year; None for a plan's run."""
    holder: str | None = None
    """Who has it now (`RunTimes.holder`)."""


class NewCase(NamedTuple):
    """A case of a service SOP being created: its number within the SOP and the year it was
    received, and whom it is for (personal data, kept apart from the log)."""

    run_id: str
    sop_id: str
    year: int
    number: int
    untuk: str | None
    received_at: datetime


def org_of(sop_id: str) -> str:
    """The organisation id of a qualified SOP id (`wilayah/org/sop`)."""
    return sop_id.split("/")[1] if sop_id.count("/") >= 2 else sop_id


def subject_key(untuk: str) -> str:
    """A name as compared (finding a case by name, the second-open-case guard): case-folded,
    blanks collapsed."""
    return " ".join(untuk.casefold().split())


class NewRun(NamedTuple):
    """The identity of a run being created (its pinned documents are stored with `pin` first)."""

    id: str
    sop_id: str
    year: int
    title: str
    zone: str
    definition_sha256: str
    calendar_sha256: str
    source_path: str | None
    source_sha256: str | None
    created_at: datetime


class StoredRun(NamedTuple):
    """What a store keeps of one run: the pinned JSON texts and the whole log, in seq order."""

    id: str
    definition: str
    calendar: str
    events: list[Event]
    untuk: str | None = None
    """Whom a case is for (None for a plan's run, or once erased)."""
    case_number: int | None = None


class RunExport(NamedTuple):
    """A whole run as it moves between stores (`sop store copy`): its identity, its pinned texts,
    its log with the original seq, times and people, and the bytes of its attachments by SHA-256."""

    run: NewRun
    definition: str
    calendar: str
    events: list[Event]
    attachments: dict[str, bytes]


class RunFilter(NamedTuple):
    """Which runs a listing keeps (None: any). `org` is an organisation id (or its last word, e.g.
    `ngronggot`); `sop` a qualified SOP id or its last part (`renja`); `late_at`: only active runs
    whose current step was due before that moment."""

    org: str | None = None
    sop: str | None = None
    year: int | None = None
    late_at: datetime | None = None
    untuk: str | None = None
    """Only cases whose subject's name contains this (compared by `subject_key`)."""
    since: datetime | None = None
    """Only runs started (cases received) at or after this moment."""
    until: datetime | None = None
    """Only runs started before this moment."""


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern with `\\` as the escape: `%` and `_` taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_sql(where: RunFilter | None, mark: str, moment: Callable[[datetime], object]) -> tuple[str, list[object]]:
    """The SQL conditions (joined by AND, "" for none) and parameters of a `RunFilter` over the
    `runs` table, with `mark` as the placeholder and `moment` encoding a datetime; both stores
    keep `sop_id` as `wilayah/org/sop` and `current_due` in an order-preserving form."""
    if where is None:
        return "", []
    clauses: list[str] = []
    params: list[object] = []
    if where.org:
        org = like_literal(where.org.strip().lower())
        clauses.append(f"(sop_id LIKE {mark} ESCAPE '\\' OR sop_id LIKE {mark} ESCAPE '\\')")
        params += [f"%/{org}/%", f"%-{org}/%"]
    if where.sop:
        sop = where.sop.strip().lower()
        clauses.append(f"(sop_id = {mark} OR sop_id LIKE {mark} ESCAPE '\\')")
        params += [sop, f"%/{like_literal(sop)}"]
    if where.year is not None:
        clauses.append(f"year = {mark}")
        params.append(where.year)
    if where.late_at is not None:
        clauses.append(f"status = 'active' AND current_due IS NOT NULL AND current_due < {mark}")
        params.append(moment(where.late_at))
    if where.untuk:
        clauses.append(f"id IN (SELECT run_id FROM case_subjects WHERE untuk_key LIKE {mark} ESCAPE '\\')")
        params.append(f"%{like_literal(subject_key(where.untuk))}%")
    if where.since is not None:
        clauses.append(f"created_at >= {mark}")
        params.append(moment(where.since))
    if where.until is not None:
        clauses.append(f"created_at < {mark}")
        params.append(moment(where.until))
    return " AND ".join(clauses), params


class Unit(NamedTuple):
    """A role of a shared store (`sop store grant`): its name, the organisation id and name whose
    runs it writes (BAPPEDA's: id "", it reads every run), and the database users who are members."""

    role: str
    org_id: str
    org_name: str
    members: tuple[str, ...] = ()


class StoreInfo(NamedTuple):
    """What `sop store status` says of a store."""

    kind: str
    """"sqlite" or "postgresql"."""
    location: str
    schema_version: int
    known_version: int
    """The schema version this sop writes (a lower `schema_version` needs `sop store migrate`)."""
    runs: int
    events: int
    db_user: str | None
    units: list[Unit]
    overseers: list[Unit]
    """The roles that read every unit's runs (BAPPEDA's)."""


class Store(Protocol):
    """A run store. Every method except `read`, `write`, `close` runs inside `read()`/`write()`;
    the writing ones (`pin`, `create_run`, `append_event`, `new_run_id`) inside `write()`."""

    location: str
    """Where the store is, as users name it (a path or a URL), for messages."""

    def read(self) -> "AbstractContextManager[Store]":
        """A read transaction: every query inside sees the same snapshot."""
        ...

    def write(self) -> "AbstractContextManager[Store]":
        """A write transaction: writers queue; committed on success, rolled back on error."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    def __enter__(self) -> "Store": ...

    def __exit__(self, *exc: object) -> None: ...

    def run_exists(self, run_id: str) -> bool:
        """Whether a run with exactly this id exists."""
        ...

    def run_ids_with_prefix(self, prefix: str) -> list[str]:
        """Ids starting with `prefix` (taken literally), sorted by id."""
        ...

    def run_ids(self, *, active_only: bool = False) -> list[str]:
        """Every run id (only active runs with `active_only`), oldest first."""
        ...

    def latest_run_id(self) -> str | None:
        """The run updated last (None in an empty store)."""
        ...

    def new_run_id(self, base: str) -> str:
        """`base` when free, else the first free `base-2`, `base-3`, ..."""
        ...

    def pin(self, kind: str, body: str) -> str:
        """Keep `body` (JSON text) content-addressed; return its SHA-256."""
        ...

    def create_run(self, run: NewRun, started: Event, summary: RunSummary) -> Event:
        """Add a run with its `started` event (given seq 1); return the event as stored."""
        ...

    def load_run(self, run_id: str) -> StoredRun | None:
        """The pinned documents and log of a run, or None when there is no such run."""
        ...

    def next_case_number(self, sop_id: str, year: int) -> int:
        """The next free case number of SOP `sop_id` in `year` (inside `write()`; writers of the
        same SOP and year queue for it)."""
        ...

    def add_case(self, case: NewCase) -> None:
        """Record a new case's number and whom it is for (inside `write()`, after `create_run`)."""
        ...

    def open_cases_for(self, sop_id: str, untuk: str) -> list[str]:
        """The active cases of SOP `sop_id` for the person named `untuk`."""
        ...

    def erasable_cases(self, before: datetime) -> list[str]:
        """Cases ended before `before` that still hold whom they were for."""
        ...

    def erase_subject(self, run_id: str, at: datetime) -> None:
        """Erase whom case `run_id` was for (inside `write()`)."""
        ...

    def period_figures(self, sop_id: str, start: datetime, end: datetime) -> "PeriodFigures":
        """The figures of SOP `sop_id`'s cases over [start, end), aggregated by the database."""
        ...

    def step_spread(self, sop_id: str) -> "list[StepSpread]":
        """Every step of SOP `sop_id` over all its runs' completed passes, aggregated by the database."""
        ...

    def run_outcomes(self, sop_id: str) -> tuple[int, int]:
        """(runs, finished or refused) of SOP `sop_id`."""
        ...

    def sop_ids(self, where: RunFilter | None = None) -> list[str]:
        """The qualified ids of the SOPs of the runs `where` keeps (every status), sorted."""
        ...

    def run_heads(self, where: RunFilter | None = None) -> list[tuple[str, str, str, bool, str]]:
        """(id, sop_id, status, is a case, definition sha256) of every run `where` keeps, oldest first."""
        ...

    def ended_step_rows(self, where: RunFilter | None = None) -> Iterator[tuple[str, int, int, int, int]]:
        """(run id, step, working minutes, late, standard minutes) of every completed pass of the
        runs `where` keeps that are no longer active, streamed from the rows the writes keep."""
        ...

    def pinned_texts(self, shas: Sequence[str]) -> dict[str, str]:
        """The pinned JSON texts (definitions, calendars) of these SHA-256s."""
        ...

    def case_counts(self, year: int, where: RunFilter | None = None) -> list[tuple[str, int, int, int, int, int, int]]:
        """Per service SOP (qualified id), its cases received in `year` that `where` keeps: (sop_id,
        received, finished, refused, cancelled, open, within the promised time)."""
        ...

    def load_runs(self, run_ids: Sequence[str]) -> list[StoredRun]:
        """The pinned documents and logs of many runs at once (in `run_ids` order; a missing run is
        left out): what a report over many runs reads, in a few queries instead of two per run."""
        ...

    def append_event(self, run_id: str, event: Event, *, after_seq: int, summary: RunSummary) -> Event:
        """Append `event` as seq `after_seq + 1` and set the run's summary.

        Raises:
            ConflictError: The log's last seq is not `after_seq` (another writer came first).
        """
        ...

    def summaries(self, *, include_all: bool = False, limit: int | None = None,
                  where: RunFilter | None = None) -> list[RunRow]:
        """The active runs (every run with `include_all`) that `where` keeps, oldest first; with
        `limit`, only the `limit` most recently started ones."""
        ...

    def count_runs(self, *, include_all: bool = False, where: RunFilter | None = None) -> int:
        """How many runs are active (exist, with `include_all`) and kept by `where`."""
        ...

    def export_run(self, run_id: str) -> RunExport | None:
        """The whole run (identity, pinned texts, log, attachment bytes), or None.

        Raises:
            StoreError: An attachment the log names is missing.
        """
        ...

    def import_run(self, run: RunExport, summary: RunSummary) -> None:
        """Add a run exported from another store, keeping every event's seq, times and people
        (inside `write()`); the run id must be free."""
        ...

    def units(self) -> list[Unit]:
        """The units granted in a shared store (none in an SQLite file)."""
        ...

    def info(self) -> StoreInfo:
        """Kind, schema version, counts and (shared store) the database user and units."""
        ...

    def keep_attachment(self, run_id: str, source: Path, *, max_bytes: int | None = None) -> KeptFile:
        """Keep a copy of file `source` with the run; return what the event records of it:
        {name, sha256, size, path}. The copy is no more readable than the source (owner-only
        unless the source lets others read it); only a regular file of at most `max_bytes` is kept.

        Raises:
            UsageError: The file is not a regular file, is too large, or cannot be read or copied.
        """
        ...

    def read_attachment(self, run_id: str, item: KeptFile) -> bytes:
        """The bytes of an attachment of run `run_id` kept by `keep_attachment`; `item` is what
        the event recorded of it ({name, sha256, size, path}). The caller checks the SHA-256.

        Raises:
            StoreError: The store no longer holds the attachment (removed, or unreadable).
        """
        ...

# Reading what a store gives back ------------------------------------------------------------------
# A store's rows can be damaged by hand, by a broken disk or by another program. Every store reads
# its rows through these checks, so damage is a StoreError naming the run and the event (exit 4),
# never a crash further on in the engine or the printers.

_TEXT_KEYS = ("note", "reason", "title", "run", "sop", "source_path", "source_sha256", "definition_sha256",
              "calendar_sha256", "undone_kind")
_INT_KEYS = ("year", "undoes")
_ATTACHMENT_TEXT = ("name", "sha256", "path")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def kind_problem(kind: object) -> str | None:
    """Why an event's stored kind cannot be what `sop` wrote (not an `EventKind`), or None when it can."""
    if isinstance(kind, str) and kind in EventKind._value2member_map_:
        return None
    return _("its kind {value!r} is not one sop writes").format(value=kind)


def data_problem(data: object) -> str | None:
    """Why an event's data (decoded JSON) cannot be what `sop` wrote, or None when it can.

    Only the keys `sop` reads are checked; others are kept as they are.
    """
    if not isinstance(data, dict):
        return _("its data is a JSON {type}, not an object").format(type=type(data).__name__)
    for key in _TEXT_KEYS:
        if data.get(key) is not None and not isinstance(data[key], str):
            return _("its {key} {value!r} is not text").format(key=key, value=data[key])
    for key in _INT_KEYS:
        if key in data and not _is_int(data[key]):
            return _("its {key} {value!r} is not a whole number").format(key=key, value=data[key])
    assignments = data.get("assignments")
    if assignments is not None and not (
        isinstance(assignments, dict) and all(isinstance(v, str) for v in assignments.values())
    ):
        return _("its assignments {value!r} are not lanes with names").format(value=assignments)
    attachments = data.get("attachments")
    if attachments is not None:
        if not isinstance(attachments, list):
            return _("its attachments {value!r} are not a list").format(value=attachments)
        for item in attachments:
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _ATTACHMENT_TEXT) \
                    or not _is_int(item.get("size")):
                return _("its attachment {value!r} is not a kept file (name, sha256, path, size)").format(value=item)
    return None


def damaged(location: str, run_id: str, problem: str, seq: int | None = None) -> StoreError:
    """The error for a damaged row of run `run_id` (event `seq`), as every store words it; `problem`
    (translated) follows "run X event N: " ("its data is not JSON ...")."""
    if seq is not None:
        message = _("The store {store} is damaged: run {run} event {seq}: {problem}. Nothing was changed.")
    else:
        message = _("The store {store} is damaged: run {run}: {problem}. Nothing was changed.")
    return StoreError(
        message.format(store=location, run=run_id, seq=seq, problem=problem),
        hint=_("Restore the store from a backup, or ask whoever manages it; other runs can still be used."),
        details={"store": location, "run": run_id},
    )


def not_a_moment(column: str, value: object) -> str:
    """The problem of an event's time (`column` "at") or recording time ("recorded_at") that is no
    date and time, to follow "run X event N: "."""
    if column == "at":
        return _("its time {value!r} is not a date and time").format(value=value)
    return _("its recording time {value!r} is not a date and time").format(value=value)


def bad_zone(zone: object) -> str:
    """Why a run's stored zone cannot be read."""
    return _("time zone {zone!r} is not WIB, WITA or WIT").format(zone=zone)


def newer_store(location: str, version: int, known: int, suggest: str | None = None) -> StoreError:
    """The refusal of a store whose schema a newer `sop` wrote."""
    return StoreError(
        _("The store {store} was written by a newer version of sop (schema version {version}; this sop knows up to "
          "{known}). It was not changed.").format(store=location, version=version, known=known),
        hint=_("Upgrade sop to use it, or use another store."), suggest=suggest,
    )


def changed_meanwhile(run_id: str, last: int) -> ConflictError:
    """The refusal of an append when another writer extended run `run_id`'s log first (to `last`)."""
    return ConflictError(
        _("Run {run} changed while this command ran (event {seq} was written). Nothing was recorded.").format(
            run=run_id, seq=last))


def attachment_refusal(source: Path, error: OSError) -> UsageError:
    """The error for a file `keep_attachment` refuses (`sop_cli.fs.NotRegularFile`, `TooLarge`,
    or another OSError), as every store words it (option "attach")."""
    from sop_cli.fs import NotRegularFile, TooLarge

    if isinstance(error, NotRegularFile):
        return UsageError(_("{path}: not a regular file (a folder, FIFO, device or socket); "
                            "attach a file. Nothing was recorded.").format(path=source), option="attach")
    if isinstance(error, TooLarge):
        return UsageError(
            _("{path}: the file is {size}, more than the {limit} an attachment may be (SOP_MAX_ATTACHMENT_MB). "
              "Nothing was recorded.").format(path=source, size=_megabytes(error.size), limit=_megabytes(error.limit)),
            option="attach",
        )
    return UsageError(_("{path}: cannot copy the file ({reason}). Nothing was recorded.").format(
        path=source, reason=error.strerror or error), option="attach")


def _megabytes(size: int) -> str:
    """A size in megabytes with one decimal: "12.5 MB" (English), "12,5 MB" (Indonesian)."""
    text = f"{size / 1_000_000:,.1f}"
    if language() == "id":  # Indonesian marks decimals with a comma, thousands with a dot
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} MB"
