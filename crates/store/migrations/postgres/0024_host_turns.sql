-- syndic schema, version 24: the fleet's turns per host, and full_content among the
-- settings a source keeps (#16, #12 point 3).
-- The same as ../sqlite/0024_host_turns.sql, which says what they mean.

CREATE TABLE host_turns (
    host       TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL,
    next_at_ms BIGINT NOT NULL,
    PRIMARY KEY (host, kind)
);

ALTER TABLE sources ADD COLUMN full_content TEXT COLLATE "C";
