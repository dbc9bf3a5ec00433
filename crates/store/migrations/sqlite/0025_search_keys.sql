-- syndic schema, version 25: PostgreSQL's search documents become the keys of their words
-- (../postgres/0025_search_keys.sql). SQLite's FTS5 index is unchanged; the version moves
-- with PostgreSQL's so both engines' stores say the same schema.

SELECT 1;
