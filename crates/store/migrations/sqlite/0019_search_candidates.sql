-- syndic schema, version 19: the search index keeps which posts hold a word, not where.
--
-- FTS5 with detail = none lists, per token, the posts that hold it (no columns, no
-- positions): about a fifth of the bytes of the full index. It is the candidate filter of
-- a search; phrases and ranking are checked in Rust over the texts of a bounded number of
-- candidates (crate::search). The table starts again, empty, with every post waiting to
-- be indexed (the first writable open writes it).

DROP TRIGGER IF EXISTS posts_fts_after_delete;
DROP TABLE IF EXISTS posts_fts;

CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    content_text,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- A deleted post leaves the index at once.
CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
END;

INSERT INTO search_pending (post_id) SELECT id FROM posts WHERE TRUE ON CONFLICT DO NOTHING;
