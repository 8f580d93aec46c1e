"""The quick path (`sop_cli/cli/quick.py`): `sop status` and `sop runs` without Typer.

It must say exactly what the Typer commands say: the same bytes on stdout and stderr and the same
exit code, in both languages, as text and as JSON, for answers and for errors; it must know the
options exactly as the Typer commands define them, and leave everything else to the full CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sop_cli.cli import quick
from tests.conftest import REPO
from tests.documented import as_process, invoke

NOW = "2026-11-30T10:00"

QUICK = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["SOP_TEST_MODULES"], "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["sop", *json.loads(os.environ["SOP_TEST_ARGS"])]
from sop_cli.entry import main
main()
"""

FULL = """
import json, os, sys
sys.argv = ["sop", *json.loads(os.environ["SOP_TEST_ARGS"])]
from sop_cli.cli import main
main()
"""


def _typer_command(name: str):
    from typer.main import get_command

    from sop_cli.cli import app

    return get_command(app).commands[name]  # type: ignore[attr-defined]


def _annotations(name: str) -> dict[str, object]:
    """The Python types of the command function's parameters (what Typer converts the text to)."""
    import typing

    from sop_cli.cli import app

    callback = next(c.callback for c in app.registered_commands if c.name == name)
    return typing.get_type_hints(callback)


# The table is the Typer definition ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(quick.COMMANDS))
def test_the_table_is_the_typer_definition(name: str) -> None:
    command = _typer_command(name)
    table = quick.COMMANDS[name]
    params = {p.name: p for p in command.params}
    types = _annotations(name)
    for spelling, (param_name, kind) in table.items():
        param = params.get(param_name)
        assert param is not None, f"{name} {spelling}: no parameter {param_name}"
        assert spelling in [*param.opts, *param.secondary_opts], f"{name}: {spelling} is not an option of {param_name}"
        if kind == quick.FLAG:
            assert param.is_flag and not param.secondary_opts
        else:
            assert not param.is_flag and not param.multiple and param.nargs == 1
            expected = int if kind == quick.NUMBER else str
            assert types[param_name] in (expected, expected | None), (spelling, types[param_name])
    for param_name in {n for n, _ in table.values()}:
        param = params[param_name]
        # every spelling of a recognised option is recognised, with the Typer default
        assert sorted(s for s, (n, _) in table.items() if n == param_name) == sorted(param.opts)
        assert quick.DEFAULTS[name][param_name] == param.default
    assert set(quick.DEFAULTS[name]) == {n for n, _ in table.values()}
    # the parameters the quick path does not know are left to the full CLI
    for param in command.params:
        if param.name not in quick.DEFAULTS[name]:
            for spelling in param.opts:
                assert quick.recognise([name, spelling, "x"]) is None
                assert quick.recognise([name, spelling]) is None


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["status", "--help"], ["runs", "-h"], ["status", "renja-2027"], ["status", "--"],
    ["status", "--run"], ["status", "--run", "--json"], ["status", "--run="], ["status", "--json=1"],
    ["status", "--run", "a", "--run", "b"], ["status", "-r", "a", "--run", "b"], ["status", "-ra"],
    ["runs", "--limit", "-1"], ["runs", "--limit", "ten"], ["runs", "-n", "+5"], ["runs", "--year", "2027.0"],
    ["runs", "--year", " 2027"], ["runs", "-al"], ["runs", "--all", "--all"], ["runs", "--stor", "x"],
    ["status", "--run", "a\nb"], ["stat"], ["log"], ["runs", "--org", ""], ["runs", "--limit", "1" * 12],
])
def test_anything_else_goes_to_the_full_cli(argv: list[str]) -> None:
    assert quick.recognise(argv) is None


def test_plain_spellings_are_recognised() -> None:
    assert quick.recognise(["status"]) == ("status", {"run": None, "store": None, "as_json": False})
    assert quick.recognise(["status", "-r", "renja", "--json", "--store=/tmp/x.db"]) == (
        "status", {"run": "renja", "store": "/tmp/x.db", "as_json": True})
    assert quick.recognise(["runs", "-a", "-n", "0", "--year=2027", "--org", "ngronggot", "--late", "--sop", "renja"]) == (
        "runs", {"include_all": True, "limit": 0, "org": "ngronggot", "sop": "renja", "year": 2027, "late": True,
                 "store": None, "as_json": False})


def test_completion_is_left_to_the_full_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_SOP_COMPLETE", "complete_bash")
    assert quick.answer(["status"]) is None


