-- Schema version 3: corroboration kept as data, written in the transaction that stores each article.
-- Within its group (place_id, event_type, actor) every claim carries the label of its source family
-- (the smallest article id of the family); articles join a family when they share a credited wire
-- agency (else a source label) or near-identical evidence with it. claim_groups holds each group's
-- count of families: its independent sources. Stores migrated from version 2 are labelled on open.

ALTER TABLE claims ADD COLUMN family INTEGER;

CREATE TABLE claim_groups (
    place_id   TEXT NOT NULL,
    event_type TEXT NOT NULL,
    actor      TEXT NOT NULL,
    sources    INTEGER NOT NULL,
    PRIMARY KEY (place_id, event_type, actor)
) WITHOUT ROWID;
