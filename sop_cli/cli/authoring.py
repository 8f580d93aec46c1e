"""Commands for writing SOPs: `sop new` (a guided start of a file) and `sop diff` (what a revision changed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from sop_cli.cli import app
from sop_cli.cli.options import JSON, ORG, STORE
from sop_cli.i18n import _

if TYPE_CHECKING:
    from sop_cli.definition.authoring import LaneDraft, StepDraft


@app.command("new")
def new_command(
    sop_id: Optional[str] = typer.Option(None, "--id", metavar="ID", help="SOP id, e.g. surat-domisili (default: made from --nama)."),
    nama: Optional[str] = typer.Option(None, "--nama", metavar="TEXT", help="Name of the SOP, e.g. 'Pelayanan Surat Keterangan Domisili'."),
    org: Optional[str] = typer.Option(None, "--org", "-o", metavar="ORG", help="An organisation of the catalog (id or alias), or the name of a new unit, e.g. 'Kecamatan Ngronggot'."),
    pemerintah: Optional[str] = typer.Option(None, "--pemerintah", metavar="TEXT", help="Government of a new unit, e.g. 'Pemerintah Kabupaten Nganjuk'."),
    zona: str = typer.Option("WIB", "--zona", metavar="WIB|WITA|WIT", help="Time zone of a new unit."),
    pengesah: Optional[str] = typer.Option(None, "--pengesah", metavar="JABATAN", help="Position of the official who signs the SOP (default: the head of the unit, e.g. Camat Ngronggot)."),
    lanes: Optional[list[str]] = typer.Option(None, "--lane", metavar="ID=NAMA", help="A lane (pelaksana), in order; repeatable."),
    steps: Optional[list[str]] = typer.Option(None, "--step", metavar="'LANE: KEGIATAN | WAKTU | OUTPUT'", help="A step, in order; repeatable."),
    out: Optional[Path] = typer.Option(None, "--out", metavar="PATH", help="Where to write the file (default: ID.yaml here)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Start a new SOP file: asks (in Indonesian) for what the flags do not give, writes a commented YAML file that validates."""
    from sop_cli.definition.authoring import Draft, checked_text, head_of, parse_lane, parse_step, slugify
    from sop_cli.errors import ConflictError, UsageError

    organisasi = _organisation(org, pemerintah, zona)
    if not nama:
        nama = _ask(_("Name of the SOP (e.g. Pelayanan Surat Keterangan Domisili)"))
    sop_id = sop_id or (slugify(nama) if lanes or steps else _ask(_("SOP id (short, for sop start)"), slugify(nama)))
    lane_list = [parse_lane(text) for text in lanes or []] or _ask_lanes()
    step_list = [parse_step(text, lane_list) for text in steps or []] or _ask_steps(lane_list)
    if not pengesah:
        head = head_of(str(organisasi["nama"]))
        pengesah = head if lanes or steps else _ask(_("Position of the official who signs the SOP"), head)
    path = out or Path(f"{sop_id}.yaml")
    if path.exists() and not force:
        raise ConflictError(f"{path} exists; choose another --out or add --force to overwrite it.")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; --out names the file to write.")
    text = checked_text(Draft(sop_id, nama, organisasi, pengesah, lane_list, step_list), path)
    from sop_cli.fs import write_text_atomically

    write_text_atomically(path, text)
    from sop_cli.cli.output import shown

    print(shown(_("Wrote {path} ({count} steps). Complete it, then check it with: sop validate {path}").format(
        path=path, count=len(step_list))))


def _ask(question: str, default: str | None = None) -> str:
    while True:
        answer = " ".join(str(typer.prompt(question, default=default, show_default=default is not None)).split())
        if answer:
            return answer


def _organisation(org: str | None, pemerintah: str | None, zona: str) -> dict[str, Any]:
    from sop_cli.definition.authoring import region_id, slugify
    from sop_cli.errors import UsageError

    if zona not in ("WIB", "WITA", "WIT"):
        raise UsageError(f"--zona {zona!r}: write WIB, WITA or WIT.")
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

    print(_("Lanes (pelaksana): the columns of the flowchart, from left to right. An empty answer ends the list."))
    found: list[LaneDraft] = []
    while True:
        name = " ".join(str(typer.prompt(_("Lane {n}").format(n=len(found) + 1), default="", show_default=False)).split())
        if not name:
            if found:
                return found
            print(_("An SOP needs at least one lane."))
            continue
        lane_id = slugify(name) or f"pelaksana-{len(found) + 1}"
        if any(lane.id == lane_id for lane in found):
            lane_id = f"{lane_id}-{len(found) + 1}"
        found.append(LaneDraft(lane_id, name))


def _ask_steps(lanes: list[LaneDraft]) -> list[StepDraft]:
    from sop_cli.definition.authoring import StepDraft, check_waktu, find_lane
    from sop_cli.errors import UsageError

    listing = ", ".join(f"{i}. {lane.nama}" for i, lane in enumerate(lanes, 1))
    print(_("Steps, in order. Lanes: {lanes}. An empty lane ends the list.").format(lanes=listing))
    found: list[StepDraft] = []
    while True:
        n = len(found) + 1
        lane = str(typer.prompt(_("Step {n}: lane (number or name)").format(n=n), default="", show_default=False)).strip()
        if not lane:
            if len(found) >= 2:
                return found
            print(_("An SOP needs at least two steps: a start and an end."))
            continue
        try:
            lane_id = find_lane(lane, lanes)
        except UsageError:
            print(_("No lane {lane!r}; answer with a number from the list.").format(lane=lane))
            continue
        kegiatan = _ask(_("Step {n}: activity (kegiatan)").format(n=n))
        waktu = _ask(_("Step {n}: standard time, e.g. 15 menit, 2 jam, 1 hari").format(n=n))
        while (why := check_waktu(waktu)) is not None:
            print(why)
            waktu = _ask(_("Step {n}: standard time, e.g. 15 menit, 2 jam, 1 hari").format(n=n))
        output = _ask(_("Step {n}: output").format(n=n))
        found.append(StepDraft(lane_id, kegiatan, waktu, output))
