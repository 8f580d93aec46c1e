"""Running a command line that a document shows (README.md, docs/panduan.md) as a user types it.

A line that is one plain `sop ...` command runs in this process, through the same click command
the `sop` script builds, with the line's environment and working folder: what it prints, its exit
code and what it writes are the script's (the quick path of `sop status`/`sop runs` prints the
same bytes: tests/test_quick.py). A line that needs the shell (a pipe, a loop, a variable, a glob,
`cp`, `sed` ...) runs in bash. Starting Python and importing `sop` for each of ~100 lines was most
of the walkthroughs' time; the installed script itself is run by test_readme's main-job tests.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import traceback
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import Runner

_SHELL_ONLY = re.compile(r"[$`*?~{}\[\]\\]")  # expansions and globs: only bash knows what they mean
_OPERATORS = {"|", "||", "&", "&&", ";", ";;", "<", ">", ">>", "<<", "(", ")", ">&", "<&", "|&"}


def plain_sop_words(line: str) -> list[str] | None:
    """The words of `line` when it is one `sop` command that bash would run as those words; None
    when bash would do more with it (operators, expansions, globs)."""
    code = line.partition("  #")[0] if "  #" in line else line
    if _SHELL_ONLY.search(code):
        return None
    lexer = shlex.shlex(code, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # an unclosed quote: let bash say so
        return None
    if not tokens or tokens[0] != "sop" or any(token in _OPERATORS for token in tokens):
        return None
    return shlex.split(code, comments=True)


@contextlib.contextmanager
def as_process(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """This process as a new one would be: exactly the environment `env` (what it lacks is
    unset) and the working folder `cwd`; both restored afterwards."""
    saved, before = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)
        os.environ.clear()
        os.environ.update(saved)


def invoke(words: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """`sop WORDS` through the script's click command, in this process: (exit code, stdout, stderr)."""
    from sop_cli.cli import app

    with as_process(env, cwd):
        result = Runner().invoke(app, words)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(result.exception))  # as the script would crash
    return result.exit_code, result.stdout, err


def run_line(line: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> tuple[int, str, str]:
    """Run `line` in `cwd` with exactly the environment `env`: (exit code, stdout, stderr)."""
    words = plain_sop_words(line)
    if words is None:
        done = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        return done.returncode, done.stdout, done.stderr
    return invoke(words[1:], env, cwd)
