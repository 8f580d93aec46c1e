"""Store-level use-cases: what `sop store init / migrate / status / grant / copy` call.

The CLI parses and words; these functions open stores through the `Store` interface and return
values. `copy_store` moves whole runs between any two stores (an SQLite file and a PostgreSQL
database, either way), keeping every event's seq, times and people, and proves the copy by
count and by a hash of each run's canonical log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sop_cli.errors import ConflictError, NotFoundError, StoreError, UsageError
from sop_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from sop_cli.store.interface import RunExport, Store, StoreInfo, Summarize, Unit


def _open(location: str | Path | None, *, create: bool, migrate: bool = True,
          summarize: Summarize | None = None) -> Store:
    from sop_cli.paths import store_location
    from sop_cli.store import open_store

    opened = open_store(location, create=create, migrate=migrate, summarize=summarize)
    if opened is None:
        raise NotFoundError(_("There is no store {store}.").format(store=store_location(location)),
                            hint=_("Create it, or name another one."), suggest="store_init")
    return opened


def init_store(location: str | Path | None, *, summarize: Summarize) -> StoreInfo:
    """Create the store (an SQLite file, or the tables of a PostgreSQL database) and bring its
    schema up to date (`summarize`: the run layer's replay, for the summaries a migration leaves
    stale); return what it holds."""
    with _open(location, create=True, summarize=summarize) as st:
        return st.info()


def store_status(location: str | Path | None = None) -> StoreInfo:
    """What the store holds and its schema version, without migrating or creating anything.

    Raises:
        NotFoundError: An SQLite file that does not exist.
    """
    with _open(location, create=False, migrate=False) as st:
        return st.info()


def migrate_store(location: str | Path | None, *, summarize: Summarize) -> tuple[int, StoreInfo]:
    """Apply the migrations the store lacks (`summarize` as for `init_store`); return (the version
    it had, what it holds now).

    Raises:
        NotFoundError: An SQLite file that does not exist (`init_store` creates one).
    """
    before = store_status(location).schema_version
    with _open(location, create=False, summarize=summarize) as st:
        return before, st.info()


def grant(
    location: str | Path | None, *, org_id: str | None, org_name: str = "", members: Sequence[str] = (),
) -> Unit:
    """Create the role of a unit (`org_id`) or of BAPPEDA (`org_id` None) in a shared store and
    make `members` (database users) members; return the role with all its members.

    Raises:
        UsageError: The store is an SQLite file (one unit, no database users).
    """
    from sop_cli.paths import store_location
    from sop_cli.store.postgres import PostgresStore

    where = store_location(location)
    if isinstance(where, Path):
        raise UsageError(
            _("The store {store} is an SQLite file: it belongs to one unit and has no database users to grant rights "
              "to. Rights are granted in a shared PostgreSQL store (a postgresql:// URL).").format(store=where)
        )
    with _open(location, create=False) as st:  # PostgreSQL keeps no summaries to rebuild
        assert isinstance(st, PostgresStore)
        return st.grant(org_id=org_id, org_name=org_name, members=members)


# Copying runs between stores ------------------------------------------------------------------


def _moment(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def run_digest(run: RunExport) -> str:
    """SHA-256 of a run's canonical form: its identity, the SHA-256 of its pinned texts, every
    event (seq, kind, `at` in UTC to the second, actor, OS user, step, data as sorted JSON) and the
    SHA-256 of every attachment. Equal in both stores for the same run. Left out: the database
    user of an event (an SQLite file does not keep it) and when each store recorded it (a shared
    store records a unit's lines at its own clock)."""
    r = run.run
    canonical = {
        "run": [r.id, r.sop_id, r.year, r.title, r.zone, r.source_path, r.source_sha256, _moment(r.created_at)],
        "definition": hashlib.sha256(run.definition.encode("utf-8")).hexdigest(),
        "calendar": hashlib.sha256(run.calendar.encode("utf-8")).hexdigest(),
        "events": [[e.seq, e.kind.value, _moment(e.at), e.actor, e.os_user, e.step, dict(e.data)]
                   for e in run.events],
        "attachments": sorted(hashlib.sha256(body).hexdigest() for body in run.attachments.values()),
    }
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CopiedRun:
    """One run of a copy: its id, event count, digest, and whether it was already there."""

    run: str
    events: int
    attachments: int
    digest: str
    skipped: bool


@dataclass
class CopyResult:
    """What `copy_store` did."""

    source: str
    target: str
    runs: list[CopiedRun] = field(default_factory=list)

    @property
    def copied(self) -> list[CopiedRun]:
        """The runs written by this copy."""
        return [r for r in self.runs if not r.skipped]

    @property
    def skipped(self) -> list[CopiedRun]:
        """The runs the target already held, identical."""
        return [r for r in self.runs if r.skipped]


def copy_store(source: str | Path, target: str | Path, *, summarize: Summarize, runs: Sequence[str] = ()) -> CopyResult:
    """Copy every run of `source` (or only `runs`) into `target`, created if needed.

    Each run keeps its id, pinned definition and calendar, and its events with their original
    seq, times, actor and OS user; attachments go along. A run the target already holds with the
    same digest is skipped, so a copy can be repeated; one it holds with different content is a
    conflict and nothing is copied. All runs are written in one transaction of the target and read
    back inside it: each must have as many events and the same digest as in the source, else the
    transaction is rolled back.

    Raises:
        UsageError: Source and target are the same store.
        NotFoundError: The source does not exist, or a named run is not in it.
        ConflictError: A run id exists in the target with different content.
        StoreError: A copy read back differs (nothing is kept).
    """
    from sop_cli.paths import store_location
    from sop_cli.store.interface import StoredRun

    src_location, dst_location = store_location(source), store_location(target)
    if _same(src_location, dst_location):
        raise UsageError(_("{store} is both the source and the target; name two different stores.").format(
            store=src_location))
    with _open(source, create=False, summarize=summarize) as src, _open(target, create=True, summarize=summarize) as dst:
        result = CopyResult(src.location, dst.location)
        with src.read():
            ids = list(runs) or src.run_ids()
            exports: list[tuple[RunExport, str]] = []
            for run_id in ids:
                exported = src.export_run(run_id)
                if exported is None:
                    raise NotFoundError(_("No run {run!r} in the store {store}.").format(run=run_id, store=src.location))
                exports.append((exported, run_digest(exported)))
        with dst.write():
            conflicts: list[str] = []
            todo: list[tuple[RunExport, str]] = []
            for exported, digest in exports:
                existing = dst.export_run(exported.run.id) if dst.run_exists(exported.run.id) else None
                if existing is None:
                    todo.append((exported, digest))
                elif run_digest(existing) == digest:
                    result.runs.append(CopiedRun(exported.run.id, len(exported.events), len(exported.attachments),
                                                 digest, skipped=True))
                else:
                    conflicts.append("  " + _("{run}: {there} events there, {here} here").format(
                        run=exported.run.id, there=len(existing.events), here=len(exported.events)))
            if conflicts:
                raise ConflictError(
                    ngettext("{count} run of {source} exists in {target} with different content; nothing was copied:",
                             "{count} runs of {source} exist in {target} with different content; nothing was copied:",
                             len(conflicts)).format(count=len(conflicts), source=src.location, target=dst.location)
                    + "\n" + "\n".join(conflicts),
                    hint=_("Copy the other runs by naming them, or compare the two logs of each run."),
                )
            for exported, _digest in todo:
                stored = StoredRun(exported.run.id, exported.definition, exported.calendar, exported.events)
                dst.import_run(exported, summarize(stored))
            for exported, digest in todo:
                back = dst.export_run(exported.run.id)
                if back is None or len(back.events) != len(exported.events) or run_digest(back) != digest:
                    raise StoreError(_("The copy of run {run} read back from {store} differs from the source; nothing "
                                       "was copied.").format(run=exported.run.id, store=dst.location))
                result.runs.append(CopiedRun(exported.run.id, len(exported.events), len(exported.attachments),
                                             digest, skipped=False))
    result.runs.sort(key=lambda r: r.run)
    return result


def _same(a: str | Path, b: str | Path) -> bool:
    if isinstance(a, Path) and isinstance(b, Path):
        return a.expanduser().resolve() == b.expanduser().resolve()
    return str(a) == str(b)
