"""The plain text an SOP AP document becomes when copied out of Word or a PDF viewer.

Table cells survive as tabs, lists as numbered lines or HTML fragments (`<ol …> 1. … 2. …`),
bold as `**`, and the flowchart drawn in the lane columns as whatever text it had (`MULAI`, `↓`,
a `TIDAK` label) in the column of its lane. Lines are read in order: the kop (PEMERINTAH …, the
unit), the identity rows (`Nomor SOP<TAB>:<TAB>…`), the six lists (titles alone or two to a row),
then the flowchart table (a header row `No<TAB>Kegiatan…`, a row of lane names, step rows).
"""

from __future__ import annotations

import re

from sop_cli.definition.importer.source import (
    IDENTITY,
    KEGIATAN,
    LIST_TITLES,
    MUTU,
    Row,
    Source,
    key,
    list_items,
    read_mark,
    value,
)

_UNIT_WORDS = ("KECAMATAN", "KELURAHAN", "DESA", "DINAS", "BADAN", "SEKRETARIAT", "INSPEKTORAT", "SATUAN",
               "KANTOR", "BAGIAN", "RUMAH SAKIT", "RSUD", "UPTD", "UPT", "PUSKESMAS", "BIRO", "KOTA", "KABUPATEN")
_NO = re.compile(r"^\s*(\d{1,4})\.?\s*$")


def _cells(line: str) -> list[str]:
    return [" ".join(cell.split()) for cell in line.split("\t")]



def read_text(text: str, path: str) -> Source:
    """The `Source` of a document's copied text."""
    source = Source(path=path, kind="teks")
    lines = [line.replace("**", "").replace("\r", "") for line in text.split("\n")]
    table = next((i for i, line in enumerate(lines) if _is_table_header(line)), None)
    head = lines if table is None else lines[:table]
    _kop(source, head)
    identity_lines(source, head)
    list_lines(source, head)
    if table is None:
        source.problems.append("tidak ada tabel alur: tidak ditemukan baris judul tabel (\"No<TAB>Kegiatan …\")")
        return source
    _flow_title(source, head)
    _table(source, lines, table)
    return source


def _kop(source: Source, lines: list[str]) -> None:
    texts = [" ".join(line.split()) for line in lines]
    for i, line in enumerate(texts):
        if line.upper().startswith("PEMERINTAH ") and source.pemerintah is None:
            source.pemerintah = line
            for later in texts[i + 1:i + 12]:
                if later.isupper() and later.startswith(_UNIT_WORDS) and not later.startswith(("PEMERINTAH",)):
                    source.unit = later
                    break
    block: list[str] = []
    for line in texts[:40]:
        if line.upper().startswith(("SOP ", "STANDAR OPERASIONAL")) or (block and line.isupper() and line
                                                                          and not line.startswith(_UNIT_WORDS)):
            block.append(line)
        elif block:
            break
    if block:
        source.judul = " ".join(block)


def identity_lines(source: Source, lines: list[str]) -> None:
    """The identity fields of lines `Label<TAB>:<TAB>value` or `Label : value` (a field read before is kept)."""
    for line in lines:
        labelled = re.match(r"^\s*([^:\t]{3,40}?)\s*:\s*(.*)$", line) if "\t" not in line else None
        if labelled and IDENTITY.get(key(labelled.group(1))):
            line = f"{labelled.group(1)}\t{labelled.group(2)}"
        cells = [c for c in _cells(line) if c and c != ":"]
        for i, cell in enumerate(cells):
            field = IDENTITY.get(key(cell))
            if field and field not in source.fields:
                rest = " ".join(c.lstrip(": ").strip() for c in cells[i + 1:])
                source.fields[field] = value(rest)
                if field == "disahkan_oleh" and value(rest):
                    source.pengesah = [rest]
                break


def list_lines(source: Source, lines: list[str]) -> None:
    """The six lists of lines: a title alone or two to a line (tab between), then their items."""
    raw: dict[str, list[str]] = {}
    _list_cells(raw, lines)
    for field, cells in raw.items():
        _add(source, field, "\n".join(cells))


def _list_cells(raw: dict[str, list[str]], lines: list[str]) -> None:
    current: list[str] = []
    for line in lines:
        cells = _cells(line)
        titles = [c for c in cells if c]
        fields = [LIST_TITLES.get(key(c)) for c in titles]
        if titles and all(fields):
            current = [f for f in fields if f]
            for f in current:
                raw.setdefault(f, [])
            continue
        if not current or not line.strip() or IDENTITY.get(key(titles[0] if titles else "")):
            continue
        if key(line).startswith(("sop ", "standar operasional")) and "\t" not in line:
            current = []
            continue
        if len(current) == 1:
            raw[current[0]].append(" ".join(titles))
        else:
            for field, cell in zip(current, [c for c in line.split("\t")], strict=False):
                raw[field].append(cell)


