"""The catalog: every SOP file `sop` can see, and how a name on the command line picks one.

An SOP is named by its qualified id (`nganjuk/kecamatan-ngronggot/renja`), by `organisasi/id`,
or by its short id (`renja`) plus an organisation (`--org ngronggot`, `SOP_ORG`, or the default
set with `sop org use`). A short id that fits several SOPs is an error listing them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.definition.graph import Organisation
from sop_cli.errors import AmbiguousError, DefinitionError, NotFoundError
from sop_cli.i18n import _, ngettext
from sop_cli.paths import catalog_roots

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition


@dataclass(frozen=True)
class Head:
    """What listing and name resolution need of an SOP, kept in the catalog cache so `sop list`
    reads neither YAML nor the definitions: id, name, organisation, step count, total time."""

    id: str
    nama: str
    org: Organisation
    langkah: int
    waktu_total_menit: int
    waktu_total: str

    @property
    def qualified_id(self) -> str:
        """`wilayah/organisasi/id`."""
        return f"{self.org.wilayah}/{self.org.id}/{self.id}"

    @classmethod
    def of(cls, sop: SopDefinition) -> Head:
        """The head of a validated definition."""
        from sop_cli.worktime import format_minutes

        graph = sop.graph
        minutes = graph.total_minutes()
        return cls(graph.id, graph.nama, graph.org, len(graph.steps), minutes, format_minutes(minutes))

    def to_json(self) -> dict[str, Any]:
        """The cached form (read back by `from_json`)."""
        org = self.org
        return {
            "id": self.id, "nama": self.nama,
            "organisasi": {"id": org.id, "wilayah": org.wilayah, "alias": list(org.alias), "nama": org.nama,
                           "pemerintah": org.pemerintah, "zona_waktu": org.zona_waktu},
            "langkah": self.langkah, "waktu_total_menit": self.waktu_total_menit, "waktu_total": self.waktu_total,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Head:
        """A head from its cached form (KeyError/TypeError when it is not one)."""
        org = data["organisasi"]
        return cls(
            id=str(data["id"]), nama=str(data["nama"]),
            org=Organisation(id=org["id"], wilayah=org["wilayah"], nama=org["nama"], pemerintah=org["pemerintah"],
                             zona_waktu=org["zona_waktu"], alias=tuple(org["alias"])),
            langkah=int(data["langkah"]), waktu_total_menit=int(data["waktu_total_menit"]),
            waktu_total=str(data["waktu_total"]),
        )


class Entry:
    """A valid SOP file: where it is and what it defines.

    `sop` is the validated `SopDefinition`; `data` its JSON form (what a run pins and the definition
    graph is built from); `head` the `Head`. An entry taken from the catalog cache starts with its
    `head` only and reads the definition on first use, so `sop list` imports neither YAML nor the
    pydantic models, and `sop show` reads one small JSON file.
    """

    __slots__ = ("_cached", "_head", "_sop", "_stored", "path")

    def __init__(self, path: Path, sop: SopDefinition | None = None, *, head: Head | None = None,
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
    def sop(self) -> SopDefinition:
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
    def head(self) -> Head:
        """What listing and name resolution need: id, nama, organisation, step count, total time."""
        if self._head is None:
            self._head = Head.of(self.sop)
        return self._head

    @property
    def qualified_id(self) -> str:
        """`wilayah/organisasi/id`."""
        return self.head.qualified_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return self.path == other.path and self.sop == other.sop

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entry(path={self.path!r}, qualified_id={self.qualified_id!r})"


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
        matches = [e for e in self.entries if e.head.id == name]
        chosen_org = org or (default_org() if len(matches) > 1 else None)
        if chosen_org:
            matches = [e for e in matches if org_matches(e.head.org, chosen_org)]
        return self._one(name, matches, chosen_org)

    def _one(self, name: str, matches: list[Entry], org: str | None) -> Entry:
        if len(matches) == 1:
            return matches[0]
        if not matches:
            known = ", ".join(sorted(e.qualified_id for e in self.entries)) or _("none")
            message = (_("No SOP {name} for organisation {org}. Known SOPs: {known}.") if org
                       else _("No SOP {name}. Known SOPs: {known}.")).format(name=repr(name), org=repr(org), known=known)
            details: dict[str, object] = {"message": message, "invalid": len(self.errors)}
            if self.errors:
                count = len(self.errors)
                message += " " + ngettext("({count} SOP file is invalid)", "({count} SOP files are invalid)",
                                          count).format(count=count)
            raise NotFoundError(message, code="no_sop" if self.errors else None, details=details)
        candidates = [f"  {e.qualified_id}  ({e.head.org.nama}, {e.head.org.pemerintah})" for e in matches]
        raise AmbiguousError(
            _("SOP {name} is defined by {count} organisations; name the organisation, or use the full id:").format(
                name=repr(name), count=len(matches)) + "\n" + "\n".join(candidates),
            code="which_org", details={"name": repr(name), "count": len(matches), "lines": candidates},
        )

    def organisations(self) -> list[Organisation]:
        """Each organisation once, in catalog order."""
        seen: dict[tuple[str, str], Organisation] = {}
        for entry in self.entries:
            org = entry.head.org
            seen.setdefault((org.wilayah, org.id), org)
        return list(seen.values())


def sub_sop_warnings(entries: Iterable[Entry], catalog: Catalog) -> list[str]:
    """`file: step N: sub_sop X ...` for every `sub_sop` of `entries` that names no single SOP of
    `catalog` (its own organisation first): the run of that step could not be started."""
    from sop_cli.errors import AmbiguousError, NotFoundError

    warnings = []
    for entry in entries:
        for step in entry.data.get("langkah") or ():
            name = step.get("sub_sop")
            if not name:
                continue
            try:
                catalog.resolve(name, None if "/" in name else f"{entry.head.org.wilayah}/{entry.head.org.id}")
            except NotFoundError:
                warnings.append(_("{path}: step {no}: sub_sop {name} names no SOP of the catalog").format(
                    path=entry.path, no=step["no"], name=repr(name)))
            except AmbiguousError:
                warnings.append(_("{path}: step {no}: sub_sop {name} fits several SOPs; write wilayah/organisasi/id")
                                .format(path=entry.path, no=step["no"], name=repr(name)))
    return warnings


def org_matches(org: Organisation, name: str) -> bool:
    """Whether `name` designates the organisation (its id, an alias, or wilayah/id)."""
    name = name.lower()
    return name in (org.id, f"{org.wilayah}/{org.id}", *org.alias)


def sop_files(roots: Iterable[Path], problems: list[DefinitionError] | None = None) -> list[Path]:
    """Every *.yaml / *.yml name under the roots, in a stable order; a root that is not a folder is kept as is.

    Organisation files and document manifests beside the SOP files are not SOP files (`_not_an_sop`).

    Names are listed whatever they point to (a FIFO, a broken or looping link): reading them says
    what is wrong, so no file is skipped in silence. Linked folders are followed once each (a link
    back to a parent is not a loop). Folders that cannot be listed go to `problems`.
    """
    files: list[Path] = []
    for root in roots:
        if not root.is_dir():
            files.append(root)
            continue
        found: list[Path] = []
        seen: set[tuple[int, int]] = set()
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                st = folder.stat()
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as error:
                if problems is not None:
                    from sop_cli.definition.yamlfile import _os_reason

                    problems.append(DefinitionError(_("{folder}: the folder cannot be read: {reason}").format(
                        folder=folder, reason=_os_reason(error))))
                continue
            for item in entries:
                path = Path(item.path)
                try:
                    is_dir = item.is_dir()
                except OSError:
                    is_dir = False
                if is_dir and path.suffix not in (".yaml", ".yml"):
                    stack.append(path)
                elif path.suffix in (".yaml", ".yml") and not _not_an_sop(path.relative_to(root)):
                    found.append(path)  # a folder named x.yaml included: reading it says so
        files.extend(sorted(found))
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
    roots = catalog_roots() if roots is None else list(roots)
    for path in sop_files(roots, catalog.errors):
        try:
            entry = cache.entry(path) if cache else None
            if entry is None:
                entry = _validated(path, cache)
            qualified = entry.qualified_id
        except DefinitionError as error:
            catalog.errors.append(error)
            continue
        except Exception as error:
            catalog.errors.append(_unexpected(path, error))
            continue
        if qualified in first_seen:
            if same_file(path, first_seen[qualified], roots):
                continue  # one SOP under two paths (the copy shipped with sop and the checkout's)
            catalog.errors.append(
                DefinitionError(
                    _("{path}:1:1: id: the SOP id {id} is already defined in {other}; "
                      "qualified ids (wilayah/organisasi/id) must be unique").format(
                        path=path, id=repr(qualified), other=first_seen[qualified])
                )
            )
            continue
        first_seen[qualified] = path
        catalog.entries.append(entry)
    if cache:
        cache.save()
    return catalog


def same_file(one: Path, other: Path, roots: Iterable[Path]) -> bool:
    """Whether two paths hold one SOP file: the same file, or a copy of it at the same place under
    another catalog root with the same bytes (the copy `pip install .` ships inside the package
    beside the checkout's own `sops/`). A copy elsewhere is another SOP (with a duplicate id)."""
    try:
        if os.path.samefile(one, other):
            return True
        place = _under(one, roots)
        return (place is not None and place == _under(other, roots)
                and one.stat().st_size == other.stat().st_size and one.read_bytes() == other.read_bytes())
    except OSError:
        return False


def _under(path: Path, roots: Iterable[Path]) -> tuple[str, ...] | None:
    """`path`'s parts below the first of `roots` holding it."""
    resolved = path.resolve()
    for root in roots:
        try:
            return resolved.relative_to(root.resolve()).parts
        except ValueError:
            continue
    return None


def _unexpected(path: Path, error: Exception) -> DefinitionError:
    """A failure no check foresaw, kept to this file: a bug, said as such (SOP_DEBUG=1 raises it)."""
    if os.environ.get("SOP_DEBUG") == "1":
        raise error
    return DefinitionError(_("{path}: cannot be loaded ({error}); this is a bug in sop: run "
                             "`SOP_DEBUG=1 sop validate` for the traceback and report it").format(
        path=path, error=f"{type(error).__name__}: {error}"))


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
    from sop_cli.fs import write_atomically

    try:
        write_atomically(file, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    except OSError:
        pass  # a cache that cannot be written is only slower next time


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
            return Entry(path, head=Head.from_json(record["head"]), cached=self.folder / "definitions" / record["definition"])
        except (KeyError, TypeError, IndexError, DefinitionError):
            return None

    def put(self, path: Path, stat: list[int], content: bytes, entry: Entry) -> None:
        from sop_cli.definition.model import plain, trusted_dump

        key = os.path.abspath(path)
        digest = _digest(content)
        name = f"{digest}.json"
        _write_atomically(self.folder / "definitions" / name,
                          {"given": trusted_dump(entry.sop), "data": plain(entry.sop)})
        self.seen.add(key)
        self.files[key] = {"stat": stat, "digest": digest, "checked_ns": time.time_ns(), "head": entry.head.to_json(),
                           "definition": name}
        self.dirty = True

    def save(self) -> None:
        """Write the index if anything changed; forget deleted files and unreferenced definitions."""
        if not self.dirty:
            return
        for key in [k for k in self.files if k not in self.seen and not os.path.exists(k)]:
            del self.files[key]  # deleted since; the files of other roots (SOP_PATH, ./sops) are kept
        _write_atomically(self.folder / "catalog.json",
                          {"format": CACHE_FORMAT, "code": self.code, "files": self.files})
        used = {record.get("definition") for record in self.files.values() if isinstance(record, dict)}

        cutoff = time.time() - 3600  # younger ones may belong to the index another sop is writing now
        try:
            for stale in (self.folder / "definitions").glob("*.json"):
                if stale.name not in used and stale.stat().st_mtime < cutoff:
                    stale.unlink()
        except OSError:
            pass
