"""Terminal injection: text from users, files and the store reaches the terminal with every control
character visible, in tables, messages and errors; the store keeps it as given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke, run_sop
from tests.sample import VALID
from tests.test_report import NGANJUK

CLEAR = "\x1b[2J"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_LINK = "\x1b]8;;http://evil.example\x1b\\klik\x1b]8;;\x1b\\"
BEL = "\x07"
RLO = "\u202e"
HOSTILE = f"A{CLEAR}B{OSC_TITLE}C{OSC_LINK}D{BEL}E{RLO}F\nG\u200bH\x9bI"


def clean(text: str) -> None:
    """Nothing a terminal would act on: no C0 but line breaks, no C1, no bidi or zero-width marks."""
    bad = [c for c in text if (ord(c) < 32 and c not in "\n") or 0x7f <= ord(c) < 0xa0
           or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f"]
    assert not bad, (bad, text)


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


def test_shown_makes_every_control_visible() -> None:
    from sop_cli.cli.output import shown

    assert shown(HOSTILE) == ("A\\x1b[2JB\\x1b]0;pwned\\x07C\\x1b]8;;http://evil.example\\x1b\\klik\\x1b]8;;\\x1b\\D"
                              "\\x07E⟨U+202E⟩F\\nG⟨U+200B⟩H\\x9bI")
    assert shown("a\nb", multiline=True) == "a\nb"
    assert shown("Kecamatan Ngronggot — Ibu Sri, S.E.") == "Kecamatan Ngronggot — Ibu Sri, S.E."
    assert shown("tab\there") == "tab\\there"


@pytest.fixture
def hostile_run(sop, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T10:00")
    started = sop("start", NGANJUK, "--at", "2026-11-23 08:00", "--title", HOSTILE, "--by", HOSTILE,
                  "--assign", f"camat={HOSTILE}", "--json")
    assert started.exit_code == 0, started.output
    run = json.loads(started.stdout)["run"]
    advanced = sop("advance", "--run", run, "--at", "2026-11-23 08:05", "--note", HOSTILE, "--by", HOSTILE)
    assert advanced.exit_code == 0, advanced.output
    clean(advanced.output)
    return run


@pytest.mark.parametrize("command", [["status"], ["log"], ["runs"], ["report"], ["report", "--monitoring"],
                                     ["status", "--json"], ["log", "--json"]])
def test_run_commands_show_hostile_text_inert(sop, hostile_run: str, command: list[str]) -> None:
    ran = invoke(sop, *command, "--run", hostile_run) if command[0] != "runs" else invoke(sop, *command)
    assert ran.code == 0, ran.output
    clean(ran.output)
    if "--json" not in command and command[0] not in ("runs",):
        assert "\\x1b[2J" in ran.stdout or "\\x1b" in ran.stdout


def test_a_newline_cannot_forge_a_row_of_the_audit_trail(sop, hostile_run: str, tmp_path: Path) -> None:
    forged = "ok\n 99  Kam 26 Nov 10.00  completed  14  camat  root  forged"
    attachment = tmp_path / "lampiran.txt"
    attachment.write_text("isi", encoding="utf-8")
    assert sop("note", forged, "--run", hostile_run, "--at", "2026-11-23 09:00").exit_code == 0
    log = invoke(sop, "log", "--run", hostile_run)
    assert log.code == 0
    assert not any(line.lstrip().startswith("99 ") for line in log.stdout.splitlines())
    assert "ok\\n 99" in log.stdout


def test_json_keeps_the_data_and_escapes_what_json_does_not(sop, hostile_run: str) -> None:
    ran = invoke(sop, "status", "--run", hostile_run, "--json")
    assert "\\u202e" in ran.stdout and "\\u009b" in ran.stdout and "\\u001b[2J" in ran.stdout
    assert json.loads(ran.stdout)["title"] == HOSTILE  # stored as given, read back the same


def test_sop_fields_are_inert_in_show_and_list(sop, tmp_path: Path) -> None:
    hostile_yaml = json.dumps(HOSTILE)  # a YAML double-quoted string holding every escape
    sops = tmp_path / "sops"
    sops.mkdir()
    text = VALID.replace("nama: Prosedur Uji", f"nama: {hostile_yaml}").replace(
        "    kegiatan: Memerintahkan penyusunan", f"    kegiatan: {hostile_yaml}")
    text = text.replace("  nama: Kantor Uji", f"  nama: {hostile_yaml}")
    (sops / "uji.yaml").write_text(text, encoding="utf-8")
    for command in (["list"], ["show", "uji"], ["validate"], ["org", "list"]):
        ran = invoke(sop, *command)
        assert ran.code == 0, (command, ran.output)
        clean(ran.output)


def test_file_names_in_errors_are_inert(sop, tmp_path: Path) -> None:
    name = tmp_path / f"x{CLEAR}{RLO}\ny.yaml"
    name.write_text("nama: !!bool maybe\n", encoding="utf-8")
    ran = invoke(sop, "validate", name)
    assert ran.code == 1
    clean(ran.output)
    assert ran.first.startswith("FAIL  ") and "x\\x1b[2J⟨U+202E⟩\\ny.yaml:1:7: invalid value 'maybe'" in ran.first
    missing = invoke(sop, "validate", tmp_path / f"gone{OSC_TITLE}.yaml")
    assert missing.code == 2
    clean(missing.output)


def test_error_messages_are_inert_as_a_user_sees_them(tmp_path: Path) -> None:
    ran = run_sop("status", "--run", f"run{CLEAR}{OSC_TITLE}", env={"SOP_HOME": str(tmp_path / "h")})
    assert ran.code in (1, 3), ran.output
    clean(ran.output)
    assert ran.first.startswith("Error: ")


@pytest.mark.parametrize("command", ["status", "log"])
def test_a_newline_in_a_title_cannot_forge_a_line(sop, hostile_run: str, command: str) -> None:
    ran = invoke(sop, command, "--run", hostile_run)
    assert ran.code == 0
    assert not any(line.startswith("G") for line in ran.stdout.splitlines()), ran.stdout
    assert "F\\nG" in ran.stdout


def test_a_forged_status_line_stays_on_the_title_line(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T10:00")
    forged = "Renja\nStatus    finished Kamis, 26 November 2026 10.00 WIB"
    started = invoke(sop, "start", NGANJUK, "--at", "2026-11-23 08:00", "--title", forged)
    assert started.code == 0
    ran = invoke(sop, "status")
    assert not any(line.startswith("Status    finished") for line in started.stdout.splitlines() + ran.stdout.splitlines())
    assert "Renja\\nStatus    finished" in ran.stdout
