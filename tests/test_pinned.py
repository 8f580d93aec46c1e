"""The pinned form of a definition: versioned, and read the same from a store written before versions.

`tests/data/store-v0/` holds a store written by the code of commit bbfa1b5 (the definition pinned as
bare JSON, no version) and what `sop status/log/report --json` printed for it then (`make.sh`).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sop_cli.definition.pinned import CALENDAR_FORMAT, PINNED_FORMAT, pin_text, read_pinned, upgrade, upgrade_calendar
from sop_cli.errors import StoreError
from tests.conftest import REPO

OLD = REPO / "tests" / "data" / "store-v0"
RUNS = ("renja-2025", "renja-2025-2", "renja-2027")
COMMANDS = {
    "status": ("status", "--json"),
    "log": ("log", "--json"),
    "report": ("report", "--format", "json"),
}


@pytest.fixture
def old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the old store (opening it may migrate it), at the moment its outputs were taken."""
    copy = tmp_path / "old.db"
    shutil.copyfile(OLD / "sop.db", copy)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.setenv("SOP_USER", "penguji")
    return copy


def normalised(data: object) -> object:
    """Drop what depends on the checkout the store was written in: where the SOP file was and
    whether it is still there unchanged."""
    if isinstance(data, dict):
        return {k: normalised(v) for k, v in data.items() if k not in ("source_path", "sop_file")}
    if isinstance(data, list):
        return [normalised(v) for v in data]
    return data


def without_added_keys(view: dict[str, Any]) -> dict[str, Any]:
    """`view` without the keys the views gained after the old store was written (issue 12: the
    run's `outcome` and `office_hours`, the current step's `untimed`; the parallel steps, external
    lanes and sub-SOPs: `current_steps`, `parent`, `sub_runs`, `office_minutes`, `external_minutes`,
    and `external`, `sub_sop`, `sub_run` of a step; issue 11: the report's `status_word` and
    `catatan`; issue 20: the SOP's `jenis`, a case's `untuk` and `case_number`), which are checked on
    their own. (Issue 11 also changed what the report's
    `within_standard` counts, steps not passes, and the word of a forecast row, `belum (rencana)`:
    the expected files were updated for those two on purpose.) Issue 19 added a report row's
    `waktu` (the Mutu Baku as the SOP writes it) and a rejection's `rework`. (Issue 21 changed a
    row's `person` on purpose: who holds the step's lane, never the `SOP_USER` who typed the
    command, "penguji", which stays in the log; the expected reports say null there now.) The run's
    and the report summary's `day_minutes` (how long a hari is: 450 for these ASN hours) came later."""
    added = ("outcome", "office_hours", "current_steps", "parent", "sub_runs", "office_minutes", "external_minutes",
             "status_word", "catatan", "jenis", "untuk", "case_number", "day_minutes")
    step_added = ("untimed", "external", "sub_sop", "sub_run")
    view = {k: v for k, v in view.items() if k not in added}
    if isinstance(view.get("current"), dict):
        view["current"] = {k: v for k, v in view["current"].items() if k not in step_added}
    for rows in ("visits", "rows"):
        if isinstance(view.get(rows), list):
            gone = (*step_added, "waktu") if rows == "rows" else step_added
            view[rows] = [{k: v for k, v in row.items() if k not in gone} for row in view[rows]]
    view = without_rework(view)
    if isinstance(view.get("summary"), dict):
        summary_added = ("external_minutes", "current_steps", "parent", "sub_runs", "day_minutes")
        view["summary"] = {k: v for k, v in view["summary"].items() if k not in summary_added}
    return view


def without_rework(view: Any) -> Any:
    """A view (or a log) without the `rework` flag its rejections gained (issue 19)."""
    events = view.get("events") if isinstance(view, dict) else view
    if isinstance(events, list):
        for event in events:
            if isinstance(event, dict):
                event.pop("rework", None)
    return view


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_store_written_before_pinned_versions_reads_as_it_did(sop, old_store: Path, run: str, command: str) -> None:
    result = sop(*COMMANDS[command], "--run", run, "--store", old_store)
    assert result.exit_code == 0, result.output
    expected = json.loads((OLD / f"expected-{command}-{run}.json").read_text(encoding="utf-8"))
    got = json.loads(result.stdout)
    assert normalised(without_rework(got) if command == "log" else without_added_keys(got)) == normalised(expected)
    if command in ("status", "report"):
        # an old run ended at its end step, keeps the ASN hours and has no step without fixed time
        assert got["outcome"] == ("selesai" if got["status"] == "finished" else None)
    if command == "status":
        # an old run has no parallel steps, no external lane and no sub-SOP
        assert got["current_steps"] == ([got["current"]] if got["current"] else [])
        assert (got["parent"], got["sub_runs"], got["external_minutes"]) == (None, {}, 0)
        assert got["office_hours"] == "Mon–Thu 07.30–16.00, Fri 07.30–16.30" and got["day_minutes"] == 450
        assert got["current"] is None or got["current"]["untimed"] is False
        assert (got["jenis"], got["untuk"], got["case_number"]) == ("perencanaan", None, None)


