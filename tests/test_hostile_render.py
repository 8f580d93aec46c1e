"""Hostile input meeting the renderer: Markdown injection, the compiled-template cache, templates
from the working folder, and templates that try to exhaust memory, CPU or disk."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from tests.conftest import REPO, write
from tests.hostile import as_user, invoke, run_sop
from tests.test_cli_docs import NGANJUK_VALUES
from tests.test_report import NGANJUK, make_run

LINK = "[klik](javascript:alert(1))"
IMAGE = "![t](http://evil.example/p.png)"
HOSTILE = f"{LINK} {IMAGE} <img src=x onerror=alert(1)> <http://evil.example> [r]: javascript:x"


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_environment() -> None:
    from sop_cli.render import env

    env._environment.cache_clear()  # each test is a new process as far as templates go


def inert(markdown: str) -> None:
    """No live link, image, reference definition, raw HTML or autolink made of the hostile text."""
    assert "](" not in markdown.replace("](#", ""), markdown  # no inline link or image of user text
    assert "[klik]" not in markdown and "![t]" not in markdown and "[r]:" not in markdown
    assert "<img" not in markdown and "<http" not in markdown
    assert "&#91;klik&#93;(javascript:alert(1))" in markdown  # the text is kept, readable


@pytest.fixture
def hostile_run(sop, monkeypatch: pytest.MonkeyPatch) -> str:
    run = make_run(sop, monkeypatch, upto=8)
    assert sop("advance", "--run", run, "--at", "2026-11-26 10:30", "--reject", "--reason", HOSTILE).exit_code == 0
    assert sop("note", HOSTILE, "--run", run, "--at", "2026-11-26 10:40").exit_code == 0
    return run


def test_a_hostile_title_and_reason_are_inert_in_report_md(sop, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-12-10T10:00")
    started = invoke(sop, "start", NGANJUK, "--at", "2026-11-23 08:00", "--title", HOSTILE, "--json")
    assert started.code == 0, started.output
    run = json.loads(started.stdout)["run"]
    assert invoke(sop, "advance", "--run", run, "--at", "2026-11-23 08:05", "--note", HOSTILE).code == 0
    report = invoke(sop, "report", "--run", run, "--format", "md")
    assert report.code == 0, report.output
    inert(report.stdout)
    monitoring = invoke(sop, "report", "--run", run, "--format", "md", "--monitoring")
    assert monitoring.code == 0, monitoring.output
    inert(monitoring.stdout)


def test_a_rejection_reason_is_inert_in_the_monitoring_form_and_the_approval_sheet(sop, hostile_run: str, tmp_path: Path) -> None:
    monitoring = invoke(sop, "report", "--run", hostile_run, "--format", "md", "--monitoring")
    assert monitoring.code == 0, monitoring.output
    inert(monitoring.stdout)
    # the approval sheet is made once its step (11) is reached after the correction was approved
    for at, extra in (("2026-11-27 09:00", []), ("2026-11-27 10:00", ["--approve"]), ("2026-11-27 10:10", [])):
        assert invoke(sop, "advance", "--run", hostile_run, "--at", at, *extra).code == 0
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    sheet = invoke(sop, "render", "persetujuan", "--run", hostile_run, "--values", values, "--format", "md")
    assert sheet.code == 0, sheet.output
    inert(sheet.stdout)


@pytest.mark.parametrize("doc", ["disposisi", "undangan", "pengantar", "format-data"])
def test_set_values_are_inert_in_the_letters(sop, monkeypatch, tmp_path: Path, doc: str) -> None:
    run = make_run(sop, monkeypatch)
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    # an unknown key is refused, so each value is scoped to the document that takes it
    sets = ["--set", f"undangan.rapat.tempat={HOSTILE}", "--set", f"disposisi.surat.perihal={HOSTILE}",
            "--set", f"format-data.seksi={HOSTILE}", "--set", f"disposisi.catatan={HOSTILE}",
            "--set", f"pengantar.tujuan={HOSTILE}", "--set", "undangan.nomor=050/1/2026",
            "--set", "pengantar.nomor=050/1/2026", "--set", f"undangan.kepada={HOSTILE}"]
    letter = invoke(sop, "render", doc, "--run", run, "--values", values, *sets, "--format", "md")
    assert letter.code == 0, letter.output
    inert(letter.stdout)


def test_html_stays_escaped(sop, monkeypatch, tmp_path: Path) -> None:
    run = make_run(sop, monkeypatch)
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    html = invoke(sop, "render", "undangan", "--run", run, "--values", values, "--set", f"rapat.tempat={HOSTILE}")
    assert html.code == 0
    assert "<img src=x" not in html.stdout and "&lt;img src=x onerror=alert(1)&gt;" in html.stdout


def test_markdown_text_is_idempotent_and_keeps_plain_text() -> None:
    from sop_cli.render.env import markdown_cell, markdown_text

    assert markdown_text("Pembina (IV/a), 50% *penting*") == "Pembina (IV/a), 50% *penting*"
    once = markdown_text(HOSTILE)
    assert markdown_text(once) == once
    assert markdown_cell("a | b\nc") == "a \\| b c"


# The compiled-template cache ---------------------------------------------------------------------


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # what a crafted cache file does when unpickled
        return (os.system, (f"touch {self.marker}",))


def _render_sop(sop) -> str:
    result = invoke(sop, "render", "sop", NGANJUK, "--format", "md")
    assert result.code == 0, result.output
    return result.stdout


def test_a_crafted_cache_file_never_runs(sop, isolated_home: Path, tmp_path: Path) -> None:
    from jinja2.bccache import bc_magic

    from sop_cli.render import env

    expected = _render_sop(sop)
    files = list((isolated_home / "cache" / "jinja").glob("*/*.cache"))
    assert files
    marker = tmp_path / "pwned"
    payload = bc_magic + pickle.dumps(_Exploit(marker), 2)
    for file in files:
        # unsigned, signed with zeros, and Jinja's own file names beside them
        file.write_bytes(b"\0" * 32 + payload)
        (file.parent / f"__jinja2_{file.stem}.cache").write_bytes(payload)
    env._environment.cache_clear()
    assert _render_sop(sop) == expected
    assert not marker.exists()
    # the bad files were replaced by good ones, which the next render uses
    assert all(not f.read_bytes().endswith(payload) for f in files)
    env._environment.cache_clear()
    assert _render_sop(sop) == expected and not marker.exists()


def test_the_cache_key_is_private_to_its_owner(sop, isolated_home: Path) -> None:
    _render_sop(sop)
    key = isolated_home / "cache" / "jinja.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_bytes()) == 32


def test_a_key_others_can_read_disables_the_cache_instead_of_trusting_it(sop, isolated_home: Path) -> None:
    from sop_cli.render import env

    key = isolated_home / "cache" / "jinja.key"
    key.parent.mkdir(parents=True)
    key.write_bytes(b"k" * 32)
    key.chmod(0o644)
    expected = (REPO / "templates" / "sop.md").exists() and _render_sop(sop)
    assert not list((isolated_home / "cache" / "jinja").glob("*/*.cache"))
    env._environment.cache_clear()
    assert _render_sop(sop) == expected


def test_a_cache_that_cannot_be_written_does_not_fail_the_render(sop, isolated_home: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    real = tempfile.mkstemp

    def full(*args, **kwargs):
        if "jinja" in str(kwargs.get("dir", "")):
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", full)
    out = tmp_path / "elsewhere" / "sop.md"
    result = invoke(sop, "render", "sop", NGANJUK, "--format", "md", "--out", out)
    assert result.code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("#") or out.stat().st_size > 0
    assert not list((isolated_home / "cache" / "jinja").glob("*/*.tmp"))


def test_a_read_only_sop_home_does_not_fail_the_render(tmp_path: Path) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    (home / "cache").write_text("not a folder")  # the cache folder cannot be made
    ran = run_sop("render", "sop", NGANJUK, "--format", "md", "--out", tmp_path / "o.md", env={"SOP_HOME": str(home)})
    assert ran.code == 0, ran.output
    assert (tmp_path / "o.md").stat().st_size > 0


# Templates from the working folder, and templates that try too much --------------------------------


def _with_lambang(sop, tmp_path: Path) -> None:
    """Ngronggot gets its lambang (else every render notes that the kop has none)."""
    import base64

    from tests.test_office_files import PNG

    (tmp_path / "lambang.png").write_bytes(base64.b64decode(PNG))
    assert invoke(sop, "org", "lambang", "ngronggot", tmp_path / "lambang.png").code == 0


def test_an_override_from_the_working_folder_is_announced(sop, tmp_path: Path) -> None:
    _with_lambang(sop, tmp_path)
    write(tmp_path / "templates" / "sop.md", "MILIK SAYA {{ sop.nama }}\n")
    result = invoke(sop, "render", "sop", NGANJUK, "--format", "md")
    assert result.code == 0
    assert result.stdout == "MILIK SAYA Penyusunan Rencana Kerja\n"
    assert result.stderr == (f"Note: using {tmp_path / 'templates' / 'sop.md'} (from ./templates) "
                             "instead of the shipped sop.md.\n")


def test_without_an_override_nothing_is_announced(sop, tmp_path: Path) -> None:
    _with_lambang(sop, tmp_path)
    result = invoke(sop, "render", "sop", NGANJUK, "--format", "md")
    assert result.code == 0 and result.stderr == ""


@pytest.mark.parametrize(("body", "words"), [
    ("{% for i in range(10**9) %}x{% endfor %}", "OverflowError: Range too big"),
    ("{{ 9 ** 99999999 }}", "too large a number for a template"),
    ("{{ 'x' * 10**9 }}", "too large for a template"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
     "larger than 20 million characters"),
    ("{{ ().__class__.__bases__ }}", "not allowed in a template"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "calls itself too deeply"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ('{{ "x"|center(999999999) }}', "needs more memory than there is"),
    ('{{ "{:>9999999999}".format(1) }}', "needs more memory than there is"),
    ('{{ "%99999999999d" % 1 }}', "needs more memory than there is"),
])
def test_a_hostile_template_is_a_clear_render_error(sop, tmp_path: Path, body: str, words: str) -> None:
    write(tmp_path / "templates" / "sop.md", body + "\n")
    result = invoke(sop, "render", "sop", NGANJUK, "--format", "md")
    assert result.code == 1, result.output
    note, error = result.stderr.splitlines()
    assert note.startswith("Note: using ") and note.endswith("(from ./templates) instead of the shipped sop.md.")
    assert error.startswith("Error: ") and words in error and "sop.md" in error, result.stderr
    assert "Internal error" not in result.output


def test_a_slow_template_is_stopped(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sop_cli.render import env

    monkeypatch.setattr(env, "MAX_SECONDS", 0.3)
    write(tmp_path / "templates" / "sop.md",
          "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    result = invoke(sop, "render", "sop", NGANJUK, "--format", "md")
    assert result.code == 1
    assert result.stderr.splitlines()[1] == "Error: sop.md: the template took more than 0.3 s to render; stopped"


def test_a_key_that_is_a_link_is_not_trusted(sop, isolated_home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "someone-elses.key"
    elsewhere.write_bytes(b"k" * 32)
    elsewhere.chmod(0o600)
    key = isolated_home / "cache" / "jinja.key"
    key.parent.mkdir(parents=True)
    key.symlink_to(elsewhere)
    _render_sop(sop)
    assert not list((isolated_home / "cache" / "jinja").glob("*/*.cache"))
