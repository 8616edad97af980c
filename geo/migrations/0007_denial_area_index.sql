-- Schema version 7: a denial about a whole province or region contests the claims in that province.
-- Looking for such denials through claims_province_day (province, event_type, day, ...) read every
-- denial of the province in the days around a claim, most of them about single places; this index
-- puts the precision before the day, so the lookup reads only the area denials.
--
-- claims_article duplicated the index SQLite keeps for UNIQUE (article_id, seq), which serves the
-- same lookups by article: one index fewer to write for every claim.

CREATE INDEX claims_area_day ON claims(province, event_type, geo_precision, day);

DROP INDEX claims_article;
