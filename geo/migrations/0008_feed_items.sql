-- Schema version 8: the items of RSS/Atom feeds already ingested (`ingest --feed URL`), so that the next
-- poll of a feed takes only its new items. An item's key is its guid/id, else its link, else a hash of
-- its title and summary.

CREATE TABLE feed_items (
    feed     TEXT NOT NULL,
    item     TEXT NOT NULL,
    seen_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (feed, item)
) WITHOUT ROWID;
