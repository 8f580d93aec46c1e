"""`sop attachments`: list the files kept with a run, and copy them out."""

from __future__ import annotations

from pathlib import Path

import typer

from sop_cli.cli import app
from sop_cli.cli.options import JSON, RUN, STORE
from sop_cli.cli.output import print_json, shown
from sop_cli.i18n import N_, _


@app.command("attachments", help=N_("List a run's attachments (name, size, SHA-256, when, by whom, which event), or copy them out with --copy-to DIR."))
def attachments_command(
    run: str | None = RUN,
    copy_to: Path | None = typer.Option(
        None, "--copy-to", metavar=N_("DIR"),
        help=N_("Copy every attachment into DIR (created if missing), checking each SHA-256; "
             "a different file of the same name there stops the copy before anything is written.")),
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.run.attachments import copy_attachments, list_attachments

    if copy_to is not None:
        done = copy_attachments(run, copy_to, store=store)
        if as_json:
            print_json(done)
            return
        if not done:
            print(_("The run has no attachments; nothing was copied."))
        for item in done:
            verb = _("Copied {path} (sha256 {sha})") if item["result"] == "copied" else _(
                "Already there, identical: {path} (sha256 {sha})")
            print(shown(verb.format(path=item["path"], sha=item["sha256"])))
        return
    view = list_attachments(run, store=store)
    if as_json:
        print_json(view)
        return
    rows = view["attachments"]
    if not rows:
        print(shown(_("Run {run} has no attachments.").format(run=view["run"])))
        return
    from sop_cli.cli.output import plain_table, tanggal_pendek
    from sop_cli.cli.runs import EVENT_KINDS

    table = [
        [item["file_name"], str(item["size"]), item["sha256"], tanggal_pendek(item["at"], year=True), item["by"],
         f"{item['seq']} {_(EVENT_KINDS.get(item['kind'], item['kind']))}"
         + (" " + _("(step {step})").format(step=item["step"]) if item["step"] else "")
         + (" " + _("[undone]") if item["undone"] else "")]
        for item in rows
    ]
    print(shown(_("Attachments of run {run} ({title}):").format(run=view["run"], title=view["title"])))
    print(plain_table([_("Name"), _("Bytes"), "SHA-256", _("When"), _("By"), _("Event")], table, right=frozenset({1})))
