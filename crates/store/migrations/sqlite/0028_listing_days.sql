-- syndic schema, version 28: each listing's posts counted per day, so that a page is found
-- without counting or walking the listing (#11 point 3, #12's archive aim).
--
-- A tag archive's page 11,326 of a tag with 226,515 posts took 48 ms at a million posts:
-- the page counted the whole listing (twice, for the tag's heading and for the page count)
-- and then skipped 113,000 index entries. With the posts of each listing counted per day
-- (UTC), the count is a sum over the listing's days, and a page is found by walking the
-- days (`listing/days.rs`, a pure function): the page's keys are then read from the day
-- it starts on, skipping only that day's newer posts.
--
-- `listing_days` holds changes, not totals: each row says how many posts a listing gained
-- (or lost, when negative) on one day; a day's count is the sum of its rows. Triggers add a
-- row whenever a post enters or leaves a listing, so every writer keeps it right and no
-- two writers ever update one row (concurrent ingests never wait on each other for a
-- count, on either engine). The indexing pass folds each day's rows into one
-- (`Store::fold_listing_days`).
--
-- kind 0: every published post (key 0); kind 1: a tag's archive (key: the tag's id), each
-- post counted once however many reasons link it; kind 2: a source's page (key: the
-- source's id), through post_sources. A post is in a listing while it is listed there
-- (published) and has a publication time; its day is `floor(published_at / 86400)`.

CREATE TABLE listing_days (
    id    INTEGER PRIMARY KEY,
    kind  INTEGER NOT NULL,
    key   INTEGER NOT NULL,
    day   INTEGER NOT NULL,
    posts INTEGER NOT NULL
);

CREATE INDEX listing_days_by_day ON listing_days (kind, key, day DESC, posts);

-- Every published post.
CREATE TRIGGER posts_enter_listing_days AFTER INSERT ON posts
WHEN new.state = 'published' AND new.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts) VALUES (0, 0, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1);
END;

CREATE TRIGGER posts_leave_listing_days AFTER DELETE ON posts
WHEN old.state = 'published' AND old.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts) VALUES (0, 0, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1);
END;

CREATE TRIGGER posts_move_listing_days AFTER UPDATE OF state, published_at ON posts
WHEN old.state IS NOT new.state OR old.published_at IS NOT new.published_at BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 0, 0, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1
    WHERE old.state = 'published' AND old.published_at IS NOT NULL;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 0, 0, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1
    WHERE new.state = 'published' AND new.published_at IS NOT NULL;
END;

-- A source's page: one post_sources row per post and source.
CREATE TRIGGER post_sources_enter_listing_days AFTER INSERT ON post_sources
WHEN new.listed = 1 AND new.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (2, new.source_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1);
END;

CREATE TRIGGER post_sources_leave_listing_days AFTER DELETE ON post_sources
WHEN old.listed = 1 AND old.published_at IS NOT NULL BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (2, old.source_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1);
END;

CREATE TRIGGER post_sources_move_listing_days AFTER UPDATE OF listed, published_at, source_id
ON post_sources
WHEN old.listed IS NOT new.listed OR old.published_at IS NOT new.published_at
     OR old.source_id IS NOT new.source_id BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 2, old.source_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1
    WHERE old.listed = 1 AND old.published_at IS NOT NULL;
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 2, new.source_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1
    WHERE new.listed = 1 AND new.published_at IS NOT NULL;
END;

-- A tag's archive: a post linked for several reasons counts once. A link counts when it
-- enters a day no other listed link of its post and tag is on, and uncounts when it
-- leaves a day no other one stays on. (SQLite runs a row's triggers as the row changes,
-- so the other links are seen as they are at that moment.)
CREATE TRIGGER post_tags_enter_listing_days AFTER INSERT ON post_tags
WHEN new.listed = 1 AND new.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = new.post_id AND o.tag_id = new.tag_id AND o.origin <> new.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400) BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (1, new.tag_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1);
END;

CREATE TRIGGER post_tags_leave_listing_days AFTER DELETE ON post_tags
WHEN old.listed = 1 AND old.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = old.post_id AND o.tag_id = old.tag_id AND o.origin <> old.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400) BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    VALUES (1, old.tag_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1);
END;

CREATE TRIGGER post_tags_move_listing_days AFTER UPDATE OF listed, published_at ON post_tags
WHEN old.listed IS NOT new.listed OR old.published_at IS NOT new.published_at BEGIN
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 1, old.tag_id, ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400, -1
    WHERE old.listed = 1 AND old.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = old.post_id AND o.tag_id = old.tag_id AND o.origin <> old.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((old.published_at) - (((old.published_at) % 86400) + 86400) % 86400) / 86400);
    INSERT INTO listing_days (kind, key, day, posts)
    SELECT 1, new.tag_id, ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400, 1
    WHERE new.listed = 1 AND new.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post_tags o WHERE o.post_id = new.post_id AND o.tag_id = new.tag_id AND o.origin <> new.origin AND o.listed = 1 AND o.published_at IS NOT NULL AND ((o.published_at) - (((o.published_at) % 86400) + 86400) % 86400) / 86400 = ((new.published_at) - (((new.published_at) % 86400) + 86400) % 86400) / 86400);
END;

-- The counts of what the store holds now.
INSERT INTO listing_days (kind, key, day, posts)
SELECT 0, 0, day, COUNT(*) FROM (
    SELECT ((published_at) - (((published_at) % 86400) + 86400) % 86400) / 86400 AS day FROM posts
    WHERE state = 'published' AND published_at IS NOT NULL
) GROUP BY day;

INSERT INTO listing_days (kind, key, day, posts)
SELECT 2, source_id, day, COUNT(*) FROM (
    SELECT source_id, ((published_at) - (((published_at) % 86400) + 86400) % 86400) / 86400 AS day FROM post_sources
    WHERE listed = 1 AND published_at IS NOT NULL
) GROUP BY source_id, day;

INSERT INTO listing_days (kind, key, day, posts)
SELECT 1, tag_id, day, COUNT(*) FROM (
    SELECT DISTINCT tag_id, post_id, ((published_at) - (((published_at) % 86400) + 86400) % 86400) / 86400 AS day FROM post_tags
    WHERE listed = 1 AND published_at IS NOT NULL
) GROUP BY tag_id, day;
