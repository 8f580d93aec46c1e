"""What an SOP AP document says, as read from it, before anything is guessed (`Source`).

The readers (`text` for the plain text copied out of a document, `word` for .docx) fill a
`Source`: the identity fields as written, the six lists, the lane names of the flowchart's header
row, and one `Row` per step with the marks found in each lane column. `draft` then makes an SOP
of it, and says where it had to guess. Every `Row` knows where it was read (`where`), so what
cannot be read is reported at its place.

A lane cell's marks are read by `read_mark`, which knows the marks `sop render` writes in a .docx
(`( Mulai ) → 2`, `[ ] → 3 + 4 (bersamaan)`, `< > YA → 10, TIDAK → 8`), the shapes of Word's
flowchart toolbar (given as `Mark.simbol` by the .docx reader), and what survives of a drawn
chart in copied text (`MULAI`, `SELESAI`, `↓`, `→`, a `TIDAK` or `YA` label).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LIST_TITLES: dict[str, str] = {
    "dasar hukum": "dasar_hukum",
    "kualifikasi pelaksana": "kualifikasi_pelaksana",
    "keterkaitan": "keterkaitan",
    "peralatan/perlengkapan": "peralatan_perlengkapan",
    "peralatan / perlengkapan": "peralatan_perlengkapan",
    "peralatan dan perlengkapan": "peralatan_perlengkapan",
    "peringatan": "peringatan",
    "pencatatan dan pendataan": "pencatatan_pendataan",
    "pencatatan & pendataan": "pencatatan_pendataan",
    "pencatatan/pendataan": "pencatatan_pendataan",
}
"""A list title as offices write it (lower case, without the colon) and the field it fills."""

IDENTITY: dict[str, str] = {
    "nomor sop": "nomor",
    "no. sop": "nomor",
    "nomor": "nomor",
    "tanggal pembuatan": "tanggal_pembuatan",
    "tgl. pembuatan": "tanggal_pembuatan",
    "tanggal revisi": "tanggal_revisi",
    "tgl. revisi": "tanggal_revisi",
    "tanggal pengesahan": "tanggal_pengesahan",
    "tgl. pengesahan": "tanggal_pengesahan",
    "tanggal efektif": "tanggal_efektif",
    "tgl. efektif": "tanggal_efektif",
    "disahkan oleh": "disahkan_oleh",
    "nama sop": "nama",
}
"""A label of the identity table and the field it fills."""

MUTU: dict[str, str] = {
    "kelengkapan": "kelengkapan", "kelengkapan dan peralatan": "kelengkapan", "persyaratan/kelengkapan": "kelengkapan",
    "persyaratan": "kelengkapan", "waktu": "waktu", "output": "output", "out put": "output", "keluaran": "output",
    "ket": "keterangan", "ket.": "keterangan", "keterangan": "keterangan",
}
"""A column title of the flowchart table's Mutu Baku (and Keterangan) and the field it fills."""

KEGIATAN = ("kegiatan", "uraian prosedur", "uraian kegiatan", "aktivitas", "uraian")
"""Titles of the Kegiatan column (the second column of the flowchart table)."""


def key(text: str) -> str:
    """A title as looked up: lower case, single spaces, no trailing colon."""
    return " ".join(text.lower().rstrip(":").split())


BLANK = re.compile(r"^[\s.…_\-:]*$")
"""A value left to fill ("……………", "-", ":"): nothing."""


def value(text: str | None) -> str | None:
    """`text` with its whitespace folded, or None when it is empty or a blank to fill."""
    if text is None:
        return None
    folded = " ".join(text.split())
    return None if BLANK.match(folded) else folded


@dataclass
class Mark:
    """What one lane cell of a step shows.

    Attributes:
        simbol: The shape: mulai, selesai, proses, keputusan; None when the cell only shows an
            arrow or a label (`↓`, `TIDAK`).
        next: Where its arrow leads: step numbers (several for `paralel`), "selesai", or ().
        ya, tidak: A decision's targets when the mark writes them (`YA → 10, TIDAK → 8`).
        labels: The words YA/TIDAK found alone in the cell (a branch drawn through it).
        text: The cell's text as read.
    """

    simbol: str | None = None
    next: tuple[int, ...] = ()
    parallel: bool = False
    ya: int | None = None
    tidak: int | str | None = None
    labels: tuple[str, ...] = ()
    text: str = ""

    @property
    def present(self) -> bool:
        """Whether the cell shows anything of the flowchart."""
        return bool(self.simbol or self.next or self.labels or self.ya or self.tidak)


