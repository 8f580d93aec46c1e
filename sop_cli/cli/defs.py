"""Commands about SOP definitions: list, show, validate, schema, org."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from sop_cli.cli import app
from sop_cli.cli.options import JSON, ORG
from sop_cli.cli.output import plain_table, print_json

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition

org_app = typer.Typer(help="Organisations in the catalog, and the default one.", no_args_is_help=True)
app.add_typer(org_app, name="org")


@app.command("list")
def list_command(as_json: bool = JSON) -> None:
    """List every SOP in the catalog: id, organisation, name, steps, total standard time."""
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.overview import list_rows

    catalog = load_catalog()
    rows = list_rows(catalog)
    if as_json:
        print_json(rows)
    else:
        print(plain_table(["ID", "Organisasi", "Nama SOP", "Langkah", "Waktu total"],
                          [[r["id"], r["organisasi"], r["nama"], str(r["langkah"]), r["waktu_total"]] for r in rows],
                          right=frozenset({3, 4})))
        if not rows:
            print("No SOP files found (see `sop validate`).")
    _warn_invalid(catalog)


@app.command("show")
def show_command(sop: str = typer.Argument(..., help="SOP id, e.g. renja or nganjuk/kecamatan-ngronggot/renja."),
                 org: Optional[str] = ORG, as_json: bool = JSON) -> None:
    """Show one SOP: identity header, the six lists, and the steps as a swimlane table."""
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.overview import describe

    data = describe(load_catalog().resolve(sop, org))
    if as_json:
        print_json(data)
        return
    from sop_cli.cli.tables import print_sop

    print_sop(None, data)


@app.command("validate")
def validate_command(paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders (default: the catalog)."),
                     as_json: bool = JSON) -> None:
    """Check SOP files; every problem is printed as file:line:column: field: message."""
    import os

    from sop_cli.cli.output import shown
    from sop_cli.definition.catalog import catalog_roots, load_catalog, sop_files
    from sop_cli.errors import DefinitionError, UsageError

    for path in paths or []:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
    catalog = load_catalog(paths or catalog_roots(), cached=False)
    for path in paths or []:
        if path.is_dir() and not sop_files([path]):
            named = " (a folder named like an SOP file)" if path.suffix in (".yaml", ".yml") else ""
            catalog.errors.append(DefinitionError(f"{path}: a folder{named} with no SOP files (*.yaml, *.yml) in it"))
    unknown_sub_sops: dict[str, list[str]] = {}
    if any(step.get("sub_sop") for entry in catalog.entries for step in entry.data.get("langkah") or ()):
        from sop_cli.definition.catalog import sub_sop_warnings

        known = load_catalog(catalog_roots()) if paths else catalog
        known.entries.extend(e for e in catalog.entries if e not in known.entries)
        unknown_sub_sops = {str(e.path): sub_sop_warnings([e], known) for e in catalog.entries}
    from sop_cli.render.doctypes import sop_file_problems

    # document types and the organisation file live beside the SOP YAML (sop_cli.render)
    beside = {str(e.path): sop_file_problems(e.sop, e.path) for e in catalog.entries}
    valid = [e for e in catalog.entries if not beside[str(e.path)]]
    warnings = {str(entry.path): _warnings(entry.path, entry.sop) + unknown_sub_sops.get(str(entry.path), [])
                for entry in catalog.entries}
    if as_json:
        print_json({
            "valid": [str(e.path) for e in valid],
            "invalid": [{"error": e.message, "problems": e.problems} for e in catalog.errors]
            + [{"error": f"{path}: {len(problems)} problem(s)", "problems": problems}
               for path, problems in beside.items() if problems],
            "warnings": [{"file": path, "warning": w} for path, found in warnings.items() for w in found],
        })
    else:
        for entry in valid:
            print(shown(f"ok    {entry.path}  ({entry.qualified_id}, {len(entry.sop.langkah)} langkah)"))
            for warning in warnings[str(entry.path)]:
                print(shown(f"  warning: {warning}"))
        for problems in beside.values():
            for problem in problems:
                print(f"FAIL  {shown(problem)}")
        for error in catalog.errors:
            print("\n".join([f"FAIL  {shown(error.message)}", *(f"  {shown(p)}" for p in error.problems)]))
        total = len(catalog.entries) + len(catalog.errors)
        print(f"{len(valid)} of {total} SOP file(s) valid.")
    if catalog.errors or len(valid) < len(catalog.entries):
        raise typer.Exit(1)


def _warnings(path: Path, sop: SopDefinition) -> list[str]:
    """`file:line:column: field: message` of what `review_warnings` finds (the file is re-read for
    the locations only when there is something to say)."""
    from sop_cli.definition.model import review_warnings

    found = list(review_warnings(sop))
    if not found:
        return []
    from sop_cli.definition.loader import _dotted
    from sop_cli.definition.yamlfile import read_yaml

    located = read_yaml(path)
    return [f"{located.where(loc)}: {_dotted(loc)}: {message}" for loc, message in found]


@app.command("schema")
def schema_command(out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of stdout.")) -> None:
    """Print the JSON Schema of an SOP file (for editor completion and checking)."""
    import json

    from sop_cli.definition.model import sop_json_schema

    text = json.dumps(sop_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        from sop_cli.fs import write_text_atomically

        write_text_atomically(out, text)
        print(f"Wrote {out}")
    else:
        print(text, end="")


@org_app.command("list")
def org_list(as_json: bool = JSON) -> None:
    """List the organisations that have SOPs in the catalog (the default one is marked)."""
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.settings import default_org

    chosen = default_org()
    by_org: dict[str, dict] = {}
    for entry in load_catalog().entries:
        org = entry.head.org
        row = by_org.setdefault(f"{org.wilayah}/{org.id}", {
            "id": f"{org.wilayah}/{org.id}", "nama": org.nama, "pemerintah": org.pemerintah,
            "alias": list(org.alias), "zona_waktu": org.zona_waktu, "sops": [],
            "default": bool(chosen) and org_matches(org, chosen),
        })
        row["sops"].append(entry.qualified_id)
    rows = list(by_org.values())
    if as_json:
        print_json(rows)
        return
    for row in rows:
        mark = "*" if row["default"] else " "
        alias = f" (alias: {', '.join(row['alias'])})" if row["alias"] else ""
        print(f"{mark} {row['id']}{alias}  {row['nama']}, {row['pemerintah']}  [{row['zona_waktu']}]")


@org_app.command("use")
def org_use(org: str = typer.Argument(..., help="Organisation id or alias, e.g. ngronggot; '-' to clear.")) -> None:
    """Set the default organisation for short SOP ids (saved in $SOP_HOME/settings.json)."""
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.errors import NotFoundError
    from sop_cli.settings import write_setting

    if org == "-":
        write_setting("org", None)
        print("Default organisation cleared.")
        return
    catalog = load_catalog()
    match = next((e.head.org for e in catalog.entries if org_matches(e.head.org, org)), None)
    if match is None:
        known = ", ".join(f"{o.wilayah}/{o.id}" for o in catalog.organisations())
        raise NotFoundError(f"No organisation {org!r} in the catalog. Known: {known}.")
    write_setting("org", f"{match.wilayah}/{match.id}")
    print(f"Default organisation: {match.wilayah}/{match.id} ({match.nama}, {match.pemerintah}).")


def _warn_invalid(catalog: object) -> None:
    import sys

    errors = getattr(catalog, "errors", [])
    if errors:
        sys.stderr.write(f"Warning: {len(errors)} SOP file(s) are invalid and not listed; run `sop validate`.\n")
