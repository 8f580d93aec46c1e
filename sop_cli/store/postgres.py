"""The PostgreSQL run store: one database shared by the units of a Kabupaten.

Selected by a store location that is a `postgresql://` (or `postgres://`) URL. It implements
`sop_cli.store.interface.Store` with the same guarantees as the SQLite store:

- the event log is append-only, enforced by the database (a trigger refuses UPDATE and DELETE,
  whoever connects);
- a write locks its run's row (`SELECT ... FOR UPDATE`) before it reads the log, so the check
  "is step 3 still current?" and the append are one atomic step, and of eight people completing
  step 3 at once exactly one succeeds; the primary key (run_id, seq) is the last line of defence;
- each command's rows are one transaction: a killed process leaves the last committed state;
- the schema is ordered, recorded migrations (`_sop_migrations`); a database migrated by a newer
  `sop` is refused untouched.

psycopg 3 is imported only here, so a user of the embedded store never pays for it. Tables live
in the connection's `search_path` (the `public` schema unless the URL's `options` say otherwise),
which is how the tests give each test a schema of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import AccessError, ConflictError, NotFoundError, StoreError
from sop_cli.i18n import _
from sop_cli.store.interface import (
    Event,
    KeptFile,
    NewRun,
    RunExport,
    RunFilter,
    RunRow,
    RunStatus,
    RunSummary,
    StoredRun,
    StoreInfo,
    Summarize,
    Unit,
    attachment_refusal,
    damaged,
    filter_sql,
    newer_store,
    org_of,
)
from sop_cli.store.sql import SqlStore, event_columns, event_from_columns

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow


ROLE_NAME_BYTES = 63
"""PostgreSQL cuts identifiers at 63 bytes; role names are made to fit, whole."""


def _slug(text: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in text.lower()).strip("_")


def role_name(store_tag: str, org_id: str | None) -> str:
    """The group role of the unit `org_id` in the store `store_tag` (BAPPEDA's with `org_id` None).

    Frozen: the migrations name roles with it, so a changed rule is a new function. A role
    belongs to one store: its name carries the store's tag (database, and schema unless
    `public`), and ends in a hash of the store and the unit id, so two unit ids never share a
    role, however long (PostgreSQL cuts names at 63 bytes) or however alike once lower-cased.
    """
    kind = "bappeda" if org_id is None else _slug(org_id) or "unit"
    digest = hashlib.sha256(f"{store_tag}\0{'' if org_id is None else 'unit:' + org_id}".encode()).hexdigest()[:8]
    head = f"sop_{_slug(store_tag)[:20].rstrip('_')}_{kind}"
    return f"{head[:ROLE_NAME_BYTES - 9].rstrip('_')}_{digest}"


def store_tag(database: str, schema: str) -> str:
    """What names a store on its server: the database, and the schema unless it is `public`."""
    return database if schema == "public" else f"{database}.{schema}"


# Frozen migrations: never edit a released one, append a new one -------------------------------


def _m001_create_runs_and_events(cur: psycopg.Cursor[TupleRow]) -> None:
    """Runs, their append-only event logs, and the pinned documents runs refer to."""
    cur.execute(
        """
        CREATE TABLE pinned (
            sha256 TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            body TEXT NOT NULL
        );
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            sop_id TEXT NOT NULL,
            org_id TEXT NOT NULL,
            year INTEGER NOT NULL,
            title TEXT NOT NULL,
            zone TEXT NOT NULL,
            definition_sha256 TEXT NOT NULL REFERENCES pinned(sha256),
            calendar_sha256 TEXT NOT NULL REFERENCES pinned(sha256),
            source_path TEXT,
            source_sha256 TEXT,
            created_at TIMESTAMPTZ NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            current_step BIGINT,
            current_kegiatan TEXT,
            current_since TIMESTAMPTZ,
            current_due TIMESTAMPTZ,
            steps_done INTEGER NOT NULL DEFAULT 0,
            steps_total INTEGER NOT NULL DEFAULT 0,
            rework_loops INTEGER NOT NULL DEFAULT 0,
            last_seq INTEGER NOT NULL DEFAULT 0,
            updated_at TIMESTAMPTZ
        );
        CREATE INDEX runs_by_status ON runs (status, created_at);
        CREATE INDEX runs_by_updated ON runs (updated_at, created_at);
        CREATE INDEX runs_by_org ON runs (org_id, created_at);
        CREATE TABLE events (
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at TIMESTAMPTZ NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL,
            actor TEXT NOT NULL,
            os_user TEXT NOT NULL,
            db_user TEXT NOT NULL DEFAULT session_user,
            step BIGINT,
            data TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (run_id, seq)
        );
        CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            body BYTEA NOT NULL
        );
        CREATE FUNCTION sop_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the event log is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION sop_events_append_only();
        """
    )


def _m002_units_and_row_security(cur: psycopg.Cursor[TupleRow]) -> None:
    """Who may do what, enforced by the database itself (row-level security).

    `sop_units` maps a database role to the organisation whose runs its members write; members of
    `sop_bappeda` read every run. The table owner (who ran `sop store init`) is the administrator
    and is not bound by the policies; every other role sees and writes only what they allow,
    whether it connects through `sop` or through `psql`.
    """
    cur.execute(
        """
        CREATE TABLE sop_units (
            role_name TEXT PRIMARY KEY,
            org_id TEXT NOT NULL,
            org_name TEXT NOT NULL
        );
        CREATE FUNCTION sop_may_write(org TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path FROM CURRENT AS $$
            SELECT EXISTS (SELECT 1 FROM sop_units u
                           WHERE u.org_id = org AND pg_has_role(session_user, u.role_name, 'MEMBER'))
        $$;
        CREATE FUNCTION sop_may_read(org TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path FROM CURRENT AS $$
            SELECT sop_may_write(org)
                OR (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sop_bappeda')
                    AND pg_has_role(session_user, 'sop_bappeda', 'MEMBER'))
        $$;
        ALTER TABLE runs ENABLE ROW LEVEL SECURITY;
        ALTER TABLE events ENABLE ROW LEVEL SECURITY;
        CREATE POLICY runs_read ON runs FOR SELECT USING (sop_may_read(org_id));
        CREATE POLICY runs_insert ON runs FOR INSERT WITH CHECK (sop_may_write(org_id));
        CREATE POLICY runs_update ON runs FOR UPDATE USING (sop_may_write(org_id)) WITH CHECK (sop_may_write(org_id));
        CREATE POLICY events_read ON events FOR SELECT
            USING (sop_may_read((SELECT r.org_id FROM runs r WHERE r.id = run_id)));
        CREATE POLICY events_insert ON events FOR INSERT
            WITH CHECK (sop_may_write((SELECT r.org_id FROM runs r WHERE r.id = run_id)) AND db_user = session_user);
        -- Run ids are unique across the store, and a unit cannot see other units' runs: this
        -- tells it which ids are taken, and nothing else about them.
        CREATE FUNCTION sop_taken_run_ids(base TEXT) RETURNS SETOF TEXT LANGUAGE sql STABLE
            SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT id FROM runs WHERE id = base OR id LIKE base || '-%'
        $$;
        """
    )


def run_rows_policies(table: str) -> str:
    """The SQL that puts a table whose rows belong to a run (its `run_id` column) under row
    security: a unit reads and adds the rows of its own runs, BAPPEDA reads every row, nobody
    changes or deletes one (no policy allows it). Frozen: migrations call it; a table added by a
    later migration gets its policies from it (and its grants from a new `_rights_vN`)."""
    owner = "(SELECT r.org_id FROM runs r WHERE r.id = run_id)"
    return (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (sop_may_read({owner}));\n"
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK (sop_may_write({owner}));\n"
    )


def _m003_one_store_its_own_rights(cur: psycopg.Cursor[TupleRow]) -> None:
    """Issue 18: rights that belong to this store and cannot be stretched through psql.

    - The SECURITY DEFINER functions name every object by its schema and search only it, with
      `pg_temp` last: a unit's temporary `sop_units` no longer decides what it may read.
      TEMPORARY on the database and CREATE on the schema are taken from PUBLIC.
    - Roles are the store's own (`role_name`: the store's tag and a hash of the unit id), listed
      in `sop_units` (BAPPEDA's with no organisation); a store migrated from version 2 moves each
      unit's members onto its own role, and the old server-wide roles lose their rights here.
    - Attachments are linked to the runs that recorded them (`run_attachments`); a unit reads the
      files and pinned definitions and calendars of its own runs only, BAPPEDA those of every run.
    - A pinned or attached body must hash to its key; a run's organisation is the one its SOP id
      names; `recorded_at` is the server's clock for everyone but the owner (who copies history
      in); a run starts active, and its summary changes only with an event appended to it in the
      same transaction (finished: with a step event; cancelled: with a cancelled event).
    - Whether a run id is taken is all a unit learns of other units' runs (`sop_run_id_taken`).
    """
    from psycopg import sql

    cur.execute("SELECT current_database(), current_schema()")
    found = cur.fetchone()
    assert found is not None
    database, schema = str(found[0]), str(found[1])
    tag = store_tag(database, schema)
    s = sql.Identifier(schema)
    cur.execute("CREATE TABLE sop_store (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), tag TEXT NOT NULL)")
    cur.execute("INSERT INTO sop_store (tag) VALUES (%s)", (tag,))
    cur.execute("ALTER TABLE sop_units ALTER COLUMN org_id DROP NOT NULL")
    cur.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(s))
    # Only when PUBLIC still has it: stores made at once in one database would otherwise all
    # rewrite its row ("tuple concurrently updated").
    cur.execute("SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) a "
                "WHERE d.datname = current_database() AND a.grantee = 0 AND a.privilege_type = 'TEMPORARY')")
    public_temp = cur.fetchone()
    if public_temp and public_temp[0]:
        cur.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))

    cur.execute(sql.SQL("""
        CREATE OR REPLACE FUNCTION sop_may_write(org TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = {s}, pg_temp AS $$
            SELECT EXISTS (SELECT 1 FROM {s}.sop_units u JOIN pg_catalog.pg_roles r ON r.rolname = u.role_name
                           WHERE u.org_id = org AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'))
        $$;
        CREATE OR REPLACE FUNCTION sop_may_read(org TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = {s}, pg_temp AS $$
            SELECT {s}.sop_may_write(org)
                OR EXISTS (SELECT 1 FROM {s}.sop_units u JOIN pg_catalog.pg_roles r ON r.rolname = u.role_name
                           WHERE u.org_id IS NULL AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'))
        $$;
        DROP FUNCTION sop_taken_run_ids(TEXT);
        CREATE FUNCTION sop_run_id_taken(run TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = {s}, pg_temp AS $$
            SELECT EXISTS (SELECT 1 FROM {s}.runs WHERE id = run)
        $$;
        ALTER FUNCTION sop_events_append_only() SET search_path = {s}, pg_temp;
        REVOKE ALL ON FUNCTION sop_may_write(TEXT), sop_may_read(TEXT), sop_run_id_taken(TEXT) FROM PUBLIC;

        ALTER TABLE pinned ADD CONSTRAINT pinned_body_hashes_to_its_key
            CHECK (sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex')) NOT VALID;
        ALTER TABLE attachments ADD CONSTRAINT attachments_body_hashes_to_its_key
            CHECK (sha256 = encode(sha256(body), 'hex') AND size = octet_length(body)) NOT VALID;
        ALTER TABLE runs ADD CONSTRAINT runs_org_is_the_sops
            CHECK (org_id = CASE WHEN sop_id LIKE '%/%/%' THEN split_part(sop_id, '/', 2) ELSE sop_id END) NOT VALID;
        CREATE INDEX runs_by_definition ON runs (definition_sha256);
        CREATE INDEX runs_by_calendar ON runs (calendar_sha256);

        CREATE TABLE run_attachments (
            run_id TEXT NOT NULL REFERENCES runs(id),
            sha256 TEXT NOT NULL REFERENCES attachments(sha256),
            PRIMARY KEY (run_id, sha256)
        );
        CREATE INDEX run_attachments_by_file ON run_attachments (sha256);
        INSERT INTO run_attachments (run_id, sha256)
            SELECT DISTINCT e.run_id, m[1] FROM events e,
                   regexp_matches(e.data, '"sha256": "([0-9a-f]{{64}})"', 'g') AS m
            WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = m[1]);
        ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
        CREATE POLICY attachments_read ON attachments FOR SELECT
            USING (EXISTS (SELECT 1 FROM run_attachments ra WHERE ra.sha256 = attachments.sha256));
        ALTER TABLE pinned ENABLE ROW LEVEL SECURITY;
        CREATE POLICY pinned_read ON pinned FOR SELECT
            USING (EXISTS (SELECT 1 FROM runs r WHERE r.definition_sha256 = pinned.sha256)
                   OR EXISTS (SELECT 1 FROM runs r WHERE r.calendar_sha256 = pinned.sha256));
        -- A unit cannot see whether a text or file is already kept (the rows of other units' runs
        -- are hidden), so it keeps one through these: the first copy stays, and the CHECKs above
        -- make every copy the same bytes.
        CREATE FUNCTION sop_pin(key TEXT, what TEXT, text_body TEXT) RETURNS VOID LANGUAGE sql SECURITY DEFINER
            SET search_path = {s}, pg_temp AS $$
            INSERT INTO {s}.pinned (sha256, kind, body) VALUES (key, what, text_body) ON CONFLICT (sha256) DO NOTHING
        $$;
        CREATE FUNCTION sop_keep_file(key TEXT, file_body BYTEA) RETURNS VOID LANGUAGE sql SECURITY DEFINER
            SET search_path = {s}, pg_temp AS $$
            INSERT INTO {s}.attachments (sha256, size, body) VALUES (key, pg_catalog.octet_length(file_body), file_body)
                ON CONFLICT (sha256) DO NOTHING
        $$;
        REVOKE ALL ON FUNCTION sop_pin(TEXT, TEXT, TEXT), sop_keep_file(TEXT, BYTEA) FROM PUBLIC;

        CREATE FUNCTION sop_by_the_owner(tab OID) RETURNS BOOLEAN LANGUAGE sql STABLE
            SET search_path = pg_catalog, pg_temp AS $$
            SELECT pg_catalog.pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_catalog.pg_class c WHERE c.oid = tab
        $$;
        CREATE FUNCTION sop_events_recorded_now() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {s}, pg_temp AS $$
        BEGIN
            IF NOT {s}.sop_by_the_owner(TG_RELID) THEN
                NEW.recorded_at := pg_catalog.date_trunc('second', pg_catalog.now());
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER events_recorded_now BEFORE INSERT ON events
            FOR EACH ROW EXECUTE FUNCTION sop_events_recorded_now();
        CREATE FUNCTION sop_runs_summary_follows_log() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {s}, pg_temp AS $$
        BEGIN
            IF {s}.sop_by_the_owner(TG_RELID) THEN
                RETURN NEW;
            END IF;
            IF NEW.last_seq IS DISTINCT FROM (SELECT pg_catalog.max(e.seq) FROM {s}.events e WHERE e.run_id = NEW.id)
               OR NOT EXISTS (SELECT 1 FROM {s}.events e WHERE e.run_id = NEW.id AND e.seq = NEW.last_seq
                              AND e.xmin = pg_catalog.xid(pg_catalog.pg_current_xact_id()))
               OR (NEW.status = 'cancelled') <> EXISTS (SELECT 1 FROM {s}.events e
                                                        WHERE e.run_id = NEW.id AND e.kind = 'cancelled')
               OR (NEW.status = 'finished' AND OLD.status IS DISTINCT FROM 'finished' AND NOT EXISTS (
                       SELECT 1 FROM {s}.events e WHERE e.run_id = NEW.id
                       AND e.xmin = pg_catalog.xid(pg_catalog.pg_current_xact_id())
                       AND e.kind IN ('step_completed', 'approved', 'rejected'))) THEN
                RAISE EXCEPTION 'a run''s summary changes only with the event it follows (run %)', NEW.id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER runs_summary_follows_log BEFORE UPDATE ON runs
            FOR EACH ROW EXECUTE FUNCTION sop_runs_summary_follows_log();
        CREATE FUNCTION sop_runs_start_active() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {s}, pg_temp AS $$
        BEGIN
            IF NEW.status IS DISTINCT FROM 'active' AND NOT {s}.sop_by_the_owner(TG_RELID) THEN
                RAISE EXCEPTION 'a run starts active; its log ends it (run %)', NEW.id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER runs_start_active BEFORE INSERT ON runs
            FOR EACH ROW EXECUTE FUNCTION sop_runs_start_active();
    """).format(s=s))
    cur.execute(run_rows_policies("run_attachments"))

    # The roles of a store migrated from version 2 were the server's (`sop_unit_<org>`,
    # `sop_bappeda`): each unit gets a role of this store with the same members.
    cur.execute("SELECT to_regclass('runs')")
    runs_table = cur.fetchone()
    olds: list[tuple[str, str | None, str]] = []
    cur.execute("SELECT role_name, org_id, org_name FROM sop_units")
    olds.extend(cur.fetchall())
    cur.execute("SELECT rolname FROM pg_roles WHERE rolname = 'sop_bappeda' AND has_table_privilege(oid, %s, 'SELECT')",
                (runs_table[0] if runs_table else "runs",))
    olds.extend((str(r[0]), None, "BAPPEDA") for r in cur.fetchall())
    cur.execute("DELETE FROM sop_units")
    for old, org_id, org_name in olds:
        new = role_name(tag, org_id)
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (new,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(new)))
        cur.execute("SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
                    "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = %s", (old,))
        for (member,) in cur.fetchall():
            cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(new), sql.Identifier(member)))
        cur.execute("INSERT INTO sop_units (role_name, org_id, org_name) VALUES (%s, %s, %s)", (new, org_id, org_name))
        cur.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, sql.Identifier(old)))
        cur.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(s, sql.Identifier(old)))
        _rights_v3(cur, schema, new, writes=org_id is not None)


_SUMMARY_V3 = ("status", "current_step", "current_kegiatan", "current_since", "current_due", "steps_done",
               "steps_total", "rework_loops", "last_seq", "updated_at")


def _rights_v3(cur: psycopg.Cursor[TupleRow], schema: str, role: str, *, writes: bool) -> None:
    """What a unit's role (`writes`) or BAPPEDA's may do in the store of schema 3; the rows are
    the policies' to choose. Frozen (migration 3 calls it)."""
    from psycopg import sql

    ident = sql.Identifier(role)
    cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), ident))
    cur.execute(sql.SQL("GRANT SELECT ON runs, events, pinned, attachments, run_attachments, _sop_migrations, "
                        "sop_units, sop_store TO {}").format(ident))
    cur.execute(sql.SQL("GRANT EXECUTE ON FUNCTION sop_may_write(TEXT), sop_may_read(TEXT), sop_run_id_taken(TEXT) "
                        "TO {}").format(ident))
    if writes:
        cur.execute(sql.SQL("GRANT INSERT ON runs, events, run_attachments TO {}").format(ident))
        cur.execute(sql.SQL("GRANT EXECUTE ON FUNCTION sop_pin(TEXT, TEXT, TEXT), sop_keep_file(TEXT, BYTEA) "
                            "TO {}").format(ident))
        cur.execute(sql.SQL("GRANT UPDATE ({}) ON runs TO {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in _SUMMARY_V3), ident))


def _m004_cases_and_times(cur: psycopg.Cursor[Any]) -> None:
    """Issue 20: cases of service SOPs, whom they are for, and the times period reports aggregate.

    `cases` (a case's number in its SOP and year, unique), `case_subjects` (whom it is for:
    personal data, read only by the unit, never by BAPPEDA), `run_times` and `step_times` (the
    rows every write keeps; filled for existing runs right after migrating, by today's replay).
    Each row carries its run's organisation and has the row security of `runs`; a unit changes
    these rows only in the transaction that appends an event to their run
    (`sop_rows_follow_log`), so timings and names cannot be rewritten through psql.
    """
    from psycopg import sql

    cur.execute("SELECT current_schema()")
    found = cur.fetchone()
    assert found is not None
    schema = str(found[0])
    cur.execute(sql.SQL("""
        CREATE TABLE cases (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            org_id TEXT NOT NULL,
            sop_id TEXT NOT NULL,
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,
            received_at TIMESTAMPTZ NOT NULL,
            UNIQUE (sop_id, year, number)
        );
        CREATE TABLE case_subjects (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            org_id TEXT NOT NULL,
            untuk TEXT,
            untuk_key TEXT,
            erased_at TIMESTAMPTZ
        );
        CREATE INDEX case_subjects_by_key ON case_subjects (untuk_key);
        CREATE TABLE run_times (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            org_id TEXT NOT NULL,
            sop_id TEXT NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            ended_at TIMESTAMPTZ,
            outcome TEXT,
            office_minutes INTEGER NOT NULL,
            external_minutes INTEGER NOT NULL,
            promised_minutes INTEGER NOT NULL,
            within INTEGER,
            holder TEXT,
            last_seq INTEGER NOT NULL
        );
        CREATE INDEX run_times_by_start ON run_times (sop_id, started_at);
        CREATE INDEX run_times_by_end ON run_times (sop_id, ended_at);
        CREATE TABLE step_times (
            run_id TEXT NOT NULL REFERENCES runs(id),
            org_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            sop_id TEXT NOT NULL,
            step BIGINT NOT NULL,
            lane TEXT NOT NULL,
            external INTEGER NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ NOT NULL,
            minutes INTEGER NOT NULL,
            standard_minutes INTEGER NOT NULL,
            late INTEGER NOT NULL,
            PRIMARY KEY (run_id, seq)
        );
        CREATE INDEX step_times_by_sop ON step_times (sop_id, step, minutes, late);
        CREATE INDEX runs_by_year ON runs (year, created_at);
        ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
        ALTER TABLE case_subjects ENABLE ROW LEVEL SECURITY;
        ALTER TABLE run_times ENABLE ROW LEVEL SECURITY;
        ALTER TABLE step_times ENABLE ROW LEVEL SECURITY;
        CREATE POLICY cases_read ON cases FOR SELECT USING ({s}.sop_may_read(org_id));
        CREATE POLICY cases_insert ON cases FOR INSERT WITH CHECK ({s}.sop_may_write(org_id));
        CREATE POLICY case_subjects_read ON case_subjects FOR SELECT USING ({s}.sop_may_write(org_id));
        CREATE POLICY case_subjects_insert ON case_subjects FOR INSERT WITH CHECK ({s}.sop_may_write(org_id));
        CREATE POLICY case_subjects_update ON case_subjects FOR UPDATE
            USING ({s}.sop_may_write(org_id)) WITH CHECK ({s}.sop_may_write(org_id));
        CREATE POLICY run_times_read ON run_times FOR SELECT USING ({s}.sop_may_read(org_id));
        CREATE POLICY run_times_insert ON run_times FOR INSERT WITH CHECK ({s}.sop_may_write(org_id));
        CREATE POLICY run_times_update ON run_times FOR UPDATE
            USING ({s}.sop_may_write(org_id)) WITH CHECK ({s}.sop_may_write(org_id));
        CREATE POLICY step_times_read ON step_times FOR SELECT USING ({s}.sop_may_read(org_id));
        CREATE POLICY step_times_insert ON step_times FOR INSERT WITH CHECK ({s}.sop_may_write(org_id));
        CREATE POLICY step_times_delete ON step_times FOR DELETE USING ({s}.sop_may_write(org_id));
        CREATE FUNCTION sop_rows_follow_log() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {s}, pg_temp AS $$
        DECLARE
            run TEXT;
            org TEXT;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                run := OLD.run_id;
                org := OLD.org_id;
            ELSE
                run := NEW.run_id;
                org := NEW.org_id;
            END IF;
            IF NOT {s}.sop_by_the_owner(TG_RELID) THEN
                IF org IS DISTINCT FROM (SELECT r.org_id FROM {s}.runs r WHERE r.id = run)
                   OR NOT EXISTS (SELECT 1 FROM {s}.events e WHERE e.run_id = run
                                  AND e.xmin = pg_catalog.xid(pg_catalog.pg_current_xact_id())) THEN
                    RAISE EXCEPTION 'a run''s cases and times change only with an event appended to it (run %)', run
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER cases_follow_log BEFORE INSERT OR UPDATE OR DELETE ON cases
            FOR EACH ROW EXECUTE FUNCTION sop_rows_follow_log();
        CREATE TRIGGER case_subjects_follow_log BEFORE INSERT OR UPDATE OR DELETE ON case_subjects
            FOR EACH ROW EXECUTE FUNCTION sop_rows_follow_log();
        CREATE TRIGGER run_times_follow_log BEFORE INSERT OR UPDATE OR DELETE ON run_times
            FOR EACH ROW EXECUTE FUNCTION sop_rows_follow_log();
        CREATE TRIGGER step_times_follow_log BEFORE INSERT OR UPDATE OR DELETE ON step_times
            FOR EACH ROW EXECUTE FUNCTION sop_rows_follow_log();
    """).format(s=sql.Identifier(schema)))
    cur.execute("SELECT role_name, org_id IS NOT NULL FROM sop_units JOIN pg_roles ON rolname = role_name")
    for role, writes in cur.fetchall():
        _rights_v4_tables(cur, str(role), writes=bool(writes))


def _rights_v4_tables(cur: psycopg.Cursor[Any], role: str, *, writes: bool) -> None:
    """The rights of schema 4 on its own tables (frozen: migration 4 and `_rights_v4` call it)."""
    from psycopg import sql

    ident = sql.Identifier(role)
    cur.execute(sql.SQL("GRANT SELECT ON cases, case_subjects, run_times, step_times TO {}").format(ident))
    if writes:
        cur.execute(sql.SQL("GRANT INSERT ON cases, case_subjects, run_times, step_times TO {}").format(ident))
        cur.execute(sql.SQL("GRANT UPDATE ON case_subjects, run_times TO {}").format(ident))
        cur.execute(sql.SQL("GRANT DELETE ON step_times TO {}").format(ident))


def _rights_v4(cur: psycopg.Cursor[Any], schema: str, role: str, *, writes: bool) -> None:
    """What a unit's role (`writes`) or BAPPEDA's may do in the store of schema 4."""
    _rights_v3(cur, schema, role, writes=writes)
    _rights_v4_tables(cur, role, writes=writes)


_rights = _rights_v4
"""The rights `grant` gives a role today (the newest frozen `_rights_vN`)."""

MIGRATIONS: list[Callable[[psycopg.Cursor[TupleRow]], None]] = [
    _m001_create_runs_and_events, _m002_units_and_row_security, _m003_one_store_its_own_rights,
    _m004_cases_and_times,
]

SCHEMA_VERSION = len(MIGRATIONS)


# The store ----------------------------------------------------------------------------------


class PostgresStore(SqlStore):
    """An open PostgreSQL store (implements `sop_cli.store.interface.Store`)."""

    _mark = "%s"
    _keeps_org = True

    def __init__(self, url: str, conn: psycopg.Connection[TupleRow], summarize: Summarize | None = None) -> None:
        self.location = _redacted(url)
        self._conn = conn
        self._summarize = summarize
        self._writing = False
        self.db_user: str = conn.info.user
        """The database user this connection logged in as: who the events it writes name."""
        self._target_run: str | None = None  # the run a write is about, to word a refusal
        self._target_org: str | None = None
        self._waiting_for: tuple[str, str] | None = None  # the lock a statement waits on, to word a timeout
        self._others: bool | None = None  # `_reads_others`, once asked
        self._replayed: dict[tuple[str, int], RunSummary] = {}  # replays of this process, by run and last seq
        self.readonly = False

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, readonly: bool = False,
             summarize: Summarize | None = None) -> PostgresStore:
        """Connect to `url` and bring its schema up to date (with `migrate=False`, only check
        that it is not newer than this sop).

        `summarize` (the run layer's replay) gives the summaries of the runs this user does not
        write as their logs say (`summaries`).

        With `readonly` (reading commands) every transaction of the session is read-only, so a
        reading command cannot change the store whatever it runs; the schema is still brought up
        to date first, as a reading command on an SQLite file does.

        Raises:
            StoreError: The server cannot be reached, refuses the login, or holds a newer schema.
        """
        try:
            import psycopg
        except ImportError:
            raise StoreError(_("The store {store} is a PostgreSQL database, and sop needs the Python package psycopg "
                               "to use one; it is not installed: pip install 'sop-cli[postgres]'.").format(
                store=_redacted(url))) from None

        seconds = lock_timeout_seconds()
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            raise StoreError(_unreachable(url, error)) from None
        store = cls(url, conn, summarize)
        try:
            with store._translated():
                conn.execute(f"SET lock_timeout = {int(seconds * 1000)}")
            if migrate:
                store._migrate(summarize)
            else:
                with store._translated():
                    store._version()
            if readonly:
                with store._translated():
                    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                store.readonly = True
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self, summarize: Summarize | None = None) -> None:
        with self._translated():
            version = self._version()
            if version == SCHEMA_VERSION:
                return  # the common case: one query, no lock, nothing a unit's role may not do
            schema = self._one("SELECT current_schema()")
            if not schema or schema[0] is None:  # no schema this user may use: not granted here
                raise AccessError(_("Database user {user} has no rights in the store {store}; its owner grants "
                                    "them to a unit's or BAPPEDA's users. Nothing was changed.").format(
                    user=self.db_user, store=self.location))
            with self._conn.transaction(), self._conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext('sop migrations'))")
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS _sop_migrations (version INTEGER PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                version = self._version()  # another process may have migrated while we waited
                for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                    migration(cur)
                    cur.execute("INSERT INTO _sop_migrations (version, name) VALUES (%s, %s)",
                                (number, migration.__name__))
                if summarize is not None:
                    self._rebuild_times(summarize)

    def _rebuild_times(self, summarize: Summarize) -> None:
        """Fill `run_times`/`step_times` of the runs whose times are missing or stale, with the
        replay the store was opened with (not a migration, which is frozen code); a damaged run is
        left for reading to name."""
        stale = [str(r[0]) for r in self._all(
            "SELECT id FROM runs WHERE NOT EXISTS (SELECT 1 FROM run_times t WHERE t.run_id = runs.id "
            "AND t.last_seq = runs.last_seq)")]
        for stored, summary in self._replay_each(stale, summarize):
            self._set_times(stored.id, summary)

    def _version(self) -> int:
        """The schema version recorded in the database (0: none); a newer one is refused."""
        row = self._one("SELECT to_regclass('_sop_migrations') IS NOT NULL")
        if not row or not row[0]:
            return 0
        found = self._one("SELECT COALESCE(MAX(version), 0) FROM _sop_migrations")
        version = int(found[0]) if found else 0
        if version > SCHEMA_VERSION:
            raise newer_store(self.location, version, SCHEMA_VERSION)
        return version

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # Transactions -------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[PostgresStore]:
        """A read transaction on one snapshot (REPEATABLE READ, read only)."""
        with self._translated(), self._conn.transaction():
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield self

    @contextmanager
    def write(self) -> Iterator[PostgresStore]:
        """A write transaction: committed on success, rolled back on error; runs read inside it
        are locked until it ends."""
        if self.readonly:
            raise StoreError(_("The store {store} was opened for reading only; nothing was changed.").format(
                store=self.location))
        self._target_run = self._target_org = None  # kept past the rollback, to word a refusal
        with self._translated(), self._conn.transaction():
            self._writing = True
            try:
                yield self
            finally:
                self._writing = False

    def _refusal(self, error: BaseException) -> str:
        """One line naming who was refused what: "Kecamatan Ngronggot tidak berhak mengubah
        pelaksanaan milik Diskominfo Lampung Tengah (...)", from `sop_units` and the run's
        organisation (after the refused transaction has rolled back, so these reads may run)."""
        import psycopg

        run, org = self._target_run, self._target_org
        try:
            names = [r[0] for r in self._all(
                "SELECT u.org_name FROM sop_units u JOIN pg_roles r ON r.rolname = u.role_name "
                "WHERE pg_has_role(session_user, r.oid, 'MEMBER') ORDER BY u.org_id NULLS LAST, u.org_name")]
            if run and org is None:
                found = self._one("SELECT org_id FROM runs WHERE id = %s", (run,))
                org = found[0] if found else None
            owner = None
            if org:
                found = self._one("SELECT org_name FROM sop_units WHERE org_id = %s ORDER BY role_name LIMIT 1", (org,))
                owner = found[0] if found else org
        except psycopg.Error:
            names, owner = [], org
        who = " / ".join(names) or _("Database user {user}").format(user=self.db_user)
        if run and owner:
            return _("{who} may not change the runs of {owner} (run {run}, database user {user}). "
                     "Nothing was recorded.").format(who=who, owner=owner, run=run, user=self.db_user)
        return _("{who} may not do this in the store {store} (database user {user}: {error}). "
                 "Nothing was changed.").format(who=who, store=self.location, user=self.db_user,
                                                error=_first_line(error))

    def _busy(self) -> str:
        """One line saying what a command waited on past the lock timeout, and who holds it when
        the server says (after the rollback, so these reads may run)."""
        import psycopg

        kind, name = self._waiting_for or ("", "")
        self._waiting_for = None
        holder = None
        try:
            if kind == "id":
                holder = self._one(
                    "SELECT a.usename, a.xact_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.pid <> pg_backend_pid() "
                    "AND l.classid::bigint = hashtext(current_schema())::bigint & 4294967295 "
                    "AND l.objid::bigint = hashtext(%s)::bigint & 4294967295 LIMIT 1", (name,))
            elif kind == "run":
                holder = self._one(
                    "SELECT a.usename, a.xact_start FROM runs r JOIN pg_locks l ON l.locktype = 'transactionid' "
                    "AND l.transactionid = r.xmax AND l.granted JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE r.id = %s AND l.pid <> pg_backend_pid() LIMIT 1", (name,))
        except psycopg.Error:
            holder = None
        what = (_("the choice of a new run id ({base})").format(base=name) if kind == "id"
                else _("run {run}").format(run=name) if kind == "run" else _("a lock"))
        seconds = f"{lock_timeout_seconds():g}"
        if holder and holder[0]:
            since = holder[1].astimezone(timezone.utc).strftime("%H:%M:%S UTC") if holder[1] else "?"
            return _("The store {store} is busy: waited {seconds} s for {what}, which database user {user} holds "
                     "(in a transaction open since {since}). Nothing was changed; try again.").format(
                store=self.location, seconds=seconds, what=what, user=holder[0], since=since)
        return _("The store {store} is busy: waited {seconds} s for {what}, which another session holds. Nothing "
                 "was changed; try again.").format(store=self.location, seconds=seconds, what=what)

    # Roles -------------------------------------------------------------------------------

    def grant(self, *, org_id: str | None, org_name: str = "", members: Sequence[str] = ()) -> Unit:
        """Create (when missing) the group role of a unit in this store, or BAPPEDA's with `org_id`
        None, give it its rights, and make each database user in `members` a member. Returns the
        role with every member it has now.

        A unit's role reads and writes the runs of its organisation only; BAPPEDA's reads every
        run and writes none. The role belongs to this store alone (`role_name`), so a grant here
        gives nothing in another database or schema of the same server. Nobody but the owner
        changes a run's identity, and nobody (the owner included) changes or deletes an event.

        Raises:
            ConflictError: The role's name is taken: by another unit of this store, or by a role
                this store did not make.
            NotFoundError: A user in `members` does not exist on the server (exit 1).
        """
        from psycopg import sql

        with self._translated(), self._conn.transaction():
            found = self._one("SELECT tag FROM sop_store")
            tag = str(found[0]) if found else ""
            role = role_name(tag, org_id)
            holder = self._one("SELECT org_id FROM sop_units WHERE role_name = %s", (role,))
            exists = self._one("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)) is not None
            if (holder is not None and holder[0] != org_id) or (holder is None and exists):
                raise ConflictError(_("The database role {role} exists already and is not the role of {org} in the "
                                      "store {store}; nothing was granted.").format(
                    role=role, org=org_id or "BAPPEDA", store=self.location),
                    hint=_("Ask the server's administrator who made it, and drop or rename it."))
            known = {r[0] for r in self._all("SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s)",
                                             (list(members),))}
            unknown = [member for member in members if member not in known]
            if unknown:
                raise NotFoundError(_("The server {store} has no database user {users}; nothing was granted.").format(
                    store=self.location, users=", ".join(repr(u) for u in unknown)),
                    hint=_("Names are exact (case included); the server's administrator creates a user with "
                           "CREATE ROLE name LOGIN, then grant again."))
            if not exists:
                self._conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            schema = self._one("SELECT current_schema()")
            with self._conn.cursor() as cur:
                _rights(cur, str(schema[0]) if schema else "public", role, writes=org_id is not None)
            self._conn.execute(
                "INSERT INTO sop_units (role_name, org_id, org_name) VALUES (%s, %s, %s) "
                "ON CONFLICT (role_name) DO UPDATE SET org_name = EXCLUDED.org_name",
                (role, org_id, org_name or org_id or "BAPPEDA"),
            )
            for member in members:
                self._conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(member)))
            unit = next(u for u in self._roles() if u.role == role)
        return unit

    def _roles(self) -> list[Unit]:
        """Every role of this store (BAPPEDA's with org_id "") with its members, by organisation."""
        rows = self._all(
            "SELECT u.role_name, COALESCE(u.org_id, ''), u.org_name, "
            "ARRAY(SELECT m.rolname::text FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "      JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = u.role_name ORDER BY 1) "
            "FROM sop_units u ORDER BY u.org_id NULLS LAST, u.role_name")
        return [Unit(r[0], r[1], r[2], tuple(r[3])) for r in rows]

    # Runs ----------------------------------------------------------------------------------

    def run_ids(self, *, active_only: bool = False) -> list[str]:
        """Every run id (only active ones with `active_only`), oldest first."""
        if active_only and self._reads_others():  # as the logs say (`summaries`)
            return [row.id for row in self._judged_rows(include_all=False, where=None)]
        return super().run_ids(active_only=active_only)

    def latest_run_id(self) -> str | None:
        """The run updated last."""
        row = self._one("SELECT id FROM runs ORDER BY updated_at DESC NULLS LAST, created_at DESC LIMIT 1")
        return str(row[0]) if row else None

    def new_run_id(self, base: str) -> str:
        """`base` when free, else the first free `base-2`, `base-3`, ...

        Run ids are unique across the store while a unit sees only its own runs: the choice is
        serialised by an advisory lock of this store and `base`, and `sop_run_id_taken` tells
        whether one id is taken, nothing more."""
        self._waiting_for = ("id", base)
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext(%s))", (base,))
        self._waiting_for = None
        candidate, n = base, 1
        while self._one("SELECT sop_run_id_taken(%s)", (candidate,)) == (True,):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def pin(self, kind: str, body: str) -> str:
        """Keep `body` content-addressed; return its SHA-256 (inside `write()`). The database
        refuses a body that does not hash to its key, so the first writer cannot plant one."""
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        self._conn.execute("SELECT sop_pin(%s, %s, %s)", (digest, kind, body))
        return digest

    def create_run(self, run: NewRun, started: Event, summary: RunSummary) -> Event:
        """Add the run's row and its `started` event as seq 1 (inside `write()`)."""
        self._target_run, self._target_org = run.id, org_of(run.sop_id)
        return super().create_run(run, started, summary)

    def next_case_number(self, sop_id: str, year: int) -> int:
        """The next free case number of SOP `sop_id` in `year` (inside `write()`): a transaction
        lock on the SOP and year makes two counters queue; the unique key is the last defence."""
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"case {sop_id} {year}",))
        return super().next_case_number(sop_id, year)

    # What the shared queries (`sql.SqlStore`) run on ----------------------------------------

    def _query(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor[TupleRow]:
        return self._conn.execute(sql, params)

    def _many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql, rows)

    def _moment(self, moment: datetime) -> datetime:
        return moment

    def _read_moment(self, value: datetime) -> datetime:
        return value

    def _write_times(self, upsert: str, values: Sequence[object], insert: str,
                     rows: Sequence[Sequence[object]]) -> None:
        if len(rows) == 1:  # the usual write: both rows in one round trip
            self._conn.execute(f"WITH times AS ({upsert} RETURNING 1) {insert}", (*values, *rows[0]))
        else:
            super()._write_times(upsert, values, insert, rows)

    def _append(self, run_id: str, event: Event) -> Event:
        """Insert `event`; the returned copy has the database user and the `recorded_at` the
        server gave it (its own clock, for everyone but the owner)."""
        record = {"run_id": run_id, **_event_columns(event)}
        row = self._one(f"INSERT INTO events ({', '.join(record)}) VALUES ({self._marks(len(record))}) "
                        "RETURNING recorded_at", tuple(record.values()))
        recorded = row[0].astimezone(timezone.utc) if row else event.recorded_at
        return replace(event, db_user=self.db_user, recorded_at=recorded)

    def load_run(self, run_id: str) -> StoredRun | None:
        """The pinned texts and the log of a run (the run is locked when inside `write()`)."""
        lock = " FOR UPDATE OF runs" if self._writing else ""
        if self._writing:
            self._target_run, self._target_org = run_id, None
            self._waiting_for = ("run", run_id)
        row = self._one(
            "SELECT d.body, c.body, runs.definition_sha256, runs.calendar_sha256, "
            "(SELECT number FROM cases WHERE cases.run_id = runs.id), "
            "(SELECT untuk FROM case_subjects WHERE case_subjects.run_id = runs.id) FROM runs "
            "LEFT JOIN pinned AS d ON d.sha256 = runs.definition_sha256 "
            f"LEFT JOIN pinned AS c ON c.sha256 = runs.calendar_sha256 WHERE runs.id = %s{lock}",
            (run_id,),
        )
        self._waiting_for = None
        if row is None:
            return None
        self._check_pinned(run_id, {row[2]: row[0], row[3]: row[1]}, row[2], row[3])
        rows = self._all(
            "SELECT seq, kind, at, recorded_at, actor, os_user, step, data, db_user FROM events "
            "WHERE run_id = %s ORDER BY seq",
            (run_id,),
        )
        return StoredRun(run_id, row[0], row[1], [_event_from_row(r, self.location, run_id) for r in rows],
                         untuk=row[5], case_number=row[4])

    def load_runs(self, run_ids: Sequence[str]) -> list[StoredRun]:
        """The pinned texts and logs of many runs in three queries, in `run_ids` order (missing
        ones, or ones this user may not read, left out)."""
        ids = list(run_ids)
        heads = {r[0]: r for r in self._all(
            "SELECT id, definition_sha256, calendar_sha256 FROM runs WHERE id = ANY(%s)", (ids,))}
        shas = sorted({sha for r in heads.values() for sha in r[1:]})
        bodies: dict[str, str] = dict(self._all("SELECT sha256, body FROM pinned WHERE sha256 = ANY(%s)", (shas,)))
        events: dict[str, list[Event]] = {}
        for row in self._all("SELECT run_id, seq, kind, at, recorded_at, actor, os_user, step, data, db_user "
                             "FROM events WHERE run_id = ANY(%s) ORDER BY run_id, seq", (ids,)):
            events.setdefault(row[0], []).append(_event_from_row(row[1:], self.location, row[0]))
        found: list[StoredRun] = []
        for run_id in ids:
            head = heads.get(run_id)
            if head is None:
                continue
            self._check_pinned(run_id, bodies, head[1], head[2])
            definition, calendar = bodies[head[1]], bodies[head[2]]
            found.append(StoredRun(run_id, definition, calendar, events.get(run_id, [])))
        return found

    def _check_pinned(self, run_id: str, bodies: Mapping[str, str | None], *keys: str) -> None:
        """Each pinned text of the run is there and hashes to its key: sop verifies what it reads.

        Raises:
            StoreError: A text is missing or is not the one its SHA-256 names (exit 4).
        """
        for key in keys:
            body = bodies.get(key)
            if not body:
                raise damaged(self.location, run_id, _("its pinned SOP definition or calendar is missing"))
            if hashlib.sha256(body.encode("utf-8")).hexdigest() != key:
                raise damaged(self.location, run_id, _("its pinned text {sha}… does not hash to its key").format(
                    sha=key[:12]))

    def summaries(self, *, include_all: bool = False, limit: int | None = None,
                  where: RunFilter | None = None) -> list[RunRow]:
        """Active runs (every run with `include_all`) kept by `where`, oldest first; the newest
        `limit` of them (only the rows this database user may read).

        A summary is written by the unit that runs it, so only that unit takes it as it is (and
        SQL selects its own runs by it): anyone else (BAPPEDA, the owner, a superuser) gets the
        summary of each run replayed from its append-only log, and whether such a run is active
        or late is decided by that replay, never by its stored columns. (A summary a unit rewrote
        through psql, even with a forged event of the same transaction, fools only that unit.)
        The one stored word taken from another unit is `cancelled`: the database accepts it only
        with a `cancelled` event in the log, which ends a run whatever follows."""
        if not self._reads_others():
            return super().summaries(include_all=include_all, limit=limit, where=where)
        listed = self._judged_rows(include_all=include_all, where=where)
        return listed if limit is None else listed[max(len(listed) - limit, 0):]

    def _judged_rows(self, *, include_all: bool, where: RunFilter | None) -> list[RunRow]:
        """`summaries` for a reader of other units' runs: the stored summary of its own runs (if
        it writes any), the replayed one of the others, each kept by what that summary says."""
        late_at = where.late_at if where else None
        keyed, params = filter_sql(where._replace(late_at=None) if where else None, "%s", self._moment)
        own = "sop_may_write(org_id) AND NOT sop_by_the_owner('runs'::regclass)"
        parts = [keyed] if keyed else []
        if not include_all:
            parts.append("status <> 'cancelled'")
        condition = " WHERE " + " AND ".join(parts) if parts else ""
        rows = self._all(f"{self._LISTED}, {own} FROM runs{condition} ORDER BY created_at, id", params)
        listed = [self._run_row(r[:-1]) for r in rows]
        replayed = self._replayed_summaries([row.id for row, r in zip(listed, rows, strict=True) if not r[-1]])
        listed = [row._replace(summary=replayed.get(row.id, row.summary)) for row in listed]

        def kept(summary: RunSummary) -> bool:
            if late_at is not None:
                return summary.status == RunStatus.ACTIVE and summary.current_due is not None and summary.current_due < late_at
            return include_all or summary.status == RunStatus.ACTIVE

        return [row for row in listed if kept(row.summary)]

    def _reads_others(self) -> bool:
        """Whether this login reads runs it does not write: BAPPEDA's members, the owner, a
        superuser (once per connection: membership changes only by `grant`)."""
        if self._others is None:
            row = self._one("SELECT sop_by_the_owner('runs'::regclass) OR sop_may_read(NULL)")
            self._others = bool(row and row[0])
        return self._others

    def _replayed_summaries(self, run_ids: Sequence[str]) -> dict[str, RunSummary]:
        """The summaries of `run_ids` as their logs say, by `summarize` (a run that cannot be
        replayed keeps its stored summary; reading it names the damage). A process replays a run
        once for each length of its log (a listing and its count ask twice)."""
        if not run_ids or self._summarize is None:
            return {}
        lengths: dict[str, int] = dict(self._all("SELECT run_id, MAX(seq) FROM events WHERE run_id = ANY(%s) GROUP BY run_id",
                                               (list(run_ids),)))
        summaries = {run_id: self._replayed[(run_id, lengths[run_id])] for run_id in run_ids
                     if (run_id, lengths.get(run_id)) in self._replayed}
        missing = [run_id for run_id in run_ids if run_id not in summaries]
        if not missing:
            return summaries
        try:
            loaded = {stored.id: stored for stored in self.load_runs(missing)}
        except StoreError:  # one damaged run: load the others one by one
            loaded = {}
        for stored, summary in self._replay_each(missing, self._summarize, loaded):
            summaries[stored.id] = self._replayed[(stored.id, stored.events[-1].seq)] = summary
        return summaries

    def count_runs(self, *, include_all: bool = False, where: RunFilter | None = None) -> int:
        """How many runs are active (exist, with `include_all`) and kept by `where`."""
        if self._reads_others():
            return len(self._judged_rows(include_all=include_all, where=where))
        return super().count_runs(include_all=include_all, where=where)

    def read_attachment(self, run_id: str, item: KeptFile) -> bytes:
        """The bytes of an attachment the run's log records, from the `attachments` table.

        Raises:
            StoreError: The run's log does not name that file, or the database has no bytes for it.
        """
        sha = str(item.get("sha256") or "")
        stored = self.load_run(run_id)
        recorded = stored is not None and any(
            a.get("sha256") == sha for e in stored.events for a in (e.data.get("attachments") or [])
            if isinstance(a, Mapping)
        )
        row = self._one("SELECT body FROM attachments WHERE sha256 = %s", (sha,)) if recorded else None
        if row is None:
            raise StoreError(_("The store has no file for attachment {name!r} of run {run!r}.").format(
                name=item.get("name"), run=run_id))
        body = bytes(row[0])
        self._check_file(run_id, sha, body)
        return body

    def _check_file(self, run_id: str, sha: str, body: bytes) -> None:
        """An attachment's bytes hash to their key: sop verifies what it reads.

        Raises:
            StoreError: They do not (exit 4), naming the run and the file.
        """
        if hashlib.sha256(body).hexdigest() != sha:
            raise damaged(self.location, run_id, _("its attachment {sha}… does not hash to its key").format(
                sha=sha[:12]))

    def _keep_file(self, run_id: str, sha: str, body: bytes) -> None:
        """Store the bytes once (content-addressed) and link them to the run, whose row policies
        then decide who reads them."""
        self._conn.execute("SELECT sop_keep_file(%s, %s)", (sha, body))
        self._conn.execute("INSERT INTO run_attachments (run_id, sha256) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                           (run_id, sha))

    def keep_attachment(self, run_id: str, source: Path, *, max_bytes: int | None = None) -> KeptFile:
        """Keep a copy of `source` in the database (content-addressed), so every machine that
        shares the store can read it; return what the event records of it (inside `write()`).

        Only a regular file of at most `max_bytes` is kept, judged on the opened descriptor before
        its bytes are read (a link is followed; a FIFO or device is refused without blocking). The
        file's permissions do not carry over: the bytes live in the database, where the row
        policies on the run decide who reads them.

        Raises:
            UsageError: The file is not a regular file, is too large, or cannot be read (option
                "attach").
        """
        from sop_cli.fs import read_regular

        try:
            body = read_regular(source, max_bytes=max_bytes)
        except OSError as error:
            raise attachment_refusal(source, error) from None
        sha = hashlib.sha256(body).hexdigest()
        self._keep_file(run_id, sha, body)
        return {"name": source.name, "sha256": sha, "size": len(body), "path": f"attachments/{run_id}/{sha[:12]}-{source.name}"}

    # Whole runs and the store itself (`sop store copy`, `sop store status`) -------------------

    def export_run(self, run_id: str) -> RunExport | None:
        """The whole run, with its attachments' bytes from the database."""
        run, stored = self._identity(run_id), self.load_run(run_id)
        if run is None or stored is None:
            return None
        wanted = sorted({item["sha256"] for e in stored.events for item in e.data.get("attachments") or ()
                         if "sha256" in item})
        files = {sha: bytes(body) for sha, body in
                 self._all("SELECT sha256, body FROM attachments WHERE sha256 = ANY(%s)", (wanted,))}
        for sha, body in files.items():
            self._check_file(run_id, sha, body)
        missing = [sha for sha in wanted if sha not in files]
        if missing:
            raise StoreError(_("Attachment {sha}… of run {run} is missing from the store {store}; the store is "
                               "damaged.").format(sha=missing[0][:12], run=run_id, store=self.location))
        return RunExport(run, stored.definition, stored.calendar, stored.events, files)

    def import_run(self, run: RunExport, summary: RunSummary) -> None:
        """Add a run from another store as it was (inside `write()`): every event keeps its seq,
        times, actor and OS user. An event that comes without a database user (from an SQLite
        file) gets this connection's, the person who brought it into the shared store; one that
        names another database user can only be copied by the owner (the row policy says so)."""
        r = run.run
        self._target_run, self._target_org = r.id, org_of(r.sop_id)
        self.pin("definition", run.definition)
        self.pin("calendar", run.calendar)
        # a run starts active: its log, copied next, ends it
        self._insert("runs", self._run_record(r, summary._replace(status=RunStatus.ACTIVE)))
        if run.events:
            # INSERT, not COPY: COPY FROM is refused on tables with row-level security for a unit's user.
            columns = ["run_id", *_event_columns(run.events[0]), "db_user"]
            self._many(f"INSERT INTO events ({', '.join(columns)}) VALUES ({self._marks(len(columns))})",
                       [(r.id, *_event_columns(event).values(), event.db_user or self.db_user) for event in run.events])
        if summary.status != RunStatus.ACTIVE:
            self._set_summary(r.id, summary)
        else:
            self._set_times(r.id, summary)
        for sha, body in run.attachments.items():
            self._keep_file(r.id, sha, body)

    def units(self) -> list[Unit]:
        """The units granted in this store (`grant`), by organisation id, with their members."""
        if not self._has("sop_units"):
            return []
        return [u for u in self._roles() if u.org_id]

    def info(self) -> StoreInfo:
        """Kind, schema version, counts (of the runs this user may read), user, and who may do what
        in this store: its units and BAPPEDA's role, with their members."""
        version = self._version()
        runs = self._one("SELECT COUNT(*) FROM runs") if self._has("runs") else None
        events = self._one("SELECT COUNT(*) FROM events") if self._has("events") else None
        roles = self._roles() if version >= 3 else []
        return StoreInfo("postgresql", self.location, version, SCHEMA_VERSION, int(runs[0]) if runs else 0,
                         int(events[0]) if events else 0, self.db_user, [u for u in roles if u.org_id],
                         [u for u in roles if not u.org_id])

    def _has(self, table: str) -> bool:
        found = self._one("SELECT to_regclass(%s) IS NOT NULL", (table,))
        return bool(found and found[0])

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """psycopg failures as StoreErrors a user can act on (a lost race as a ConflictError)."""
        import psycopg
        from psycopg import errors

        try:
            yield
        except errors.UniqueViolation:
            raise ConflictError(_("Another command recorded the same change first. Nothing was recorded.")) from None
        except errors.InsufficientPrivilege as error:
            raise AccessError(self._refusal(error)) from None
        except errors.LockNotAvailable:
            raise StoreError(self._busy()) from None
        except psycopg.OperationalError as error:
            raise StoreError(_("The store {store} cannot be reached: {error}.").format(
                store=self.location, error=_first_line(error))) from None
        except psycopg.Error as error:
            raise StoreError(_("The store {store} cannot be used: {error}.").format(
                store=self.location, error=_first_line(error))) from None


# The codec ----------------------------------------------------------------------------------


def _event_columns(event: Event) -> dict[str, object]:
    return event_columns(event, lambda moment: moment.replace(microsecond=0))


def _event_from_row(row: Sequence[Any], location: str, run_id: str) -> Event:
    """An `Event` from its row (seq, kind, at, recorded_at, actor, os_user, step, data, db_user),
    checked as sop wrote it (`sql.event_from_columns`; the columns are typed, the data is text)."""
    return event_from_columns(location, run_id, *row, read_moment=lambda moment: moment)


def _unreachable(url: str, error: BaseException) -> str:
    """One line naming the server (host and port, never the password) and why it failed."""
    host, port, database = "localhost", "5432", ""
    try:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(url)
        host = str(params.get("host") or host)
        port = str(params.get("port") or port)
        database = str(params.get("dbname") or "")
    except Exception:
        pass
    reason = _first_line(error).split(" failed: ")[-1].replace("FATAL:", "").strip()
    if database:
        return _("Cannot reach the PostgreSQL server at {host}:{port} (database {database}): {reason}.").format(
            host=host, port=port, database=database, reason=reason)
    return _("Cannot reach the PostgreSQL server at {host}:{port}: {reason}.").format(host=host, port=port, reason=reason)


def _redacted(url: str) -> str:
    """A URL fit for messages: a password, in the user part or as a `password=`/`sslpassword=`
    parameter, replaced by `***`."""
    import re
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return _("a PostgreSQL store")
    netloc = parts.netloc
    if password is not None:
        netloc = netloc[:netloc.rindex("@")].split(":", 1)[0] + ":***" + netloc[netloc.rindex("@"):]
    query = re.sub(r"(?i)(^|&)((?:ssl)?password)=[^&]*", r"\1\2=***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


LOCK_TIMEOUT_SECONDS = 30.0
"""How long a command waits for a lock another session holds, as the SQLite store's busy timeout."""


def lock_timeout_seconds() -> float:
    """`SOP_LOCK_TIMEOUT` (seconds, positive), else 30.

    Raises:
        UsageError: `SOP_LOCK_TIMEOUT` is not a positive number of seconds.
    """
    import os

    from sop_cli.errors import UsageError

    text = os.environ.get("SOP_LOCK_TIMEOUT", "").strip()
    if not text:
        return LOCK_TIMEOUT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86_400:
        raise UsageError(_("SOP_LOCK_TIMEOUT={value!r} is not a time; give a positive number of seconds, e.g. 30.").format(
            value=text))
    return seconds


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".")
