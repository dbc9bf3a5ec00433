-- syndic schema, version 21: the images the media cache could not keep (#16).
--
-- media_failures: one row per image address (an `<img src>`, a `srcset` candidate or an
-- enclosure's thumbnail) whose last try failed. `url_key` is the sha256 of `url` in
-- lowercase hex (an address can outgrow an index entry); `source_id` the source whose
-- post showed it last; `error` why, as a person reads it; `failures` how many tries in a
-- row failed; `first_failed_at`, `last_failed_at` and `next_try_at` in Unix seconds. The
-- backoff (`next_try_at`) is decided in Rust (syndic_core::media::next_try). A success
-- deletes the row.
CREATE TABLE media_failures (
    url_key         TEXT    NOT NULL PRIMARY KEY,
    url             TEXT    NOT NULL,
    source_id       INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    error           TEXT    NOT NULL,
    failures        INTEGER NOT NULL,
    first_failed_at INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL,
    next_try_at     INTEGER NOT NULL
);

-- A source's failures that are due again: whether its next fetch re-reads its feed.
CREATE INDEX media_failures_by_source ON media_failures (source_id, next_try_at);
