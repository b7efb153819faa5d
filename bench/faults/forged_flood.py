"""Fault 6: a flood of webhook requests with forged signatures.

Requests to each of the load line's six webhooks, shaped like Twilio's, whose X-Twilio-Signature
is wrong in the ways an attacker (or a misconfigured proxy) gets it wrong: random, missing,
made with another Auth Token, made over another URL (http:// for https://). What must hold:
every one is refused with 403, and no table grows: every table's row count is taken after one
forged request per webhook (the refusal counters are one row per connection and webhook, made
by the first refusal) and again after the flood.
"""

import asyncio
import base64
import itertools
import random
import secrets
import time

import aiohttp

from channels_twilio.simulator.drivers import Delivery
from channels_twilio.simulator.wire import Post, signature

from .malformed_input import webhook_url
from .table import Row
from .testbed import Testbed

REQUESTS = 2000
CONCURRENCY = 16
WEBHOOKS = ("voice", "fallback", "gather", "partial", "reply", "status")
FORGERIES = ("random", "missing", "other token", "other URL")


class ForgedFlood:
    row_title = "6. Forged-signature flood (all six webhooks)"

    def __init__(self, testbed: Testbed):
        self.testbed = testbed
        self.row = Row(self.row_title)
        self.deadline = 0.0

    def play(self) -> None:
        bed = self.testbed
        attachment = bed.attachment("load")
        delivery = Delivery(bed.deployment.base_url, bed.deployment.public_base_url, attachment.snapshot_auth_token)
        requests = list(_forged_requests(attachment, delivery, random.Random(6)))
        asyncio.run(self._send(requests[: len(WEBHOOKS)]))  # the first refusal of each webhook
        before = table_counts()
        bed.progress(f"forged flood: {REQUESTS} requests, {CONCURRENCY} at a time")
        began = time.monotonic()
        statuses = asyncio.run(self._send(list(itertools.islice(itertools.cycle(requests), REQUESTS))))
        seconds = time.monotonic() - began
        after = table_counts()
        grown = {table: after[table] - before.get(table, 0) for table in after if after[table] != before.get(table, 0)}
        self.row.stuck += sum(max(0, rows) for rows in grown.values())
        answers = ", ".join(f"{statuses.count(s)} x {s or 'no answer'}" for s in sorted(set(statuses)))
        tables = ", ".join(f"{t} {n:+d}" for t, n in grown.items()) or f"none of {len(after)} tables"
        self.row.note(
            f"{REQUESTS} requests in {seconds:.0f} s, answers: {answers}; rows added by the flood: {tables} "
            "(counted in the stuck column)"
        )

    async def _send(self, requests: list[tuple]) -> list[int]:
        pending = iter(requests)
        statuses: list[int] = []
        tally = self.row.tally

        async def client(http: aiohttp.ClientSession) -> None:
            for kind, forgery, url, headers, body in pending:
                try:
                    async with http.post(url, data=body, headers=headers) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                statuses.append(status)
                tally.count(f"{kind} webhook, {forgery} signature", status, status == 403)

        timeout = aiohttp.ClientTimeout(total=15)
        connector = aiohttp.TCPConnector(limit=CONCURRENCY, keepalive_timeout=3)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            await asyncio.gather(*(client(http) for _ in range(CONCURRENCY)))
        return statuses


def _forged_requests(attachment, delivery: Delivery, rng: random.Random):
    """(webhook, forgery, local URL, headers, body) for every webhook x forgery, with fresh CallSids."""
    key = attachment.snapshot_connection.webhook_key
    for forgery in FORGERIES:
        for kind in WEBHOOKS:
            url = webhook_url(kind, key, "00000000-0000-0000-0000-000000000001", "1")
            params = {
                "AccountSid": attachment.snapshot["account_sid"],
                "CallSid": "CA" + secrets.token_hex(16),
                "From": f"+1415555{rng.randrange(10_000):04d}",
                "To": attachment.snapshot["phone_number"],
                "CallStatus": "completed" if kind == "status" else "in-progress",
                "Direction": "inbound",
                "SpeechResult": "I am not Twilio",
            }
            local_url, headers, body = delivery.request(Post(url, params, twiml=kind not in ("partial", "status")))
            if forgery == "random":
                headers["X-Twilio-Signature"] = base64.b64encode(rng.randbytes(20)).decode()
            elif forgery == "missing":
                del headers["X-Twilio-Signature"]
            elif forgery == "other token":
                headers["X-Twilio-Signature"] = signature(secrets.token_hex(16), url, params)
            else:
                headers["X-Twilio-Signature"] = signature(
                    attachment.snapshot_auth_token, url.replace("https://", "http://", 1), params
                )
            yield kind, forgery, local_url, headers, body


def table_counts() -> dict[str, int]:
    """Rows in every table of the deployment's database."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (table,) in cursor.fetchall():
            # The names come from the catalogue, quoted: no outside input reaches this statement.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts
