-- syndic schema, version 16: every upstream edit kept, deletions honoured (#14).
-- The same table and column as ../sqlite/0016_provenance.sql, which says what they mean.

CREATE TABLE post_revisions (
    post_id     BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    number      BIGINT NOT NULL,
    title       TEXT COLLATE "C" NOT NULL,
    body        BYTEA  NOT NULL,
    at          BIGINT NOT NULL,
    replaced_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, number)
);

ALTER TABLE sources ADD COLUMN honor_deletions BIGINT NOT NULL DEFAULT 0;
