"""`sop status` and `sop runs` as a person sees them on an 80-column terminal (a pseudo-terminal,
`script`), in Indonesian: the progress bar and the colour are rich's, no line is wider than the
terminal, and the quick path and the Typer app print the same bytes; with NO_COLOR the same words,
plain (no escape codes, no bar)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1)")]

SGR = re.compile(r"\x1b\[[0-9;]*m")
BAR = re.compile(r"[━╸╺]")

# Each line of the command line: `<path> <NO_COLOR or -> <sop arguments>`; each child prints to the
# pseudo-terminal this driver runs on, after a line naming it.
_DRIVER = """
import os, subprocess, sys
paths = {"quick": "from sop_cli.entry import main; main()", "full": "from sop_cli.cli import main; main()"}
for line in sys.argv[1:]:
    path, colour, *args = line.split()
    print("=== " + line, flush=True)
    env = dict(os.environ, NO_COLOR="1") if colour == "NO_COLOR" else os.environ
    subprocess.run([sys.executable, "-c", f"import sys; sys.argv = ['sop', *{args!r}]; {paths[path]}"], env=env)
"""


def _screens(lines: list[str], tmp_path: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and k not in ("NO_COLOR", "LINES")}
    env.update(SOP_HOME=str(home), SOP_NOW="2026-11-26T09:30", SOP_LANG="id", COLUMNS="80", TERM="xterm-256color",
               PYTHONPATH=str(REPO))
    command = shlex.join([sys.executable, "-c", _DRIVER, *lines])
    done = subprocess.run(["script", "-qec", command, "/dev/null"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    screens: dict[str, str] = {}
    for chunk in done.stdout.replace("\r\n", "\n").split("=== ")[1:]:
        name, _, body = chunk.partition("\n")
        screens[name.strip()] = body
    assert sorted(screens) == sorted(lines), done.stdout
    return screens


def test_status_and_runs_on_a_terminal(sop, isolated_home: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    assert sop("advance", "--step", "1").exit_code == 0
    # (the two paths with NO_COLOR: tests/test_quick.py)
    screens = _screens([f"{path} - {command}" for command in ("status", "runs") for path in ("quick", "full")]
                       + [f"quick NO_COLOR {command}" for command in ("status", "runs")], tmp_path, isolated_home)

    for command in ("status", "runs"):
        coloured, plain = screens[f"quick - {command}"], screens[f"quick NO_COLOR {command}"]
        assert coloured == screens[f"full - {command}"]
        assert "Kemajuan" in coloured and "\\x1b" not in coloured
        assert "\x1b[" in coloured and "\x1b" not in SGR.sub("", coloured)  # colour, and nothing but colour
        assert "\x1b" not in plain and not BAR.search(plain)
        assert not [line for line in SGR.sub("", coloured).splitlines() if len(line) > 80]
        assert not [line for line in plain.splitlines() if len(line) > 80]
        # the same words: the plain screen is the coloured one without the bar
        assert re.sub(r"[━╸╺]+ +", "", SGR.sub("", coloured)) == plain

    status = screens["quick - status"]
    progress = next(line for line in status.splitlines() if line.startswith("Kemajuan"))
    assert SGR.sub("", progress) == "Kemajuan   ━╺" + "━" * 18 + "  1/14 langkah"
    assert progress.startswith("Kemajuan   \x1b[32m━\x1b[0m\x1b[2m╺"), progress  # the step done green, the rest dim
    assert status.startswith("\x1b[1mrenja-2027\x1b[0m  Penyusunan Rencana Kerja 2027\n")
    assert "Kemajuan   1/14 langkah\n" in screens["quick NO_COLOR status"]
    assert re.search(r"\x1b\[32mtepat waktu\x1b\[0m", screens["quick - runs"])