# The same bytes on both paths -----------------------------------------------------------------------


def _run(script: str, args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str, list[str]]:
    modules = cwd / "modules.json"
    modules.unlink(missing_ok=True)
    process = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120,
                             env={**env, "SOP_TEST_ARGS": json.dumps(args), "SOP_TEST_MODULES": str(modules)},
                             check=False)
    loaded = json.loads(modules.read_text()) if modules.is_file() else []
    return process.returncode, process.stdout, process.stderr, loaded


@pytest.fixture
def runs_in_store(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three runs: one active and late, one finished after a rejection, one cancelled."""
    monkeypatch.setenv("SOP_NOW", "2026-11-23T08:00")
    assert sop("start", "renja", "--org", "ngronggot", "--assign", "camat=Drs. Makrup").exit_code == 0
    assert sop("advance", "--note", "disposisi\nbaris kedua").exit_code == 0
    assert sop("start", "renja", "--org", "diskominfo", "--year", "2028").exit_code == 0
    assert sop("cancel", "--run", "renja-2028", "--reason", "digabung").exit_code == 0
    assert sop("start", "renja", "--org", "ngronggot", "--year", "2029").exit_code == 0
    for n in range(1, 9):
        assert sop("advance", "--run", "renja-2029", "--step", str(n)).exit_code == 0
    assert sop("advance", "--run", "renja-2029", "--reject", "--reason", "kurang lengkap").exit_code == 0
    for n in range(8, 15):
        approve = ["--approve"] if n == 9 else []
        assert sop("advance", "--run", "renja-2029", "--step", str(n), *approve).exit_code == 0


CASES = [
    ["status", "--run", "renja-2027"],
    ["status", "--run=renja-2029"],
    ["status", "-r", "renja-2028", "--json"],
    ["status", "--run", "renja-2027", "--json"],
    ["status"],  # two active runs: an error, worded by the boundary
    ["status", "--run", "nope"],
    ["runs"],
    ["runs", "--all", "--json"],
    ["runs", "-a", "-n", "1"],
    ["runs", "--late", "--org", "ngronggot"],
    ["runs", "--year", "2031"],
    ["runs", "--store", "sqlite:///nowhere/at/all.db"],
]


@pytest.mark.slow
@pytest.mark.parametrize("language", ["id", "en"])
def test_quick_and_full_paths_print_the_same_bytes(runs_in_store, language: str, isolated_home: Path,
                                                   tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and k != "PYTHONPATH"}
    env.update(SOP_HOME=str(isolated_home), SOP_NOW=NOW, SOP_LANG=language, COLUMNS="80", NO_COLOR="1",
               PYTHONPATH=str(REPO))
    seen = set()
    for args in CASES:
        assert quick.recognise(args) is not None, args
        code, out, err, modules = _run(QUICK, args, env, tmp_path)
        full = invoke(args, env, tmp_path)  # the full CLI, in this process (the quick one needs its own)
        assert (code, out, err) == full, args
        assert "typer" not in modules and "pydantic" not in modules, f"{args}: the quick path imported Typer"
        assert "Traceback" not in err
        seen.add(code)
        if "--json" in args and code == 0:
            json.loads(out)
    assert seen >= {0, 1}, "both answers and errors were compared"


# A Tab from the cache --------------------------------------------------------------------------------


def _completers(name: str) -> dict[str, object]:
    """Parameter name -> the value function Typer calls on a Tab (the `autocompletion=` given)."""
    import inspect

    from sop_cli.cli import app

    callback = next(c.callback for c in app.registered_commands if c.name == name)
    return {p: getattr(v.default, "autocompletion", None) for p, v in inspect.signature(callback).parameters.items()}


def test_the_tab_table_is_the_typer_definition() -> None:
    from sop_cli.cli import app, complete

    kinds = {complete.run_ids: "runs", complete.step_numbers: "steps"}
    for registered in app.registered_commands:
        name = registered.name
        completers = _completers(name)
        command = _typer_command(name)
        expected = {}
        for param in command.params:
            kind = kinds.get(completers.get(param.name))  # type: ignore[arg-type]
            if kind and param.param_type_name == "option":
                expected.update(dict.fromkeys(param.opts, kind))
        assert quick.TAB_VALUES.get(name, {}) == expected, name
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        first_is_sop = bool(arguments) and completers.get(arguments[0].name) is complete.sop_ids
        assert (name in quick.TAB_SOP_ARGUMENT) == first_is_sop, name


TAB_LINES = ["sop status --run ", "sop show ", "sop start n", "sop advance --step ", "sop undo --run renja-2027 --step 1",
             "sop log -r R", "sop advance --step 1", "sop report --run renja-2027-x"]
"""Command lines as typed up to the Tab (a trailing space: a new, empty word)."""

SHELLS = [("complete_bash", None), ("complete_zsh", None), ("complete_fish", "get-args"), ("complete_fish", "is-args")]


def _tab(line: str, env: dict[str, str], cwd: Path, shell: str = "complete_bash", fish: str | None = None,
         *, full: bool = False) -> tuple[int, str, str, list[str]]:
    """What Tab offers after `line`: from the `sop` program (the quick path first), or with `full`
    from the full CLI in this process, as `cli.main` runs it (then the modules are not known)."""
    words = line.split(" ")
    shell_env = {"_SOP_COMPLETE": shell}
    if shell == "complete_bash":
        shell_env.update(COMP_WORDS=" ".join(w or "''" for w in words), COMP_CWORD=str(len(words) - 1))
    else:
        shell_env["_TYPER_COMPLETE_ARGS"] = line
        if fish:
            shell_env["_TYPER_COMPLETE_FISH_ACTION"] = fish
    if not full:
        return _run(QUICK, [], {**env, **shell_env}, cwd)
    from sop_cli.cli import complete

    complete.init()
    code, out, err = invoke([], {**env, **shell_env}, cwd)
    with as_process({**env, **shell_env}, cwd):
        complete.remember()
    return code, out, err, []


@pytest.mark.slow
def test_a_tab_from_the_cache_offers_what_the_full_cli_offers(sop, isolated_home: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-23T08:00")
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0  # the write refreshes the cache
    assert sop("advance", "--step", "1").exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and k != "PYTHONPATH"}
    env.update(SOP_HOME=str(isolated_home), PYTHONPATH=str(REPO))
    for shell, fish in SHELLS:
        # every line in bash; in zsh and fish, one of each kind and one that finds nothing
        for line in TAB_LINES if shell == "complete_bash" else [TAB_LINES[0], TAB_LINES[2], TAB_LINES[-1]]:
            code, out, err, modules = _tab(line, env, tmp_path, shell, fish)
            full = _tab(line, env, tmp_path, shell, fish, full=True)
            assert (code, out, err) == full[:3], (shell, fish, line)
            assert "typer" not in modules, f"{shell} {line!r}: not answered from the cache"
    assert _tab("sop advance --step ", env, tmp_path)[1].split("\n")[:2] == ["2", "1"]  # current first

    # Another writer (here: a touch) moves the store on: the cache no longer holds, the full CLI answers
    store = isolated_home / "sop.db"
    os.utime(store, ns=(store.stat().st_atime_ns, store.stat().st_mtime_ns + 1_000_000))
    code, out, _, modules = _tab("sop status --run ", env, tmp_path)
    assert (code, out.split()) == (0, ["renja-2027"]) and "typer" in modules
    assert "typer" not in _tab("sop status --run ", env, tmp_path)[3]  # ... and refreshed it

    # A new SOP file in ./sops: the SOP ids are offered afresh
    text = (REPO / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml").read_text(encoding="utf-8")
    target = tmp_path / "sops" / "kediri" / "kecamatan-pare" / "renja.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(text.replace("id: kecamatan-ngronggot", "id: kecamatan-pare").replace(
        "wilayah: nganjuk", "wilayah: kediri"), encoding="utf-8")
    code, out, _, modules = _tab("sop show k", env, tmp_path)
    assert "kediri/kecamatan-pare/renja" in out.split() and "typer" in modules


@pytest.mark.slow
def test_a_closed_pipe_ends_both_paths_quietly_with_exit_1(sop, isolated_home: Path, tmp_path: Path) -> None:
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_") and k != "PYTHONPATH"}
    env.update(SOP_HOME=str(isolated_home), PYTHONPATH=str(REPO), SOP_TEST_ARGS=json.dumps(["status"]),
               SOP_TEST_MODULES=str(tmp_path / "modules.json"))
    results = []
    for script in (QUICK, FULL):
        read, write = os.pipe()
        os.close(read)  # `sop status | head -0`: nobody reads
        process = subprocess.run([sys.executable, "-c", script], stdout=write, stderr=subprocess.PIPE, text=True,
                                 env=env, cwd=tmp_path, timeout=120, check=False)
        os.close(write)
        results.append((process.returncode, process.stderr))
    assert results == [(1, ""), (1, "")]
