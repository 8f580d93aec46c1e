"""Start-up: what each command imports (not timed), and the catalog cache that keeps `sop` quick.

Each import check runs `sop ARGS` in a fresh interpreter and looks at `sys.modules` afterwards:
jinja2, yaml and rich cost ~80-110 ms together, so a command imports them only when it renders,
reads YAML, prints a table or a help screen (drawn with rich); `sop status` and `sop advance`
print no table and load rich only on a terminal, for the progress bar and the colour (here: a
pipe with NO_COLOR; tests/test_screens_pty.py sees the terminal). The timed budgets are in
`benchmarks/run.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"

DRIVER = """
import json, os, sys
sys.argv = ["sop", *json.loads(os.environ["SOP_TEST_ARGS"])]
from sop_cli.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
with open(os.environ["SOP_TEST_MODULES"], "w") as handle:
    json.dump({"code": code, "modules": sorted(sys.modules)}, handle)
"""

HEAVY = ("jinja2", "yaml", "rich", "holidays")  # a run's deadlines are stored: no holiday tables either
RICH = ("jinja2", "yaml", "rich")  # no rich at all
NO_DEFINITION = ("jinja2", "yaml", "rich", "sop_cli.definition.model")  # not even the models (pydantic itself: typer needs it)
TABLE = ("jinja2", "yaml", "sop_cli.definition.model")  # rich draws the table, nothing else heavy


def imports(home: Path, tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """Run `sop ARGS` in a new interpreter; return its exit code and every module it imported."""
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update(SOP_HOME=str(home), NO_COLOR="1", COLUMNS="120", SOP_TEST_ARGS=json.dumps(args),
               SOP_TEST_MODULES=str(out), PYTHONPATH=str(REPO))
    process = subprocess.run([sys.executable, "-c", DRIVER], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=120, check=False)
    assert out.is_file(), f"sop {' '.join(args)} ended before its imports were recorded:\n{process.stderr}"
    result = json.loads(out.read_text())
    return result["code"], set(result["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules]


DEFINITION_COMMANDS = [
    (["--version"], NO_DEFINITION),
    (["--help"], ("jinja2", "yaml")),  # the help screen is drawn with rich
    (["list"], TABLE),
    (["list", "--json"], NO_DEFINITION),
    (["show", NGANJUK], ("jinja2", "yaml")),
    (["show", NGANJUK, "--json"], RICH),
    (["org", "list"], NO_DEFINITION),
    (["validate"], ("jinja2", "rich")),  # the checking command reads the YAML, of course
]


@pytest.mark.slow
def test_definition_commands_import_only_what_they_use(isolated_home: Path, tmp_path: Path) -> None:
    # The first `list` fills the catalog cache (as any earlier command would) and reads the YAML;
    # the second does not. Then each command, in a new interpreter, imports only what it uses.
    code, first = imports(isolated_home, tmp_path, "list")
    assert code in (0, None) and "yaml" in first and "sop_cli.definition.model" in first
    wrong = {}
    for args, forbidden in DEFINITION_COMMANDS:
        code, modules = imports(isolated_home, tmp_path, *args)
        assert code in (0, None), args
        if loaded(modules, forbidden):
            wrong[" ".join(args)] = loaded(modules, forbidden)
    assert wrong == {}


@pytest.mark.slow
def test_run_commands_import_no_templates_yaml_rich_or_holidays(isolated_home: Path, tmp_path: Path) -> None:
    code, _ = imports(isolated_home, tmp_path, "start", NGANJUK)
    assert code in (0, None)
    wrong = {}
    for args in (["status"], ["advance"], ["runs"], ["log"], ["status", "--json"], ["runs", "--json"]):
        code, modules = imports(isolated_home, tmp_path, *args)
        assert code in (0, None), args
        # the tables of `runs` and `log` are drawn by rich; the rest print none
        forbidden = tuple(m for m in HEAVY if m != "rich") if args in (["runs"], ["log"]) else HEAVY
        if loaded(modules, forbidden):
            wrong[" ".join(args)] = loaded(modules, forbidden)
    assert wrong == {}


@pytest.mark.slow
def test_the_sop_script_builds_only_the_command_it_runs_and_behaves_the_same(sop, isolated_home: Path,
                                                                            tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update(SOP_HOME=str(isolated_home), NO_COLOR="1", COLUMNS="200", PYTHONPATH=str(REPO), SOP_LANG="en")

    def script(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sop_cli", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, check=False, timeout=120)

    for args in (["list", "--json"], ["org", "list", "--json"], ["show", NGANJUK, "--json"]):
        result = script(*args)
        assert (result.returncode, result.stdout) == (0, sop(*args).stdout), args
    typo = script("stauts")
    assert typo.returncode == 2 and "No such command 'stauts'" in typo.stderr and "status" in typo.stderr
    assert "sop_cli show [OPTIONS]" in script("show", "--help").stdout


# The catalog cache ---------------------------------------------------------------------------------

VALID = (REPO / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml").read_text(encoding="utf-8")


def _fresh(path: Path):
    from sop_cli.definition.loader import load_definition

    return load_definition(path)


def test_cached_definitions_equal_validated_ones(sop) -> None:
    from sop_cli.definition.catalog import load_catalog

    assert sop("list").exit_code == 0  # fills the cache
    for entry in load_catalog().entries:
        assert entry._sop is None, "taken from the cache"
        fresh = _fresh(entry.path)
        assert entry.data == fresh.model_dump(mode="json")
        assert entry.sop == fresh
        assert entry.sop.model_fields_set == fresh.model_fields_set
        assert entry.sop.organisasi.model_fields_set == fresh.organisasi.model_fields_set
        assert [s.model_fields_set for s in entry.sop.langkah] == [s.model_fields_set for s in fresh.langkah]
        assert entry.sop.model_dump(mode="json") == fresh.model_dump(mode="json")


def test_list_and_show_are_the_same_with_and_without_the_cache(sop, isolated_home: Path) -> None:
    cold = [sop("list").output, sop("show", NGANJUK, "--json").output, sop("show", NGANJUK).output,
            sop("org", "list", "--json").output]
    assert (isolated_home / "cache" / "catalog.json").is_file()
    warm = [sop("list").output, sop("show", NGANJUK, "--json").output, sop("show", NGANJUK).output,
            sop("org", "list", "--json").output]
    assert warm == cold


def _rename_keeping_size_and_times(path: Path) -> os.stat_result:
    """Rename the unit in the SOP file without changing its size, mtime or atime; the old stat."""
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("nama: Kecamatan Ngronggot", "nama: Kecamatan Ngrongxot"),
                    encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return before


def test_a_changed_file_is_validated_again(sop, tmp_path: Path) -> None:
    path = write(tmp_path / "sops" / "uji.yaml", VALID.replace("id: kecamatan-ngronggot", "id: kecamatan-uji"))
    assert "Kecamatan Ngronggot" in sop("list").output
    before = _rename_keeping_size_and_times(path)  # only the inode change time tells
    assert path.stat().st_size == before.st_size
    assert "Kecamatan Ngrongxot" in sop("list").output


def test_a_racy_entry_is_checked_by_its_bytes(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written twice in one clock tick keeps size and all times: the hash catches it."""
    from sop_cli.definition import catalog

    real = catalog._stat
    monkeypatch.setattr(catalog, "_stat", lambda p: (real(p) or [0, 0, 0, 0])[:2])  # size and mtime only
    path = write(tmp_path / "sops" / "uji.yaml", VALID.replace("id: kecamatan-ngronggot", "id: kecamatan-uji"))
    assert "Kecamatan Ngronggot" in sop("list").output
    _rename_keeping_size_and_times(path)
    assert "Kecamatan Ngrongxot" in sop("list").output


