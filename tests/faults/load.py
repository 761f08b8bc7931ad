#!/usr/bin/env python3
"""Vote load for the fault scripts: threads POSTing fresh votes to one local Plaudit.

Every vote has a fresh voter (uuid4), so each acknowledged vote can be checked afterwards by
reading it back (check.py). Every request has its own connection (`Connection: close`): a
2xx is then unambiguously this vote's acknowledgement, and a kill of the server cannot leave
an answer half-read on a reused connection.

Logs:
  --ack-log      one line `article voter stars` per 2xx, written and flushed at once, so a
                 kill -9 of the server loses none of them
  --outcome-log  every other outcome (status or connection error) with its time
  --trace        optional: every request as TSV (start, bytes sent, end, article, voter,
                 stars, outcome), for analyze.py
  --summary      optional: the totals as JSON

Bounded: --duration seconds and --max-requests requests, whichever comes first.

    python3 tests/faults/load.py --url http://127.0.0.1:8080 --duration 10 \\
        --ack-log acks.log --outcome-log outcomes.log
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from datetime import datetime, timezone


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT (local only)")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--articles", type=int, default=20, help="votes go to this many articles")
    parser.add_argument("--article-prefix", default="fault-")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=200_000, help="hard cap on requests")
    parser.add_argument("--rate", type=float, default=0.0, help="requests per second in all (0: as fast as possible)")
    parser.add_argument("--timeout", type=float, default=30.0, help="client socket timeout, seconds")
    parser.add_argument("--ack-log", required=True)
    parser.add_argument("--outcome-log", required=True)
    parser.add_argument("--trace")
    parser.add_argument("--summary")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    if url.scheme != "http" or url.hostname != "127.0.0.1" or url.port is None:
        parser.error("--url must be http://127.0.0.1:PORT: this client only loads a local service")
    if args.duration <= 0 or args.duration > 3600 or args.max_requests <= 0 or args.threads <= 0:
        parser.error("--duration must be in (0, 3600], --max-requests and --threads positive")
    args.port = url.port
    return args


def classify(error):
    """A connection error's name; `refused` means nothing was ever sent."""
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionResetError):
        return "reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed"  # closed without an answer
    if isinstance(error, BrokenPipeError):
        return "broken-pipe"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, http.client.HTTPException):
        return "http-" + type(error).__name__
    return "error-" + type(error).__name__


class Load:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.sent = 0
        self.statuses = Counter()
        self.errors = Counter()
        self.acks = open(args.ack_log, "a", buffering=1)
        self.outcomes = open(args.outcome_log, "a", buffering=1)
        self.trace = open(args.trace, "a") if args.trace else None
        self.start = time.time()
        self.deadline = self.start + args.duration
        self.next_slot = self.start
        self.max_latency = 0.0
        self.unavailable_without_retry_after = 0

    def take_slot(self):
        """Reserves the next request; None when the time or the request budget is spent."""
        with self.lock:
            now = time.time()
            if now >= self.deadline or self.sent >= self.args.max_requests:
                return None
            self.sent += 1
            if self.args.rate <= 0:
                return 0.0
            slot = max(self.next_slot, now)
            self.next_slot = slot + 1.0 / self.args.rate
            return slot - now

    def vote_once(self):
        args = self.args
        article = f"{args.article_prefix}{random.randrange(args.articles)}"
        voter = str(uuid.uuid4())
        stars = random.randint(1, 5)
        body = json.dumps({"voter": voter, "stars": stars})
        headers = {"Content-Type": "application/json", "Connection": "close"}
        started = time.time()
        sent = None
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
        try:
            connection.connect()
            connection.request("POST", f"/v1/articles/{article}/votes", body, headers)
            sent = time.time()
            response = connection.getresponse()
            response.read()
            outcome = str(response.status)
            if response.status == 503 and not response.getheader("Retry-After"):
                with self.lock:
                    self.unavailable_without_retry_after += 1
        except (OSError, http.client.HTTPException) as error:
            outcome = classify(error)
        finally:
            connection.close()
        ended = time.time()
        self.record(started, sent, ended, article, voter, stars, outcome)
        return outcome

    def record(self, started, sent, ended, article, voter, stars, outcome):
        with self.lock:
            self.max_latency = max(self.max_latency, ended - started)
            if outcome.isdigit():
                self.statuses[outcome] += 1
            else:
                self.errors[outcome] += 1
            if outcome.startswith("2"):
                self.acks.write(f"{article} {voter} {stars}\n")
                self.acks.flush()
            else:
                stamp = datetime.fromtimestamp(ended, timezone.utc).isoformat(timespec="milliseconds")
                self.outcomes.write(
                    f"{stamp} {ended:.6f} {outcome} {article} {voter} {stars} "
                    f"latency={ended - started:.3f}s sent={'yes' if sent else 'no'}\n"
                )
            if self.trace:
                sent_field = f"{sent:.6f}" if sent else "-"
                self.trace.write(f"{started:.6f}\t{sent_field}\t{ended:.6f}\t{article}\t{voter}\t{stars}\t{outcome}\n")

    def worker(self):
        while True:
            wait = self.take_slot()
            if wait is None:
                return
            if wait > 0:
                time.sleep(wait)
            outcome = self.vote_once()
            # A refused connection returns at once; a short pause keeps the threads from
            # spinning while the server is down.
            if outcome == "refused":
                time.sleep(0.02)

    def run(self):
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - self.start
        for log in (self.acks, self.outcomes, self.trace):
            if log:
                log.close()
        return elapsed

    def totals(self, elapsed):
        by_class = Counter()
        for status, count in self.statuses.items():
            by_class["2xx" if status.startswith("2") else status] += count
        other = {s: c for s, c in self.statuses.items() if not s.startswith("2") and s not in ("503", "429")}
        return {
            "seconds": round(elapsed, 2),
            "sent": self.sent,
            "rate": round(self.sent / elapsed, 1) if elapsed > 0 else 0.0,
            "2xx": by_class["2xx"],
            "503": by_class["503"],
            "503_without_retry_after": self.unavailable_without_retry_after,
            "429": by_class["429"],
            "other_statuses": sum(other.values()),
            "other_status_counts": other,
            "connection_errors": sum(self.errors.values()),
            "connection_error_counts": dict(self.errors),
            "max_latency": round(self.max_latency, 3),
        }


def main():
    args = parse_args()
    load = Load(args)
    totals = load.totals(load.run())
    print(
        f"load: sent {totals['sent']} in {totals['seconds']} s ({totals['rate']}/s), "
        f"2xx {totals['2xx']}, 503 {totals['503']} ({totals['503_without_retry_after']} without Retry-After), "
        f"429 {totals['429']}, "
        f"other statuses {totals['other_statuses']} {totals['other_status_counts'] or ''}, "
        f"connection errors {totals['connection_errors']} {totals['connection_error_counts'] or ''}, "
        f"max latency {totals['max_latency']} s"
    )
    if args.summary:
        with open(args.summary, "w") as summary:
            json.dump(totals, summary)


if __name__ == "__main__":
    sys.exit(main())
