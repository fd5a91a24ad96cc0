-- Schema version 2, frozen as released: what a version-1 database became.
ALTER TABLE deltas ADD COLUMN article_id TEXT;
ALTER TABLE deltas ADD COLUMN article_title TEXT;
ALTER TABLE deltas ADD COLUMN article_url TEXT;
ALTER TABLE deltas ADD COLUMN article_source TEXT;
ALTER TABLE deltas ADD COLUMN article_published INTEGER;
ALTER TABLE deltas ADD COLUMN article_first_seen INTEGER;
ALTER TABLE deltas DROP COLUMN article;
CREATE INDEX articles_feed_url ON articles (feed, url);
ALTER TABLE feeds ADD COLUMN last_error_time INTEGER;
ALTER TABLE feeds ADD COLUMN backoff INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN entries_seen INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 2;
