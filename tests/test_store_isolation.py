"""Issue 18, the shared store: a unit attacks it the way a curious or hostile unit would, with
psycopg connected as the unit's own database login (what `psql` does), and through `sop`.

Each test has stores (schemas) and login roles of its own, so tests running at once on one server
never share a role.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.postgres import drop_roles, fresh_schema, login_role, server_url
from tests.test_store_postgres import as_user

pytestmark = pytest.mark.postgres

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"
LAMPUNG = "lampung-tengah/diskominfo/renja"
SECRET = b"%PDF-1.4 nota dinas rahasia Diskominfo\x00"


@pytest.fixture
def users_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.setenv("SOP_USER", "planner")
    monkeypatch.delenv("SOP_DEBUG", raising=False)  # as users run it: no traceback, an exit code


@dataclass
class Kabupaten:
    """A store with two units and BAPPEDA, each with a login of its own, and a run per unit
    (Diskominfo's with an attached file)."""

    url: str
    camat: str
    kominfo: str
    bappeda: str
    theirs: str = ""
    """Diskominfo's run (its id is not `renja-2027`: ids are unique across the store)."""

    def login(self, user: str) -> str:
        return as_user(self.url, user)

    def connect(self, user: str):
        import psycopg

        return psycopg.connect(self.login(user), autocommit=True)


@pytest.fixture
def kabupaten(sop, users_env, tmp_path: Path) -> Iterator[Kabupaten]:
    with fresh_schema(server_url()) as url:
        made = [login_role("camat"), login_role("kominfo"), login_role("bappeda")]
        try:
            k = Kabupaten(url, *made)
            for args in (["--unit", "ngronggot", "--user", k.camat],
                         ["--unit", "diskominfo", "--name", "Diskominfo Lampung Tengah", "--user", k.kominfo],
                         ["--bappeda", "--user", k.bappeda]):
                granted = sop("store", "grant", *args, "--store", url)
                assert granted.exit_code == 0, granted.output
            assert sop("start", NGANJUK, "--store", k.login(k.camat)).exit_code == 0
            letter = tmp_path / "nota.pdf"
            letter.write_bytes(SECRET)
            assert sop("start", LAMPUNG, "--store", k.login(k.kominfo)).exit_code == 0
            k.theirs = _their_run(k)
            noted = sop("note", "nota dinas", "--attach", letter, "--run", k.theirs, "--store", k.login(k.kominfo))
            assert noted.exit_code == 0, noted.output
            yield k
        finally:
            drop_roles(url, made)


def _ids(conn, sql: str) -> set[str]:
    return {row[0] for row in conn.execute(sql).fetchall()}


def _their_run(k: Kabupaten) -> str:
    with k.connect(k.kominfo) as conn:
        return conn.execute("SELECT id FROM runs").fetchone()[0]


# 1. SECURITY DEFINER functions cannot be steered through pg_temp ------------------------------


def test_a_temporary_sop_units_gives_a_unit_nothing_of_another_units_runs(kabupaten: Kabupaten) -> None:
    import psycopg

    k = kabupaten
    theirs = _their_run(k)
    with psycopg.connect(server_url(), autocommit=True) as admin:
        # Suppose the database lets this login create temporary tables (another application needs them).
        database = admin.execute("SELECT current_database()").fetchone()[0]
        admin.execute(f'GRANT TEMPORARY ON DATABASE "{database}" TO "{k.camat}"')
    with k.connect(k.camat) as conn:
        conn.execute("CREATE TEMP TABLE sop_units (role_name TEXT, org_id TEXT, org_name TEXT)")
        conn.execute("INSERT INTO pg_temp.sop_units VALUES (%s, 'diskominfo', 'x'), (%s, 'diskominfo', 'x')",
                     (k.camat, "public"))
        assert _ids(conn, "SELECT run_id FROM events") == {"renja-2027"}  # its own run only
        assert conn.execute("SELECT count(*) FROM runs WHERE org_id = 'diskominfo'").fetchone()[0] == 0
        assert conn.execute("SELECT sop_may_write('diskominfo'), sop_may_read('diskominfo')").fetchone() == (False, False)
        for forged in ("INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
                       "VALUES (%s, 9, 'note', now(), now(), 'x', 'x')",
                       "INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
                       "VALUES (%s, 9, 'cancelled', now(), now(), 'x', 'x')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(forged, (theirs,))
    with k.connect(k.kominfo) as conn:
        assert conn.execute("SELECT max(seq) FROM events").fetchone()[0] == 2  # its start and its note


def test_every_security_definer_function_searches_its_schema_then_pg_temp(kabupaten: Kabupaten) -> None:
    with kabupaten.connect(kabupaten.camat) as conn:
        functions = conn.execute(
            "SELECT p.proname, p.proconfig FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
            "AND p.prosecdef").fetchall()
    assert {name for name, _config in functions} >= {"sop_may_read", "sop_may_write", "sop_run_id_taken",
                                                       "sop_pin", "sop_keep_file"}
    for name, config in functions:
        paths = [c for c in config or [] if c.startswith("search_path=")]
        assert paths and paths[0].endswith(", pg_temp"), (name, config)


def test_a_units_login_cannot_create_temporary_tables(kabupaten: Kabupaten) -> None:
    import psycopg

    with kabupaten.connect(kabupaten.kominfo) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE TEMP TABLE sop_units (role_name TEXT, org_id TEXT, org_name TEXT)")


# 2. Attachments and pinned texts belong to runs ----------------------------------------------


def test_a_unit_reads_only_the_files_and_definitions_of_its_own_runs(sop, kabupaten: Kabupaten, tmp_path) -> None:
    k = kabupaten
    with k.connect(k.camat) as conn:
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
        bodies = [row[0] for row in conn.execute("SELECT body FROM pinned")]
        assert len(bodies) == 2 and not any("diskominfo" in body for body in bodies)
        assert any("kecamatan-ngronggot" in body for body in bodies)
    for reader in (k.kominfo, k.bappeda):
        with k.connect(reader) as conn:
            assert [bytes(r[0]) for r in conn.execute("SELECT body FROM attachments")] == [SECRET]
    # BAPPEDA reads the file through sop as well; the other unit's `sop attachments` finds no run.
    listed = sop("attachments", "--run", k.theirs, "--copy-to", tmp_path / "out", "--store", k.login(k.bappeda))
    assert listed.exit_code == 0, listed.output
    assert (tmp_path / "out" / "nota.pdf").read_bytes() == SECRET


# 3. A body must hash to its key ---------------------------------------------------------------


def test_a_planted_definition_or_file_is_refused_by_the_database(kabupaten: Kabupaten) -> None:
    import psycopg

    planted = '{"pinned_format": 4, "definition": {"langkah": [{"kegiatan": "TRANSFER DANA KE REKENING 123"}]}}'
    someone_elses = hashlib.sha256(b"the next definition of Diskominfo").hexdigest()
    with kabupaten.connect(kabupaten.camat) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("SELECT sop_pin(%s, 'definition', %s)", (someone_elses, planted))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("SELECT sop_keep_file(%s, %s)", (someone_elses, b"TRANSFER DANA"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO pinned (sha256, kind, body) VALUES (%s, 'definition', %s)", (someone_elses, planted))


def test_sop_verifies_the_pinned_text_it_reads(sop, kabupaten: Kabupaten) -> None:
    import psycopg

    with psycopg.connect(kabupaten.url, autocommit=True) as admin:  # even the owner, past the CHECK
        admin.execute("ALTER TABLE pinned DROP CONSTRAINT pinned_body_hashes_to_its_key")
        admin.execute("UPDATE pinned SET body = replace(body, 'Memerintahkan', 'TRANSFER DANA KE REKENING') "
                      "WHERE kind = 'definition' AND body LIKE '%kecamatan-ngronggot%'")
    shown = sop("status", "--run", "renja-2027", "--store", kabupaten.login(kabupaten.camat))
    assert shown.exit_code == 4, shown.output
    assert "is damaged: run renja-2027: its pinned text" in shown.stderr and "does not hash to its key" in shown.stderr
    assert "TRANSFER" not in shown.output


# 4 and 5. Roles belong to one store, one per unit id ----------------------------------------


def test_a_grant_in_one_store_gives_nothing_in_another_on_the_same_server(sop, kabupaten: Kabupaten) -> None:
    import psycopg

    k = kabupaten
    with fresh_schema(server_url()) as other:
        try:
            assert sop("store", "init", "--store", other).exit_code == 0
            assert sop("store", "grant", "--unit", "ngronggot", "--store", other).exit_code == 0
            assert sop("start", NGANJUK, "--store", other).exit_code == 0
            with psycopg.connect(other) as admin:
                schema = admin.execute("SELECT current_schema()").fetchone()[0]
            with psycopg.connect(as_user(other, k.camat), autocommit=True) as conn:
                for attempt in (f'SELECT count(*) FROM "{schema}".runs', f'SELECT "{schema}".sop_may_read(\'x\')'):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        conn.execute(attempt)
            refused = sop("advance", "--run", "renja-2027", "--store", as_user(other, k.camat))
            assert refused.exit_code == 5, refused.output
            assert refused.stderr.startswith(f"Error: Database user {k.camat} has no rights in the store"), refused.stderr
            status = json.loads(sop("store", "status", "--json", "--store", other).stdout)
            assert [(u["org_id"], u["members"]) for u in status["units"]] == [("kecamatan-ngronggot", [])]
            assert status["bappeda"] == []
        finally:
            drop_roles(other, [])


def test_store_status_lists_who_may_do_what_here_and_grant_names_every_member(sop, kabupaten: Kabupaten) -> None:
    k = kabupaten
    again = sop("store", "grant", "--unit", "ngronggot", "--store", k.url)
    assert again.exit_code == 0, again.output
    assert f"members: {k.camat}." in again.stdout and "nobody" not in again.stdout
    status = json.loads(sop("store", "status", "--json", "--store", k.url).stdout)
    assert [(u["org_id"], u["members"]) for u in status["units"]] == [
        ("diskominfo", [k.kominfo]), ("kecamatan-ngronggot", [k.camat])]
    assert [u["members"] for u in status["bappeda"]] == [[k.bappeda]]
    text = sop("store", "status", "--store", k.url).stdout
    assert "Who may do what in this store:" in text
    assert "reads every unit's runs, writes none" in text and k.bappeda in text


def test_long_unit_ids_get_roles_of_their_own_and_a_clash_is_refused(sop, kabupaten: Kabupaten) -> None:
    import psycopg

    from sop_cli.store.postgres import role_name

    k = kabupaten
    tengah = "dinas-komunikasi-informatika-statistik-dan-persandian-kabupaten-lampung-tengah"
    timur = "dinas-komunikasi-informatika-statistik-dan-persandian-kabupaten-lampung-timur"
    a, b = login_role("tengah"), login_role("timur")
    try:
        for org, user in ((tengah, a), (timur, b)):
            granted = sop("store", "grant", "--unit", org, "--name", org.title(), "--user", user, "--store", k.url)
            assert granted.exit_code == 0, granted.output
        with psycopg.connect(k.login(a), autocommit=True) as conn:
            assert conn.execute("SELECT sop_may_write(%s), sop_may_write(%s)", (tengah, timur)).fetchone() == (True, False)
        status = json.loads(sop("store", "status", "--json", "--store", k.url).stdout)
        roles = {u["org_id"]: u["role"] for u in status["units"]}
        assert roles[tengah] != roles[timur] and all(len(r.encode()) <= 63 for r in roles.values())
        # A role of that name made by someone else (here, by hand) is not taken over.
        with psycopg.connect(k.url, autocommit=True) as admin:
            tag = admin.execute("SELECT tag FROM sop_store").fetchone()[0]
            squatter = role_name(tag, "kecamatan-lain")
            admin.execute(f'CREATE ROLE "{squatter}" NOLOGIN')
        try:
            clash = sop("store", "grant", "--unit", "kecamatan-lain", "--name", "Lain", "--store", k.url)
            assert clash.exit_code == 3, clash.output
            assert f"The database role {squatter} exists already" in clash.stderr
        finally:
            drop_roles(server_url(), [squatter])
    finally:
        drop_roles(server_url(), [a, b])


# 6. psql can do no more than sop --------------------------------------------------------------


def test_a_unit_cannot_rewrite_its_summary_plant_another_units_sop_or_list_run_ids(kabupaten: Kabupaten) -> None:
    import psycopg

    with kabupaten.connect(kabupaten.camat) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE runs SET status = 'finished', steps_done = 14 WHERE id = 'renja-2027'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            # Even together with an event of its own: a cancelled status needs a cancelled event.
            conn.execute("INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
                         "VALUES ('renja-2027', 2, 'note', now(), now(), 'x', 'x')")
            conn.execute("UPDATE runs SET status = 'cancelled', last_seq = 2 WHERE id = 'renja-2027'")
        definition, calendar = conn.execute(
            "SELECT definition_sha256, calendar_sha256 FROM runs WHERE id = 'renja-2027'").fetchone()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO runs (id, sop_id, org_id, year, title, zone, definition_sha256, calendar_sha256, "
                "created_at) VALUES ('renja-2027-palsu', %s, 'kecamatan-ngronggot', 2027, 'Renja Diskominfo', 'WIB', "
                "%s, %s, now())", (LAMPUNG, definition, calendar))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a run starts active: its log ends it
            conn.execute(
                "INSERT INTO runs (id, sop_id, org_id, year, title, zone, definition_sha256, calendar_sha256, "
                "created_at, status) VALUES ('renja-2027-selesai', %s, 'kecamatan-ngronggot', 2027, 'Renja', 'WIB', "
                "%s, %s, now(), 'finished')", (NGANJUK, definition, calendar))
        with pytest.raises(psycopg.errors.UndefinedFunction):
            conn.execute("SELECT sop_taken_run_ids('%')")
        assert conn.execute("SELECT sop_run_id_taken('renja-2027'), sop_run_id_taken('renja-%')").fetchone() == (
            True, False)


def test_recorded_at_is_the_servers_clock_whatever_a_unit_writes(sop, kabupaten: Kabupaten) -> None:
    with kabupaten.connect(kabupaten.camat) as conn:
        with conn.transaction():
            conn.execute("INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
                         "VALUES ('renja-2027', 2, 'note', now(), '2001-01-01', 'x', 'x')")
            conn.execute("UPDATE runs SET last_seq = 2 WHERE id = 'renja-2027'")
        recorded, late = conn.execute("SELECT recorded_at, now() - recorded_at FROM events WHERE seq = 2").fetchone()
    assert recorded.year > 2001 and late.total_seconds() < 60
    log = json.loads(sop("log", "--run", "renja-2027", "--json", "--store", kabupaten.login(kabupaten.bappeda)).stdout)
    assert not log[-1]["recorded_at"].startswith("2001")


# 7. A held lock is waited on for a bounded time, and named -----------------------------------


def test_a_held_lock_ends_in_a_clear_exit_4_naming_what_and_who(sop, kabupaten: Kabupaten,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    k = kabupaten
    sekcam = login_role("sekcam")
    try:
        assert sop("store", "grant", "--unit", "ngronggot", "--user", sekcam, "--store", k.url).exit_code == 0
        monkeypatch.setenv("SOP_LOCK_TIMEOUT", "0.3")
        with k.connect(k.camat) as holder, holder.transaction():
            holder.execute("SELECT 1 FROM runs WHERE id = 'renja-2027' FOR UPDATE")
            began = time.monotonic()
            ran = sop("advance", "--run", "renja-2027", "--store", k.login(sekcam))
            assert time.monotonic() - began < 10
            assert ran.exit_code == 4, ran.output
            assert f"waited 0.3 s for run renja-2027, which database user {k.camat} holds" in ran.stderr
            assert "Nothing was changed; try again." in ran.stderr
        with k.connect(k.camat) as holder, holder.transaction():
            holder.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext('renja-2028'))")
            ran = sop("start", NGANJUK, "--year", "2028", "--store", k.login(sekcam))
            assert ran.exit_code == 4, ran.output
            assert (f"waited 0.3 s for the choice of a new run id (renja-2028), which database user {k.camat} holds"
                    in ran.stderr)
        assert sop("start", NGANJUK, "--year", "2028", "--store", k.login(sekcam)).exit_code == 0
    finally:
        drop_roles(server_url(), [sekcam])


# 8. No password is ever printed ---------------------------------------------------------------


@pytest.mark.parametrize("form", ["user", "query"])
def test_a_password_in_the_store_url_is_never_printed(sop, kabupaten: Kabupaten, tmp_path: Path, form: str) -> None:
    k = kabupaten
    secret = "Rahasia-PW-9"
    url = (k.url.replace("postgres@", f"postgres:{secret}@", 1) if form == "user"
           else k.url + f"&password={secret}")
    results = [
        sop("attachments", "--run", k.theirs, "--store", url),
        sop("attachments", "--run", k.theirs, "--copy-to", tmp_path / "out", "--store", url),
        sop("store", "status", "--store", url),
        sop("store", "status", "--json", "--store", url),
        sop("store", "copy", url, tmp_path / "copy.db"),
        sop("store", "copy", url, tmp_path / "copy.db"),
        sop("status", "--run", "nothing-here", "--store", url),
        sop("store", "status", "--store", url.replace(":5432", ":1")),
        sop("start", LAMPUNG, "--store", url.replace("postgres@", f"{k.camat}@").replace("postgres:", f"{k.camat}:")),
    ]
    assert results[0].exit_code == 0 and "nota.pdf" in results[0].stdout, results[0].output
    assert results[1].exit_code == 0 and (tmp_path / "out" / "nota.pdf").read_bytes() == SECRET
    assert results[4].exit_code == 0, results[4].output
    assert [r.exit_code for r in results[6:]] == [1, 4, 5], [r.output for r in results[6:]]
    for result in results:
        assert secret not in result.output, result.output
    assert "***" in results[2].stdout


# 9. A missing driver is named -----------------------------------------------------------------


def test_a_postgresql_store_without_psycopg_names_the_extra(sop, users_env, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in [name for name in sys.modules if name == "psycopg" or name.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails as if not installed
    monkeypatch.setenv("SOP_STORE", "postgresql://camat:pw@db.kab.go.id/kabupaten")
    for command in (["status"], ["runs"], ["store", "status"]):
        ran = sop(*command)
        assert ran.exit_code == 4, ran.output
        assert ran.stderr.startswith("Error: The store postgresql://camat:***@db.kab.go.id/kabupaten is a PostgreSQL "
                                     "database"), ran.stderr
        assert "pip install 'sop-cli[postgres]'" in ran.stderr and "Traceback" not in ran.stderr


# A store made by the schema of version 2 (sop before issue 18) migrates ------------------------


def _version_2_store(url: str, old_role: str, member: str, tmp_path: Path, sop) -> None:
    """The tables, functions and policies of schema version 2, a unit granted as that sop granted
    (a server-wide role), and one run of that unit with an attached file, written row by row."""
    import psycopg
    from psycopg import sql

    from sop_cli.store.postgres import MIGRATIONS, _event_columns
    from sop_cli.store.sqlite import SqliteStore

    alone = tmp_path / "alone.db"
    letter = tmp_path / "undangan.pdf"
    letter.write_bytes(b"%PDF-1.4 undangan rapat")
    assert sop("start", NGANJUK, "--store", alone).exit_code == 0
    assert sop("note", "undangan", "--attach", letter, "--store", alone).exit_code == 0
    with SqliteStore.open(alone) as st, st.read():
        run = st.export_run("renja-2027")
    assert run is not None
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        MIGRATIONS[0](cur)
        MIGRATIONS[1](cur)
        cur.execute("CREATE TABLE _sop_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        cur.execute("INSERT INTO _sop_migrations (version, name) VALUES (1, 'm1'), (2, 'm2')")
        role = sql.Identifier(old_role)
        cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
            sql.Identifier(cur.execute("SELECT current_schema()").fetchone()[0]), role))
        cur.execute(sql.SQL("GRANT SELECT ON runs, events, pinned, attachments, _sop_migrations, sop_units TO {}")
                    .format(role))
        cur.execute(sql.SQL("GRANT INSERT ON runs, events, pinned, attachments TO {}").format(role))
        cur.execute(sql.SQL("GRANT UPDATE (status, last_seq, updated_at) ON runs TO {}").format(role))
        cur.execute(sql.SQL("GRANT {} TO {}").format(role, sql.Identifier(member)))
        cur.execute("INSERT INTO sop_units VALUES (%s, 'kecamatan-ngronggot', 'Kecamatan Ngronggot')", (old_role,))
        for text, kind in ((run.definition, "definition"), (run.calendar, "calendar")):
            cur.execute("INSERT INTO pinned VALUES (%s, %s, %s)",
                        (hashlib.sha256(text.encode()).hexdigest(), kind, text))
        r = run.run
        cur.execute("INSERT INTO runs (id, sop_id, org_id, year, title, zone, definition_sha256, calendar_sha256, "
                    "created_at) VALUES (%s, %s, 'kecamatan-ngronggot', %s, %s, %s, %s, %s, %s)",
                    (r.id, r.sop_id, r.year, r.title, r.zone, r.definition_sha256, r.calendar_sha256, r.created_at))
        for event in run.events:
            columns = {"run_id": r.id, **_event_columns(event)}
            cur.execute(f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                        tuple(columns.values()))
        for sha, body in run.attachments.items():
            cur.execute("INSERT INTO attachments VALUES (%s, %s, %s)", (sha, len(body), body))


def test_a_store_of_schema_2_migrates_its_units_onto_roles_of_its_own(sop, users_env, tmp_path: Path) -> None:
    import uuid

    import psycopg

    with fresh_schema(server_url()) as url:
        camat = login_role("camat")
        old_role = f"sop_unit_t{uuid.uuid4().hex[:8]}"
        try:
            _version_2_store(url, old_role, camat, tmp_path, sop)
            migrated = sop("store", "migrate", "--store", url)
            assert migrated.exit_code == 0, migrated.output
            assert "migrated from schema version 2 to" in migrated.stdout
            status = json.loads(sop("store", "status", "--json", "--store", url).stdout)
            [unit] = status["units"]
            assert unit["org_id"] == "kecamatan-ngronggot" and unit["members"] == [camat]
            assert unit["role"] != old_role
            mine = as_user(url, camat)
            listed = sop("attachments", "--run", "renja-2027", "--store", mine)
            assert listed.exit_code == 0 and "undangan.pdf" in listed.stdout, listed.output
            assert sop("advance", "--run", "renja-2027", "--store", mine).exit_code == 0
            with psycopg.connect(url) as conn:
                assert conn.execute("SELECT has_table_privilege(%s, 'runs', 'SELECT'), "
                                    "has_schema_privilege(%s, current_schema(), 'USAGE')",
                                    (old_role, old_role)).fetchone() == (False, False)
        finally:
            drop_roles(url, [camat, old_role])


def test_bappeda_and_the_portfolio_read_what_the_log_says_not_a_rewritten_summary(sop, kabupaten: Kabupaten) -> None:
    import psycopg

    k = kabupaten
    with k.connect(k.camat) as conn:
        # A run finishes only with the step event that finishes it: not with a note.
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
                         "VALUES ('renja-2027', 2, 'note', now(), now(), 'x', 'x')")
            conn.execute("UPDATE runs SET status = 'finished', last_seq = 2 WHERE id = 'renja-2027'")
        # The one way left to touch a summary: with an event of its own, in one transaction.
        with conn.transaction():
            conn.execute("INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user) "
                         "VALUES ('renja-2027', 2, 'note', now(), now(), 'x', 'x')")
            conn.execute("UPDATE runs SET steps_done = 14, current_step = 14, last_seq = 2 WHERE id = 'renja-2027'")

    def listed(user: str, *flags: str) -> dict[str, tuple[str, int, int]]:
        ran = sop("runs", *flags, "--json", "--store", k.login(user))
        assert ran.exit_code == 0, ran.output
        return {row["run"]: (row["status"], row["current_step"], row["progress"]["done"])
                for row in json.loads(ran.stdout)}

    assert listed(k.camat)["renja-2027"] == ("active", 14, 14)  # it fools only itself
    for flags in ((), ("--all",)):
        assert listed(k.bappeda, *flags)["renja-2027"] == ("active", 1, 0)
        assert listed(k.bappeda, *flags)[k.theirs] == ("active", 1, 0)
        assert listed(server_url_of(k), *flags)["renja-2027"] == ("active", 1, 0)
    portfolio = sop("report", "--portfolio", "--format", "json", "--store", k.login(k.bappeda))
    assert portfolio.exit_code == 0, portfolio.output
    [unit] = [u for u in json.loads(portfolio.stdout)["units"] if u.get("run") == "renja-2027"]
    assert (unit["status"], unit["progress"]["done"]) == ("active", 0), unit


def test_a_forged_step_event_and_a_finished_summary_hide_nothing_from_bappeda(sop, kabupaten: Kabupaten,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The unit appends a step event of its own making and marks the run finished and not late, in
    one transaction (what the database lets a summary change with): BAPPEDA's default listing, its
    count, `--late` and the portfolio still show the run as its log says."""
    k = kabupaten
    with k.connect(k.camat) as conn, conn.transaction():
        conn.execute("INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user, step, data) "
                     "VALUES ('renja-2027', 2, 'step_completed', now(), now(), 'x', 'x', '1', '{}')")
        conn.execute("UPDATE runs SET status = 'finished', steps_done = 14, current_step = NULL, current_due = NULL, "
                     "last_seq = 2 WHERE id = 'renja-2027'")

    def listed(user: str, *flags: str) -> dict[str, str]:
        ran = sop("runs", *flags, "--json", "--store", k.login(user))
        assert ran.exit_code == 0, ran.output
        return {row["run"]: row["status"] for row in json.loads(ran.stdout)}

    assert "renja-2027" not in listed(k.camat)  # it hides the run from itself only
    for reader in (k.bappeda, server_url_of(k)):
        assert listed(reader)["renja-2027"] == "active"
        assert listed(reader, "--limit", "1", "--org", "ngronggot") == {"renja-2027": "active"}
    monkeypatch.setenv("SOP_LANG", "en")
    counted = sop("runs", "--limit", "1", "--store", k.login(k.bappeda))
    assert counted.exit_code == 0, counted.output
    assert "of 2 runs" in counted.output, counted.output  # the count replays too
    # Two weeks on, step 2 is long past due; the forged summary says nothing is due.
    monkeypatch.setenv("SOP_NOW", "2026-12-31T09:00")
    late = sop("runs", "--late", "--json", "--store", k.login(k.bappeda))
    assert late.exit_code == 0, late.output
    assert "renja-2027" in {row["run"] for row in json.loads(late.stdout)}
    portfolio = sop("report", "--portfolio", "--format", "json", "--store", k.login(k.bappeda))
    assert portfolio.exit_code == 0, portfolio.output
    [unit] = [u for u in json.loads(portfolio.stdout)["units"] if u.get("run") == "renja-2027"]
    assert unit["status"] == "active", unit


def test_granting_to_a_database_user_that_does_not_exist_is_not_found(sop, kabupaten: Kabupaten,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    k = kabupaten
    monkeypatch.setenv("SOP_LANG", "en")
    ran = sop("store", "grant", "--unit", "ngronggot", "--user", k.camat, "--user", "nobody_here", "--store", k.url)
    assert ran.exit_code == 1, ran.output
    assert "no database user 'nobody_here'" in ran.output and "nothing was granted" in ran.output
    assert "Traceback" not in ran.output
    with psycopg.connect(k.url) as conn:
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'nobody_here'").fetchone() is None


def server_url_of(k: Kabupaten) -> str:
    """The owner's login (the user of the test server's URL)."""
    from urllib.parse import urlsplit

    return urlsplit(k.url).username or "postgres"


def test_a_unit_copies_in_a_cancelled_history_of_its_own(sop, kabupaten: Kabupaten, tmp_path: Path) -> None:
    k = kabupaten
    alone = tmp_path / "alone.db"
    assert sop("start", NGANJUK, "--year", "2025", "--store", alone).exit_code == 0
    assert sop("advance", "--store", alone).exit_code == 0
    assert sop("cancel", "--run", "renja-2025", "--reason", "uji", "--store", alone).exit_code == 0
    copied = sop("store", "copy", alone, k.login(k.camat))
    assert copied.exit_code == 0, copied.output
    for user in (k.camat, k.bappeda):
        rows = json.loads(sop("runs", "--all", "--json", "--store", k.login(user)).stdout)
        assert [(r["status"], r["progress"]["done"]) for r in rows if r["run"] == "renja-2025"] == [("cancelled", 1)]
