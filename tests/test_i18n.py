"""Bahasa Indonesia first: every interface message has its Indonesian text, and the shipped
catalog is the compiled form of the one maintainers edit."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest

babel = pytest.importorskip("babel", reason="Babel reads and writes the message catalog")
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from sop_cli.i18n import Catalog  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LOCALE = REPO / "sop_cli" / "locale" / "id" / "LC_MESSAGES"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _catalog():
    with (LOCALE / "sop.po").open("rb") as handle:
        return read_po(handle, locale="id")


def _marked_messages() -> dict[str, str]:
    """Every message marked in the package's code, with where it was first seen."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(REPO / "sop_cli"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"sop_cli/{filename}:{lineno}")
    return found


def test_every_marked_message_has_indonesian_text():
    catalog = _catalog()
    missing = []
    for msgid, where in _marked_messages().items():
        entry = catalog.get(msgid)
        text = entry.string if entry is not None else None
        if isinstance(text, tuple):
            text = text[0]
        if not text or (entry is not None and entry.fuzzy):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "messages without Indonesian text:\n" + "\n".join(missing)


def test_compiled_catalog_matches_its_source():
    """sop reads sop.mo with its own reader (`i18n.Catalog`: a binary search per message, quicker
    than gettext's): every message of the .po reads back through it as written, and as gettext
    reads it."""
    compiled = Catalog.read(str(LOCALE / "sop.mo"))
    with (LOCALE / "sop.mo").open("rb") as handle:
        standard = gettext.GNUTranslations(handle)
    plain = counted = 0
    for message in _catalog():
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            counted += 1
            for n in (0, 1, 2, 21):
                assert compiled.ngettext(*message.id, n) == standard.ngettext(*message.id, n) == message.string[0], (
                    message.id)
            assert compiled.gettext(message.id[0]) == standard.gettext(message.id[0])
        else:
            plain += 1
            assert compiled.gettext(message.id) == standard.gettext(message.id) == message.string, (
                f"sop.mo is stale for {message.id!r}: run `pybabel compile -d sop_cli/locale -D sop`"
            )
    assert plain > 1000 and counted > 10  # the lookups above went through the whole catalog
    assert compiled.gettext("no such message") == "no such message"
    assert [compiled.ngettext("{n} apple", "{n} apples", n) for n in (1, 2)] == ["{n} apple", "{n} apples"]


@pytest.mark.parametrize(("lang", "expected"), [("", "Kesalahan"), ("id", "Kesalahan"), ("en", "Error"), ("EN_us", "Error"), ("fr", "Kesalahan")])
def test_the_interface_language_follows_sop_lang(lang, expected):
    code = "from sop_cli.i18n import _; print(_('Error'))"
    env = {"SOP_LANG": lang, "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == expected


# Screen by screen: what a planner sees in Indonesian (the default) has no English word -------------

ALLOWED = {
    # shared words, proper names, formats and units the Indonesian text uses too
    "sop", "renja", "bappeda", "id", "json", "yaml", "csv", "html", "pdf", "docx", "xlsx", "md", "sha", "sha256",
    "sqlite", "postgresql", "url", "wib", "wita", "wit", "os", "status", "ya", "tidak", "selesai", "eksternal",
    "kegiatan", "pelaksana", "output", "waktu", "no", "camat", "sub", "n", "ngronggot", "nganjuk", "kecamatan",
    "pemerintah", "kabupaten", "mutu", "baku", "kelengkapan", "keterangan", "ditolak", "root", "shell", "bash",
    "zsh", "fish", "e", "g", "i", "s", "a", "data", "format", "monitoring", "portfolio", "evaluasi", "tab", "enter",
}


def _words(text: str) -> set[str]:
    import re

    text = re.sub(r"\{[^}]*\}", " ", text)  # placeholders are not words
    text = re.sub(r"`[^`]*`|--?[\w-]+|\$\w+|\w+(?:[/.-]\w+)+", " ", text)  # commands, flags, variables, ids, paths
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z']+|[A-Za-z]", text)}


def _english_words() -> set[str]:
    """The words of the catalog's English messages that no Indonesian message uses."""
    english: set[str] = set()
    indonesian: set[str] = set()
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            english |= _words(text)
        for text in strings:
            indonesian |= _words(text or "")
    return english - indonesian - ALLOWED


def _english_lines(output: str, english: set[str]) -> list[str]:
    return [f"{line!r}: {sorted(_words(line) & english)}" for line in output.splitlines() if _words(line) & english]


@pytest.fixture
def indonesian(sop, monkeypatch: pytest.MonkeyPatch):
    """`sop ARGS...` as a planner runs it: Indonesian, an 80-column terminal, the clock set."""
    monkeypatch.setenv("SOP_LANG", "id")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.setenv("SOP_USER", "Budi")
    english = _english_words()

    def screen(*args: str, code: int = 0) -> str:
        result = sop(*args)
        assert result.exit_code == code, result.output
        output = result.stdout + result.stderr
        offending = _english_lines(output, english)
        assert not offending, f"English on `sop {' '.join(args)}`:\n" + "\n".join(offending)
        return output

    return screen


def test_the_english_word_list_is_built_from_the_catalog() -> None:
    words = _english_words()
    assert {"the", "step", "run", "finished", "late"} <= words
    assert not {"langkah", "sop", "renja", "pelaksanaan"} & words


def test_the_run_screens_are_indonesian(indonesian) -> None:
    indonesian("start", "renja", "--org", "ngronggot")
    indonesian("status")
    indonesian("advance", "--step", "1")
    indonesian("runs")
    indonesian("runs", "--all")
    indonesian("log")


def test_a_rejection_is_indonesian(indonesian, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    out = indonesian("start", "rekomendasi-keramaian", "--at", "2026-11-24T08:00")
    run = out.split()[1]
    indonesian("advance", "--run", run, "--step", "1", "--at", "2026-11-24T08:05")
    out = indonesian("advance", "--run", run, "--step", "2", "--reject", "--reason", "KTP tidak dilampirkan",
                     "--at", "2026-11-24T08:15")
    assert "TIDAK mengakhiri proses" in out


def test_the_report_is_indonesian(indonesian) -> None:
    indonesian("start", "renja", "--org", "ngronggot")
    indonesian("advance", "--step", "1")
    indonesian("report")


def test_usage_errors_are_indonesian(indonesian) -> None:
    assert "langkah harus berupa angka" in indonesian("advance", "--step", "tiga", code=2)
    indonesian("advance", "--langkah", "2", code=2)
    indonesian("stauts", code=2)
    indonesian("start", code=2)


def test_an_unknown_run_is_indonesian(indonesian) -> None:
    indonesian("start", "renja", "--org", "ngronggot")
    indonesian("status", "--run", "tidak-ada", code=1)


def test_a_missing_store_is_indonesian(indonesian) -> None:
    indonesian("status", code=1)
