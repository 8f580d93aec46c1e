"""What only a shared PostgreSQL store promises: the database itself enforces who may do what,
whoever connects (`sop` or `psql` with their own credentials), and the audit trail names the
database user who really pressed Enter. The behaviour shared with SQLite is tested by running the
run tests against both stores (see tests/conftest.py)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.postgres import fresh_schema, server_url

pytestmark = pytest.mark.postgres

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"


@pytest.fixture
def pg_url():
    with fresh_schema(server_url()) as url:
        yield url


@pytest.fixture
def users(pg_url):
    """Login roles made for one test, dropped afterwards with the roles the test granted in its
    store (a store's roles are its own, so tests running at once never share one)."""
    from tests.postgres import drop_roles, login_role

    made: list[str] = []

    def make(name: str) -> str:
        made.append(login_role(name))
        return made[-1]

    try:
        yield make
    finally:
        drop_roles(pg_url, made)


def as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}{port}"))


def cli(sop, url: str, *args: str):
    return sop(*args, "--store", url)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.setenv("SOP_USER", "planner")


def test_the_event_log_refuses_update_and_delete_even_for_the_owner(sop, clock, pg_url):
    import psycopg

    assert cli(sop, pg_url, "start", NGANJUK).exit_code == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in ("UPDATE events SET actor = 'someone else'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_a_unit_writes_only_its_own_runs_and_bappeda_reads_all(sop, clock, pg_url, users):
    import psycopg

    from sop_cli.store.postgres import PostgresStore

    camat, kominfo, bappeda = users("camat"), users("kominfo"), users("bappeda")
    admin = PostgresStore.open(pg_url)
    try:
        admin.grant(org_id="kecamatan-ngronggot", org_name="Kecamatan Ngronggot", members=[camat])
        admin.grant(org_id="diskominfo", org_name="Diskominfo Lampung Tengah", members=[kominfo])
        admin.grant(org_id=None, members=[bappeda])
    finally:
        admin.close()

    assert cli(sop, as_user(pg_url, camat), "start", NGANJUK, "--year", "2026").exit_code == 0
    assert cli(sop, as_user(pg_url, kominfo), "start", LAMPUNG, "--year", "2026").exit_code == 0

    # Each unit sees only its own run; BAPPEDA sees both.
    def runs(user: str) -> set[str]:
        result = cli(sop, as_user(pg_url, user), "runs", "--all", "--json")
        assert result.exit_code == 0, result.output
        return {row["sop"] for row in json.loads(result.stdout)}

    assert runs(camat) == {NGANJUK}
    assert runs(kominfo) == {LAMPUNG}
    assert runs(bappeda) == {NGANJUK, LAMPUNG}

    # A unit cannot write another unit's run, through psql either.
    with psycopg.connect(as_user(pg_url, kominfo), autocommit=True) as conn, pytest.raises(psycopg.Error):
        conn.execute(
            "INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
            "VALUES ('renja-2026', 99, 'note', now(), now(), 'x', 'x')"
        )
    # BAPPEDA writes nothing; a unit does not start another unit's SOP. Each refusal is one line
    # naming both organisations, exit code 5.
    result = cli(sop, as_user(pg_url, bappeda), "advance", "--run", "renja-2026")
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: BAPPEDA may not change the runs of Kecamatan Ngronggot")
    assert len(result.stderr.strip().splitlines()) == 1
    result = cli(sop, as_user(pg_url, camat), "start", LAMPUNG, "--year", "2027")
    assert result.exit_code == 5
    assert "Kecamatan Ngronggot may not change the runs of Diskominfo Lampung Tengah" in result.stderr
    assert runs(kominfo) == {LAMPUNG} and runs(bappeda) == {NGANJUK, LAMPUNG}

    # The audit trail names the database user who pressed Enter.
    with psycopg.connect(pg_url) as conn:
        who = conn.execute("SELECT db_user FROM events WHERE run_id = 'renja-2026' AND seq = 1").fetchone()[0]
    assert who == camat
    log = cli(sop, as_user(pg_url, bappeda), "log", "--run", "renja-2026")
    assert f"planner [{camat}]" in log.stdout
    events = json.loads(cli(sop, as_user(pg_url, camat), "log", "--run", "renja-2026", "--json").stdout)
    assert events[0]["db_user"] == camat and events[0]["actor"] == "planner"


def test_a_store_from_a_newer_sop_is_refused_untouched(sop, clock, pg_url):
    import psycopg

    assert cli(sop, pg_url, "start", NGANJUK).exit_code == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO _sop_migrations (version, name) VALUES (999, 'from the future')")
    result = cli(sop, pg_url, "status")
    assert result.exit_code == 4
    assert "newer version of sop" in result.stderr


def test_an_unreachable_server_is_one_line_naming_the_host(sop, clock):
    result = sop("status", "--store", "postgresql://sop:secret@127.0.0.1:1/nothing")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: Cannot reach the PostgreSQL server at 127.0.0.1:1 (database nothing)")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_store_grant_from_the_command_line_names_units_from_their_sop_files(sop, clock, pg_url, users):
    camat, bappeda = users("camat"), users("bappeda")
    result = sop("store", "grant", "--unit", "ngronggot", "--user", camat, "--store", pg_url)
    assert result.exit_code == 0, result.output
    assert f"writes the runs of Kecamatan Ngronggot (kecamatan-ngronggot); members: {camat}" in result.stdout
    assert sop("store", "grant", "--bappeda", "--user", bappeda, "--store", pg_url).exit_code == 0
    status = json.loads(sop("store", "status", "--json", "--store", pg_url).stdout)
    assert [(u["org_id"], u["org_name"]) for u in status["units"]] == [("kecamatan-ngronggot", "Kecamatan Ngronggot")]
    # The unit's user starts and advances its own run; BAPPEDA's user sees it in the portfolio.
    assert cli(sop, as_user(pg_url, camat), "start", NGANJUK).exit_code == 0
    mine = json.loads(cli(sop, as_user(pg_url, camat), "store", "status", "--json").stdout)
    assert (mine["db_user"], mine["runs"]) == (camat, 1)
    portfolio = json.loads(cli(sop, as_user(pg_url, bappeda), "report", "--portfolio", "--format", "json").stdout)
    assert [(u["org_name"], u["run"]) for u in portfolio["units"]] == [("Kecamatan Ngronggot", "renja-2027")]
    unknown = sop("store", "grant", "--unit", "nowhere", "--store", pg_url)
    assert unknown.exit_code == 1 and "No organisation 'nowhere'" in unknown.stderr


def test_a_unit_copies_its_own_history_in_but_not_another_units(sop, clock, pg_url, users, tmp_path):
    camat = users("camat")
    admin = sop("store", "grant", "--unit", "ngronggot", "--user", camat, "--store", pg_url)
    assert admin.exit_code == 0, admin.output
    alone = str(tmp_path / "alone.db")
    assert sop("start", NGANJUK, "--year", "2026", "--store", alone).exit_code == 0
    assert sop("advance", "--store", alone).exit_code == 0
    mine = sop("store", "copy", alone, as_user(pg_url, camat))
    assert mine.exit_code == 0, mine.output
    events = json.loads(cli(sop, as_user(pg_url, camat), "log", "--run", "renja-2026", "--json").stdout)
    assert [(e["actor"], e["db_user"]) for e in events] == [("planner", camat)] * 2

    other = str(tmp_path / "other.db")
    assert sop("start", LAMPUNG, "--year", "2027", "--store", other).exit_code == 0
    refused = sop("store", "copy", other, as_user(pg_url, camat))
    assert refused.exit_code == 5
    assert "Kecamatan Ngronggot may not change the runs of diskominfo" in refused.stderr


def test_cases_keep_whom_they_are_for_to_their_unit_and_their_times_to_bappeda(sop, clock, pg_url, users,
                                                                             monkeypatch):
    import psycopg

    from sop_cli.store.postgres import PostgresStore

    monkeypatch.setenv("SOP_PATH", str(__import__("pathlib").Path(__file__).resolve().parent.parent / "examples" / "sops"))
    lurah, camat, bappeda = users("lurah"), users("camat"), users("bappeda")
    admin = PostgresStore.open(pg_url)
    try:
        admin.grant(org_id="kelurahan-entrop", org_name="Kelurahan Entrop", members=[lurah])
        admin.grant(org_id="kecamatan-ngronggot", org_name="Kecamatan Ngronggot", members=[camat])
        admin.grant(org_id=None, members=[bappeda])
    finally:
        admin.close()
    entrop = as_user(pg_url, lurah)
    for name in ("Budi Santoso", "Siti Aminah"):
        assert cli(sop, entrop, "start", "sktm", "--untuk", name, "--at", "2026-11-25 09:00").exit_code == 0
    for step, flag in ((1, []), (2, ["--approve"]), (3, []), (4, ["--reject", "--reason", "tidak memenuhi"])):
        assert cli(sop, entrop, "advance", "--run", "sktm-2026-0001", "--step", str(step), *flag,
                   "--at", f"2026-11-25 {step + 9}:30").exit_code == 0

    def rows(user: str) -> dict[str, object]:
        result = cli(sop, as_user(pg_url, user), "runs", "--all", "--json")
        assert result.exit_code == 0, result.output
        return {row["run"]: row["untuk"] for row in json.loads(result.stdout)}

    assert rows(lurah) == {"sktm-2026-0001": "Budi Santoso", "sktm-2026-0002": "Siti Aminah"}
    assert rows(bappeda) == {"sktm-2026-0001": None, "sktm-2026-0002": None}  # numbers and times, no names
    assert rows(camat) == {}
    report = cli(sop, as_user(pg_url, bappeda), "report", "--sop", "sktm", "--bulan", "2026-11", "--format", "json")
    assert report.exit_code == 0, report.output
    figures = json.loads(report.stdout)
    assert (figures["received"], figures["refused"], figures["open"]) == (2, 1, 1)
    assert [s["passes"] for s in figures["steps"]] == [1, 1, 1, 1, 0]
    # through psql, with the units' own logins
    with psycopg.connect(as_user(pg_url, camat), autocommit=True) as conn:
        for table in ("cases", "case_subjects", "run_times", "step_times"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
        assert conn.execute("UPDATE case_subjects SET untuk = 'X'").rowcount == 0  # no row it may see
        with pytest.raises(psycopg.Error):
            conn.execute("INSERT INTO step_times (run_id, org_id, seq, step, lane, external, started_at, finished_at, "
                         "minutes, standard_minutes, late) VALUES ('sktm-2026-0001', 'kelurahan-entrop', 99, 1, 'x', "
                         "0, now(), now(), 1, 1, 0)")
    # The unit itself cannot rewrite its timings or names outside a command that logs it
    with psycopg.connect(as_user(pg_url, lurah), autocommit=True) as conn:
        for statement in ("UPDATE run_times SET office_minutes = 0", "UPDATE case_subjects SET untuk = 'Orang Lain'",
                          "DELETE FROM step_times"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="change only with an event"):
                conn.execute(statement)
    with psycopg.connect(as_user(pg_url, bappeda), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM case_subjects").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM run_times").fetchone()[0] == 2
        with pytest.raises(psycopg.Error):
            conn.execute("DELETE FROM step_times")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT untuk FROM case_subjects")) == ["Budi Santoso", "Siti Aminah"]
    # BAPPEDA cannot erase; the unit erases its ended case, the log says so with the unit's login
    assert cli(sop, as_user(pg_url, bappeda), "cases", "purge", "--sebelum", "2026-11-26").stdout.startswith(
        "Erased the personal data of 0 cases")
    purged = cli(sop, entrop, "cases", "purge", "--sebelum", "2026-11-26")
    assert purged.exit_code == 0 and "1 case" in purged.stdout, purged.output
    assert rows(lurah) == {"sktm-2026-0001": None, "sktm-2026-0002": "Siti Aminah"}
    events = json.loads(cli(sop, entrop, "log", "--run", "sktm-2026-0001", "--json").stdout)
    assert (events[-1]["kind"], events[-1]["db_user"]) == ("erased", lurah)
