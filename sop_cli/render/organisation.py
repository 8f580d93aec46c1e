"""The organisation file: kop data and the register of officials (pejabat), kept once per office.

`organisasi.yaml` in the folder of the SOP files of one organisation (the catalog does not read
it as an SOP):

```yaml
kop:                          # the letterhead; a field left out or null prints nothing
  alamat: Jl. Raya Ngronggot, Kecamatan Ngronggot, Kabupaten Nganjuk
  kode_pos: null              # unknown: leave null rather than guess
  ibukota: Nganjuk            # the regency's seat: "di Nganjuk" on letters to its offices
  telepon: null
  email: null
  laman: null
  lambang: lambang.png        # an image file beside this one (PNG, JPEG or SVG, at most 2 MB; see
                              # render/lambang.py); without it, a generic shield (said so)
pimpinan: camat               # the register key of the head of the office
sekretaris: sekretaris        # who signs "a.n." the head (Permendagri 1/2023); optional
pejabat:                      # keyed by lane id (or any id for officials with no lane)
  camat: {jabatan: Camat Ngronggot, nama: "...", pangkat: "Pembina Tk. I (IV/b)", nip: "1969..."}
  staf-umum: {jabatan: Pengadministrasi Umum, nama: "...", nip: null}   # non-ASN: no NIP
```

Errors name file, line and field. Officials missing from the register fall back to the SOP:
the head to `disahkan_oleh`, a lane to its name and the person assigned to it in the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import DefinitionError
from sop_cli.i18n import _
from sop_cli.render.lambang import Lambang, lambang_in

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition

FILE_NAME = "organisasi.yaml"
KOP_FIELDS = ("alamat", "kode_pos", "ibukota", "telepon", "faksimile", "email", "laman", "lambang")
PEJABAT_FIELDS = ("jabatan", "nama", "pangkat", "nip")


@dataclass(frozen=True)
class Organisation:
    """What `organisasi.yaml` says."""

    path: Path
    kop: dict[str, str | None] = field(default_factory=dict)
    pimpinan: str | None = None
    sekretaris: str | None = None
    pejabat: dict[str, dict[str, str | None]] = field(default_factory=dict)
    lambang: Lambang | None = None
    """The image `kop.lambang` names, checked when the file was read (`sop_cli.render.lambang`)."""


def find_organisation(sop_dir: Path | None) -> Organisation | None:
    """The organisation file beside the SOP whose YAML is in `sop_dir`, if there is one (only that
    folder: a file higher up could belong to another office of the region)."""
    if sop_dir is None:
        return None
    path = Path(sop_dir) / FILE_NAME
    return read_organisation(path) if path.is_file() else None


def read_organisation(path: Path) -> Organisation:
    """Read and check `path`; a DefinitionError names file:line:column and the field."""
    from sop_cli.definition.nip import check_nip
    from sop_cli.definition.yamlfile import read_yaml

    located = read_yaml(path)
    data = located.data

    def fail(loc: tuple[Any, ...], message: str) -> DefinitionError:
        return DefinitionError(f"{located.where(loc)}: {'.'.join(map(str, loc)) or 'file'}: {message}")

    if not isinstance(data, dict):
        raise fail((), _("an organisation file is a mapping with kop, pimpinan, sekretaris, pejabat"))
    for key in data:
        if key not in ("kop", "pimpinan", "sekretaris", "pejabat"):
            raise fail((key,), _("unknown field; use {fields}").format(fields="kop, pimpinan, sekretaris, pejabat"))
    kop = data.get("kop") or {}
    if not isinstance(kop, dict):
        raise fail(("kop",), _("a mapping of {fields}").format(fields=", ".join(KOP_FIELDS)))
    for key, value in kop.items():
        if key not in KOP_FIELDS:
            raise fail(("kop", key), _("unknown field; use {fields}").format(fields=", ".join(KOP_FIELDS)))
        if value is not None and not isinstance(value, str):
            raise fail(("kop", key), _("text (quote numbers: telepon: \"(0358) 123456\")"))
    lambang = None
    if kop.get("lambang"):
        try:
            lambang = lambang_in(path.parent, kop["lambang"])
        except DefinitionError as error:
            raise fail(("kop", "lambang"), str(error.details["problem"])) from None
    pejabat_data = data.get("pejabat") or {}
    if not isinstance(pejabat_data, dict):
        raise fail(("pejabat",), _("a mapping of ids (lane ids) to {jabatan, nama, pangkat, nip}"))
    pejabat: dict[str, dict[str, str | None]] = {}
    for key, entry in pejabat_data.items():
        if not isinstance(entry, dict):
            raise fail(("pejabat", key), _("a mapping {jabatan, nama, pangkat, nip}"))
        for name, value in entry.items():
            if name not in PEJABAT_FIELDS:
                raise fail(("pejabat", key, name), _("unknown field; use {fields}").format(fields=", ".join(PEJABAT_FIELDS)))
            if value is not None and not isinstance(value, str):
                raise fail(("pejabat", key, name), _("text (quote a NIP: nip: \"196901151990031008\")"))
        if not entry.get("jabatan"):
            raise fail(("pejabat", key), _("jabatan is required"))
        nip = entry.get("nip")
        if nip:
            try:
                nip = check_nip(nip)
            except ValueError as error:
                raise fail(("pejabat", key, "nip"), str(error)) from None
        pejabat[str(key)] = {f: entry.get(f) for f in PEJABAT_FIELDS} | {"nip": nip}
    roles: dict[str, str | None] = {}
    for role in ("pimpinan", "sekretaris"):
        key = data.get(role)
        if key is not None and key not in pejabat:
            raise fail((role,), _("{key!r} is not in pejabat (there: {known})").format(
                key=key, known=", ".join(pejabat) or _("none")))
        roles[role] = key
    return Organisation(path=path, kop={k: kop.get(k) for k in KOP_FIELDS}, pejabat=pejabat, lambang=lambang, **roles)


def officials(sop: SopDefinition, organisation: Organisation | None, assignments: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every official by key: the register's, then one per lane not in it, plus `pimpinan` (and
    `sekretaris` when known) as role names. Each: key, jabatan, nama, pangkat, nip (formatted),
    lane, lane_nama."""
    from sop_cli.definition.nip import format_nip
    from sop_cli.render.context import head_lane

    lanes = {lane.id: lane.nama for lane in sop.pelaksana}
    register = dict(organisation.pejabat) if organisation else {}
    head_key = (organisation.pimpinan if organisation else None) or head_lane(sop)
    result: dict[str, dict[str, Any]] = {}
    for key, entry in register.items():
        result[key] = {"key": key, **entry, "lane": key if key in lanes else None, "lane_nama": lanes.get(key)}
        if not entry.get("nama") and assignments.get(key):
            # the register leaves the name open (unknown, or the post changes hands): the person
            # the run assigned to that lane holds it
            result[key]["nama"] = assignments[key]
    signer = sop.disahkan_oleh
    if head_key not in result:
        result[head_key] = {"key": head_key, "jabatan": signer.jabatan, "nama": signer.nama, "pangkat": signer.pangkat,
                            "nip": signer.nip, "lane": head_key if head_key in lanes else None,
                            "lane_nama": lanes.get(head_key)}
    for lane_id, lane_nama in lanes.items():
        if lane_id not in result:
            result[lane_id] = {"key": lane_id, "jabatan": f"{lane_nama} {sop.organisasi.nama}",
                               "nama": assignments.get(lane_id), "pangkat": None, "nip": None,
                               "lane": lane_id, "lane_nama": lane_nama}
    for entry in result.values():
        nip = entry.get("nip")
        entry["nip"] = format_nip(nip) if nip else None
    result["pimpinan"] = result[head_key]
    if organisation and organisation.sekretaris:
        result["sekretaris"] = result[organisation.sekretaris]
    return result


