"""Colour and the progress bar are rich's, on a terminal without NO_COLOR; anywhere else the text is
plain (no escape codes, no bar: the count says it). `tests/test_screens_pty.py` sees the same on a
real pseudo-terminal."""

from __future__ import annotations

import io
import re
import sys

import pytest

from sop_cli.cli import output
from sop_cli.cli.output import paint, with_bar

SGR = re.compile(r"\x1b\[[0-9;]*m")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> _Terminal:
    """stdout is a terminal and NO_COLOR is not set (in the test's body: pytest's capture puts its
    own stdout back after the fixtures)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    screen = _Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    return screen


def _cells(text: str) -> list[tuple[str, str]]:
    """(escape code in force, character) for each character of `text`."""
    cells, code = [], ""
    for piece in re.split(r"(\x1b\[[0-9;]*m)", text):
        if SGR.fullmatch(piece):
            code = "" if piece == "\x1b[0m" else piece
        else:
            cells.extend((code, char) for char in piece)
    return cells


@pytest.mark.parametrize(("done", "total", "green"), [(0, 14, 0), (1, 14, 1), (7, 14, 10), (14, 14, 20), (0, 0, 20)])
def test_the_bar_is_drawn_by_rich_on_a_terminal(monkeypatch: pytest.MonkeyPatch, done: int, total: int,
                                                green: int) -> None:
    _on_a_terminal(monkeypatch)
    text = with_bar(f"{done}/{total} steps", done, total)
    assert SGR.sub("", text).endswith(f"  {done}/{total} steps")
    bar = _cells(text)[:20]
    assert {char for _, char in bar} <= set("━╺╸") and len(SGR.sub("", text)) == 20 + len(f"  {done}/{total} steps")
    assert [code for code, _ in bar] == ["\x1b[32m"] * green + ["\x1b[2m"] * (20 - green)  # done green, the rest dim


def test_colour_is_rich_style_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    _on_a_terminal(monkeypatch)
    assert paint("TERLAMBAT", "red") == "\x1b[31mTERLAMBAT\x1b[0m"
    assert paint("renja-2027", "bold") == "\x1b[1mrenja-2027\x1b[0m"


@pytest.mark.parametrize("where", ["pipe", "NO_COLOR"])
def test_plain_in_a_pipe_and_with_no_color(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setattr(sys, "stdout", _Terminal() if where == "NO_COLOR" else io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1") if where == "NO_COLOR" else monkeypatch.delenv("NO_COLOR", raising=False)
    assert with_bar("1/14 steps", 1, 14) == "1/14 steps"
    assert paint("LATE", "red") == "LATE"


def test_the_guard_lets_through_the_codes_of_our_styles_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _on_a_terminal(monkeypatch)
    from rich.color import ColorSystem
    from rich.style import Style

    rendered = {code for style in output.STYLES
                for code in SGR.findall(Style.parse(style).render("x", color_system=ColorSystem.STANDARD))}
    assert rendered == set(output._SGR)
    assert {output.BAR_DONE, output.BAR_TRACK} <= set(output.STYLES)

    guarded = output._Guarded(terminal)
    bar = with_bar("3/14", 3, 14)
    guarded.write(bar + "\x1b[2J\x1b[8m")  # a clear screen and concealed text are not colour
    assert terminal.getvalue() == bar + "\\x1b[2J\\x1b[8m"
