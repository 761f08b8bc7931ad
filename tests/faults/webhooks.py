#!/usr/bin/env python3
"""The webhook fault run's helpers (see webhooks.sh), standard library only.

  webhooks.py receive --port P --log FILE
      A webhook endpoint that appends every request to FILE as one JSON line (headers that
      matter, body) and answers 204: the counting receiver.
  webhooks.py load --url URL --duration S --threads N --ack-log FILE
      Readers voting and leaving feedback; each feedback the service acknowledged (201) has
      its unique text appended to FILE. Connection errors (the service being killed) are
      counted, and the reader goes on.
  webhooks.py check --ack-log FILE --log FILE --secret S [--wait S]
      Waits until every acknowledged feedback has arrived (or --wait runs out), checks every
      signature with the secret, and prints acknowledged / delivered / duplicated / lost.
      Exits 1 if any acknowledged feedback was lost or any signature was wrong.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid


def receive(args: argparse.Namespace) -> None:
    lock = threading.Lock()
    log = open(args.log, "a", encoding="utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode("utf-8", "replace")
            line = json.dumps(
                {
                    "id": self.headers.get("webhook-id"),
                    "timestamp": self.headers.get("webhook-timestamp"),
                    "signature": self.headers.get("webhook-signature"),
                    "body": body,
                }
            )
            with lock:
                log.write(line + "\n")
                log.flush()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        # The service sends a claimed batch side by side; with socketserver's backlog of 5
        # the rest of a burst had their connections dropped and retried a second later,
        # past the attempt's timeout: the receiver, not the service, set the pace.
        request_queue_size = 256
        daemon_threads = True

    server = Server(("127.0.0.1", args.port), Handler)
    server.serve_forever()


def post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def load(args: argparse.Namespace) -> None:
    deadline = time.time() + args.duration
    lock = threading.Lock()
    acks = open(args.ack_log, "a", encoding="utf-8")
    counts = {"sent": 0, "acknowledged": 0, "refused": 0, "connection_errors": 0}

    def reader(n: int) -> None:
        while time.time() < deadline:
            voter = str(uuid.uuid4())
            article = f"wh-{n % 5}"
            text = f"feedback {voter}"
            try:
                with lock:
                    counts["sent"] += 1
                if post(f"{args.url}/v1/articles/{article}/votes", {"voter": voter, "stars": 2}) not in (200, 201):
                    with lock:
                        counts["refused"] += 1
                    continue
                status = post(
                    f"{args.url}/v1/articles/{article}/feedback", {"voter": voter, "text": text}
                )
            except (OSError, urllib.error.URLError):
                with lock:
                    counts["connection_errors"] += 1
                time.sleep(0.05)
                continue
            with lock:
                if status == 201:
                    counts["acknowledged"] += 1
                    acks.write(text + "\n")
                    acks.flush()
                else:
                    counts["refused"] += 1

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        f"feedback load: {counts['sent']} readers, {counts['acknowledged']} feedback acknowledged, "
        f"{counts['refused']} refused, {counts['connection_errors']} connection errors"
    )


def signed_by(entry: dict, secret: str) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{entry['id']}.{entry['timestamp']}.{entry['body']}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = (entry.get("signature") or "").split(" ")
    return any(hmac.compare_digest(s, f"v1,{expected}") for s in given)


def check(args: argparse.Namespace) -> int:
    acknowledged = {line.strip() for line in open(args.ack_log, encoding="utf-8") if line.strip()}
    deadline = time.time() + args.wait
    while True:
        entries = [json.loads(line) for line in open(args.log, encoding="utf-8") if line.strip()]
        texts: dict[str, int] = {}
        for entry in entries:
            body = json.loads(entry["body"])
            if body.get("type") == "feedback.created":
                text = body["data"]["text"]
                texts[text] = texts.get(text, 0) + 1
        lost = acknowledged - texts.keys()
        if not lost or time.time() > deadline:
            break
        time.sleep(0.5)
    ids: dict[str, int] = {}
    for entry in entries:
        ids[entry["id"]] = ids.get(entry["id"], 0) + 1
    duplicated = sum(n - 1 for n in ids.values())
    bad_signatures = sum(1 for entry in entries if not signed_by(entry, args.secret))
    unacknowledged = len(texts.keys() - acknowledged)
    print(
        f"acknowledged {len(acknowledged)}, delivered {len(acknowledged & texts.keys())}, "
        f"duplicated {duplicated}, lost {len(lost)}; requests received {len(entries)}, "
        f"delivered without an acknowledgement (committed, answer lost in the kill) {unacknowledged}, "
        f"bad signatures {bad_signatures}"
    )
    for text in sorted(lost)[:10]:
        print(f"   lost: {text}", file=sys.stderr)
    return 1 if lost or bad_signatures or not acknowledged else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("receive")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p = commands.add_parser("load")
    p.add_argument("--url", required=True)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--ack-log", required=True)
    p = commands.add_parser("check")
    p.add_argument("--ack-log", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--wait", type=float, default=60)
    args = parser.parse_args()
    if args.command == "receive":
        receive(args)
        return 0
    if args.command == "load":
        load(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
