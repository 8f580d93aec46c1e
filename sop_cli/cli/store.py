"""Commands about the store itself: `sop store init | migrate | status | grant | copy`.

Each parses its options, calls one function of `sop_cli.store.admin`, and prints the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sop_cli.cli import app
from sop_cli.cli.helptext import App
from sop_cli.cli.options import JSON, STORE
from sop_cli.cli.output import fit, plain_table, print_json
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.store.interface import StoreInfo

store_app = App(
    name="store", no_args_is_help=True, add_completion=False,
    help=N_("Prepare a store, see what it holds, grant units their rights, copy runs between stores."),
)
app.add_typer(store_app, name="store")


_LABELS = (N_("Store"), N_("Schema"), N_("Holds"), N_("User"))
"""The labels of `sop store status`, aligned to the longest in the interface language."""


def _info_json(info: StoreInfo) -> dict[str, object]:
    return {
        "kind": info.kind, "location": info.location, "schema_version": info.schema_version,
        "known_version": info.known_version, "runs": info.runs, "events": info.events, "db_user": info.db_user,
        "units": [{"role": u.role, "org_id": u.org_id, "org_name": u.org_name, "members": list(u.members)}
                  for u in info.units],
        "bappeda": [{"role": u.role, "members": list(u.members)} for u in info.overseers],
    }


def _print_info(info: StoreInfo) -> None:
    labels = [_(label) for label in _LABELS]
    width = max(9, *(len(label) for label in labels))
    store, schema, holds, user = (f"{label:<{width}} " for label in labels)
    kind = _("PostgreSQL database") if info.kind == "postgresql" else _("SQLite file")
    print(fit(store + f"{info.location}  ({kind})", width + 1))
    if info.schema_version == info.known_version:
        state = _("version {version}, up to date")
    elif info.schema_version < info.known_version:
        state = _("version {version}, needs `sop store migrate` (this sop writes version {known})")
    else:
        state = _("version {version}, newer than this sop ({known})")
    print(fit(schema + state.format(version=info.schema_version, known=info.known_version), width + 1))
    held = _("{runs} runs, {events} events").format(runs=f"{info.runs:,}", events=f"{info.events:,}")
    if info.kind == "postgresql":
        held = _("{held} (those this database user may read)").format(held=held)
    print(fit(holds + held, width + 1))
    if info.db_user:
        print(fit(user + info.db_user, width + 1))
    if info.units or info.overseers:
        print(_("Who may do what in this store:"))
        nobody = _("nobody yet")
        rows = [[u.role, _("reads and writes the runs of {name} ({id})").format(name=u.org_name, id=u.org_id),
                 ", ".join(u.members) or nobody] for u in info.units]
        rows += [[u.role, _("reads every unit's runs, writes none"), ", ".join(u.members) or nobody]
                 for u in info.overseers]
        print(plain_table([_("Role"), _("Rights"), _("Members")], rows))


@store_app.command("init", help=N_("Create the store (an SQLite file, or the tables of a PostgreSQL database) with the current schema."))
def init_command(store: str | None = STORE, as_json: bool = JSON) -> None:
    from sop_cli.run.engine import stored_summary
    from sop_cli.store.admin import init_store

    info = init_store(store, summarize=stored_summary)
    if as_json:
        print_json(_info_json(info))
        return
    print(fit(_("Store {location} is ready (schema version {version}).").format(location=info.location,
                                                                                version=info.schema_version)))


@store_app.command("migrate", help=N_("Bring an existing store's schema up to this sop's version (ordinary commands do it too)."))
def migrate_command(store: str | None = STORE, as_json: bool = JSON) -> None:
    from sop_cli.run.engine import stored_summary
    from sop_cli.store.admin import migrate_store

    before, info = migrate_store(store, summarize=stored_summary)
    if as_json:
        print_json({"from_version": before, **_info_json(info)})
        return
    if before == info.schema_version:
        print(fit(_("Store {location} is up to date (schema version {version}).").format(
            location=info.location, version=info.schema_version)))
    else:
        print(fit(_("Store {location} migrated from schema version {before} to {version}.").format(
            location=info.location, before=before, version=info.schema_version)))


@store_app.command("status", help=N_("What the store is, its schema version, how many runs and events it holds, and its units."))
def status_command(store: str | None = STORE, as_json: bool = JSON) -> None:
    from sop_cli.store.admin import store_status

    info = store_status(store)
    if as_json:
        print_json(_info_json(info))
        return
    _print_info(info)


@store_app.command("grant", help=N_("Create the database roles of a unit (or of BAPPEDA) in a shared PostgreSQL store and add users to them."))
def grant_command(
    unit: str | None = typer.Option(None, "--unit", metavar=N_("ORG"), help=N_("The organisation (id or alias) whose runs the users may write.")),
    bappeda: bool = typer.Option(False, "--bappeda", help=N_("BAPPEDA: the users read every unit's runs and write none.")),
    name: str | None = typer.Option(None, "--name", metavar=N_("TEXT"), help=N_("The organisation's name in messages (default: from its SOP files).")),
    user: list[str] | None = typer.Option(None, "--user", "-u", metavar=N_("DBUSER"), help=N_("A database user to make a member. Repeatable.")),
    store: str | None = STORE,
) -> None:
    from sop_cli.errors import UsageError
    from sop_cli.store.admin import grant

    if (unit is None) == (not bappeda):
        raise UsageError(_("Give either --unit ORG or --bappeda."))
    if bappeda and name:
        raise UsageError(_("--name goes with --unit."))
    org_id, org_name = (None, "BAPPEDA") if bappeda else _organisation(unit or "", name)
    role = grant(store, org_id=org_id, org_name=org_name, members=user or [])
    members = ", ".join(role.members) or _("nobody yet (add users with --user)")
    if bappeda:
        print(_("Role {role} reads every unit's runs; members: {members}.").format(role=role.role, members=members))
    else:
        print(_("Role {role} writes the runs of {name} ({id}); members: {members}.").format(
            role=role.role, name=role.org_name, id=role.org_id, members=members))


def _organisation(unit: str, name: str | None) -> tuple[str, str]:
    """(id, name) of the organisation `unit` names in the catalog; with `name`, any id is taken."""
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.errors import NotFoundError

    orgs = [o for o in load_catalog().organisations() if org_matches(o, unit.strip())]
    if orgs:
        return orgs[0].id, name or orgs[0].nama
    if name:
        return unit.strip().lower(), name
    raise NotFoundError(_("No organisation {unit!r} in the SOP files; give its id with --name TEXT for its name.").format(
        unit=unit))


@store_app.command("copy", help=N_("Copy runs with their whole history and attachments from one store into another, verified by count and hash; runs already copied identically are skipped."))
def copy_command(
    source: str = typer.Argument(..., metavar=N_("FROM"), help=N_("The store to copy from (an SQLite file or a postgresql:// URL).")),
    target: str = typer.Argument(..., metavar=N_("TO"), help=N_("The store to copy into (created if needed).")),
    run: list[str] | None = typer.Option(None, "--run", "-r", metavar=N_("RUN"), help=N_("Only this run (exact id). Repeatable.")),
    as_json: bool = JSON,
) -> None:
    from sop_cli.run.engine import stored_summary
    from sop_cli.store.admin import copy_store

    result = copy_store(source, target, summarize=stored_summary, runs=run or [])
    if as_json:
        print_json({"source": result.source, "target": result.target,
                    "runs": [{"run": r.run, "events": r.events, "attachments": r.attachments, "sha256": r.digest,
                              "skipped": r.skipped} for r in result.runs]})
        return
    copied, skipped = result.copied, result.skipped
    events = sum(r.events for r in copied)
    if not copied:
        print(fit(_("Nothing to copy: {target} already holds the {count} run(s) of {source}, identical.").format(
            target=result.target, count=len(skipped), source=result.source), 2))
        return
    print(fit(_("Copied {runs} run(s), {events} events, {attachments} attachment(s) from {source} to {target}; "
                "each verified by count and SHA-256 of its log.").format(
        runs=len(copied), events=f"{events:,}", attachments=sum(r.attachments for r in copied), source=result.source,
        target=result.target), 2))
    for r in copied:
        print("  " + _("{run}  {events} events  sha256 {sha}").format(run=r.run, events=r.events, sha=r.digest[:16]))
    if skipped:
        print(fit(_("Skipped {count} run(s) already there with the same content: {runs}").format(
            count=len(skipped), runs=", ".join(r.run for r in skipped[:10]) + (" ..." if len(skipped) > 10 else "")), 2))
