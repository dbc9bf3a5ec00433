-- syndic schema, version 2: full-text search over post titles and texts.
--
-- posts_fts indexes posts (title, content_text) without keeping a copy of them
-- (external content): triggers keep the index in step with the posts table, and
-- snippet() reads the text back from posts by rowid. The porter stemmer over unicode61
-- (diacritics folded) lets "clusters" find "cluster" and "cafe" find "café".

CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    content_text,
    content = 'posts',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER posts_fts_after_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, content_text)
    VALUES (new.id, new.title, new.content_text);
END;

CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, content_text)
    VALUES ('delete', old.id, old.title, old.content_text);
END;

-- Only a change of the indexed text re-indexes a post.
CREATE TRIGGER posts_fts_after_update AFTER UPDATE OF title, content_text ON posts
WHEN old.title IS NOT new.title OR old.content_text IS NOT new.content_text BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, content_text)
    VALUES ('delete', old.id, old.title, old.content_text);
    INSERT INTO posts_fts (rowid, title, content_text)
    VALUES (new.id, new.title, new.content_text);
END;

-- Index the posts stored before this migration.
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
