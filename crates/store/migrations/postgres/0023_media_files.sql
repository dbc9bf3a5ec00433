-- syndic schema, version 23: cached images kept in the store (#16).
-- The same tables as ../sqlite/0023_media_files.sql, which says what they mean.

CREATE TABLE media_files (
    hash         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    content_type TEXT COLLATE "C" NOT NULL,
    size         BIGINT NOT NULL,
    stored_at    BIGINT NOT NULL,
    bytes        BYTEA  NOT NULL
);
-- The images are compressed already: keep them out of line, uncompressed.
ALTER TABLE media_files ALTER COLUMN bytes SET STORAGE EXTERNAL;

CREATE TABLE media_urls (
    url_key TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    hash    TEXT COLLATE "C" NOT NULL REFERENCES media_files (hash) ON DELETE CASCADE
);

CREATE INDEX media_urls_by_hash ON media_urls (hash);
