-- Schema version 2: which denial contests which claim, kept as a derived table.
-- Rows are written inside the transaction that stores an article (for pairs where either side is new),
-- so a killed ingest can never leave them behind the claims. When the rules in
-- data/lexicons/contradictions.toml change, the store rebuilds the table (meta 'contest_rules' holds
-- the fingerprint of the rules it was built with).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE contests (
    denial_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    claim_id  INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    PRIMARY KEY (denial_id, claim_id)
) WITHOUT ROWID;

CREATE INDEX contests_claim ON contests(claim_id);

-- Distance matching looks up claims by a latitude band, then longitude, from the index alone;
-- date filters use the event date.
CREATE INDEX claims_type_lat ON claims(event_type, lat, lon);
CREATE INDEX claims_event_date ON claims(event_date);
