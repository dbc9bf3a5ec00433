-- syndic schema, version 14: the operator decides what is republished (#13).
--
-- posts.state: only a 'published' post appears where a reader looks. 'pending' waits for
-- review, 'filtered' was hidden by a keep/block rule (state_detail names the rule),
-- 'removed' was taken down by a person (state_detail holds the reason; its page answers
-- 410 Gone). state_at: when the state last changed (NULL for posts published on arrival).
ALTER TABLE posts ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
    CHECK (state IN ('published', 'pending', 'filtered', 'removed'));
ALTER TABLE posts ADD COLUMN state_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN state_at INTEGER;

-- Listings read only published posts, so their indexes hold only those: a page stays a
-- walk of its index however many posts are hidden, and a hidden post costs no listing
-- anything. The other posts are found, by state, on an index of their own.
DROP INDEX posts_by_published;
CREATE INDEX posts_by_published ON posts (published_at DESC, id DESC) WHERE state = 'published';
DROP INDEX posts_by_source;
CREATE INDEX posts_by_source ON posts (source_id, published_at DESC, id DESC)
    WHERE state = 'published';
CREATE INDEX posts_held ON posts (state, id) WHERE state <> 'published';

-- post_tags.listed: 1 when the link's post is published. A hidden post keeps its tags
-- (a pending post is tagged; approving it lists it at once), but its links leave the tag
-- index, which tag archives and counts walk. Triggers keep it in step with the post, for
-- every writer.
ALTER TABLE post_tags ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
DROP INDEX post_tags_by_tag_time;
CREATE INDEX post_tags_by_tag_time ON post_tags (tag_id, published_at DESC, post_id DESC)
    WHERE listed = 1;

CREATE TRIGGER post_tags_listed_default AFTER INSERT ON post_tags
WHEN (SELECT p.state FROM posts p WHERE p.id = new.post_id) <> 'published' BEGIN
    UPDATE post_tags SET listed = 0 WHERE rowid = new.rowid;
END;

CREATE TRIGGER posts_state_moves_links AFTER UPDATE OF state ON posts
WHEN old.state IS NOT new.state BEGIN
    UPDATE post_tags SET listed = (new.state = 'published') WHERE post_id = new.id;
END;

-- A taken-down post's identity, so it never comes back: a later fetch of its source that
-- still carries its guid, or any source's entry with the same link (normalised: no
-- scheme, no `www.`, no fragment, no trailing slash), is not stored. Restoring the post
-- deletes its tombstone.
CREATE TABLE tombstones (
    post_id    INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid       TEXT    NOT NULL,
    link_key   TEXT,
    created_at INTEGER NOT NULL
);

CREATE INDEX tombstones_by_guid ON tombstones (source_id, guid);
CREATE INDEX tombstones_by_link ON tombstones (link_key);

-- Every decision about what is republished: who (cli, admin, api), what, on what, why.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL CHECK (actor IN ('cli', 'admin', 'api')),
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    reason TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_by_time ON audit_log (at, id);
