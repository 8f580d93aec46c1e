"""A new SOP file from a few answers (`sop new`): organisation, lanes, steps, written as commented YAML.

The core of `sop new`: it turns values into the text of an SOP file whose comments explain each
field in Indonesian (the reader is a Sekretaris who has never seen YAML), and checks that text
with the same validation as `sop validate` before anyone writes it. No typer, no prompts here:
the CLI asks or reads flags and hands over values.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sop_cli.errors import UsageError
from sop_cli.i18n import _

_PREFIXES = re.compile(r"^(pemerintah\s+)?(kabupaten|kota|provinsi|kab\.?)\s+", re.IGNORECASE)


def slugify(text: str) -> str:
    """An id from a name: lower-case ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def region_id(pemerintah: str) -> str:
    """The `wilayah` id of a government's name: 'Pemerintah Kabupaten Nganjuk' gives 'nganjuk'."""
    return slugify(_PREFIXES.sub("", pemerintah.strip())) or slugify(pemerintah)


_HEADS = {"kecamatan": "Camat", "kelurahan": "Lurah", "desa": "Kepala Desa"}


def head_of(unit: str) -> str:
    """The position that usually signs a unit's SOPs: 'Kecamatan Ngronggot' gives 'Camat Ngronggot'."""
    first, _space, rest = unit.strip().partition(" ")
    head = _HEADS.get(first.lower())
    return f"{head} {rest}".strip() if head and rest else f"Kepala {unit.strip()}"


@dataclass(frozen=True)
class LaneDraft:
    """One lane (pelaksana column): its id and its name as printed; `eksternal` and `petugas` as
    the SOP file writes them."""

    id: str
    nama: str
    eksternal: bool = False
    petugas: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepDraft:
    """One step as the author gives it: the lane, what is done, the standard time, the output."""

    lane: str
    kegiatan: str
    waktu: str
    output: str
    tidak: int | str | None = None
    """Set for a decision (keputusan): the step its TIDAK goes to, or "selesai"; YA is the next step."""
    # What `sop import` reads off a document beyond what `sop new` asks; the defaults are `sop new`'s.
    simbol: str | None = None
    """None: mulai for the first step, selesai for the last, keputusan when `tidak` is set, else proses."""
    ya: int | None = None
    """A decision's YA when not the next step."""
    kelengkapan: str | None = None
    """None: the output of the step before ("-" for the first)."""
    keterangan: str | None = None
    more_lanes: tuple[str, ...] = ()
    """Lanes doing the step with `lane`."""
    berikutnya: int | None = None
    paralel: tuple[int, ...] = ()
    sub_sop: str | None = None
    dasar_inferensi: str | None = None
    """Set when the lane is inferred, not read from the source (asal_pelaksana: inferensi)."""
    dokumen: str | None = None
    notes: tuple[str, ...] = ()
    """Comment lines written above the step (what was guessed, what to check)."""


