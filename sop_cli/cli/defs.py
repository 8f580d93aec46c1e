"""Commands about SOP definitions: list, show, validate, schema, org."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sop_cli.cli import app, complete
from sop_cli.cli.helptext import App
from sop_cli.cli.options import JSON, ORG
from sop_cli.cli.output import _is_terminal, plain_table, print_json, shown, terminal_width, wrap_words
from sop_cli.cli.output import fit as _wrapped
from sop_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from sop_cli.definition.catalog import Catalog

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition

org_app = App(help=N_("Organisations in the catalog, and the default one."), no_args_is_help=True)
app.add_typer(org_app, name="org")


@app.command("list", help=N_("List every SOP in the catalog: id, organisation, name, steps, total standard time."))
def list_command(as_json: bool = JSON) -> None:
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.overview import list_rows

    catalog = load_catalog()
    rows = list_rows(catalog)
    if as_json:
        print_json(rows)
    else:
        print(plain_table(["ID", "Organisasi", "Nama SOP", "Langkah", "Waktu total"],
                          [[r["id"], r["organisasi"], r["nama"], str(r["langkah"]), r["waktu_total"]] for r in rows],
                          right=frozenset({3, 4}), keep=frozenset({3}), last=frozenset({4})))
        if not rows:
            print(_("No SOP files found (see `sop validate`)."))
    _warn_invalid(catalog)


@app.command("show", help=N_("Show one SOP: identity header, the six lists, and the steps as a swimlane table."))
def show_command(sop: str = typer.Argument(..., metavar="SOP", help=N_("SOP id, e.g. renja or nganjuk/kecamatan-ngronggot/renja."),
                                           autocompletion=complete.sop_ids),
                 org: str | None = ORG, as_json: bool = JSON,
                 path: bool = typer.Option(False, "--path", help=N_("Print only the SOP file's path (e.g. to copy it)."))) -> None:
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.overview import describe

    entry = load_catalog().resolve(sop, org)
    if path:
        print(shown(str(entry.path)))
        return
    data = describe(entry)
    if as_json:
        print_json(data)
        return
    from sop_cli.cli.tables import print_sop

    print_sop(None, data)


@app.command("validate", help=N_("Check SOP files; every problem is printed as file:line:column: field: message."))
def validate_command(paths: list[Path] | None = typer.Argument(None, metavar=N_("FILE"), help=N_("Files or folders (default: the catalog).")),
                     as_json: bool = JSON) -> None:
    from sop_cli.cli.output import shown
    from sop_cli.definition.catalog import load_catalog, sop_files
    from sop_cli.errors import DefinitionError, NotFoundError
    from sop_cli.paths import catalog_roots

    for path in paths or []:
        if not os.path.lexists(path):
            raise NotFoundError(_("{path}: no such file or folder").format(path=path))
    catalog = load_catalog(paths or catalog_roots(), cached=False)
    for path in paths or []:
        if path.is_dir() and not sop_files([path]):
            if path.suffix in (".yaml", ".yml"):
                empty = _("{path}: a folder (a folder named like an SOP file) with no SOP files (*.yaml, *.yml) in it")
            else:
                empty = _("{path}: a folder with no SOP files (*.yaml, *.yml) in it")
            catalog.errors.append(DefinitionError(empty.format(path=path)))
    unknown_sub_sops: dict[str, list[str]] = {}
    if any(step.get("sub_sop") for entry in catalog.entries for step in entry.data.get("langkah") or ()):
        from sop_cli.definition.catalog import sub_sop_warnings

        known = load_catalog(catalog_roots()) if paths else catalog
        known.entries.extend(e for e in catalog.entries if e not in known.entries)
        unknown_sub_sops = {str(e.path): sub_sop_warnings([e], known) for e in catalog.entries}
    from sop_cli.render.doctypes import dokumen_warnings, sop_file_problems

    # document types and the organisation file live beside the SOP YAML (sop_cli.render)
    beside = {str(e.path): sop_file_problems(e.sop, e.path) for e in catalog.entries}
    warnings = {str(entry.path): _warnings(entry.path, entry.sop) + unknown_sub_sops.get(str(entry.path), [])
                + dokumen_warnings(entry.sop, entry.path) for entry in catalog.entries}
    # after the checks above, so a copied file that also has its own problems shows them all
    roots = [Path(p) for p in (paths or catalog_roots()) if Path(p).is_dir()]
    against_catalog(catalog, load_catalog() if paths else None, roots + list(catalog_roots()))
    valid = [e for e in catalog.entries if not beside[str(e.path)]]
    if as_json:
        print_json({
            "valid": [str(e.path) for e in valid],
            "invalid": [{"error": e.message, "problems": e.problems} for e in catalog.errors]
            + [{"error": f"{path}: {len(problems)} problem(s)", "problems": problems}
               for path, problems in beside.items() if problems],
            "warnings": [{"file": path, "warning": w} for path, found in warnings.items() for w in found],
        })
    else:
        ok, fail = _("ok"), _("FAIL")  # the verdict of each file, aligned
        width = max(len(ok), len(fail)) + 2
        # on a terminal each line wraps at words, continued under the path; a pipe keeps whole lines
        # (file:line:column for editors and grep)
        fit = _wrapped if _is_terminal() else (lambda line, hang: line)
        for entry in valid:
            print(fit(shown(f"{ok:<{width}}{entry.path}  " + ngettext("({id}, {count} step)", "({id}, {count} steps)",
                            len(entry.sop.langkah)).format(id=entry.qualified_id, count=len(entry.sop.langkah))), width))
            for warning in warnings[str(entry.path)]:
                print(fit(shown("  " + _("warning: {warning}").format(warning=warning)), 4))
        for problems in beside.values():
            for problem in problems:
                print(fit(f"{fail:<{width}}{shown(problem)}", width))
        for error in catalog.errors:
            print(fit(f"{fail:<{width}}{shown(error.message)}", width))
            for problem in error.problems:
                print(fit(f"  {shown(problem)}", 4))
        total = len(catalog.entries) + len(catalog.errors)
        print(_("{valid} of {total} SOP file(s) valid.").format(valid=len(valid), total=total))
    if catalog.errors or len(valid) < len(catalog.entries):
        raise typer.Exit(1)


def against_catalog(checked: Catalog, catalog: Catalog | None, roots: list[Path]) -> None:
    """Move the valid files of `checked` that disagree with the catalog to its errors: a qualified
    id another catalog file defines, or a file whose folders (`wilayah/organisasi/id.yaml` under a
    root) disagree with the id written inside it. The same file under two paths is one SOP."""
    from sop_cli.definition.catalog import same_file
    from sop_cli.errors import DefinitionError

    others = {e.qualified_id: e.path.resolve() for e in catalog.entries} if catalog else {}
    kept = []
    for entry in checked.entries:
        path = entry.path.resolve()
        problems = []
        other = others.get(entry.qualified_id)
        if other is not None and not same_file(other, path, roots):
            problems.append(_("{path}:1:1: id: the SOP id {id!r} is already defined in the catalog by {other}; "
                              "qualified ids (wilayah/organisasi/id) must be unique").format(
                path=entry.path, id=entry.qualified_id, other=other))
        where = _folder_id(path, roots)
        if where is not None and where != entry.qualified_id:
            problems.append(_("{path}:1:1: id: the file's folders say {where!r} but the id inside is {id!r} "
                              "(organisasi.wilayah/organisasi.id/id); move the file or correct the fields").format(
                path=entry.path, where=where, id=entry.qualified_id))
        if problems:
            checked.errors.append(DefinitionError(ngettext(
                "{path}: {count} problem against the catalog:", "{path}: {count} problems against the catalog:",
                len(problems)).format(path=entry.path, count=len(problems)), problems))
        else:
            kept.append(entry)
    checked.entries[:] = kept


def _folder_id(path: Path, roots: list[Path]) -> str | None:
    """`wilayah/organisasi/id` as the folders of `path` under one of `roots` spell it, if they do."""
    for root in roots:
        try:
            parts = path.relative_to(root.resolve()).parts
        except ValueError:
            continue
        if len(parts) == 3:
            return f"{parts[0]}/{parts[1]}/{Path(parts[2]).stem}"
    return None


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


@app.command("schema", help=N_("Print the JSON Schema of an SOP file (for editor completion and checking)."))
def schema_command(out: Path | None = typer.Option(None, "--out", metavar=N_("FILE"), help=N_("Write to this file instead of stdout."))) -> None:
    from sop_cli.definition.model import sop_json_schema

    text = json.dumps(sop_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        from sop_cli.fs import write_file

        write_file(out, text)
        print(_("Wrote {path}").format(path=out))
    else:
        print(text, end="")


@org_app.command("list", help=N_("List the organisations that have SOPs in the catalog (the default one is marked)."))
def org_list(as_json: bool = JSON) -> None:
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.settings import default_org

    chosen = default_org()
    by_org: dict[str, dict[str, Any]] = {}
    for entry in load_catalog().entries:
        org = entry.head.org
        row = by_org.setdefault(f"{org.wilayah}/{org.id}", {
            "id": f"{org.wilayah}/{org.id}", "nama": org.nama, "pemerintah": org.pemerintah,
            "alias": list(org.alias), "zona_waktu": org.zona_waktu, "sops": [],
            "default": org_matches(org, chosen) if chosen else False,
        })
        row["sops"].append(entry.qualified_id)
    rows = list(by_org.values())
    if as_json:
        print_json(rows)
        return
    for row in rows:
        mark = "*" if row["default"] else " "
        alias = f" (alias: {', '.join(row['alias'])})" if row["alias"] else ""
        text = f"{row['id']}{alias}  {row['nama']}, {row['pemerintah']}  [{row['zona_waktu']}]"
        # One organisation per line when it fits; else wrapped at words, indented under its id.
        lines = [text] if len(text) + 2 <= terminal_width() else wrap_words(text, terminal_width() - 4)
        print(f"{mark} {lines[0]}")
        for line in lines[1:]:
            print(f"    {line}")


@org_app.command("use", help=N_("Set the default organisation for short SOP ids (saved in $SOP_HOME/settings.json)."))
def org_use(org: str = typer.Argument(..., metavar=N_("ORG"), help=N_("Organisation id or alias, e.g. ngronggot; '-' to clear."),
                                      autocompletion=complete.org_ids)) -> None:
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.errors import NotFoundError
    from sop_cli.settings import write_setting

    if org == "-":
        write_setting("org", None)
        print(_("Default organisation cleared."))
        return
    catalog = load_catalog()
    match = next((e.head.org for e in catalog.entries if org_matches(e.head.org, org)), None)
    if match is None:
        known = ", ".join(f"{o.wilayah}/{o.id}" for o in catalog.organisations())
        raise NotFoundError(_("No organisation {org!r} in the catalog. Known: {known}.").format(org=org, known=known))
    write_setting("org", f"{match.wilayah}/{match.id}")
    print(_("Default organisation: {id} ({nama}, {pemerintah}).").format(
        id=f"{match.wilayah}/{match.id}", nama=match.nama, pemerintah=match.pemerintah))


def _warn_invalid(catalog: object) -> None:
    errors = getattr(catalog, "errors", [])
    if errors:
        sys.stderr.write(_("Warning: {count} SOP file(s) are invalid and not listed; run `sop validate`.").format(
            count=len(errors)) + "\n")
