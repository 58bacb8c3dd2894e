-- Version 3: a person can be erased at her request (issue 18). `erased` is a synced field: the
-- op that sets it travels, and every copy that applies it blanks her personal fields and their
-- history. Deleted entries of the search index are removed from its pages, not only marked.
ALTER TABLE people ADD COLUMN erased INTEGER;
INSERT INTO people_fts (people_fts, rank) VALUES ('secure-delete', 1);
