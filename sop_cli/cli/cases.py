"""`sop cases purge --sebelum DATE`: erase whom ended cases were for, after the office's
retention period, keeping their timings (`sop_cli.run.cases.purge`)."""

from __future__ import annotations

import typer

from sop_cli.cli import app
from sop_cli.cli.helptext import App
from sop_cli.cli.options import JSON, STORE
from sop_cli.cli.output import print_json
from sop_cli.i18n import N_, _, ngettext

cases_app = App(
    name="cases", no_args_is_help=True, add_completion=False,
    help=N_("Cases of service SOPs: erase the personal data of ended cases after their retention period."),
)
app.add_typer(cases_app, name="cases")


@cases_app.command("purge", help=N_(
    "Erase whom each case was for (--untuk), for every case that ended (finished, refused or cancelled) before "
    "DATE; the timings stay and each case's log records the erasure (without the name)."))
def purge_command(
    sebelum: str = typer.Option(..., "--sebelum", metavar="YYYY-MM-DD", help=N_("Cases that ended before this day (the retention period the office set).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Only list the cases whose personal data would be erased.")),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from datetime import date

    from sop_cli.cli.parse import session
    from sop_cli.errors import UsageError
    from sop_cli.run.cases import purge

    try:
        before = date.fromisoformat(sebelum.strip())
    except ValueError:
        raise UsageError(_("--sebelum {value}: give a day as YYYY-MM-DD, e.g. 2025-01-01.").format(value=sebelum)) from None
    result = purge(session(store), before, dry_run=dry_run)
    if as_json:
        print_json(result)
        return
    erased = result["erased"]
    if dry_run:
        print(ngettext("{count} case ended before {day} still holds personal data:",
                       "{count} cases ended before {day} still hold personal data:", len(erased)).format(
            count=len(erased), day=before.isoformat()))
        for run in erased:
            print(f"  {run}")
        return
    print(ngettext("Erased the personal data of {count} case that ended before {day}; its timings are kept.",
                   "Erased the personal data of {count} cases that ended before {day}; their timings are kept.",
                   len(erased)).format(count=len(erased), day=before.isoformat()))
