-- syndic schema, version 12: a post's text and HTML stored once, compressed (one `body`
-- blob, see src/body.rs), and search documents written in batches by the indexer instead
-- of with each post.
--
-- This part runs first; then syndic compresses every post's text and HTML into `body`
-- (in Rust, inside the same transaction), then 0012_post_bodies.after.sql.

-- '\x0000' is an empty text and an empty HTML, stored plain.
ALTER TABLE posts ADD COLUMN body BYTEA NOT NULL DEFAULT '\x0000'::bytea;
-- Bodies are compressed already: TOAST keeps them out of line without compressing again.
ALTER TABLE posts ALTER COLUMN body SET STORAGE EXTERNAL;
