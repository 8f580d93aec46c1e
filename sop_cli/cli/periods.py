"""The period options shared by `sop runs` and `sop report`: --bulan, --kuartal, --dari/--sampai
(and `--year` on the report), read into a `sop_cli.run.periods.Period`."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import typer

from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.run.periods import Period

BULAN = typer.Option(None, "--bulan", metavar="YYYY-MM", help=N_("Only cases received in this month, e.g. 2026-12."))
KUARTAL = typer.Option(None, "--kuartal", metavar="YYYY-Q", help=N_("A quarter, e.g. 2026-4 or 2026-Q4."))
DARI = typer.Option(None, "--dari", metavar="YYYY-MM-DD", help=N_("From this day (with --sampai: a span of days)."))
SAMPAI = typer.Option(None, "--sampai", metavar="YYYY-MM-DD", help=N_("To this day, included."))


def parse_period(bulan: str | None = None, kuartal: str | None = None, dari: str | None = None,
                 sampai: str | None = None, year: int | None = None) -> Period | None:
    """The period the options name (None: none given).

    Raises:
        UsageError: A malformed value, or two kinds of period at once.
    """
    from sop_cli.errors import UsageError
    from sop_cli.run import periods

    given = [name for name, value in (("--bulan", bulan), ("--kuartal", kuartal), ("--year", year),
                                      ("--dari/--sampai", dari or sampai)) if value]
    for value, option in ((bulan, "--bulan"), (kuartal, "--kuartal")):
        found = re.match(r"\s*(\d{4})", value or "")
        if found and not 1900 <= int(found[1]) <= 2200:
            raise UsageError(_("{option} {value}: the year is outside the years sop handles (1900–2200).").format(
                option=option, value=value))
    if len(given) > 1:
        raise UsageError(_("Give one period: {options} name different ones.").format(options=", ".join(given)))
    if bulan:
        found = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", bulan)
        if not found or not 1 <= int(found[2]) <= 12:
            raise UsageError(_("--bulan {value}: give a month as YYYY-MM, e.g. 2026-12.").format(value=bulan))
        return periods.month(int(found[1]), int(found[2]))
    if kuartal:
        found = re.fullmatch(r"\s*(\d{4})-[QqTt]?([1-4])\s*", kuartal)
        if not found:
            raise UsageError(_("--kuartal {value}: give a quarter as YYYY-Q, e.g. 2026-4 or 2026-Q4.").format(
                value=kuartal))
        return periods.quarter(int(found[1]), int(found[2]))
    if year:
        return periods.whole_year(year)
    if dari or sampai:
        first, last = _day(dari, "--dari") if dari else None, _day(sampai, "--sampai") if sampai else None
        if first is None or last is None:
            raise UsageError(_("--dari and --sampai go together: the first and the last day."))
        if last < first:
            raise UsageError(_("--sampai {last} is before --dari {first}.").format(last=last, first=first))
        return periods.days(first, last)
    return None


def _day(text: str, option: str) -> date:
    from sop_cli.errors import UsageError

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(_("{option} {value}: give a day as YYYY-MM-DD, e.g. 2026-12-01.").format(
            option=option, value=text)) from None
