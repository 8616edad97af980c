-- Schema version 5: derived facts the store keeps in step with every article, at a cost that does not
-- grow with the store.
--
-- contested: a flag on each claim instead of one row per (denial, claim) pair. A flag, once set, stays
-- set until the rules change, so storing an article only looks at the claims and denials its own claims
-- could match that are not flagged yet (the pair table grew with the square of a place's reports).
-- Pairs built with the current rules carry over as flags; meta 'contest_rules' keeps its fingerprint.
--
-- family_tokens / family_texts: each group's (place_id, event_type, actor) source families as their
-- keys, so that placing a new article in its family reads the group's distinct family keys instead of
-- every claim of the group with its article. A token (a credited agency, else a source label) and a
-- processed evidence text each belong to one family of their group. Filled on open (meta 'families'
-- names the rules they were built with; the new rules string makes every store rebuild them once).

ALTER TABLE claims ADD COLUMN contested INTEGER NOT NULL DEFAULT 0;

UPDATE claims SET contested = 1 WHERE id IN (SELECT claim_id FROM contests UNION SELECT denial_id FROM contests);

DROP TABLE contests;

CREATE TABLE family_tokens (
    place_id   TEXT NOT NULL,
    event_type TEXT NOT NULL,
    actor      TEXT NOT NULL,
    token      TEXT NOT NULL,
    family     INTEGER NOT NULL,
    PRIMARY KEY (place_id, event_type, actor, token)
) WITHOUT ROWID;

CREATE TABLE family_texts (
    place_id   TEXT NOT NULL,
    event_type TEXT NOT NULL,
    actor      TEXT NOT NULL,
    text       TEXT NOT NULL,
    family     INTEGER NOT NULL,
    PRIMARY KEY (place_id, event_type, actor, text)
) WITHOUT ROWID;

DELETE FROM meta WHERE key = 'families';

-- Partial indexes of the claims not flagged yet: a new article's denials look up the unflagged claims
-- they contest (and its claims the unflagged denials) by place, province or latitude band, and these
-- indexes shrink as flags are set, however many reports a place gathers.
CREATE INDEX claims_open_place ON claims(place_id, event_type, actor) WHERE contested = 0;
CREATE INDEX claims_open_province ON claims(province, event_type, geo_precision) WHERE contested = 0;
CREATE INDEX claims_open_lat ON claims(event_type, lat, lon, actor, day) WHERE contested = 0;
