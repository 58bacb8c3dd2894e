-- Version 8: the logframe's indicators (issue 22). A synced entity written only by HQ: each
-- row holds the fields HQ set for one indicator (a built-in one it edited, or one it added);
-- the built-in catalogue fills in the rest (results/catalogue.rs). The row id is derived from
-- the code. `targets` is a JSON object of period ("2025", "2025-Q3") → whole number;
-- `disaggregations` a JSON list of codes.
CREATE TABLE indicators (
    id              TEXT PRIMARY KEY,
    code            TEXT,
    vocabulary      TEXT,
    label_fr        TEXT,
    label_en        TEXT,
    measure         TEXT,
    stakeholder_group TEXT,
    disaggregations TEXT,
    baseline        INTEGER,
    baseline_year   INTEGER,
    targets         TEXT,
    position        INTEGER,
    deleted         INTEGER NOT NULL DEFAULT 0,
    clocks          BLOB
) WITHOUT ROWID;
