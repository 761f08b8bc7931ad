#!/usr/bin/env python3
"""Load for the cluster rig: votes from many client addresses, or a report loop, through a
load balancer (or straight to one instance), with every outcome counted.

Client addresses are real: each request binds its socket to a loopback address (all of
127.0.0.0/8 is the loopback on Linux), so the balancer sees, and forwards, a distinct client
per address, as it would see readers on the internet. A new connection per request
(`Connection: close`) makes a 2xx unambiguously this vote's acknowledgement.

  votes    --sources 127.1.0.0/16 (or one address) --ack-log FILE: each acknowledged vote as
           `article voter stars` (the format tests/faults/check.py reads)
  reports  --key KEY --paths /v1/reports/summary,csv:/v1/reports/articles,...: editors' reads
           as fast as they go (`csv:` asks for the CSV form)

Prints one JSON line: sent, statuses, connection errors, latency percentiles of the 2xx.
"""

import argparse
import http.client
import ipaddress
import json
import random
import threading
import time
import uuid
from collections import Counter


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["votes", "reports"])
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s in all; 0: as fast as possible")
    parser.add_argument("--sources", default="127.0.0.1", help="client addresses: one address or a network")
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--article-prefix", default="rig-")
    parser.add_argument("--ack-log")
    parser.add_argument("--key", help="editors' API key (reports)")
    parser.add_argument("--paths", default="/v1/reports/summary")
    parser.add_argument("--timeout", type=float, default=30.0)
    return parser.parse_args()


class Load:
    def __init__(self, args):
        self.args = args
        network = ipaddress.ip_network(args.sources, strict=False)
        self.sources = [str(a) for a in network] if network.num_addresses == 1 else [
            str(network.network_address + n) for n in range(1, min(network.num_addresses - 1, 65_000))
        ]
        self.lock = threading.Lock()
        self.sent = 0
        self.statuses = Counter()
        self.errors = Counter()
        self.latencies = []
        self.acks = open(args.ack_log, "a", buffering=1) if args.ack_log else None
        self.start = time.time()
        self.deadline = self.start + args.duration
        self.next_slot = self.start
        self.paths = args.paths.split(",")

    def take_slot(self):
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

    def request(self):
        args = self.args
        source = random.choice(self.sources)
        headers = {"Connection": "close"}
        if args.mode == "votes":
            article = f"{args.article_prefix}{random.randrange(args.articles)}"
            voter, stars = str(uuid.uuid4()), random.randint(1, 5)
            method, path = "POST", f"/v1/articles/{article}/votes"
            body = json.dumps({"voter": voter, "stars": stars})
            headers["Content-Type"] = "application/json"
        else:
            method, path, body = "GET", random.choice(self.paths), None
            headers["Authorization"] = f"Bearer {args.key}"
            if path.startswith("csv:"):
                path = path[4:]
                headers["Accept"] = "text/csv"
        started = time.time()
        connection = http.client.HTTPConnection(
            "127.0.0.1", args.port, timeout=args.timeout, source_address=(source, 0)
        )
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            response.read()
            outcome = str(response.status)
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
        finally:
            connection.close()
        latency = time.time() - started
        with self.lock:
            if outcome.isdigit():
                self.statuses[outcome] += 1
                if outcome.startswith("2"):
                    self.latencies.append(latency)
                    if self.acks and args.mode == "votes":
                        self.acks.write(f"{article} {voter} {stars}\n")
            else:
                self.errors[outcome] += 1
        return outcome

    def worker(self):
        while (wait := self.take_slot()) is not None:
            if wait > 0:
                time.sleep(wait)
            if not self.request()[:1].isdigit():
                time.sleep(0.01)

    def run(self):
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - self.start
        if self.acks:
            self.acks.close()
        ordered = sorted(self.latencies)

        def percentile(p):
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1) if ordered else None

        return {
            "mode": self.args.mode,
            "seconds": round(elapsed, 2),
            "sent": self.sent,
            "per_second": round(self.sent / elapsed, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(self.errors),
            "p50_ms": percentile(0.50),
            "p99_ms": percentile(0.99),
        }


if __name__ == "__main__":
    print(json.dumps(Load(parse_args()).run()))
