"""The Tab cache's file and the stamps that say whether it still holds (standard library only).

`complete.remember` writes `$SOP_HOME/cache/complete.json` after a command changed the runs (and
whenever the full completion runs); `quick.complete_from_cache` answers a Tab from it while the
stamps it was written under still hold: the SQLite store's file and WAL for run ids and steps,
the SOP folders and files for SOP ids. A PostgreSQL store has no stamp, hence no cache.
"""

from __future__ import annotations

import os

TAB_CACHE = "complete.json"
TAB_FORMAT = 1


def store_stamp(location: object) -> list[list[int]] | None:
    """What changes whenever an SQLite store changes: size and mtime of the file and its WAL.

    None for a PostgreSQL store (its changes cannot be seen from here: no cache)."""
    from pathlib import Path

    if not isinstance(location, Path):
        return None
    stamp = []
    for path in (location, location.with_name(location.name + "-wal")):
        try:
            info = path.stat()
            stamp.append([info.st_size, info.st_mtime_ns])
        except OSError:
            stamp.append([-1, -1])
    return stamp


def catalog_stamp() -> list[list[object]]:
    """What changes whenever the catalog may: the SOP folders and the YAML files under them."""
    from sop_cli.paths import catalog_roots

    stamp: list[list[object]] = []
    for root in catalog_roots():
        for folder, _dirs, files in sorted(os.walk(root)):
            stamp.append([folder, os.stat(folder).st_mtime_ns])
            for name in sorted(files):
                if name.endswith((".yaml", ".yml")):
                    info = os.stat(os.path.join(folder, name))
                    stamp.append([name, info.st_size, info.st_mtime_ns])
    return stamp
