-- Version 6: the report at ten times a programme (issue 21).
--
-- `session_reach`: per session (by its local num), the people counted at it: the person_num of
-- each present, live attendance whose person has arrived, comma-separated, one per attendance.
-- Derived, never synced: the merge keeps it in step (report/reach.rs) and this migration fills
-- it. The report reads 50,000 short rows instead of walking ten million index entries.
CREATE TABLE session_reach (
    session_num INTEGER PRIMARY KEY,
    people      TEXT NOT NULL
);
INSERT INTO session_reach (session_num, people)
    SELECT session_num, group_concat(person_num)
      FROM attendance INDEXED BY attendance_counted
     WHERE present = 1 AND deleted = 0 AND session_num IS NOT NULL AND person_num IS NOT NULL
     GROUP BY session_num;
-- What the report reads of each live person, without reading the person's row.
CREATE INDEX people_reported ON people (num, sex, birth_year, stakeholder_group)
    WHERE deleted = 0 AND merged_into IS NULL;
