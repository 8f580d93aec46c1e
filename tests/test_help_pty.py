"""Every `--help` screen as a person sees it on a terminal: through a pseudo-terminal (`script`),
with colour on, in Indonesian and in English. A pipe hides what a terminal shows (issue 22: the
options printed as literal `\\x1b[1;36m-` text on a terminal only)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_i18n_cli import PATHS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1)")]

ANSI = re.compile(r"\x1b\[[0-9;]*m")

# One process per language prints every command's help on the pseudo-terminal, as `sop X --help`
# would (the click command's own `main`, so the terminal is the one the person has).
_EVERY_HELP = """
import sys
from sop_cli.cli import app
from typer.main import get_command

command = get_command(app)
for line in sys.argv[1:]:
    print("=== " + line, flush=True)
    try:
        command.main(args=[*line.split(), "--help"], prog_name="sop")
    except SystemExit:
        pass
"""


def _on_a_terminal(command: list[str], lang: str, tmp_path: Path) -> str:
    """What `command` prints on an 80-column pseudo-terminal with colour (`script -qc`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(SOP_LANG=lang, TERM="xterm-256color", COLUMNS="80", SOP_HOME=str(tmp_path / "home"))
    env.pop("SOP_DEBUG", None)
    line = " ".join(_quote(part) for part in command)
    done = subprocess.run(["script", "-qec", line, "/dev/null"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.replace("\r\n", "\n")


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def _screens(output: str) -> dict[str, str]:
    screens: dict[str, str] = {}
    for chunk in output.split("=== ")[1:]:
        name, _, body = chunk.partition("\n")
        screens[name.strip()] = body
    return screens


def _check(screen: str, where: str, usage: str) -> None:
    assert "\\x1b" not in screen and "\\x" not in screen, f"raw escape text in {where}:\n{screen}"
    assert "\x1b[" in screen, f"no colour on a terminal in {where}"
    plain = ANSI.sub("", screen)
    assert "\x1b" not in plain, f"an escape that is not a colour in {where}: {plain!r}"
    assert plain.lstrip().startswith(usage), f"{where}:\n{plain}"
    long = [line for line in plain.splitlines() if len(line) > 80]
    assert not long, f"lines over 80 columns in {where}: {long}"


@pytest.mark.parametrize(("lang", "usage", "words"), [
    ("id", "Penggunaan: sop", ("Opsi", "Tampilkan bantuan ini lalu keluar.")),
    ("en", "Usage: sop", ("Options", "Show this message and exit.")),
])
def test_every_help_screen_is_clean_on_a_terminal(tmp_path: Path, lang: str, usage: str, words: tuple[str, ...]) -> None:
    names = [" ".join(path) for path in PATHS]
    output = _on_a_terminal([sys.executable, "-c", _EVERY_HELP, *names], lang, tmp_path)
    screens = _screens(output)
    assert sorted(screens) == sorted(names), output[:2000]
    for name, screen in screens.items():
        where = f"`sop {name} --help` ({lang})"
        _check(screen, where, usage)
        plain = ANSI.sub("", screen)
        for word in words:
            assert word in plain, f"{word!r} missing in {where}:\n{plain}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_sop_script_help_on_a_terminal(tmp_path: Path, lang: str) -> None:
    sop = shutil.which("sop", path=str(Path(sys.executable).parent))
    if sop is None:
        pytest.skip("the sop script is not installed beside this Python")
    usage = "Penggunaan: sop advance" if lang == "id" else "Usage: sop advance"
    screen = _on_a_terminal([sop, "advance", "--help"], lang, tmp_path)
    _check(screen, f"`sop advance --help` ({lang})", usage)
    plain = ANSI.sub("", screen)
    assert "--approve" in plain and "--reject" in plain
    # the options are coloured as options, the escape codes are real
    assert re.search(r"\x1b\[[0-9;]*m--approve", screen), screen
