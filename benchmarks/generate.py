"""Data for the scale benchmark: a store with many runs, a catalog with many SOP files.

    .venv/bin/python benchmarks/generate.py store  HOME [--runs 10000]   # adds runs to HOME/sop.db
    .venv/bin/python benchmarks/generate.py catalog DIR [--files 1000]   # writes DIR/<wilayah>/<org>/renja.yaml
    .venv/bin/python benchmarks/generate.py kabupaten URL [--units 40 --years 5 --runs 10000]  # a PostgreSQL store
    .venv/bin/python benchmarks/generate.py cases  HOME [--cases 20000 --year 2026]  # a counter's year of SKTM cases

Runs: three template runs of the Nganjuk Renja SOP are made with the real `sop` commands in a
scratch SOP_HOME (one finished, one finished after a rejected decision and rework, one
cancelled half-way); their rows are then copied under new ids into HOME's store with plain
`sqlite3`, column for column as the store's own schema has them, in one transaction (10,000
runs, about 140,000 events, in a few seconds). The run HOME already has (if any) stays the only
active one, so `sop status` without --run still finds it.

Cases: three template cases of the Jayapura SKTM example (finished, refused, still open) are made
with the real commands; their rows (runs, events, cases, case_subjects, run_times, step_times)
are then copied under new case ids, each moved in time to its day of the year (a counter's year:
about 80 cases a working day), so a month's report reads about 1,700 of them.

Catalog: copies of the two shipped SOPs, each under its own organisation id, so every qualified
id is unique and every file is valid.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOP = "nganjuk/kecamatan-ngronggot/renja"
SEEDS = [REPO / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml",
         REPO / "sops" / "lampung-tengah" / "diskominfo" / "renja.yaml"]
MIX = (("finished", 70), ("rework", 15), ("cancelled", 15))  # percent of the generated runs


def sop_command() -> list[str]:
    script = Path(sys.executable).parent / "sop"
    return [sys.executable, str(script)] if script.is_file() else [sys.executable, "-m", "sop_cli"]


def _sop(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update(SOP_HOME=str(home), NO_COLOR="1", SOP_USER="generator")
    return subprocess.run([*sop_command(), *args], env=env, capture_output=True, text=True, cwd=home, timeout=120)


def _advance_to_end(home: Path, run: str, *, reject_once: bool, stop_after: int | None) -> None:
    """Complete steps until the run ends (approving decisions), optionally rejecting the first one.

    Each advance names the step it completes (`--step`), as a script should: without it `sop`
    refuses a step recorded in the same second the command started (someone may have moved on)."""
    rejected = False
    for done in range(200):
        if stop_after is not None and done >= stop_after:
            result = _sop(home, "cancel", "--run", run, "--reason", "Dibatalkan (data uji)")
            if result.returncode:
                raise RuntimeError(result.stderr)
            return
        status = json.loads(_sop(home, "status", "--run", run, "--json").stdout)
        if status["status"] != "active":
            return
        step = ["--run", run, "--step", str(status["current"]["step"])]
        result = _sop(home, "advance", *step)
        if result.returncode and "--approve" in (result.stderr + result.stdout):
            if reject_once and not rejected:
                result = _sop(home, "advance", *step, "--reject", "--reason", "Perlu revisi (data uji)")
                rejected = True
            else:
                result = _sop(home, "advance", *step, "--approve")
        if result.returncode:
            raise RuntimeError(f"sop advance failed: {result.stderr}{result.stdout}")


def make_templates(scratch: Path) -> Path:
    """A store with the three template runs; returns its path."""
    ids = {}
    for kind, year in (("finished", 2020), ("rework", 2021), ("cancelled", 2022)):
        result = _sop(scratch, "start", SOP, "--year", str(year), "--title", f"Template {kind}", "--json")
        if result.returncode:
            raise RuntimeError(f"sop start failed: {result.stderr}")
        run = json.loads(result.stdout)["run"]
        ids[kind] = run
        _advance_to_end(scratch, run, reject_once=kind == "rework", stop_after=5 if kind == "cancelled" else None)
    (scratch / "templates.json").write_text(json.dumps(ids), encoding="utf-8")
    return scratch / "sop.db"


def fill_store(home: Path, runs: int) -> dict[str, float]:
    """Add `runs` runs to HOME's store (created by `sop` if missing); return counts and timings."""
    started = time.perf_counter()
    target = home / "sop.db"
    if not target.exists():
        _sop(home, "runs")  # any command that opens the store creates and migrates it
        if not target.exists():
            result = _sop(home, "start", SOP, "--year", "2026")
            if result.returncode:
                raise RuntimeError(result.stderr)
    scratch = Path(tempfile.mkdtemp(prefix="sop-templates-"))
    try:
        source = make_templates(scratch)
        ids = json.loads((scratch / "templates.json").read_text(encoding="utf-8"))
        templates_made = time.perf_counter()
        inserted_events = _clone(source, target, ids, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    done = time.perf_counter()
    return {"runs": runs, "events": inserted_events, "template_seconds": templates_made - started,
            "copy_seconds": done - templates_made}


def _clone(source: Path, target: Path, ids: dict[str, str], runs: int) -> int:
    src = sqlite3.connect(source)
    src.row_factory = sqlite3.Row
    run_columns = [r[1] for r in src.execute("PRAGMA table_info(runs)")]
    event_columns = [r[1] for r in src.execute("PRAGMA table_info(events)")]
    templates = {}
    # The rows every write keeps beside the log (`run_times`, `step_times`: what the period reports
    # and the evaluation aggregate) are cloned with their run.
    kept = [t for t in ("run_times", "step_times")
            if src.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()]
    extra: dict[str, dict[str, list[dict[str, object]]]] = {}
    for kind, run_id in ids.items():
        row = dict(src.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
        events = [dict(r) for r in src.execute("SELECT * FROM events WHERE run_id = ? ORDER BY seq", (run_id,))]
        templates[kind] = (row, events)
        extra[kind] = {t: [dict(r) for r in src.execute(f"SELECT * FROM {t} WHERE run_id = ?", (run_id,))] for t in kept}
    pinned = [tuple(r) for r in src.execute("SELECT sha256, kind, body FROM pinned")]
    src.close()

    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR IGNORE INTO pinned (sha256, kind, body) VALUES (?, ?, ?)", pinned)
        run_sql = f"INSERT INTO runs ({', '.join(run_columns)}) VALUES ({', '.join('?' for _ in run_columns)})"
        event_sql = f"INSERT INTO events ({', '.join(event_columns)}) VALUES ({', '.join('?' for _ in event_columns)})"
        kinds = [kind for kind, share in MIX for _ in range(share)]
        total_events = 0
        run_rows, event_rows = [], []
        kept_rows: dict[str, list[dict[str, object]]] = {t: [] for t in kept}
        for n in range(runs):
            kind = kinds[n % len(kinds)]
            row, events = templates[kind]
            year = 2016 + n * 10 // runs  # ten years of runs, oldest first
            new_id = f"{row['sop_id'].rsplit('/', 1)[-1]}-{year}-g{n:05d}"
            created = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}T01:{n % 60:02d}:00+00:00"
            clone = {**row, "id": new_id, "year": year, "created_at": created, "title": f"Renja {year} #{n} ({kind})"}
            run_rows.append(tuple(clone[c] for c in run_columns))
            for event in events:
                data = event["data"]
                if event["kind"] == "started":
                    body = json.loads(data)
                    body.update(run=new_id, year=year, title=clone["title"])
                    data = json.dumps(body, ensure_ascii=False, sort_keys=True)
                copy = {**event, "run_id": new_id, "data": data}
                event_rows.append(tuple(copy[c] for c in event_columns))
            for table, rows in extra[kind].items():
                kept_rows[table] += [{**r, "run_id": new_id} for r in rows]
            total_events += len(events)
            if len(event_rows) > 20_000:
                conn.executemany(run_sql, run_rows)
                conn.executemany(event_sql, event_rows)
                _insert_rows(conn, kept_rows)
                run_rows, event_rows = [], []
        conn.executemany(run_sql, run_rows)
        conn.executemany(event_sql, event_rows)
        _insert_rows(conn, kept_rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return total_events


CASE_SOP = "sktm"
CASE_TIMES = {"runs": ("created_at", "current_since", "current_due", "updated_at"), "events": ("at", "recorded_at"),
              "cases": ("received_at",), "case_subjects": (), "run_times": ("started_at", "ended_at"),
              "step_times": ("started_at", "finished_at")}
"""The tables a case has rows in, with their time columns (moved with the case)."""


def _case_templates(scratch: Path, year: int) -> Path:
    """Three SKTM cases made with the real commands in `scratch`: finished, refused, open."""
    from datetime import datetime as moment

    env_now = f"{year}-01-15T12:00+09:00"
    steps = {"finished": [("1", []), ("2", ["--approve"]), ("3", []), ("4", ["--approve"]), ("5", [])],
             "refused": [("1", []), ("2", ["--approve"]), ("3", []), ("4", ["--reject", "--reason", "tidak memenuhi"])],
             "open": [("1", []), ("2", ["--approve"])]}
    for number, (kind, walk) in enumerate(steps.items(), start=1):
        at = moment(year, 1, 5, 8, 0)
        result = _case_sop(scratch, env_now, "start", CASE_SOP, "--untuk", f"Template {kind}", "--at",
                           at.strftime("%Y-%m-%d %H:%M"))
        if result.returncode:
            raise RuntimeError(result.stderr)
        for step, flags in walk:
            at = at.replace(hour=at.hour + 1)
            result = _case_sop(scratch, env_now, "advance", "--run", f"{CASE_SOP}-{year}-{number:04d}", "--step", step,
                               *flags, "--at", at.strftime("%Y-%m-%d %H:%M"))
            if result.returncode:
                raise RuntimeError(result.stderr)
    return scratch / "sop.db"


def _case_sop(home: Path, now: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update(SOP_HOME=str(home), NO_COLOR="1", SOP_USER="generator", SOP_NOW=now,
               SOP_PATH=str(REPO / "examples" / "sops"))
    return subprocess.run([*sop_command(), *args], env=env, capture_output=True, text=True, cwd=home, timeout=120)


def fill_cases(home: Path, cases: int, year: int = 2026) -> dict[str, float]:
    """Add `cases` SKTM cases received through `year` to HOME's store; return counts and timings."""
    from datetime import datetime as moment
    from datetime import timedelta

    started = time.perf_counter()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "sop.db"
    if not target.exists():
        _case_sop(home, f"{year}-01-01T08:00+07:00", "store", "init")
    scratch = Path(tempfile.mkdtemp(prefix="sop-case-templates-"))
    try:
        source = sqlite3.connect(_case_templates(scratch, year))
        source.row_factory = sqlite3.Row
        templates: dict[str, dict[str, list[dict[str, object]]]] = {}
        for number, kind in enumerate(("finished", "refused", "open"), start=1):
            run_id = f"{CASE_SOP}-{year}-{number:04d}"
            templates[kind] = {table: [dict(r) for r in source.execute(
                f"SELECT * FROM {table} WHERE {'id' if table == 'runs' else 'run_id'} = ?", (run_id,))]
                for table in CASE_TIMES}
        pinned = [tuple(r) for r in source.execute("SELECT sha256, kind, body FROM pinned")]
        source.close()
        made = time.perf_counter()
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR IGNORE INTO pinned (sha256, kind, body) VALUES (?, ?, ?)", pinned)
        first = moment.fromisoformat(templates["finished"]["runs"][0]["created_at"])  # type: ignore[arg-type]
        batches: dict[str, list[dict[str, object]]] = {table: [] for table in CASE_TIMES}
        events = 0
        for n in range(cases):
            kind = "open" if n >= cases - cases // 50 else "refused" if n % 8 == 3 else "finished"
            run_id = f"{CASE_SOP}-{year}-{n + 1:04d}"
            shift = timedelta(days=n * 360 // cases, minutes=(n * 7) % 420)
            for table, rows in templates[kind].items():
                for row in rows:
                    copy = {**row, ("id" if table == "runs" else "run_id"): run_id}
                    for column in CASE_TIMES[table]:
                        if copy.get(column):
                            copy[column] = (moment.fromisoformat(str(copy[column])) + shift).isoformat()
                    if table == "cases":
                        copy["number"] = n + 1
                    elif table == "case_subjects":
                        copy["untuk"] = copy["untuk_key"] = f"pemohon {n + 1}"
                    elif table == "runs":
                        copy["title"] = f"Pelayanan Surat Keterangan Tidak Mampu No. {n + 1:04d}/{year}"
                    elif table == "events" and copy["kind"] == "started":
                        body = json.loads(str(copy["data"]))
                        body.update(run=run_id, title=copy.get("title", body.get("title")))
                        copy["data"] = json.dumps(body, ensure_ascii=False, sort_keys=True)
                    batches[table].append(copy)
            events += len(templates[kind]["events"])
            if len(batches["events"]) > 20_000 or n == cases - 1:
                for table, rows in batches.items():
                    if rows:
                        columns = list(rows[0])
                        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                         f"({', '.join('?' for _c in columns)})", [tuple(r[c] for c in columns) for r in rows])
                    rows.clear()
        del first
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"cases": cases, "events": events, "template_seconds": made - started,
            "copy_seconds": time.perf_counter() - made}


def _insert_rows(conn: sqlite3.Connection, tables: dict[str, list[dict[str, object]]]) -> None:
    """Insert and clear the collected rows of each table (column for column as collected)."""
    for table, rows in tables.items():
        if rows:
            columns = list(rows[0])
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _c in columns)})",
                             [tuple(r[c] for c in columns) for r in rows])
        rows.clear()


