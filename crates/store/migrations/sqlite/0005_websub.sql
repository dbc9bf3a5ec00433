-- syndic schema, version 5: WebSub subscriptions, one per source at most.
--
-- A subscription is requested (we asked the hub), verified (the hub confirmed our intent
-- and gave a lease) or denied (the hub refused). The secret signs what the hub pushes
-- (X-Hub-Signature); it never leaves this table except to check a signature. Nothing here
-- changes a page, so writes to this table never move the change clock.

CREATE TABLE websub_subscriptions (
    source_id   INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    hub         TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('requested', 'verified', 'denied')),
    lease_until INTEGER,
    created_at  INTEGER NOT NULL
);

CREATE INDEX websub_subscriptions_by_lease ON websub_subscriptions (state, lease_until);
