-- syndic schema, version 4: what the polite fetcher and its scheduler keep per source.
--
-- Validators are stored exactly as the server sent them (ETag, Last-Modified) for the next
-- conditional GET; body_hash lets an unchanged body skip parsing. next_fetch_at and
-- wait_until (a Retry-After) survive restarts, so nothing is polled early; a source is due
-- when both have passed. gone sources (HTTP 410) are never due.

ALTER TABLE sources ADD COLUMN etag TEXT;
ALTER TABLE sources ADD COLUMN last_modified TEXT;
ALTER TABLE sources ADD COLUMN body_hash TEXT;
ALTER TABLE sources ADD COLUMN status TEXT NOT NULL DEFAULT 'ok'
    CHECK (status IN ('ok', 'failing', 'waiting', 'gone'));
ALTER TABLE sources ADD COLUMN next_fetch_at INTEGER;
ALTER TABLE sources ADD COLUMN wait_until INTEGER;
ALTER TABLE sources ADD COLUMN failing_since INTEGER;
ALTER TABLE sources ADD COLUMN gone_at INTEGER;
ALTER TABLE sources ADD COLUMN last_status_code INTEGER;

CREATE INDEX sources_by_next_fetch ON sources (next_fetch_at);

-- Where a source was read from before a permanent redirect (301/308) moved it.
CREATE TABLE source_urls (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    replaced_at INTEGER NOT NULL
);

CREATE INDEX source_urls_by_source ON source_urls (source_id, replaced_at);
CREATE INDEX source_urls_by_url ON source_urls (url);

-- Sources whose last fetch failed are failing since then (the first failure is unknown).
UPDATE sources SET status = 'failing', failing_since = COALESCE(last_fetch_at, created_at)
WHERE error_count > 0;
