-- syndic schema, version 17, after its Rust step (merging/backfill.rs) wrote the links and
-- fingerprint bands of the posts stored before it: the indexes that find a copy's rows
-- (for a split, and the cascades of a deleted post), built once instead of row by row.
CREATE INDEX article_links_by_copy ON article_links (post_id, source_id);
CREATE INDEX fingerprint_bands_by_copy ON fingerprint_bands (post_id, source_id);
