"""Where `sop` finds things: its data folder, the store, SOP files and templates.

`SOP_HOME` (default: the user's data folder) holds the store, attachments, settings and caches.
SOP files come from the package, then `SOP_PATH` (a path list), then `./sops`; templates from
`SOP_TEMPLATES`, then `./templates`, then the package (earlier ones override later ones by name).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def sop_home() -> Path:
    """The folder holding the user's data (created on first use by whoever writes to it)."""
    configured = os.environ.get("SOP_HOME")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("sop", appauthor=False))


def store_location(option: str | Path | None = None) -> str | Path:
    """The store: `--store`, else `SOP_STORE`, else `$SOP_HOME/sop.db`.

    A `postgresql://` (or `postgres://`) URL names a PostgreSQL database and stays text; anything
    else is the path of an SQLite file.
    """
    chosen = option or os.environ.get("SOP_STORE")
    if isinstance(chosen, str) and chosen.strip().lower().startswith(("postgresql://", "postgres://")):
        return chosen.strip()
    return Path(chosen).expanduser() if chosen else sop_home() / "sop.db"


def store_path(option: str | Path | None = None) -> Path:
    """The SQLite store file (`store_location` when it is a file)."""
    location = store_location(option)
    return location if isinstance(location, Path) else Path(location)


def packaged(name: str) -> Path:
    """A data folder shipped with sop (`sops`, `templates`): inside the wheel, or beside a checkout."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def _path_list(variable: str) -> list[Path]:
    return [Path(p).expanduser() for p in os.environ.get(variable, "").split(os.pathsep) if p.strip()]


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    result = []
    for path in paths:
        key = path.resolve()
        if key not in seen and path.is_dir():
            seen.add(key)
            result.append(path)
    return result


def catalog_roots() -> list[Path]:
    """Folders searched for SOP files, in order."""
    return _unique([packaged("sops"), *_path_list("SOP_PATH"), Path("sops")])


def template_roots() -> list[Path]:
    """Folders searched for templates; the first holding a name wins."""
    return _unique([*_path_list("SOP_TEMPLATES"), Path("templates"), packaged("templates")])
