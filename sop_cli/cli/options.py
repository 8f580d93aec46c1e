"""The options several commands share, defined once: `--store`, `--run`, `--org`, `--json`."""

from __future__ import annotations

import typer

from sop_cli.cli import complete
from sop_cli.i18n import N_

JSON = typer.Option(False, "--json", help=N_("Print the data as JSON."))
STORE = typer.Option(None, "--store", metavar=N_("STORE"), help=N_("The store: an SQLite file or a postgresql:// URL (default: $SOP_STORE, else $SOP_HOME/sop.db)."))
RUN = typer.Option(None, "--run", "-r", metavar=N_("RUN"), help=N_("Run id or a unique prefix of it, any case (default: the only active run)."),
                   autocompletion=complete.run_ids)
ORG = typer.Option(None, "--org", "-o", metavar=N_("ORG"), help=N_("Organisation (id or alias) when a short SOP id is ambiguous."),
                   autocompletion=complete.org_ids)
