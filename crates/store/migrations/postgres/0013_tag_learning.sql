-- syndic schema, version 13: tagging that knows the corpus and learns from the operator (#15).
-- The same tables as SQLite's 0013_tag_learning.sql.

CREATE TABLE corpus_stems (
    stem  TEXT COLLATE "C" PRIMARY KEY,
    posts BIGINT NOT NULL
);

CREATE TABLE corpus_state (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    posts          BIGINT NOT NULL,
    model_version  BIGINT NOT NULL,
    model_saved_at BIGINT
);
INSERT INTO corpus_state (id, posts, model_version, model_saved_at) VALUES (1, 0, 0, NULL);

CREATE TABLE tag_models (
    tag_id BIGINT PRIMARY KEY REFERENCES tags (id) ON DELETE CASCADE,
    model  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE tag_reviews (
    post_id     BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    reviewed_at BIGINT NOT NULL
);
INSERT INTO tag_reviews (post_id, reviewed_at)
    SELECT post_id, MAX(created_at) FROM tag_vetoes GROUP BY post_id;
INSERT INTO tag_reviews (post_id, reviewed_at)
    SELECT DISTINCT post_id, 0 FROM post_tags WHERE origin = 'manual'
    ON CONFLICT (post_id) DO NOTHING;
