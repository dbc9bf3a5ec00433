-- syndic schema, version 25: a post's search document is the keys of its words.
--
-- syndic computes them (crate::search::keys): each distinct word of the title and text,
-- folded and stemmed as the ranking matches words, hashed to 32 bits. The server no longer
-- parses and stems every text (the cost of indexing was several times the ingest's), and
-- an int4 per word takes about half the bytes of a lexeme. A search asks for the
-- documents holding every key of its words (`@>`, through the GIN index). Every document
-- is written again by the indexer (every post listed as pending).

DROP INDEX search_documents_by_word;
DELETE FROM search_documents;
ALTER TABLE search_documents ALTER COLUMN document TYPE INTEGER[] USING '{}';
-- Hashes do not compress: TOAST stores a long document out of line as it is.
ALTER TABLE search_documents ALTER COLUMN document SET STORAGE EXTERNAL;
CREATE INDEX search_documents_by_word ON search_documents USING gin (document);
INSERT INTO search_pending (post_id) SELECT id FROM posts ON CONFLICT DO NOTHING;

DROP FUNCTION syndic_search_document(text, text);
DROP FUNCTION syndic_fold(text);
DROP TEXT SEARCH CONFIGURATION syndic_search;
DROP TEXT SEARCH DICTIONARY syndic_english;
