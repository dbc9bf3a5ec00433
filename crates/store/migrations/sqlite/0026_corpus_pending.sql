-- syndic schema, version 26: document frequencies added in batches (#11 point 1, #15).
--
-- corpus_pending: what ingests add to corpus_stems, kept until the next indexing pass
-- folds it in (`corpus/pending.rs`). One row per ingest that stored new posts: how many
-- posts it counted and, as a JSON object, in how many of them each stem occurs. Reading
-- the frequencies (`Store::corpus_stats`) adds the rows not yet folded, so what tagging
-- and `explain` see is exact at any time; a retag's recount replaces both tables.
CREATE TABLE corpus_pending (
    id    INTEGER PRIMARY KEY,
    posts INTEGER NOT NULL,
    stems TEXT    NOT NULL
);
