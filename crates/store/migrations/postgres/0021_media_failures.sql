-- syndic schema, version 21: the images the media cache could not keep (#16).
-- The same table as ../sqlite/0021_media_failures.sql, which says what it means.

CREATE TABLE media_failures (
    url_key         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    url             TEXT COLLATE "C" NOT NULL,
    source_id       BIGINT REFERENCES sources (id) ON DELETE SET NULL,
    error           TEXT COLLATE "C" NOT NULL,
    failures        BIGINT NOT NULL,
    first_failed_at BIGINT NOT NULL,
    last_failed_at  BIGINT NOT NULL,
    next_try_at     BIGINT NOT NULL
);

CREATE INDEX media_failures_by_source ON media_failures (source_id, next_try_at);
