-- syndic schema, version 1.
-- Times are UTC seconds since the Unix epoch (INTEGER), the same on every backend.

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    url             TEXT    NOT NULL UNIQUE,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT,               -- the operator's name for it, from the config
    feed_title      TEXT,               -- what the feed calls itself
    site_url        TEXT,
    description     TEXT,
    created_at      INTEGER NOT NULL,
    last_fetch_at   INTEGER,
    last_success_at INTEGER,
    last_error      TEXT,
    error_count     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid          TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    link          TEXT,
    author        TEXT,
    published_at  INTEGER NOT NULL,
    updated_at    INTEGER,
    first_seen_at INTEGER NOT NULL,
    content_html  TEXT    NOT NULL,
    content_text  TEXT    NOT NULL,
    categories    TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    UNIQUE (source_id, guid)
);

CREATE INDEX posts_by_published ON posts (published_at DESC, id DESC);
CREATE INDEX posts_by_source ON posts (source_id, published_at DESC, id DESC);
CREATE INDEX posts_by_link ON posts (link);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    slug       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Why a post carries a tag: one row per reason, so a post tagged by a term and by its
-- source's rule keeps both.
CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    origin  TEXT    NOT NULL CHECK (origin IN ('term', 'source', 'category', 'manual')),
    detail  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, tag_id, origin)
);

CREATE INDEX post_tags_by_tag ON post_tags (tag_id, post_id);
