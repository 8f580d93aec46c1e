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

`sop.mo` is read here, not by `gettext.translation`: gettext's reader unpacks and decodes its 1,200
messages one at a time (with a locale lookup and the Plural-Forms compiler before that), about 4 ms
of every `sop status`; `Catalog` unpacks the two tables of the file at once, ~1 ms. Indonesian has
one plural form (`Plural-Forms: nplurals=1; plural=0;`), so a counted message has one text for
every count; a catalog with more forms is refused (a new language would need gettext's rule).
"""

from __future__ import annotations

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

    def __init__(self, messages: dict[str, str] | None = None, counted: dict[str, str] | None = None) -> None:
        self.messages = messages or {}
        """msgid -> text."""
        self.counted = counted or {}
        """The singular msgid of a counted message -> its text (the language's one form)."""

    @classmethod
    def read(cls, path: str) -> Catalog:
        """The catalog of the GNU `.mo` file at `path` as `pybabel compile` writes it for Indonesian
        (little-endian, UTF-8, one plural form).

        Raises:
            ValueError: The file is not such a catalog.
        """
        import struct

        with open(path, "rb") as handle:
            data = handle.read()
        magic, _version, count, originals, translations = struct.unpack_from("<5I", data)
        if magic != 0x950412DE:
            raise ValueError(f"{path}: not a little-endian .mo file")
        # two tables of (length, offset): the original strings, and their translations
        keys = struct.unpack_from(f"<{2 * count}I", data, originals)
        texts = struct.unpack_from(f"<{2 * count}I", data, translations)
        catalog = cls()
        for i in range(0, 2 * count, 2):
            key = data[keys[i + 1]:keys[i + 1] + keys[i]].decode()
            text = data[texts[i + 1]:texts[i + 1] + texts[i]].decode()
            if not key:  # the header
                if "nplurals=1;" not in text.replace(" ", ""):
                    raise ValueError(f"{path}: a catalog with more than one plural form")
            elif "\0" in key:  # a counted message: "singular\0plural" -> "form"
                catalog.counted[key.partition("\0")[0]] = text.partition("\0")[0]
            else:
                catalog.messages[key] = text
        return catalog

    def gettext(self, message: str) -> str:
        text = self.messages.get(message)
        return text if text is not None else self.counted.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if singular in self.counted:
            return self.counted[singular]
        return singular if n == 1 else plural


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
