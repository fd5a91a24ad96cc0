-- Rows a version-2 daemon would have written.
INSERT INTO feeds (name, url, etag, last_success, failures, next_poll,
  last_error_time, last_error, backoff, entries_seen) VALUES
  ('wire', 'https://wire.example/rss', 'W/"x"', 1763460000, 2,
  1763470000, 1763465000, 'HTTP 503', 600, 41);
INSERT INTO articles VALUES (7, 'wire', 'g-7', 'https://wire.example/7',
  'Zone agreed', 'Both sides agreed a zone.', 1763450000, 1763460000, 99);
INSERT INTO deltas (seq, session, ts, market, prev, p, cause, evidence,
  article_id, article_title, article_url, article_source,
  article_published, article_first_seen) VALUES
  (10, 's4', 1763460000, 'dmz-agreed', 0.2, 0.31, 'article', '[]',
  'g-7', 'Zone agreed', 'https://wire.example/7', 'wire', 1763450000,
  1763460000);
UPDATE meta SET value = 10 WHERE key = 'last_seq';
UPDATE meta SET value = 4 WHERE key = 'session';
INSERT INTO market_state VALUES ('dmz-agreed', '{"p":0.31}');
