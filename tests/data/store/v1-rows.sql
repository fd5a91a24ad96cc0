-- Rows a version-1 daemon would have written.
INSERT INTO feeds VALUES ('wire', 'https://wire.example/rss',
  '"e1"', 'Tue, 18 Nov 2025 10:00:00 GMT', 1763460000, NULL, 0, 1763460300),
  ('slow', 'http://slow.example/feed', NULL, NULL, NULL,
  'timeout after 30 s', 3, 1763461000);
INSERT INTO articles VALUES (1, 'wire', 'g-1', 'https://wire.example/1',
  'Envoys meet in Geneva', 'The envoys met for six hours.', 1763450000,
  1763460000, -5),
  (2, 'wire', 'g-2', 'https://wire.example/2', 'Call planned',
  'A call is planned for Friday.', NULL, 1763460100, 12345);
INSERT INTO deltas VALUES (1, 's1', 1763460000, 'ceasefire-2025', 0.1,
  0.15, 'article', 1, '[{"rule":"talks","weight":0.4}]'),
  (2, 's1', 1763463600, 'ceasefire-2025', 0.15, 0.149, 'decay', NULL, NULL),
  (3, 's2', 1763460100, 'call-held', 0.3, 0.35, 'article', 2, '[]');
UPDATE meta SET value = 3 WHERE key = 'last_seq';
UPDATE meta SET value = 2 WHERE key = 'session';
INSERT INTO market_state VALUES ('ceasefire-2025', '{"p":0.149}'),
  ('call-held', '{"p":0.35}');
