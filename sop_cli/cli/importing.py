"""`sop import FILE`: an SOP AP document (Word .docx or its copied text) as a commented SOP draft."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sop_cli.cli import app
from sop_cli.i18n import N_, _


@app.command("import", help=N_("Read an SOP AP document (Word .docx, or the text copied out of one) into an SOP draft (YAML): what it had to guess is commented in the draft and listed to check."))
def import_command(
    file: Path = typer.Argument(..., metavar=N_("FILE"), help=N_("The document: .docx, .txt copied out of a document, or .bpmn (BPMN 2.0).")),
    out: Path | None = typer.Option(None, "--out", metavar=N_("DRAFT.yaml"), help=N_("Write the draft to this file (default: print it).")),
    sop_id: str | None = typer.Option(None, "--id", metavar="ID", help=N_("SOP id to give the draft (default: the catalog's SOP of the same name, else made from the name).")),
    force: bool = typer.Option(False, "--force", help=N_("Overwrite an existing file.")),
) -> None:
    from sop_cli.cli.output import fit, shown
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.importer import import_document
    from sop_cli.errors import ConflictError, DefinitionError, UsageError

    if out is not None and out.exists() and not force:
        raise ConflictError(_("{path} exists; choose another --out or add --force to overwrite it.").format(path=out))
    if out is not None and out.is_dir():
        raise UsageError(_("{path} is a folder; --out names the file to write.").format(path=out))
    catalog = load_catalog()
    imported = import_document(file, [(entry.data, str(entry.path)) for entry in catalog.entries], sop_id=sop_id,
                               out=out)
    if out is None:
        sys.stdout.write(imported.text)
    else:
        from sop_cli.fs import write_file

        write_file(out, imported.text)
        print(fit(shown(_("Wrote {path}").format(path=out))))
    report = sys.stderr if out is None else sys.stdout
    if imported.matched:
        report.write(fit(shown(_("The catalog already has this SOP ({sop}): compare with `sop diff {sop} DRAFT`.").format(
            sop=imported.matched))) + "\n")
    if imported.checks:
        report.write(shown(_("Check against the document ({count}):").format(count=len(imported.checks))) + "\n")
        for line in imported.checks:
            report.write(fit(shown("  - " + line), hang=4) + "\n")
    if imported.problems:
        raise DefinitionError(_("The draft does not validate yet; fix these in it:"), imported.problems)
