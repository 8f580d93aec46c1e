"""The CLI boundary: how a process ends when things outside the command go wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_closed_pipe_ends_quietly(isolated_home: Path) -> None:
    # `sop schema | head -1`: the reader is gone before sop writes; no traceback, no "Internal error".
    env = {**os.environ, "SOP_HOME": str(isolated_home)}
    env.pop("SOP_DEBUG", None)
    process = subprocess.Popen([sys.executable, "-m", "sop_cli", "schema"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert stderr == ""


def test_an_internal_error_is_one_line_without_debug(sop, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    import sop_cli.definition.catalog

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sop_cli.definition.catalog, "load_catalog", broken)
    result = sop("list")
    assert result.exit_code == 70
    assert "Internal error: RuntimeError: disk on fire" in result.output
    assert "SOP_DEBUG=1" in result.output and "Traceback" not in result.output
