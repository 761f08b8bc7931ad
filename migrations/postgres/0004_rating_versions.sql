-- Counts the changes to an article's aggregates, so that a rating cache can tell newer figures
-- from older ones (the vote count cannot: a changed vote keeps it, a retraction lowers it).
ALTER TABLE articles ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
