-- Palabre schema version 1. Shipped: never edit; add a new migration instead.
-- Every synced table has `clocks`: for each field, the stamp (hlc, device, op_seq) of the op that
-- owns it, packed by sync/oplog.rs; the merge compares incoming ops against it.
-- Synced tables have no FOREIGN KEY constraints on purpose: ops from other devices arrive in any
-- order, so a child row may exist before its parent. The core checks references on local writes
-- and the `orphans` view flags rows whose parent has not arrived.
PRAGMA application_id = 1346456642;

CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- prev_hlc/prev_device: the stamp that owned the field when the op was written (NULL if none).
-- Two ops on one field that did not see each other are a conflict (see sync/conflicts.rs).
CREATE TABLE oplog (
    device_id   TEXT NOT NULL,
    op_seq      INTEGER NOT NULL CHECK (op_seq > 0),
    hlc         INTEGER NOT NULL,
    entity      TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    prev_hlc    INTEGER,
    prev_device TEXT,
    PRIMARY KEY (device_id, op_seq)
) WITHOUT ROWID;
-- Fields written by two or more devices, with each device's latest op on them: where conflicts
-- can be (see sync/conflicts.rs). Maintained by the merge; a function of the set of ops.
CREATE TABLE contested (
    entity    TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    field     TEXT NOT NULL,
    device_id TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    op_seq    INTEGER NOT NULL,
    PRIMARY KEY (entity, row_id, field, device_id)
) WITHOUT ROWID;

-- Other devices known to this database (at HQ: every laptop). A device's bundles merge only
-- once someone has compared its fingerprint and trusted it; until then they wait in quarantine.
CREATE TABLE devices (
    device_id       TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    public_key      BLOB NOT NULL,
    fingerprint     TEXT NOT NULL,
    trusted         INTEGER NOT NULL DEFAULT 0,
    first_seen      TEXT NOT NULL,
    last_bundle_seq INTEGER NOT NULL DEFAULT 0,
    last_import_at  TEXT
) WITHOUT ROWID;

CREATE TABLE imported_bundles (
    bundle_id       TEXT PRIMARY KEY,
    device_id       TEXT NOT NULL,
    bundle_seq      INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    op_count        INTEGER NOT NULL,
    new_ops         INTEGER NOT NULL,
    imported_at     TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE quarantine (
    bundle_id   TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    bundle_seq  INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    received_at TEXT NOT NULL
) WITHOUT ROWID;

-- A device that signed two different ops with the same op_seq: its bundle was refused.
CREATE TABLE forks (
    device_id   TEXT NOT NULL,
    op_seq      INTEGER NOT NULL,
    bundle_id   TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    PRIMARY KEY (device_id, op_seq, bundle_id)
) WITHOUT ROWID;

-- `num` (sessions, people): a stable local integer key for fast joins (reports, search index).
CREATE TABLE sessions (
    num             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    title           TEXT,
    kind            TEXT,
    groups          TEXT,
    theme           TEXT,
    start_date      TEXT,
    end_date        TEXT,
    region          TEXT,
    cercle          TEXT,
    commune         TEXT,
    place           TEXT,
    facilitator     TEXT,
    status          TEXT,
    summary         TEXT,
    recommendations TEXT,
    deleted         INTEGER NOT NULL DEFAULT 0,
    clocks     BLOB
);
CREATE INDEX sessions_by_date ON sessions (start_date);

-- `num` is a stable integer key for the full-text index (VACUUM keeps INTEGER PRIMARY KEYs).
CREATE TABLE people (
    num                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    full_name            TEXT,
    sex                  TEXT,
    birth_year           INTEGER,
    birth_year_estimated INTEGER,
    role                 TEXT,
    stakeholder_group    TEXT,
    community            TEXT,
    phone                TEXT,
    disability           TEXT,
    consent              INTEGER,
    consent_date         TEXT,
    notes                TEXT,
    registered_on        TEXT,
    deleted              INTEGER NOT NULL DEFAULT 0,
    clocks     BLOB
);

CREATE VIRTUAL TABLE people_fts USING fts5 (
    name, community, phone,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

-- session_num/person_num: the parents' local `num`, derived by the merge (NULL until the parent
-- has arrived), so that reports scan integers instead of joining text ids.
CREATE TABLE attendance (
    id          TEXT PRIMARY KEY,
    session_id  TEXT,
    person_id   TEXT,
    present     INTEGER,
    role        TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0,
    clocks      BLOB,
    session_num INTEGER,
    person_num  INTEGER
) WITHOUT ROWID;
CREATE INDEX attendance_by_session ON attendance (session_id);
CREATE INDEX attendance_by_person ON attendance (person_id);
CREATE INDEX attendance_counted ON attendance (session_num, person_num) WHERE present = 1 AND deleted = 0;

CREATE TABLE action_plans (
    id         TEXT PRIMARY KEY,
    title      TEXT,
    owner      TEXT,
    session_id TEXT,
    community  TEXT,
    problem    TEXT,
    objective  TEXT,
    status     TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0,
    clocks     BLOB
) WITHOUT ROWID;

CREATE TABLE action_items (
    id            TEXT PRIMARY KEY,
    plan_id       TEXT,
    description   TEXT,
    responsible   TEXT,
    due_date      TEXT,
    resources     TEXT,
    indicator     TEXT,
    status        TEXT,
    progress_note TEXT,
    deleted       INTEGER NOT NULL DEFAULT 0,
    clocks     BLOB
) WITHOUT ROWID;
CREATE INDEX action_items_by_plan ON action_items (plan_id);

-- Live rows whose parent is missing (not arrived yet) or deleted.
CREATE VIEW orphans AS
    SELECT 'attendance' AS entity, a.id AS row_id, 'session' AS missing, a.session_id AS parent_id
      FROM attendance a LEFT JOIN sessions s ON s.id = a.session_id
     WHERE a.deleted = 0 AND (s.id IS NULL OR s.deleted = 1)
    UNION ALL
    SELECT 'attendance', a.id, 'person', a.person_id
      FROM attendance a LEFT JOIN people p ON p.id = a.person_id
     WHERE a.deleted = 0 AND (p.id IS NULL OR p.deleted = 1)
    UNION ALL
    SELECT 'item', i.id, 'plan', i.plan_id
      FROM action_items i LEFT JOIN action_plans p ON p.id = i.plan_id
     WHERE i.deleted = 0 AND (p.id IS NULL OR p.deleted = 1);
