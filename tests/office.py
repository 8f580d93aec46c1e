"""LibreOffice for the tests that print a .docx as Word users see it (`soffice --headless`).

Without it those tests are skipped with the reason; with `SOP_REQUIRE_LIBREOFFICE=1` (set by
`.ci/run`, which installs it) a missing LibreOffice fails them instead."""

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