def _add(source: Source, field: str, cell: str) -> None:
    explanation = re.split(r"(?:<p>\s*)?Penjelasan\s*:\s*(?:</p>)?", cell, maxsplit=1, flags=re.I)
    if len(explanation) == 2:
        cell = explanation[0]
        paragraphs = re.split(r"<\s*/?\s*p\s*>", explanation[1])
        source.penjelasan += [" ".join(p.split()) for p in paragraphs if p.strip()]
    source.lists[field] = list_items(cell)


def _is_table_header(line: str) -> bool:
    cells = [key(c) for c in line.split("\t")]
    return len(cells) >= 3 and cells[0] in ("no", "no.", "nomor") and cells[1] in KEGIATAN


def _flow_title(source: Source, lines: list[str]) -> None:
    """The title printed above the flowchart (`SOP Penyusunan Renja`): the judul, in its own case."""
    for line in reversed(lines):
        text = " ".join(line.split())
        if text:
            if text.upper().startswith(("SOP", "STANDAR OPERASIONAL")) and "\t" not in line:
                if not text.isupper() or not source.judul:
                    source.judul = text
            return


def _table(source: Source, lines: list[str], start: int) -> None:
    lanes_line = lines[start + 1] if start + 1 < len(lines) else ""
    header = _cells(lanes_line)
    mutu_at = next((i for i, c in enumerate(header) if i >= 2 and key(c) in MUTU), len(header))
    source.lanes = [c for c in header[2:mutu_at] if c]
    top = _cells(lines[start])
    mutu = [MUTU[key(c)] for c in header[mutu_at:] if key(c) in MUTU]
    if "keterangan" not in mutu and any(key(c) in ("ket", "ket.", "keterangan") for c in top):
        mutu.append("keterangan")
    if not source.lanes:
        source.problems.append(f"baris {start + 2}: tidak ada nama pelaksana di baris kedua judul tabel alur")
        return
    if [m for m in mutu if m != "keterangan"] != ["kelengkapan", "waktu", "output"]:
        source.notes.append(f"baris {start + 2}: kolom mutu baku tidak terbaca seperti biasa ({', '.join(header[mutu_at:])}); "
                            "dianggap Kelengkapan, Waktu, Output, Keterangan")
        mutu = ["kelengkapan", "waktu", "output", "keterangan"]
    width = 2 + len(source.lanes) + len(mutu)
    for number, line in enumerate(lines[start + 2:], start + 3):
        cells = line.split("\t")
        if _is_table_header(line) or not line.strip() or _lanes_again(cells, source.lanes):
            continue
        if all(_NO.match(c) for c in cells if c.strip()) and len(cells) > 3:
            continue  # the row numbering the columns (1 2 3 … 10)
        match = _NO.match(cells[0])
        if not match or len(cells) < 2 + len(mutu):
            if source.rows and "\t" not in line:
                source.rows[-1].kegiatan += " " + " ".join(line.split())  # a cell's text broken over lines
            elif line.strip():
                source.notes.append(f"baris {number}: tidak terbaca sebagai langkah, dilewati: {line.strip()[:60]!r}")
            continue
        row = Row(no=match.group(1), where=f"baris {number}", kegiatan=" ".join(cells[1].split()))
        tail = cells[len(cells) - len(mutu):]
        for name, cell in zip(mutu, tail, strict=True):
            setattr(row, name, " ".join(cell.split()) or None)  # "-" is a value here (waktu "-": no fixed time)
        middle = cells[2:len(cells) - len(mutu)]
        if len(cells) == width:
            for lane, cell in enumerate(middle):
                mark = read_mark(cell)
                if mark.present:
                    row.marks[lane] = mark
        else:
            row.lanes_lost = True
            found = [c.strip() for c in middle if c.strip()]
            if found:
                source.notes.append(f"{row.where} (langkah {row.no}): tanda {', '.join(found)} ada, tetapi kolom pelaksananya "
                                    f"tidak dapat ditentukan ({len(middle)} kolom, tabel punya {len(source.lanes)})")
        source.rows.append(row)


def _lanes_again(cells: list[str], lanes: list[str]) -> bool:
    names = [" ".join(c.split()) for c in cells if c.strip()]
    return bool(names) and all(n in lanes or key(n) in MUTU for n in names)
