-- syndic schema, version 27: zstd dictionaries trained on the store's own bodies (#14 point 4).
--
-- A body of format 2 (`body.rs`) is a zstd frame made with one of these dictionaries and
-- names it by `id`, a hash of the dictionary's bytes (the same in every copy of the store,
-- and the same for the same bytes in any store). The indexing pass trains one once the
-- store holds enough posts (`body/upkeep.rs`); ingests encode with it from `usable_from`
-- (seconds), by when every process of the store has read it, and the same pass rewrites
-- older bodies with it, post by post up to `recompressed_through`. Bodies stored before stay
-- readable as they are, so nothing is rewritten here.
CREATE TABLE body_dictionaries (
    id                   INTEGER PRIMARY KEY,
    dictionary           BLOB    NOT NULL,
    usable_from          INTEGER NOT NULL,
    recompressed_through INTEGER NOT NULL DEFAULT 0
);
