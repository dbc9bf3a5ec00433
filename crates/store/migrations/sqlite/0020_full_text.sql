-- syndic schema, version 20: where a post's text came from (#16, full text).
--
-- post_full_text: one row per post of a source with `full_content`, once its page was
-- looked at or queued. `state`: 'pending' (queued: `retry_at` says from when), 'page'
-- (the text is the article extracted from `page_url`, read at `checked_at`), 'feed' (the
-- page was read but its text was not clearly longer, or the feed's text was kept for
-- `reason`), 'failed' (robots.txt refused the page, the fetch or the extraction failed:
-- `reason`; `failures` counts the tries, `retry_at` is the next one, NULL once given
-- up). `feed_digest` (SHA-256 of the feed's HTML as stored before the page's replaced it)
-- and `feed_words` (its words) let the next fetch of the feed tell an unchanged item,
-- whose page text stays, from an edited one. Posts without a row have their feed's text.
CREATE TABLE post_full_text (
    post_id     INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    state       TEXT    NOT NULL,
    page_url    TEXT,
    checked_at  INTEGER,
    reason      TEXT    NOT NULL DEFAULT '',
    failures    INTEGER NOT NULL DEFAULT 0,
    retry_at    INTEGER,
    feed_digest TEXT,
    feed_words  INTEGER
);
CREATE INDEX post_full_text_due ON post_full_text (retry_at) WHERE retry_at IS NOT NULL;
