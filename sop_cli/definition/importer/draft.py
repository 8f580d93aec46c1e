"""From what a document says (`Source`) to an SOP draft (`authoring.Draft`), saying where it guessed.

What the document writes is taken as written. What it does not write is taken from the catalog
when the document is an office the catalog knows (its `organisasi` block, the ids of its lanes,
the id and spelling of an SOP it already has), else guessed; every guess is a comment in the
draft (Indonesian, like the file) and a line of `Imported.checks`, what the person must check:

- a step's lane when its mark was lost: the lane an `oleh Camat` names, the head's lane for the
  first order (disposisi), else the lane of the step before (asal_pelaksana: inferensi, with
  its ground in dasar_inferensi);
- a decision where the marks were lost: a `TIDAK` label left in a row is the rejected branch of
  the next checking step (mengoreksi, memeriksa …) back to that row; a checking step with no mark
  at all is a decision back to the step before;
- names written in capitals are given their catalog spelling, else written in title case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sop_cli.definition.authoring import Draft, LaneDraft, StepDraft, check_waktu, head_of, region_id, slugify
from sop_cli.definition.importer.source import LIST_TITLES, Row, Source

_CHECKING = re.compile(r"^(mengoreksi|memeriksa|meneliti|memverifikasi|verifikasi|menelaah|mengecek|koreksi|"
                       r"pemeriksaan|penelitian|mengevaluasi|menyetujui|memvalidasi|validasi)\b", re.I)
_SMALL = {"dan", "atau", "di", "ke", "dari", "untuk", "yang", "pada", "dengan", "serta", "oleh", "dalam", "tentang"}
_ACRONYMS = {"SOP", "OPD", "PD", "RT", "RW", "KTP", "KK", "BAPPEDA", "ATK", "RKPD", "LPPD", "LKPJ", "ASN", "PNS",
             "NIP", "SKPD", "UPTD", "RSUD", "DPRD", "TK", "II", "III", "IV"}
_HEADS = ("kepala", "kadis", "kaban", "kaban.", "kadin", "camat", "lurah", "bupati", "walikota", "sekda", "direktur")
_SUFFIX = re.compile(r"\s*(YA: langkah \d+ · TIDAK: .*|Bersamaan: langkah .* menunggu semuanya)$")
_SUB_SOP = re.compile(r"\s*Sub-SOP:\s*(\S+)\s*$")
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
    steps = _steps(source, lanes, jabatan, checks)
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


def _steps(source: Source, lanes: list[LaneDraft], jabatan: str | None, checks: list[str]) -> list[StepDraft]:
    rows = source.rows
    if len(rows) < 2:
        source.problems.append(f"tabel alur: {len(rows)} langkah terbaca; sebuah SOP punya paling sedikit dua")
        return []
    numbers: dict[int, int] = {}
    for index, row in enumerate(rows, 1):
        numbers.setdefault(int(row.no), index)
        if int(row.no) != index:
            checks.append(f"{row.where}: langkah bernomor {row.no} menjadi langkah {index} (nomor di dokumen tidak urut)")
    last = len(rows)
    decisions = _decisions(rows, numbers)
    lane_of: list[tuple[list[int], str | None]] = []
    steps: list[StepDraft] = []
    for index, row in enumerate(rows, 1):
        notes: list[str] = []

        def note(text: str, row: Row = row, notes: list[str] = notes) -> None:
            notes.append("PERIKSA: " + text)
            checks.append(f"{row.where} (langkah {row.no}): {text}")

        drawn = [lane for lane, mark in sorted(row.marks.items()) if mark.simbol or mark.next or mark.ya]
        drawn = [lane for lane in drawn if lane < len(lanes)]
        decision = decisions.get(index)
        ground = None
        if decision and decision[2] is not None and not drawn:
            drawn, ground = [decision[2]], decision[3]
        if not drawn:
            drawn, ground = _infer_lane(row, index, lanes, lane_of, jabatan)
        lane_of.append((drawn, ground))
        simbol = _simbol(row, index, last, decision is not None, note)
        kegiatan = _SUFFIX.sub("", row.kegiatan).strip()
        keterangan, sub_sop = row.keterangan, row.sub_sop
        if keterangan and _SUB_SOP.search(keterangan):
            sub_sop = _SUB_SOP.search(keterangan).group(1)  # type: ignore[union-attr]
            keterangan = _SUB_SOP.sub("", keterangan).strip() or None
        ya, tidak = (decision[0], decision[1]) if decision else (None, None)
        if decision and decision[4]:
            note(decision[4])
        berikutnya, paralel = _next(row, index, numbers, last, simbol)
        if any(index in step.paralel for step in steps):
            berikutnya = None  # a branch goes on to the join, whatever its arrow says
        if not kegiatan:
            source.problems.append(f"{row.where} (langkah {row.no}): kolom Kegiatan kosong")
        steps.append(StepDraft(
            lane=lanes[drawn[0]].id, kegiatan=kegiatan or "-",
            waktu=_waktu(row, note), output=_filled(row.output, "Output", note), tidak=tidak, simbol=simbol,
            ya=ya, kelengkapan=_filled(row.kelengkapan, "Kelengkapan", note), keterangan=keterangan,
            more_lanes=tuple(lanes[i].id for i in drawn[1:]), berikutnya=berikutnya, paralel=paralel, sub_sop=sub_sop,
            dasar_inferensi=ground, notes=tuple(notes),
        ))
        if ground:
            names = ", ".join(lanes[i].nama for i in drawn)
            checks.append(f"{row.where} (langkah {row.no}): PERIKSA pelaksana {names}: {ground}")
    return steps


def _filled(text: str | None, label: str, note: Any) -> str:
    if text:
        return text
    note(f"kolom {label} kosong di dokumen; diisi \"-\".")
    return "-"


def _waktu(row: Row, note: Any) -> str:
    if not row.waktu:
        note("kolom Waktu kosong di dokumen; diisi \"-\" (tanpa waktu baku).")
        return "-"
    problem = check_waktu(row.waktu)
    if problem:
        note(f"waktu {row.waktu!r} tidak terbaca ({problem}); diisi \"-\": tulis seperti \"2 jam\" atau \"1-2 hari\".")
        return "-"
    return row.waktu


def _simbol(row: Row, index: int, last: int, decision: bool, note: Any) -> str:
    kinds = {mark.simbol for mark in row.marks.values() if mark.simbol}
    if index == 1:
        if kinds - {"mulai", "proses"}:
            note(f"langkah pertama digambar sebagai {', '.join(sorted(kinds))}; dijadikan mulai.")
        return "mulai"
    if decision:
        return "keputusan"
    if index == last:
        return "selesai"
    if "selesai" in kinds:
        return "selesai"
    return "proses"


def _next(row: Row, index: int, numbers: Mapping[int, int], last: int, simbol: str) -> tuple[int | None, tuple[int, ...]]:
    targets = next((mark for mark in row.marks.values() if mark.next), None)
    if targets is None or simbol in ("keputusan", "selesai"):
        return None, ()
    steps = tuple(numbers.get(n, n) for n in targets.next)
    if targets.parallel and len(steps) > 1:
        return None, steps
    if steps[0] != index + 1 and index != last:
        return steps[0], ()
    return None, ()


def _decisions(rows: Sequence[Row], numbers: Mapping[int, int]) -> dict[int, tuple[int, int | str, int | None, str | None, str | None]]:
    """Step index to (ya, tidak, lane of a label that places it or None, ground for that lane, note)."""
    found: dict[int, tuple[int, int | str, int | None, str | None, str | None]] = {}
    last = len(rows)
    for index, row in enumerate(rows, 1):
        written = next((m for m in row.marks.values() if m.ya is not None), None)
        if written is not None and written.ya is not None and written.tidak is not None:
            tidak = written.tidak if written.tidak == "selesai" else numbers.get(int(written.tidak), int(written.tidak))
            found[index] = (numbers.get(written.ya, written.ya), tidak, None, None, None)
    for index, row in enumerate(rows, 1):
        for lane, mark in row.marks.items():
            if "TIDAK" not in mark.labels or mark.simbol == "keputusan" or index in found:
                continue
            target = next((j for j in range(index + 1, last) if j not in found
                           and (_CHECKING.match(rows[j - 1].kegiatan) or _drawn_as(rows[j - 1], "keputusan"))), None)
            if target is None:
                continue
            found[target] = (target + 1, index, lane,
                             f"tanda \"TIDAK\" di kolom pelaksana ini pada baris langkah {row.no} adalah cabang "
                             f"penolakan keputusan ini, jadi keputusan digambar di kolom yang sama.",
                             f"keputusan dibaca dari tanda \"TIDAK\" pada langkah {row.no}: YA ke langkah {target + 1}, "
                             f"TIDAK kembali ke langkah {index}.")
    for index, row in enumerate(rows, 1):
        if index in found or index in (1, last):
            continue
        labelled = {label for mark in row.marks.values() for label in mark.labels}
        if _drawn_as(row, "keputusan") or (not row.marks and not row.lanes_lost and _CHECKING.match(row.kegiatan)) \
                or (row.lanes_lost and _CHECKING.match(row.kegiatan)) or ({"YA", "TIDAK"} <= labelled):
            why = ("digambar sebagai belah ketupat tanpa tujuan YA/TIDAK yang terbaca" if _drawn_as(row, "keputusan")
                   else "kegiatannya memeriksa, tetapi tanda bagan alirnya hilang")
            found[index] = (index + 1, index - 1, None, None,
                            f"keputusan ({why}); YA ke langkah {index + 1}, TIDAK kembali ke langkah {index - 1} ditebak.")
    return found


def _drawn_as(row: Row, simbol: str) -> bool:
    return any(mark.simbol == simbol for mark in row.marks.values())


_OLEH = re.compile(r"\b[Oo]leh\s+([A-Za-z][\w/&.]*(?:\s+[A-Z][\w/&.]*)*)")
"""`oleh Camat`, `oleh Kepala Dinas` (the words in capitals after the first), not `oleh Kaban kemudian`."""


def _infer_lane(row: Row, index: int, lanes: Sequence[LaneDraft], before: Sequence[tuple[list[int], str | None]],
                jabatan: str | None) -> tuple[list[int], str]:
    """A lane for a step whose mark was lost, and the ground of the guess (Indonesian)."""
    lost = "tanda lajur tidak ada di dokumen" if not row.lanes_lost else "kolom pelaksana baris ini rusak di dokumen"
    said = _OLEH.search(row.kegiatan)
    if said:
        lane = _lane_named(said.group(1), lanes)
        if lane is not None:
            return [lane], f"{lost}; teks kegiatan menyebut \"oleh {said.group(1).strip()}\"."
    if index == 1 or re.match(r"^(memerintahkan|mendisposisi|menugaskan)", row.kegiatan, re.I):
        head = _lane_named(jabatan or "", lanes) if jabatan else None
        if head is None:
            head = next((i for i, lane in enumerate(lanes) if lane.nama.lower().startswith(_HEADS)), None)
        if head is not None:
            return [head], f"{lost}; perintah/disposisi datang dari pimpinan ({lanes[head].nama})."
    heads = {i for i, candidate in enumerate(lanes) if candidate.nama.lower().startswith(_HEADS)
             or (jabatan and _lane_named(jabatan, lanes) == i)}
    if before and not set(before[-1][0]) <= heads:
        return list(before[-1][0]), f"{lost}; dianggap dikerjakan oleh pelaksana langkah sebelumnya."
    # after the head's own step, the work goes down: to the lane the kegiatan's words name
    # ("rencana" in Kasubag Perencanaan), else to the lane that has done most of the steps so far
    words = {w for w in re.findall(r"[a-z]{6,}", row.kegiatan.lower())}
    for i, candidate in enumerate(lanes):
        if i not in heads and any(w in candidate.nama.lower() for w in words):
            return [i], f"{lost}; kata dalam kegiatan cocok dengan nama pelaksana {candidate.nama}."
    counts = {i: sum(i in lanes_ for lanes_, _g in before) for i in range(len(lanes)) if i not in heads}
    if counts:
        busiest = max(counts, key=lambda i: (counts[i], -i))
        return [busiest], f"{lost}; dianggap dikerjakan oleh pelaksana yang mengerjakan langkah terbanyak."
    return [0], f"{lost}; dianggap dikerjakan oleh pelaksana kolom pertama."


def _lane_named(text: str, lanes: Sequence[LaneDraft]) -> int | None:
    """The lane `text` names: its name, its first word (Camat), or a head's short title (Kadis, Kaban)."""
    words = text.lower().replace("&", " ").split()
    if not words:
        return None
    for i, lane in enumerate(lanes):
        name = lane.nama.lower()
        if " ".join(words).startswith(name) or name.startswith(" ".join(words[:2])) or words[0] == name.split()[0]:
            return i
    if words[0].rstrip(".") in _HEADS:
        return next((i for i, lane in enumerate(lanes) if lane.nama.lower().startswith(("kepala", words[0]))), None)
    return None
