-- Schema version 4: each claim's day, its event date or else its article's publication date. Date
-- filters use it, and so does the date check of contests (unless contradictions.toml says otherwise):
-- a report published months later is no longer "the same days". The distance index now covers
-- every column distance matching reads, so that lookup never touches the table.

ALTER TABLE claims ADD COLUMN day TEXT;

UPDATE claims SET day = coalesce(event_date, (SELECT a.published FROM articles a WHERE a.id = claims.article_id));

DROP INDEX claims_type_lat;

CREATE INDEX claims_type_lat ON claims(event_type, lat, lon, actor, day);

CREATE INDEX claims_day ON claims(day);

DROP INDEX claims_event_date;
