-- syndic schema, version 17: one post however many feeds carry it (#14). The same tables,
-- columns and meaning as ../sqlite/0017_merging.sql, which says what they mean.

ALTER TABLE sources ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;

CREATE TABLE post_sources (
    post_id      BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id    BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid         TEXT COLLATE "C" NOT NULL,
    link         TEXT COLLATE "C",
    seen_at      BIGINT NOT NULL,
    why          TEXT COLLATE "C" NOT NULL,
    distance     BIGINT,
    fingerprint  BIGINT,
    published_at BIGINT NOT NULL,
    listed       BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (post_id, source_id)
);

-- Guids may be longer than a B-tree entry allows: unique through a digest, as for posts.
CREATE UNIQUE INDEX post_sources_by_guid ON post_sources (source_id, md5(guid));
CREATE INDEX post_sources_by_guid_value ON post_sources USING hash (guid);
CREATE INDEX post_sources_by_source_time ON post_sources (source_id, published_at DESC, post_id DESC)
    WHERE listed = 1;

INSERT INTO post_sources (post_id, source_id, guid, link, seen_at, why, published_at, listed)
SELECT id, source_id, guid, link, first_seen_at, 'own', published_at,
       CASE WHEN state = 'published' THEN 1 ELSE 0 END
FROM posts;

CREATE FUNCTION syndic_post_sources_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT p.published_at, CASE WHEN p.state = 'published' THEN 1 ELSE 0 END
    INTO NEW.published_at, NEW.listed
    FROM posts p WHERE p.id = NEW.post_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER post_sources_defaults BEFORE INSERT ON post_sources
FOR EACH ROW EXECUTE FUNCTION syndic_post_sources_defaults();

CREATE FUNCTION syndic_posts_move_sources() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_sources SET published_at = NEW.published_at,
        listed = CASE WHEN NEW.state = 'published' THEN 1 ELSE 0 END
    WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_move_sources AFTER UPDATE OF published_at, state ON posts
FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at
                   OR OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION syndic_posts_move_sources();

CREATE TABLE article_links (
    link_hash BIGINT NOT NULL,
    post_id   BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    original  BIGINT NOT NULL,
    PRIMARY KEY (link_hash, post_id, source_id)
);

CREATE TABLE fingerprint_bands (
    band         BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    post_id      BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id    BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    PRIMARY KEY (band, published_at, post_id, source_id)
);

CREATE TABLE merge_vetoes (
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id  BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, source_id)
);