def make_catalog(folder: Path, files: int) -> list[Path]:
    """Write `files` valid SOP files under `folder`, each with its own organisation id."""
    written = []
    seeds = [seed.read_text(encoding="utf-8") for seed in SEEDS]
    for n in range(files):
        text = seeds[n % len(seeds)]
        match = re.search(r"^organisasi:\n  id: (\S+)\n  wilayah: (\S+)\n", text, flags=re.M)
        if not match:
            raise RuntimeError("the seed's organisasi block is not as expected (id, then wilayah)")
        org, wilayah = f"{match.group(1)}-{n:04d}", match.group(2)
        text = text[: match.start()] + f"organisasi:\n  id: {org}\n  wilayah: {wilayah}\n" + text[match.end():]
        text = re.sub(r"^  alias:.*\n(?:  - .*\n)*", "", text, flags=re.M)  # short names stay unique
        path = folder / wilayah / org / "renja.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    store = sub.add_parser("store", help="add runs to HOME/sop.db")
    store.add_argument("home", type=Path)
    store.add_argument("--runs", type=int, default=10_000)
    kabupaten = sub.add_parser("kabupaten", help="fill a PostgreSQL store (URL) with a Kabupaten's runs")
    kabupaten.add_argument("url")
    kabupaten.add_argument("--units", type=int, default=40)
    kabupaten.add_argument("--years", type=int, default=5)
    kabupaten.add_argument("--runs", type=int, default=10_000)
    counter = sub.add_parser("cases", help="add a counter's year of SKTM cases to HOME/sop.db")
    counter.add_argument("home", type=Path)
    counter.add_argument("--cases", type=int, default=20_000)
    counter.add_argument("--year", type=int, default=2026)
    catalog = sub.add_parser("catalog", help="write SOP files under DIR")
    catalog.add_argument("folder", type=Path)
    catalog.add_argument("--files", type=int, default=1_000)
    args = parser.parse_args(argv)
    if args.what == "store":
        args.home.mkdir(parents=True, exist_ok=True)
        counts = fill_store(args.home, args.runs)
        size = (args.home / "sop.db").stat().st_size
        print(f"{counts['runs']} runs, {counts['events']} events added to {args.home / 'sop.db'} "
              f"({size / 1e6:.1f} MB; templates {counts['template_seconds']:.1f} s, copy {counts['copy_seconds']:.1f} s)")
    elif args.what == "cases":
        args.home.mkdir(parents=True, exist_ok=True)
        counts = fill_cases(args.home, args.cases, args.year)
        print(f"{counts['cases']:,} cases, {counts['events']:,} events added to {args.home / 'sop.db'} "
              f"(templates {counts['template_seconds']:.1f} s, copy {counts['copy_seconds']:.1f} s)")
    elif args.what == "kabupaten":
        counts = fill_kabupaten(args.url, units=args.units, years=args.years, runs=args.runs)
        print(f"{counts['runs']:,} runs ({counts['grid']} in the {counts['units']}-unit grid), {counts['events']:,} events; "
              f"templates {counts['template_seconds']:.1f} s, clones {counts['clone_seconds']:.1f} s, "
              f"COPY {counts['copy_seconds']:.1f} s")
    else:
        paths = make_catalog(args.folder, args.files)
        print(f"{len(paths)} SOP files written under {args.folder}")
    return 0



