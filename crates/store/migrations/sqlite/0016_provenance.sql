-- syndic schema, version 16: every upstream edit kept, deletions honoured (#14).
--
-- post_revisions: the earlier versions of a post, one row each, written by the ingest
-- that replaced them (in its transaction) when the update changed the title or the text
-- beyond whitespace and tracking parameters. `number` counts a post's versions from 1
-- (the first stored) and never repeats; the current version is the post row itself,
-- numbered one past the newest revision. `body` holds the text and HTML in the body
-- codec of migration 12. `at` is when that version was first seen as current (its own
-- updated time, else its publication), `replaced_at` when the ingest replaced it. At most
-- `[site] keep_revisions` rows per post: the oldest go first.
CREATE TABLE post_revisions (
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    body        BLOB    NOT NULL,
    at          INTEGER NOT NULL,
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, number)
);

-- sources.honor_deletions: 1 when the `[[source]]` says `honor_deletions = true`, so an
-- Atom tombstone (RFC 6721 `at:deleted-entry`) in its feed takes down the post it names.
ALTER TABLE sources ADD COLUMN honor_deletions INTEGER NOT NULL DEFAULT 0;
