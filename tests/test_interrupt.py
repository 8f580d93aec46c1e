"""Ctrl-C at any moment of a real `sop` process: one line on stderr, exit 130, never a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sop_cli.entry import INTERRUPTED

pytestmark = pytest.mark.slow

# The first ~15 ms (more on a loaded machine) belong to the interpreter and to pip's generated `sop`
# script, which imports `re` before sop_cli.entry: a press then is the interpreter's (it ends with
# `KeyboardInterrupt` or the signal, no traceback). From sop_cli.entry on, the handler is sop's.
DELAYS_MS = range(30, 260, 40)  # from inside the imports to well into the command


def _before_sop(result: subprocess.CompletedProcess[str]) -> bool:
    """Whether the press landed before sop_cli.entry ran: in the interpreter's start or pip's script."""
    if (result.returncode == -signal.SIGINT and not result.stderr) or result.stderr == "KeyboardInterrupt\n":
        return True
    if result.stderr.startswith(("Fatal Python error: init_import_site", "Fatal Python error: init_sys_streams",
                                 "python: failed to set __main__.__loader__")):  # still in the interpreter's start
        return True
    # pip's script, at one of its first lines (or at "line 0": before its first line ran, no source shown)
    first = re.match(r'Traceback \(most recent call last\):\n  File "([^"]+)", line \d+, in <module>\n(?:    (.*)\n)?',
                     result.stderr)
    return (result.stderr.endswith("KeyboardInterrupt\n") and first is not None and first.group(1) == _script()
            and first.group(2) in (None, "import re", "import sys", "from sop_cli.entry import main"))


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "SOP_HOME": str(home), "SOP_NOW": "2026-11-26T09:00", "NO_COLOR": "1"}
    env.pop("SOP_DEBUG", None)
    env.pop("SOP_STORE", None)
    return env


def _script() -> str:
    return str(Path(sys.executable).parent / "sop")


def _interrupt(home: Path, args: list[str], delay_ms: int) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen([_script(), *args], env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(delay_ms / 1000)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("args", [["status"], ["list"], ["advance", "--by", "x"]], ids=lambda a: a[0])
def test_ctrl_c_prints_one_line_and_exits_130(tmp_path, args):
    home = tmp_path / "home"
    started = subprocess.run([_script(), "start", "renja", "--org", "ngronggot"], check=False, env=_env(home),
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stderr
    interrupted = 0
    for delay in DELAYS_MS:
        result = _interrupt(home, args, delay)
        if _before_sop(result):
            continue
        assert "Traceback" not in result.stderr, (delay, result.stderr)
        if result.returncode == 130:
            interrupted += 1
            assert result.stderr == INTERRUPTED + "\n", (delay, result.stderr)
        else:
            assert result.returncode == 0, (delay, result.returncode, result.stderr)
    assert interrupted > 0  # the early presses did land while the command ran
    log = subprocess.run([_script(), "log", "--json"], env=_env(home), capture_output=True, text=True, timeout=60,
                         check=True)
    events = json.loads(log.stdout)
    steps = [e["step"] for e in events if e["kind"] == "step_completed"]
    assert steps == list(range(1, len(steps) + 1))  # each advance recorded whole, once, or not at all
