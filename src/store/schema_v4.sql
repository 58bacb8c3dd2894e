-- Version 4: HQ's desk and the way down (issue 19).
-- What HQ learns of each laptop beyond its bundles: how far its clock was from HQ's when its
-- last bundle arrived (its clock minus HQ's, in seconds: a dead CMOS battery, a date set by
-- hand), when HQ declared it lost or stolen (its key is refused from then on), and the laptop
-- it replaces (a new laptop restored from HQ).
ALTER TABLE devices ADD COLUMN clock_offset_s INTEGER;
ALTER TABLE devices ADD COLUMN lost_at TEXT;
ALTER TABLE devices ADD COLUMN successor_of TEXT;
-- Why a bundle is held: its laptop is not trusted yet ('untrusted'), or was declared lost
-- ('lost': held and shown, never merged without an officer's decision).
ALTER TABLE quarantine ADD COLUMN reason TEXT NOT NULL DEFAULT 'untrusted';
-- What HQ sent down to each laptop (registry and restore bundles): a later registry carries
-- these rows' changes again — a merge, an erasure, a plan closed — even once they left its scope.
CREATE TABLE downlinked (
    device_id TEXT NOT NULL,
    entity    TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    PRIMARY KEY (device_id, entity, row_id)
) WITHOUT ROWID;
