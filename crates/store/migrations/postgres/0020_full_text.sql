-- syndic schema, version 20: where a post's text came from (#16, full text).
-- The same table as ../sqlite/0020_full_text.sql, which says what it means.

CREATE TABLE post_full_text (
    post_id     BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    state       TEXT COLLATE "C" NOT NULL,
    page_url    TEXT COLLATE "C",
    checked_at  BIGINT,
    reason      TEXT COLLATE "C" NOT NULL DEFAULT '',
    failures    BIGINT NOT NULL DEFAULT 0,
    retry_at    BIGINT,
    feed_digest TEXT COLLATE "C",
    feed_words  BIGINT
);
CREATE INDEX post_full_text_due ON post_full_text (retry_at) WHERE retry_at IS NOT NULL;
