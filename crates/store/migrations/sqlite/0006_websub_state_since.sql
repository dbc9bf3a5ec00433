-- syndic schema, version 6: when each WebSub subscription last changed state.
--
-- A request the hub never confirms, or a denial, is retried after a while (a day, a week);
-- `state_since` says how long it has stood. Existing rows start from their creation time.

ALTER TABLE websub_subscriptions ADD COLUMN state_since INTEGER NOT NULL DEFAULT 0;

UPDATE websub_subscriptions SET state_since = created_at;

CREATE INDEX websub_subscriptions_by_state_since ON websub_subscriptions (state, state_since);
