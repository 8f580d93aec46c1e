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


def test_tab_offers_organisations_and_the_steps_that_output_a_document(home):
    """Issue 22: `sop org use <Tab>` offered file names, `render --step <Tab>` every step."""
    offered = bash(home, "sop org use ")
    assert {"ngronggot", "kecamatan-ngronggot", "diskominfo"} <= set(offered)
    assert not any("/" in word or word.endswith(".db") for word in offered)
    assert bash(home, "sop org use ngr") == ["ngronggot"]
    assert bash(home, "sop render undangan --step ") == ["4"]  # the step whose output is the undangan
    assert bash(home, "sop render pengantar --run renja-2027 -s ") == ["12"]
    assert bash(home, "sop render disposisi --step ") == ["1"]


def test_bash_keeps_the_order_sop_gives(home):
    """The script bash sources asks bash not to sort (`-o nosort`, bash 4.4+): the current step
    comes first and the rest in the SOP's order, not `1 10 11 ... 2`."""
    import shutil

    if shutil.which("bash") is None:
        pytest.skip("no bash")
    script = _sop(home, "completion", "bash").stdout
    sop_dir = str(Path(sys.executable).parent)
    # what bash does on Tab: call the function with COMP_WORDS/COMP_CWORD, show COMPREPLY in order
    shell = (script + "\ncomplete -p sop\nCOMP_WORDS=(sop advance --step ''); COMP_CWORD=3\n"
             "_sop_completion sop\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and not k.startswith("_SOP")}
    environment.update(SOP_HOME=str(home), SOP_NOW="2026-11-26T09:00", PATH=sop_dir + os.pathsep + os.environ["PATH"])
    done = subprocess.run(["bash", "--norc", "-c", shell], env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert "-o nosort" in lines[0] and "-o default" in lines[0]
    assert [line for line in lines[1:] if line] == ["2", "1", *(str(n) for n in range(3, 15))]


def test_tab_completes_open_case_ids_first(tmp_path):
    home = tmp_path / "home"
    examples = str(Path(__file__).resolve().parent.parent / "examples" / "sops")
    for name in ("Budi", "Siti", "Ani"):
        assert _sop(home, "start", "sktm", "--untuk", name, SOP_PATH=examples).returncode == 0
    assert _sop(home, "cancel", "--run", "sktm-2026-0001", "--reason", "dicabut").returncode == 0
    assert bash(home, "sop status --run sktm") == ["sktm-2026-0002", "sktm-2026-0003", "sktm-2026-0001"]
    assert bash(home, "sop advance --run sktm-2026-000") == ["sktm-2026-0002", "sktm-2026-0003", "sktm-2026-0001"]
