-- syndic schema, version 30: a listing is counted per span of 16 days, not per day.
--
-- A page of a listing is found by summing its rows from the newest until the one holding
-- the page's first post. At a million posts spread over thirteen years the biggest tag had
-- 4,862 day rows; summing them took SQLite about 0.55 microseconds a row (3 ms for the
-- tag's last page) and its size alone 0.3 ms. A span of 16 days keeps a year of a listing
-- in 23 rows, while the posts a page still skips within its span stay few (a page walks
-- from the nearer end of its span, so at most half of it): 47 posts a day on that tag make
-- spans of about 750 posts, a skip of at most 375 index entries, about 30 microseconds.
--
-- A row's `day` is now the first day of its span (days since 1970-01-01, a multiple of
-- 16), `floor(published_at / 1382400) * 16`. The triggers are version 29's with that
-- expression for the day; the rows of each span are summed into one.

DROP TRIGGER posts_enter_listing_days;
DROP TRIGGER posts_leave_listing_days;
DROP TRIGGER posts_move_listing_days;
DROP TRIGGER post_sources_enter_listing_days;
DROP TRIGGER post_sources_leave_listing_days;
DROP TRIGGER post_sources_move_listing_days;
DROP TRIGGER post_tags_enter_listing_days;
DROP TRIGGER post_tags_leave_listing_days;
DROP TRIGGER post_tags_move_listing_days;

CREATE TABLE listing_spans (
    kind  INTEGER NOT NULL,
    key   INTEGER NOT NULL,
    day   INTEGER NOT NULL,
    posts INTEGER NOT NULL,
    PRIMARY KEY (kind, key, day DESC)
) WITHOUT ROWID;

-- A day's span starts on the day rounded down to a multiple of 16.
INSERT INTO listing_spans (kind, key, day, posts)
SELECT kind, key, day - ((day % 16) + 16) % 16, SUM(posts) FROM listing_days
GROUP BY 1, 2, 3 HAVING SUM(posts) <> 0;

DROP TABLE listing_days;
ALTER TABLE listing_spans RENAME TO listing_days;

-- The spans a fold drops: those a post left and no other post is in.
CREATE INDEX listing_days_empty ON listing_days (kind) WHERE posts = 0;

-- Every published post.
CREATE TRIGGER posts_enter_listing_days AFTER INSERT ON posts
WHEN new.state = 'published' AND new.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts) VALUES (0, 0, ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400, 1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER posts_leave_listing_days AFTER DELETE ON posts
WHEN old.state = 'published' AND old.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts) VALUES (0, 0, ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400, -1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER posts_move_listing_days AFTER UPDATE OF state, published_at ON posts
WHEN old.state IS NOT new.state OR old.published_at IS NOT new.published_at BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 0, 0, ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400, -1
    WHERE old.state = 'published' AND old.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 0, 0, ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400, 1
    WHERE new.state = 'published' AND new.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

-- A source's page: one post_sources row per post and source.
CREATE TRIGGER post_sources_enter_listing_days AFTER INSERT ON post_sources
WHEN new.listed = 1 AND new.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (2, new.source_id, ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400, 1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_sources_leave_listing_days AFTER DELETE ON post_sources
WHEN old.listed = 1 AND old.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (2, old.source_id, ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400, -1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_sources_move_listing_days AFTER UPDATE OF listed, published_at, source_id
ON post_sources
WHEN old.listed IS NOT new.listed OR old.published_at IS NOT new.published_at
     OR old.source_id IS NOT new.source_id BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 2, old.source_id, ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400, -1
    WHERE old.listed = 1 AND old.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 2, new.source_id, ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400, 1
    WHERE new.listed = 1 AND new.published_at IS NOT NULL
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

-- A tag's archive: a post linked for several reasons counts once. A link counts when it
-- enters a span no other listed link of its post and tag is in, and uncounts when it
-- leaves a span no other one stays in. (SQLite runs a row's triggers as the row changes,
-- so the other links are seen as they are at that moment.)
CREATE TRIGGER post_tags_enter_listing_days AFTER INSERT ON post_tags
WHEN new.listed = 1 AND new.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = new.post_id AND +o.tag_id = new.tag_id AND o.origin <> new.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 1382400) + 1382400) % 1382400) / 86400 = ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400) BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (1, new.tag_id, ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400, 1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_tags_leave_listing_days AFTER DELETE ON post_tags
WHEN old.listed = 1 AND old.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = old.post_id AND +o.tag_id = old.tag_id AND o.origin <> old.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 1382400) + 1382400) % 1382400) / 86400 = ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400) BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (1, old.tag_id, ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400, -1)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;

CREATE TRIGGER post_tags_move_listing_days AFTER UPDATE OF listed, published_at ON post_tags
WHEN old.listed IS NOT new.listed OR old.published_at IS NOT new.published_at BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 1, old.tag_id, ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400, -1
    WHERE old.listed = 1 AND old.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = old.post_id AND +o.tag_id = old.tag_id AND o.origin <> old.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 1382400) + 1382400) % 1382400) / 86400 = ((old.published_at) - (((old.published_at) % 1382400) + 1382400) % 1382400) / 86400)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 1, new.tag_id, ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400, 1
    WHERE new.listed = 1 AND new.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = new.post_id AND +o.tag_id = new.tag_id AND o.origin <> new.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 1382400) + 1382400) % 1382400) / 86400 = ((new.published_at) - (((new.published_at) % 1382400) + 1382400) % 1382400) / 86400)
    ON CONFLICT (kind, key, day) DO UPDATE SET posts = posts + excluded.posts;
END;
