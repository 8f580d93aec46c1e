"""Compiled templates are cached under SOP_HOME, and a changed template is never served stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, write


def test_an_edited_override_is_rendered_fresh(sop, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sop_cli.render import env

    env._environment.cache_clear()
    overrides = tmp_path / "mine"
    shipped = (REPO / "templates" / "sop.md").read_text(encoding="utf-8")
    write(overrides / "sop.md", "VERSI SATU {{ sop.nama }}\n")
    monkeypatch.setenv("SOP_TEMPLATES", str(overrides))
    first = sop("render", "sop", "nganjuk/kecamatan-ngronggot/renja", "--format", "md")
    assert first.exit_code == 0 and first.stdout == "VERSI SATU Penyusunan Rencana Kerja\n"
    assert list((isolated_home / "cache" / "jinja").glob("*/*.cache"))
    env._environment.cache_clear()  # a new process
    write(overrides / "sop.md", "VERSI DUA {{ sop.nama }}\n")
    second = sop("render", "sop", "nganjuk/kecamatan-ngronggot/renja", "--format", "md")
    assert second.stdout == "VERSI DUA Penyusunan Rencana Kerja\n"
    assert "VERSI" not in shipped
