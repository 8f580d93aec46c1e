"""The README documents every command and every option a user can type."""

from __future__ import annotations

import re

from sop_cli.cli import app
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands():
    from typer.main import get_command

    root = get_command(app)
    for name, command in root.commands.items():
        sub = getattr(command, "commands", None)
        if sub:
            for sub_name, sub_command in sub.items():
                yield f"{name} {sub_name}", sub_command
        else:
            yield name, command


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name, _ in commands() if f"`sop {name}" not in README]
    assert missing == []


def test_every_option_is_in_the_readme() -> None:
    missing = []
    for name, command in commands():
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option not in ("--help",) and option not in README:
                    missing.append(f"sop {name} {option}")
    assert missing == []


def test_the_two_setup_commands_are_what_ci_runs() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci
    main_command = blocks[0]
    assert "pip install ." in main_command and "sop start renja" in main_command