def test_an_old_run_goes_on_and_its_full_definition_still_renders(sop, old_store: Path) -> None:
    done = sop("advance", "--run", "renja-2027", "--step", "3", "--store", old_store, "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["current"]["step"] == 4
    rendered = sop("render", "sop", "--run", "renja-2027", "--store", old_store, "--format", "md")
    assert rendered.exit_code == 0, rendered.output
    assert rendered.stdout.startswith("# SOP Penyusunan Renja") and "s9 -- TIDAK --> s8" in rendered.stdout


def test_a_new_run_pins_the_current_format(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    store = tmp_path / "new.db"
    assert sop("start", "renja", "--org", "ngronggot", "--store", store).exit_code == 0
    conn = sqlite3.connect(store)
    (body,) = conn.execute("SELECT body FROM pinned WHERE kind = 'definition'").fetchone()
    (calendar,) = conn.execute("SELECT body FROM pinned WHERE kind = 'calendar'").fetchone()
    conn.close()
    pinned = json.loads(body)
    assert pinned["pinned_format"] == PINNED_FORMAT
    assert pinned["definition"]["id"] == "renja"
    assert json.loads(calendar)["pinned_format"] == CALENDAR_FORMAT


def test_every_older_format_upgrades_to_the_current_one() -> None:
    definition = {"id": "uji", "langkah": []}
    current = {"toleransi": None, **definition}  # what every older format meant: no tolerance
    bare = dict(definition)  # format 1: before versions existed
    assert upgrade(bare) == {"pinned_format": PINNED_FORMAT, "definition": current}
    # format 2 had no office hours and only one-off days off: format 3 says so
    org = {"id": "dinas", "hari_libur": [{"tanggal": "2026-11-17", "nama": "Hari Jadi"}]}
    assert PINNED_FORMAT == 5
    # format 4 had no tolerance for the monitoring form: format 5 writes none in
    assert read_pinned(json.dumps({"pinned_format": 4, "definition": definition})) == current
    # format 3 had no parallel steps, sub-SOPs nor external lanes: format 4 writes the defaults in
    three = {"id": "uji", "pelaksana": [{"id": "a", "nama": "A"}], "langkah": [{"no": 1}]}
    assert read_pinned(json.dumps({"pinned_format": 3, "definition": three})) == {
        "id": "uji", "pelaksana": [{"id": "a", "nama": "A", "eksternal": False}],
        "langkah": [{"no": 1, "paralel": [], "sub_sop": None}], "toleransi": None,
    }
    assert read_pinned(json.dumps({"pinned_format": 2, "definition": {**definition, "organisasi": org}})) == {
        **current,
        "organisasi": {"id": "dinas", "jam_kerja": None,
                       "hari_libur": [{"tanggal": "2026-11-17", "nama": "Hari Jadi", "setiap_tahun": False}]},
    }
    assert read_pinned(json.dumps(bare)) == current
    assert read_pinned(pin_text(current)) == current
    calendar = {"zone": "WIB", "years": [2026], "days_off": {"2026-12-25": "Natal"}, "source": "uji"}
    asn_week = {"hours": {**{str(d): [["07:30", "12:00"], ["13:00", "16:00"]] for d in range(4)},
                          "4": [["07:30", "11:30"], ["13:00", "16:30"]]},
                "day_minutes": 450, "periods": [], "yearly_days_off": []}
    assert CALENDAR_FORMAT == 3
    for older in (calendar, {**calendar, "pinned_format": 2}):  # formats 1 and 2: the ASN week, written out
        assert upgrade_calendar(older) == {**calendar, **asn_week, "pinned_format": CALENDAR_FORMAT}
    with pytest.raises(StoreError):
        upgrade_calendar({**calendar, "pinned_format": CALENDAR_FORMAT + 1})


@pytest.mark.parametrize("body", [
    json.dumps({"pinned_format": PINNED_FORMAT + 1, "definition": {}}),
    json.dumps({"pinned_format": "2", "definition": {}}),
    json.dumps({"pinned_format": PINNED_FORMAT}),
    "[1, 2]",
    "{not json",
])
def test_a_pinned_form_this_sop_cannot_read_is_a_damaged_or_newer_store(body: str) -> None:
    with pytest.raises(StoreError):
        read_pinned(body)


def test_a_run_pinned_by_a_newer_sop_is_refused_with_a_message(sop, old_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    conn = sqlite3.connect(old_store)
    (sha,) = conn.execute("SELECT definition_sha256 FROM runs WHERE id = 'renja-2027'").fetchone()
    (body,) = conn.execute("SELECT body FROM pinned WHERE sha256 = ?", (sha,)).fetchone()
    future = json.dumps({"pinned_format": PINNED_FORMAT + 1, "definition": json.loads(body)})
    conn.execute("UPDATE pinned SET body = ? WHERE sha256 = ?", (future, sha))
    conn.commit()
    conn.close()

    result = sop("status", "--run", "renja-2027", "--store", old_store)
    assert result.exit_code == 4
    assert f"pinned in format {PINNED_FORMAT + 1}" in result.stderr and "Traceback" not in result.stderr
