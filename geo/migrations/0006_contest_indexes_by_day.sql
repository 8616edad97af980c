-- Schema version 6: the contest lookups search by place AND by the days around the row's own, so that a
-- new article's work follows the reports of a place in those days, not every report the store holds.
--
-- places: every distinct point claims sit at. A distance rule ("within 30 km") first finds the places
-- near a point in this small table, then their claims through the place index, instead of scanning a
-- latitude band of all claims.
-- Each claims index leads with the equality columns, then the day range; the partial ones hold the
-- claims not flagged contested yet. They replace the indexes that searched by place or latitude alone.

CREATE TABLE places (
    lat      REAL NOT NULL,
    lon      REAL NOT NULL,
    place_id TEXT NOT NULL,
    PRIMARY KEY (lat, lon, place_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO places(lat, lon, place_id) SELECT DISTINCT lat, lon, place_id FROM claims;

DROP INDEX claims_open_place;
DROP INDEX claims_open_province;
DROP INDEX claims_open_lat;
DROP INDEX claims_type_lat;
DROP INDEX claims_province;
DROP INDEX claims_key;

CREATE INDEX claims_place_day ON claims(place_id, event_type, day, actor, lat, lon);
CREATE INDEX claims_province_day ON claims(province, event_type, day, geo_precision);

CREATE INDEX claims_open_place_day ON claims(place_id, event_type, day, actor, lat, lon) WHERE contested = 0;
CREATE INDEX claims_open_province_day ON claims(province, event_type, day, geo_precision) WHERE contested = 0;
