-- syndic schema, version 23: cached images kept in the store (`[media] keep = "store"`, #16),
-- so a web node on another machine serves what a worker fetched without a shared disk.
--
-- media_files: one row per cached image, content-addressed: `hash` is the sha256 of
-- `bytes` in lowercase hex (the name in `/media/<hash>`); `content_type` the raster type
-- sniffed from the bytes when they were kept; `size` their length (what the budget
-- counts); `stored_at` when it was first kept, in Unix seconds (`syndic media gc` spares
-- a young row a post may not show yet). The bytes are served as fetched, never re-encoded.
CREATE TABLE media_files (
    hash         TEXT    NOT NULL PRIMARY KEY,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    stored_at    INTEGER NOT NULL,
    bytes        BLOB    NOT NULL
);

-- media_urls: which image address became which file (the store's URL map; the disk keeps
-- its own under `<media dir>/urls/`), so an image is read once however often its feed is
-- fetched. `url_key` is the sha256 of the address in lowercase hex. A file removed by
-- `syndic media gc` takes its addresses with it, so they are fetched again if shown.
CREATE TABLE media_urls (
    url_key TEXT NOT NULL PRIMARY KEY,
    hash    TEXT NOT NULL REFERENCES media_files (hash) ON DELETE CASCADE
);

CREATE INDEX media_urls_by_hash ON media_urls (hash);
