-- syndic schema, version 12: a post's text and HTML stored once, compressed (one `body`
-- blob, see src/body.rs), and the search index written in batches instead of by triggers.
--
-- This part runs first; then syndic compresses every post's text and HTML into `body`
-- (in Rust, inside the same transaction), then 0012_post_bodies.after.sql.

-- The old index read its text from posts.content_text (external content) and followed
-- the posts row by row through triggers.
DROP TRIGGER IF EXISTS posts_fts_after_insert;
DROP TRIGGER IF EXISTS posts_fts_after_delete;
DROP TRIGGER IF EXISTS posts_fts_after_update;
DROP TABLE IF EXISTS posts_fts;

-- X'0000' is an empty text and an empty HTML, stored plain.
ALTER TABLE posts ADD COLUMN body BLOB NOT NULL DEFAULT X'0000';
