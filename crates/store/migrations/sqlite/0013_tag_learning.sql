-- syndic schema, version 13: tagging that knows the corpus and learns from the operator (#15).
--
-- corpus_stems: in how many posts each stem occurs (a vocabulary phrase under its stems
-- joined by spaces). Ingest adds each new post's stems; `syndic retag` counts every post
-- again and replaces the rows (keeping stems of two posts or more).
CREATE TABLE corpus_stems (
    stem  TEXT    PRIMARY KEY,
    posts INTEGER NOT NULL
);

-- One row: how many posts corpus_stems counted, and the tag models' version (moved by
-- every retag that saves them, so a running server knows to reload).
CREATE TABLE corpus_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    posts         INTEGER NOT NULL,
    model_version INTEGER NOT NULL,
    model_saved_at INTEGER
);
INSERT INTO corpus_state (id, posts, model_version, model_saved_at) VALUES (1, 0, 0, NULL);

-- What each tag learned at the last retag: its profile and its learned model, as JSON.
CREATE TABLE tag_models (
    tag_id INTEGER PRIMARY KEY REFERENCES tags (id) ON DELETE CASCADE,
    model  TEXT    NOT NULL
);

-- Posts a person reviewed (`tag add`, `tag remove`, `tag label`): their tags no decision
-- covers are taken as right when the tagger learns.
CREATE TABLE tag_reviews (
    post_id     INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    reviewed_at INTEGER NOT NULL
);
INSERT INTO tag_reviews (post_id, reviewed_at)
    SELECT post_id, MAX(created_at) FROM tag_vetoes GROUP BY post_id;
INSERT INTO tag_reviews (post_id, reviewed_at)
    SELECT DISTINCT post_id, 0 FROM post_tags WHERE origin = 'manual'
    ON CONFLICT (post_id) DO NOTHING;
