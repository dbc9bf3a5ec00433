-- syndic schema, version 18: the files a post carries (#16).
--
-- post_enclosures: one row per enclosure of a post (RSS `<enclosure>`, Atom
-- `rel="enclosure"`, JSON Feed attachment, Media RSS `media:content`), `position` 0, 1, …
-- in the feed's order. `url` is an absolute http(s) address; `mime_type` as the feed wrote
-- it ('' when it gave none); `length` in bytes and `duration` in seconds, NULL when
-- unknown; `title` plain text; `thumbnail` an absolute http(s) address of a picture
-- standing for the file (a media cache may later point it at a local copy). The ingest
-- replaces a post's rows in its transaction when the feed's list changes; they go with
-- the post.
CREATE TABLE post_enclosures (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    url       TEXT    NOT NULL,
    mime_type TEXT    NOT NULL DEFAULT '',
    length    INTEGER,
    title     TEXT,
    thumbnail TEXT,
    duration  INTEGER,
    PRIMARY KEY (post_id, position)
);
