"""Helpers for the hostile-input suites: run sop as a user does (no SOP_DEBUG) and read the result."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Ran:
    """What a user sees: the exit code, stdout, stderr, and the first line of stderr (else stdout)."""

    code: int
    stdout: str
    stderr: str

    @property
    def first(self) -> str:
        text = self.stderr if self.stderr.strip() else self.stdout
        return text.strip("\n").split("\n", 1)[0]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a user: no SOP_DEBUG, so a bug would end in exit 70, not a traceback."""
    monkeypatch.delenv("SOP_DEBUG", raising=False)


def run_sop(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60) -> Ran:
    """`sop ARGS` in a new process, as typed in a shell, without SOP_DEBUG."""
    environment = {**os.environ, **(env or {})}
    environment.pop("SOP_DEBUG", None)
    process = subprocess.run([sys.executable, "-m", "sop_cli", *map(str, args)], capture_output=True, cwd=cwd,
                             env=environment, timeout=timeout)
    return Ran(process.returncode, process.stdout.decode("utf-8", "replace"), process.stderr.decode("utf-8", "replace"))


def invoke(sop, *args: object) -> Ran:
    """`sop ARGS` in-process through the `sop` fixture (the caller has called `as_user`)."""
    result = sop(*args)
    return Ran(result.exit_code, result.stdout, result.stderr)
