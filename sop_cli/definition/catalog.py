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


class Entry:
    """A valid SOP file: where it is and what it defines.

    `sop` is the validated `SopDefinition`. An entry taken from the catalog cache starts with its
    `head` only and reads the definition on first use, so `sop list` imports neither YAML nor the
    pydantic models, and `sop show` reads one small JSON file.
    """

    __slots__ = ("path", "_sop", "_head", "_cached", "_stored")

    def __init__(self, path: Path, sop: Any = None, *, head: dict[str, Any] | None = None,
                 cached: Path | None = None) -> None:
        if sop is None and cached is None:
            raise TypeError("Entry needs a definition (sop) or its cache file (cached)")
        self.path = path
        self._sop = sop
        self._head = head
        self._cached = cached
        self._stored: dict[str, Any] | None = None

    def _from_cache(self) -> dict[str, Any] | None:
        """{"given": trusted_dump, "data": model_dump(mode="json")} from the cache, or None."""
        if self._stored is None and self._cached is not None:
            import json

            try:
                with self._cached.open("rb") as handle:
                    stored = json.load(handle)
                if isinstance(stored.get("given"), dict) and isinstance(stored.get("data"), dict):
                    self._stored = stored
            except (OSError, ValueError, AttributeError):
                pass
            self._cached = None  # read once
        return self._stored

    @property
    def sop(self) -> Any:
        """The `SopDefinition`."""
        if self._sop is None:
            from sop_cli.definition.model import NotTrusted, from_trusted

            stored = self._from_cache()
            try:
                if stored is None:
                    raise NotTrusted("the cached definition cannot be read")
                self._sop = from_trusted(stored["given"])
            except NotTrusted:
                from sop_cli.definition.loader import load_definition

                self._sop = load_definition(self.path)
        return self._sop

    @property
    def data(self) -> dict[str, Any]:
        """The definition as JSON-ready data: `sop.model_dump(mode="json")` (a fresh copy)."""
        if self._sop is None:
            stored = self._from_cache()
            if stored is not None:
                import copy

                return copy.deepcopy(stored["data"])
        from sop_cli.definition.model import plain

        return plain(self.sop)

    @property
    def head(self) -> dict[str, Any]:
        """What listing and name resolution need: id, nama, organisasi, step count, total time."""
        if self._head is None:
            self._head = _head(self.sop)
        return self._head

    @property
    def qualified_id(self) -> str:
        head = self.head
        org = head["organisasi"]
        return f"{org['wilayah']}/{org['id']}/{head['id']}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return self.path == other.path and self.sop == other.sop

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entry(path={self.path!r}, qualified_id={self.qualified_id!r})"


def _head(sop: Any) -> dict[str, Any]:
    from sop_cli.run.calendar import format_minutes
    from sop_cli.definition.overview import total_minutes

    org = sop.organisasi
    minutes = total_minutes(sop)
    return {
        "id": sop.id,
        "nama": sop.nama,
        "organisasi": {"id": org.id, "wilayah": org.wilayah, "alias": list(org.alias), "nama": org.nama,
                       "pemerintah": org.pemerintah, "zona_waktu": org.zona_waktu},
        "langkah": len(sop.langkah),
        "waktu_total_menit": minutes,
        "waktu_total": format_minutes(minutes),
    }


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
        matches = [e for e in self.entries if e.head["id"] == name]
        chosen_org = org or (default_org() if len(matches) > 1 else None)
        if chosen_org:
            matches = [e for e in matches if org_head_matches(e.head["organisasi"], chosen_org)]
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
            f"  {e.qualified_id}  ({e.head['organisasi']['nama']}, {e.head['organisasi']['pemerintah']})"
            for e in matches
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
    return org_head_matches({"id": org.id, "wilayah": org.wilayah, "alias": org.alias}, name)


def org_head_matches(org: dict[str, Any], name: str) -> bool:
    """`org_matches` on the `organisasi` of an entry's head."""
    name = name.lower()
    return name in (org["id"], f"{org['wilayah']}/{org['id']}", *org["alias"])


def sop_files(roots: Iterable[Path]) -> list[Path]:
    """Every *.yaml / *.yml SOP file under the roots, in a stable order (not organisation files nor
    document manifests)."""
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
            continue
        files.extend(sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                            and not _not_an_sop(p.relative_to(root))))
    return files


def _not_an_sop(relative: Path) -> bool:
    """An organisation file (`organisasi.yaml`) or a document type's manifest (under `dokumen/`)
    sits beside the SOP files but is not one (see `sop_cli.render.organisation`, `.doctypes`)."""
    return relative.name in ("organisasi.yaml", "organisasi.yml") or "dokumen" in relative.parts[:-1]


def load_catalog(roots: Iterable[Path] | None = None, *, cached: bool = True) -> Catalog:
    """Read and validate every SOP file; duplicate qualified ids are errors naming both files.

    With `cached` (the default), files unchanged since they were last validated are taken from
    the catalog cache (`$SOP_HOME/cache/`) instead of being parsed and validated again; files that
    are invalid are never cached. `sop validate` passes `cached=False`.
    """
    cache = _Cache.open() if cached else None
    catalog = Catalog()
    first_seen: dict[str, Path] = {}
    for path in sop_files(catalog_roots() if roots is None else roots):
        try:
            entry = cache.entry(path) if cache else None
            if entry is None:
                entry = _validated(path, cache)
        except DefinitionError as error:
            catalog.errors.append(error)
            continue
        qualified = entry.qualified_id
        if qualified in first_seen:
            catalog.errors.append(
                DefinitionError(
                    f"{path}:1:1: id: the SOP id {qualified!r} is already defined in {first_seen[qualified]}; "
                    "qualified ids (wilayah/organisasi/id) must be unique"
                )
            )
            continue
        first_seen[qualified] = path
        catalog.entries.append(entry)
    if cache:
        cache.save()
    return catalog


