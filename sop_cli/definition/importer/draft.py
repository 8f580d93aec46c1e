"""From what a document says (`Source`) to an SOP draft (`authoring.Draft`), saying where it guessed.

What the document writes is taken as written. What it does not write is taken from the catalog
when the document is an office the catalog knows (its `organisasi` block, the ids of its lanes,
the id and spelling of an SOP it already has), else guessed; every guess is a comment in the
draft (Indonesian, like the file) and a line of `Imported.checks`, what the person must check:

- names written in capitals are given their catalog spelling, else written in title case;
- an office the catalog does not know gets ids made from its names and the WIB zone;
- the steps' flow where the document lost its marks (`flow.read_steps`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sop_cli.definition.authoring import Draft, LaneDraft, StepDraft, head_of, region_id, slugify
from sop_cli.definition.importer.flow import read_steps
from sop_cli.definition.importer.source import LIST_TITLES, Source

_SMALL = {"dan", "atau", "di", "ke", "dari", "untuk", "yang", "pada", "dengan", "serta", "oleh", "dalam", "tentang"}
_ACRONYMS = {"SOP", "OPD", "PD", "RT", "RW", "KTP", "KK", "BAPPEDA", "ATK", "RKPD", "LPPD", "LKPJ", "ASN", "PNS",
             "NIP", "SKPD", "UPTD", "RSUD", "DPRD", "TK", "II", "III", "IV"}
_KINDS = {"teks": "teks", "docx": "Word .docx", "bpmn": "BPMN 2.0"}
_BULAN = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober",
          "november", "desember")


@dataclass
class Imported:
    """A draft made from a document: its text, what to check, and why it does not validate (if it does not)."""

    text: str
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    matched: str | None = None
    """The catalog SOP the document is a version of (qualified id), if any."""


def titled(text: str) -> str:
    """A name written in capitals, in title case: 'PENYUSUNAN RENCANA KERJA (RENJA)' gives
    'Penyusunan Rencana Kerja (Renja)'; mixed case is kept."""
    if not text.isupper():
        return text
    words = []
    for i, word in enumerate(text.split()):
        bare = word.strip("()[],.;:")
        if bare in _ACRONYMS:
            words.append(word)
        elif i and bare.lower() in _SMALL:
            words.append(word.lower())
        else:
            words.append(_cap(word))
    return " ".join(words)


def _cap(word: str) -> str:
    out, first = [], True
    for ch in word:
        out.append(ch.upper() if first and ch.isalpha() else ch.lower())
        if ch.isalpha():
            first = False
        elif ch in "-/(":
            first = True
    return "".join(out)


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and " ".join(a.lower().split()) == " ".join(b.lower().split())


@dataclass
class _Catalog:
    """The catalog's SOPs (JSON forms) and where each is, as the importer asks them."""

    sops: list[tuple[Mapping[str, Any], str]]

    def organisation(self, pemerintah: str | None, unit: str | None) -> list[tuple[Mapping[str, Any], str]]:
        return [(data, path) for data, path in self.sops
                if _same(data["organisasi"]["pemerintah"], pemerintah) and _same(data["organisasi"]["nama"], unit)]


