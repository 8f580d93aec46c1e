"""Every test runs against a temporary SOP_HOME, never the user's real data."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "sop-home"
    monkeypatch.setenv("SOP_HOME", str(home))
    for variable in ("SOP_STORE", "SOP_PATH", "SOP_TEMPLATES", "SOP_ORG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SOP_DEBUG", "1")  # a bug surfaces as a traceback in tests, not a message
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    # The tests assert the source (English) messages; the Indonesian interface, the default for
    # users, is checked screen by screen in tests/test_i18n.py.
    monkeypatch.setenv("SOP_LANG", "en")
    monkeypatch.chdir(tmp_path)  # no ./sops or ./templates of the checkout leak in
    return home


# The run tests run against both stores: the embedded SQLite file and a PostgreSQL server
# (`SOP_TEST_POSTGRES`, one fresh schema per test; see tests/postgres.py). A test that looks
# inside the SQLite file itself is marked `sqlite_only`.
# (The documents' tests run on SQLite; test_cli_docs checks once that every document of a run
# is the same, byte for byte, from either store.)
BOTH_STORES = {"tests.test_cli_runs", "tests.test_report", "tests.test_concurrency",
               "tests.test_portfolio", "tests.test_i18n_run"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.module.__name__ in BOTH_STORES and "store_backend" in metafunc.fixturenames:
        metafunc.parametrize("store_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(autouse=True)
def store_backend(request: pytest.FixtureRequest, isolated_home: Path, monkeypatch: pytest.MonkeyPatch):
    """Which store the test's commands use: SQLite (default) or PostgreSQL (`SOP_STORE` URL)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("looks inside the SQLite file")
        from tests.postgres import fresh_schema, server_url

        with fresh_schema(server_url()) as url:
            monkeypatch.setenv("SOP_STORE", url)
            yield kind
    else:
        yield kind


_commands: dict[int, object] = {}


def built_once(app):
    """The click command of `app` (Typer's public `get_command`), built once per test session.

    Typer's `CliRunner.invoke` turns the app into a click command on every call, which was about
    two thirds of an in-process `sop` call; the command holds no state of a run, so one build
    serves every test. (The `sop` script builds only the command it runs: `sop_cli.cli.main`.)
    """
    command = _commands.get(id(app))
    if command is None:
        command = _commands[id(app)] = get_command(app)
    return command


class Runner(CliRunner):
    """Typer's test runner, invoking the click command built once (`built_once`) in its public
    `isolation`; the rest as `CliRunner.invoke` does it."""

    def invoke(self, app, args=None, input=None, env=None, catch_exceptions=True, color=False, **extra):  # type: ignore[override]
        command = built_once(app)
        exit_code, exception, exc_info, value = 0, None, None, None
        with self.isolation(input=input, env=env, color=color) as (out, err, both):
            try:
                value = command.main(args=list(args or ()), prog_name="sop", **extra)
            except SystemExit as stop:
                code = 0 if stop.code is None else stop.code
                if not isinstance(code, int):
                    sys.stdout.write(f"{code}\n")
                    code = 1
                exit_code, exception, exc_info = code, (stop if code else None), sys.exc_info()
            except Exception as error:
                if not catch_exceptions:
                    raise
                exit_code, exception, exc_info = 1, error, sys.exc_info()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                captured = out.getvalue(), err.getvalue(), both.getvalue()
        return Result(runner=self, stdout_bytes=captured[0], stderr_bytes=captured[1], output_bytes=captured[2],
                      return_value=value, exit_code=exit_code, exception=exception, exc_info=exc_info)


@pytest.fixture
def runner() -> CliRunner:
    return Runner()


@pytest.fixture
def sop(runner: CliRunner):
    """Invoke `sop ARGS...` in-process; returns the click Result."""
    from sop_cli.cli import app

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def write(path: Path, text: str) -> Path:
    """Write dedented text to `path`, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests (many processes, the README walkthrough) go first, so that with one worker
    per core (pytest-xdist) no long test starts last while the other workers sit idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
