-- syndic schema, version 30: a listing is counted per span of 16 days, not per day (see
-- ../sqlite/0030_listing_spans.sql for why). Every trigger names the day of a row through
-- `syndic_day`, which now gives the first day of the row's span; the rows of each span are
-- summed into one.

CREATE OR REPLACE FUNCTION syndic_day(seconds BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (seconds - ((seconds % 1382400) + 1382400) % 1382400) / 86400
$$;

WITH gone AS (DELETE FROM listing_days RETURNING kind, key, day, posts)
INSERT INTO listing_days (kind, key, day, posts)
SELECT kind, key, day - ((day % 16) + 16) % 16, SUM(posts) FROM gone
GROUP BY 1, 2, 3 HAVING SUM(posts) <> 0;
