"""LibreOffice for the tests that print a .docx as Word users see it (`soffice --headless`), and
Chromium for those that print an HTML document from a browser (`--print-to-pdf`).

Without them those tests are skipped with the reason; with `SOP_REQUIRE_LIBREOFFICE=1` (set by
`.ci/run`, which installs it) a missing LibreOffice fails them instead, and likewise Chromium
with `SOP_REQUIRE_CHROMIUM=1`."""

from __future__ import annotations

import os
import shutil

import pytest


def libreoffice() -> str:
    """The path of LibreOffice's `soffice`, or skip (fail where it is required)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        if os.environ.get("SOP_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("SOP_REQUIRE_LIBREOFFICE=1 but LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice is not installed")
    return office


def chromium() -> str:
    """The path of Chromium (or Chrome), for the tests that print an HTML document as a browser
    does; without it they are skipped with the reason (`SOP_REQUIRE_CHROMIUM=1`: failed)."""
    browser = next((found for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
                    if (found := shutil.which(name))), None)
    if browser is None:
        if os.environ.get("SOP_REQUIRE_CHROMIUM") == "1":
            pytest.fail("SOP_REQUIRE_CHROMIUM=1 but Chromium is not installed")
        pytest.skip("Chromium is not installed")
    return browser
