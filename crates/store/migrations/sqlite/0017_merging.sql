-- syndic schema, version 17: one post however many feeds carry it (#14).
--
-- sources.priority: the `[[source]] priority` (default 0). A merged post is credited to
-- its first source, unless a copy arrives from a source of higher priority.
ALTER TABLE sources ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

-- post_sources: every source that carries a post, its own source (posts.source_id, the
-- one credited) included, each with its own item guid, link and first-seen time, and why
-- it was merged: 'own' (the copy the post was stored from), 'link' (the same normalised
-- link), 'original link' (a FeedBurner origLink or an Atom via link naming the same
-- page), 'fingerprint' (near-identical title and text; `distance` bits apart).
-- `fingerprint` is that copy's SimHash (NULL for a post too short to have one).
-- `published_at` and `listed` follow the post (triggers, as for post_tags), so that a
-- source's page walks post_sources_by_source_time and lists the posts merged into others.
CREATE TABLE post_sources (
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid         TEXT    NOT NULL,
    link         TEXT,
    seen_at      INTEGER NOT NULL,
    why          TEXT    NOT NULL,
    distance     INTEGER,
    fingerprint  INTEGER,
    published_at INTEGER,
    listed       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (post_id, source_id)
);

CREATE UNIQUE INDEX post_sources_by_guid ON post_sources (source_id, guid);
CREATE INDEX post_sources_by_source_time ON post_sources (source_id, published_at DESC, post_id DESC)
    WHERE listed = 1;

INSERT INTO post_sources (post_id, source_id, guid, link, seen_at, why, published_at, listed)
SELECT id, source_id, guid, link, first_seen_at, 'own', published_at, state = 'published'
FROM posts;

CREATE TRIGGER post_sources_defaults AFTER INSERT ON post_sources BEGIN
    UPDATE post_sources SET
        published_at = (SELECT p.published_at FROM posts p WHERE p.id = new.post_id),
        listed = (SELECT p.state = 'published' FROM posts p WHERE p.id = new.post_id)
    WHERE post_id = new.post_id AND source_id = new.source_id;
END;

CREATE TRIGGER posts_published_at_moves_sources AFTER UPDATE OF published_at ON posts
WHEN old.published_at IS NOT new.published_at BEGIN
    UPDATE post_sources SET published_at = new.published_at WHERE post_id = new.id;
END;

CREATE TRIGGER posts_state_moves_sources AFTER UPDATE OF state ON posts
WHEN old.state IS NOT new.state BEGIN
    UPDATE post_sources SET listed = (new.state = 'published') WHERE post_id = new.id;
END;

-- article_links: the normalised links of every copy (syndic_core::article::link_hash of
-- link_key), its item link (original = 0) and the origLink/via links it names
-- (original = 1), so an incoming entry finds the post with its page in one index seek.
CREATE TABLE article_links (
    link_hash INTEGER NOT NULL,
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    original  INTEGER NOT NULL,
    PRIMARY KEY (link_hash, post_id, source_id)
);

-- fingerprint_bands: each copy's fingerprint cut into four 16-bit bands (`band << 16 |
-- bits`), with the post's time: fingerprints at most 3 bits apart share a band, so the
-- candidates of an entry are four index seeks within 14 days of its date.
CREATE TABLE fingerprint_bands (
    band         INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    PRIMARY KEY (band, published_at, post_id, source_id)
);

-- merge_vetoes: `syndic post split POST SOURCE` decided this source's copy is not this
-- post: it never merges into it again.
CREATE TABLE merge_vetoes (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, source_id)
);
