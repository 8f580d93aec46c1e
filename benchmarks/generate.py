"""Data for the scale benchmark: a store with many runs, a catalog with many SOP files.

    .venv/bin/python benchmarks/generate.py store  HOME [--runs 10000]   # adds runs to HOME/sop.db
    .venv/bin/python benchmarks/generate.py catalog DIR [--files 1000]   # writes DIR/<wilayah>/<org>/renja.yaml

Runs: three template runs of the Nganjuk Renja SOP are made with the real `sop` commands in a
scratch SOP_HOME (one finished, one finished after a rejected decision and rework, one
cancelled half-way); their rows are then copied under new ids into HOME's store with plain
`sqlite3`, column for column as the store's own schema has them, in one transaction (10,000
runs, about 140,000 events, in a few seconds). The run HOME already has (if any) stays the only
active one, so `sop status` without --run still finds it.

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
    """Complete steps until the run ends (approving decisions), optionally rejecting the first one."""
    rejected = False
    for done in range(200):
        if stop_after is not None and done >= stop_after:
            result = _sop(home, "cancel", "--run", run, "--reason", "Dibatalkan (data uji)")
            if result.returncode:
                raise RuntimeError(result.stderr)
            return
        result = _sop(home, "advance", "--run", run)
        if result.returncode and "--approve" in (result.stderr + result.stdout):
            if reject_once and not rejected:
                result = _sop(home, "advance", "--run", run, "--reject", "--reason", "Perlu revisi (data uji)")
                rejected = True
            else:
                result = _sop(home, "advance", "--run", run, "--approve")
        if result.returncode:
            if "finished" in result.stderr.lower() or "no active run" in result.stderr.lower() or "selesai" in result.stderr.lower():
                return
            raise RuntimeError(f"sop advance failed: {result.stderr}{result.stdout}")
        status = json.loads(_sop(home, "status", "--run", run, "--json").stdout)
        if status["status"] != "active":
            return


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
    for kind, run_id in ids.items():
        row = dict(src.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
        events = [dict(r) for r in src.execute("SELECT * FROM events WHERE run_id = ? ORDER BY seq", (run_id,))]
        templates[kind] = (row, events)
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
            total_events += len(events)
            if len(event_rows) > 20_000:
                conn.executemany(run_sql, run_rows)
                conn.executemany(event_sql, event_rows)
                run_rows, event_rows = [], []
        conn.executemany(run_sql, run_rows)
        conn.executemany(event_sql, event_rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return total_events


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
    else:
        paths = make_catalog(args.folder, args.files)
        print(f"{len(paths)} SOP files written under {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
