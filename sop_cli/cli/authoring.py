"""Commands for writing SOPs: `sop new` (a guided start of a file) and `sop diff` (what a revision changed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sop_cli.cli import app
from sop_cli.cli.options import JSON, ORG, STORE
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.definition.authoring import LaneDraft, StepDraft


@app.command("new", help=N_("Start a new SOP file: asks (in Indonesian) for what the flags do not give, writes a commented YAML file that validates."))
def new_command(
    sop_id: str | None = typer.Option(None, "--id", metavar="ID", help=N_("SOP id, e.g. surat-domisili (default: made from --nama).")),
    nama: str | None = typer.Option(None, "--nama", metavar=N_("TEXT"), help=N_("Name of the SOP, e.g. 'Pelayanan Surat Keterangan Domisili'.")),
    org: str | None = typer.Option(None, "--org", "-o", metavar=N_("ORG"), help=N_("An organisation of the catalog (id or alias), or the name of a new unit, e.g. 'Kecamatan Ngronggot'.")),
    pemerintah: str | None = typer.Option(None, "--pemerintah", metavar=N_("TEXT"), help=N_("Government of a new unit, e.g. 'Pemerintah Kabupaten Nganjuk'.")),
    zona: str = typer.Option("WIB", "--zona", metavar="WIB|WITA|WIT", help=N_("Time zone of a new unit.")),
    pengesah: str | None = typer.Option(None, "--pengesah", metavar="JABATAN", help=N_("Position of the official who signs the SOP (default: the head of the unit, e.g. Camat Ngronggot).")),
    lanes: list[str] | None = typer.Option(None, "--lane", metavar="ID=NAMA", help=N_("A lane (pelaksana), in order; repeatable.")),
    steps: list[str] | None = typer.Option(None, "--step", metavar=N_("'LANE: KEGIATAN | WAKTU | OUTPUT'"), help=N_("A step, in order; a decision adds '| tidak=N' or '| tidak=selesai' (YA goes on to the next step). Repeatable.")),
    jenis: str | None = typer.Option(None, "--jenis", metavar="layanan|perencanaan", help=N_("A service run as cases for applicants (layanan), or a plan run once a year (perencanaan); default: asked, or inferred from the first step's lane.")),
    out: Path | None = typer.Option(None, "--out", metavar=N_("PATH"), help=N_("Where to write the file (default: ID.yaml here).")),
    force: bool = typer.Option(False, "--force", help=N_("Overwrite an existing file.")),
) -> None:
    from sop_cli.definition.authoring import (
        Draft,
        checked_text,
        head_of,
        inferred_jenis,
        parse_lane,
        parse_step,
        slugify,
    )
    from sop_cli.errors import ConflictError, UsageError

    if jenis is not None and jenis.strip().lower() not in ("layanan", "perencanaan"):
        raise UsageError(_("--jenis {value}: give layanan (a service run as cases) or perencanaan (a plan run "
                           "once a year).").format(value=jenis))

    organisasi = _organisation(org, pemerintah, zona)
    if not nama:
        nama = _ask(_("Name of the SOP (e.g. Pelayanan Surat Keterangan Domisili)"))
    sop_id = sop_id or (slugify(nama) if lanes or steps else _ask(_("SOP id (short, for sop start)"), slugify(nama)))
    lane_list = [parse_lane(text) for text in lanes or []] or _ask_lanes()
    step_list = [parse_step(text, lane_list) for text in steps or []] or _ask_steps(lane_list)
    if jenis is None and not (lanes or steps):
        jenis = _ask_jenis(inferred_jenis(lane_list, step_list))
    if not pengesah:
        head = head_of(str(organisasi["nama"]))
        pengesah = head if lanes or steps else _ask(_("Position of the official who signs the SOP"), head)
    path = out or Path(f"{sop_id}.yaml")
    if path.exists() and not force:
        raise ConflictError(_("{path} exists; choose another --out or add --force to overwrite it.").format(path=path))
    if path.is_dir():
        raise UsageError(_("{path} is a folder; --out names the file to write.").format(path=path))
    text = checked_text(Draft(sop_id, nama, organisasi, pengesah, lane_list, step_list,
                              jenis=jenis.strip().lower() if jenis else None), path)
    from sop_cli.fs import write_file

    write_file(path, text)
    from sop_cli.cli.output import shown

    _out(shown(_("Wrote {path} ({count} steps). Complete it, then check it with: sop validate {path}").format(
        path=path, count=len(step_list))))


def _ask_jenis(default: str) -> str:
    question = _("Kind: layanan (every request a case, for an applicant) or perencanaan (one run a year)")
    while True:
        answer = _ask(question, default).lower()
        if answer in ("layanan", "perencanaan"):
            return answer
        typer.echo(_("Answer layanan or perencanaan."), err=True)


def _ask(question: str, default: str | None = None) -> str:
    while True:
        answer = " ".join(_prompt(question, default, default is not None).split())
        if answer:
            return answer


def _prompt(question: str, default: str | None = "", show_default: bool = False) -> str:
    """Ask `question`, wrapped at words to the terminal (room left for the default and the answer)."""
    from sop_cli.cli.output import terminal_width, wrap_words

    question = "\n".join(wrap_words(question, max(terminal_width() - 12, 20)))
    return str(typer.prompt(question, default=default, show_default=show_default))


def _organisation(org: str | None, pemerintah: str | None, zona: str) -> dict[str, Any]:
    from sop_cli.definition.authoring import region_id, slugify
    from sop_cli.errors import UsageError

    if zona not in ("WIB", "WITA", "WIT"):
        raise UsageError(_("--zona {zona!r}: write WIB, WITA or WIT.").format(zona=zona))
    asked = org is None
    name = org or _ask(_("Organisation (unit), e.g. Kecamatan Ngronggot, or the id of one in the catalog"))
    known = _catalog_organisation(name)
    if known is not None:
        return known
    if not pemerintah:
        pemerintah = _ask(_("Government, e.g. Pemerintah Kabupaten Nganjuk"))
    if asked:
        zona = _ask(_("Time zone (WIB, WITA or WIT)"), zona).upper()
        while zona not in ("WIB", "WITA", "WIT"):
            zona = _ask(_("Time zone (WIB, WITA or WIT)"), "WIB").upper()
    return {"id": slugify(name), "wilayah": region_id(pemerintah), "pemerintah": pemerintah, "nama": name,
            "zona_waktu": zona}


def _catalog_organisation(name: str) -> dict[str, Any] | None:
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.definition.model import plain

    for entry in load_catalog().entries:
        org = entry.head.org
        if org_matches(org, name) or org.nama.lower() == name.lower():
            block = plain(entry.sop.organisasi)
            return {k: v for k, v in block.items() if v not in (None, [], {})}
    return None


def _ask_lanes() -> list[LaneDraft]:
    from sop_cli.definition.authoring import LaneDraft, slugify

    _out(_("Lanes (pelaksana): the columns of the flowchart, from left to right. An empty answer ends the list."))
    found: list[LaneDraft] = []
    while True:
        name = " ".join(_prompt(_("Lane {n}").format(n=len(found) + 1)).split())
        if not name:
            if found:
                return found
            _out(_("An SOP needs at least one lane."))
            continue
        lane_id = slugify(name) or f"pelaksana-{len(found) + 1}"
        if any(lane.id == lane_id for lane in found):
            lane_id = f"{lane_id}-{len(found) + 1}"
        found.append(LaneDraft(lane_id, name))


def _ask_steps(lanes: list[LaneDraft]) -> list[StepDraft]:
    from sop_cli.definition.authoring import StepDraft, check_waktu, find_lane
    from sop_cli.errors import UsageError

    listing = ", ".join(f"{i}. {lane.nama}" for i, lane in enumerate(lanes, 1))
    _out(_("Steps, in order. Lanes: {lanes}. An empty lane ends the list.").format(lanes=listing))
    found: list[StepDraft] = []
    while True:
        n = len(found) + 1
        lane = _prompt(_("Step {n}: lane (number or name)").format(n=n)).strip()
        if not lane:
            if len(found) >= 2 and found[-1].tidak is None:
                return found
            if len(found) >= 2:
                _out(_("The last step ends the process and cannot be a decision: add the step its YA goes to."))
            else:
                _out(_("An SOP needs at least two steps: a start and an end."))
            continue
        try:
            lane_id = find_lane(lane, lanes)
        except UsageError:
            _out(_("No lane {lane!r}; answer with a number from the list.").format(lane=lane))
            continue
        kegiatan = _ask(_("Step {n}: activity (kegiatan)").format(n=n))
        waktu = _ask(_("Step {n}: standard time, e.g. 15 menit, 2 jam, 1 hari").format(n=n))
        while (why := check_waktu(waktu)) is not None:
            _out(why)
            waktu = _ask(_("Step {n}: standard time, e.g. 15 menit, 2 jam, 1 hari").format(n=n))
        output = _ask(_("Step {n}: output").format(n=n))
        found.append(StepDraft(lane_id, kegiatan, waktu, output, _ask_tidak(n) if n > 1 else None))


def _ask_tidak(n: int) -> int | str | None:
    from sop_cli.definition.authoring import parse_tidak

    question = _("Step {n}: a decision? Where TIDAK goes: an earlier step number, or selesai "
                 "(refused); empty: not a decision").format(n=n)
    while True:
        answer = _prompt(question).strip()
        if not answer:
            return None
        tidak = parse_tidak(answer)
        if tidak == "selesai" or (isinstance(tidak, int) and tidak < n):
            return tidak
        _out(_("Answer with the number of an earlier step, or selesai."))


@app.command("diff", help=N_("What changed between two versions of an SOP, step by step; with --run, what it changes for a live run."))
def diff_command(
    first: str = typer.Argument(..., metavar=N_("OLD"), help=N_("The old version: an SOP file or an SOP id of the catalog (with --run: the new version).")),
    second: str | None = typer.Argument(None, metavar=N_("NEW"), help=N_("The new version: an SOP file or an SOP id.")),
    run: str | None = typer.Option(None, "--run", "-r", metavar=N_("RUN"), help=N_("Compare this run's pinned version with NEW: what moving the run would change.")),
    org: str | None = ORG,
    store: str | None = STORE,
    as_json: bool = JSON,
) -> None:
    from sop_cli.cli.output import print_json
    from sop_cli.errors import UsageError

    if run is not None:
        if second is not None:
            raise UsageError(_("With --run, give one SOP: the new version (the run holds the old one)."))
        from sop_cli.cli.parse import now
        from sop_cli.run.revision import run_revision
        from sop_cli.run.service import load_run

        new_json, new_name = _definition(first, org)
        revision = run_revision(load_run(run, store=store), new_json, now(), new_name=new_name)
        if as_json:
            print_json(revision)
        else:
            _print_revision(revision)
        return
    if second is None:
        raise UsageError(_("Give two SOPs, OLD and NEW (files or SOP ids), or --run RUN and NEW."))
    from sop_cli.definition.diff import diff_sops

    old_json, old_name = _definition(first, org)
    new_json, new_name = _definition(second, org)
    result = diff_sops(old_json, new_json, old_name=old_name, new_name=new_name)
    if as_json:
        print_json(result)
    else:
        _print_diff(result)


def _definition(name: str, org: str | None) -> tuple[dict[str, Any], str]:
    """The JSON form of the SOP `name` designates (a file, else a catalog id) and how to call it."""
    from sop_cli.definition.model import plain

    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        from sop_cli.definition.loader import load_definition
        from sop_cli.errors import NotFoundError

        if not path.is_file():
            raise NotFoundError(_("{name}: no such SOP file.").format(name=name))
        return plain(load_definition(path)), name
    from sop_cli.definition.catalog import load_catalog

    entry = load_catalog().resolve(name, org)
    return plain(entry.sop), entry.qualified_id


def _value(value: object) -> str:
    if value in (None, "", []):
        return _("(empty)")
    return str(value)


def _out(text: str) -> None:
    """Print `text` with each line wrapped at words to the terminal, continued under its indent."""
    from sop_cli.cli.output import fit

    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        print(fit(line, indent + 2))


def _print_diff(result: Any) -> None:
    from sop_cli.cli.output import shown

    _out(shown(_("Changes from {old} to {new}:").format(old=result["old"], new=result["new"])))
    if result["same"]:
        _out(_("No difference."))
        return
    for change in result["header"]:
        _out(shown(f"  {change['label']}: {_value(change['old'])} -> {_value(change['new'])}"))
    for change in result["lists"]:
        _out(shown(f"  {change['label']}:"))
        lines = [f"    + {item}" for item in change["added"]] + [f"    - {item}" for item in change["removed"]]
        _out("\n".join(shown(line) for line in lines))
    for step in result["steps"]:
        if step["change"] == "added":
            _out(shown(_("+ Step {no} (new): {kegiatan}").format(no=step["new_no"], kegiatan=step["kegiatan"])))
            for field in step["fields"]:
                if field["field"] != "kegiatan":
                    _out(shown(f"      {field['label']}: {_value(field['new'])}"))
        elif step["change"] == "removed":
            _out(shown(_("- Step {no} (removed): {kegiatan}").format(no=step["old_no"], kegiatan=step["kegiatan"])))
        else:
            numbers = str(step["new_no"]) if step["old_no"] == step["new_no"] else f"{step['old_no']} -> {step['new_no']}"
            _out(shown(_("~ Step {no}: {kegiatan}").format(no=numbers, kegiatan=step["kegiatan"])))
            for field in step["fields"]:
                if field["field"] != "no":
                    _out(shown(f"      {field['label']}: {_value(field['old'])} -> {_value(field['new'])}"))


def _print_revision(revision: Any) -> None:
    from sop_cli.cli.output import shown
    from sop_cli.run.engine import show_moment

    _print_diff(revision["definition"])
    print()
    if revision["current_step"] is None:
        _out(shown(_("Run {run} is {status}: a new version changes nothing for it.").format(
            run=revision["run"], status=revision["status"])))
        return
    _out(shown(_("Run {run} is at step {no}: {kegiatan}.").format(
        run=revision["run"], no=revision["current_step"], kegiatan=revision["current_kegiatan"])))
    if revision["current_in_new"] is None:
        _out(_("The new version has no such step: the run cannot be moved to it at this step."))
        return
    if revision["current_in_new"] != revision["current_step"]:
        _out(_("In the new version it is step {no}.").format(no=revision["current_in_new"]))
    for step in revision["added_ahead"]:
        _out(shown(_("  + ahead: step {no} {kegiatan} ({waktu})").format(**step)))
    for step in revision["removed_ahead"]:
        _out(shown(_("  - ahead: step {no} {kegiatan} ({waktu})").format(**step)))
    for change in revision["time_changes"]:
        _out(shown(_("  ~ standard time of step {no} {kegiatan}: {old} -> {new}").format(
            no=change["new_no"], kegiatan=change["kegiatan"], old=change["old"], new=change["new"])))
    if not (revision["added_ahead"] or revision["removed_ahead"] or revision["time_changes"]):
        print(_("  No step ahead changes."))
    before, after = revision["end_before"], revision["end_after"]
    tz = before.tzinfo if before else None
    _out(_("Forecast end: {before} now, {after} with the new version.").format(
        before=show_moment(before, tz) if before else "-", after=show_moment(after, tz) if after else "-"))
