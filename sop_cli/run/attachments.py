"""Use-cases of a run's attachments: what `sop attachments` calls.

Attachments are the files kept with a run by `sop advance --attach`, `sop note --attach` and
`sop render --attach`; each event records {name, sha256, size, path}. Listing reads the log;
copying reads the bytes through the store (`Store.read_attachment`, so any store works), checks
each file's SHA-256 against the log, and writes it into a folder without ever replacing a
different file there.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TypedDict

from sop_cli.errors import ConflictError, StoreError, UsageError
from sop_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from sop_cli.run.engine import RunState


class AttachmentRow(TypedDict):
    """One kept file and the event that kept it."""

    name: str
    size: int
    sha256: str
    at: datetime
    by: str
    seq: int
    kind: str
    step: int | None
    undone: bool
    file_name: str
    """The name it gets when copied out: `name`, made unique within the run when two different
    files share a name (e.g. a letter rendered twice)."""


class CopiedFile(TypedDict):
    """What `copy_attachments` did with one attachment: `copied`, or `same` (an identical file
    was already there)."""

    name: str
    sha256: str
    path: Path
    result: str


class AttachmentsView(TypedDict):
    """`sop attachments`: the run and its attachments, oldest first."""

    run: str
    title: str
    attachments: list[AttachmentRow]


COPY_MODE = 0o600
"""The permissions of a copied-out attachment: owner-only, so never wider than the kept copy (which
is owner-only unless the original let others read it) nor than the original."""


def _already(target: Path) -> str | None:
    """The SHA-256 of the regular file at `target`, None when there is nothing, "" when something
    else is there (a link, even to an identical file; a folder, FIFO or device: never read)."""
    import os
    import stat

    from sop_cli.fs import read_regular

    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode):
        return ""
    try:
        return hashlib.sha256(read_regular(target)).hexdigest()
    except OSError:
        return ""


def _safe_name(name: str) -> str:
    # The name comes from the log: keep only a plain file name, never a path or a dot name.
    base = PurePath(name.replace("\\", "/")).name
    return base if base not in ("", ".", "..") else "lampiran"


def attachment_rows(state: RunState) -> list[AttachmentRow]:
    """Every attachment recorded in the run's log, oldest first (those of undone events too)."""
    tz = state.calendar.tz
    rows: list[AttachmentRow] = []
    for event in state.events:
        for item in event.data.get("attachments") or []:
            rows.append({
                "name": str(item.get("name", "")), "size": int(item.get("size", 0)),
                "sha256": str(item.get("sha256", "")), "at": event.at.astimezone(tz), "by": event.actor,
                "seq": event.seq, "kind": event.kind, "step": event.step,
                "undone": event.seq in state.undone_by, "file_name": _safe_name(str(item.get("name", ""))),
            })
    names: dict[str, set[str]] = {}
    for row in rows:
        names.setdefault(row["file_name"], set()).add(row["sha256"])
    for row in rows:
        if len(names[row["file_name"]]) > 1:
            path = PurePath(row["file_name"])
            row["file_name"] = f"{path.stem}-{row['sha256'][:8]}{path.suffix}"
    return rows


def list_attachments(run: str | None = None, *, store: str | Path | None = None) -> AttachmentsView:
    """The attachments of run `run` (id or unique prefix; None: the only active run, or the last
    one updated).

    Raises:
        NotFoundError: No store, no such run, or no active run.
        AmbiguousError: The prefix, or the absence of `run`, fits several runs.
    """
    from sop_cli.run.service import load_run

    state = load_run(run, store=store)
    return {"run": state.run_id, "title": state.title, "attachments": attachment_rows(state)}


def copy_attachments(run: str | None, folder: Path, *, store: str | Path | None = None) -> list[CopiedFile]:
    """Copy every attachment of run `run` into `folder` (created if missing), checking each
    file's SHA-256 against the log first.

    A file already in `folder` under the same name is left alone when it is identical; when it
    differs, or something else has the name (a link, even to an identical file; a folder; a FIFO),
    nothing at all is copied. Each copy is written by `fs.write_file` (an exclusive temporary
    file, synced, renamed into place; never through a link) and is owner-only (`COPY_MODE`).

    Raises:
        NotFoundError, AmbiguousError: As `list_attachments`.
        ConflictError: A different file already has one of the names in `folder`.
        StoreError: An attachment is missing from the store or its content no longer matches
            its SHA-256.
        UsageError: `folder` is not a folder or cannot be written.
    """
    from sop_cli.fs import write_file
    from sop_cli.run.service import _open, _resolve, _state

    if folder.exists() and not folder.is_dir():
        raise UsageError(_("{folder} is not a folder; give a folder to copy the attachments into.").format(folder=folder),
                         option="copy_to")
    with _open(store, create=False) as st, st.read():
        state = _state(st, _resolve(st, run, latest_if_none_active=True))
        rows = attachment_rows(state)
        contents: dict[str, bytes] = {}
        for row in rows:
            if row["sha256"] in contents:
                continue
            item = next(i for e in state.events if e.seq == row["seq"] for i in e.data.get("attachments") or []
                        if i.get("sha256") == row["sha256"])
            data = st.read_attachment(state.run_id, item)
            if hashlib.sha256(data).hexdigest() != row["sha256"]:
                raise StoreError(
                    _("The kept copy of {name!r} (run {run!r}, event {seq}) no longer matches the SHA-256 in the log; "
                      "it was changed after it was kept. Nothing was copied.").format(
                        name=row["name"], run=state.run_id, seq=row["seq"]))
            contents[row["sha256"]] = data
    plan: dict[str, tuple[AttachmentRow, Path]] = {}
    for row in rows:
        plan.setdefault(row["file_name"], (row, folder / row["file_name"]))
    clashes = [target for row, target in plan.values() if _already(target) not in (None, row["sha256"])]
    if clashes:
        listing = ", ".join(str(c) for c in clashes)
        raise ConflictError(
            ngettext("{count} of the files is already in {folder} with other content ({listing}). "
                     "Nothing was copied; copy into an empty folder, or move that file away.",
                     "{count} of the files are already in {folder} with other content ({listing}). "
                     "Nothing was copied; copy into an empty folder, or move those files away.",
                     len(clashes)).format(count=len(clashes), folder=folder, listing=listing),
            details={"paths": [str(c) for c in clashes]})
    done: list[CopiedFile] = []
    for row, target in plan.values():
        if _already(target) == row["sha256"]:
            done.append({"name": row["name"], "sha256": row["sha256"], "path": target, "result": "same"})
            continue
        write_file(target, contents[row["sha256"]], mode=COPY_MODE)
        done.append({"name": row["name"], "sha256": row["sha256"], "path": target, "result": "copied"})
    return done
