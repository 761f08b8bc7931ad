-- Votes imported from a WordPress rating plugin whose star is unknown (issue 17): the plugin
-- kept only totals, or more votes in its totals than rows. They are counted in vote_count and
-- star_sum, so every count and average reads as before, and only here: stars_1..5 and the
-- daily roll-ups hold the votes whose star is known. star_sum stays whole stars: a plugin sum
-- that is not (kk Star Ratings on 10 stars, WP-PostRatings with another maximum, YASR's half
-- stars) is rounded to the nearest whole star, and the import says where that moves the
-- average shown at one decimal.
ALTER TABLE articles ADD COLUMN unknown_star_votes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN unknown_star_sum INTEGER NOT NULL DEFAULT 0;

-- What each import brought per article, so that running it again adds only what is new on the
-- WordPress side: rows past last_row_id, the unknown part as the plugin's totals now less the
-- rows, feedback entries past feedback_last (Rate My Post's entry ids grow with time). Kept
-- through an admin reset, so a later run does not bring the reset votes back.
CREATE TABLE wordpress_imports (
    article_id         TEXT PRIMARY KEY NOT NULL,
    plugin             TEXT NOT NULL,
    post_id            INTEGER NOT NULL,
    known_votes        INTEGER NOT NULL,
    known_star_sum     INTEGER NOT NULL,
    last_row_id        INTEGER NOT NULL,
    unknown_star_votes INTEGER NOT NULL,
    unknown_star_sum   INTEGER NOT NULL,
    feedback_last      TEXT NOT NULL,
    imported_at        INTEGER NOT NULL
) WITHOUT ROWID;
