"""The flow of an imported SOP: each step's lane, symbol, next step and decision, read off the marks
of its row (`Source.rows`), and guessed, with its ground, where the document lost them.

- a step's lane when its mark was lost: the lane an `oleh Camat` names, the head's lane for the
  first order (disposisi), the lane of the step before, and after the head's own step the lane the
  kegiatan's words name or the one that did most steps (asal_pelaksana: inferensi);
- a decision where the marks were lost: a `TIDAK` label left in a row is the rejected branch of
  the next checking step (mengoreksi, memeriksa …) back to that row; a checking step with no mark
  at all is a decision back to the step before; a diamond without targets goes YA on, TIDAK back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sop_cli.definition.authoring import LaneDraft, StepDraft, check_waktu
from sop_cli.definition.importer.source import Row, Source

_CHECKING = re.compile(r"^(mengoreksi|memeriksa|meneliti|memverifikasi|verifikasi|menelaah|mengecek|koreksi|"
                       r"pemeriksaan|penelitian|mengevaluasi|menyetujui|memvalidasi|validasi)\b", re.I)
_HEADS = ("kepala", "kadis", "kaban", "kaban.", "kadin", "camat", "lurah", "bupati", "walikota", "sekda", "direktur")
_SUFFIX = re.compile(r"\s*(YA: langkah \d+ · TIDAK: .*|Bersamaan: langkah .* menunggu semuanya)$")
_SUB_SOP = re.compile(r"\s*Sub-SOP:\s*(\S+)\s*$")


def read_steps(source: Source, lanes: list[LaneDraft], jabatan: str | None, checks: list[str]) -> list[StepDraft]:
    """The steps of `source` as drafts, numbered 1, 2, 3 …; each guess is a comment on its step and a
    located line appended to `checks`; what cannot be read at all goes to `source.problems`."""
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
