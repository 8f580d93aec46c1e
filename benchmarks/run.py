"""Start-up benchmark of `sop`: the CPU time of whole processes, as a ratio to Python's own floor.

    .venv/bin/python benchmarks/run.py            # full pass: every command, budgets checked
    .venv/bin/python benchmarks/run.py --quick    # CI: fewer repeats, fails only at 2x a budget
    .venv/bin/python benchmarks/run.py --scale    # also 10,000 runs / 1,000 SOP files (see generate.py)
    .venv/bin/python benchmarks/run.py --postgres URL   # also a Kabupaten on PostgreSQL (scale, throughput)

The floor is `python -c "import sqlite3, json"` by the same interpreter as `sop`: what any Python
tool that reads a store pays before doing anything. Each command's cost is the CPU time (user +
system) of its whole process, read from the kernel when the child ends (`os.wait4`), so a busy
machine slows the clock but hardly the count; wall time is reported beside it. Commands are run
round-robin (one process of each per round) and each is reported as its median and as a ratio to
the floor's median. Commands print to /dev/null with NO_COLOR, except the cases marked "on a
terminal", which print to a pseudo-terminal with colour on, as a person sees them (rich draws the
colour and the progress bar there only). A Tab completion is timed as the shell runs it: bash sourcing `sop completion
bash` and calling the completion function, less the same bash without the call ("beyond bash").
Budgets (issue 22): `sop status` 4x, `sop runs` 5x, a Tab completion 3x beyond bash, every other
command 2x what it cost before the quick path (`BASELINES`, measured on the same machine).
Everything runs in a throw-away SOP_HOME; the user's data is never read or written.
Commands that do not exist yet in this checkout are reported as "not available", not failed.
It also times one cached 4-hari deadline (`WorkCalendar.add`) in this process against a 1 ms
budget: the unit suite asserts no wall-clock times. Mutation check: see benchmarks/mutate.py.
Exit status: 0 when every budget holds, 1 when one is broken, 2 on a set-up failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pty
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHOW_SOP = "nganjuk/kecamatan-ngronggot/renja"

FLOOR = "import sqlite3, json"
"""The floor: Python starting and importing what any tool that reads a store needs."""

# Modules a command should import only when it needs them: rich for Typer's help (the terminal tables
# are plain text), yaml to read SOP files, jinja2 to render, the models and holidays to validate or schedule.
WATCHED = ("jinja2", "yaml", "rich.table", "rich.console", "sop_cli.definition.model", "holidays", "sqlite3")


@dataclass
class Case:
    """One timed command."""

    name: str
    args: list[str]
    budget: float | None  # max ratio to the floor; None: reported only
    needs: str | None = None  # a `sop` command that must exist for this case
    fresh_home: bool = False  # each process gets its own copy of the prepared SOP_HOME (it writes)
    home: Path | None = None  # SOP_HOME (default: the bench's)
    env: dict[str, str] = field(default_factory=dict)  # more environment variables
    label: str | None = None
    times: list[float] = field(default_factory=list)  # CPU ms (user + system) of each process
    walls: list[float] = field(default_factory=list)  # wall-clock ms of the same processes
    complete: tuple[str, int] | None = None  # a Tab in bash: (COMP_WORDS, COMP_CWORD); None: a command
    beyond: Case | None = None  # the cost is this case's median less that one's (a Tab: less bash itself)
    terminal: bool = False  # stdout is a pseudo-terminal and colour is on (no NO_COLOR)
    baseline: float | None = None  # the ratio measured before the quick path (the budget is 2x it)
    available: bool = True
    failure: str | None = None
    modules: list[tuple[str, int, int]] = field(default_factory=list)  # (name, self us, cumulative us)


def sop_command() -> list[str]:
    """How to start `sop` with this interpreter: its console script if installed, else -m."""
    script = Path(sys.executable).parent / "sop"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "sop_cli"]


class Bench:
    """A throw-away SOP_HOME and the processes run in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.work = root / "work"
        self.home.mkdir(parents=True)
        self.work.mkdir()
        self.sop = sop_command()
        self.copies = 0
        self.completion = root / "sop-completion.bash"  # `sop completion bash`, written by prepare()

    def env(self, home: Path | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("SOP_STORE", "SOP_PATH", "SOP_TEMPLATES", "SOP_ORG", "SOP_DEBUG")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # sop's .pyc files are part of its start-up
        env.update(SOP_HOME=str(home or self.home), NO_COLOR="1", COLUMNS="120")
        # the completion function calls `sop` by name, as a user's shell does
        env["PATH"] = os.pathsep.join([str(Path(self.sop[-1]).parent), env.get("PATH", "")])
        env.update(extra)
        return env

    def run(self, argv: list[str], home: Path | None = None, check: bool = True,
            **extra: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(argv, cwd=self.work, env=self.env(home, **extra), capture_output=True,
                                text=True, timeout=300)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[1:])} exited {result.returncode}:\n{result.stderr}{result.stdout}")
        return result

    def sop_run(self, *args: str, home: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run([*self.sop, *args], home=home, check=check)

    def argv(self, case: Case) -> list[str]:
        if case.name == "floor":
            return [sys.executable, "-c", FLOOR]
        if case.name == "driver":
            return [sys.executable, "-c", f"{FLOOR}, psycopg"]
        if case.name == "taskwarrior":
            return ["task", *TASKWARRIOR_ARGS, "next"]
        if case.complete is not None:
            words, cword = case.complete
            call = "" if case.name == "bash" else " _sop_completion sop; printf '%s\\n' \"${COMPREPLY[@]}\";"
            script = (f'source {shlex.quote(str(self.completion))}; COMP_WORDS=({words}); COMP_CWORD={cword};'
                      f'{call} :')
            return ["bash", "--noprofile", "--norc", "-c", script]
        return [*self.sop, *case.args]

    def case_env(self, case: Case, home: Path) -> dict[str, str]:
        env = self.env(home, **case.env)
        if case.terminal:
            del env["NO_COLOR"]
            env.update(TERM="xterm-256color", COLUMNS="80")
        return env

    def copy_home(self, source: Path) -> Path:
        self.copies += 1
        target = self.root / f"copy-{self.copies}"
        shutil.copytree(source, target)
        return target

    def time_once(self, case: Case, home: Path | None = None) -> float:
        home = case.home or home or self.home
        target = self.copy_home(home) if case.fresh_home else home
        argv = self.argv(case)
        env = self.case_env(case, target)
        with tempfile.TemporaryFile() as errors, output(case.terminal) as stdout:
            start = time.perf_counter()
            process = subprocess.Popen(argv, cwd=self.work, env=env, stdout=stdout, stderr=errors)
            _, status, usage = os.wait4(process.pid, 0)  # the child's own CPU time, from the kernel
            elapsed = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            errors.seek(0)
            stderr = errors.read()
        if case.fresh_home:
            shutil.rmtree(target, ignore_errors=True)
        if process.returncode != 0 or (case.complete is not None and stderr):
            raise RuntimeError(f"{case.name}: exit {process.returncode}: {stderr.decode()[-2000:]}")
        case.walls.append(elapsed * 1000)
        return (usage.ru_utime + usage.ru_stime) * 1000

    def importtime(self, case: Case, home: Path | None = None) -> list[tuple[str, int, int]]:
        home = case.home or home or self.home
        target = self.copy_home(home) if case.fresh_home else home
        argv = self.argv(case)
        argv = [argv[0], "-X", "importtime", *argv[1:]]
        with output(case.terminal) as stdout:
            result = subprocess.run(argv, cwd=self.work, env=self.case_env(case, target), stdout=stdout,
                                    stderr=subprocess.PIPE, text=True)
        if case.fresh_home:
            shutil.rmtree(target, ignore_errors=True)
        return parse_importtime(result.stderr)


@contextlib.contextmanager
def output(terminal: bool) -> Iterator[int]:
    """Where a child's stdout goes: /dev/null, or a pseudo-terminal whose every byte is read (so the
    child never waits on a full buffer) and dropped."""
    if not terminal:
        yield subprocess.DEVNULL
        return
    primary, secondary = pty.openpty()

    def drain() -> None:
        with contextlib.suppress(OSError):  # EIO once the child has closed its end
            while os.read(primary, 65536):
                pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        yield secondary
    finally:
        os.close(secondary)
        reader.join(timeout=10)
        os.close(primary)


def parse_importtime(text: str) -> list[tuple[str, int, int]]:
    """(module, self us, cumulative us) for every line of `-X importtime` output."""
    modules = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, cumulative, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        modules.append((name, int(self_us), int(cumulative)))
    return modules


def available_commands(bench: Bench) -> set[str]:
    """The commands `sop --help` lists (and the groups' subcommands are not needed)."""
    result = bench.sop_run("--help", check=False)
    names = set()
    for line in result.stdout.splitlines():
        stripped = line.strip("│ ").split()
        if stripped:
            names.add(stripped[0])
    return names


def prepare(bench: Bench, cases: list[Case]) -> str | None:
    """Start one run in the bench's SOP_HOME (when `sop start` exists); return its id."""
    commands = available_commands(bench)
    for case in cases:
        if case.needs and case.needs not in commands:
            case.available = False
    taskwarrior = next((c for c in cases if c.name == "taskwarrior"), None)
    if taskwarrior is not None:
        prepare_taskwarrior(bench, taskwarrior)
    if "completion" in commands:
        bench.completion.write_text(bench.sop_run("completion", "bash").stdout, encoding="utf-8")
    if "start" not in commands:
        return None
    result = bench.sop_run("start", SHOW_SOP, "--json", check=False)
    if result.returncode != 0:
        result = bench.sop_run("start", SHOW_SOP)
    return run_id_from(result.stdout)


TASKWARRIOR_ARGS = ["rc.confirmation=off", "rc.verbose=nothing", "rc.color=off"]


def prepare_taskwarrior(bench: Bench, case: Case) -> None:
    """Taskwarrior's `task next` beside `sop status` (reported, no budget): a list of 14 tasks, as
    the Renja has 14 steps, in a data folder of its own. Not available when `task` is not installed."""
    if shutil.which("task") is None:
        case.available = False
        return
    data = bench.root / "taskwarrior"
    data.mkdir()
    (data / "taskrc").write_text(f"data.location={data}\n", encoding="utf-8")
    case.env = {"TASKRC": str(data / "taskrc"), "TASKDATA": str(data)}
    for n in range(1, 15):
        bench.run(["task", *TASKWARRIOR_ARGS, "add", f"Langkah {n} Renja", f"due:2026-12-{n:02d}"], **case.env)


def run_id_from(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("id", "run_id", "run"):
            if isinstance(data.get(key), str):
                return data[key]
    for word in text.replace("'", " ").replace('"', " ").split():
        if word.startswith("run-") or (word.count("-") >= 2 and any(c.isdigit() for c in word)):
            return word.strip(".,:;()")
    return None


def measure(bench: Bench, cases: list[Case], repeats: int, home: Path | None = None) -> None:
    """Warm up (caches, page cache), then time the cases round-robin `repeats` times."""
    live = [c for c in cases if c.available]
    for case in list(live):
        try:
            bench.time_once(case, home)
        except RuntimeError as error:
            case.failure = str(error)
            live.remove(case)
        case.walls.clear()
    for _ in range(repeats):
        for case in live:
            case.times.append(bench.time_once(case, home))


def limit_of(case: Case, factor: float) -> float | None:
    return None if case.budget is None else case.budget * factor


def cost(case: Case) -> float:
    """The case's median CPU ms, less its `beyond` case's (a Tab less bash itself)."""
    median = statistics.median(case.times)
    return median - statistics.median(case.beyond.times) if case.beyond and case.beyond.times else median


def report(cases: list[Case], floor: Case, factor: float, title: str) -> list[str]:
    """Print the table; return the broken budgets."""
    base = statistics.median(floor.times)
    broken = []
    print(f"\n{title}")
    print(f"{'command':<44} {'CPU ms':>7} {'wall ms':>8} {'ratio':>6} {'before':>6} {'limit':>6}  verdict")
    for case in cases:
        label = case.label or (f"floor (python -c \"{FLOOR}\")" if case is floor else "sop " + " ".join(case.args))
        if not case.available or case.failure:
            why = ("FAILED to run" if case.available else "not available (not in sop --help yet)" if case.needs
                   else "not available (not installed)")
            print(f"{label[:44]:<44} {'—':>7} {'—':>8} {'—':>6} {'':>6} {'':>6}  {why}")
            if case.failure:
                print("    " + case.failure.strip().replace("\n", "\n    ")[:600])
                broken.append(f"{label}: failed to run")
            continue
        ratio = cost(case) / base
        limit = limit_of(case, factor)
        verdict = "" if limit is None else ("ok" if ratio <= limit else "OVER BUDGET")
        if limit is not None and ratio > limit:
            broken.append(f"{label}: {ratio:.2f} x floor > {limit:.2f}")
        before = "" if case.baseline is None else f"{case.baseline:.2f}"
        wall = statistics.median(case.walls) if case.walls else float("nan")
        print(f"{label[:44]:<44} {cost(case):7.1f} {wall:8.1f} {ratio:6.2f} {before:>6} "
              f"{'' if limit is None else f'{limit:.2f}':>6}  {verdict}")
    return broken


def print_modules(cases: list[Case], floor: Case, full: bool = False) -> None:
    floor_names = {name for name, _, _ in floor.modules}
    print(f"\nModules imported (-X importtime; 'beyond floor' = not imported by python -c \"{FLOOR}\"):")
    print(f"  floor: {len(floor.modules)} modules")
    for case in cases:
        if case is floor or not case.modules or case.complete is not None:
            continue
        extra = [(n, s) for n, s, _ in case.modules if n not in floor_names]
        packages: dict[str, list[int]] = {}
        for name, self_us in extra:
            top = name.split(".")[0]
            entry = packages.setdefault(top, [0, 0])
            entry[0] += 1
            entry[1] += self_us
        names = {n for n, _, _ in case.modules}
        watched = [w for w in WATCHED if w in names]
        listing = ", ".join(f"{top} {n} ({us / 1000:.1f} ms)"
                            for top, (n, us) in sorted(packages.items(), key=lambda kv: -kv[1][1]))
        print(f"  {case.label or 'sop ' + ' '.join(case.args)}: {len(case.modules)} modules, {len(extra)} beyond floor"
              f" ({sum(s for _, s in extra) / 1000:.1f} ms self)")
        print(f"      watched: {', '.join(watched) or 'none'}")
        print(f"      by package: {listing or '—'}")
        if full:
            print("      modules (self ms): " + ", ".join(f"{n} {s / 1000:.1f}" for n, s in extra))


STATUS_BUDGET = 4.0  # `sop status`: typed all day
RUNS_BUDGET = 5.0  # `sop runs`: the store's summaries in a table
TAB_BUDGET = 3.0  # a Tab completion, beyond bash itself
BEFORE_FACTOR = 2.0  # every other command: at most twice its cost before the quick path

BASELINES = {
    "status": 9.06, "status --json": 8.91, "runs": 8.81, "runs --all": 8.69, "--version": 4.03, "help": 7.66,
    "advance": 9.40, "show": 8.18, "list": 8.27, "log": 8.89, "render": 11.50, "report": 9.04,
    "tab: run ids": 9.28, "tab: SOP ids": 9.08, "tab: steps": 9.57,
}
"""Each case's ratio to the floor on `main` before the quick path (commit bcae5bc, Typer 0.29.2,
Python 3.11, this machine; CPU medians of 15 rounds): the "before" column, and the budget of the
commands issue 22 gives no budget of their own (2x)."""


def startup_cases() -> list[Case]:
    report_args = ["report", "--format", "json"]

    def before(name: str, args: list[str], **kwargs: object) -> Case:
        return Case(name, args, BEFORE_FACTOR * BASELINES[name], baseline=BASELINES[name], **kwargs)  # type: ignore[arg-type]

    bash = Case("bash", [], None, needs="completion", complete=("sop status --run ''", 3),
                label="bash itself (sourcing the script, no Tab)")

    def tab(name: str, words: str, cword: int) -> Case:
        return Case(name, [], TAB_BUDGET, needs="completion", complete=(words, cword), beyond=bash,
                    baseline=BASELINES[name], label=f"{name} ({words.replace(chr(39) * 2, '<Tab>')})")

    return [
        Case("floor", [], None),
        Case("taskwarrior", [], None, label="task next (Taskwarrior, for comparison)"),
        Case("status", ["status"], STATUS_BUDGET, needs="status", baseline=BASELINES["status"]),
        Case("status", ["status"], STATUS_BUDGET, needs="status", terminal=True,
             label="sop status  (on a terminal, colour)"),
        Case("status --json", ["status", "--json"], STATUS_BUDGET, needs="status", baseline=BASELINES["status --json"]),
        Case("runs", ["runs"], RUNS_BUDGET, needs="runs", baseline=BASELINES["runs"]),
        Case("runs", ["runs"], RUNS_BUDGET, needs="runs", terminal=True, label="sop runs  (on a terminal, colour)"),
        Case("runs --all", ["runs", "--all"], RUNS_BUDGET, needs="runs", baseline=BASELINES["runs --all"]),
        before("--version", ["--version"]),
        before("help", ["--help"]),
        before("advance", ["advance"], needs="advance", fresh_home=True),
        before("show", ["show", SHOW_SOP]),
        before("list", ["list"]),
        before("log", ["log"], needs="log"),
        before("render", ["render", "sop", SHOW_SOP, "--format", "html"], needs="render"),
        before("report", report_args, needs="report"),
        # A Tab in bash: the shell runs the completion function, which may start sop, on every Tab.
        bash,
        tab("tab: run ids", "sop status --run ''", 3),
        tab("tab: SOP ids", "sop show ''", 2),
        tab("tab: steps", "sop advance --step ''", 3),
    ]


SCALE_BUDGET = 1.2  # a command on the big store and catalog, as a ratio to the same command on the small one


def scale(bench: Bench, run_id: str | None, runs: int, files: int, repeats: int, factor: float) -> list[str]:
    """Fill a copy of the bench's home with `runs` runs and a catalog of `files` SOP files; compare."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate

    broken: list[str] = []
    commands = available_commands(bench)
    print(f"\nScale: {runs:,} runs and {files:,} SOP files (generating...)", flush=True)
    big = bench.root / "big-home"
    shutil.copytree(bench.home, big)
    before = (big / "sop.db").stat().st_size if (big / "sop.db").exists() else 0
    counts = generate.fill_store(big, runs) if "start" in commands else None
    catalog = bench.root / "big-catalog"
    started = time.perf_counter()
    generate.make_catalog(catalog, files)
    catalog_seconds = time.perf_counter() - started
    if counts:
        size = (big / "sop.db").stat().st_size - before
        print(f"  store: {counts['runs']:,} runs, {counts['events']:,} events "
              f"({counts['events'] / counts['runs']:.1f} per run) in {counts['template_seconds'] + counts['copy_seconds']:.1f} s; "
              f"size {size / 1e6:.1f} MB = {size / 1e6 / (counts['runs'] / 1000):.2f} MB per 1,000 runs")
    else:
        print("  store: not available (no `sop start` yet)")
    print(f"  catalog: {files:,} files written in {catalog_seconds:.1f} s")

    pairs = []
    for name, args in (("status", ["status"]), ("runs", ["runs"]),
                       ("report", ["report", "--run", run_id or "", "--format", "table"])):
        small_case = Case(name, args, None, needs=name, label=f"sop {' '.join(args)}  (1 run, shipped SOPs)")
        big_case = Case(name, args, None, needs=name, home=big, env={"SOP_PATH": str(catalog)},
                        label=f"sop {' '.join(args)}  ({runs:,} runs, +{files:,} SOPs)")
        ok = name in commands and counts is not None and (name != "report" or run_id)
        small_case.available = big_case.available = bool(ok)
        pairs.append((small_case, big_case))
    cases = [c for pair in pairs for c in pair]
    measure(bench, cases, repeats)
    print(f"\n{'command':<52} {'median ms':>9} {'ratio':>6} {'limit':>6}  verdict")
    limit = SCALE_BUDGET * factor
    for small_case, big_case in pairs:
        for case in (small_case, big_case):
            if not case.available or case.failure or not case.times:
                why = "FAILED: " + case.failure.strip()[:300] if case.failure else "not available"
                print(f"{case.label:<52} {'—':>9} {'—':>6} {'':>6}  {why}")
                if case.failure:
                    broken.append(f"{case.label}: failed to run")
                continue
            median = statistics.median(case.times)
            if case is small_case:
                print(f"{case.label:<52} {median:9.1f}")
                continue
            if not small_case.times:
                continue
            ratio = median / statistics.median(small_case.times)
            verdict = "ok" if ratio <= limit else "OVER BUDGET"
            if ratio > limit:
                broken.append(f"{case.label}: {ratio:.2f} x the small store > {limit:.2f}")
            print(f"{case.label:<52} {median:9.1f} {ratio:6.2f} {limit:6.2f}  {verdict}")

    # Validation throughput: `sop validate` always parses and validates every file.
    validate = Case("validate", ["validate", str(catalog)], None)
    times = []
    for _ in range(3):
        times.append(bench.time_once(validate) / 1000)
    seconds = statistics.median(times)
    try:
        import yaml  # only to say which parser sop used

        parser = "libyaml C parser" if getattr(yaml, "__with_libyaml__", False) else "pure-Python parser"
    except ImportError:
        parser = "parser unknown"
    print(f"\nsop validate on {files:,} files: {seconds:.2f} s = {files / seconds:,.0f} files/s ({parser}; median of 3)")
    cold_list = Case("list", ["list"], None, env={"SOP_PATH": str(catalog)})
    cold_home = bench.root / "list-home"
    cold = []
    for _ in range(3):
        shutil.rmtree(cold_home, ignore_errors=True)
        cold_home.mkdir()
        cold.append(bench.time_once(cold_list, cold_home) / 1000)
    warm = [bench.time_once(cold_list, cold_home) / 1000 for _ in range(3)]
    print(f"sop list with {files + 2:,} SOPs: {statistics.median(cold):.2f} s cold (validates, fills the cache), "
          f"{statistics.median(warm):.2f} s from the cache")
    return broken


CASE_REPORT_BUDGET_S = 1.0  # a month's service report over a 20,000-case year, whole command


def cases_scale(bench: Bench, cases: int, repeats: int, factor: float) -> list[str]:
    """A counter's year of SKTM cases (issue 20): a month's report within 1 s; `sop runs --sop` and
    `sop status` of a case flat against a store holding one case."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate

    print(f"\nCases: a year of {cases:,} SKTM cases (generating...)", flush=True)
    env = {"SOP_PATH": str(Path(__file__).resolve().parent.parent / "examples" / "sops"),
           "SOP_NOW": "2026-12-31T12:00+07:00"}
    small, big = bench.root / "cases-small", bench.root / "cases-big"
    generate.fill_cases(small, 1)
    counts = generate.fill_cases(big, cases)
    size = (big / "sop.db").stat().st_size
    print(f"  store: {counts['cases']:,} cases, {counts['events']:,} events, {size / 1e6:.1f} MB "
          f"(made in {counts['template_seconds'] + counts['copy_seconds']:.1f} s)")
    middle = f"sktm-2026-{cases // 2:04d}"
    checks = (("report", ["report", "--sop", "sktm", "--bulan", "2026-06", "--format", "json"]),
              ("runs", ["runs", "--sop", "sktm"]),
              ("status", ["status", "--run", "sktm-2026-0001"]))
    pairs = []
    for name, args in checks:
        big_args = [middle if a == "sktm-2026-0001" else a for a in args]
        pairs.append((Case(name, args, None, home=small, env=env, label=f"sop {' '.join(args)}  (1 case)"),
                      Case(name, big_args, None, home=big, env=env,
                           label=f"sop {' '.join(big_args[:3])}  ({cases:,} cases)")))
    measure(bench, [c for pair in pairs for c in pair], repeats)
    broken: list[str] = []
    print(f"\n{'command':<52} {'median ms':>9} {'ratio':>6} {'limit':>6}  verdict")
    for small_case, big_case in pairs:
        if small_case.failure or big_case.failure or not big_case.times or not small_case.times:
            broken.append(f"{big_case.label}: failed to run ({(big_case.failure or small_case.failure or '').strip()[:200]})")
            continue
        low, high = statistics.median(small_case.times), statistics.median(big_case.times)
        print(f"{small_case.label:<52} {low:9.1f}")
        if small_case.name == "report":
            limit = CASE_REPORT_BUDGET_S * 1000 * factor
            verdict = "ok" if high <= limit else "OVER BUDGET"
            if high > limit:
                broken.append(f"{big_case.label}: {high:.0f} ms > {limit:.0f} ms")
            print(f"{big_case.label:<52} {high:9.1f} {'':>6} {limit / 1000:5.1f}s  {verdict}")
            continue
        ratio, limit = high / low, SCALE_BUDGET * factor
        verdict = "ok" if ratio <= limit else "OVER BUDGET"
        if ratio > limit:
            broken.append(f"{big_case.label}: {ratio:.2f} x one case > {limit:.2f}")
        print(f"{big_case.label:<52} {high:9.1f} {ratio:6.2f} {limit:6.2f}  {verdict}")
    return broken


PROVINCE_BUDGET_S = 2.0  # the portfolio of a year and the evaluation over a province's runs
PROVINCE_BUDGET_MB = 200


def _timed_with_memory(bench: Bench, args: list[str], home: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MB) of one `sop ARGS` process."""
    start = time.perf_counter()
    process = subprocess.Popen([*bench.sop, *args], cwd=bench.work, env=bench.env(home, **env),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"sop {' '.join(args)}: exit status {status}: {process.stderr.read().decode()[-500:] if process.stderr else ''}")
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux
    return wall, usage.ru_utime + usage.ru_stime, peak_mb


def province_scale(bench: Bench, runs: int, repeats: int, factor: float) -> list[str]:
    """A province on one store (`generate.py store HOME --runs N`): BAPPEDA's portfolio of one year
    and the evaluation of the SOP over every run, each within 2 s and 200 MB."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate

    print(f"\nProvince: {runs:,} runs on one store (generating...)", flush=True)
    home = bench.root / "province"
    home.mkdir()
    counts = generate.fill_store(home, runs)
    print(f"  store: {counts['runs']:,} runs, {counts['events']:,} events, "
          f"{(home / 'sop.db').stat().st_size / 1e6:.0f} MB (made in {counts['template_seconds'] + counts['copy_seconds']:.0f} s)")
    env = {"SOP_NOW": "2026-11-26T09:00"}
    broken: list[str] = []
    print(f"\n{'command':<52} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  verdict (limits {PROVINCE_BUDGET_S * factor:.1f} s, "
          f"{PROVINCE_BUDGET_MB} MB)")
    for args in (["report", "--portfolio", "--year", "2025", "--format", "json"],
                 ["report", "--evaluasi", "renja", "--format", "json"]):
        try:
            _timed_with_memory(bench, args, home, env)  # warm the page cache
            measured = [_timed_with_memory(bench, args, home, env) for _ in range(repeats)]
        except RuntimeError as error:
            broken.append(str(error))
            continue
        wall = statistics.median(m[0] for m in measured)
        cpu = statistics.median(m[1] for m in measured)
        peak = max(m[2] for m in measured)
        over = wall > PROVINCE_BUDGET_S * factor or peak > PROVINCE_BUDGET_MB
        if over:
            broken.append(f"sop {' '.join(args)}: {wall:.2f} s, {peak:.0f} MB")
        print(f"{'sop ' + ' '.join(args[:3]):<52} {wall:7.2f} {cpu:6.2f} {peak:8.0f}  {'OVER BUDGET' if over else 'ok'}")
    return broken


DEADLINE_BUDGET_MS = 1.0  # one cached "4 hari" deadline; `sop status` computes a dozen


def deadline_speed(factor: float) -> list[str]:
    """Time `WorkCalendar.add` for a 4-working-day deadline once the year's holidays are cached."""
    from datetime import datetime, timedelta, timezone

    from sop_cli.definition.duration import parse_duration
    from sop_cli.worktime import WorkCalendar

    calendar = WorkCalendar()
    start = datetime(2026, 3, 12, 10, tzinfo=timezone(timedelta(hours=7)))
    four_days = parse_duration("4 hari")
    calendar.add(start, four_days)  # fills the holiday cache, as the first command of a process does
    rounds = 200
    began = time.perf_counter()
    for _ in range(rounds):
        calendar.add(start, four_days)
    per_call_ms = (time.perf_counter() - began) / rounds * 1000
    limit = DEADLINE_BUDGET_MS * factor
    print(f"\nDeadline: one cached 4-hari WorkCalendar.add takes {per_call_ms:.3f} ms (budget {limit:.2f} ms)")
    return [f"deadline: {per_call_ms:.3f} ms > {limit:.2f} ms"] if per_call_ms > limit else []


# A Kabupaten on PostgreSQL (--postgres URL) ---------------------------------------------------

PG_NOW = "2026-11-26T10:00"
PG_WORKER_NOW = "2027-06-01T10:00"  # the throughput workers' clock: after every generated event
PG_BASELINES = {"advance": 12.22, "runs": 12.59, "portfolio": 12.11}
"""Ratios to the floor on PostgreSQL before the quick path (as `BASELINES`); the budget is 2x.
`sop status` has a budget of its own: its cost over SQLite's at most what importing psycopg costs."""


def _pg_schema(url: str) -> tuple[str, str]:
    """A fresh schema on the server; returns (its name, the URL that uses it)."""
    import uuid
    from urllib.parse import quote

    import psycopg

    schema = f"sop_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def _pg_drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _active_runs(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT id FROM runs WHERE status = 'active' AND id NOT LIKE '%-h%' ORDER BY id").fetchall()]


