"""The pinned form of a definition: what a run stores of its SOP, with a format version.

A run keeps the definition it started with (the store's `pinned` table), so editing the YAML file
later never changes it. The YAML format will change (a field renamed, a list restructured); the
stored copies cannot, because the event log and its hashes are append-only. So the pinned text
says which format it is in, and every reader goes through `read_pinned`, which upgrades an older
form step by step to the current one before anything else sees it:

- format 1 (every run started before the version existed): the bare JSON form of the definition,
  `SopDefinition.model_dump(mode="json")`, with no version key;
- format 2 (`PINNED_FORMAT`): `{"pinned_format": 2, "definition": <the JSON form>}`.

When the definition's fields change, add format N+1: bump `PINNED_FORMAT` and add an upgrade
function from N to `_UPGRADES` that rewrites the old `definition` into the new fields. Old upgrade
functions never change (they describe formats that no longer move).
Standard library only: reading a run must not import pydantic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sop_cli.errors import StoreError

PINNED_FORMAT = 2
"""The format `pin_text` writes."""

Pinned = dict[str, Any]
"""A pinned form as JSON data: `{"pinned_format": N, "definition": {...}}` (format 1: the bare definition)."""


def _from_1(bare: Pinned) -> Pinned:
    """Format 1 was the definition itself; format 2 wraps it with its version."""
    return {"pinned_format": 2, "definition": bare}


_UPGRADES: dict[int, Callable[[Pinned], Pinned]] = {1: _from_1}
"""Format N to the function turning a format-N pinned form into format N+1."""


def pin_text(definition: Mapping[str, Any]) -> str:
    """The text a run pins for `definition` (its JSON form): current format, canonical JSON."""
    pinned = {"pinned_format": PINNED_FORMAT, "definition": dict(definition)}
    return json.dumps(pinned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_of(pinned: Mapping[str, Any]) -> int:
    """The format of a pinned form (1 when it has no version: written before versions existed)."""
    version = pinned.get("pinned_format", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoreError(f"A pinned SOP definition has format {version!r}; the store is damaged.")
    return version


def upgrade(pinned: Mapping[str, Any]) -> Pinned:
    """A pinned form in the current format, upgraded one format at a time.

    Raises:
        StoreError: The form is newer than this `sop` knows (written by a later version) or its
            version is not a format number.
    """
    version = format_of(pinned)
    if version > PINNED_FORMAT:
        raise StoreError(
            f"A run's SOP definition was pinned in format {version}, newer than this version of sop "
            f"reads (up to {PINNED_FORMAT}); upgrade sop to read it."
        )
    form: Pinned = dict(pinned)
    while version < PINNED_FORMAT:
        form = _UPGRADES[version](form)
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
        raise StoreError("A run's pinned SOP definition is not JSON; the store is damaged.") from None
    if not isinstance(pinned, dict):
        raise StoreError("A run's pinned SOP definition is not a JSON object; the store is damaged.")
    definition = upgrade(pinned).get("definition")
    if not isinstance(definition, dict):
        raise StoreError("A run's pinned SOP definition has no definition in it; the store is damaged.")
    return definition
