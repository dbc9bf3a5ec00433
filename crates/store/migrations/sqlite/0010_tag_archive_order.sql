-- syndic schema, version 10: tag archives read in order from an index.
--
-- A tag's archive lists its posts newest first. post_tags knew only (tag_id, post_id), so
-- every page of an archive read the publication time of each of the tag's posts and sorted
-- them all (120 ms a page for a tag of 36,000 posts). Each link now carries its post's
-- publication time, and one index holds a tag's links in archive order: a page is a walk
-- of that index alone, whatever the tag's size, and its count is an index-only count.
--
-- Writers give the time (the post's, read in the same statement); a link written without
-- it gets it from its post here, so any writer leaves it right. A post whose publication
-- time changes moves its links with it.

ALTER TABLE post_tags ADD COLUMN published_at INTEGER;

UPDATE post_tags SET published_at = (SELECT p.published_at FROM posts p WHERE p.id = post_tags.post_id);

-- The new index leads with tag_id too, so it also serves every lookup the old one did.
DROP INDEX post_tags_by_tag;
CREATE INDEX post_tags_by_tag_time ON post_tags (tag_id, published_at DESC, post_id DESC);

CREATE TRIGGER post_tags_published_at_default AFTER INSERT ON post_tags
WHEN new.published_at IS NULL BEGIN
    UPDATE post_tags SET published_at = (SELECT p.published_at FROM posts p WHERE p.id = new.post_id)
    WHERE rowid = new.rowid;
END;

CREATE TRIGGER posts_published_at_moves_links AFTER UPDATE OF published_at ON posts
WHEN old.published_at IS NOT new.published_at BEGIN
    UPDATE post_tags SET published_at = new.published_at WHERE post_id = new.id;
END;
