-- Version 5: paper evidence (issue 20). A photo or scan of a signed attendance sheet, attached to
-- a session. The row is synced like any other (one op per field); the file itself is kept once
-- per content (its SHA-256) in `evidence_files`, inside this encrypted database, and travels in
-- bundles next to the op that names it.
CREATE TABLE evidence (
    id            TEXT PRIMARY KEY,
    session_id    TEXT,
    page          INTEGER,
    pages         INTEGER,
    sha256        TEXT,
    size          INTEGER,
    media_type    TEXT,
    filed_by_code INTEGER,
    attached_by   TEXT,
    attached_at   TEXT,
    deleted       INTEGER NOT NULL DEFAULT 0,
    clocks        BLOB
) WITHOUT ROWID;
CREATE INDEX evidence_by_session ON evidence (session_id);
CREATE INDEX evidence_by_file ON evidence (sha256);
-- The files, by content. `thumbnail` is a small JPEG made here (never synced: each copy makes
-- its own from the file).
CREATE TABLE evidence_files (
    sha256      TEXT PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    thumbnail   BLOB,
    stored_at   TEXT NOT NULL
) WITHOUT ROWID;
