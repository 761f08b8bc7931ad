#!/usr/bin/env python3
"""Checks that every acknowledged vote is in the database, then that the aggregates add up.

Reads the ack log load.py wrote (`article voter stars` per line) and asks the service for each
vote: `GET /v1/articles/{article}/votes/{voter}` must answer 200 with the same stars. Voters
are unique per vote, so nothing can legitimately have changed them. Then runs
`plaudit verify` on the same DATABASE_URL (every article's kept count, sum and distribution
against a recount of its votes).

Prints `acknowledged N, found N, lost 0`; exits 1 if a vote is lost or wrong, could not be
read, or verify fails, and also if nothing was acknowledged (a check of nothing proves
nothing).

    python3 tests/faults/check.py --url http://127.0.0.1:8080 --ack-log acks.log \\
        --database-url /tmp/x/plaudit.db --plaudit target/release/plaudit
"""

import argparse
import http.client
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.parse


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT (local only)")
    parser.add_argument("--ack-log", required=True)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--plaudit", default="target/release/plaudit", help="binary for `plaudit verify`")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--attempts", type=int, default=5, help="tries per vote while the service answers 503 or is unreachable")
    parser.add_argument("--no-verify", action="store_true", help="skip `plaudit verify`")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    if url.scheme != "http" or url.hostname != "127.0.0.1" or url.port is None:
        parser.error("--url must be http://127.0.0.1:PORT")
    if not args.no_verify and not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is needed for `plaudit verify`")
    args.port = url.port
    return args


def read_acks(path):
    acks = {}
    with open(path) as log:
        for number, line in enumerate(log, 1):
            fields = line.split()
            if len(fields) != 3:
                raise SystemExit(f"{path}:{number}: expected `article voter stars`, got {line!r}")
            article, voter, stars = fields
            acks[(article, voter)] = int(stars)
    return acks


def look_up(port, article, voter, attempts):
    """('found'|'missing'|'wrong'|'unreadable', detail) for one acknowledged vote."""
    detail = ""
    for attempt in range(attempts):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", f"/v1/articles/{article}/votes/{voter}", headers={"Connection": "close"})
            response = connection.getresponse()
            body = response.read()
            if response.status == 200:
                return "found", json.loads(body)["stars"]
            if response.status == 404:
                return "missing", body.decode(errors="replace")
            detail = f"status {response.status}: {body[:200].decode(errors='replace')}"
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            detail = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        time.sleep(0.5 * (attempt + 1))
    return "unreadable", detail


def check_acks(args, acks):
    work = queue.Queue()
    for item in acks.items():
        work.put(item)
    lock = threading.Lock()
    problems = {"missing": [], "wrong": [], "unreadable": []}

    def worker():
        while True:
            try:
                (article, voter), stars = work.get_nowait()
            except queue.Empty:
                return
            result, detail = look_up(args.port, article, voter, args.attempts)
            if result == "found" and detail != stars:
                result, detail = "wrong", f"acknowledged {stars} stars, stored {detail}"
            if result != "found":
                with lock:
                    problems[result].append((article, voter, stars, detail))

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return problems


def verify(args):
    environment = dict(os.environ, DATABASE_URL=args.database_url, PLAUDIT_LOG="warn")
    result = subprocess.run(
        [args.plaudit, "verify"], env=environment, capture_output=True, text=True, timeout=120
    )
    output = (result.stdout + result.stderr).strip()
    print(f"plaudit verify: exit {result.returncode}: {output.splitlines()[-1] if output else ''}")
    if result.returncode != 0:
        print(output)
    return result.returncode == 0


def main():
    args = parse_args()
    acks = read_acks(args.ack_log)
    problems = check_acks(args, acks)
    lost = len(problems["missing"]) + len(problems["wrong"])
    unreadable = len(problems["unreadable"])
    found = len(acks) - lost - unreadable
    print(f"acknowledged {len(acks)}, found {found}, lost {lost}" + (f", unreadable {unreadable}" if unreadable else ""))
    for kind, items in problems.items():
        for article, voter, stars, detail in items[:20]:
            print(f"  {kind}: article {article} voter {voter} stars {stars}: {detail}")
        if len(items) > 20:
            print(f"  ... and {len(items) - 20} more {kind}")
    verified = args.no_verify or verify(args)
    ok = lost == 0 and unreadable == 0 and verified and len(acks) > 0
    if not acks:
        print("FAIL: nothing was acknowledged, so nothing was checked")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
