-- syndic schema, version 11: leases, so that several processes can fetch from one store.
--
-- A worker that fetches a source holds a lease on it: who (`leased_by`, "host:pid:random")
-- and until when (`leased_until`, UTC seconds). A lease is renewed while the fetch runs and
-- released in the transaction that stores the fetch's outcome; a killed worker's lease
-- simply runs out, and the source can be claimed again.
--
-- `fetch_slots` holds the politeness limits of the whole fleet as leases too: a fetch
-- occupies one numbered slot of its host (`scope` = the host name, at most `[fetch]
-- per_host` slots) and one of the fleet (`scope` = '*', at most `[fetch] concurrency`).
-- The primary key makes each slot one row that one fetch at a time can hold.

ALTER TABLE sources ADD COLUMN leased_by TEXT;
ALTER TABLE sources ADD COLUMN leased_until INTEGER;

CREATE INDEX sources_by_lease_holder ON sources (leased_by) WHERE leased_by IS NOT NULL;

CREATE TABLE fetch_slots (
    scope        TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    leased_by    TEXT NOT NULL,
    source_id    INTEGER NOT NULL,
    leased_until INTEGER NOT NULL,
    PRIMARY KEY (scope, slot)
);

CREATE INDEX fetch_slots_by_holder ON fetch_slots (leased_by, source_id);
