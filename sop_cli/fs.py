"""Writing files so that a killed process leaves the old file or the whole new one, never half.

Every write goes to a temporary name in the target's folder (same file system, so the rename is
atomic), then `os.replace` puts it in place; on failure the temporary file is removed.
`write_atomically` and `copy_atomically` are the primitives for sop's own files (they raise
`OSError`; folders they create are owner-only, `private_folder`);
`write_file` is the one way `sop` writes a file a user asked for (`--out` of every command,
`attachments --copy-to`, `settings.json`), with the failure worded for them.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from sop_cli.errors import SopError, UsageError
from sop_cli.i18n import _


def private_folder(folder: Path) -> None:
    """Create `folder` and its missing parents owner-only (0700 on POSIX): `SOP_HOME`, the store's
    folder, caches, kept attachments. Folders that exist keep their permissions.

    Raises:
        OSError: A folder cannot be made (a file is in the way, no permission).
    """
    missing: list[Path] = []
    current = folder
    while not current.is_dir() and current.parent != current:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise


def private_file(path: Path) -> None:
    """Create the empty file `path` owner-only (0600 on POSIX) if it does not exist, in an
    owner-only folder: an SQLite store made this way gives its `-wal` and `-shm` files the same
    permissions. An existing file is left as it is.

    Raises:
        OSError: The file or its folder cannot be made.
    """
    private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def write_atomically(path: Path, data: str | bytes, *, sync: bool = False) -> None:
    """Replace `path` with `data` (text is written as UTF-8), creating its folder if needed; for
    `sop`'s own files (caches, kept attachments). A file a user named goes through `write_file`.

    The temporary file is created exclusively (`mkstemp`: an unpredictable name, 0600), so a link
    planted under a guessable name cannot redirect the write. With `sync`, the data reaches the
    disk before the rename (for files that must survive a power cut, not for caches).

    Raises:
        OSError: The folder or the file cannot be written; `path` is unchanged.
    """
    import tempfile

    private_folder(path.parent)
    descriptor, temporary = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class NotRegularFile(OSError):
    """The source of a copy is not a regular file (a folder, FIFO, device or socket)."""


class TooLarge(OSError):
    """The source of a copy is larger than allowed; `size` is what was found (at least)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over {limit}")
        self.size = size
        self.limit = limit


def copy_mode(source_mode: int) -> int:
    """The permissions of a kept copy: owner-only, plus read for group and others only where the
    source grants it (a 0600 file stays 0600, a 0644 one may stay 0644; never more open)."""
    return 0o600 | (stat.S_IMODE(source_mode) & 0o044)


def read_regular(source: Path, *, max_bytes: int | None = None) -> bytes:
    """The bytes of `source`, judged as `copy_atomically` judges it (a link followed; a regular
    file of at most `max_bytes`, checked on the opened descriptor before reading; a FIFO or device
    refused without blocking).

    Raises:
        NotRegularFile: `source` is not a regular file.
        TooLarge: `source` is (or grows) larger than `max_bytes`.
        OSError: `source` cannot be read.
    """
    descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{source} is not a regular file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise TooLarge(info.st_size, max_bytes)
        os.set_blocking(descriptor, True)
        chunks: list[bytes] = []
        size = 0
        with os.fdopen(descriptor, "rb", closefd=False) as reading:
            for chunk in iter(lambda: reading.read(1 << 20), b""):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooLarge(size, max_bytes)  # it grew while being read
                chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def copy_atomically(source: Path, folder: Path, name: Callable[[str], str], *,
                    max_bytes: int | None = None) -> tuple[Path, str, int]:
    """Copy `source` into `folder` as `name(sha256)`, synced to disk; return (path, sha256, size).

    The name depends on the content, so the copy is streamed under a temporary name (created
    0600), hashed on the way, given `copy_mode` of the source and renamed once its SHA-256 is known.
    A link is followed and the file it points to is judged: it must be a regular file (a FIFO or
    device is refused without blocking), at most `max_bytes` long, and its permissions, not the
    link's, decide the copy's.

    Raises:
        NotRegularFile: `source` is not a regular file.
        TooLarge: `source` is (or grows) larger than `max_bytes`.
        OSError: `source` cannot be read or the copy cannot be written; nothing is left behind.
    """
    import tempfile

    descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    temporary: str | None = None
    try:
        info = os.fstat(descriptor)  # of what was opened: no window between checking and reading
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{source} is not a regular file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise TooLarge(info.st_size, max_bytes)
        os.set_blocking(descriptor, True)
        private_folder(folder)
        handle, temporary = tempfile.mkstemp(prefix=".attach-", suffix=".tmp", dir=folder)
        import hashlib  # here: OpenSSL costs ~2.5 ms of every `sop` process that never hashes

        digest = hashlib.sha256()
        size = 0
        with os.fdopen(descriptor, "rb", closefd=False) as reading, os.fdopen(handle, "wb") as target:
            for chunk in iter(lambda: reading.read(1 << 20), b""):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooLarge(size, max_bytes)  # it grew while being copied
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            os.fchmod(target.fileno(), copy_mode(info.st_mode) & ~_umask())
            os.fsync(target.fileno())
        sha = digest.hexdigest()
        final = folder / name(sha)
        os.replace(temporary, final)
        temporary = None
    finally:
        os.close(descriptor)
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
    _sweep_folder(folder)
    return final, sha, size


