-- syndic schema, version 8: tagging that explains itself and respects people (#6).
--
-- posts.language: the language the item (or else its feed) declares, as given (`en`,
-- `de-AT`); NULL when neither says. Tagging stems with it; detection fills the gap in memory.
ALTER TABLE posts ADD COLUMN language TEXT;

-- tags.description: the vocabulary's description, shown on the tag's archive page.
ALTER TABLE tags ADD COLUMN description TEXT NOT NULL DEFAULT '';

-- Other names of a tag (its configured aliases), by slug: /tag/<alias>/ leads to the tag.
CREATE TABLE tag_aliases (
    slug   TEXT    PRIMARY KEY,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE
);

-- `syndic tag remove POST TAG`: a person decided the post does not carry the tag. No
-- automatic origin may give it back (ingest and retag skip the pair) until `tag add`.
CREATE TABLE tag_vetoes (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id)
);
