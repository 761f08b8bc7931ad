#!/usr/bin/env python3
"""Judges a load.py trace against what a fault must not do.

  analyze.py sigterm --trace trace.tsv --signal-at T
      Every request whose bytes were sent before T (the time just before SIGTERM was sent)
      was accepted by then and must succeed: no 5xx, and no reset, close or timeout after
      its bytes were sent. Refused connections after T are what a stopped server does.

  analyze.py outage --trace trace.tsv --fault-at T --max-latency S
      While the database is away the service answers 503 only: no other 5xx, no other
      4xx, no connection errors (the service itself stays up), no request longer than S
      seconds. At least one 503 must be seen (a fault the service never reports is either
      not exercised or waited out) and a 2xx after it. Prints the recovery time: from the first 503 to the first 2xx of a request
      started after that 503.

Times are Unix seconds as `date +%s.%N` prints them. A trace line is
`started  sent|-  ended  article  voter  stars  outcome`.
"""

import argparse
import sys
from collections import Counter


def read_trace(path):
    requests = []
    with open(path) as trace:
        for line in trace:
            started, sent, ended, article, voter, stars, outcome = line.rstrip("\n").split("\t")
            requests.append(
                {
                    "started": float(started),
                    "sent": None if sent == "-" else float(sent),
                    "ended": float(ended),
                    "article": article,
                    "voter": voter,
                    "stars": stars,
                    "outcome": outcome,
                }
            )
    return requests


def ok(outcome):
    return outcome.startswith("2")


def describe(request, origin):
    return (
        f"{request['outcome']}: POST /v1/articles/{request['article']}/votes voter {request['voter']} "
        f"started {request['started'] - origin:+.3f} s, sent "
        f"{'-' if request['sent'] is None else format(request['sent'] - origin, '+.3f') + ' s'}, "
        f"ended {request['ended'] - origin:+.3f} s (relative to the fault)"
    )


def sigterm(args):
    requests = read_trace(args.trace)

    def sent_before(request):
        return request["sent"] is not None and request["sent"] < args.signal_at

    before = [r for r in requests if sent_before(r)]
    failed = [r for r in before if not ok(r["outcome"])]
    after = Counter(r["outcome"] for r in requests if not sent_before(r) and r["ended"] >= args.signal_at)
    in_flight = sum(1 for r in before if r["ended"] >= args.signal_at)
    print(
        f"sigterm: {len(before)} requests sent before the signal, {in_flight} of them still in flight at it; "
        f"{len(before) - len(failed)} succeeded, {len(failed)} failed"
    )
    print(f"sigterm: outcomes of requests sent at or after the signal: {dict(after)}")
    for request in failed[:20]:
        print("  FAILED " + describe(request, args.signal_at))
    return 0 if not failed and before else 1


def outage(args):
    requests = sorted(read_trace(args.trace), key=lambda r: r["ended"])
    during = [r for r in requests if r["ended"] >= args.fault_at]
    outcomes = Counter(r["outcome"] for r in during)
    wrong = [r for r in during if not ok(r["outcome"]) and r["outcome"] != "503"]
    slow = [r for r in requests if r["ended"] - r["started"] > args.max_latency]
    unavailable = [r for r in during if r["outcome"] == "503"]
    failures = []
    recovery = None
    if not unavailable:
        failures.append(
            "no 503 after the fault: either the fault never reached the service, or the service "
            "held requests through it instead of answering 503 (see the latencies)"
        )
    else:
        first = unavailable[0]["ended"]
        recovered = [r for r in during if ok(r["outcome"]) and r["started"] > first]
        if recovered:
            recovery = recovered[0]["ended"] - first
        else:
            failures.append("no 2xx after the first 503: the service did not recover within the load")
        print(
            f"outage: first 503 {first - args.fault_at:+.3f} s after the fault, last 503 "
            f"{unavailable[-1]['ended'] - args.fault_at:+.3f} s"
        )
    if wrong:
        failures.append(f"{len(wrong)} outcomes other than 2xx and 503 after the fault")
    if slow:
        failures.append(f"{len(slow)} requests took longer than {args.max_latency} s")
    max_latency = max((r["ended"] - r["started"] for r in requests), default=0.0)
    print(f"outage: outcomes after the fault: {dict(outcomes)}; max latency {max_latency:.3f} s")
    print(f"outage: recovery {'-' if recovery is None else f'{recovery:.3f}'} s (first 503 to first 2xx started after it)")
    for request in (wrong + slow)[:20]:
        print("  BAD " + describe(request, args.fault_at))
    for failure in failures:
        print("  FAIL: " + failure)
    if args.recovery_file and recovery is not None:
        with open(args.recovery_file, "w") as out:
            out.write(f"{recovery:.3f}\n")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    one = modes.add_parser("sigterm")
    one.add_argument("--trace", required=True)
    one.add_argument("--signal-at", type=float, required=True)
    two = modes.add_parser("outage")
    two.add_argument("--trace", required=True)
    two.add_argument("--fault-at", type=float, required=True)
    two.add_argument("--max-latency", type=float, required=True)
    two.add_argument("--recovery-file", help="write the recovery time (seconds) here")
    args = parser.parse_args()
    return sigterm(args) if args.mode == "sigterm" else outage(args)


if __name__ == "__main__":
    sys.exit(main())