def write_file(path: Path, data: str | bytes, *, what: str | None = None, mode: int | None = None) -> None:
    """The one way `sop` writes a file a user named (`--out`, `--copy-to`, `settings.json`):
    whole or not at all; SopError (exit 1) if it cannot, UsageError (exit 2) for a target that is
    not a file to replace.

    Text is written as UTF-8. Missing parent folders are created. A target that exists and is not
    a regular file is refused, never written through or replaced: a folder, a FIFO (which would
    block), a device (`/dev/full`), and a symbolic link (a link planted in a shared folder must
    not redirect the write onto someone's file). The data goes to a temporary file created
    exclusively (`mkstemp`: O_EXCL, 0600, an unpredictable name) in the target's folder, is synced
    to the disk, given its permissions (`mode`; else those of the file replaced; else 0666 less
    the umask) and renamed over the target, which replaces a link planted since the check rather
    than following it. The temporary file is removed on any failure, including Ctrl-C; only
    SIGKILL between its creation and the rename can leave one (swept after an hour).
    """
    import tempfile

    label = what or str(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise SopError(_("Cannot write {label} ({path}): {reason}.").format(
            label=label, path=path, reason=error.strerror or error)) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(_("{path} is a folder; give the name of a file to write.").format(path=path))
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UsageError(_("{path} is a symbolic link; sop does not write through links: give the name of the "
                           "file itself, or remove the link.").format(path=path))
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(_("{path} is not a regular file; give the name of a file to write.").format(path=path))
    if mode is None:
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            else:  # Windows: only the read-only bit means anything
                os.chmod(temporary, mode)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        temporary = None
        _sync_folder(path.parent)
        _sweep(path)
    except OSError as error:
        raise SopError(_("Cannot write {label} ({path}): {reason}; nothing was changed.").format(
            label=label, path=path, reason=error.strerror or error)) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _temporary_prefix(path: Path) -> str:
    """How the temporary file of `path` begins: its name cut short, so that a target name near the
    file system's 255-byte limit still leaves room for the random part and `.tmp`."""
    return f".{path.name.encode('utf-8', 'surrogateescape')[:100].decode('utf-8', 'ignore')}."


def _sweep(path: Path) -> None:
    """Remove temporary files of `path` left by a killed sop (SIGKILL skips `finally`), after an hour."""
    import glob  # here: only writes sweep (`sop status` imports this module)

    cutoff = time.time() - 3600
    try:
        for stale in path.parent.glob(glob.escape(_temporary_prefix(path)) + "*.tmp"):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
    except OSError:
        pass


def _sweep_folder(folder: Path) -> None:
    """Remove temporary copies in `folder` left by a killed sop (SIGKILL skips `finally`), after an hour."""
    cutoff = time.time() - 3600
    try:
        for stale in folder.glob(".*.tmp"):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
    except OSError:
        pass


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
