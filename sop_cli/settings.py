"""User settings kept in `$SOP_HOME/settings.json` (today: the default organisation)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sop_cli.errors import SopError, StoreError
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
    from sop_cli.fs import private_folder, write_file

    try:
        private_folder(path.parent)  # SOP_HOME is owner-only
    except OSError:
        pass  # write_file says why the file cannot be written
    write_file(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", what="the settings file")


def default_org() -> str | None:
    """`SOP_ORG`, else the organisation chosen with `sop org use`."""
    return os.environ.get("SOP_ORG") or read_settings().get("org")


MAX_ATTACHMENT_MB = 50
"""The default largest file `--attach` keeps, in MB (`SOP_MAX_ATTACHMENT_MB` changes it)."""


def max_attachment_bytes() -> int:
    """The largest attachment in bytes: `SOP_MAX_ATTACHMENT_MB` (a positive number of MB), else 50 MB.

    Raises:
        UsageError: `SOP_MAX_ATTACHMENT_MB` is not a positive number.
    """
    from sop_cli.errors import UsageError

    text = os.environ.get("SOP_MAX_ATTACHMENT_MB", "").strip()
    if not text:
        return MAX_ATTACHMENT_MB * 1_000_000
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes < 1e9:  # also refuses nan and inf
        raise UsageError(f"SOP_MAX_ATTACHMENT_MB={text!r} is not a size; give a positive number of MB, e.g. 50.")
    return int(megabytes * 1_000_000)
