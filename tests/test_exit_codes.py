"""One rule for exit codes, every command held to it (README "Errors and exit codes"):
1 bad input or not found, 2 wrong use of the command line, 3 conflict with the run's state,
4 store unusable, 5 refused by a shared store (tests/test_store_postgres.py), 130 interrupted (tests/test_interrupt.py)."""

from __future__ import annotations

import pytest
from typer.main import get_command

from sop_cli.cli import app

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"

# (command line, exit code) per command: wrong usage, not found / bad input, conflict where it can happen.
CASES: dict[str, list[tuple[list[str], int]]] = {
    "list": [(["list", "--nope"], 2)],
    "show": [(["show"], 2), (["show", "nosuch"], 1)],
    "validate": [(["validate", "--nope"], 2), (["validate", "missing.yaml"], 1)],
    "schema": [(["schema", "--nope"], 2)],
    "render": [(["render", "--nope"], 2), (["render", "sop", "nosuch"], 1), (["render", "nosuch", "--run", "x"], 1)],
    "report": [(["report", "--nope"], 2), (["report", "--run", "nosuch"], 1), (["report", "--evaluasi"], 2)],
    "start": [(["start"], 2), (["start", "nosuch"], 1), (["start", NGANJUK, "--year", "1999"], 2),
              (["start", NGANJUK, "--at", "kemarin lusa"], 2), (["start", NGANJUK], 3)],
    "advance": [(["advance", "--step", "tiga"], 2), (["advance", "--run", "nosuch"], 1), (["advance", "--step", "3"], 3)],
    "status": [(["status", "--nope"], 2), (["status", "--run", "nosuch"], 1)],
    "runs": [(["runs", "--limit", "-1"], 2), (["runs", "--store", "missing.db"], 1),
             (["runs", "--org", "nosuch"], 0)],
    "log": [(["log", "--nope"], 2), (["log", "--run", "nosuch"], 1)],
    "undo": [(["undo", "--nope"], 2), (["undo", "--run", "nosuch", "--reason", "x"], 1),
             (["undo", "--reason", "x"], 3)],
    "cancel": [(["cancel", "--nope"], 2), (["cancel", "--run", "nosuch", "--reason", "x"], 1)],
    "note": [(["note", "--nope"], 2), (["note", "x", "--run", "nosuch"], 1)],
    "org": [(["org", "nope"], 2), (["org", "use", "nosuch"], 1)],
    "completion": [(["completion"], 2), (["completion", "tcsh"], 2)],
    "store": [(["store", "--nope"], 2), (["store", "status", "--store", "missing.db"], 1)],
    "attachments": [(["attachments", "--nope"], 2), (["attachments", "--run", "nosuch"], 1)],
    "diff": [(["diff"], 2), (["diff", "nosuch", "renja"], 1)],
    "new": [(["new", "--nope"], 2), (["new", "--zona", "XYZ", "--id", "a", "--nama", "b"], 2)],
    "cases": [(["cases", "--nope"], 2), (["cases", "purge", "--sebelum", "01-01-2025"], 2),
              (["cases", "purge", "--sebelum", "2025-01-01", "--store", "missing.db"], 1)],
    "import": [(["import"], 2), (["import", "sop.odt"], 2), (["import", "missing.docx"], 1)],
}


def test_every_command_has_its_cases() -> None:
    assert set(get_command(app).commands) == set(CASES)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("args", "code"), [case for cases in CASES.values() for case in cases],
                         ids=[" ".join(args) for cases in CASES.values() for args, _ in cases])
def test_every_command_follows_the_exit_code_rule(sop, monkeypatch, args, code):
    monkeypatch.delenv("SOP_DEBUG")
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    if code == 3:  # a conflict needs a run: one at step 1
        assert sop("start", NGANJUK).exit_code == 0
    result = sop(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
