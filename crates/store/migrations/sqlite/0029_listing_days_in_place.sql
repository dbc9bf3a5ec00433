-- syndic schema, version 29: on SQLite, one row per listing and day, updated in place, and
-- a tag's days found through each post's own links.
--
-- Version 28 added a row of change (+1, -1) to `listing_days` for every post entering or
-- leaving a listing, folded by the indexing passes, so that PostgreSQL's concurrent
-- writers never wait on one counter row. SQLite has one writer at a time, and there the
-- change rows only cost: every ingest wrote a row for each post, source and tag link at
-- scattered places of an index that grew until the next fold. Here each listing day is
-- one row (the table is its own index, `WITHOUT ROWID`), and the triggers add to it.
--
-- Version 28's triggers on post_tags also asked whether a post already had another listed
-- link to the same tag on the same day through the tag's archive index
-- (`post_tags_by_tag_time`: the tag, then every dated link of it), chosen by SQLite without
-- statistics, instead of the post's primary key: each new link read its whole tag. The
-- unary `+` on `tag_id` keeps that column out of any index choice, which leaves the
-- primary key (post_id first: the post's few links).
--
-- Measured (`cargo bench --bench engines`, 100,000 posts over 1,000 sources): ingest
-- 2,231 posts/s before version 28, 1,473 with it.

DROP TRIGGER posts_enter_listing_days;
DROP TRIGGER posts_leave_listing_days;
DROP TRIGGER posts_move_listing_days;
DROP TRIGGER post_sources_enter_listing_days;
DROP TRIGGER post_sources_leave_listing_days;
DROP TRIGGER post_sources_move_listing_days;
DROP TRIGGER post_tags_enter_listing_days;
DROP TRIGGER post_tags_leave_listing_days;
DROP TRIGGER post_tags_move_listing_days;

CREATE TABLE listing_days_summed (
    kind  INTEGER NOT NULL,
    key   INTEGER NOT NULL,
    day   INTEGER NOT NULL,
    posts INTEGER NOT NULL,
    PRIMARY KEY (kind, key, day DESC)
) WITHOUT ROWID;

INSERT INTO listing_days_summed (kind, key, day, posts)
SELECT kind, key, day, SUM(posts) FROM listing_days GROUP BY kind, key, day;

DROP TABLE listing_days;
ALTER TABLE listing_days_summed RENAME TO listing_days;

-- The days a fold drops: those a post left and no other post is on.
CREATE INDEX listing_days_empty ON listing_days (kind) WHERE posts = 0;

-- Every published post.
CREATE TRIGGER posts_enter_listing_days AFTER INSERT ON posts
WHEN new.state = 'published' AND new.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts) VALUES (0, 0, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER posts_leave_listing_days AFTER DELETE ON posts
WHEN old.state = 'published' AND old.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts) VALUES (0, 0, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER posts_move_listing_days AFTER UPDATE OF state, published_at ON posts
WHEN old.state IS NOT new.state OR old.published_at IS NOT new.published_at BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 0, 0, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1
    WHERE old.state = 'published' AND old.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 0, 0, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1
    WHERE new.state = 'published' AND new.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

-- A source's page: one post_sources row per post and source.
CREATE TRIGGER post_sources_enter_listing_days AFTER INSERT ON post_sources
WHEN new.listed = 1 AND new.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (2, new.source_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_sources_leave_listing_days AFTER DELETE ON post_sources
WHEN old.listed = 1 AND old.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (2, old.source_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_sources_move_listing_days AFTER UPDATE OF listed, published_at, source_id
ON post_sources
WHEN old.listed IS NOT new.listed OR old.published_at IS NOT new.published_at
     OR old.source_id IS NOT new.source_id BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 2, old.source_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1
    WHERE old.listed = 1 AND old.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 2, new.source_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1
    WHERE new.listed = 1 AND new.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

-- A tag's archive: a post linked for several reasons counts once. A link counts when it
-- enters a day no other listed link of its post and tag is on, and uncounts when it
-- leaves a day no other one stays on. (SQLite runs a row's triggers as the row changes,
-- so the other links are seen as they are at that moment.)
CREATE TRIGGER post_tags_enter_listing_days AFTER INSERT ON post_tags
WHEN new.listed = 1 AND new.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = new.post_id AND +o.tag_id = new.tag_id AND o.origin <> new.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400) BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (1, new.tag_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_tags_leave_listing_days AFTER DELETE ON post_tags
WHEN old.listed = 1 AND old.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = old.post_id AND +o.tag_id = old.tag_id AND o.origin <> old.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400) BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (1, old.tag_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_tags_move_listing_days AFTER UPDATE OF listed, published_at ON post_tags
WHEN old.listed IS NOT new.listed OR old.published_at IS NOT new.published_at BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 1, old.tag_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1
    WHERE old.listed = 1 AND old.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = old.post_id AND +o.tag_id = old.tag_id AND o.origin <> old.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 1, new.tag_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1
    WHERE new.listed = 1 AND new.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = new.post_id AND +o.tag_id = new.tag_id AND o.origin <> new.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;
