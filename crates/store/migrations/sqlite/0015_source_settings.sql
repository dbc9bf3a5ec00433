-- syndic schema, version 15: the per-source settings pages and the scheduler need.
--
-- Synced from each `[[source]]` whenever the configuration is loaded into the store
-- (`Store::sync_source_settings`), except `paused_at`, which the admin sets:
--   paused          1 when the configuration says `paused = true`;
--   paused_at       when the admin paused the source (NULL: not paused by the admin); the
--                   source is fetched by nobody while either says so;
--   updates         'follow' (a changed item updates its post) or 'freeze' (a stored post
--                   never changes after it was first stored);
--   attribution     the source's attribution template (NULL: the default line);
--   credit_original 1 when an aggregator's items are credited to the feed they came from.
--
-- `origin_title` and `origin_url` keep the feed an item says it came from (RSS
-- `<source>`, Atom `<source>`), whatever the source's setting, so that turning
-- `credit_original` on credits the posts already stored.

ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN paused_at INTEGER;
ALTER TABLE sources ADD COLUMN updates TEXT NOT NULL DEFAULT 'follow'
    CHECK (updates IN ('follow', 'freeze'));
ALTER TABLE sources ADD COLUMN attribution TEXT;
ALTER TABLE sources ADD COLUMN credit_original INTEGER NOT NULL DEFAULT 0;

ALTER TABLE posts ADD COLUMN origin_title TEXT;
ALTER TABLE posts ADD COLUMN origin_url TEXT;