@dataclass
class Draft:
    """Everything `sop new` needs to write a file."""

    sop_id: str
    nama: str
    organisasi: dict[str, Any]
    pengesah: str
    lanes: list[LaneDraft] = field(default_factory=list)
    steps: list[StepDraft] = field(default_factory=list)
    # What `sop import` reads off a document; left empty by `sop new`.
    header: dict[str, str | None] = field(default_factory=dict)
    """judul, nomor, tanggal_pembuatan/revisi/pengesahan/efektif, sumber."""
    pejabat: dict[str, str | None] = field(default_factory=dict)
    """disahkan_oleh beyond its jabatan: nama, pangkat, nip, kedudukan, atas_nama, untuk_beliau."""
    lists: dict[str, list[str]] = field(default_factory=dict)
    """The six lists and penjelasan, by field name."""
    intro: list[str] = field(default_factory=list)
    """The file's opening comment lines, when not `sop new`'s."""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Comment lines written above a top-level field (by field name): what was guessed."""
    jenis: str | None = None
    """"layanan" or "perencanaan"; None leaves it to be inferred (`definition.graph.infer_jenis`)."""


def parse_lane(text: str) -> LaneDraft:
    """`id=Nama` or just `Nama` (the id is made from the name).

    Raises:
        UsageError: (option "lane") the text names no lane.
    """
    lane_id, sep, name = text.partition("=")
    if not sep:
        lane_id, name = slugify(text), text
    name, lane_id = " ".join(name.split()), lane_id.strip()
    if not name or not lane_id:
        raise UsageError(_("{text}: write ID=NAMA or NAMA, e.g. sekretaris=Sekretaris").format(text=repr(text)),
                         option="lane")
    return LaneDraft(lane_id, name)


def parse_step(text: str, lanes: list[LaneDraft]) -> StepDraft:
    """`lane: kegiatan | waktu | output`, and `| tidak=N` (or `tidak=selesai`) for a decision whose
    YA goes on to the next step (lane by id, name or number in the lane list).

    Raises:
        UsageError: (option "step") a part is missing or the lane is not declared.
    """
    lane, sep, rest = text.partition(":")
    parts = [" ".join(p.split()) for p in rest.split("|")]
    tidak: int | str | None = None
    if len(parts) == 4:
        tidak = parse_tidak(parts[3].removeprefix("tidak").lstrip(" =")) if parts[3].startswith("tidak") else None
        if tidak is None:
            raise UsageError(_("{text}: the fourth part of a decision is tidak=N (a step number) or "
                               "tidak=selesai").format(text=repr(text)), option="step")
        parts = parts[:3]
    if not sep or len(parts) != 3 or not all(parts):
        raise UsageError(_("{text}: write \"LANE: KEGIATAN | WAKTU | OUTPUT\" (a decision adds \"| tidak=N\"), "
                           "e.g. \"camat: Menandatangani surat | 15 menit | Surat\"").format(text=repr(text)),
                         option="step")
    kegiatan, waktu, output = parts
    return StepDraft(find_lane(lane, lanes, text), kegiatan, waktu, output, tidak)


def parse_tidak(text: str) -> int | str | None:
    """A decision's TIDAK as typed: a step number, or "selesai" (the process ends: refused or
    returned); None when it is neither."""
    text = text.strip().lower()
    if text == "selesai":
        return "selesai"
    return int(text) if text.isdigit() and int(text) > 0 else None


def find_lane(name: str, lanes: list[LaneDraft], where: str | None = None) -> str:
    """The id of the lane `name` designates: its id, its name (any case) or its number from 1.

    Raises:
        UsageError: (option "step") no lane matches.
    """
    key = name.strip()
    for i, lane in enumerate(lanes, 1):
        if key in (lane.id, str(i)) or key.lower() == lane.nama.lower() or slugify(key) == lane.id:
            return lane.id
    known = ", ".join(f"{lane.id} ({lane.nama})" for lane in lanes) or _("none yet")
    raise UsageError(_("{text}: no lane {lane}; the lanes are: {known}").format(
        text=repr(where or name), lane=repr(key), known=known), option="step")


def check_waktu(text: str) -> str | None:
    """Why `text` is not a standard time, or None when it is one."""
    from sop_cli.definition.duration import parse_waktu

    try:
        parse_waktu(text)
    except ValueError as error:
        return str(error)
    return None


def _q(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar; characters a terminal or YAML would read as
    # line breaks or controls are escaped so the file says exactly what was typed.
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in quoted)


def draft_yaml(draft: Draft) -> str:
    """The text of the SOP file, with comments in Indonesian explaining each field."""
    org = draft.organisasi
    header, pejabat, notes = draft.header, draft.pejabat, draft.notes
    lines = [
        f"# SOP {draft.nama}, {org['nama']}.",
        *(f"# {line}" if line else "#" for line in draft.intro or [
            "Dibuat dengan `sop new`. Lengkapi bagian yang masih kosong, lalu periksa dengan",
            "`sop validate BERKAS` dan lihat hasilnya dengan `sop show`. `sop schema --out sop.schema.json`",
            "memberi skema untuk editor (pemeriksaan saat mengetik)."]),
        "# Teks sesudah tanda # adalah catatan: tidak dibaca oleh sop.",
        "",
        *_notes(notes, "id"),
        "# Kode SOP di dalam organisasi (huruf kecil, angka, tanda hubung): dipakai di `sop start KODE`.",
        f"id: {_q(draft.sop_id)}",
        *_notes(notes, "nama"),
        "# Nama SOP sebagaimana tertulis di dokumen.",
        f"nama: {_q(draft.nama)}",
        *([*_notes(notes, "judul"), "# Judul seperti tercetak di atas bagan alir, bila berbeda dari \"SOP \" + nama.",
           f"judul: {_value(header.get('judul'))}"] if header.get("judul") or "judul" in notes else []),
        *([f"sumber: {_q(str(header['sumber']))}"] if header.get("sumber") else []),
        *([
            "# Jenis SOP: layanan (setiap permohonan satu perkara: `sop start KODE --untuk NAMA`) atau",
            "# perencanaan (satu pelaksanaan per tahun, seperti Renja).",
            f"jenis: {draft.jenis}",
        ] if draft.jenis else []),
        *_notes(notes, "nomor"),
        "# Nomor SOP; boleh berisi bagian kosong yang diisi saat pengesahan.",
        f"nomor: {_value(header.get('nomor'))}",
        *_notes(notes, "tanggal"),
        "# Tanggal-tanggal identitas SOP, ditulis seperti di dokumen: 2026-07-01 atau \"Juli 2026\".",
        "# Setiap revisi adalah tindakan hukum: isi tanggal_revisi saat SOP diubah.",
        *(f"{key}: {_value(header.get(key))}" for key in
          ("tanggal_pembuatan", "tanggal_revisi", "tanggal_pengesahan", "tanggal_efektif")),
        "",
        *_notes(notes, "organisasi"),
        "# Unit kerja yang menerbitkan SOP.",
        "organisasi:",
        "  # Kode unit dan kode wilayah: bersama kode SOP membentuk nama lengkap wilayah/unit/sop.",
        f"  id: {_q(org['id'])}",
        f"  wilayah: {_q(org['wilayah'])}",
        "  # Nama pemerintah daerah dan nama unit, seperti di kop surat.",
        f"  pemerintah: {_q(org['pemerintah'])}",
        f"  nama: {_q(org['nama'])}",
        "  # Zona waktu kantor: WIB, WITA atau WIT (menentukan jam kerja dan tenggat).",
        f"  zona_waktu: {_q(org.get('zona_waktu') or 'WIB')}",
    ]
    for key in ("alias", "alamat", "telepon", "email", "laman", "kota", "hari_libur", "jam_kerja"):
        if org.get(key):
            lines.append(f"  {key}: {json.dumps(org[key], ensure_ascii=False)}")
    lines += [
        "",
        *_notes(notes, "disahkan_oleh"),
        "# Pejabat yang mengesahkan SOP (kotak pengesahan di identitas SOP).",
        "disahkan_oleh:",
        "  # Jabatan, mis. \"Camat Ngronggot\"; nama, pangkat dan NIP (18 angka) bila sudah diketahui.",
        f"  jabatan: {_q(draft.pengesah)}",
        *(f"  {key}: {_value(pejabat.get(key))}" for key in ("nama", "pangkat", "nip")),
        *(f"  {key}: {_q(str(pejabat[key]))}" for key in ("kedudukan", "atas_nama", "untuk_beliau") if pejabat.get(key)),
        "",
        "# Enam daftar identitas SOP AP. Isi tiap daftar dengan satu butir per baris, mis.:",
        "#   dasar_hukum:",
        "#     - Peraturan Bupati Nomor 28 Tahun 2021 tentang ...",
    ]
    for key, comment in _LIST_COMMENTS:
        items = draft.lists.get(key) or []
        if key == "penjelasan" and not items:
            continue
        lines += [*_notes(notes, key), f"# {comment}", f"{key}:" if items else f"{key}: []",
                  *(f"  - {_q(item)}" for item in items)]
    lines += [
        "",
        *_notes(notes, "pelaksana"),
        "# Pelaksana: kolom-kolom bagan alir, urut dari kiri ke kanan. id dipakai oleh langkah.",
        "pelaksana:",
    ]
    for lane in draft.lanes:
        lines += [f"  - id: {_q(lane.id)}", f"    nama: {_q(lane.nama)}"]
        if lane.eksternal:
            lines.append("    eksternal: true")
        if lane.petugas:
            lines.append(f"    petugas: [{', '.join(_q(p) for p in lane.petugas)}]")
    lines += [
        "",
        "# Langkah-langkah, berurutan. Tiap langkah:",
        "#   no: nomor urut; kegiatan: apa yang dikerjakan; pelaksana: id kolom yang mengerjakan;",
        "#   asal_pelaksana: sumber (tertulis di dokumen asli) atau inferensi (disimpulkan; jelaskan di dasar_inferensi);",
        "#   simbol: mulai (langkah pertama), proses, keputusan (bercabang ya/tidak) atau selesai (langkah terakhir);",
        "#   kelengkapan, waktu, output: mutu baku (bahan yang dibutuhkan, waktu baku, hasil).",
        "#   waktu ditulis seperti \"15 menit\", \"2 jam 30 menit\", \"1,5 jam\", \"1-2 hari\", \"3 hari kalender\", \"-\".",
        "# Untuk keputusan: simbol: keputusan, ya: NOMOR, tidak: NOMOR (atau tidak: selesai bila ditolak).",
        "langkah:",
    ]
    last = len(draft.steps)
    for no, step in enumerate(draft.steps, 1):
        simbol = step.simbol or ("mulai" if no == 1 else "selesai" if no == last else "keputusan" if step.tidak else "proses")
        kelengkapan = step.kelengkapan if step.kelengkapan is not None else draft.steps[no - 2].output if no > 1 else "-"
        lanes = ", ".join(_q(lane) for lane in (step.lane, *step.more_lanes))
        lines += [
            *(f"  # {note}" for note in step.notes),
            f"  - no: {no}",
            f"    kegiatan: {_q(step.kegiatan)}",
            f"    pelaksana: [{lanes}]",
            *(["    asal_pelaksana: inferensi", f"    dasar_inferensi: {_q(step.dasar_inferensi)}"]
              if step.dasar_inferensi else ["    asal_pelaksana: sumber"]),
            f"    simbol: {simbol}",
            *([f"    ya: {step.ya or no + 1}", f"    tidak: {step.tidak}"] if simbol == "keputusan" else []),
            *([f"    berikutnya: {step.berikutnya}"] if step.berikutnya is not None else []),
            *([f"    paralel: [{', '.join(str(n) for n in step.paralel)}]"] if step.paralel else []),
            *([f"    sub_sop: {_q(step.sub_sop)}"] if step.sub_sop else []),
            f"    kelengkapan: {_q(kelengkapan)}",
            f"    waktu: {_q(step.waktu)}",
            f"    output: {_q(step.output)}",
            *([f"    keterangan: {_q(step.keterangan)}"] if step.keterangan else []),
            *([f"    dokumen: {_q(step.dokumen)}"] if step.dokumen else []),
        ]
    return "\n".join(lines) + "\n"


_LIST_COMMENTS = (
    ("dasar_hukum", "Peraturan yang menjadi dasar SOP."),
    ("kualifikasi_pelaksana", "Kualifikasi (pendidikan, pelatihan) yang dibutuhkan pelaksana."),
    ("keterkaitan", "SOP lain yang terkait."),
    ("peralatan_perlengkapan", "Peralatan dan perlengkapan yang dipakai."),
    ("peringatan", "Akibat bila SOP tidak dijalankan."),
    ("pencatatan_pendataan", "Apa yang dicatat dan didata."),
    ("penjelasan", "Paragraf penjelasan di bawah daftar."),
)


def _value(text: str | None) -> str:
    return "null" if text is None else _q(text)


def _notes(notes: dict[str, list[str]], key: str) -> list[str]:
    return [f"# {line}" for line in notes.get(key, ())]


def checked_text(draft: Draft, path: Path) -> str:
    """`draft_yaml(draft)`, validated as `sop validate` would validate the file at `path`.

    Raises:
        UsageError: (option "step") fewer than two steps or no lane.
        DefinitionError: the text does not validate (its problems name lines of the text).
    """
    if not draft.lanes:
        raise UsageError(_("an SOP needs at least one lane (pelaksana)"), option="lane")
    if len(draft.steps) < 2:
        raise UsageError(_("an SOP needs at least two steps (a start and an end)"), option="step")
    for no, step in enumerate(draft.steps, 1):
        if step.tidak is not None and no in (1, len(draft.steps)):
            raise UsageError(_("step {no} cannot be a decision: the first step starts and the last one ends "
                               "the process").format(no=no), option="step")
    text = draft_yaml(draft)
    from sop_cli.definition.loader import validate_data
    from sop_cli.definition.yamlfile import read_yaml

    validate_data(read_yaml(path, text.encode("utf-8")))
    return text


def inferred_jenis(lanes: list[LaneDraft], steps: list[StepDraft]) -> str:
    """The kind a file of these lanes and steps would be given without `jenis` (`sop new`'s default)."""
    from sop_cli.definition.graph import infer_jenis

    return infer_jenis({"pelaksana": [{"id": lane.id, "nama": lane.nama} for lane in lanes],
                        "langkah": [{"pelaksana": [step.lane]} for step in steps[:1]]})
