"""`sop org lambang`, `sop org pejabat`, `sop org kop`, `sop org toleransi`, `sop org show`: the
organisation file kept by command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sop_cli.cli import complete
from sop_cli.cli.defs import org_app
from sop_cli.cli.options import JSON
from sop_cli.cli.output import print_json, shown, terminal_width, wrap_words
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.definition.catalog import Entry

ORG_ARG = typer.Argument(..., metavar=N_("ORG"), help=N_("Organisation id or alias, e.g. ngronggot."),
                         autocompletion=complete.org_ids)


def _entries(org: str) -> tuple[list[Entry], Path]:
    """The catalog entries of `org` and the one folder of its SOP files (its organisation file's)."""
    from sop_cli.definition.catalog import load_catalog, org_matches
    from sop_cli.errors import AmbiguousError, NotFoundError

    catalog = load_catalog()
    entries = [e for e in catalog.entries if org_matches(e.head.org, org.strip())]
    if not entries:
        known = ", ".join(f"{o.wilayah}/{o.id}" for o in catalog.organisations())
        raise NotFoundError(_("No organisation {org!r} in the catalog. Known: {known}.").format(org=org, known=known))
    folders = sorted({e.path.parent for e in entries})
    if len(folders) > 1:
        raise AmbiguousError(_("Organisation {org!r} has SOP files in {count} folders ({folders}); keep them in one "
                               "folder, beside its organisasi.yaml.").format(
            org=org, count=len(folders), folders=", ".join(shown(str(f)) for f in folders)))
    return entries, folders[0]


@org_app.command("lambang", help=N_("Check an image (PNG, JPEG or SVG, at most 2 MB) and make it the organisation's lambang in every kop."))
def org_lambang(org: str = ORG_ARG,
                file: Path = typer.Argument(..., metavar=N_("FILE"), help=N_("The image of the lambang daerah, e.g. lambang-nganjuk.png."))) -> None:
    from sop_cli.render.register import set_lambang

    entries, folder = _entries(org)
    target, lambang = set_lambang(folder, file, nama=entries[0].head.org.nama)
    print(_("Lambang of {nama}: {path} ({mime}, {size} bytes); every kop prints it from now on.").format(
        nama=entries[0].head.org.nama, path=shown(str(target)), mime=lambang.mime, size=len(lambang.data)))


@org_app.command("pejabat", help=N_("Set an official of the register (name, NIP, pangkat) by role: the lane id or register key, e.g. camat."))
def org_pejabat(
    org: str = ORG_ARG,
    role: str = typer.Argument(..., metavar=N_("ROLE"), help=N_("The register key or lane id, e.g. camat, sekretaris.")),
    jabatan: str | None = typer.Option(None, "--jabatan", metavar=N_("TEXT"), help=N_("The post as printed, e.g. 'Sekretaris Kecamatan Ngronggot' (needed for a new key).")),
    nama: str | None = typer.Option(None, "--nama", metavar=N_("TEXT"), help=N_("The name with degrees, as signed ('' clears it).")),
    nip: str | None = typer.Option(None, "--nip", metavar="NIP", help=N_("The 18-digit NIP (spaces allowed; '' for a non-ASN official).")),
    pangkat: str | None = typer.Option(None, "--pangkat", metavar=N_("TEXT"), help=N_("Pangkat and golongan, e.g. 'Pembina Tk. I (IV/b)'.")),
    peran: str | None = typer.Option(None, "--peran", metavar="pimpinan|sekretaris", help=N_("Also make this official the head (pimpinan) or the Sekretaris who signs a.n. the head.")),
) -> None:
    from sop_cli.definition.nip import format_nip
    from sop_cli.errors import UsageError
    from sop_cli.render.register import set_pejabat

    if peran is not None and peran not in ("pimpinan", "sekretaris"):
        raise UsageError(_("--peran {peran}: use pimpinan or sekretaris.").format(peran=peran), option="peran")
    fields = {"jabatan": jabatan, "nama": nama, "nip": nip, "pangkat": pangkat}
    if all(value is None for value in fields.values()) and peran is None:
        raise UsageError(_("Say what to set: --nama, --nip, --pangkat, --jabatan or --peran."))
    entries, folder = _entries(org)
    entry = set_pejabat(folder, role, fields, nama=entries[0].head.org.nama, role=peran)
    nip_text = format_nip(entry["nip"]) if entry["nip"] else "-"
    print(_("{role}: {jabatan}; nama {nama}; NIP {nip}; pangkat {pangkat}.").format(
        role=role, jabatan=shown(entry["jabatan"] or "-"), nama=shown(entry["nama"] or "-"), nip=nip_text,
        pangkat=shown(entry["pangkat"] or "-")))


@org_app.command("kop", help=N_("Set the kop's address, postal code, capital, telephone, fax, e-mail and website, printed on every document of the organisation ('' clears one)."))
def org_kop(
    org: str = ORG_ARG,
    alamat: str | None = typer.Option(None, "--alamat", metavar=N_("TEXT"), help=N_("The street address, e.g. 'Jl. Raya Ngronggot No. 1'.")),
    kode_pos: str | None = typer.Option(None, "--kode-pos", metavar=N_("TEXT"), help=N_("The postal code, e.g. 64395.")),
    ibukota: str | None = typer.Option(None, "--ibukota", metavar=N_("TEXT"), help=N_("The regency's seat, for 'di ...' on letters to its offices, e.g. Nganjuk.")),
    telepon: str | None = typer.Option(None, "--telepon", metavar=N_("TEXT"), help=N_("The telephone, e.g. '(0358) 123456'.")),
    faksimile: str | None = typer.Option(None, "--faksimile", metavar=N_("TEXT"), help=N_("The fax number.")),
    email: str | None = typer.Option(None, "--email", metavar=N_("TEXT"), help=N_("The office's e-mail address.")),
    laman: str | None = typer.Option(None, "--laman", metavar=N_("TEXT"), help=N_("The office's website, e.g. ngronggot.nganjukkab.go.id.")),
) -> None:
    from sop_cli.errors import UsageError
    from sop_cli.render.register import set_kop

    fields = {"alamat": alamat, "kode_pos": kode_pos, "ibukota": ibukota, "telepon": telepon,
              "faksimile": faksimile, "email": email, "laman": laman}
    if all(value is None for value in fields.values()):
        raise UsageError(_("Say what to set: --alamat, --kode-pos, --ibukota, --telepon, --faksimile, --email or "
                           "--laman."))
    entries, folder = _entries(org)
    kop = set_kop(folder, fields, nama=entries[0].head.org.nama)
    print(_("Kop of {nama}:").format(nama=shown(entries[0].head.org.nama)))
    for name, value in kop.items():
        lines = wrap_words(f"{_describe_field(name)}: {shown(value or '-')}", max(20, terminal_width() - 6))
        print("\n".join(["  " + lines[0], *("      " + line for line in lines[1:])]))


@org_app.command("toleransi", help=N_("Set how far past a step's Mutu Baku the monitoring form still judges 'berjalan dengan baik' for this office's SOPs: working time ('15 menit') or a share of each step's Mutu Baku ('10%'); '' removes it. An SOP's own toleransi wins."))
def org_toleransi(org: str = ORG_ARG,
                  value: str = typer.Argument(..., metavar=N_("TOLERANCE"), help=N_("e.g. '15 menit', '1 jam' or '10%'; '' for none.")),
                  ) -> None:
    from sop_cli.render.register import set_toleransi

    entries, folder = _entries(org)
    nama = entries[0].head.org.nama
    written = set_toleransi(folder, value, nama=nama)
    if written is None:
        print(_("Tolerance of {nama}: none; the monitoring form leaves every step past its Mutu Baku to the "
                "assessor.").format(nama=nama))
    else:
        print(_("Tolerance of {nama}: {toleransi}; the monitoring form judges a step that ends no more than this past "
                "its Mutu Baku 'berjalan dengan baik' and notes the overrun (an SOP's own toleransi wins).").format(
            nama=nama, toleransi=written))


@org_app.command("show", help=N_("Show the organisation's kop and register, and what each document type still lacks to be signed."))
def org_show(org: str = ORG_ARG, as_json: bool = JSON) -> None:
    from sop_cli.definition.nip import format_nip
    from sop_cli.render.doctypes import document_types
    from sop_cli.render.organisation import find_organisation, office_folder
    from sop_cli.render.register import missing

    entries, folder = _entries(org)
    organisation = find_organisation(folder)
    types = document_types(folder)
    rows = missing([(e.sop, folder) for e in entries], organisation, types)
    head = entries[0].head.org
    data: dict[str, Any] = {
        "id": f"{head.wilayah}/{head.id}", "nama": head.nama, "file": str(organisation.path if organisation else office_folder(folder) / "organisasi.yaml"),
        "kop": dict(organisation.kop) if organisation else {},
        "pimpinan": organisation.pimpinan if organisation else None,
        "sekretaris": organisation.sekretaris if organisation else None,
        "pejabat": dict(organisation.pejabat) if organisation else {},
        "toleransi": organisation.toleransi if organisation else None,
        "documents": rows,
    }
    if as_json:
        print_json(data)
        return
    def say(text: str, indent: int = 0) -> None:
        """One item, wrapped at words to the terminal, its next lines indented under it."""
        lines = wrap_words(text, max(20, terminal_width() - indent - 4))
        print(" " * indent + lines[0])
        for line in lines[1:]:
            print(" " * (indent + 4) + line)

    print(f"{data['id']}  {shown(head.nama)}")
    print(_("File: {path}").format(path=shown(data["file"])))
    kop = data["kop"]
    print(_("Lambang: {lambang}").format(lambang=shown(kop.get("lambang") or _("none (the kop is text only)"))))
    print(_("Tolerance: {toleransi}").format(
        toleransi=data["toleransi"] or _("none (a step past its Mutu Baku is left to the assessor)")))
    for key, entry in data["pejabat"].items():
        roles = [r for r in ("pimpinan", "sekretaris") if data[r] == key]
        mark = f" [{', '.join(roles)}]" if roles else ""
        nip = format_nip(entry["nip"]) if entry.get("nip") else "-"
        say(f"{shown(key)}{mark}: {shown(entry.get('jabatan') or '-')}; {shown(entry.get('nama') or '-')}; "
            f"NIP {nip}; {shown(entry.get('pangkat') or '-')}", 2)
    print(_("Still missing, by document:"))
    short = head.alias[0] if head.alias else head.id
    for row in rows:
        parts = [_describe(item) for item in row["missing"]]
        text = "; ".join(parts) if parts else _("nothing: signable as printed")
        say(f"{row['type']} ({row['sop']}): {shown(text)}", 2)
    todo = {item["key"] for row in rows for item in row["missing"] if item["what"] == "pejabat"}
    if any(item["what"] == "lambang" for row in rows for item in row["missing"]):
        print(_("Add the lambang: sop org lambang {org} FILE.png").format(org=short))
    for key in sorted(todo):
        new = "" if key in data["pejabat"] else " --jabatan '...'"  # a lane not in the register yet needs its post
        say(_("Fill an official: sop org pejabat {org} {key} --nama '...' --nip '...' --pangkat '...'").format(
            org=short, key=key) + new)
    kop_missing = sorted({f for row in rows for item in row["missing"] if item["what"] == "kop" for f in item["fields"]})
    if kop_missing:
        say(_("Fill the kop: sop org kop {org} {options}").format(
            org=short, options=" ".join(f"--{f.replace('_', '-')} '...'" for f in kop_missing)))


def _describe_field(name: str) -> str:
    names = {"nama": _("name"), "nip": "NIP", "pangkat": _("pangkat"), "alamat": _("address"), "telepon": _("telephone"),
             "email": _("e-mail"), "laman": _("website"), "kode_pos": _("postal code"), "ibukota": _("capital"),
             "faksimile": _("fax")}
    return names.get(name, name)


def _describe(item: dict[str, Any]) -> str:
    fields = ", ".join(_describe_field(f) for f in item["fields"])
    if item["what"] == "lambang":
        return _("lambang")
    if item["what"] == "kop":
        return _("kop: {fields}").format(fields=fields)
    return f"{item['jabatan']} ({item['key']}): {fields}"
