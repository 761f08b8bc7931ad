"""Baseline: the naive design on SQLite, one transaction per vote (vote insert and aggregate
update), on a file in WAL mode with synchronous=FULL like Plaudit's. Prints votes/s."""
import os
import random
import sqlite3
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, vote_count INTEGER NOT NULL DEFAULT 0, star_sum INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID")
db.execute("CREATE TABLE IF NOT EXISTS votes (article_id TEXT NOT NULL, voter_hash BLOB NOT NULL, stars INTEGER NOT NULL, PRIMARY KEY (article_id, voter_hash)) WITHOUT ROWID")
votes, end = 0, time.monotonic() + seconds
while time.monotonic() < end:
    article, stars = f"a{random.randrange(10000)}", random.randint(1, 5)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO articles (article_id) VALUES (?) ON CONFLICT DO NOTHING", (article,))
    db.execute("INSERT INTO votes VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET stars = excluded.stars", (article, os.urandom(32), stars))
    db.execute("UPDATE articles SET vote_count = vote_count + 1, star_sum = star_sum + ? WHERE article_id = ?", (stars, article))
    db.execute("COMMIT")
    votes += 1
print(f"{votes / seconds:.1f}")
