"""Commands about the store itself: `sop store init | migrate | status | grant | copy`.

Each parses its options, calls one function of `sop_cli.store.admin`, and prints the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sop_cli.cli import app
from sop_cli.cli.options import JSON, STORE
from sop_cli.cli.output import fit, plain_table, print_json
from sop_cli.i18n import N_

if TYPE_CHECKING:
    from sop_cli.store.interface import StoreInfo

store_app = typer.Typer(
    name="store", no_args_is_help=True, add_completion=False,
    help=N_("Prepare a store, see what it holds, grant units their rights, copy runs between stores."),
)
app.add_typer(store_app, name="store")


def _info_json(info: StoreInfo) -> dict[str, object]:
    return {
        "kind": info.kind, "location": info.location, "schema_version": info.schema_version,
        "known_version": info.known_version, "runs": info.runs, "events": info.events, "db_user": info.db_user,
        "units": [{"role": u.role, "org_id": u.org_id, "org_name": u.org_name} for u in info.units],
    }


def _print_info(info: StoreInfo) -> None:
    kind = "PostgreSQL database" if info.kind == "postgresql" else "SQLite file"
    print(fit(f"Store     {info.location}  ({kind})"))
    state = "up to date" if info.schema_version == info.known_version else (
        f"needs `sop store migrate` (this sop writes version {info.known_version})"
        if info.schema_version < info.known_version else f"newer than this sop ({info.known_version})")
    print(fit(f"Schema    version {info.schema_version}, {state}"))
    print(fit(f"Holds     {info.runs:,} runs, {info.events:,} events" + (" (those this database user may read)"
                                                                          if info.kind == "postgresql" else "")))
    if info.db_user:
        print(fit(f"User      {info.db_user}"))
    if info.units:
        print("Units:")
        print(plain_table(["Role", "Organisation", "Name"], [[u.role, u.org_id, u.org_name] for u in info.units]))


@store_app.command("init", help=N_("Create the store (an SQLite file, or the tables of a PostgreSQL database) with the current schema."))
def init_command(store: str | None = STORE, as_json: bool = JSON) -> None:
    from sop_cli.store.admin import init_store

    info = init_store(store)
    if as_json:
        print_json(_info_json(info))
        return
    print(fit(f"Store {info.location} is ready (schema version {info.schema_version})."))


@store_app.command("migrate", help=N_("Bring an existing store's schema up to this sop's version (ordinary commands do it too)."))
def migrate_command(store: str | None = STORE, as_json: bool = JSON) -> None:
    from sop_cli.store.admin import migrate_store

    before, info = migrate_store(store)
    if as_json:
        print_json({"from_version": before, **_info_json(info)})
        return
    if before == info.schema_version:
        print(fit(f"Store {info.location} is up to date (schema version {info.schema_version})."))
    else:
        print(fit(f"Store {info.location} migrated from schema version {before} to {info.schema_version}."))


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
        raise UsageError("Give either --unit ORG or --bappeda.")
    if bappeda and name:
        raise UsageError("--name goes with --unit.")
    org_id, org_name = (None, "BAPPEDA") if bappeda else _organisation(unit or "", name)
    role = grant(store, org_id=org_id, org_name=org_name, members=user or [])
    members = ", ".join(user or []) or "nobody yet (add users with --user)"
    what = "reads every unit's runs" if bappeda else f"writes the runs of {org_name} ({org_id})"
    print(f"Role {role} {what}; members: {members}.")


def _organisation(unit: str, name: str | None) -> tuple[str, str]:
    """(id, name) of the organisation `unit` names in the catalog; with `name`, any id is taken."""
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.errors import NotFoundError

    orgs = [o for o in load_catalog().organisations() if org_matches(o, unit.strip())]
    if orgs:
        return orgs[0].id, name or orgs[0].nama
    if name:
        return unit.strip().lower(), name
    raise NotFoundError(f"No organisation {unit!r} in the SOP files; give its id with --name TEXT for its name.")


@store_app.command("copy", help=N_("Copy runs with their whole history and attachments from one store into another, verified by count and hash; runs already copied identically are skipped."))
def copy_command(
    source: str = typer.Argument(..., metavar=N_("FROM"), help=N_("The store to copy from (an SQLite file or a postgresql:// URL).")),
    target: str = typer.Argument(..., metavar=N_("TO"), help=N_("The store to copy into (created if needed).")),
    run: list[str] | None = typer.Option(None, "--run", "-r", metavar=N_("RUN"), help=N_("Only this run (exact id). Repeatable.")),
    as_json: bool = JSON,
) -> None:
    from sop_cli.store.admin import copy_store

    result = copy_store(source, target, runs=run or [])
    if as_json:
        print_json({"source": result.source, "target": result.target,
                    "runs": [{"run": r.run, "events": r.events, "attachments": r.attachments, "sha256": r.digest,
                              "skipped": r.skipped} for r in result.runs]})
        return
    copied, skipped = result.copied, result.skipped
    events = sum(r.events for r in copied)
    if not copied:
        print(fit(f"Nothing to copy: {result.target} already holds the {len(skipped)} run(s) of {result.source}, "
                  "identical.", 2))
        return
    print(fit(f"Copied {len(copied)} run(s), {events:,} events, {sum(r.attachments for r in copied)} attachment(s) "
              f"from {result.source} to {result.target}; each verified by count and SHA-256 of its log.", 2))
    for r in copied:
        print(f"  {r.run}  {r.events} events  sha256 {r.digest[:16]}")
    if skipped:
        print(fit(f"Skipped {len(skipped)} run(s) already there with the same content: "
                  + ", ".join(r.run for r in skipped[:10]) + (" ..." if len(skipped) > 10 else ""), 2))
