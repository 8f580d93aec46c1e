"""Cases of service SOPs (`jenis: layanan`): numbered per SOP and year, each for someone.

A Renja is one run a year (`renja-2027`); a service is a case per request, any number a day:
`sktm-2026-0042`, the 42nd case of the SOP received in 2026 (the year it started, never the
next one). Whom a case is for (`--untuk`) is personal data (UU 27/2022): it is kept apart from
the append-only log, in the store's `case_subjects`, so it never appears in an event, a file
name or a message, and `purge` can erase it after the office's retention period while every
timing stays. The erasure itself is recorded in each case's log (an `erased` event, without
the name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, TypedDict

from sop_cli.errors import ConflictError, UsageError
from sop_cli.i18n import _

if TYPE_CHECKING:
    from sop_cli.definition.graph import Graph
    from sop_cli.run.service import Session
    from sop_cli.store.interface import Store

CASE_DIGITS = 4
"""Case numbers are written with at least four digits (`sktm-2026-0042`): sortable, speakable."""


def check_untuk(untuk: str | None, proc: Graph, *, parent: bool) -> str | None:
    """`untuk` cleaned (blanks collapsed), refused for an SOP that is no service.

    Raises:
        UsageError: `untuk` is empty, or given for a planning SOP or a sub-SOP run (option "untuk").
    """
    if untuk is None:
        return None
    cleaned = " ".join(untuk.split())
    if not cleaned:
        raise UsageError(_("is empty; name whom the case is for, or leave it out."), option="untuk")
    if proc.jenis != "layanan" or parent:
        raise UsageError(_("SOP {sop} is a plan run once a year (jenis: {jenis}), not a service with cases, so "
                           "its runs are for no one (a service's file says `jenis: layanan`). Nothing was recorded.").format(
            sop=proc.qualified_id, jenis=proc.jenis), option="untuk")
    return cleaned


def guard_open_case(st: Store, sop_id: str, untuk: str | None, again: bool) -> None:
    """Refuse a second open case of the same SOP for the same person unless `again`. The message
    names the open cases by id, never the person (it may be read over a shoulder or logged).

    Raises:
        ConflictError: code "case_open".
    """
    if not untuk or again:
        return
    open_cases = st.open_cases_for(sop_id, untuk)
    if open_cases:
        raise ConflictError(
            _("SOP {sop} already has an open case for this person: {runs}. Nothing was recorded.").format(
                sop=sop_id, runs=", ".join(open_cases)),
            code="case_open", details={"runs": open_cases, "sop": sop_id},
        )


def case_id(short_id: str, year: int, number: int) -> str:
    """The id of case `number` of SOP `short_id` received in `year`: `sktm-2026-0042`."""
    return f"{short_id}-{year}-{number:0{CASE_DIGITS}d}"


def case_title(nama: str, year: int, number: int) -> str:
    """A case's default title: the SOP's name and its register number (never the person's name,
    which the log would keep for ever)."""
    return f"{nama} No. {number:0{CASE_DIGITS}d}/{year}"


# Erasing personal data after the retention period ------------------------------------------------


class PurgeResult(TypedDict):
    """What `purge` did: the cases whose subject was erased, and the retention date."""

    before: date
    erased: list[str]


def purge(session: Session, before: date, *, dry_run: bool = False) -> PurgeResult:
    """Erase whom each case was for, for every case that ended (finished, refused or cancelled)
    before `before` (the start of that day, UTC+9 at the latest, so no zone keeps a day more),
    keeping its timings; each erasure is an `erased` event in the case's log. One transaction.

    Raises:
        UsageError: `before` is not in the past (option "sebelum").
    """
    from datetime import timedelta, timezone

    from sop_cli.run import engine
    from sop_cli.run.service import _open, _state, record

    now = session.now
    edge = datetime.combine(before, time(0, 0), tzinfo=timezone(timedelta(hours=9)))
    if edge > now:
        raise UsageError(_("{day} is not in the past: only cases that ended before a past day can be erased. "
                           "Nothing was changed.").format(day=before.isoformat()), option="sebelum")
    with _open(session.store, create=False) as st, st.write() if not dry_run else st.read():
        erased = st.erasable_cases(edge)
        if dry_run:
            return {"before": before, "erased": erased}
        for run_id in erased:
            state = _state(st, run_id)
            event = engine.Event(0, engine.EventKind.ERASED, max(now, state.events[-1].at), now, session.who,
                                 session.os_user, None, {"fields": ["untuk"], "sebelum": before.isoformat()})
            record(st, run_id, state, event)
            st.erase_subject(run_id, now)
    return {"before": before, "erased": erased}


def describe(data: Mapping[str, Any]) -> str:
    """An `erased` event's details as the log shows them."""
    fields = ", ".join(str(f) for f in data.get("fields") or ())
    return _("personal data erased ({fields}) after the retention period (cases ended before {day})").format(
        fields=fields, day=data.get("sebelum", "?"))
