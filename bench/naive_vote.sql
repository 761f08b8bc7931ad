-- pgbench baseline: the naive design, one transaction per vote doing the same vote upsert and
-- aggregate update as Plaudit, on a fresh voter each time. Set :hot to 1 for one article.
\set article random(0, 9999)
\set stars random(1, 5)
BEGIN;
INSERT INTO articles (article_id, created_at) VALUES (CASE WHEN :hot = 1 THEN 'hot' ELSE 'a' || :article END, 0) ON CONFLICT (article_id) DO NOTHING;
INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at)
  VALUES (CASE WHEN :hot = 1 THEN 'hot' ELSE 'a' || :article END, decode(md5(random()::text) || md5(clock_timestamp()::text), 'hex'), :stars, 0, 0)
  ON CONFLICT (article_id, voter_hash) DO UPDATE SET stars = excluded.stars;
UPDATE articles SET vote_count = vote_count + 1, star_sum = star_sum + :stars
  WHERE article_id = CASE WHEN :hot = 1 THEN 'hot' ELSE 'a' || :article END;
END;