def _last_seqs(url: str, runs: list[str]) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT run_id, MAX(seq) FROM events WHERE run_id = ANY(%s) GROUP BY run_id", (runs,))
        return {r[0]: int(r[1]) for r in rows.fetchall()}


def _driver_costs(url: str) -> str:
    """What the driver adds to a command: importing psycopg, and connecting (median of 5 processes)."""
    code = (
        "import time; t0 = time.perf_counter(); import psycopg; t1 = time.perf_counter(); "
        f"c = psycopg.connect({url!r}, autocommit=True); t2 = time.perf_counter(); "
        "c.execute('SELECT COALESCE(MAX(version), 0) FROM _sop_migrations').fetchone(); t3 = time.perf_counter(); "
        "print((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000)"
    )
    samples = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
        samples.append([float(x) for x in out.stdout.split()])
    imp, conn, query = (statistics.median(col) for col in zip(*samples))
    return f"import psycopg {imp:.1f} ms, connect {conn:.1f} ms, schema-version query {query:.1f} ms"


def pg_worker(url: str, run: str, start_at: float, seconds: float, mode: str) -> int:
    """One process of the throughput test: advance `run` (undoing the last step when it finishes)
    until `seconds` have passed; with mode "race", first read the current step and advance only if
    it is still current (--step), as eight people pressing Enter at once. Prints JSON counts."""
    from datetime import datetime

    from sop_cli.errors import ConflictError, StateError, UsageError
    from sop_cli.run import service

    now = datetime.fromisoformat(PG_WORKER_NOW + ":00+07:00")
    who = service.Session(now, actor=f"bench-{os.getpid()}", os_user="bench", store=url)
    ok = conflicts = errors = 0
    first_error = ""
    service.run_status(who, run)  # imports and caches before the clock starts
    time.sleep(max(0.0, start_at - time.time()))  # every process starts together
    end = start_at + seconds
    while time.time() < end:
        step = None
        try:
            if mode == "race":
                view = service.run_status(who, run)
                if view["status"] != "active":
                    service.undo(who, run, reason="bench: again")
                    ok += 1
                    continue
                step = view["current"]["step"] if view["current"] else None
            try:
                service.advance(who, run, step=step)
            except UsageError as error:
                if error.code != "decision_needs_verdict":
                    raise
                service.advance(who, run, step=step, approve=True)
            ok += 1
        except ConflictError:
            conflicts += 1
        except StateError:
            try:
                service.undo(who, run, reason="bench: again")
                ok += 1
            except ConflictError:
                conflicts += 1
            except Exception as error:
                errors += 1
                first_error = first_error or f"{type(error).__name__}: {error}"
        except Exception as error:
            errors += 1
            first_error = first_error or f"{type(error).__name__}: {error}"
    print(json.dumps({"run": run, "ok": ok, "conflicts": conflicts, "errors": errors, "first_error": first_error}))
    return 0


