#!/usr/bin/env bash
# A large Rate My Post site in MariaDB, imported into a fresh SQLite file and a fresh
# PostgreSQL database, timed: the figures of README's "Moving from WordPress".
#
#   tests/wordpress/large_fixture.sh [POSTS] [VOTES]      default 100000 2000000
#   PLAUDIT_BIN=path            the binary (default target/release/plaudit; build it first)
#   WP_MYSQL="-h127.0.0.1 -P3306 -uroot"                  the mysql client's arguments
#   WP_URL=mysql://root@127.0.0.1:3306                    the same server, as the import's URL
#   PG_URL=postgres://postgres@127.0.0.1:5432/test        where to make the PostgreSQL database
#
# The site is made inside MariaDB from its SEQUENCE engine (seq_1_to_N tables): no rows cross
# the network. Every 10th post's meta counts one vote more than its rows (a 4), so the import
# also computes unknown-star votes. Drops what it made at the end.
set -euo pipefail
posts=${1:-100000}
votes=${2:-2000000}
bin=${PLAUDIT_BIN:-target/release/plaudit}
read -r -a mysql_args <<< "${WP_MYSQL:--h127.0.0.1 -P3306 -uroot}"
wp_url=${WP_URL:-mysql://root@127.0.0.1:3306}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
db=plaudit_wp_large
pg_db=plaudit_import_large
work=$(mktemp -d)
trap 'rm -rf "$work"; mysql "${mysql_args[@]}" -e "DROP DATABASE IF EXISTS $db";
      psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null' EXIT

wp() { mysql "${mysql_args[@]}" "$db" -e "$1"; }
mysql "${mysql_args[@]}" -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
started=$(date +%s.%N)
wp "CREATE TABLE wp_options (option_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      option_name VARCHAR(191) NOT NULL UNIQUE, option_value LONGTEXT NOT NULL);
    CREATE TABLE wp_posts (ID BIGINT UNSIGNED NOT NULL PRIMARY KEY, post_title TEXT NOT NULL,
      post_status VARCHAR(20) NOT NULL, post_name VARCHAR(200) NOT NULL,
      post_type VARCHAR(20) NOT NULL, post_date_gmt DATETIME NOT NULL);
    CREATE TABLE wp_postmeta (meta_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      post_id BIGINT UNSIGNED NOT NULL, meta_key VARCHAR(255), meta_value LONGTEXT,
      KEY post_id (post_id), KEY meta_key (meta_key(191)));
    CREATE TABLE wp_rmp_analytics (id MEDIUMINT(9) NOT NULL AUTO_INCREMENT,
      time DATETIME NOT NULL, ip TINYTEXT NOT NULL, country TINYTEXT NOT NULL,
      user SMALLINT(5) NOT NULL, post MEDIUMINT(9) NOT NULL, action SMALLINT(5) NOT NULL,
      duration SMALLINT(5) NOT NULL, average DECIMAL(2,1) NOT NULL, votes SMALLINT(5) NOT NULL,
      value SMALLINT(5) NOT NULL, token TINYTEXT NOT NULL, UNIQUE KEY id (id));
    INSERT INTO wp_options (option_name, option_value) VALUES
      ('home', 'https://news.example'), ('gmt_offset', '0'),
      ('permalink_structure', '/%postname%/');
    INSERT INTO wp_posts SELECT seq, CONCAT('Post ', seq), 'publish', CONCAT('post-', seq),
      'post', '2025-06-01 08:00:00' + INTERVAL seq MINUTE FROM seq_1_to_$posts;
    INSERT INTO wp_rmp_analytics (id, time, ip, country, user, post, action, duration, average,
      votes, value, token)
      SELECT seq, '2025-06-01 00:00:00' + INTERVAL (seq * 13) % 31536000 SECOND, '-1', '0', 0,
        1 + (seq * 7919) % $posts, 1, 5, 0, 0, 1 + (seq * seq) % 5, '-1'
      FROM seq_1_to_$votes;
    INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
      SELECT post, 'rmp_vote_count', COUNT(*) + (post % 10 = 0) FROM wp_rmp_analytics GROUP BY post;
    INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
      SELECT post, 'rmp_rating_val_sum', SUM(value) + 4 * (post % 10 = 0)
      FROM wp_rmp_analytics GROUP BY post;"
printf 'made %s posts and %s Rate My Post votes in MariaDB in %.1f s\n' "$posts" "$votes" \
  "$(echo "$(date +%s.%N) - $started" | bc)"

run() {
  local name=$1 url=$2
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" --database-url "$url" --log warn import wordpress --from "$wp_url/$db" \
    --plugin rate-my-post > "$work/$name.txt"
  t1=$(date +%s.%N)
  printf '%s: %.1f s wall\n' "$name" "$(echo "$t1 - $t0" | bc)"
  head -3 "$work/$name.txt"
  t0=$(date +%s.%N)
  "$bin" --database-url "$url" --log warn import wordpress --from "$wp_url/$db" \
    --plugin rate-my-post | sed -n 2p
  t1=$(date +%s.%N)
  printf '%s, second run: %.1f s wall\n' "$name" "$(echo "$t1 - $t0" | bc)"
  "$bin" --database-url "$url" --log warn verify
}

run sqlite "$work/plaudit.db"
psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null
run postgres "${pg_url%/*}/$pg_db"
