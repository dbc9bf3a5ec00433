-- syndic schema, version 11: leases, so that several processes can fetch from one store.
-- The same tables and columns as ../sqlite/0011_leases.sql, which says what they mean.

ALTER TABLE sources ADD COLUMN leased_by TEXT COLLATE "C";
ALTER TABLE sources ADD COLUMN leased_until BIGINT;

CREATE INDEX sources_by_lease_holder ON sources (leased_by) WHERE leased_by IS NOT NULL;

CREATE TABLE fetch_slots (
    scope        TEXT COLLATE "C" NOT NULL,
    slot         BIGINT NOT NULL,
    leased_by    TEXT COLLATE "C" NOT NULL,
    source_id    BIGINT NOT NULL,
    leased_until BIGINT NOT NULL,
    PRIMARY KEY (scope, slot)
);

CREATE INDEX fetch_slots_by_holder ON fetch_slots (leased_by, source_id);