def _validated(path: Path, cache: _Cache | None) -> Entry:
    from sop_cli.definition.loader import load_definition

    if cache is None:
        return Entry(path, load_definition(path))
    from sop_cli.definition.yamlfile import read_bytes

    before = _stat(path)
    content = read_bytes(path)
    entry = Entry(path, load_definition(path, content))
    if before is not None and before == _stat(path):
        cache.put(path, before, content, entry)
    return entry


# The catalog cache ------------------------------------------------------------------------------
#
# `$SOP_HOME/cache/catalog.json` holds, for each valid SOP file (by absolute path), the file's stat
# (size, mtime, ctime, inode), a hash of its bytes, its `head`, and the name of a JSON file in
# `cache/definitions/` with the validated definition as data. A file is taken from the cache only
# when its stat is unchanged; when its mtime was within RACY_NS of the moment it was validated (a
# second write in the same clock tick keeps size and mtime), its bytes are hashed and compared too.
# The whole cache is dropped when any module of sop_cli, the Python version or the pydantic
# version changes, so a new rule never meets an old verdict. Invalid files are never cached.
# Every cache file is written to a temporary name and renamed, so readers see old or new, never
# half; any failure to read or write the cache only costs a re-validation.

CACHE_FORMAT = 1
RACY_NS = 2_000_000_000


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _digest(content: bytes) -> str:
    import hashlib

    return hashlib.blake2b(content, digest_size=20).hexdigest()


def _code_key() -> str:
    """What a cached verdict depends on besides the file: this sop's code and its validator."""
    import sys

    from sop_cli import __version__

    # Every module of the package, in every subpackage: validation code may live anywhere in it.
    package = Path(__file__).resolve().parent.parent
    stats = []
    for module in sorted(package.rglob("*.py")):
        st = module.stat()
        stats.append(f"{module.relative_to(package).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    pydantic = sys.modules.get("pydantic.version")
    pydantic_version = getattr(pydantic, "VERSION", None)
    if pydantic_version is None:
        from pydantic.version import VERSION as pydantic_version
    return f"{__version__};py{sys.version_info[:3]};pydantic {pydantic_version};" + ",".join(stats)


def _write_atomically(file: Path, data: Any) -> None:
    import json
    import os

    temporary = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, file)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass


class _Cache:
    """The catalog cache of one SOP_HOME."""

    def __init__(self, folder: Path, code: str, files: dict[str, Any]) -> None:
        self.folder = folder
        self.code = code
        self.files = files
        self.dirty = False
        self.seen: set[str] = set()

    @classmethod
    def open(cls) -> _Cache:
        import json

        from sop_cli.paths import sop_home

        folder = sop_home() / "cache"
        code = _code_key()
        try:
            with (folder / "catalog.json").open("rb") as handle:
                data = json.load(handle)
            if data.get("format") == CACHE_FORMAT and data.get("code") == code and isinstance(data["files"], dict):
                return cls(folder, code, data["files"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        return cls(folder, code, {})

    def entry(self, path: Path) -> Entry | None:
        """The cached entry of `path` if the file is unchanged since it was validated."""
        import os

        key = os.path.abspath(path)
        self.seen.add(key)
        record = self.files.get(key)
        if not isinstance(record, dict):
            return None
        try:
            if _stat(path) != record["stat"]:
                return None
            if record["checked_ns"] - record["stat"][1] < RACY_NS:
                import time

                from sop_cli.definition.yamlfile import read_bytes

                now = time.time_ns()
                if _digest(read_bytes(path)) != record["digest"]:
                    return None
                if now - record["stat"][1] >= RACY_NS:  # a change after now moves the mtime
                    record["checked_ns"] = now
                    self.dirty = True
            return Entry(path, head=dict(record["head"]), cached=self.folder / "definitions" / record["definition"])
        except (KeyError, TypeError, IndexError, DefinitionError):
            return None

    def put(self, path: Path, stat: list[int], content: bytes, entry: Entry) -> None:
        import os
        import time

        from sop_cli.definition.model import plain, trusted_dump

        key = os.path.abspath(path)
        digest = _digest(content)
        name = f"{digest}.json"
        _write_atomically(self.folder / "definitions" / name,
                          {"given": trusted_dump(entry.sop), "data": plain(entry.sop)})
        self.seen.add(key)
        self.files[key] = {"stat": stat, "digest": digest, "checked_ns": time.time_ns(), "head": entry.head,
                           "definition": name}
        self.dirty = True

    def save(self) -> None:
        """Write the index if anything changed; forget deleted files and unreferenced definitions."""
        import os

        if not self.dirty:
            return
        for key in [k for k in self.files if k not in self.seen and not os.path.exists(k)]:
            del self.files[key]  # deleted since; the files of other roots (SOP_PATH, ./sops) are kept
        _write_atomically(self.folder / "catalog.json",
                          {"format": CACHE_FORMAT, "code": self.code, "files": self.files})
        used = {record.get("definition") for record in self.files.values() if isinstance(record, dict)}
        import time

        cutoff = time.time() - 3600  # younger ones may belong to the index another sop is writing now
        try:
            for stale in (self.folder / "definitions").glob("*.json"):
                if stale.name not in used and stale.stat().st_mtime < cutoff:
                    stale.unlink()
        except OSError:
            pass
