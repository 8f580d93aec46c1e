"""The command line's own words in Indonesian (the default) and English (`SOP_LANG=en`): every
`--help` screen, without programmer jargon, and click's usage errors as one plain paragraph."""

from __future__ import annotations

import re

import pytest

from sop_cli.cli import app

ENGLISH_SCREEN = ("Usage:", "Options", "Arguments", "Commands", "[required]", "Show this message and exit",
                  "Print the version")
JARGON = re.compile(r"<(bool|str|int|path|float|list\[.*?\])>|\{\w+\}|\[x?[<>]=?|\[\d+<=|\bINTEGER\b")


def _paths() -> list[list[str]]:
    """Every command path of `sop`: the root, each command, each command of a group."""
    from typer.main import get_command

    root = get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        for sub in getattr(command, "commands", {}):
            paths.append([name, sub])
    return paths


PATHS = _paths()


def _english_helps(path: list[str]) -> list[str]:
    """The English help texts of the command at `path` and of its parameters (one line each)."""
    from tests.conftest import built_once

    command = built_once(app)  # the one build the tests share
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    texts = [getattr(command, "_sop_english", {}).get("help") or ""]
    texts += [getattr(p, "_sop_english", {}).get("help") or "" for p in command.params]
    return [" ".join(t.split("\n\n")[0].split()) for t in texts if t]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "sop")
def test_every_help_screen_is_indonesian_without_jargon(sop, monkeypatch: pytest.MonkeyPatch, path: list[str]) -> None:
    monkeypatch.setenv("SOP_LANG", "en")
    english = sop(*path, "--help")  # the English originals are kept while Indonesian is shown
    monkeypatch.setenv("SOP_LANG", "id")
    monkeypatch.setenv("COLUMNS", "1000")
    result = sop(*path, "--help")
    assert result.exit_code == 0, result.output
    screen = result.stdout
    assert "Penggunaan: " in screen and "Opsi" in screen and "Tampilkan bantuan ini lalu keluar" in screen
    for word in ENGLISH_SCREEN:
        assert word not in screen, f"{word!r} in `sop {' '.join(path)} --help`:\n{screen}"
    assert not JARGON.search(screen), f"jargon {JARGON.search(screen)!r} in:\n{screen}"
    for text in _english_helps(path):
        assert text not in screen, f"English help left in `sop {' '.join(path)} --help`: {text!r}"
    assert english.exit_code == 0 and "Usage: " in english.stdout and "Options" in english.stdout


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "sop")
def test_every_help_screen_is_english_with_sop_lang_en(sop, monkeypatch: pytest.MonkeyPatch, path: list[str]) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    sop(*path, "--help")
    monkeypatch.setenv("SOP_LANG", "en")
    monkeypatch.setenv("COLUMNS", "1000")
    screen = sop(*path, "--help").stdout
    assert "Usage: " in screen and "Show this message and exit." in screen and "Penggunaan" not in screen
    assert not JARGON.search(screen), f"jargon {JARGON.search(screen)!r} in:\n{screen}"
    for text in _english_helps(path):
        assert text in screen, f"`sop {' '.join(path)} --help` lacks {text!r}:\n{screen}"


USAGE_ERRORS = [
    (["advance", "--step", "tiga"], "Kesalahan: --step: langkah harus berupa angka.",
     "Error: --step: the step must be a number."),
    (["runs", "--limit", "-1"], "Kesalahan: --limit: nilainya harus 0 atau lebih.",
     "Error: --limit: the value must be 0 or more."),
    (["runs", "--year", "dua"], "Kesalahan: --year: tahun harus berupa angka",
     "Error: --year: the year must be a number"),
    (["advance", "--bogus"], "Kesalahan: Opsi --bogus tidak dikenal oleh `sop advance`.",
     "Error: No such option --bogus for `sop advance`."),
    (["advance", "--stpe", "2"], "Maksud Anda --note, --step atau --store?", "Did you mean --note, --step or --store?"),
    (["advance", "--step"], "Kesalahan: --step memerlukan nilai. Lihat `sop advance --help`.",
     "Error: --step needs a value. See `sop advance --help`."),
    (["start"], "Kesalahan: Argumen SOP belum diberikan: Kode SOP, mis. renja",
     "Error: Missing argument SOP: SOP id, e.g. renja"),
    (["stauts"], "Kesalahan: Perintah 'stauts' tidak dikenal. Maksud Anda 'status' atau 'start'?",
     "Error: No such command 'stauts'. Did you mean 'status' or 'start'?"),
    (["status", "lebih"], "Kesalahan: `sop status` tidak menerima argumen lagi; yang diberikan: lebih.",
     "Error: `sop status` takes no more arguments; it got: lebih."),
]


