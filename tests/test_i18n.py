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
    with (LOCALE / "sop.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _catalog():
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[0], message.id
        else:
            assert compiled.gettext(message.id) == message.string, (
                f"sop.mo is stale for {message.id!r}: run `pybabel compile -d sop_cli/locale -D sop`"
            )


@pytest.mark.parametrize(("lang", "expected"), [("", "Kesalahan"), ("id", "Kesalahan"), ("en", "Error"), ("EN_us", "Error"), ("fr", "Kesalahan")])
def test_the_interface_language_follows_sop_lang(lang, expected):
    code = "from sop_cli.i18n import _; print(_('Error'))"
    env = {"SOP_LANG": lang, "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == expected
