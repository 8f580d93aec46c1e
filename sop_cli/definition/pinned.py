"""The pinned forms: what a run stores of its SOP definition and of its calendar, with a format version.

A run keeps the definition it started with (the store's `pinned` table), so editing the YAML file
later never changes it. The YAML format will change (a field renamed, a list restructured); the
stored copies cannot, because the event log and its hashes are append-only. So the pinned text
says which format it is in, and every reader goes through `read_pinned`, which upgrades an older
form step by step to the current one before anything else sees it:

- format 1 (every run started before the version existed): the bare JSON form of the definition,
  `SopDefinition.model_dump(mode="json")`, with no version key;
- format 2: `{"pinned_format": 2, "definition": <the JSON form>}`;
- format 3 (`PINNED_FORMAT`): the same, in the fields of issue 12: `organisasi.jam_kerja` (office
  hours), `organisasi.hari_libur[].setiap_tahun` and a `tanggal` that may be "DD-MM" (yearly days
  off), a `tidak` that may be "selesai" (a TIDAK that ends the process), and the wider forms of
  `waktu`. A format-2 definition has none of them; its upgrade writes in the defaults.
- format 4: steps done at the same time (`langkah[].paralel`), a step done by another SOP
  (`langkah[].sub_sop`) and lanes outside the office (`pelaksana[].eksternal`); a format-3
  definition had none, which its upgrade writes in (`[]`, `null`, `false`).
- format 5: the monitoring form's tolerance (`toleransi`); a format-4 definition had none
  (`null`: every overrun left to the assessor).

When the definition's fields change, add format N+1: bump `PINNED_FORMAT` and add an upgrade
function from N to `_UPGRADES` that rewrites the old `definition` into the new fields. Old upgrade
functions never change (they describe formats that no longer move).

A run's calendar (its zone and the days off it pinned, `engine.pinned_calendar`) follows the same
rule with its own numbers: format 1 is the object written before versions existed, format 2 the
same object with `"pinned_format": 2` in it, format 3 (`CALENDAR_FORMAT`) adds the office hours
(`hours`: weekday 0-6 to [[from, to], ...], `day_minutes`: one "hari" in minutes), `periods` with
hours of their own (Ramadan: [{from, to, hours}]) and `yearly_days_off` (["DD-MM", ...]); a
format-2 calendar had the ASN week and neither, which its upgrade writes in. `upgrade_calendar`
reads any.
Standard library only: reading a run must not import pydantic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sop_cli.errors import StoreError
from sop_cli.i18n import N_, _

PINNED_FORMAT = 5
"""The format `pin_text` writes."""

Pinned = dict[str, Any]
"""A pinned form as JSON data: `{"pinned_format": N, "definition": {...}}` (format 1: the bare definition)."""


def _from_1(bare: Pinned) -> Pinned:
    """Format 1 was the definition itself; format 2 wraps it with its version."""
    return {"pinned_format": 2, "definition": bare}


def _from_2(pinned: Pinned) -> Pinned:
    """Format 3 added `organisasi.jam_kerja` (None: the ASN week) and `hari_libur[].setiap_tahun`
    (False: once); a format-2 definition meant exactly these defaults."""
    definition = dict(pinned.get("definition") or {})
    org = definition.get("organisasi")
    if isinstance(org, dict):
        days = [{"setiap_tahun": False, **day} if isinstance(day, dict) else day
                for day in org.get("hari_libur") or []]
        definition["organisasi"] = {"jam_kerja": None, **org, "hari_libur": days}
    return {**pinned, "pinned_format": 3, "definition": definition}


def _from_3(pinned: Pinned) -> Pinned:
    """Format 4 added `langkah[].paralel` ([]: no split), `langkah[].sub_sop` (None) and
    `pelaksana[].eksternal` (False: inside the office); a format-3 definition meant these defaults."""
    definition = dict(pinned.get("definition") or {})
    if isinstance(definition.get("langkah"), list):
        definition["langkah"] = [{"paralel": [], "sub_sop": None, **row} if isinstance(row, dict) else row
                                 for row in definition["langkah"]]
    if isinstance(definition.get("pelaksana"), list):
        definition["pelaksana"] = [{"eksternal": False, **lane} if isinstance(lane, dict) else lane
                                   for lane in definition["pelaksana"]]
    return {**pinned, "pinned_format": 4, "definition": definition}


def _from_4(pinned: Pinned) -> Pinned:
    """Format 5 added `toleransi` (None: no tolerance, every overrun is the assessor's to judge);
    a format-4 definition meant exactly that."""
    definition = dict(pinned.get("definition") or {})
    return {**pinned, "pinned_format": 5, "definition": {"toleransi": None, **definition}}


_UPGRADES: dict[int, Callable[[Pinned], Pinned]] = {1: _from_1, 2: _from_2, 3: _from_3, 4: _from_4}
"""Format N to the function turning a format-N pinned form into format N+1."""

CALENDAR_FORMAT = 3
"""The format `engine.pinned_calendar` writes."""


def _calendar_from_1(bare: Pinned) -> Pinned:
    """Format 1 had no version; format 2 is the same object saying so."""
    return {**bare, "pinned_format": 2}


_ASN_WEEK_2 = {
    **{str(day): [["07:30", "12:00"], ["13:00", "16:00"]] for day in range(4)},
    "4": [["07:30", "11:30"], ["13:00", "16:30"]],
}
"""The office hours every format-2 calendar meant (Perpres 21/2023), written out: this history does
not follow later changes of the default."""


def _calendar_from_2(pinned: Pinned) -> Pinned:
    """Format 2 always meant the ASN week, no periods of other hours and no yearly days off."""
    return {**pinned, "pinned_format": 3, "hours": _ASN_WEEK_2, "day_minutes": 450, "periods": [],
            "yearly_days_off": []}


_CALENDAR_UPGRADES: dict[int, Callable[[Pinned], Pinned]] = {1: _calendar_from_1, 2: _calendar_from_2}


def pin_text(definition: Mapping[str, Any]) -> str:
    """The text a run pins for `definition` (its JSON form): current format, canonical JSON."""
    pinned = {"pinned_format": PINNED_FORMAT, "definition": dict(definition)}
    return json.dumps(pinned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_of(pinned: Mapping[str, Any]) -> int:
    """The format of a pinned form (1 when it has no version: written before versions existed)."""
    version = pinned.get("pinned_format", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoreError(_("A pinned SOP definition has format {version}; the store is damaged.").format(
            version=repr(version)),
            details={"problem": _("its pinned SOP definition has format {version}").format(version=repr(version))})
    return version


def upgrade(pinned: Mapping[str, Any]) -> Pinned:
    """A pinned definition in the current format, upgraded one format at a time.

    Raises:
        StoreError: The form is newer than this `sop` knows (written by a later version) or its
            version is not a format number.
    """
    return _upgrade(pinned, PINNED_FORMAT, _UPGRADES, N_("A run's SOP definition was pinned in format {version}, "
                                                         "newer than this version of sop reads (up to {current}); "
                                                         "upgrade sop to read it."),
                    N_("its SOP definition was pinned in format {version}, newer than this version of sop reads "
                       "(up to {current}); upgrade sop to read it"))


def upgrade_calendar(pinned: Mapping[str, Any]) -> Pinned:
    """A pinned calendar in the current format (see `upgrade`)."""
    return _upgrade(pinned, CALENDAR_FORMAT, _CALENDAR_UPGRADES, N_("A run's calendar was pinned in format {version}, "
                                                                     "newer than this version of sop reads (up to "
                                                                     "{current}); upgrade sop to read it."),
                    N_("its calendar was pinned in format {version}, newer than this version of sop reads "
                       "(up to {current}); upgrade sop to read it"))


def _upgrade(pinned: Mapping[str, Any], current: int, upgrades: Mapping[int, Callable[[Pinned], Pinned]],
             too_new: str, problem: str) -> Pinned:
    version = format_of(pinned)
    if version > current:
        raise StoreError(_(too_new).format(version=version, current=current),
                         details={"problem": _(problem).format(version=version, current=current)})
    form: Pinned = dict(pinned)
    while version < current:
        form = upgrades[version](form)
        version = format_of(form)
    return form


def read_pinned(text: str) -> Mapping[str, Any]:
    """The definition (its JSON form, in today's fields) from the pinned text of any format.

    Raises:
        StoreError: The text is not a pinned definition, or its format is unknown.
    """
    try:
        pinned = json.loads(text)
    except ValueError:
        raise StoreError(_("A run's pinned SOP definition is not JSON; the store is damaged."),
                         details={"problem": _("its pinned SOP definition is not JSON")}) from None
    if not isinstance(pinned, dict):
        raise StoreError(_("A run's pinned SOP definition is not a JSON object; the store is damaged."),
                         details={"problem": _("its pinned SOP definition is not a JSON object")})
    definition = upgrade(pinned).get("definition")
    if not isinstance(definition, dict):
        raise StoreError(_("A run's pinned SOP definition has no definition in it; the store is damaged."),
                         details={"problem": _("its pinned SOP definition has no definition in it")})
    return definition