def make_draft(source: Source, catalog: Iterable[tuple[Mapping[str, Any], str]] = (), *,
               sop_id: str | None = None) -> tuple[Draft, list[str], str | None]:
    """The draft of `source`, the checks to make, and the catalog SOP it is a version of."""
    checks = list(source.notes)
    notes: dict[str, list[str]] = {}

    def guess(key: str, note: str) -> None:
        notes.setdefault(key, []).append(note)
        checks.append(note)

    org_sops = _Catalog(list(catalog)).organisation(source.pemerintah, source.unit)
    nama_written = source.fields.get("nama")
    if not nama_written:
        source.problems.append("identitas: Nama SOP tidak ditemukan")
        nama_written = source.judul or "SOP tanpa nama"
    same_sop = next(((d, p) for d, p in org_sops if _same(d["nama"], nama_written)), None)
    if same_sop:
        nama = same_sop[0]["nama"]
    else:
        nama = titled(nama_written)
        if nama != nama_written:
            guess("nama", f"PERIKSA: nama SOP tertulis dengan huruf besar ({nama_written!r}); ejaan huruf kecil ditebak.")

    if org_sops:
        base = same_sop or org_sops[0]
        organisasi = dict(base[0]["organisasi"])
        notes.setdefault("organisasi", []).append(f"Organisasi disalin dari katalog ({base[1]}).")
    else:
        organisasi = _new_organisation(source, guess)
    if sop_id:
        the_id = sop_id
    elif same_sop:
        the_id = same_sop[0]["id"]
        notes.setdefault("id", []).append(
            f"SOP ini sudah ada di katalog ({same_sop[1]}): bandingkan dengan `sop diff`, lalu timpa berkas "
            "itu dengan draf ini (dua berkas berkode sama ditolak `sop validate`).")
    else:
        the_id = slugify(nama) or "sop"
        guess("id", f"PERIKSA: kode SOP dibuat dari namanya ({the_id!r}); pendekkan bila perlu.")

    header: dict[str, str | None] = {}
    judul = source.judul
    if judul and judul.isupper():
        judul = titled(judul)
    if judul and not _same(judul, f"SOP {nama}"):
        header["judul"] = judul
    for key in ("nomor", "tanggal_pembuatan", "tanggal_revisi", "tanggal_pengesahan", "tanggal_efektif"):
        header[key] = _date(source.fields.get(key)) if key.startswith("tanggal") else source.fields.get(key)
    header["sumber"] = f"Diimpor dengan `sop import` dari {source.path}"

    if source.kind == "bpmn" and not source.pengesah:
        # a process model names no signer: the head of the unit, to be checked
        source.pengesah = [head_of(organisasi["nama"])]
        guess("disahkan_oleh", "PERIKSA: proses BPMN tidak menyebut pengesah; jabatan ditebak dari nama unit.")
    jabatan, pejabat = _pengesah(source, guess)
    lanes = _lanes(source, [d for d, _p in org_sops], guess)
    lists: dict[str, list[str]] = {}
    for key in dict.fromkeys(LIST_TITLES.values()):
        if key not in source.lists:
            guess(key, f"PERIKSA: daftar {key.replace('_', ' ')} tidak ditemukan di dokumen; isi.")
        lists[key] = source.lists.get(key, [])
    lists["penjelasan"] = source.penjelasan
    steps = read_steps(source, lanes, jabatan, checks)
    if same_sop:
        steps = _keep_documents(steps, same_sop[0])

    draft = Draft(the_id, nama, organisasi, jabatan or "", lanes, steps, header=header, pejabat=pejabat, lists=lists,
                  intro=[f"Diimpor dengan `sop import` dari {source.path} ({_KINDS.get(source.kind, source.kind)}).",
                         "Baris yang diawali PERIKSA adalah tebakan: cocokkan dengan dokumen aslinya, lalu jalankan",
                         "`sop validate BERKAS` dan `sop show`."],
                  notes=notes)
    matched = None
    if same_sop:
        org = same_sop[0]["organisasi"]
        matched = f"{org['wilayah']}/{org['id']}/{same_sop[0]['id']}"
    return draft, checks, matched


def _keep_documents(steps: list[StepDraft], catalog_sop: Mapping[str, Any]) -> list[StepDraft]:
    """The catalog's `dokumen` (the document type a step's output is rendered with: the document
    does not print it) on the steps that match the catalog's by Kegiatan, so importing a new
    version keeps its letters."""
    import dataclasses

    from sop_cli.definition.diff import match_steps

    drafted = [{"kegiatan": step.kegiatan, "index": i} for i, step in enumerate(steps)]
    kept = list(steps)
    for old, new in match_steps(catalog_sop["langkah"], drafted):
        if old is not None and new is not None and old.get("dokumen"):
            i = new["index"]
            kept[i] = dataclasses.replace(kept[i], dokumen=old["dokumen"], notes=(
                *kept[i].notes, f"dokumen disalin dari SOP di katalog (langkah {old['no']})."))
    return kept


def _new_organisation(source: Source, guess: Any) -> dict[str, Any]:
    pemerintah = titled(source.pemerintah) if source.pemerintah else None
    unit = titled(source.unit) if source.unit else None
    # a document without its kop could not be read right; a process model never has one
    def missing(text: str) -> None:
        if source.kind == "bpmn":
            guess("organisasi", "PERIKSA: " + text)
        else:
            source.problems.append(text)

    if not pemerintah:
        missing("kop: nama pemerintah daerah (\"PEMERINTAH KABUPATEN …\") tidak ditemukan; isi organisasi.pemerintah")
        pemerintah = "Pemerintah Daerah"
    if not unit:
        missing("kop: nama unit kerja (Kecamatan, Dinas …) tidak ditemukan; isi organisasi.nama dan organisasi.id")
        unit = "Unit Kerja"
    guess("organisasi", "PERIKSA: unit ini belum ada di katalog; kode unit, kode wilayah dan zona waktu (WIB) ditebak.")
    organisasi = {"id": slugify(unit) or "unit", "wilayah": region_id(pemerintah) or "wilayah", "pemerintah": pemerintah,
                  "nama": unit, "zona_waktu": "WIB"}
    if source.alamat:
        organisasi["alamat"] = source.alamat  # the kop's address line
    return organisasi


