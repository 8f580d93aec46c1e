"""Shell completion as the shells call it: real `sop` processes with `_SOP_COMPLETE` set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _sop(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and not k.startswith("_SOP")}
    environment.update(SOP_HOME=str(home), SOP_NOW="2026-11-26T09:00", NO_COLOR="1", **env)
    return subprocess.run([str(Path(sys.executable).parent / "sop"), *args], check=False, env=environment, capture_output=True,
                          text=True, timeout=60)


def bash(home: Path, line: str) -> list[str]:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    result = _sop(home, _SOP_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(cword))
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout.split()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("completion") / "home"
    assert _sop(home, "start", "renja", "--org", "ngronggot").returncode == 0
    assert _sop(home, "advance").returncode == 0
    return home


def test_bash_completes_commands_options_and_values(home):
    assert bash(home, "sop st") == ["start", "status", "store"]
    assert {"--at", "--assign", "--again"} <= set(bash(home, "sop start --a"))
    assert set(bash(home, "sop show ")) >= {"renja", "nganjuk/kecamatan-ngronggot/renja", "lampung-tengah/diskominfo/renja"}
    assert "ngronggot" in bash(home, "sop start renja --org ")
    assert bash(home, "sop status --run ") == ["renja-2027"]
    steps = bash(home, "sop advance --step ")
    assert steps[0] == "2" and set(steps) == {str(n) for n in range(1, 15)}  # the current step first
    assert {"sop", "undangan", "pengantar"} <= set(bash(home, "sop render "))


def test_zsh_and_fish_complete_too(home):
    zsh = _sop(home, _SOP_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="sop show ")
    assert '"nganjuk/kecamatan-ngronggot/renja"' in zsh.stdout
    fish = _sop(home, _SOP_COMPLETE="complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args",
                _TYPER_COMPLETE_ARGS="sop status --run ")
    assert fish.stdout.split() == ["renja-2027"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_each_shell(home, shell):
    result = _sop(home, "completion", shell)
    assert result.returncode == 0 and f"_SOP_COMPLETE=complete_{shell}" in result.stdout


def test_a_completion_never_prints_an_error(tmp_path):
    # no store, a run option: nothing to offer, and nothing printed into the prompt
    assert bash(tmp_path / "empty", "sop status --run ") == []
    assert bash(tmp_path / "empty", "sop advance --step ") == []


def test_tab_completes_open_case_ids_first(tmp_path):
    home = tmp_path / "home"
    examples = str(Path(__file__).resolve().parent.parent / "examples" / "sops")
    for name in ("Budi", "Siti", "Ani"):
        assert _sop(home, "start", "sktm", "--untuk", name, SOP_PATH=examples).returncode == 0
    assert _sop(home, "cancel", "--run", "sktm-2026-0001", "--reason", "dicabut").returncode == 0
    assert bash(home, "sop status --run sktm") == ["sktm-2026-0002", "sktm-2026-0003", "sktm-2026-0001"]
    assert bash(home, "sop advance --run sktm-2026-000") == ["sktm-2026-0002", "sktm-2026-0003", "sktm-2026-0001"]
