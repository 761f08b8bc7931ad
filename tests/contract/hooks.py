"""Rules of openapi.yaml that JSON Schema cannot state, taught to schemathesis's generator.

Each parameter's schema is exact, but two rules span parameters or state, so a case that fits
every schema can still be one the spec says is refused with 400. Only cases meant to be
accepted (positive ones) are adjusted, and only into other values the spec allows; negative
cases are sent as generated, so every refusal is still checked.

- A report window's `from` must be before its `to` (missing: the start of 1970, and forever).
- A ranking cursor is valid only as the `next_cursor` this service gave out for the same
  `sort` and `order`: none can be made up, so positive cases leave it out.
- A webhook's URL must resolve to an address the service may reach: positive cases point at
  a closed local port (run.sh allows private addresses), so deliveries fail fast and nothing
  leaves the machine; and `article.rating_alert` needs `alert` thresholds.
"""

from __future__ import annotations

import calendar
import re

import schemathesis

# The components/schemas/UtcTime pattern has already been met by positive cases; this only
# reads the fields, as the service does (a leap second counts as :59, milliseconds are kept).
UTC_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|\+00:00))?$"
)
FOREVER = 2**63 - 1


def unix_millis(text: object) -> int | None:
    match = UTC_TIME.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    seconds = calendar.timegm(
        (int(year), int(month), int(day), int(hour or 0), int(minute or 0), min(int(second or 0), 59))
    )
    return seconds * 1000 + int((fraction or "0")[:3].ljust(3, "0"))


def window_is_valid(query: dict) -> bool:
    start = unix_millis(query["from"]) if "from" in query else 0
    end = unix_millis(query["to"]) if "to" in query else FOREVER
    return start is None or end is None or start < end


def order_window(query: dict) -> None:
    """Swaps `from` and `to` if they are the wrong way round, else drops `to` (forever)."""
    if window_is_valid(query):
        return
    if "from" in query and "to" in query:
        query["from"], query["to"] = query["to"], query["from"]
        if window_is_valid(query):
            return
    query.pop("to", None)


WEBHOOK_URL = "http://127.0.0.1:9/hook"
ALERT = {"min_votes": 10, "below_average": 3.0}


def fit_webhook(body: dict) -> None:
    if "url" in body:
        body["url"] = WEBHOOK_URL
    if "article.rating_alert" in (body.get("events") or []) and body.get("alert") is None:
        body["alert"] = dict(ALERT)


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is not None and not meta.generation.mode.is_positive:
        return case
    if case.path.startswith("/v1/webhooks") and isinstance(case.body, dict):
        fit_webhook(case.body)
    query = case.query
    if not isinstance(query, dict):
        return case
    if case.path.startswith("/v1/reports/") and ("from" in query or "to" in query):
        order_window(query)
    if case.path == "/v1/reports/articles":
        query.pop("cursor", None)
    return case
