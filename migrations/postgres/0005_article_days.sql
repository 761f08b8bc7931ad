-- Each article's votes by the UTC day they were last cast on, counted per star: a report
-- over a window sums the days in it instead of scanning the votes. Kept exact in the same
-- transaction as every vote (a changed vote moves from its old day to its new one), by the
-- batch writer, retractions, resets and seeding. No foreign key: the batch writer has just
-- made the article row, and a check per row would cost every vote a look-up. No CHECK
-- (n >= 0) either: the upsert of a delta checks the row it would insert, negative counts
-- and all, before it finds the row to add them to; `plaudit verify` recounts instead.
CREATE TABLE article_days (
    article_id TEXT NOT NULL,
    day        BIGINT NOT NULL, -- days since 1970-01-01 (UTC)
    stars_1    BIGINT NOT NULL DEFAULT 0,
    stars_2    BIGINT NOT NULL DEFAULT 0,
    stars_3    BIGINT NOT NULL DEFAULT 0,
    stars_4    BIGINT NOT NULL DEFAULT 0,
    stars_5    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);
-- Windows: the days in a range, for every article.
CREATE INDEX article_days_day ON article_days (day);

INSERT INTO article_days (article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5)
SELECT article_id, updated_at / 86400000,
       SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END),
       SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END)
FROM votes GROUP BY article_id, updated_at / 86400000;
