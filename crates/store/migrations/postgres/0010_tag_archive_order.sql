-- syndic schema, version 10: tag archives read in order from an index (see
-- ../sqlite/0010_tag_archive_order.sql for why). Each link carries its post's publication
-- time; writers give it, a trigger fills it for a writer that does not, and a post whose
-- publication time changes moves its links with it.

ALTER TABLE post_tags ADD COLUMN published_at BIGINT;

UPDATE post_tags pt SET published_at = p.published_at FROM posts p WHERE p.id = pt.post_id;

ALTER TABLE post_tags ALTER COLUMN published_at SET NOT NULL;

DROP INDEX post_tags_by_tag;
CREATE INDEX post_tags_by_tag_time ON post_tags (tag_id, published_at DESC, post_id DESC);

CREATE FUNCTION syndic_post_tags_published_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT p.published_at INTO NEW.published_at FROM posts p WHERE p.id = NEW.post_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER post_tags_published_at_default BEFORE INSERT ON post_tags
FOR EACH ROW WHEN (NEW.published_at IS NULL)
EXECUTE FUNCTION syndic_post_tags_published_at();

CREATE FUNCTION syndic_posts_published_at_moves_links() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_tags SET published_at = NEW.published_at WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_published_at_moves_links AFTER UPDATE OF published_at ON posts
FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
EXECUTE FUNCTION syndic_posts_published_at_moves_links();
