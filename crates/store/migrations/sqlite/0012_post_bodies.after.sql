-- syndic schema, version 12, after every body was written: the old columns go, and the
-- search index starts again, empty, with every post waiting to be indexed.

ALTER TABLE posts DROP COLUMN content_html;
ALTER TABLE posts DROP COLUMN content_text;

-- Contentless: the index keeps no copy of the text (the store has it, compressed), only
-- what matching and ranking need; contentless_delete lets a post's entry be removed by
-- its id alone. Tokenizing as before: porter stemming over unicode61, diacritics folded.
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    content_text,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Posts whose index entry must be written again (new or changed title or text). Ingest
-- adds to it in its own transaction; the indexer empties it in batches.
CREATE TABLE search_pending (
    post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE
);

-- A deleted post leaves the index at once.
CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
END;

INSERT INTO search_pending (post_id) SELECT id FROM posts;
