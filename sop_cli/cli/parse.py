"""What the command line reads as text and the core takes as values.

`--at` text, `LANE=NAME` assignments, `--set KEY=VALUE` settings, and the environment of a command: the clock (`SOP_NOW`,
a testing and demonstration aid, read as WIB without a UTC offset; else the system clock) and
the person recorded when nobody is named (`SOP_USER`, else the operating-system user).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from sop_cli.errors import UsageError
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.run.service import DaysAgo, Session

WIB = timezone(timedelta(hours=7), "WIB")
"""The zone of a `SOP_NOW` without a UTC offset."""

AT_FORMS = N_("e.g. 2026-11-26 09:30, 26/11/2026 09:30, 26-11-2026, 09:30 for today, "
              "'hari ini', 'kemarin' or 'kemarin 14:00'")
"""The forms of a `--at` value, for messages (translated at use)."""

_DAYS_AGO = {"hari ini": 0, "today": 0, "kemarin": 1, "yesterday": 1}
"""Days people name instead of a date, in Indonesian and English."""


def now() -> datetime:
    """Now: `SOP_NOW` when set (testing and demonstrations), else the system clock; whole seconds.

    Raises:
        UsageError: `SOP_NOW` is not a date and time.
    """
    text = os.environ.get("SOP_NOW")
    if text:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(_("SOP_NOW={text!r} is not a date and time; write e.g. 2026-11-26T09:00.").format(
                text=text)) from None
        from sop_cli.run.service import FIRST_YEAR, LAST_YEAR

        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise UsageError(_("SOP_NOW={text!r} is outside the years sop handles ({first}–{last}).").format(
                text=text, first=FIRST_YEAR, last=LAST_YEAR))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        return moment.replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def session(store: str | None, by: str | None = None, *, reading: bool = False) -> Session:
    """The `Session` of this command: now, the store, and for a command that writes (not `reading`:
    they need no user, and `getpass` costs a reading command its start-up) who acts (`by`, else
    `SOP_USER` or the OS user) and when Enter was pressed."""
    from sop_cli.run.service import Session

    if reading:
        return Session(now=now(), store=store)
    return Session(now=now(), actor=actor(), os_user=os_user(), store=store, by=by, pressed=pressed())


def pressed() -> datetime | None:
    """When the person pressed Enter: the `sop` program's first moment (`sop_cli.entry.STARTED`),
    to the second; None under `SOP_NOW` (a fixed clock has no such moment) or when `sop` runs
    inside another program (tests)."""
    import sys

    entry = sys.modules.get("sop_cli.entry")
    started = getattr(entry, "STARTED", None)
    if started is None or os.environ.get("SOP_NOW"):
        return None
    return datetime.fromtimestamp(started, timezone.utc).replace(microsecond=0)


def os_user() -> str:
    """The operating-system user typing the command ("unknown" in containers without one)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def actor() -> str:
    """Who is recorded when nobody is named: `SOP_USER`, else the operating-system user."""
    return os.environ.get("SOP_USER") or os_user()


def parse_at(text: str, option: str = "--at") -> datetime | date | time | DaysAgo:
    """A `--at` value: `2026-11-26 09:30` or `2026-11-26T09:30` (a datetime, naive unless it has an
    offset: the core reads it in the organisation's zone), `2026-11-26` (a date: the core picks
    the office edge of that day), `09:30` / `09.30` (a time: today); dates also as people write
    them, day first: `26/11/2026`, `26-11-2026` (with a time or not); and `hari ini` / `today`,
    `kemarin` / `yesterday`, alone or followed by a time (a `DaysAgo`: the core counts the days
    in the organisation's zone).

    Raises:
        UsageError: The text is none of those forms.
    """
    from sop_cli.run.service import DaysAgo

    value = " ".join(text.split())
    try:
        clock_text = r"(\d{1,2})[.:](\d{2})"
        clock = re.fullmatch(clock_text, value)
        if clock:
            return time(int(clock.group(1)), int(clock.group(2)))
        named = re.fullmatch(r"([a-z ]+?)(?: (?:jam |pukul |at )?" + clock_text + r")?", value.lower())
        if named and named.group(1) in _DAYS_AGO:
            hour = time(int(named.group(2)), int(named.group(3))) if named.group(2) else None
            return DaysAgo(_DAYS_AGO[named.group(1)], hour)
        day_first = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?: " + clock_text + r")?", value)
        if day_first:
            day = date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
            if day_first.group(4) is None:
                return day
            return datetime.combine(day, time(int(day_first.group(4)), int(day_first.group(5))))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return datetime.fromisoformat(re.sub(r"(\d)\.(\d{2})$", r"\1:\2", text.strip()))
    except ValueError:
        raise UsageError(_("{option} {text!r} is not a date and time; write it as {forms} "
                           "(in the organisation's time zone). Nothing was recorded.").format(
            option=option, text=text, forms=_(AT_FORMS))) from None


def optional_at(text: str | None) -> datetime | date | time | DaysAgo | None:
    """`parse_at` for an option that may be absent."""
    return None if text is None else parse_at(text)


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """`--assign LANE=NAME` items as {lane: person} (lanes as typed; the core resolves them).

    Raises:
        UsageError: An item is not LANE=NAME with both sides non-empty.
    """
    pairs: dict[str, str] = {}
    for item in items:
        lane, sep, person = item.partition("=")
        if not sep or not lane.strip() or not person.strip():
            raise UsageError(_("--assign {item!r}: write LANE=NAME, e.g. --assign camat=\"Drs. Budi\".").format(item=item))
        pairs[lane] = person
    return pairs


def parse_settings(items: Iterable[str]) -> list[tuple[str, str]]:
    """`--set KEY=VALUE` items as (dotted key, value) pairs, in order (later ones win).

    Raises:
        UsageError: An item has no `=`, or an empty key or key part (`a..b`).
    """
    pairs: list[tuple[str, str]] = []
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise UsageError(_("--set {item!r}: write KEY=VALUE, e.g. --set rapat.tempat=\"Aula Kecamatan\".").format(
                item=item))
        pairs.append((key, value.strip()))
    return pairs
