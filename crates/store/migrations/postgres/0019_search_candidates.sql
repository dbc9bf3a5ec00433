-- syndic schema, version 19: a post's search document keeps its lexemes only.
--
-- The document is the candidate filter of a search (its GIN index answers "which posts
-- hold every word"); phrases and ranking are checked in Rust over the texts of a bounded
-- number of candidates (crate::search), so positions and weights are not kept (strip).
-- Every document is written again by the indexer (every post listed as pending).

CREATE OR REPLACE FUNCTION syndic_search_document(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT strip(to_tsvector('syndic_search', syndic_fold(coalesce(title, '')))
        || to_tsvector('syndic_search', syndic_fold(left(coalesce(body, ''), 200000))))
$$;

DELETE FROM search_documents;
INSERT INTO search_pending (post_id) SELECT id FROM posts ON CONFLICT DO NOTHING;

-- Bodies are compressed by the store (zstd): TOAST stores them out of line as they are
-- instead of trying its own compression first.
ALTER TABLE posts ALTER COLUMN body SET STORAGE EXTERNAL;
