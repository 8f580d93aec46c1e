"""The README is run, not just read: its walkthroughs work, its tables name real options.

Everything here is read from README.md itself, so a README that changes its examples or its
command tables is tested as it then reads:

- every ```sh block (except set-up and benchmarks, which CI runs itself) is run line by line as
  typed (a plain `sop` line in this process, the others by bash with the installed `sop` script
  on PATH: tests/documented.py), against a throw-away SOP_HOME and a clock
  (SOP_NOW) that moves one minute per line; each line must exit 0, and what it prints is checked
  against what the line asks for (the step it advances, the file it writes, the note it logs ...);
- every option in a command-table row exists on THAT command's `--help`, and every option of a
  command is in one of its rows (or in the "Every run command takes ..." sentence).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from typer.main import get_command

from sop_cli.cli import app
from tests.conftest import REPO, Runner
from tests.documented import run_line

if TYPE_CHECKING:
    from typer.core import TyperCommand, TyperGroup

    Command = TyperCommand | TyperGroup

README = (REPO / "README.md").read_text(encoding="utf-8")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")
START = datetime(2026, 11, 23, 8, 0)  # a Monday, 08.00 WIB: inside office hours, no holiday near


def _fenced(language: str) -> Iterator[tuple[str, str]]:
    """(section heading, block text) of every fenced block in `language`, in README order."""
    heading = ""
    # Every fence is matched, whatever its language, so a `# comment` inside one is no heading.
    for match in re.finditer(r"^(#+ [^\n]*)$|^```(\w*)\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL):
        if match.group(1):
            heading = match.group(1).lstrip("# ").strip()
        elif match.group(2) == language:
            yield heading, match.group(3)


def walkthrough_blocks() -> list[tuple[str, str]]:
    """The ```sh blocks a user types: all but set-up (`pip install`) and `benchmarks/`."""
    return [(heading, block) for heading, block in _fenced("sh")
            if "pip install" not in block and "benchmarks/" not in block]


def named_yaml_files() -> dict[str, str]:
    """```yaml blocks that start with `# NAME.yaml`: files the walkthroughs refer to by name."""
    files = {}
    for _, block in _fenced("yaml"):
        first = block.splitlines()[0] if block else ""
        if re.fullmatch(r"#\s*[\w.-]+\.ya?ml\s*", first):
            files[first.lstrip("# ").strip()] = block
    return files


# The command tables ---------------------------------------------------------------------------


@cache
def root() -> TyperGroup:
    command = get_command(app)
    assert hasattr(command, "commands")
    return command  # type: ignore[return-value]


def command_path(words: list[str]) -> tuple[str, Command]:
    """The longest run of `words` naming a (sub)command: ("org use", <command>)."""
    command: Command = root()
    path: list[str] = []
    for word in words:
        subcommands = getattr(command, "commands", {})
        if word not in subcommands:
            break
        command = subcommands[word]
        path.append(word)
    assert path, f"`sop {' '.join(words)}` names no command"
    return " ".join(path), command


def table_rows() -> list[tuple[str, str]]:
    """(command path, usage) of every table row whose first cell is `sop ...`."""
    rows = []
    for line in README.splitlines():
        if line.startswith("| `sop "):
            usage = re.split(r"(?<!\\)\|", line)[1].strip().strip("`").replace("\\|", "|")
            rows.append((command_path(usage.split()[1:])[0], usage))
    return rows


@cache
def help_text(path: str) -> str:
    result = Runner().invoke(app, [*path.split(), "--help"], env={"COLUMNS": "300", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def long_options(command: Command) -> set[str]:
    return {opt for param in command.params for opt in param.opts if opt.startswith("--") and opt != "--help"}


def shared_options() -> tuple[set[str], set[str]]:
    """The options of "Every run command takes `--store PATH` and `--json`", and the commands of
    the table just above that sentence (the run commands) that must all take them."""
    match = re.search(r"^Every run command takes (.*?)\.", README, flags=re.MULTILINE)
    assert match, 'the README no longer says which options "every run command takes"'
    options = set(OPTION.findall(match.group(1)))
    table = README[:match.start()].rstrip().rsplit("\n\n", 1)[-1]
    commands = {path for path, _ in table_rows() if f"`sop {path}" in table}
    return options, commands


def may_omit(path: str, option: str) -> bool:
    """An option a row need not repeat: a shared one, on a run command or a command taking `--run`."""
    shared, run_commands = shared_options()
    commands = dict(all_commands())
    return option in shared and (path in run_commands or "--run" in long_options(commands[path]))


def all_commands() -> list[tuple[str, Command]]:
    found: list[tuple[str, Command]] = []
    for name, command in root().commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [(f"{name} {sub}", sub_command) for sub, sub_command in subcommands.items()]
        else:
            found.append((name, cast("Command", command)))
    return found


def test_every_command_has_a_table_row() -> None:
    documented = {path for path, _ in table_rows()}
    assert sorted(path for path, _ in all_commands() if path not in documented) == []


def test_every_option_in_a_row_is_on_that_commands_help() -> None:
    wrong = []
    for path, usage in table_rows():
        for option in OPTION.findall(usage):
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text(path)):
                wrong.append(f"`sop {path}` has no {option}")
    assert wrong == []


def test_every_option_of_a_command_is_in_its_row() -> None:
    in_rows: dict[str, set[str]] = {}
    for path, usage in table_rows():
        in_rows.setdefault(path, set()).update(OPTION.findall(usage))
    missing = []
    for path, command in all_commands():
        for option in sorted(long_options(command)):
            if option not in in_rows.get(path, set()) and not may_omit(path, option):
                missing.append(f"sop {path} {option}")
    assert missing == []


def test_every_run_command_takes_the_shared_options() -> None:
    shared, run_commands = shared_options()
    assert shared and run_commands
    commands = dict(all_commands())
    assert sorted(f"sop {p} {o}" for p in run_commands for o in shared if o not in long_options(commands[p])) == []


def test_the_row_check_tells_a_prefix_from_an_option() -> None:
    # `--at` must be found as itself, not inside `--attach`.
    assert not re.search(r"(?<![\w-])--at(?![\w-])", "  --attach FILE  Keep a copy")
    assert OPTION.findall("`sop advance [--attach FILE ...] [--approve \\| --reject]`") == [
        "--attach", "--approve", "--reject"]


# The walkthroughs ------------------------------------------------------------------------------


@dataclass
class Line:
    """One README command line and what it printed."""

    text: str
    words: list[str]
    comment: str
    code: int = 0
    out: str = ""
    err: str = ""

    def option(self, name: str) -> str | None:
        """The value after `name`, or None."""
        if name in self.words[:-1]:
            value = self.words[self.words.index(name) + 1]
            return None if value.startswith("--") else value
        return None

    def values(self, name: str) -> list[str]:
        return [self.words[i + 1] for i, w in enumerate(self.words[:-1])
                if w == name and not self.words[i + 1].startswith("--")]


@dataclass
class Walkthrough:
    """State carried from line to line: the runs started, the texts logged so far."""

    cwd: Path
    runs: list[str] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)


def parse(line: str) -> Line:
    code, _, comment = line.partition("  #") if "  #" in line else (line, "", "")
    return Line(text=line, words=shlex.split(code, comments=True), comment=comment.strip())


def sop_script() -> Path:
    script = Path(sys.executable).parent / "sop"
    assert script.is_file(), f"the `sop` script is not installed beside {sys.executable}"
    return script


def prepare_files(line: Line, cwd: Path) -> None:
    """Files a line names (`--values`, `--attach FILE`): a README yaml block of that name, or a stand-in."""
    yaml_files = named_yaml_files()
    for name in (*line.values("--values"), *line.values("--attach")):
        path = cwd / name
        if not path.exists() and "$" not in name:
            path.write_text(yaml_files.get(name, f"stand-in for {name}\n"), encoding="utf-8")


def check(line: Line, state: Walkthrough) -> None:
    """What this line asks for is what it printed."""
    where = f"`{line.text}`"
    assert line.code == 0, f"{where} exited {line.code}:\n{line.out}{line.err}"
    assert "Error" not in line.err and "Traceback" not in line.err, f"{where}:\n{line.err}"
    words = line.words
    if words[:1] != ["sop"]:
        return
    command = words[1] if len(words) > 1 else ""
    if command == "org" and words[2:3] == ["use"]:
        assert "Default organisation" in line.out, where
    if command == "start":
        started = re.search(r"^(?:Already s|S)tarted (?:case )?(\S+)(?: for \d{4})?:", line.out, flags=re.MULTILINE)
        assert started, f"{where} did not say which run it started:\n{line.out}"
        state.runs.append(started.group(1))
    if command == "advance":
        step = line.option("--step")
        if step and step.isdigit():
            if "--reject" in words:
                assert re.search(rf"step {step} rejected", line.out), f"{where}:\n{line.out}"
                back = re.search(r"back to step (\d+)", line.comment, flags=re.IGNORECASE)
                if back:
                    assert f"Back to step {back.group(1)}" in line.out, f"{where}:\n{line.out}"
            elif "--approve" in words:
                assert re.search(rf"step {step} approved", line.out), f"{where}:\n{line.out}"
            else:
                assert re.search(rf"step {step} done", line.out), f"{where}:\n{line.out}"
    if command in ("advance", "note", "undo", "cancel"):
        for text in (*line.values("--note"), *line.values("--reason")):
            state.logged.append(text)
        if "--reason" in words and command != "advance":
            assert f"reason: {line.option('--reason')}" in line.out, f"{where}:\n{line.out}"
        for attached in line.values("--attach"):
            assert f"Attached {attached}" in line.out, f"{where}:\n{line.out}"
    if command == "undo":
        assert "undid event" in line.out, f"{where}:\n{line.out}"
    if command == "cases":
        assert "Erased the personal data of" in line.out, f"{where}:\n{line.out}"
    if command == "log":
        for text in state.logged:
            assert text in line.out, f"{where} does not show {text!r}:\n{line.out}"
    if command == "report" and "--sop" in words and "--out" not in words:  # a period: counts, no run ids
        assert "Received" in line.out and "Within Mutu Baku" in line.out, f"{where}:\n{line.out}"
    elif command in ("status", "runs", "log", "report") and "--out" not in words:
        assert state.runs and any(run in line.out for run in state.runs), f"{where}:\n{line.out}"
    if command == "status":
        assert "Current" in line.out, f"{where}:\n{line.out}"
    if command == "validate":
        assert re.search(r"(\d+) of \1 SOP file\(s\) valid", line.out), f"{where}:\n{line.out}"
    if command == "render" and "--list" in words:
        for document in state.documents:
            assert re.search(rf"^{re.escape(document)}\s", line.out, flags=re.MULTILINE), f"{where} lacks {document}"
    if command == "render" and "--attach" in words:
        assert "Attached" in line.out, f"{where}:\n{line.out}"
    out = line.option("--out")
    if out:
        written = state.cwd / out
        assert written.is_file() and written.stat().st_size > 0, f"{where} wrote no {out}"
        assert out in line.out, f"{where} does not say where it wrote:\n{line.out}"
        fmt = line.option("--format") or out.rsplit(".", 1)[-1]
        if fmt in ("pdf", "docx", "xlsx"):  # binary: the file is what its suffix says (docx, xlsx are zip)
            assert written.read_bytes().startswith(b"%PDF-" if fmt == "pdf" else b"PK\x03\x04"), where
            return
        content = written.read_text(encoding="utf-8")
        if fmt == "csv":
            assert len(list(csv.reader(io.StringIO(content)))) > 1, f"{where}: {content[:200]}"
        if fmt == "html":
            assert "<html" in content.lower(), where


def test_the_readme_has_walkthroughs_to_run() -> None:
    headings = [heading for heading, _ in walkthrough_blocks()]
    assert {"A Renja run, step by step", "Documents and reports"} <= set(headings), headings


@pytest.mark.slow
def test_the_readme_walkthroughs_run_as_written(tmp_path: Path) -> None:
    sop_script()
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    # The README shows the English interface (it says so: `export SOP_LANG=en`); Indonesian is the default.
    # The counter's day uses the examples, as the README says (`export SOP_PATH=examples/sops`).
    env.update(SOP_HOME=str(home), SOP_USER="Penguji README", NO_COLOR="1", COLUMNS="200", SOP_LANG="en",
               SOP_PATH=str(REPO / "examples" / "sops"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    blocks = walkthrough_blocks()
    documents = {w[2] for _, block in blocks for raw in block.splitlines()
                 if (w := parse(raw).words)[:2] == ["sop", "render"] and len(w) > 2 and not w[2].startswith("-")}
    now = START
    ran = 0
    state = Walkthrough(cwd=tmp_path, documents=documents)
    # The walkthroughs follow the main job, on the store it left; the main job runs twice.
    for attempt in range(2):
        now += timedelta(minutes=1)
        result = subprocess.run(["bash", "-c", main_job_after_install()], cwd=tmp_path,
                                env={**env, "SOP_NOW": now.isoformat()}, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and "Error" not in result.stderr, (attempt, result.stdout, result.stderr)
    listed = subprocess.run(["bash", "-c", "sop runs --all --json"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert len(json.loads(listed.stdout)) == 1, listed.stdout
    for index, (heading, block) in enumerate(blocks):
        state.cwd = cwd = tmp_path / f"block-{index}"  # a fresh folder per block; the store is shared
        cwd.mkdir()
        runs_before = len(state.runs)
        for raw in block.splitlines():
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            line = parse(raw)
            prepare_files(line, cwd)
            now += timedelta(minutes=1)
            line.code, line.out, line.err = run_line(raw, cwd, {**env, "SOP_NOW": now.isoformat()})
            check(line, state)
            ran += 1
        if heading == "A Renja run, step by step":
            assert len(state.runs) > runs_before, "the step-by-step walkthrough started no run"
    assert ran >= 20 and state.runs


def main_job_after_install() -> str:
    """The README's main job from the activation on, activating this test run's virtual environment."""
    main = next(block for _, block in _fenced("sh") if "pip install ." in block).strip()
    activate = main.index(". .venv/bin/activate")
    venv = Path(sys.executable).parent.parent
    return main[activate:].replace(".venv/", f"{shlex.quote(str(venv))}/", 1)


@pytest.mark.slow
def test_the_main_job_leaves_sop_callable_as_sop(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and k != "VIRTUAL_ENV"}
    env.update(SOP_HOME=str(tmp_path / "home"), NO_COLOR="1", SOP_NOW="2026-11-23T08:00", SOP_LANG="en",
               PATH=os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                    if not (Path(p) / "sop").exists()))
    script = main_job_after_install() + " && command -v sop"
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Started renja-2027 for 2027: Penyusunan Rencana Kerja 2027"
    assert result.stdout.splitlines()[-1] == str(Path(sys.executable).parent / "sop")


def test_the_two_setup_commands_are_what_ci_runs() -> None:
    blocks = [block for _, block in _fenced("sh")]
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci
    main_command = blocks[0]
    assert "pip install ." in main_command and "sop start renja" in main_command
