-- syndic schema, version 12, after every body was written.

-- A post's search document (title weight A, text B: syndic_search_document), written by
-- the indexer. The documents stored so far were made by the same function: kept.
CREATE TABLE search_documents (
    post_id  BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    document TSVECTOR NOT NULL
);
INSERT INTO search_documents (post_id, document) SELECT id, search_vector FROM posts;
CREATE INDEX search_documents_by_word ON search_documents USING gin (document);

-- Posts whose search document must be written again (new or changed title or text).
-- Ingest adds to it in its own transaction; the indexer empties it in batches.
CREATE TABLE search_pending (
    post_id BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE
);

ALTER TABLE posts
    DROP COLUMN content_html,
    DROP COLUMN content_text,
    DROP COLUMN search_vector;
