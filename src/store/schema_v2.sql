-- Palabre schema version 2: decisions about duplicate people. Shipped: never edit.
-- person_links is synced like any entity (see sync/schema.rs): a row says that two person records
-- are the same person ('merge': duplicate_id becomes an alias of keep_id) or are not ('distinct':
-- the pair is not proposed again). `taken` records each field value the merge copied from the
-- duplicate, with the value it replaced, so that an unmerge restores the kept record exactly.
-- An unmerge or a withdrawn decision sets `undone`; rows are never deleted, they are the history.
CREATE TABLE person_links (
    id           TEXT PRIMARY KEY,
    decision     TEXT,
    keep_id      TEXT,
    duplicate_id TEXT,
    taken        TEXT,
    decided_by   TEXT,
    decided_at   TEXT,
    undone       INTEGER,
    undone_by    TEXT,
    undone_at    TEXT,
    clocks       BLOB
) WITHOUT ROWID;
CREATE INDEX person_links_by_keep ON person_links (keep_id);
CREATE INDEX person_links_by_duplicate ON person_links (duplicate_id);

-- Derived from person_links by the merge (duplicates/links.rs): the id of the person this record
-- was merged into, after following chains; NULL when it is a person in its own right. Readers
-- count and list people through it, so attendances follow the kept person without being changed.
ALTER TABLE people ADD COLUMN merged_into TEXT;
CREATE INDEX people_by_merged_into ON people (merged_into) WHERE merged_into IS NOT NULL;
