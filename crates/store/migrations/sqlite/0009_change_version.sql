-- syndic schema, version 9: a change counter beside the change clock.
--
-- changed_at counts whole seconds, so two commits in one second look the same to it. The
-- page cache must never serve a page older than a committed change, so every move of the
-- clock also adds one to `version`; a reader that saw the same version saw the same site.

ALTER TABLE site_state ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