# A Kabupaten on PostgreSQL -----------------------------------------------------------------------

KABUPATEN_SOPS = (("renja", SEEDS[0]), ("renja-dinas", SEEDS[1]))
"""Every unit runs both seed SOPs: the Kecamatan model as `renja`, the Dinas model as `renja-dinas`."""


def _template_runs(scratch: Path, cycle: int, seed: int) -> list[tuple[str, str, object]]:
    """Template runs made in-process by the real service in a scratch SQLite store, with working
    times drawn around each step's Mutu Baku: (sop key, kind, RunExport) for kinds finished,
    rework, cancelled (history) and active-K (the cycle: K steps done, the next one current)."""
    import random
    from datetime import datetime, timedelta

    from sop_cli.definition.duration import Duration
    from sop_cli.errors import UsageError
    from sop_cli.run import service
    from sop_cli.store.sqlite import SqliteStore
    from sop_cli.worktime import zone

    rng = random.Random(seed)
    store = scratch / "templates.db"
    os.environ["SOP_HOME"] = str(scratch)
    made: list[tuple[str, str, str]] = []

    def at(moment: datetime) -> service.Session:
        return service.Session(moment, actor="generator", os_user="generator", store=store)

    quals = {"renja": "nganjuk/kecamatan-ngronggot/renja", "renja-dinas": "lampung-tengah/diskominfo/renja"}
    for key, qualified in quals.items():
        plans = [("finished", None, False)] * 6 + [("rework", None, True)] * 3 + [("cancelled", 4, False)] * 2
        plans += [(f"active-{k}", k, False) for k in range(0, 13)]
        for n, (kind, stop, reject) in enumerate(plans):
            tz = zone("WIB")
            if kind.startswith("active"):
                # started so that a run with more steps done began earlier: some are late by 26 November
                moment = datetime(cycle, 11, 26, 8, 0, tzinfo=tz) - timedelta(days=int(stop or 0) // 2 + rng.randint(1, 5))
            else:
                moment = datetime(cycle - 1, 1, 5, 8, 0, tzinfo=tz)
            view = service.start_run(at(moment), qualified, year=cycle, title=f"Template {key} {kind} {n}", again=True)
            run = view["run"]
            rejected = False
            done = 0
            state = service.load_run(run, store=store)
            while state.status == "active" and (stop is None or done < stop):
                current = state.current
                assert current is not None
                factor = rng.choice((0.2, 0.5, 0.8, 1.0, 1.0, 1.5, 2.5, 4.0))
                minutes = max(1, int(current.standard_minutes * factor))
                moment = state.calendar.add(moment, Duration(minutes, "menit"))
                try:
                    service.advance(at(moment), run)
                except UsageError:  # a decision: reject once in a rework template, else approve
                    if reject and not rejected:
                        service.advance(at(moment), run, reject=True, reason="Perlu revisi (data uji)")
                        rejected = True
                    else:
                        service.advance(at(moment), run, approve=True)
                done += 1
                state = service.load_run(run, store=store)
            if kind == "cancelled":
                moment = state.calendar.add(moment, Duration(30, "menit"))
                service.cancel(at(moment), run, reason="Dibatalkan (data uji)")
            made.append((key, kind, run))
    with SqliteStore.open(store) as st, st.read():
        return [(key, kind, st.export_run(run)) for key, kind, run in made]


def fill_kabupaten(url: str, *, units: int = 40, years: int = 5, runs: int = 10_000, cycle: int = 2026,
                   seed: int = 13) -> dict[str, float]:
    """Fill the PostgreSQL store at `url` (its schema is created by `sop` first) with a Kabupaten:
    `units` units (half Kecamatan, half Dinas) x `years` cycles up to `cycle` x both seed SOPs
    (in the last cycle about a tenth of the units have not started and the rest stand at every
    step), plus older history up to `runs` runs in all. Runs are cloned from template runs made by
    the real service (ids, organisation, pinned definition and times rewritten; times moved by
    whole weeks so working time stays working time), their summaries replayed by today's engine,
    and written with COPY in one transaction; the units are granted (`sop_units`)."""
    import random
    from dataclasses import replace
    from datetime import timedelta

    import psycopg

    from sop_cli.run import engine
    from sop_cli.store.interface import StoredRun
    from sop_cli.store.postgres import PostgresStore, role_name

    started = time.perf_counter()
    PostgresStore.open(url).close()  # creates and migrates the schema
    scratch = Path(tempfile.mkdtemp(prefix="sop-kabupaten-"))
    home = os.environ.get("SOP_HOME")
    try:
        templates = _template_runs(scratch, cycle, seed)
    finally:
        if home is None:
            os.environ.pop("SOP_HOME", None)
        else:
            os.environ["SOP_HOME"] = home
        shutil.rmtree(scratch, ignore_errors=True)
    made = time.perf_counter()
    rng = random.Random(seed)
    by_kind: dict[tuple[str, str], list] = {}
    for key, kind, export in templates:
        by_kind.setdefault((key, kind.split("-")[0]), []).append(export)
    unit_list = [(f"kecamatan-{u + 1:02d}", f"Kecamatan {u + 1:02d}") if u < units // 2
                 else (f"dinas-{u + 1:02d}", f"Dinas {u + 1:02d}") for u in range(units)]
    pinned: dict[str, tuple[str, str]] = {}
    run_rows: list[tuple] = []
    event_rows: list[tuple] = []

    def definition_for(export, org: tuple[str, str], key: str) -> tuple[str, str]:
        from sop_cli.definition.pinned import pin_text, read_pinned

        data = read_pinned(export.definition)
        data = {**data, "id": key, "organisasi": {**data["organisasi"], "id": org[0], "nama": org[1]}}
        text = pin_text(data)
        import hashlib

        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        pinned.setdefault(sha, ("definition", text))
        return sha, text

    def clone(export, run_id: str, org: tuple[str, str], key: str, year: int, weeks: int) -> None:
        sha, text = definition_for(export, org, key)
        cal_sha = export.run.calendar_sha256
        pinned.setdefault(cal_sha, ("calendar", export.calendar))
        shift = timedelta(weeks=weeks)
        sop_id = f"kabupaten-contoh/{org[0]}/{key}"
        events = []
        for e in export.events:
            data = dict(e.data)
            if e.kind == "started":
                data.update(run=run_id, sop=sop_id, year=year, definition_sha256=sha, title=f"Renja {year} {org[1]}")
            events.append(replace(e, at=e.at + shift, recorded_at=e.recorded_at + shift, data=data, actor=f"{org[1]} planner"))
        state = engine.state_of(StoredRun(run_id, text, export.calendar, events))
        summary = engine.summary(state)
        r = export.run
        run_rows.append((run_id, sop_id, org[0], year, f"Renja {year} {org[1]}", r.zone, sha, cal_sha, None, None,
                         r.created_at + shift, summary.status, summary.current_step, summary.current_kegiatan,
                         summary.current_since, summary.current_due, summary.steps_done, summary.steps_total,
                         summary.rework_loops, summary.last_seq, summary.updated_at))
        for e in events:
            event_rows.append((run_id, e.seq, e.kind, e.at, e.recorded_at, e.actor, e.os_user, "", e.step,
                               json.dumps(dict(e.data), ensure_ascii=False, sort_keys=True)))

    grid = 0
    for year in range(cycle - years + 1, cycle + 1):
        for org in unit_list:
            for key, _ in KABUPATEN_SOPS:
                if year == cycle:
                    if rng.random() < 0.1:
                        continue  # not started yet
                    kind = "finished" if rng.random() < 0.1 else "active"
                else:
                    kind = rng.choices(("finished", "rework", "cancelled"), (75, 15, 10))[0]
                weeks = 0 if kind == "active" else (year - (cycle - 1)) * 52 + rng.randint(0, 8)
                if kind == "finished" and year == cycle:
                    weeks = 52 + 36 + rng.randint(0, 4)
                clone(rng.choice(by_kind[(key, kind)]), f"{key}-{year}-{org[0]}", org, key, year, weeks)
                grid += 1
    n = 0
    while len(run_rows) < runs:
        year = rng.randint(cycle - years - 12, cycle - years)
        org = rng.choice(unit_list)
        key = rng.choice(KABUPATEN_SOPS)[0]
        # older cycles, when the SOPs were new, were sent back for rework more often
        kind = rng.choices(("finished", "rework", "cancelled"), (54, 43, 3))[0]
        clone(rng.choice(by_kind[(key, kind)]), f"{key}-{year}-{org[0]}-h{n:05d}", org, key, year,
              (year - (cycle - 1)) * 52 + rng.randint(0, 8))
        n += 1
    cloned = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO pinned (sha256, kind, body) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        [(sha, kind, body) for sha, (kind, body) in pinned.items()])
        columns = ("id, sop_id, org_id, year, title, zone, definition_sha256, calendar_sha256, source_path, "
                   "source_sha256, created_at, status, current_step, current_kegiatan, current_since, current_due, "
                   "steps_done, steps_total, rework_loops, last_seq, updated_at")
        with cur.copy(f"COPY runs ({columns}) FROM STDIN") as copy:
            for row in run_rows:
                copy.write_row(row)
        with cur.copy("COPY events (run_id, seq, kind, at, recorded_at, actor, os_user, db_user, step, data) "
                      "FROM STDIN") as copy:
            for row in event_rows:
                copy.write_row(row)
        tag = cur.execute("SELECT tag FROM sop_store").fetchone()[0]
        cur.executemany("INSERT INTO sop_units (role_name, org_id, org_name) VALUES (%s, %s, %s) "
                        "ON CONFLICT (role_name) DO NOTHING", [(role_name(tag, o), o, name) for o, name in unit_list])
        cur.execute("ANALYZE runs")
        cur.execute("ANALYZE events")
    done = time.perf_counter()
    return {"runs": len(run_rows), "events": len(event_rows), "grid": grid, "units": units,
            "template_seconds": made - started, "clone_seconds": cloned - made, "copy_seconds": done - cloned}


if __name__ == "__main__":
    sys.exit(main())