def test_invalid_files_are_never_cached(sop, tmp_path: Path, isolated_home: Path) -> None:
    path = write(tmp_path / "sops" / "uji.yaml", VALID.replace("id: renja", "id: Renja Baru"))
    for _ in range(2):
        result = sop("list", "--json")
        assert "1 SOP file(s) are invalid" in result.output
    index = json.loads((isolated_home / "cache" / "catalog.json").read_text(encoding="utf-8"))
    assert str(path.resolve()) not in index["files"] and os.path.abspath(path) not in index["files"]
    path.write_text(VALID.replace("id: kecamatan-ngronggot", "id: kecamatan-uji"), encoding="utf-8")
    ids = [row["id"] for row in json.loads(sop("list", "--json").output)]
    assert "nganjuk/kecamatan-uji/renja" in ids


def test_a_damaged_cache_is_ignored_and_replaced(sop, isolated_home: Path) -> None:
    expected = sop("list").output
    index = isolated_home / "cache" / "catalog.json"
    index.write_text("{not json", encoding="utf-8")
    assert sop("list").output == expected
    assert json.loads(index.read_text(encoding="utf-8"))["format"] == 1
    for definition in (isolated_home / "cache" / "definitions").iterdir():
        definition.write_text("[]", encoding="utf-8")
    assert json.loads(sop("show", NGANJUK, "--json").output)["qualified_id"] == NGANJUK


def test_new_code_drops_the_cache(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    from sop_cli.definition import catalog

    assert sop("list").exit_code == 0
    monkeypatch.setattr(catalog, "_code_key", lambda: "another sop")
    assert all(e._sop is not None for e in catalog.load_catalog().entries)  # validated again


def test_validate_always_validates(sop, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sop_cli.definition import catalog

    assert sop("list").exit_code == 0
    monkeypatch.setattr(catalog._Cache, "entry", lambda self, path: pytest.fail("validate used the cache"))
    result = sop("validate")
    assert result.exit_code == 0 and "2 of 2 SOP file(s) valid." in result.output


def test_an_unwritable_cache_costs_nothing_but_time(sop, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "cache").write_text("a file where the folder would be", encoding="utf-8")
    assert sop("list").exit_code == 0
    assert NGANJUK in sop("list").output
