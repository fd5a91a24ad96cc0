-- Schema version 1 of pmsignald's database, frozen as released.  The store
-- tests build old databases from it and check that they migrate.
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value);
INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('session', 0);
CREATE TABLE feeds (name TEXT PRIMARY KEY NOT NULL, url TEXT NOT NULL,
  etag TEXT, last_modified TEXT, last_success INTEGER,
  last_error TEXT, failures INTEGER NOT NULL DEFAULT 0,
  next_poll INTEGER);
CREATE TABLE articles (id INTEGER PRIMARY KEY, feed TEXT NOT NULL,
  guid TEXT NOT NULL, url TEXT, title TEXT, body TEXT,
  published INTEGER, first_seen INTEGER NOT NULL,
  simhash INTEGER NOT NULL, UNIQUE (feed, guid));
CREATE INDEX articles_first_seen ON articles (first_seen);
CREATE TABLE deltas (seq INTEGER PRIMARY KEY, session TEXT NOT NULL,
  ts INTEGER, market TEXT NOT NULL, prev REAL NOT NULL,
  p REAL NOT NULL, cause TEXT NOT NULL, article INTEGER,
  evidence TEXT);
CREATE TABLE market_state (market TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL);
PRAGMA application_id = 1886221159;
PRAGMA user_version = 1;