@pytest.mark.parametrize(("args", "indonesian", "english"), USAGE_ERRORS, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_usage_errors_are_one_plain_paragraph_in_the_interface_language(
        sop, monkeypatch: pytest.MonkeyPatch, args: list[str], indonesian: str, english: str) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    result = sop(*args)
    assert result.exit_code == 2, result.output
    assert indonesian in result.stderr, result.stderr
    assert "Usage" not in result.stderr and "Input should" not in result.stderr and "╭" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    monkeypatch.setenv("SOP_LANG", "en")
    result = sop(*args)
    assert result.exit_code == 2 and english in result.stderr, result.stderr


def test_no_arguments_still_shows_the_help_in_the_interface_language(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    result = sop()
    assert result.exit_code == 2 and "Perintah" in result.stdout and "Commands" not in result.output
    result = sop("org")
    assert result.exit_code == 2 and "Penggunaan: sop org" in result.stdout and "use" in result.stdout


def test_the_ctrl_c_line_follows_sop_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    from sop_cli import entry

    monkeypatch.setenv("SOP_LANG", "id")
    assert entry.interrupted().startswith("Dihentikan pengguna")
    monkeypatch.setenv("SOP_LANG", "EN")
    assert entry.interrupted() == entry.INTERRUPTED


# Issue 22: English words left on Indonesian screens ------------------------------------------------


def test_render_list_validate_and_new_help_speak_indonesian(sop, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    listed = sop("render", "--list").stdout
    for word in ("[text]", "[date]", "[list]", "[person]", "[number]", "required", "optional", "(e.g."):
        assert word not in listed, f"{word!r} in `sop render --list`"
    assert "[teks]" in listed and "[tanggal]" in listed and "wajib" in listed and "(contoh: " in listed
    assert "renja langkah 1:" in listed

    bad = tmp_path / "rusak.yaml"
    bad.write_text("id: rusak\n", encoding="utf-8")
    checked = sop("validate", str(bad))
    assert "FAIL" not in checked.stdout and checked.stdout.startswith("TIDAK SAH ")
    good = sop("validate").stdout
    assert "sah" in good.split() and "ok" not in good.split() and "langkah)" in good

    help_new = " ".join(sop("new", "--help").stdout.split())
    assert "LANE" not in help_new and "'PELAKSANA: KEGIATAN | WAKTU | OUTPUT'" in help_new
    assert "BASISDATA" not in sop("status", "--help").stdout


def test_attachments_and_report_csv_speak_indonesian(sop, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    monkeypatch.setenv("SOP_NOW", "2026-11-23T08:00")
    attached = tmp_path / "memo.txt"
    attached.write_text("memo", encoding="utf-8")
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    assert sop("advance", "--step", "1", "--attach", str(attached)).exit_code == 0
    listing = sop("attachments").stdout
    assert "step_completed" not in listing and "2 diselesaikan (langkah 1)" in listing
    csv_text = sop("report", "--format", "csv").stdout
    statuses = {line.split(";")[5] for line in csv_text.splitlines()[1:]}
    assert statuses and not statuses & {"done", "rejected", "approved", "current", "pending"}
    assert "selesai" in statuses and "berjalan" in statuses, statuses
    monkeypatch.setenv("SOP_LANG", "en")
    assert "done" in {line.split(";")[5] for line in sop("report", "--format", "csv").stdout.splitlines()[1:]}
