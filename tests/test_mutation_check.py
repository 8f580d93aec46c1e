"""The mutation check (benchmarks/mutate.py) still works: a check nobody runs rots silently, as it
did once when the suite moved to pytest-xdist and every kill read as an error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_the_mutation_check_kills_a_mutation_of_the_calendar():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "mutate.py"), "-k", "menit/jam deadline is one minute later",
         "--tests", "tests/test_calendar.py"],  # the one file that must notice: the tool is what is tested
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "killed    calendar: a menit/jam deadline is one minute later" in result.stdout
    assert "1 of 1 mutations killed." in result.stdout
