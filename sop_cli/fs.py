"""Writing files so that a killed process leaves the old file or the whole new one, never half.

Every write goes to a temporary name in the target's folder (same file system, so the rename is
atomic), then `os.replace` puts it in place; on failure the temporary file is removed.
`write_atomically` and `copy_atomically` are the primitives (they raise `OSError`);
`write_text_atomically` is the one way `sop` writes a whole text file a user asked for
(`settings.json`, `sop schema --out`), with the failure worded for them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from sop_cli.errors import SopError, UsageError


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, data: str | bytes, *, sync: bool = False) -> None:
    """Replace `path` with `data` (text is written as UTF-8), creating its folder if needed.

    With `sync`, the data reaches the disk before the rename (for files that must survive a
    power cut, not for caches).

    Raises:
        OSError: The folder or the file cannot be written; `path` is unchanged.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(path)
    try:
        with temporary.open("wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def copy_atomically(source: Path, folder: Path, name: Callable[[str], str]) -> tuple[Path, str, int]:
    """Copy `source` into `folder` as `name(sha256)`, synced to disk; return (path, sha256, size).

    The name depends on the content, so the copy is streamed under a temporary name, hashed on
    the way, and renamed once its SHA-256 is known.

    Raises:
        OSError: `source` cannot be read or the copy cannot be written; nothing is left behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(folder / source.name)
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as reading, temporary.open("wb") as target:
            for chunk in iter(lambda: reading.read(1 << 20), b""):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
            target.flush()
            os.fsync(target.fileno())
        sha = digest.hexdigest()
        final = folder / name(sha)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return final, sha, size


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
