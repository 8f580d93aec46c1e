"""Every screen of `sop` fits the terminal: at COLUMNS=80 and 120 no line is wider, and no word is
split across lines (every word printed narrow is a word the same command prints on a wide screen)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAMPUNG = "lampung-tengah/diskominfo/renja"

# Each screen: the commands run before it (not checked), then the command checked.
SCREENS: list[tuple[str, list[list[str]], list[str]]] = [
    ("list", [], ["list"]),
    ("org list", [], ["org", "list"]),
    ("show nganjuk", [], ["show", "renja", "--org", "ngronggot"]),
    ("show lampung", [], ["show", LAMPUNG]),
    ("start", [], ["start", "renja", "--org", "ngronggot", "--assign", "kasubag-perencanaan=Drs. SUGENG RAHARJO, M.Si"]),
    ("start lampung", [], ["start", LAMPUNG, "--assign", "sekretaris=Drs. SUGENG RAHARJO, M.Si"]),
    ("status", [["start", "renja", "--org", "ngronggot"]], ["status"]),
    ("advance", [["start", "renja", "--org", "ngronggot"]], ["advance", "--note", "format dikirim lewat grup"]),
    ("runs", [["start", "renja", "--org", "ngronggot"], ["start", LAMPUNG]], ["runs", "--all"]),
    ("log", [["start", "renja", "--org", "ngronggot", "--assign", "camat=Drs. Makrup"],
             ["advance", "--note", "format pengumpulan data dikirim lewat grup WhatsApp kecamatan"],
             ["advance"], ["undo", "--reason", "salah klik"]], ["log"]),
    ("report", [["start", "renja", "--org", "ngronggot"], ["advance"], ["advance"]], ["report"]),
    ("report monitoring", [["start", "renja", "--org", "ngronggot"], ["advance"]], ["report", "--monitoring"]),
    ("report portfolio", [["start", "renja", "--org", "ngronggot"], ["start", LAMPUNG], ["advance", "--run", "renja-2027"]],
     ["report", "--portfolio", "--deadline", "2027-01-31"]),
    ("report evaluasi", [["start", "renja", "--org", "ngronggot"], ["advance"], ["advance"]],
     ["report", "--evaluasi", "renja", "--org", "ngronggot"]),
    ("runs filtered", [["start", "renja", "--org", "ngronggot"], ["start", LAMPUNG]],
     ["runs", "--org", "ngronggot", "--sop", "renja", "--year", "2027"]),
    ("store status", [["start", "renja", "--org", "ngronggot"]], ["store", "status"]),
    ("attachments", [["start", "renja", "--org", "ngronggot"], ["advance", "--attach", str(REPO / "README.md")]], ["attachments"]),
    ("diff", [], ["diff", "nganjuk/kecamatan-ngronggot/renja", LAMPUNG]),
    ("status parallel", [["start", "rekomendasi-teknis"], ["advance"], ["advance"]], ["status"]),
]


def _run(sop, monkeypatch, columns: int, before: list[list[str]], command: list[str]) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    # the catalog and the examples (parallel steps, external lanes, sub-SOPs)
    monkeypatch.setenv("SOP_PATH", f"{REPO / 'sops'}{os.pathsep}{REPO / 'examples' / 'sops'}")
    for args in before:
        assert sop(*args).exit_code == 0
    result = sop(*command)
    assert result.exit_code == 0, result.output
    return result.stdout


def _words(text: str) -> set[str]:
    # An id or path may break after a `/`: its pieces count as words.
    # Punctuation around a word is not part of it (a narrow layout may list "Sekretaris, Camat").
    return {w.strip(",.;:()") for w in re.split(r"[\s│┌┐└┘├┤┬┴┼─]+|(?<=/)", text) if w.strip("-,.;:()")}


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(("name", "before", "command"), SCREENS, ids=[s[0] for s in SCREENS])
def test_every_screen_fits_the_terminal_without_splitting_words(sop, monkeypatch, tmp_path, isolated_home,
                                                                 columns, name, before, command):
    narrow = _run(sop, monkeypatch, columns, before, command)
    too_wide = [line for line in narrow.splitlines() if len(line) > columns]
    assert not too_wide, "\n".join(too_wide)
    # The same screen on a wide terminal, from a fresh home: its words are the real words.
    import shutil

    shutil.rmtree(isolated_home, ignore_errors=True)
    wide = _run(sop, monkeypatch, 1000, before, command)
    split = _words(narrow) - _words(wide)
    assert not split, f"words split or cut at {columns} columns: {sorted(split)}\n{narrow}"


def test_a_table_written_to_a_pipe_is_plain_and_never_cut(sop, monkeypatch):
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert sop("start", LAMPUNG, "--assign", "sekretaris=Drs. SUGENG RAHARJO, M.Si").exit_code == 0
    for command in (["status"], ["runs"], ["log"], ["report"], ["show", LAMPUNG]):
        out = sop(*command).stdout
        assert "…" not in out and "\033" not in out, out
        assert not set(out) & set("│┌┐└┘├┤┬┴┼─"), out


# Issue 22: the walk-through's other screens at 80 columns: the document list, validate, `sop new`'s
# prompts and its success line, and error paragraphs (stderr), in both languages.
_NEW_ANSWERS = ("Camat Kecamatan Ngronggot Kabupaten Nganjuk\nSekretaris Kecamatan\n\n1\n"
                "Menerima surat permohonan domisili\n15 menit\n"
                "Disposisi surat permohonan\n2\nMemeriksa kelengkapan berkas permohonan\n1 jam\nSurat keterangan\n\n\n\n")

WALKTHROUGH: list[tuple[str, list[str], str | None]] = [
    ("render list", ["render", "--list"], None),
    ("new", ["new", "--id", "domisili", "--nama", "Pelayanan Surat Keterangan Domisili bagi Warga Pendatang",
             "--org", "ngronggot", "--out", "domisili.yaml"], _NEW_ANSWERS),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("name", "command", "answers"), WALKTHROUGH, ids=[w[0] for w in WALKTHROUGH])
def test_walkthrough_screens_fit_80_columns_at_word_boundaries(sop, monkeypatch, tmp_path, lang, name, command, answers):
    monkeypatch.setenv("SOP_LANG", lang)
    screens = {}
    for columns in (80, 1000):
        monkeypatch.setenv("COLUMNS", str(columns))
        (tmp_path / "domisili.yaml").unlink(missing_ok=True)
        result = sop(*command, input=answers)
        screens[columns] = result.output
    narrow = screens[80]
    assert narrow.strip(), name
    too_wide = [line for line in narrow.splitlines() if len(line) > 80]
    assert not too_wide, "\n".join(too_wide)
    split = _words(narrow) - _words(screens[1000])
    assert not split, f"words split at 80 columns: {sorted(split)}\n{narrow}"


# Error paragraphs and `sop validate` wrap on a terminal only (a pipe keeps file:line:column lines
# whole for grep and editors): checked on a pseudo-terminal, against the whole lines of a pipe.
TERMINAL_ONLY = [["validate"], ["start", "renja"], ["status"], ["advance", "--step", "tiga"],
                 ["render", "undangan", "--set", "rapat.tempat=Aula", "--values", "tidak-ada.yaml"]]

_COMMANDS = """
import sys
from sop_cli.cli import app
from typer.main import get_command

