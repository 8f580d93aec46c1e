"""Keeping the organisation file from the command line, so no office edits YAML to sign a letter.

`set_lambang` checks an image (`lambang.check_lambang`) and copies it into the organisation's
folder, `set_pejabat` writes one official of the register, `set_toleransi` the office's tolerance
for the monitoring form, and `missing` says what each document type still lacks to be signable as
printed (`sop org lambang`, `sop org pejabat`, `sop org toleransi`, `sop org show`).

The file is edited round-trip with ruamel.yaml: the office's comments, order and quoting stay as
they were; only the fields given change. A NIP is written quoted (a number would lose its form).
The edited text is checked exactly as a render reads it (`organisation.read_organisation`) before
it replaces the old file; a file that does not read is refused, never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import DefinitionError, UsageError
from sop_cli.i18n import _
from sop_cli.render.organisation import FILE_NAME, Organisation, read_organisation

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition
    from sop_cli.render.doctypes import DocType
    from sop_cli.render.lambang import Lambang

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_HEADER = ("{nama}: kop data and the register of officials (format: sop_cli/render/organisation.py),\n"
           "kept with `sop org lambang` and `sop org pejabat`. null = unknown.")


def set_lambang(sop_dir: Path, source: Path, *, nama: str) -> tuple[Path, Lambang]:
    """Copy the lambang image `source` (checked by content) into `folder` as `lambang.png`,
    `.jpg` or `.svg` (an SVG as sanitised) and name it in the organisation file's `kop.lambang`.

    Raises:
        DefinitionError: The image is refused (`check_lambang`), or the organisation file is broken.
    """
    from sop_cli.fs import write_file
    from sop_cli.render.lambang import check_lambang

    lambang = check_lambang(source)
    folder, data = _load(sop_dir, nama)
    path = folder / FILE_NAME
    target = folder / f"lambang{lambang.suffix}"
    write_file(target, lambang.data, what=_("the lambang"))
    data.setdefault("kop", {})
    if data["kop"] is None:
        data["kop"] = {}
    data["kop"]["lambang"] = target.name
    _save(path, data)
    return target, lambang


def set_pejabat(sop_dir: Path, key: str, fields: Mapping[str, str | None], *, nama: str,
                role: str | None = None) -> dict[str, str | None]:
    """Set the given `fields` (jabatan, nama, pangkat, nip; "" clears one) of official `key` in the
    register of the organisation file in `folder`; `role` (`pimpinan` or `sekretaris`) also makes
    `key` the head or the Sekretaris. Returns the official as written.

    Raises:
        UsageError: A key that is no plain id, a NIP that is not one (option `nip`), a new official
            without a jabatan.
        DefinitionError: The organisation file is broken.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from sop_cli.definition.nip import check_nip

    if not _KEY.match(key):
        raise UsageError(_("{key!r} is no register key; use the lane id or a plain id such as sekretaris "
                           "(lower-case letters, digits, - and _).").format(key=key), option="role")
    values = {name: (value.strip() or None) if isinstance(value, str) else None for name, value in fields.items()}
    if values.get("nip"):
        try:
            values["nip"] = check_nip(str(values["nip"]))
        except ValueError as error:
            raise UsageError(str(error), option="nip") from None
    folder, data = _load(sop_dir, nama)
    path = folder / FILE_NAME
    if data.get("pejabat") is None:
        data["pejabat"] = CommentedMap()
    register = data["pejabat"]
    entry = register.get(key)
    if entry is None:
        if not values.get("jabatan"):
            example = f"{key.replace('-', ' ').replace('_', ' ').title()} {nama}"
            raise UsageError(_("{key!r} is not in the register of {nama} yet; give its jabatan too "
                               "(--jabatan '{example}').").format(key=key, nama=nama, example=example),
                             option="jabatan")
        entry = register[key] = CommentedMap((f, None) for f in ("jabatan", "nama", "pangkat", "nip"))
    for name, value in fields.items():
        if value is None:
            continue
        new = values[name]
        entry[name] = DoubleQuotedScalarString(new) if name == "nip" and new else new
    if role:
        data[role] = key
    _save(path, data)
    return {name: (str(entry.get(name)) if entry.get(name) is not None else None)
            for name in ("jabatan", "nama", "pangkat", "nip")}


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEBSITE = re.compile(r"(https?://)?[^\s/]+\.[^\s]+")


