-- article_claims: the keys (1: a normalised link's hash, 2: a fingerprint band) an ingest
-- claims before it reads the posts its new entries could merge into. Each ingest deletes
-- its rows in the statement after inserting them, so the table is empty between
-- transactions; while one is open, its rows make another ingest claiming the same keys
-- wait for it to end (see merging/claims.rs).
CREATE TABLE article_claims (
    kind      BIGINT NOT NULL,
    claim_key BIGINT NOT NULL,
    PRIMARY KEY (kind, claim_key)
);