command = get_command(app)
for line in sys.argv[1:]:
    print("=== " + line, flush=True)
    try:
        command.main(args=line.split("\x1f"), prog_name="sop")
    except SystemExit:
        pass
    sys.stdout.flush()
    sys.stderr.flush()
"""


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_errors_and_validate_wrap_at_words_on_a_terminal(sop, monkeypatch, tmp_path, lang):
    import shutil
    import sys

    from tests.test_help_pty import ANSI, _on_a_terminal, _screens

    if shutil.which("script") is None:
        pytest.skip("needs script(1)")
    monkeypatch.setenv("SOP_LANG", lang)
    monkeypatch.setenv("COLUMNS", "1000")
    monkeypatch.setenv("SOP_HOME", str(tmp_path / "home"))  # the home the terminal's process has
    whole = {"\x1f".join(c): sop(*c).output for c in TERMINAL_ONLY}
    output = _on_a_terminal([sys.executable, "-c", _COMMANDS, *whole], lang, tmp_path)
    screens = _screens(ANSI.sub("", output))
    assert sorted(screens) == sorted(whole), output[:2000]
    for name, screen in screens.items():
        assert screen.strip(), name
        too_wide = [line for line in screen.splitlines() if len(line) > 80]
        assert not too_wide, "\n".join(too_wide)
        split = _words(screen) - _words(whole[name])
        assert not split, f"words split at 80 columns: {sorted(split)}\n{screen}"
