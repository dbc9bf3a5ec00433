-- syndic schema, version 15: the per-source settings pages and the scheduler need.
-- The same columns as ../sqlite/0015_source_settings.sql, which says what they mean.

ALTER TABLE sources ADD COLUMN paused BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN paused_at BIGINT;
ALTER TABLE sources ADD COLUMN updates TEXT COLLATE "C" NOT NULL DEFAULT 'follow'
    CHECK (updates IN ('follow', 'freeze'));
ALTER TABLE sources ADD COLUMN attribution TEXT COLLATE "C";
ALTER TABLE sources ADD COLUMN credit_original BIGINT NOT NULL DEFAULT 0;

ALTER TABLE posts ADD COLUMN origin_title TEXT COLLATE "C";
ALTER TABLE posts ADD COLUMN origin_url TEXT COLLATE "C";
