"""User settings kept in `$SOP_HOME/settings.json` (today: the default organisation).

Also the one way `sop` writes a whole text file it was asked to write (`settings.json`,
`sop schema --out`): to a temporary file beside it, then renamed over it, so a full disk or a
killed process leaves the old file or the new one, and never a stray temporary file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sop_cli.errors import SopError, StoreError, UsageError
from sop_cli.paths import sop_home


def _file() -> Path:
    return sop_home() / "settings.json"


def read_settings() -> dict[str, Any]:
    """The saved settings ({} when none were saved)."""
    path = _file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except NotADirectoryError:
        raise SopError(f"{path.parent}: the sop data folder (SOP_HOME) is a file, not a folder; "
                       "move it away or set SOP_HOME to a folder") from None
    except (OSError, ValueError) as error:
        raise StoreError(f"{path}: the settings file cannot be read ({error}); fix or delete it") from None
    return data if isinstance(data, dict) else {}


def write_setting(key: str, value: Any) -> None:
    """Save one setting atomically (write a temporary file, then rename it over the old one)."""
    path = _file()
    data = read_settings()
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", what="the settings file")


def write_text_atomically(path: Path, text: str, *, what: str | None = None) -> None:
    """Write `text` to `path` whole or not at all; SopError (exit 1) or UsageError (a folder) if it cannot.

    Missing parent folders are created. A path that exists and is not a regular file (a folder,
    `/dev/full`, a FIFO) is refused rather than replaced. The temporary file is removed on any
    failure, including Ctrl-C; only SIGKILL between its creation and the rename can leave one.
    """
    import stat
    import tempfile

    label = what or str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise SopError(f"Cannot write {label} ({path}): {error.strerror or error}.") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{path} is a folder; give the name of a file to write.")
    if mode is not None and not stat.S_ISREG(mode):
        raise UsageError(f"{path} is not a regular file; give the name of a file to write.")
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, stat.S_IMODE(mode))  # keep the permissions of the file replaced
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
        temporary = None
        _sweep(path)
    except OSError as error:
        raise SopError(f"Cannot write {label} ({path}): {error.strerror or error}; nothing was changed.") from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _sweep(path: Path) -> None:
    """Remove temporary files of `path` left by a killed sop (SIGKILL skips `finally`), after an hour."""
    import time

    cutoff = time.time() - 3600
    try:
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
    except OSError:
        pass


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def default_org() -> str | None:
    """`SOP_ORG`, else the organisation chosen with `sop org use`."""
    return os.environ.get("SOP_ORG") or read_settings().get("org")
