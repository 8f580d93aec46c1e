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


def test_every_message_the_core_leaves_to_the_cli_has_its_words() -> None:
    # The core raises errors with a `code` (a message naming options or commands) or a `suggest`
    # (a next action); without an entry in the CLI's tables the user would get the plain wording.
    import re

    from sop_cli.cli.wording import HINTS, MESSAGES

    package = Path(__file__).resolve().parent.parent / "sop_cli"
    core = [p for p in package.rglob("*.py") if "cli" not in p.relative_to(package).parts]
    text = "\n".join(p.read_text(encoding="utf-8") for p in core)
    codes = set(re.findall(r'\bcode="([a-z_]+)"', text))
    suggestions = set(re.findall(r'\bsuggest="([a-z_]+)"', text))
    assert codes and suggestions
    assert codes <= set(MESSAGES), codes - set(MESSAGES)
    assert suggestions <= set(HINTS), suggestions - set(HINTS)


def test_the_core_names_no_flag_and_the_cli_adds_it(sop, monkeypatch) -> None:
    from sop_cli.cli.wording import describe
    from sop_cli.errors import UsageError

    error = UsageError("2026-11-26 09:01 WIB is in the future.", option="at")
    assert str(error) == "at 2026-11-26 09:01 WIB is in the future."
    assert describe(error) == "--at 2026-11-26 09:01 WIB is in the future."
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    result = sop("cancel", "--reason", " ")
    assert result.exit_code == 2
    assert result.stderr == "Error: `sop cancel` needs --reason TEXT: the log keeps why the run was ended.\n"