_SHAPES = (
    (re.compile(r"\(\s*mulai\s*\)|^\s*mulai\b", re.I), "mulai"),
    (re.compile(r"\(\s*selesai\s*\)|^\s*selesai\b", re.I), "selesai"),
    (re.compile(r"<\s*>|^\s*keputusan\b", re.I), "keputusan"),
    (re.compile(r"\[\s*\]|^\s*proses\b", re.I), "proses"),
)
_TO = r"\s*(?:→|->|:)?\s*(?:kembali\s+)?(?:ke\s+)?(?:langkah\s+)?(?:proses\s+)?"
_YA_TIDAK = re.compile(rf"\bya{_TO}(\d+)\s*[,;·.]?\s*tidak{_TO}(\d+|selesai)", re.I)
_ARROW = re.compile(r"(?:→|->)\s*(\d+(?:\s*\+\s*\d+)*)(\s*\(bersamaan\))?")
_LABEL = re.compile(r"\b(ya|tidak)\b", re.I)


def read_mark(text: str, simbol: str | None = None) -> Mark:
    """The mark a lane cell shows, from its text (and the shape the .docx reader found, if any)."""
    text = " ".join(text.split())
    mark = Mark(simbol=simbol, text=text)
    for pattern, kind in _SHAPES:
        if mark.simbol is None and pattern.search(text):
            mark.simbol = kind
    decision = _YA_TIDAK.search(text)
    if decision:
        mark.simbol = "keputusan"
        mark.ya = int(decision.group(1))
        tidak = decision.group(2).lower()
        mark.tidak = "selesai" if tidak == "selesai" else int(tidak)
        return mark
    arrow = _ARROW.search(text)
    if arrow:
        mark.next = tuple(int(n) for n in re.findall(r"\d+", arrow.group(1)))
        mark.parallel = bool(arrow.group(2)) or len(mark.next) > 1
    elif re.search(r"[↓→⟶➔➜⬇]", text) and mark.simbol is None:
        mark.simbol = "proses"  # an arrow alone in a lane: the step is drawn there
    mark.labels = tuple(word.upper() for word in _LABEL.findall(text))
    return mark


@dataclass
class Row:
    """One step row of the flowchart table, as written.

    Attributes:
        no: The number as written ("9", "9.").
        where: Where it was read, for messages ("baris 31", "tabel 3, baris 11").
        kegiatan, kelengkapan, waktu, output, keterangan: The texts as written.
        marks: Lane index (from 0, the header's order) to what the cell shows; a lane absent shows nothing.
        lanes_lost: The row's lane cells could not be placed under the header's lanes.
        sub_sop: The SOP that does the step, when the document names one.
    """

    no: str
    where: str
    kegiatan: str
    kelengkapan: str | None = None
    waktu: str | None = None
    output: str | None = None
    keterangan: str | None = None
    marks: dict[int, Mark] = field(default_factory=dict)
    lanes_lost: bool = False
    sub_sop: str | None = None


@dataclass
class Source:
    """An SOP AP document as read: nothing guessed yet.

    `problems` are located messages about what could not be read; `notes` what the reader noticed
    and the person should check (both in Indonesian: they end up in the draft and on screen).
    """

    path: str
    kind: str  # "teks" or "docx"
    pemerintah: str | None = None
    unit: str | None = None
    alamat: str | None = None
    judul: str | None = None
    fields: dict[str, str | None] = field(default_factory=dict)
    pengesah: list[str] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)
    penjelasan: list[str] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    external: set[int] = field(default_factory=set)
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def list_items(text: str) -> list[str]:
    """The items of a list cell: numbered `1. … 2. …` (on one line or several), `- …` bullets,
    HTML fragments (`<ol>`, `<li>`, `<p>`) as copied text keeps them, or one item; "-" is none."""
    text = re.sub(r"<\s*/?\s*(ol|ul|li|p|br|div|span)\b[^>]*>", "\n", text, flags=re.I)
    text = text.replace("\t", " ")
    flat = " ".join(text.split())
    if not flat or BLANK.match(flat):
        return []
    numbered = _numbered(flat)
    if numbered:
        return numbered
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(re.match(r"^[-•·▪●]\s", line) for line in lines):
        return [line[1:].strip() for line in lines]
    bullets = re.split(r"(?:^|\s)[-•▪●]\s+", flat)
    if flat[:1] in "-•▪●" and len(bullets) > 1:
        return [b.strip() for b in bullets if b.strip()]
    return lines if len(lines) > 1 else [flat]


def _numbered(flat: str) -> list[str]:
    """Items numbered 1., 2., 3. … in order (a number inside an item, `Nomor 8`, never splits it)."""
    if not re.match(r"^1[.)]\s", flat):
        return []
    starts = [0]
    position = 0
    n = 2
    while True:
        found = re.compile(rf"(?:^|\s){n}[.)]\s").search(flat, position + 1)
        if not found:
            break
        starts.append(found.start() + (1 if flat[found.start()].isspace() else 0))
        position = found.start() + 1
        n += 1
    items = [flat[a:b].strip() for a, b in zip(starts, [*starts[1:], len(flat)], strict=True)]
    return [re.sub(r"^\d+[.)]\s*", "", item).strip() for item in items if item]
