-- syndic schema, version 18: the files a post carries (#16).
-- The same table as ../sqlite/0018_enclosures.sql, which says what it means.

CREATE TABLE post_enclosures (
    post_id   BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position  BIGINT NOT NULL,
    url       TEXT COLLATE "C" NOT NULL,
    mime_type TEXT COLLATE "C" NOT NULL DEFAULT '',
    length    BIGINT,
    title     TEXT COLLATE "C",
    thumbnail TEXT COLLATE "C",
    duration  BIGINT,
    PRIMARY KEY (post_id, position)
);
