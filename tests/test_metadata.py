"""The package metadata says what the code does: its version, and the Typer it runs on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from tests.conftest import REPO


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update(SOP_HOME=str(home), NO_COLOR="1", SOP_LANG="en")
    return subprocess.run([sys.executable, "-m", "sop_cli", *args], env=env, capture_output=True, text=True,
                          check=False, timeout=120)


def test_sop_version_is_the_installed_distribution_version(isolated_home: Path) -> None:
    result = _run("--version", home=isolated_home)
    assert result.returncode == 0
    assert result.stdout == f"sop {version('sop-cli')}\n"


def test_the_version_is_written_in_one_place() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^version\s*=", project, flags=re.MULTILINE) is None
    assert 'dynamic = ["version"]' in project
    assert re.search(r'\[tool\.hatch\.version\]\npath = "sop_cli/__init__.py"', pyproject)


def test_a_usage_error_is_clicks_exit_2_not_an_internal_error(isolated_home: Path) -> None:
    # Without SOP_DEBUG, only click's own exceptions may pass the error boundary; if the boundary
    # failed to recognise them (click moved inside Typer), this would be "Internal error", exit 70.
    result = _run("runs", "--limit", "many", home=isolated_home)
    assert result.returncode == 2, result.stderr
    assert "--limit: the limit must be a number" in result.stderr and "Internal error" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_installed_dependencies_are_within_the_declared_bounds() -> None:
    # The suite only proves the versions it runs with: a bound that excludes them is wrong.
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    outside = []
    for text in requires("sop-cli") or []:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": "test"}):
            continue
        installed = version(requirement.name)
        if not requirement.specifier.contains(installed, prereleases=True):
            outside.append(f"{requirement.name} {installed} is not {requirement.specifier}")
    assert outside == []
