-- Frontline store, schema version 1: articles (text and provenance) and the claims extracted from them.
-- Dates are ISO 8601 text ("YYYY-MM-DD"), so string order is date order and other tools read them as-is.

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    article      TEXT NOT NULL,                -- input file name (plus "#n" for the n-th object of a JSON list)
    content_hash TEXT NOT NULL UNIQUE,         -- sha256 of the text: re-ingest is idempotent on it
    title        TEXT,
    source       TEXT,
    published    TEXT,
    url          TEXT,
    credited     TEXT NOT NULL DEFAULT '[]',   -- JSON list of credited wire agencies
    path         TEXT,
    text         TEXT NOT NULL,
    ingested_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX articles_article ON articles(article);
CREATE INDEX articles_source ON articles(source);

CREATE TABLE claims (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,       -- stable across stores: <content hash prefix>-<n>
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    place          TEXT NOT NULL,
    place_id       TEXT NOT NULL,
    lat            REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon            REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    event_type     TEXT NOT NULL,
    actor          TEXT NOT NULL,
    claimant       TEXT,
    evidence       TEXT NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end   INTEGER NOT NULL CHECK (evidence_end >= evidence_start),
    country        TEXT,
    province       TEXT,
    province_name  TEXT,
    geo_precision  TEXT NOT NULL DEFAULT 'point',
    event_date     TEXT,
    date_precision TEXT,
    distance_km    REAL CHECK (distance_km IS NULL OR distance_km >= 0),
    place_start    INTEGER,
    place_end      INTEGER,
    UNIQUE (article_id, seq)
);

CREATE INDEX claims_article ON claims(article_id);
CREATE INDEX claims_key ON claims(place_id, event_type, actor);
CREATE INDEX claims_province ON claims(province, event_type, geo_precision);
CREATE INDEX claims_type_actor ON claims(event_type, actor);
