"""The options several commands share, defined once: `--store`, `--run`, `--org`, `--json`."""

from __future__ import annotations

import typer

JSON = typer.Option(False, "--json", help="Print the data as JSON.")
STORE = typer.Option(None, "--store", metavar="STORE", help="The store: an SQLite file or a postgresql:// URL (default: $SOP_STORE, else $SOP_HOME/sop.db).")
RUN = typer.Option(None, "--run", "-r", metavar="RUN", help="Run id or a unique prefix of it (default: the only active run).")
ORG = typer.Option(None, "--org", "-o", help="Organisation (id or alias) when a short SOP id is ambiguous.")
