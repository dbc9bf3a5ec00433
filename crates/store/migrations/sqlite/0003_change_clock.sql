-- syndic schema, version 3: the site-wide change clock.
--
-- One row holding when anything a page or feed shows last changed (UTC seconds). Every
-- write that can change a page moves it forward in its own transaction, to the time of
-- that write, never backwards; the site's Last-Modified is read from here.

CREATE TABLE site_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    changed_at INTEGER NOT NULL
);

-- Start from the newest time the store itself stamped on a row, or 0 when it is empty.
INSERT INTO site_state (id, changed_at)
SELECT 1, COALESCE(MAX(stamped), 0) FROM (
    SELECT MAX(first_seen_at) AS stamped FROM posts
    UNION ALL SELECT MAX(last_fetch_at) FROM sources
    UNION ALL SELECT MAX(created_at) FROM sources
    UNION ALL SELECT MAX(created_at) FROM tags
) AS stamps;