def pg_throughput(url: str, runs: list[str], racers: int, seconds: float) -> list[str]:
    """20 processes on 20 runs and `racers` processes on one more, for `seconds`: no error, every
    reported success is exactly one event in the log, every log replays; events per second."""
    from sop_cli.run import engine
    from sop_cli.store import open_store

    own, shared = runs[:-1], runs[-1]
    before = _last_seqs(url, runs)
    argv = [sys.executable, str(Path(__file__).resolve())]
    env = {**os.environ, "SOP_NOW": PG_WORKER_NOW}
    start_at = time.time() + 8 + 0.5 * (len(own) + racers) / (os.cpu_count() or 1)  # after every process has imported
    timing = [str(start_at), str(seconds)]
    procs = [subprocess.Popen([*argv, "--pg-worker", url, run, *timing, "own"], stdout=subprocess.PIPE,
                              text=True, env=env) for run in own]
    procs += [subprocess.Popen([*argv, "--pg-worker", url, shared, *timing, "race"], stdout=subprocess.PIPE,
                               text=True, env=env) for _ in range(racers)]
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 180)
        results.append(json.loads(out.strip().splitlines()[-1]))
    late_start = time.time() - start_at - seconds  # how long the last process ran past the window
    elapsed = seconds
    after = _last_seqs(url, runs)
    broken: list[str] = []
    appended = sum(after[r] - before[r] for r in runs)
    reported = sum(r["ok"] for r in results)
    errors = sum(r["errors"] for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    per_run = {r: after[r] - before[r] for r in runs}
    reported_per_run: dict[str, int] = {}
    for r in results:
        reported_per_run[r["run"]] = reported_per_run.get(r["run"], 0) + r["ok"]
    mismatched = [r for r in runs if per_run[r] != reported_per_run.get(r, 0)]
    st = open_store(url)
    assert st is not None
    with st, st.read():
        for run in runs:
            stored = st.load_run(run)
            assert stored is not None
            engine.state_of(stored)  # a doubled step event would not replay ("the store is damaged")
            seqs = [e.seq for e in stored.events]
            if seqs != list(range(1, len(seqs) + 1)):
                broken.append(f"throughput: run {run} has gaps or doubles in its seq")
    print(f"\nThroughput: {len(own)} processes advancing {len(own)} runs + {racers} racing on one step of {shared}, "
          f"all starting together for {seconds:.0f} s (the last ended {max(0.0, late_start):.1f} s after the window)")
    print(f"  {appended:,} events appended = {appended / elapsed:,.0f} events/s; {reported:,} successes reported; "
          f"{conflicts:,} refused as conflicts (racers: one wins each step); {errors} errors")
    print(f"  the shared run got {per_run[shared]} events from {racers} racers; every log replays, seq 1..n without gaps")
    if errors:
        first = next(r["first_error"] for r in results if r["errors"])
        broken.append(f"throughput: {errors} errors (first: {first})")
    if appended != reported or mismatched:
        broken.append(f"throughput: {appended} events appended but {reported} successes reported ({mismatched[:3]})")
    return broken


def postgres_scale(bench: Bench, url: str, runs: int, repeats: int, factor: float, seconds: float) -> list[str]:
    """The Kabupaten on PostgreSQL: status/advance, runs --all and the portfolio against the floor;
    then the bounded throughput test. The schema is made for the run and dropped after."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate

    schema, store = _pg_schema(url)
    try:
        print(f"\nPostgreSQL: a Kabupaten of 40 units x 5 years x 2 SOPs plus history, {runs:,} runs (generating...)",
              flush=True)
        counts = generate.fill_kabupaten(store, runs=runs)
        print(f"  {counts['runs']:,} runs ({counts['grid']} in the grid), {counts['events']:,} events; templates "
              f"{counts['template_seconds']:.1f} s, clones {counts['clone_seconds']:.1f} s, COPY {counts['copy_seconds']:.1f} s")
        active = _active_runs(store)
        pg_env = {"SOP_STORE": store, "SOP_NOW": PG_NOW}
        floor = Case("floor", [], None)
        driver = Case("driver", [], None, label=f"python -c \"{FLOOR}, psycopg\" (the driver's import)")
        sqlite_status = Case("status", ["status"], None, label="sop status (SQLite, for comparison)")
        pg_status = Case("status", ["status", "--run", active[0]], None, env=pg_env)
        cases = [
            floor,
            driver,
            sqlite_status,
            pg_status,
            Case("runs", ["runs", "--all"], BEFORE_FACTOR * PG_BASELINES["runs"], env=pg_env,
                 baseline=PG_BASELINES["runs"]),
            Case("portfolio", ["report", "--portfolio", "--deadline", "2026-12-31"],
                 BEFORE_FACTOR * PG_BASELINES["portfolio"], env=pg_env, baseline=PG_BASELINES["portfolio"]),
        ]
        # advance: each timed process completes the current step of another active run, in the same
        # round-robin as the others so that every command meets the same load
        advance = Case("advance", ["advance", "--run", "RUN"], BEFORE_FACTOR * PG_BASELINES["advance"], env=pg_env,
                       baseline=PG_BASELINES["advance"])
        cases.insert(4, advance)
        targets = iter(active[1:])

        def timed(case: Case) -> float:
            if case is not advance:
                return bench.time_once(case)
            advance.args = ["advance", "--run", next(targets), "--approve"]
            try:
                return bench.time_once(advance)
            except RuntimeError:  # not a decision step: a plain advance
                advance.args = advance.args[:-1]
                return bench.time_once(advance)

        for round_no in range(1 + repeats):  # round 0 warms up (page cache, catalog cache)
            for case in cases:
                elapsed = timed(case)
                if round_no:
                    case.times.append(elapsed)
                elif case.walls:
                    case.walls.pop()  # the warm-up round is not reported
        advance.args = ["advance", "--run", "RUN"]
        broken = report(cases, floor, factor, "PostgreSQL store: CPU of the whole process (ratio = median / floor median)")
        over = statistics.median(pg_status.times) - statistics.median(sqlite_status.times)
        allowed = (statistics.median(driver.times) - statistics.median(floor.times)) * factor
        verdict = "ok" if over <= allowed else "OVER BUDGET"
        print(f"  sop status on PostgreSQL costs {over:.1f} ms of CPU more than on SQLite; importing psycopg costs "
              f"{allowed / factor:.1f} ms (limit {allowed:.1f} ms): {verdict}")
        if over > allowed:
            broken.append(f"status on PostgreSQL: {over:.1f} ms over SQLite's > {allowed:.1f} ms (psycopg's import)")
        print(f"  driver: {_driver_costs(store)}")
        broken += pg_throughput(store, active[-21:], 8, seconds)
        return broken
    finally:
        _pg_drop(url, schema)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI pass: 5 rounds, and a budget counts as broken only at twice its ratio")
    parser.add_argument("--repeat", type=int, default=None, help="rounds (default 21, --quick 5)")
    parser.add_argument("--scale", action="store_true", help="also run the 10,000-run / 1,000-file measurements")
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the scale store (default 10000)")
    parser.add_argument("--files", type=int, default=1_000, help="SOP files in the scale catalog (default 1000)")
    parser.add_argument("--cases", type=int, default=None, metavar="N",
                        help="also measure a counter's year of N SKTM cases (issue 20 budgets: 20000)")
    parser.add_argument("--province", type=int, default=None, metavar="N",
                        help="also measure the portfolio and the evaluation over a province of N runs (budget: 150000)")
    parser.add_argument("--no-modules", action="store_true", help="skip the -X importtime listing")
    parser.add_argument("--list-modules", action="store_true", help="list every module imported beyond the floor")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away folder and print its path")
    parser.add_argument("--postgres", metavar="URL", help="also measure a Kabupaten on this PostgreSQL server "
                        "(a schema of its own, dropped after)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the PostgreSQL throughput test")
    parser.add_argument("--pg-only", action="store_true", help="with --postgres: skip the start-up pass")
    parser.add_argument("--pg-worker", nargs=5, metavar=("URL", "RUN", "START", "SECONDS", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pg_worker:
        url, run, start_at, seconds, mode = args.pg_worker
        return pg_worker(url, run, float(start_at), float(seconds), mode)
    repeats = args.repeat or (5 if args.quick else 21)
    factor = 2.0 if args.quick else 1.0

    root = Path(tempfile.mkdtemp(prefix="sop-bench-"))
    try:
        bench = Bench(root)
        cases = startup_cases()
        try:
            run_id = prepare(bench, cases)
        except RuntimeError as error:
            print(f"Set-up failed: {error}", file=sys.stderr)
            return 2
        if run_id is None and any(c.needs in ("status", "advance") and c.available for c in cases):
            print("Note: could not read the id of the started run; `sop status`/`advance` use the default run.")
        if args.postgres and args.pg_only:
            broken = postgres_scale(bench, args.postgres, args.runs, max(5, repeats // 2), factor, args.seconds)
            print("\nBudgets broken:\n  " + "\n  ".join(broken) if broken else "\nAll budgets hold.")
            return 1 if broken else 0
        floor = cases[0]
        print(f"sop start-up benchmark: {sys.executable} (Python {sys.version.split()[0]}), "
              f"{os.cpu_count()} CPUs, {repeats} rounds{', quick: limits at 2 x budget' if args.quick else ''}")
        measure(bench, cases, repeats)
        broken = report(cases, floor, factor,
                        "Start-up: CPU of the whole process (ratio = median / floor median; before: the ratio before "
                        "the quick path; limit: the budget)")
        if not args.no_modules:
            for case in cases:
                if case.available and not case.failure and case.complete is None and case.name not in (
                        "floor", "taskwarrior"):
                    case.modules = bench.importtime(case)
            floor.modules = bench.importtime(floor)
            print_modules(cases, floor, full=args.list_modules)
        broken += deadline_speed(factor)
        if args.scale:
            broken += scale(bench, run_id, args.runs, args.files, max(5, repeats // 2), factor)
        if args.cases:
            broken += cases_scale(bench, args.cases, max(5, repeats // 2), factor)
        if args.province:
            broken += province_scale(bench, args.province, 3, factor)
        if args.postgres:
            broken += postgres_scale(bench, args.postgres, args.runs, max(5, repeats // 2), factor, args.seconds)
        if broken:
            print("\nBudgets broken:\n  " + "\n  ".join(broken))
            return 1
        print("\nAll budgets hold.")
        return 0
    finally:
        if args.keep:
            print(f"(kept {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