def _date(text: str | None) -> str | None:
    """A full date as the document prints it ('1 Juli 2026') as the file writes it (2026-07-01)."""
    if text is None:
        return None
    found = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text.strip())
    if found and found.group(2).lower() in _BULAN:
        return f"{int(found.group(3)):04d}-{_BULAN.index(found.group(2).lower()) + 1:02d}-{int(found.group(1)):02d}"
    return text


_KEDUDUKAN = {"plt.": "plt", "plh.": "plh", "pj.": "pj"}


def _pengesah(source: Source, guess: Any) -> tuple[str | None, dict[str, str | None]]:
    from sop_cli.definition.nip import check_nip

    lines = [" ".join(line.split()) for line in source.pengesah]
    pejabat: dict[str, str | None] = {"nama": None, "pangkat": None, "nip": None}
    if not lines:
        source.problems.append("identitas: \"Disahkan oleh\" tidak ditemukan")
        return None, pejabat
    nip_text = None
    jabatan: str | None
    nama: str | None
    pangkat: str | None
    if len(lines) == 1:
        text = lines[0]
        found = re.search(r"\bNIP\.?\s*:?\s*([\d ]*\d)?\s*$", text)
        if found:
            nip_text, text = found.group(1), text[:found.start()].strip()
        jabatan, nama, pangkat = _split_signature(text)
    else:
        blank = lines.index("") if "" in lines else len(lines)
        top, rest = lines[:blank], [line for line in lines[blank:] if line]
        nips = [line for line in rest if line.upper().startswith("NIP")]
        if nips:
            nip_text = nips[0][3:].strip(" .:")
            rest = rest[:rest.index(nips[0])]
        nama = rest[0] if rest else None
        pangkat = " ".join(rest[1:]) or None
        jabatan = top[-1] if top else None
        for line in top[:-1]:
            if line.lower().startswith("a.n. "):
                pejabat["atas_nama"] = titled(line[5:].strip())
            elif line.lower().startswith("u.b. "):
                pejabat["untuk_beliau"] = line[5:].strip()
        if jabatan:
            prefix = jabatan.split(" ", 1)[0].lower()
            if prefix in _KEDUDUKAN and " " in jabatan:
                pejabat["kedudukan"], jabatan = _KEDUDUKAN[prefix], jabatan.split(" ", 1)[1]
    pejabat["nama"] = None if nama is None or re.fullmatch(r"[.…_\s]*", nama) else nama
    pejabat["pangkat"] = pangkat
    if nip_text and not re.fullmatch(r"[.…_\s]*", nip_text):
        try:
            pejabat["nip"] = check_nip(nip_text)
        except ValueError as error:
            guess("disahkan_oleh", f"PERIKSA: NIP pengesah {nip_text!r} tidak sah ({error}); dikosongkan.")
    return jabatan, pejabat


def _split_signature(text: str) -> tuple[str, str | None, str | None]:
    """'Camat Ngronggot MOHAMAD MAKRUP, S.Sos Pembina TK I' as jabatan, nama (the run in capitals with
    its degrees) and pangkat (what follows)."""
    tokens = text.split()
    start = next((i for i, t in enumerate(tokens) if i and re.fullmatch(r"[A-Z][A-Z'.,-]+", t)
                  and t.strip(",.") not in _ACRONYMS), None)
    if start is None:
        return text, None, None
    end = start
    while end < len(tokens) and (re.fullmatch(r"[A-Z][A-Z'.,-]*", tokens[end]) or "." in tokens[end]
                                 or tokens[end - 1].endswith(",")):
        end += 1
    return " ".join(tokens[:start]), " ".join(tokens[start:end]), " ".join(tokens[end:]) or None


def _lanes(source: Source, org_sops: Sequence[Mapping[str, Any]], guess: Any) -> list[LaneDraft]:
    known: dict[str, Mapping[str, Any]] = {}
    for data in org_sops:
        for lane in data["pelaksana"]:
            known.setdefault(" ".join(lane["nama"].lower().split()), lane)
    lanes: list[LaneDraft] = []
    for i, name in enumerate(source.lanes):
        lane = known.get(" ".join(name.lower().split()))
        external = i in source.external
        if lane is not None:
            lanes.append(LaneDraft(lane["id"], lane["nama"], external or bool(lane.get("eksternal")),
                                   tuple(lane.get("petugas") or ())))
            continue
        lane_id = slugify(name) or f"pelaksana-{i + 1}"
        while lane_id in [lane.id for lane in lanes]:
            lane_id += f"-{i + 1}"
        lanes.append(LaneDraft(lane_id, name, external))
    if lanes and len(known) < len(lanes):
        guess("pelaksana", "PERIKSA: kode pelaksana (id) dibuat dari namanya; tandai `eksternal: true` untuk pelaksana "
              "di luar kantor (pemohon, OPD lain).")
    return lanes
