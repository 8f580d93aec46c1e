"""The catalog: every SOP file `sop` can see, and how a name on the command line picks one.

An SOP is named by its qualified id (`nganjuk/kecamatan-ngronggot/renja`), by `organisasi/id`,
or by its short id (`renja`) plus an organisation (`--org ngronggot`, `SOP_ORG`, or the default
set with `sop org use`). A short id that fits several SOPs is an error listing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sop_cli.errors import AmbiguousError, DefinitionError, NotFoundError
from sop_cli.paths import catalog_roots


@dataclass(frozen=True)
class Entry:
    """A valid SOP file: where it is and what it defines."""

    path: Path
    sop: Any  # SopDefinition

    @property
    def qualified_id(self) -> str:
        return str(self.sop.qualified_id)


@dataclass
class Catalog:
    """Valid entries plus the files that failed, so one broken file never hides the others."""

    entries: list[Entry] = field(default_factory=list)
    errors: list[DefinitionError] = field(default_factory=list)

    def resolve(self, name: str, org: str | None = None) -> Entry:
        """The one entry `name` (and `org`) designate; NotFound/Ambiguous errors list what exists."""
        from sop_cli.settings import default_org

        if "/" in name:
            matches = [e for e in self.entries if e.qualified_id == name or e.qualified_id.endswith("/" + name)]
            return self._one(name, matches, None)
        matches = [e for e in self.entries if e.sop.id == name]
        chosen_org = org or (default_org() if len(matches) > 1 else None)
        if chosen_org:
            matches = [e for e in matches if org_matches(e.sop, chosen_org)]
        return self._one(name, matches, chosen_org)

    def _one(self, name: str, matches: list[Entry], org: str | None) -> Entry:
        if len(matches) == 1:
            return matches[0]
        if not matches:
            where = f" for organisation {org!r}" if org else ""
            known = ", ".join(sorted(e.qualified_id for e in self.entries)) or "none"
            broken = f" ({len(self.errors)} SOP file(s) are invalid: run `sop validate`)" if self.errors else ""
            raise NotFoundError(f"No SOP {name!r}{where}. Known SOPs: {known}.{broken}")
        candidates = "\n".join(
            f"  {e.qualified_id}  ({e.sop.organisasi.nama}, {e.sop.organisasi.pemerintah})" for e in matches
        )
        raise AmbiguousError(
            f"SOP {name!r} is defined by {len(matches)} organisations; say which one with --org, "
            f"set a default with `sop org use ORG`, or use the full id:\n{candidates}"
        )

    def organisations(self) -> list[Any]:
        """Each organisation once, in catalog order."""
        seen: dict[tuple[str, str], Any] = {}
        for entry in self.entries:
            org = entry.sop.organisasi
            seen.setdefault((org.wilayah, org.id), org)
        return list(seen.values())


def org_matches(sop: Any, name: str) -> bool:
    """Whether `name` designates the SOP's organisation (id, alias, or wilayah/id)."""
    org = sop.organisasi
    name = name.lower()
    return name in (org.id, f"{org.wilayah}/{org.id}", *org.alias)


def sop_files(roots: Iterable[Path]) -> list[Path]:
    """Every *.yaml / *.yml file under the roots, in a stable order."""
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
            continue
        files.extend(sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files


def load_catalog(roots: Iterable[Path] | None = None) -> Catalog:
    """Read and validate every SOP file; duplicate qualified ids are errors naming both files."""
    from sop_cli.loader import load_definition

    catalog = Catalog()
    first_seen: dict[str, Path] = {}
    for path in sop_files(catalog_roots() if roots is None else roots):
        try:
            sop = load_definition(path)
        except DefinitionError as error:
            catalog.errors.append(error)
            continue
        qualified = sop.qualified_id
        if qualified in first_seen:
            catalog.errors.append(
                DefinitionError(
                    f"{path}:1:1: id: the SOP id {qualified!r} is already defined in {first_seen[qualified]}; "
                    "qualified ids (wilayah/organisasi/id) must be unique"
                )
            )
            continue
        first_seen[qualified] = path
        catalog.entries.append(Entry(path, sop))
    return catalog
