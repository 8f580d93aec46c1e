"""The interface's language: Bahasa Indonesia by default, English with `SOP_LANG=en`.

Messages are written in English in the code and marked with `_()` (or `ngettext()` where English
needs a plural); the Indonesian text comes from the stdlib `gettext` catalog shipped in the
package (`sop_cli/locale/id/LC_MESSAGES/sop.po`, compiled to `sop.mo`). English is the source
language, so `SOP_LANG=en` needs no catalog. Official documents are Indonesian whatever the
interface language: templates never go through this module.

Maintaining the catalog (Babel, a test dependency):

    pybabel extract -F babel.cfg -o sop_cli/locale/sop.pot .
    pybabel update -i sop_cli/locale/sop.pot -d sop_cli/locale -D sop -l id --no-fuzzy-matching
    pybabel compile -d sop_cli/locale -D sop

`tests/test_i18n.py` fails when a marked message has no Indonesian text or `sop.mo` is stale.

`sop.mo` is read here, not by `gettext.translation`: gettext's reader decodes all 1,200 messages
into a dict (after a locale lookup and compiling the Plural-Forms rule), about 4 ms of every
`sop status`, which shows some 30 of them. `Catalog` looks each message up when it is first asked
for, by binary search in the file's table of original strings, which the MO format keeps sorted
for that (as GNU libintl and musl do); about 0.3 ms for a screen. Indonesian has one plural form
(`Plural-Forms: nplurals=1; plural=0;`), so a counted message has one text for every count; a
catalog with more forms is refused (a new language would need gettext's rule).
"""

from __future__ import annotations

import bisect
import functools
import os

LANGUAGES = ("id", "en")
"""The interface languages; the first is the default."""

_LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")


def language() -> str:
    """The interface language: `SOP_LANG` (`id` or `en`, case-insensitive), else Indonesian.

    A value that is neither (e.g. `en_US.UTF-8`, `EN`, `english`) is read by its first two
    letters, so a habit from `LANG` still works; anything else falls back to Indonesian.
    """
    wanted = os.environ.get("SOP_LANG", "").strip().lower()[:2]
    return wanted if wanted in LANGUAGES else LANGUAGES[0]


class Catalog:
    """The messages of one interface language, looked up as `gettext.GNUTranslations` does: English
    (the source language, no catalog) is the identity; another language's messages come from its
    compiled catalog (`Catalog.read`)."""

    def __init__(self, mo: bytes = b"") -> None:
        self._mo = mo
        self._count = self._number(8) if mo else 0
        self._originals, self._translations = (self._number(12), self._number(16)) if mo else (0, 0)
        self._found: dict[str, str] = {}

    @classmethod
    def read(cls, path: str) -> Catalog:
        """The catalog of the GNU `.mo` file at `path` as `pybabel compile` writes it for Indonesian
        (little-endian, UTF-8, one plural form).

        Raises:
            ValueError: The file is not such a catalog.
        """
        with open(path, "rb") as handle:
            catalog = cls(handle.read())
        if catalog._mo[:4] != b"\xde\x12\x04\x95" or catalog._number(4) >> 16 > 1:
            raise ValueError(f"{path}: not a little-endian .mo file of revision 0 or 1")
        header = catalog._text(0).decode() if catalog._count and not catalog._original(0) else ""
        if "nplurals=1;" not in header.replace(" ", ""):
            raise ValueError(f"{path}: a catalog with more than one plural form")
        return catalog

    def gettext(self, message: str) -> str:
        found = self._found.get(message)
        if found is None:
            key = message.encode()
            index = self._search(key)
            if index < self._count and self._original(index) == key:
                found = self._text(index).decode()
            else:  # a counted message asked for by its singular, as gettext allows
                found = self._counted(message) or message
            self._found[message] = found
        return found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._counted(singular) or (singular if n == 1 else plural)

    def _counted(self, singular: str) -> str | None:
        """The one form of the counted message whose singular is `singular` ("singular\0plural")."""
        key = singular.encode() + b"\0"
        index = self._search(key)
        if index < self._count and self._original(index).startswith(key):
            return self._text(index).partition(b"\0")[0].decode()
        return None

    def _search(self, key: bytes) -> int:
        """The index of the first original string not less than `key` (they are sorted)."""
        return bisect.bisect_left(range(self._count), key, key=self._original)

    def _original(self, index: int) -> bytes:
        return self._string(self._originals + 8 * index)

    def _text(self, index: int) -> bytes:
        return self._string(self._translations + 8 * index)

    def _string(self, entry: int) -> bytes:
        """The string an entry of a table points to: (length, offset)."""
        start = self._number(entry + 4)
        return self._mo[start:start + self._number(entry)]

    def _number(self, offset: int) -> int:
        return int.from_bytes(self._mo[offset:offset + 4], "little")


@functools.cache
def translations(lang: str | None = None) -> Catalog:
    """The catalog for `lang` (default: `language()`); English is the identity, as is a language
    whose catalog is missing."""
    lang = lang or language()
    path = os.path.join(_LOCALE_DIR, lang, "LC_MESSAGES", "sop.mo")
    if lang == "en" or not os.path.exists(path):
        return Catalog()
    return Catalog.read(path)


def _(message: str) -> str:
    """`message` in the interface language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for `n` in the interface language."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it now (module-level constants)."""
    return message
