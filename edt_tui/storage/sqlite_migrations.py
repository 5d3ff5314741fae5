"""Schema of the SQLite backend, versioned in code (PostgreSQL: postgres_migrations.py).

`Vi` brings the schema from version i - 1 to i; the applied version is kept in the
`schema_version` table (portable, unlike `PRAGMA user_version`). Append new migrations, never edit
a published one. Timestamps are text in the one format of storage/clock.py, JSON is TEXT.
"""

from __future__ import annotations

from edt_tui.storage.database import Migration

V1 = (
    """CREATE TABLE establishments (
        uai TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL,
        push_secret TEXT NOT NULL,
        daily_quota INTEGER NOT NULL DEFAULT 4,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE directory_users (
        sync_id TEXT PRIMARY KEY,
        uai TEXT NOT NULL REFERENCES establishments (uai),
        profile TEXT NOT NULL CHECK (profile IN ('student', 'teacher', 'staff')),
        last_name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        birth_date TEXT,
        cas_login TEXT,
        source TEXT NOT NULL CHECK (source IN ('AAF', 'CSV', 'MANUAL')),
        search_text TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX directory_users_by_name ON directory_users (uai, last_name, first_name, sync_id)",
    "CREATE INDEX directory_users_by_profile ON directory_users (uai, profile, last_name)",
    """CREATE TABLE idpn_links (
        uai TEXT NOT NULL REFERENCES establishments (uai),
        sync_id TEXT NOT NULL REFERENCES directory_users (sync_id),
        idpn TEXT NOT NULL,
        method TEXT NOT NULL,
        validated_by TEXT,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (uai, sync_id)
    )""",
    "CREATE INDEX idpn_links_by_idpn ON idpn_links (uai, idpn)",
    """CREATE TABLE subjects (
        uai TEXT NOT NULL REFERENCES establishments (uai),
        name TEXT NOT NULL,
        code TEXT,
        PRIMARY KEY (uai, name)
    )""",
    """CREATE TABLE classes (
        uai TEXT NOT NULL REFERENCES establishments (uai),
        name TEXT NOT NULL,
        PRIMARY KEY (uai, name)
    )""",
    """CREATE TABLE exports (
        sha256 TEXT PRIMARY KEY,
        uai TEXT NOT NULL REFERENCES establishments (uai),
        file_name TEXT NOT NULL,
        import_id TEXT NOT NULL,
        size INTEGER NOT NULL,
        uploaded_at TEXT NOT NULL,
        summary_json TEXT NOT NULL
    )""",
    """CREATE TABLE selections (
        uai TEXT NOT NULL REFERENCES establishments (uai),
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        data_json TEXT NOT NULL,
        PRIMARY KEY (uai, version)
    )""",
    """CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY,
        uai TEXT NOT NULL REFERENCES establishments (uai),
        type TEXT NOT NULL CHECK (type IN ('manual', 'automatic')),
        status TEXT NOT NULL CHECK (status IN
            ('queued', 'running', 'done', 'interrupted', 'error', 'refused')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        reference_time TEXT,
        export_sha256 TEXT REFERENCES exports (sha256),
        selection_version INTEGER,
        reason TEXT,
        counters_json TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX import_jobs_by_status ON import_jobs (status, created_at)",
    "CREATE INDEX import_jobs_by_uai ON import_jobs (uai, created_at)",
    """CREATE TABLE job_actions (
        job_id TEXT NOT NULL REFERENCES import_jobs (id),
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'error')),
        error TEXT,
        payload_json TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
    )""",
    "CREATE INDEX job_actions_by_status ON job_actions (job_id, status, seq)",
    """CREATE TABLE pushes (
        id TEXT PRIMARY KEY,
        uai TEXT NOT NULL,
        received_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        export_sha256 TEXT,
        job_id TEXT
    )""",
    "CREATE INDEX pushes_by_uai ON pushes (uai, received_at)",
    """CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'platform')),
        uai TEXT REFERENCES establishments (uai),
        label TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE courses (
        key TEXT PRIMARY KEY,
        uai TEXT NOT NULL REFERENCES establishments (uai),
        school_year TEXT NOT NULL,
        label TEXT NOT NULL,
        subject TEXT NOT NULL,
        audience_kind TEXT NOT NULL CHECK (audience_kind IN ('class', 'group')),
        audience_name TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('integration', 'manual')),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_visit_at TEXT
    )""",
    "CREATE INDEX courses_by_uai ON courses (uai, school_year, label)",
    """CREATE TABLE hierarchy_nodes (
        key TEXT PRIMARY KEY,
        uai TEXT NOT NULL REFERENCES establishments (uai),
        school_year TEXT NOT NULL,
        title TEXT NOT NULL,
        parent_key TEXT REFERENCES hierarchy_nodes (key),
        course_key TEXT REFERENCES courses (key)
    )""",
    "CREATE INDEX hierarchy_nodes_by_parent ON hierarchy_nodes (uai, parent_key, title)",
    """CREATE TABLE memberships (
        key TEXT PRIMARY KEY,
        course_key TEXT NOT NULL REFERENCES courses (key),
        user_sync_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('teacher', 'student')),
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX memberships_by_course ON memberships (course_key, role, user_sync_id)",
    """CREATE TABLE events (
        key TEXT PRIMARY KEY,
        course_key TEXT NOT NULL REFERENCES courses (key),
        start_at TEXT NOT NULL,
        end_at TEXT NOT NULL,
        start_utc TEXT NOT NULL,
        title TEXT NOT NULL,
        rooms_json TEXT NOT NULL,
        teachers_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX events_by_course ON events (course_key, start_utc)",
)

V2 = (
    # Queue order (FIFO tie-break), the worker holding a running job and its heartbeat (crash
    # detection), a terminal outcome beside the status (no-op, superseded push), and what a
    # finished import leaves for later: the entities it saw (automatic imports report newer
    # ones without syncing them) and its people counts (account check, §4.2).
    "ALTER TABLE import_jobs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE import_jobs ADD COLUMN worker_id TEXT",
    "ALTER TABLE import_jobs ADD COLUMN heartbeat_at TEXT",
    "ALTER TABLE import_jobs ADD COLUMN outcome TEXT",
    "ALTER TABLE import_jobs ADD COLUMN known_json TEXT",
    "ALTER TABLE import_jobs ADD COLUMN people_json TEXT",
    "CREATE INDEX import_jobs_by_seq ON import_jobs (status, seq)",
)

V3 = (
    # Students page by page (the TUI's biggest list): filter and order from one index, no sort.
    "DROP INDEX directory_users_by_profile",
    "CREATE INDEX directory_users_by_profile ON directory_users "
    "(uai, profile, last_name, first_name, sync_id)",
)

V4 = (
    # What a job replaced, so the ENT before any job can be rebuilt from the ENT now (helpdesk
    # bundles): the event an `update_event` overwrote (codec payload, read when the job is
    # planned) and the IDPN links the job's finish overwrote (`{sync_id: [idpn, method,
    # validated_by] | null}`). Creates and deletes carry their value in `payload_json` already.
    "ALTER TABLE job_actions ADD COLUMN previous_json TEXT",
    "ALTER TABLE import_jobs ADD COLUMN links_before_json TEXT",
)

V5 = (
    # Wrong push secrets are counted on one row per establishment and hour, not one row each:
    # a flood must not push the real entries off the admin's last pushes.
    "ALTER TABLE pushes ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1",
)

V6 = (
    # Liveness by lease, not by pid: the worker holding a running job renews `lease_until`; once
    # it is past, any worker takes the job back. `heartbeat_at` is what the lease replaces. A
    # failed job keeps a reason code (`disk_full`, …) beside its French reason.
    "ALTER TABLE import_jobs ADD COLUMN lease_until TEXT",
    "ALTER TABLE import_jobs DROP COLUMN heartbeat_at",
    "ALTER TABLE import_jobs ADD COLUMN reason_code TEXT",
)

_V6_JOB_COLUMNS = (
    "id, uai, type, status, created_at, started_at, finished_at, reference_time, export_sha256, "
    "selection_version, reason, counters_json, seq, worker_id, outcome, known_json, people_json, "
    "links_before_json, lease_until, reason_code"
)

V7 = (
    # Undo of an import. A job type `undo` (SQLite cannot change a CHECK constraint, so
    # import_jobs is rebuilt; its actions' foreign keys are checked at the commit, once every row
    # is back), the import an undo reverts (`undoes`) and, per applied action, the value it
    # replaced, recorded in the transaction that applies it (`prior`, see priors.py; it
    # supersedes `previous_json`, recorded at plan time for updates only).
    "PRAGMA defer_foreign_keys = ON",
    "CREATE TABLE import_jobs_v6 AS SELECT * FROM import_jobs",
    "DROP TABLE import_jobs",
    """CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY,
        uai TEXT NOT NULL REFERENCES establishments (uai),
        type TEXT NOT NULL CHECK (type IN ('manual', 'automatic', 'undo')),
        status TEXT NOT NULL CHECK (status IN
            ('queued', 'running', 'done', 'interrupted', 'error', 'refused')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        reference_time TEXT,
        export_sha256 TEXT REFERENCES exports (sha256),
        selection_version INTEGER,
        reason TEXT,
        counters_json TEXT NOT NULL DEFAULT '{}',
        seq INTEGER NOT NULL DEFAULT 0,
        worker_id TEXT,
        outcome TEXT,
        known_json TEXT,
        people_json TEXT,
        links_before_json TEXT,
        lease_until TEXT,
        reason_code TEXT,
        undoes TEXT REFERENCES import_jobs (id)
    )""",
    f"INSERT INTO import_jobs ({_V6_JOB_COLUMNS}) SELECT {_V6_JOB_COLUMNS} FROM import_jobs_v6",
    "DROP TABLE import_jobs_v6",
    "CREATE INDEX import_jobs_by_status ON import_jobs (status, created_at)",
    "CREATE INDEX import_jobs_by_uai ON import_jobs (uai, created_at)",
    "CREATE INDEX import_jobs_by_seq ON import_jobs (status, seq)",
    "CREATE INDEX import_jobs_by_undoes ON import_jobs (undoes)",
    "ALTER TABLE job_actions ADD COLUMN prior TEXT",
    # Deleting a course or a node checks the nodes that reference it: without these, a scan of
    # every node per deletion (an undo deletes thousands).
    "CREATE INDEX hierarchy_nodes_by_course ON hierarchy_nodes (course_key)",
    "CREATE INDEX hierarchy_nodes_by_parent_key ON hierarchy_nodes (parent_key)",
)

V8 = (
    # Guards of an establishment's imports: the freeze window (events starting within it are
    # never touched) and the mass-deletion threshold; the parameters of a refused job's reason
    # code (worded by each client), and a manual job's explicit mass-deletion consent.
    "ALTER TABLE establishments ADD COLUMN freeze_minutes INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE establishments ADD COLUMN max_deletion_percent INTEGER NOT NULL DEFAULT 20",
    "ALTER TABLE import_jobs ADD COLUMN reason_params_json TEXT",
    "ALTER TABLE import_jobs ADD COLUMN allow_mass_deletion INTEGER NOT NULL DEFAULT 0",
)

V9 = (
    # At most one running job per establishment, whatever the number of workers and hosts (the
    # claim checks it; the index makes it a property of the data). Event starts written before
    # the one timestamp format (storage/clock.py) get its microseconds, so text order stays
    # time order against the new rows.
    "CREATE UNIQUE INDEX import_jobs_one_running ON import_jobs (uai) WHERE status = 'running'",
    "UPDATE events SET start_utc = substr(start_utc, 1, 19) || '.000000' || substr(start_utc, 20) "
    "WHERE length(start_utc) = 25",
)

_JOB_ACTION_COLUMNS = "job_id, seq, type, key, status, error, payload_json, previous_json, prior"

V10 = (
    # What the job actions keep (docs/performance.md): a first import stores one row per action
    # (130,000 for a lycée). The index of (job, status, seq) only served a running job's pending
    # actions: it becomes a partial index, empty once the job ends. The table is clustered on its
    # primary key (WITHOUT ROWID), so (job_id, seq) is no longer stored again in an index. (The
    # ENT's tables stay rowid tables: their secondary indexes would then carry the long text key.)
    "DROP INDEX job_actions_by_status",
    """CREATE TABLE job_actions_v10 (
        job_id TEXT NOT NULL REFERENCES import_jobs (id),
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'error')),
        error TEXT,
        payload_json TEXT NOT NULL,
        previous_json TEXT,
        prior TEXT,
        PRIMARY KEY (job_id, seq)
    ) WITHOUT ROWID""",
    f"INSERT INTO job_actions_v10 ({_JOB_ACTION_COLUMNS}) "
    f"SELECT {_JOB_ACTION_COLUMNS} FROM job_actions",
    "DROP TABLE job_actions",
    "ALTER TABLE job_actions_v10 RENAME TO job_actions",
    "CREATE INDEX job_actions_pending ON job_actions (job_id, seq) WHERE status = 'pending'",
)

V11 = (
    # What each wizard plan was computed from (storage/plan_requests.py): any API server of the
    # database answers any plan id by planning its request again.
    """CREATE TABLE plan_requests (
        uai TEXT NOT NULL REFERENCES establishments (uai),
        plan_id TEXT NOT NULL,
        request_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (uai, plan_id)
    )""",
    "CREATE INDEX plan_requests_by_age ON plan_requests (created_at)",
)

V12 = (
    # A job's actions refer to it by a small integer (`import_jobs.ref`) instead of its
    # 32-character id: 4 MB less for a lycée's first import (docs/performance.md). Existing jobs
    # get their rowid; new ones max + 1 (`Database.next_in_sequence`).
    "ALTER TABLE import_jobs ADD COLUMN ref INTEGER",
    "UPDATE import_jobs SET ref = rowid",
    "CREATE UNIQUE INDEX import_jobs_by_ref ON import_jobs (ref)",
    """CREATE TABLE job_actions_v12 (
        job_ref INTEGER NOT NULL REFERENCES import_jobs (ref),
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'error')),
        error TEXT,
        payload_json TEXT NOT NULL,
        previous_json TEXT,
        prior TEXT,
        PRIMARY KEY (job_ref, seq)
    ) WITHOUT ROWID""",
    """INSERT INTO job_actions_v12 (job_ref, seq, type, key, status, error, payload_json,
           previous_json, prior)
       SELECT j.ref, a.seq, a.type, a.key, a.status, a.error, a.payload_json, a.previous_json,
           a.prior
       FROM job_actions a JOIN import_jobs j ON j.id = a.job_id""",
    "DROP TABLE job_actions",
    "ALTER TABLE job_actions_v12 RENAME TO job_actions",
    "CREATE INDEX job_actions_pending ON job_actions (job_ref, seq) WHERE status = 'pending'",
)

_TYPE_CODES = (
    "CASE type WHEN 'create_course' THEN 0 WHEN 'create_hierarchy_node' THEN 1 "
    "WHEN 'create_membership' THEN 2 WHEN 'delete_membership' THEN 3 WHEN 'create_event' THEN 4 "
    "WHEN 'update_event' THEN 5 WHEN 'delete_event' THEN 6 WHEN 'delete_hierarchy_node' THEN 7 "
    "WHEN 'delete_course' THEN 8 END"
)
"""The action types' names as their stored codes (`storage.action_batches.TYPE_CODES`)."""

V13 = (
    # The action's type as a one-byte code instead of its name (12 to 21 bytes on each action).
    """CREATE TABLE job_actions_v13 (
        job_ref INTEGER NOT NULL REFERENCES import_jobs (ref),
        seq INTEGER NOT NULL,
        type INTEGER NOT NULL CHECK (type BETWEEN 0 AND 8),
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'error')),
        error TEXT,
        payload_json TEXT NOT NULL,
        previous_json TEXT,
        prior TEXT,
        PRIMARY KEY (job_ref, seq)
    ) WITHOUT ROWID""",
    f"""INSERT INTO job_actions_v13 (job_ref, seq, type, key, status, error, payload_json,
           previous_json, prior)
       SELECT job_ref, seq, {_TYPE_CODES}, key, status, error, payload_json, previous_json,
           prior
       FROM job_actions""",
    "DROP TABLE job_actions",
    "ALTER TABLE job_actions_v13 RENAME TO job_actions",
    "CREATE INDEX job_actions_pending ON job_actions (job_ref, seq) WHERE status = 'pending'",
)

MIGRATIONS: tuple[Migration, ...] = tuple(
    enumerate((V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13), start=1)
)
"""(version reached, statements), in order."""

SCHEMA_VERSION = MIGRATIONS[-1][0]
