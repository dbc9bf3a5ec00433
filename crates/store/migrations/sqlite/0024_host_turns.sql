-- syndic schema, version 24: the fleet's turns per host, and full_content among the
-- settings a source keeps (#16, #12 point 3).
--
-- host_turns spaces the requests a fetch makes beside its feed (full text's pages and
-- robots.txt, the media cache's images) across every process on the store: a process
-- may start a request of `kind` ('page' or 'image') to `host` once `next_at_ms` (UTC
-- milliseconds) has passed, and takes the turn by moving `next_at_ms` to its start plus
-- the gap in one statement (`host_turns.rs`). A row is only a time: nothing is copied
-- or checked, and rows long past are forgotten.
CREATE TABLE host_turns (
    host       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    next_at_ms INTEGER NOT NULL,
    PRIMARY KEY (host, kind)
);

-- full_content: the `[[source]] full_content` rule as written ('readability' or a CSS
-- selector); NULL when the source's pages are not read.
ALTER TABLE sources ADD COLUMN full_content TEXT;
