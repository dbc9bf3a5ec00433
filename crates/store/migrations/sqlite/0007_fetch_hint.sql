-- syndic schema, version 7: the feed's own schedule hint (the longest of RSS <ttl> and
-- sy:updatePeriod / sy:updateFrequency), in seconds, as of the last body parsed. Hints
-- only come with a body, so a 304 or an unchanged body reuses the stored one. NULL when
-- the feed gives none (or has not been parsed yet).

ALTER TABLE sources ADD COLUMN hint_seconds INTEGER;
