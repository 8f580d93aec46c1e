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
                              # render/lambang.py); without it the kop is text only.
                              # `sop org lambang ORG FILE` checks and copies one in
pimpinan: camat               # the register key of the head of the office
sekretaris: sekretaris        # who signs "a.n." the head (Permendagri 1/2023); optional
pejabat:                      # keyed by lane id (or any id for officials with no lane)
  camat: {jabatan: Camat Ngronggot, nama: "...", pangkat: "Pembina Tk. I (IV/b)", nip: "1969..."}
  staf-umum: {jabatan: Pengadministrasi Umum, nama: "...", nip: null}   # non-ASN: no NIP
toleransi: 15 menit           # optional: how far past a step's Mutu Baku the monitoring form still
                              # judges "berjalan dengan baik" ("15 menit" or "10%"); an SOP's own
                              # `toleransi:` wins. `sop org toleransi ORG VALUE` sets it
```

Errors name file, line and field. Officials missing from the register fall back to the SOP:
the head to `disahkan_oleh`, a lane to its name. In a run, the person the run assigns to a lane
holds it (`officials`): the register's name where the run names nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import DefinitionError
from sop_cli.i18n import _
from sop_cli.render.lambang import Lambang, lambang_in

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition
    from sop_cli.run.state import RunState

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
    toleransi: str | None = None
    """The office's tolerance for the monitoring form's verdict (`definition.duration.parse_toleransi`)."""


def find_organisation(sop_dir: Path | None) -> Organisation | None:
    """The organisation file beside the SOP whose YAML is in `sop_dir`, if there is one (only that
    folder: a file higher up could belong to another office of the region); for SOPs shipped with
    sop, the office's own copy in its data folder wins (`office_folder`)."""
    if sop_dir is None:
        return None
    for folder in (office_folder(Path(sop_dir)), Path(sop_dir)):
        path = folder / FILE_NAME
        if path.is_file():
            return read_organisation(path)
    return None


def run_organisation(state: RunState) -> Organisation | None:
    """The organisation file of the SOP run `state` was started from (while its folder exists)."""
    return find_organisation(Path(state.source_path).parent if state.source_path else None)


def office_folder(sop_dir: Path) -> Path:
    """Where the office keeps the organisation file (and lambang) of the SOPs in `sop_dir`: that
    folder, or, for SOPs shipped with sop (read-only, replaced on upgrade), the same path under
    `$SOP_HOME/organisasi/` (`sop org lambang` and `sop org pejabat` write there)."""
    from sop_cli.paths import packaged, sop_home

    shipped = packaged("sops").resolve()
    try:
        inside = Path(sop_dir).resolve().relative_to(shipped)
    except ValueError:
        return Path(sop_dir)
    return sop_home() / "organisasi" / inside


def read_organisation(path: Path) -> Organisation:
    """Read and check `path`; a DefinitionError names file:line:column and the field."""
    from sop_cli.definition.nip import check_nip
    from sop_cli.definition.yamlfile import read_yaml

    located = read_yaml(path)
    data = located.data

    def fail(loc: tuple[Any, ...], message: str) -> DefinitionError:
        return DefinitionError(f"{located.where(loc)}: {'.'.join(map(str, loc)) or 'file'}: {message}")

    if not isinstance(data, dict):
        raise fail((), _("an organisation file is a mapping with kop, pimpinan, sekretaris, pejabat, toleransi"))
    for key in data:
        if key not in ("kop", "pimpinan", "sekretaris", "pejabat", "toleransi"):
            raise fail((key,), _("unknown field; use {fields}").format(
                fields="kop, pimpinan, sekretaris, pejabat, toleransi"))
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
    toleransi = data.get("toleransi")
    if toleransi is not None:
        from sop_cli.definition.duration import parse_toleransi

        try:
            toleransi = parse_toleransi(str(toleransi)).text
        except ValueError as error:
            raise fail(("toleransi",), str(error)) from None
    return Organisation(path=path, kop={k: kop.get(k) for k in KOP_FIELDS}, pejabat=pejabat, lambang=lambang,
                        toleransi=toleransi, **roles)


def officials(sop: SopDefinition, organisation: Organisation | None, assignments: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every official by key: the register's, then one per lane not in it, plus `pimpinan` (and
    `sekretaris` when known) as role names. Each: key, jabatan, nama, pangkat, nip (formatted),
    lane, lane_nama.

    The person a run assigns to a lane holds its post in that run (`_held`): named where the
    register (or, for the head, the SOP's `disahkan_oleh`) names nobody or someone else; the
    pangkat and NIP written for someone else are not his, so they are left to fill in."""
    from sop_cli.definition.nip import format_nip
    from sop_cli.render.context import head_lane

    lanes = {lane.id: lane.nama for lane in sop.pelaksana}
    register = dict(organisation.pejabat) if organisation else {}
    head_key = (organisation.pimpinan if organisation else None) or head_lane(sop)
    result: dict[str, dict[str, Any]] = {}
    for key, entry in register.items():
        result[key] = _held({"key": key, **entry, "lane": key if key in lanes else None, "lane_nama": lanes.get(key)},
                            assignments.get(key))
    signer = sop.disahkan_oleh
    if head_key not in result:
        result[head_key] = _held({"key": head_key, "jabatan": signer.jabatan, "nama": signer.nama,
                                  "pangkat": signer.pangkat, "nip": signer.nip,
                                  "lane": head_key if head_key in lanes else None, "lane_nama": lanes.get(head_key)},
                                 assignments.get(head_key))
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


def _held(official: dict[str, Any], person: str | None) -> dict[str, Any]:
    """`official` as held by `person`, the one a run assigns to the post (None: nobody, the
    official stays as written). Another person than the one written keeps the jabatan only."""
    if not person:
        return official
    written = official.get("nama")
    if not written:
        return {**official, "nama": person}
    if " ".join(written.split()).casefold() == " ".join(person.split()).casefold():
        return official
    return {**official, "nama": person, "pangkat": None, "nip": None}


def lane_holders(organisation: Organisation | None, assignments: dict[str, str]) -> dict[str, str]:
    """Lane id to the person holding it in a run, for naming who did a step: the one the run
    assigns, else the name the register gives the official of that lane. A lane nobody is
    named for is left out (its line stays blank on paper: never a login name)."""
    named = {key: str(entry["nama"]) for key, entry in (organisation.pejabat if organisation else {}).items()
             if entry.get("nama")}
    return {**named, **{lane: person for lane, person in assignments.items() if person}}


def choose_signer(kind: str, people: dict[str, dict[str, Any]], step_lane: str,
                  override: dict[str, Any] | None = None,
                  addressed: frozenset[str] = frozenset()) -> tuple[dict[str, Any], str | None]:
    """(the official who signs, the jabatan signed "a.n." for or None) for a manifest's
    `penandatangan` kind: `pimpinan`, `an-pimpinan` or `pelaksana`.

    A signer is never among the `addressed` (register keys, `addressees`): a letter inviting the
    head is signed by the Sekretaris in his own name, not "a.n." the head he writes to
    (Permendagri 1/2023 on a.n./u.b.); one inviting the Sekretaris is signed by the head; one
    inviting both by the official of the step's lane. A chosen `override` is taken as it is (the
    caller refuses one among the addressees)."""
    head = people["pimpinan"]
    sekretaris = people.get("sekretaris")
    lane = people.get(step_lane) or head
    if override is not None:
        chosen = override
    else:
        order = {"pimpinan": [head, sekretaris, lane], "an-pimpinan": [sekretaris, head, lane],
                 "pelaksana": [lane, sekretaris, head]}.get(kind, [lane])
        free = [p for p in order if p is not None and p["key"] not in addressed]
        chosen = free[0] if free else order[0] or head
    on_behalf = kind != "pelaksana" and chosen["key"] != head["key"] and head["key"] not in addressed
    return chosen, head["jabatan"] if on_behalf else None


def pengesah_filled(pengesah: dict[str, Any], jabatan: str, organisation: Organisation | None) -> dict[str, Any]:
    """The SOP document's signer (`disahkan_oleh` as `context.pejabat` words it) with the name,
    pangkat and NIP the SOP file leaves open taken from the register's official of the same
    jabatan (word for word), so an office that filled its register with `sop org pejabat` gets a
    signable SOP document; what the SOP file says stays (it is the act as signed)."""
    from sop_cli.definition.nip import format_nip

    entry = next((e for e in (organisation.pejabat.values() if organisation else ())
                  if same_jabatan(e.get("jabatan"), jabatan)), None)
    if entry is None:
        return pengesah
    filled = dict(pengesah)
    for key in ("nama", "pangkat", "nip"):
        if not filled.get(key) and entry.get(key):
            filled[key] = format_nip(str(entry[key])) if key == "nip" else entry[key]
    return filled


def same_jabatan(one: str | None, other: str | None) -> bool:
    """Whether two jabatan are the same post, word for word (case and punctuation aside)."""
    return bool(_words(one or "")) and _words(one or "") == _words(other or "")


# Abbreviations offices write for a post in a list of addressees.
SHORT_POSTS = {"kadis": "kepala dinas", "kaban": "kepala badan", "sekcam": "sekretaris kecamatan",
                "sekdis": "sekretaris dinas", "sekban": "sekretaris badan", "kabag": "kepala bagian"}
_HONORIFICS = re.compile(r"^(?:(?:yth|kepada|bapak|ibu|bapak/ibu|sdr|saudara|sdr/i)\.?\s+)+", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w/]+", text.lower())


def addressees(kepada: list[Any], people: dict[str, dict[str, Any]], sop: SopDefinition) -> frozenset[str]:
    """The register keys of the officials of this office that `kepada` names, matched by role,
    word for word: an item names an official when it is his jabatan, or his post (the lane's name,
    "Camat", "Kepala Dinas"; or its short form, "Kadis") followed only by words of the office's own
    name ("Camat Ngronggot", "Kepala Dinas Komunikasi ... Kabupaten Lampung Tengah"). So
    "Kepala Seksi Pemerintahan Kecamatan Ngronggot" names no Camat, and "Kepala Dinas Pendidikan"
    is another office's head."""
    own = set(_words(f"{sop.organisasi.nama} {sop.organisasi.pemerintah}")) | {"di", "dan", "&"}
    found: set[str] = set()
    for item in kepada:
        words = _words(_HONORIFICS.sub("", str(item).strip()))
        if words and words[0] in SHORT_POSTS:
            words = SHORT_POSTS[words[0]].split() + words[1:]
        best: tuple[int, str] | None = None
        for person in people.values():
            for name in (person.get("jabatan"), person.get("lane_nama")):
                post = _words(name or "")
                if not post or words[:len(post)] != post:
                    continue
                rest = words[len(post):]
                if (post == _words(person.get("jabatan") or "") and not rest) or set(rest) <= own:
                    if best is None or len(post) > best[0]:
                        best = (len(post), str(person["key"]))
        if best:
            found.add(best[1])
    return frozenset(found)


class Notice(str):
    """A message a render adds to its warnings that is advice, not a fault (printed as a note)."""


def lambang_missing(sop: SopDefinition, organisation: Organisation | None) -> Notice | None:
    """What a render says (once) when the kop has no lambang: how to add the office's own."""
    if organisation is not None and organisation.lambang is not None:
        return None
    org = sop.organisasi
    short = org.alias[0] if org.alias else org.id
    return Notice(_("the kop has no lambang (the letter is printed with the text kop only); add the office's own with "
             "`sop org lambang {org} FILE.png`.").format(org=short))


def apply_kop(org: dict[str, Any], organisation: Organisation | None) -> dict[str, Any]:
    """`org` (the template's kop data, from the SOP's `organisasi`) with the organisation file's kop
    laid over it: only fields given; `kontak` rebuilt; `lambang` a data URI of the image or None
    (the kop is then text only); `ibukota` for "di ..." lines."""
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