def choose_signer(kind: str, people: dict[str, dict[str, Any]], step_lane: str,
                  override: dict[str, Any] | None = None) -> tuple[dict[str, Any], str | None]:
    """(the official who signs, the jabatan signed "a.n." for or None) for a manifest's
    `penandatangan` kind: `pimpinan`, `an-pimpinan` or `pelaksana`."""
    head = people["pimpinan"]
    if override is not None:
        chosen = override
    elif kind == "pimpinan":
        chosen = head
    elif kind == "an-pimpinan":
        chosen = people.get("sekretaris") or head
    else:
        chosen = people[step_lane]
    an = head["jabatan"] if chosen["key"] != head["key"] and kind != "pelaksana" else None
    return chosen, an


def apply_kop(org: dict[str, Any], organisation: Organisation | None) -> dict[str, Any]:
    """`org` (the template's kop data, from the SOP's `organisasi`) with the organisation file's kop
    laid over it: only fields given; `kontak` rebuilt; `lambang` a data URI of the image or None
    (the templates then draw a generic shield and say so); `ibukota` for "di ..." lines."""
    kop = dict(organisation.kop) if organisation else {}
    for key in ("alamat", "telepon", "faksimile", "email", "laman", "kode_pos", "ibukota"):
        if kop.get(key):
            org[key] = kop[key]
        else:
            org.setdefault(key, None)
    if org.get("alamat") and org.get("kode_pos") and org["kode_pos"] not in org["alamat"]:
        org["alamat"] = f"{org['alamat']} {org['kode_pos']}"
    org["kontak"] = [text for text in (
        f"Telepon {org['telepon']}" if org.get("telepon") else None,
        f"Faksimile {org['faksimile']}" if org.get("faksimile") else None,
        f"Pos-el {org['email']}" if org.get("email") else None,
        f"Laman {org['laman']}" if org.get("laman") else None,
    ) if text]
    org["lambang"] = organisation.lambang.data_uri() if organisation and organisation.lambang else None
    return org