def set_kop(sop_dir: Path, fields: Mapping[str, str | None], *, nama: str) -> dict[str, str | None]:
    """Set the given kop `fields` (alamat, kode_pos, ibukota, telepon, faksimile, email, laman; ""
    clears one) in the organisation file of the SOPs in `sop_dir`. Returns the kop's text fields as
    written.

    Raises:
        UsageError: An e-mail address or a website that is none (option `email`, `laman`).
        DefinitionError: The organisation file is broken, or would be (checked before it is written).
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from sop_cli.render.organisation import KOP_FIELDS

    checks = {"email": (_EMAIL, _("an e-mail address such as kecamatan@nganjukkab.go.id")),
              "laman": (_WEBSITE, _("a website such as ngronggot.nganjukkab.go.id"))}
    for name, (pattern, wanted) in checks.items():
        given = (fields.get(name) or "").strip()
        if given and not pattern.fullmatch(given):
            raise UsageError(_("{value!r} is not {wanted}.").format(value=given, wanted=wanted),
                             option=name.replace("_", "-"))
    folder, data = _load(sop_dir, nama)
    if data.get("kop") is None:
        data["kop"] = CommentedMap()
    kop = data["kop"]
    for name, value in fields.items():
        if value is None:
            continue
        kop.ca.items.pop(name, None)  # its comment ("belum diketahui") no longer holds
        if value.strip():
            kop[name] = DoubleQuotedScalarString(value.strip())  # "(0358) 123456" stays text
        else:
            kop.pop(name, None)
    _save(folder / FILE_NAME, data)
    return {name: data["kop"].get(name) for name in KOP_FIELDS if name != "lambang"}


def set_toleransi(sop_dir: Path, value: str | None, *, nama: str) -> str | None:
    """Set the office's tolerance for the monitoring form's verdict (`toleransi:`, "15 menit" or
    "10%"; None or "" removes it) in the organisation file of the SOPs in `sop_dir`. Returns the
    tolerance as the form states it, or None.

    Raises:
        UsageError: Not a tolerance (`definition.duration.parse_toleransi`).
        DefinitionError: The organisation file is broken.
    """
    from sop_cli.definition.duration import parse_toleransi

    text = (value or "").strip()
    written = None
    if text:
        try:
            written = parse_toleransi(text).text
        except ValueError as error:
            raise UsageError(str(error)) from None
    folder, data = _load(sop_dir, nama)
    if written is None:
        data.pop("toleransi", None)
    else:
        data["toleransi"] = written
    _save(folder / FILE_NAME, data)
    return written


def _load(sop_dir: Path, nama: str) -> tuple[Path, Any]:
    """(the folder the office's organisation file goes in, the file as a round-trip mapping, checked
    first): its own copy, else the one beside the SOP files (shipped ones are copied), else new."""
    from ruamel.yaml.comments import CommentedMap

    from sop_cli.render.organisation import office_folder

    folder = office_folder(sop_dir)
    for source in (folder / FILE_NAME, sop_dir / FILE_NAME):
        if source.is_file():
            read_organisation(source)  # a broken file is reported, located, and left as it is
            data = _yaml().load(source.read_text(encoding="utf-8"))
            return folder, data if data is not None else CommentedMap()
    data = CommentedMap()
    data["kop"] = CommentedMap()
    data["pejabat"] = CommentedMap()
    data.yaml_set_start_comment(_HEADER.format(nama=nama))
    return folder, data


def _save(path: Path, data: Any) -> None:
    """Write `data` back, after checking the new text reads as an organisation file."""
    from sop_cli.fs import write_file

    stream = StringIO()
    _yaml().dump(data, stream)
    text = stream.getvalue()
    old = path.read_bytes() if path.exists() else None
    write_file(path, text, what=_("the organisation file"))
    try:
        read_organisation(path)
    except DefinitionError:
        if old is None:
            path.unlink()
        else:
            write_file(path, old, what=_("the organisation file"))
        raise


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, order and quotes stay
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    # a field left unknown stays written `null`, as the office's file says it
    yaml.representer.add_representer(type(None), lambda r, _d: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


# What is missing ------------------------------------------------------------------------------

PERSON_FIELDS = ("nama", "nip", "pangkat")


def missing(sops: Iterable[tuple[SopDefinition, Path]], organisation: Organisation | None,
            types: Mapping[str, DocType]) -> list[dict[str, Any]]:
    """For the SOP document, each document type a step of `sops` outputs, and the report: what the organisation
    file still lacks for it to be signable as printed. Each row: type, judul, steps, missing (a
    list of {what, key, fields}); `what` is `lambang`, `kop` (fields of the letterhead) or an
    official (key, jabatan, fields). An official whose name the run's assignment gives still
    needs a NIP and pangkat to be printed under the signature."""
    from sop_cli.render.documents import maker_lane
    from sop_cli.render.organisation import choose_signer, officials, pengesah_filled, same_jabatan

    rows: list[dict[str, Any]] = []
    kop_missing = [f for f in ("alamat", "telepon", "email", "laman")
                   if not (organisation and organisation.kop.get(f))]
    base: list[dict[str, Any]] = []
    if not (organisation and organisation.lambang):
        base.append({"what": "lambang", "key": None, "fields": []})
    if kop_missing:
        base.append({"what": "kop", "key": None, "fields": kop_missing})
    for sop, _folder in sops:
        people = officials(sop, organisation, {})
        signed = sop.disahkan_oleh  # the SOP document's pengesah, filled from the register where it has him
        key = next((k for k, e in (organisation.pejabat.items() if organisation else ())
                    if same_jabatan(e.get("jabatan"), signed.jabatan)), None)
        pengesah = pengesah_filled({"nama": signed.nama, "pangkat": signed.pangkat, "nip": signed.nip},
                                   signed.jabatan, organisation)
        rows.append({"type": "sop", "judul": "Dokumen SOP AP (Disahkan oleh)", "sop": sop.qualified_id, "steps": [],
                     "missing": [*base, *_people([{**pengesah, "key": key or "pengesah",
                                                   "jabatan": signed.jabatan}])]})
        for name, doc in types.items():
            steps = [s for s in sop.langkah if doc.belongs_to(s)]
            if not steps:
                continue
            signers = {}
            for step in steps:
                signer, _an = choose_signer(doc.penandatangan, people, str(step.pelaksana[0]))
                signers[signer["key"]] = signer
            rows.append({"type": name, "judul": doc.judul, "sop": sop.qualified_id,
                         "steps": [s.no for s in steps], "missing": [*base, *_people(signers.values())]})
        head = people["pimpinan"]
        maker = people[maker_lane(sop, str(head["key"]))]  # signs "Yang membuat"
        rows.append({"type": "report", "judul": "Laporan pelaksanaan (Mengetahui, Yang membuat)",
                     "sop": sop.qualified_id, "steps": [],
                     "missing": [*base, *_people([head, maker] if maker["key"] != head["key"] else [head])]})
    return rows


def _people(people: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for person in people:
        lacking = [f for f in PERSON_FIELDS if not person.get(f)]
        if lacking:
            found.append({"what": "pejabat", "key": person["key"], "jabatan": person.get("jabatan"), "fields": lacking})
    return found
