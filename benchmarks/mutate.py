"""Mutation check: break the engine, the calendar and the model on purpose; the tests must notice.

    .venv/bin/python benchmarks/mutate.py            # every mutation (a few minutes on 2 cores)
    .venv/bin/python benchmarks/mutate.py --list     # what each mutation changes, and where
    .venv/bin/python benchmarks/mutate.py -k late    # only the mutations whose name contains "late"
    .venv/bin/python benchmarks/mutate.py -k late --tests tests/test_engine.py   # with these tests only

The repository (sop_cli/, tests/, sops/, templates/ ...) is copied to a temporary folder; the
checkout itself is never changed. For each mutation, one function of that copy is rewritten (a
branch dropped, a deadline shifted by one working day, an unknown lane accepted ...), the test
files that cover it run with `pytest -x` from the copy, and the function is restored.

A mutation names the function it changes (`Class.method` or `function`, looked up with `ast` in
the named file, then in every module of sop_cli/ when the code has moved) and a regular
expression that must match inside that function exactly once. When the function or the pattern
is gone (the code was refactored), the mutation is reported as STALE with what was looked for:
update it in MUTATIONS below rather than deleting it.

Verdicts: killed (a test failed: good), SURVIVED (every test passed: a test is missing),
STALE (not applied). Exit status: 0 when every mutation is killed, 1 when one survived,
2 when one is stale or the unmutated subset does not pass.

The tests run against the copy through `python -m pytest` from its folder (and PYTHONPATH), so
test files that start the installed `sop` script (tests/test_readme.py) would test the original
code: the subsets below leave them out.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("sop_cli", "tests", "sops", "examples", "templates", "docs", "pyproject.toml", "README.md")

ENGINE_TESTS = ("tests/test_engine.py", "tests/test_flow_rules.py", "tests/test_cli_runs.py")
CALENDAR_TESTS = ("tests/test_calendar.py", "tests/test_calendar_properties.py", "tests/test_engine.py")
REFUSAL_TESTS = ("tests/test_refusal.py", "tests/test_definition_graph.py")
MODEL_TESTS = ("tests/test_validate_bad_input.py", "tests/test_cli_defs.py", "tests/test_flow_rules.py")


@dataclass(frozen=True)
class Mutation:
    """One deliberate bug: in `function` of `file`, replace the one match of `pattern` by `replacement`."""

    name: str
    file: str
    function: str
    pattern: str
    replacement: str
    tests: tuple[str, ...]


MUTATIONS = (
    Mutation(
        "graph: a step's berikutnya is ignored (the run goes to the following step)",
        "sop_cli/definition/graph.py", "successors",
        r"\n\s*if berikutnya is not None:\n\s*return \(berikutnya,\)", "", ENGINE_TESTS),
    Mutation(
        "graph: a rejection follows the YA branch",
        "sop_cli/definition/graph.py", "Graph.after",
        r"if step\.is_decision and outcome == \"rejected\":", "if False:", ENGINE_TESTS),
    Mutation(
        "graph: a TIDAK of 'selesai' sends the run back instead of ending it",
        "sop_cli/definition/graph.py", "Graph.after",
        r"None if step\.refusal_ends else step\.tidak", "step.tidak", REFUSAL_TESTS),
    Mutation(
        "graph: a decision whose TIDAK ends the process is no end for the reviewer",
        "sop_cli/definition/graph.py", "Graph.never_finishing",
        r"ends\.append\(source\)", "pass", REFUSAL_TESTS),
    Mutation(
        "engine: a step done exactly at its due time counts as late",
        "sop_cli/run/plan.py", "StepVisit.late",
        r"self\.completed_at > self\.due_at", "self.completed_at >= self.due_at", ENGINE_TESTS),
    Mutation(
        "run: --assign accepts a lane the SOP does not have",
        "sop_cli/run/service.py", "_assignments",
        r"if lane_id is None:", "if False:", ENGINE_TESTS),
    Mutation(
        "calendar: a hari/minggu deadline is one working day later",
        "sop_cli/worktime.py", "WorkCalendar.add",
        r"range\(duration\.value \* UNIT_DAYS\[unit\]\)", "range(duration.value * UNIT_DAYS[unit] + 1)",
        CALENDAR_TESTS),
    Mutation(
        "calendar: a menit/jam deadline is one minute later",
        "sop_cli/worktime.py", "WorkCalendar.add",
        r"elapsed \+= remaining\b", "elapsed += remaining + _US_PER_MINUTE", CALENDAR_TESTS),
    Mutation(
        "calendar: national holidays and cuti bersama are working days",
        "sop_cli/worktime.py", "WorkCalendar._national_name",
        r"return _national_holidays\(d\.year\)\.get\(d\)", "return None", CALENDAR_TESTS),
    Mutation(
        "model: a step may name a lane that is not declared",
        "sop_cli/definition/model.py", "review_problems",
        r"if lane_id not in lane_ids:", "if False:", MODEL_TESTS),
    Mutation(
        "model: a keputusan may miss a branch",
        "sop_cli/definition/model.py", "review_problems",
        r"if getattr\(langkah, field\) is None:", "if False:", MODEL_TESTS),
    Mutation(
        "model: berikutnya is ignored by the successor rule",
        "sop_cli/definition/graph.py", "successors",
        r"\n\s*if berikutnya is not None:\n\s*return \(berikutnya,\)", "", MODEL_TESTS),
)


class Stale(Exception):
    """The function or the pattern a mutation names is no longer in the code."""


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function and method of a module by qualified name ("Class.method")."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[prefix + child.name] = child
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def locate(root: Path, mutation: Mutation) -> tuple[Path, int, int]:
    """The file and the character span of the mutated function (in the named file, else anywhere in sop_cli)."""
    named = root / mutation.file
    candidates = [named] if named.is_file() else []
    candidates += sorted(p for p in (root / "sop_cli").rglob("*.py") if p != named)
    for path in candidates:
        source = path.read_text(encoding="utf-8")
        node = _functions(ast.parse(source)).get(mutation.function)
        if node is None:
            continue
        lines = source.splitlines(keepends=True)
        start = sum(len(line) for line in lines[: node.lineno - 1])
        end = sum(len(line) for line in lines[: node.end_lineno])
        return path, start, end
    raise Stale(f"no function {mutation.function} in {mutation.file} nor anywhere in sop_cli/")


def apply(root: Path, mutation: Mutation) -> tuple[Path, str]:
    """Mutate the copy; return the file and its original text (to restore)."""
    path, start, end = locate(root, mutation)
    source = path.read_text(encoding="utf-8")
    body = source[start:end]
    matches = len(re.findall(mutation.pattern, body))
    if matches != 1:
        where = f"{mutation.function} ({path.relative_to(root)})"
        raise Stale(f"pattern /{mutation.pattern}/ found {matches} times in {where}, expected once")
    path.write_text(source[:start] + re.sub(mutation.pattern, mutation.replacement, body) + source[end:],
                    encoding="utf-8")
    return path, source


def copy_repo(target: Path) -> Path:
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


def run_tests(root: Path, tests: Sequence[str]) -> tuple[int, str]:
    """Run `tests` of the copy; (pytest's exit code, the last line it printed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env["PYTHONPATH"] = str(root)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutated module's bytecode must not outlive the mutation
    result = subprocess.run(
        # -n0: in one process, so -x stops at the first failure with exit code 1 (under xdist, a
        # stopped session exits with 2, which would read as an error rather than a kill)
        [sys.executable, "-m", "pytest", "-x", "-q", "-n0", "-p", "no:cacheprovider", *tests],
        cwd=root, env=env, capture_output=True, text=True, timeout=900, check=False)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return result.returncode, lines[-1] if lines else result.stderr.strip()[-200:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", dest="keyword", default="", help="only mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--tests", nargs="+", metavar="FILE",
                        help="run these test files instead of each mutation's own (a quicker check)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.keyword.lower() in m.name.lower()]
    if args.tests:
        chosen = [dataclasses.replace(m, tests=tuple(args.tests)) for m in chosen]
    if args.list:
        for m in chosen:
            print(f"{m.name}\n    {m.file} {m.function}: /{m.pattern}/ -> {m.replacement!r}\n    tests: {' '.join(m.tests)}")
        return 0

    with tempfile.TemporaryDirectory(prefix="sop-mutate-") as folder:
        root = copy_repo(Path(folder))
        subset = sorted({test for m in chosen for test in m.tests})
        began = time.perf_counter()
        code, last = run_tests(root, subset)
        print(f"baseline: {' '.join(subset)}: {last} ({time.perf_counter() - began:.0f} s)")
        if code != 0:
            print("The unmutated tests do not pass; no mutation can be judged.")
            return 2
        verdicts: dict[str, str] = {}
        for mutation in chosen:
            began = time.perf_counter()
            try:
                path, original = apply(root, mutation)
            except Stale as error:
                verdicts[mutation.name] = "STALE"
                print(f"STALE     {mutation.name}\n          {error}")
                continue
            try:
                code, last = run_tests(root, mutation.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"error {code}"
            verdicts[mutation.name] = verdict
            print(f"{verdict:<9} {mutation.name}\n          {last} ({time.perf_counter() - began:.0f} s)")
    killed = sum(v == "killed" for v in verdicts.values())
    print(f"\n{killed} of {len(verdicts)} mutations killed.")
    if any(v == "SURVIVED" for v in verdicts.values()):
        return 1
    return 0 if killed == len(verdicts) else 2


if __name__ == "__main__":
    sys.exit(main())
