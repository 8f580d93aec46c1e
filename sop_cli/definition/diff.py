"""What changed between two versions of an SOP, in the words of the SOP (`sop diff`).

A revision of an SOP is a legal act (it carries a *tanggal revisi*), so the comparison speaks the
document's own words: the identity fields, the six lists, the pelaksana, and each step's
Kegiatan, Pelaksana and Mutu Baku. Steps are matched by their Kegiatan, not their number, so a
step inserted at 3 shows as one step added, not as every later step changed; a step whose text
changed in place is matched by position among the unmatched ones.

Works on the JSON form of definitions (`model.plain`): no pydantic, no graph.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from sop_cli.definition.graph import LISTS

JSON = Mapping[str, Any]

HEADER: tuple[tuple[str, str], ...] = (
    ("nama", "Nama SOP"),
    ("judul", "Judul"),
    ("nomor", "Nomor SOP"),
    ("tanggal_pembuatan", "Tanggal Pembuatan"),
    ("tanggal_revisi", "Tanggal Revisi"),
    ("tanggal_pengesahan", "Tanggal Pengesahan"),
    ("tanggal_efektif", "Tanggal Efektif"),
)
STEP_FIELDS: tuple[tuple[str, str], ...] = (
    ("kegiatan", "Kegiatan"),
    ("pelaksana", "Pelaksana"),
    ("simbol", "Simbol"),
    ("kelengkapan", "Mutu Baku: Kelengkapan"),
    ("waktu", "Mutu Baku: Waktu"),
    ("output", "Mutu Baku: Output"),
    ("keterangan", "Keterangan"),
    ("berikutnya", "Langkah berikutnya"),
    ("ya", "YA ke langkah"),
    ("tidak", "TIDAK ke langkah"),
    ("paralel", "Langkah bersamaan"),
    ("sub_sop", "Sub-SOP"),
)


class FieldChange(TypedDict):
    """One field whose value differs; `old`/`new` None when the field is empty on that side."""

    field: str
    label: str
    old: Any
    new: Any


class ListChange(TypedDict):
    """Items added to and removed from one list (dasar hukum, pelaksana...)."""

    field: str
    label: str
    added: list[str]
    removed: list[str]


class StepChange(TypedDict):
    """A step added, removed or changed; `old_no`/`new_no` its number in each version (None: absent)."""

    change: Literal["added", "removed", "changed"]
    old_no: int | None
    new_no: int | None
    kegiatan: str
    fields: list[FieldChange]


class SopDiff(TypedDict):
    """Everything that differs between two versions; `same` when nothing does."""

    old: str
    new: str
    header: list[FieldChange]
    lists: list[ListChange]
    steps: list[StepChange]
    same: bool


def _key(text: str) -> str:
    return " ".join(str(text).split()).lower()


def match_steps(old: Sequence[JSON], new: Sequence[JSON]) -> list[tuple[JSON | None, JSON | None]]:
    """Pairs (old step, new step) in the order of the new version, None where a side has none.

    Equal Kegiatan match first (longest common run); within a block of unmatched steps, steps
    pair up by position (an edit in place) and the surplus is added or removed.
    """
    matcher = difflib.SequenceMatcher(a=[_key(s["kegiatan"]) for s in old],
                                      b=[_key(s["kegiatan"]) for s in new], autojunk=False)
    pairs: list[tuple[JSON | None, JSON | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(old[i1:i2], new[j1:j2], strict=True))
            continue
        left, right = list(old[i1:i2]), list(new[j1:j2])
        common = min(len(left), len(right)) if tag == "replace" else 0
        pairs.extend(zip(left[:common], right[:common], strict=True))
        pairs.extend((s, None) for s in left[common:])
        pairs.extend((None, s) for s in right[common:])
    return pairs


def _lane_names(sop: JSON) -> dict[str, str]:
    return {lane["id"]: lane["nama"] for lane in sop.get("pelaksana") or []}


def _step_value(sop: JSON, step: JSON, field: str) -> Any:
    value = step.get(field)
    if field == "pelaksana":
        names = _lane_names(sop)
        order = list(names)  # the columns' order: [kabid, tim] and [tim, kabid] are the same people
        lanes = sorted(value or [], key=lambda lane: order.index(lane) if lane in order else len(order))
        return ", ".join(names.get(lane, lane) for lane in lanes)
    if field == "paralel":
        return ", ".join(str(no) for no in value) if value else None
    if field == "waktu" and isinstance(value, str):
        from sop_cli.definition.duration import display_waktu

        return display_waktu(value)  # as every screen and document shows it: "10 Menit" is "10 menit"
    return value


def _step_changes(old_sop: JSON, new_sop: JSON, old: JSON, new: JSON, renumber: Mapping[int, int]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    if old["no"] != new["no"]:
        changes.append({"field": "no", "label": "No", "old": old["no"], "new": new["no"]})
    for field, label in STEP_FIELDS:
        before, after = _step_value(old_sop, old, field), _step_value(new_sop, new, field)
        if field in ("berikutnya", "ya", "tidak") and isinstance(before, int) and renumber.get(before) == after:
            continue  # a link that only follows a renumbering is no change of the flow
        if field == "paralel" and before and after and [renumber.get(n, n) for n in old["paralel"]] == new["paralel"]:
            continue  # the same split, renumbered
        if before != after:
            changes.append({"field": field, "label": label, "old": before, "new": after})
    return changes


def _list_change(field: str, label: str, old: Sequence[str], new: Sequence[str]) -> ListChange | None:
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    if not added and not removed:
        return None
    return {"field": field, "label": label, "added": added, "removed": removed}


def _nested(prefix: str, label: str, old: JSON | None, new: JSON | None) -> list[FieldChange]:
    old, new = old or {}, new or {}
    changes: list[FieldChange] = []
    for key in dict.fromkeys([*old, *new]):
        if old.get(key) != new.get(key):
            changes.append({"field": f"{prefix}.{key}", "label": f"{label}: {key}", "old": old.get(key),
                            "new": new.get(key)})
    return changes


def diff_sops(old: JSON, new: JSON, *, old_name: str = "old", new_name: str = "new") -> SopDiff:
    """What differs between two versions of an SOP (JSON forms), in the SOP's words."""
    header: list[FieldChange] = []
    if (old["organisasi"]["wilayah"], old["organisasi"]["id"], old["id"]) != (
            new["organisasi"]["wilayah"], new["organisasi"]["id"], new["id"]):
        header.append({"field": "id", "label": "SOP", "old": _qualified(old), "new": _qualified(new)})
    header += [{"field": f, "label": label, "old": old.get(f), "new": new.get(f)}
               for f, label in HEADER if old.get(f) != new.get(f)]
    header += _nested("disahkan_oleh", "Disahkan oleh", old.get("disahkan_oleh"), new.get("disahkan_oleh"))
    header += _nested("organisasi", "Organisasi", old.get("organisasi"), new.get("organisasi"))

    lists = [change for field, label in (*LISTS, ("penjelasan", "Penjelasan"))
             if (change := _list_change(field, label, old.get(field) or [], new.get(field) or []))]
    old_lanes, new_lanes = _lane_names(old), _lane_names(new)
    lanes = _list_change("pelaksana", "Pelaksana",
                         [f"{n} ({i})" for i, n in old_lanes.items()], [f"{n} ({i})" for i, n in new_lanes.items()])
    if lanes:
        lists.append(lanes)

    pairs = match_steps(old["langkah"], new["langkah"])
    renumber = {a["no"]: b["no"] for a, b in pairs if a is not None and b is not None}
    steps: list[StepChange] = []
    for before, after in pairs:
        if before is None and after is not None:
            steps.append({"change": "added", "old_no": None, "new_no": after["no"], "kegiatan": after["kegiatan"],
                          "fields": [{"field": f, "label": label, "old": None, "new": _step_value(new, after, f)}
                                     for f, label in STEP_FIELDS if after.get(f) not in (None, "")]})
        elif after is None and before is not None:
            steps.append({"change": "removed", "old_no": before["no"], "new_no": None,
                          "kegiatan": before["kegiatan"], "fields": []})
        elif before is not None and after is not None:
            fields = _step_changes(old, new, before, after, renumber)
            if fields:
                steps.append({"change": "changed", "old_no": before["no"], "new_no": after["no"],
                              "kegiatan": after["kegiatan"], "fields": fields})
    return {"old": old_name, "new": new_name, "header": header, "lists": lists, "steps": steps,
            "same": not (header or lists or steps)}


def _qualified(sop: JSON) -> str:
    return f"{sop['organisasi']['wilayah']}/{sop['organisasi']['id']}/{sop['id']}"
