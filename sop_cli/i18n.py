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
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
from pathlib import Path

LANGUAGES = ("id", "en")
"""The interface languages; the first is the default."""

_LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def language() -> str:
    """The interface language: `SOP_LANG` (`id` or `en`, case-insensitive), else Indonesian.

    A value that is neither (e.g. `en_US.UTF-8`, `EN`, `english`) is read by its first two
    letters, so a habit from `LANG` still works; anything else falls back to Indonesian.
    """
    wanted = os.environ.get("SOP_LANG", "").strip().lower()[:2]
    return wanted if wanted in LANGUAGES else LANGUAGES[0]


@functools.cache
def translations(lang: str | None = None) -> _gettext.NullTranslations:
    """The catalog for `lang` (default: `language()`); English is the identity."""
    lang = lang or language()
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation("sop", localedir=_LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """`message` in the interface language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for `n` in the interface language."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it now (module-level constants)."""
    return message
