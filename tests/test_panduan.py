"""docs/panduan.md, the Indonesian user's whole guide, is run and kept in step with the README.

- every line of its ```sh blocks (but the install) runs, in the default (Indonesian) interface,
  against a throw-away SOP_HOME and a clock that moves one minute per line: each exits 0, prints
  no error, and what it asks for happens (the run it starts, the step it completes, the file it
  writes);
- it covers the same subcommands as the README, and each command-table row names the same
  options as the README's row for that command (and only options the command has).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.documented import run_line
from tests.test_readme import README, command_path, help_text, root

PANDUAN = (REPO / "docs" / "panduan.md").read_text(encoding="utf-8")
START = datetime(2026, 11, 23, 8, 0)  # a Monday, 08.00 WIB
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")


def fenced(text: str, language: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
            if m.group(1) == language]


def commands_covered(text: str) -> set[str]:
    """Every (sub)command path a document names as `sop PATH` (in text, tables or blocks)."""
    found = set()
    for match in re.finditer(r"(?<![\w/.-])sop((?: [a-z][a-z-]*){1,2})", text):
        command, path = root(), []
        for word in match.group(1).split():
            subcommands = getattr(command, "commands", {})
            if word not in subcommands:
                break
            command, path = subcommands[word], [*path, word]
        if path and not getattr(command, "commands", None):
            found.add(" ".join(path))
    return found


def rows(text: str) -> dict[str, set[str]]:
    """Command path -> the long options its command-table rows name."""
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.startswith("| `sop "):
            usage = re.split(r"(?<!\\)\|", line)[1].strip().strip("`").replace("\\|", "|")
            path = command_path(usage.split()[1:])[0]
            found.setdefault(path, set()).update(OPTION.findall(usage))
    return found


def test_the_panduan_covers_every_subcommand_the_readme_covers() -> None:
    readme, panduan = commands_covered(README), commands_covered(PANDUAN)
    assert len(readme) > 20
    assert sorted(readme - panduan) == [] and sorted(panduan - readme) == []


def test_the_panduan_tables_name_the_readmes_options() -> None:
    readme, panduan = rows(README), rows(PANDUAN)
    assert sorted(set(readme) - set(panduan)) == []
    assert {path: sorted(readme[path] ^ panduan[path]) for path in readme if readme[path] != panduan[path]} == {}
    wrong = [f"sop {path} {option}" for path, options in panduan.items() for option in options
             if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text(path))]
    assert wrong == []


def test_the_panduan_covers_the_readmes_sop_file_features() -> None:
    for word in ("paralel", "eksternal", "sub_sop", "jam_kerja", "hari_libur", "tidak: selesai", "petugas",
                 "atas_nama", "--portfolio", "--evaluasi", "SOP_STORE", "sop completion bash"):
        assert word in PANDUAN, word
    codes = set(re.findall(r"^\| `(\d+)` \|", README, flags=re.MULTILINE))
    assert codes and codes == set(re.findall(r"^\| `(\d+)` \|", PANDUAN, flags=re.MULTILINE))


def _yaml_files() -> dict[str, str]:
    """```yaml blocks of the panduan that start with `# NAME.yaml`."""
    found = {}
    for block in fenced(PANDUAN, "yaml"):
        first = block.splitlines()[0] if block else ""
        if re.fullmatch(r"#\s*[\w.-]+\.ya?ml\s*", first):
            found[first.lstrip("# ").strip()] = block
    return found


def _option(words: list[str], name: str) -> str | None:
    if name in words[:-1]:
        value = words[words.index(name) + 1]
        return None if value.startswith("--") else value
    return None


@pytest.mark.slow
def test_every_command_of_the_panduan_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update(SOP_HOME=str(tmp_path / "home"), SOP_USER="Penguji Panduan", NO_COLOR="1", COLUMNS="100",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    yaml_files = _yaml_files()
    now = START
    ran = 0
    started = []
    for index, block in enumerate(b for b in fenced(PANDUAN, "sh") if "pip install" not in b):
        cwd = tmp_path / f"block-{index}"  # a fresh folder per block; the store is shared
        cwd.mkdir()
        for raw in block.splitlines():
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            code = raw.partition("  #")[0]
            words = shlex.split(code, comments=True)
            for name in [w for i, w in enumerate(words[1:]) if words[i] in ("--values", "--attach")]:
                if not (cwd / name).exists():
                    (cwd / name).write_text(yaml_files.get(name, f"pengganti {name}\n"), encoding="utf-8")
            now += timedelta(minutes=1)
            code, stdout, stderr = run_line(raw, cwd, {**env, "SOP_NOW": now.isoformat()})
            where = f"`{raw}`:\n{stdout}{stderr}"
            assert code == 0, where
            assert "Kesalahan" not in stderr and "Traceback" not in stderr, where
            assert "Error" not in stdout + stderr, f"English on the Indonesian screen: {where}"
            ran += 1
            command = words[1] if words[:1] == ["sop"] and len(words) > 1 else ""
            if command == "start":
                match = re.search(r"^(?:Sudah d|D)imulai (\S+) untuk \d{4}", stdout, flags=re.MULTILINE)
                assert match, where
                started.append(match.group(1))
            step = _option(words, "--step")
            if command == "advance" and step and step.isdigit():
                assert re.search(rf"\blangkah {step}\b", stdout), where
            if command in ("status", "runs", "log"):
                assert any(run in stdout for run in started), where
            out = _option(words, "--out") or _option(words, "--copy-to")
            if out:
                assert (cwd / out).exists(), f"{where}\nwrote no {out}"
    assert ran >= 40 and started
