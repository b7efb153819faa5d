"""Generated signed requests with malformed and hostile values: no webhook ever answers 5xx.

Each webhook gets REQUESTS signed requests built from a real call's parameters, with one to
three of them replaced by a generated value (huge or negative numbers, NUL and control
characters, unicode, very long strings, wrong CallSid shapes, non-UUID sessions), removed,
or sent twice. The generator is seeded, so a failure replays; the first failing request is
shown in the assertion message.
"""

import random
import secrets
import uuid
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from channels_twilio import webhook_urls
from sessions_app.models import Session
from tests.call_driver import CallDriver

REQUESTS = 1000
WEBHOOKS = ["voice", "fallback", "gather", "partial", "reply", "status"]

NUMBERS = [
    "0", "1", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "9" * 40,
    "1e309", "1.5", "0x10", "NaN", "inf", " 1", "1 ", "+1", "٣", "１", "",
]  # fmt: skip
TEXTS = [
    "\x00", "abc\x00def", "\x07\x1b[31m", "\r\n", "\u202eevil\u202c", "😀🎉👍🏽", "العربية עברית", "\ufeff",
    "'; DROP TABLE sessions_app_session; --", "</Say><Hangup/>", "%00", "&amp;", "a" * 33, "client:" + "x" * 300,
    "sip:+14155550199@example.sip.twilio.com;transport=tls", "anonymous", " ",
]  # fmt: skip
CALL_SIDS = [
    "CA" + "g" * 32,
    "CA" + "0" * 31,
    "CA" + "0" * 33,
    "ca" + "0" * 32,
    "AC" + "0" * 32,
    "CA" + "0" * 31 + "\x00",
]
STATUSES = ["completed", "in-progress", "ringing", "busy", "failed", "no-answer", "canceled", "exploded", "COMPLETED"]


class RequestFactory:
    """Signed requests for one webhook of a call, with generated values."""

    def __init__(self, seed: int, c: CallDriver, session: Session) -> None:
        self.rng = random.Random(seed)
        self.c = c
        self.session = session

    def hostile(self) -> str:
        rng = self.rng
        kind = rng.randrange(7)
        if kind == 0:
            return rng.choice(NUMBERS)
        if kind == 1:
            return rng.choice(TEXTS)
        if kind == 2:
            return rng.choice(CALL_SIDS)
        if kind == 3:  # very long
            if rng.random() < 0.1:
                return "x" * rng.choice([20_001, 100_000])
            return rng.choice("x9é😀\x00") * rng.choice([257, 1025, 3000])
        if kind == 4:  # random unicode, controls included
            return "".join(chr(rng.choice([rng.randrange(0x20), rng.randrange(0x20, 0xD800)])) for _ in range(20))
        if kind == 5:
            return rng.choice([str(uuid.uuid4()), "not-a-uuid", "{" + str(self.session.id) + "}", str(self.session.id)])
        return str(rng.randint(-(2**70), 2**70))

    def fields(self, webhook: str) -> dict[str, str]:
        rng = self.rng
        # Mostly the call's own SID; now and then another call's, which opens a session.
        call_sid = self.c.call_sid if rng.random() < 0.9 else "CA" + secrets.token_hex(16)
        fields = self.c.params(CallSid=call_sid)
        if webhook == "gather":
            fields.update(SpeechResult=rng.choice(["what are your hours", "", "goodbye"]), Confidence="0.9")
        if webhook == "partial":
            fields.update(UnstableSpeechResult="what are", StableSpeechResult="", SequenceNumber=str(rng.randrange(9)))
        if webhook == "status":
            fields.update(CallStatus=rng.choice(STATUSES), CallDuration="12")
        return fields

    def query(self, webhook: str) -> dict[str, str]:
        if webhook in ("voice", "fallback", "status"):
            return {"session": str(self.session.id)} if self.rng.random() < 0.3 else {}
        query = {"session": str(self.session.id), "turn": str(self.rng.randint(1, 3))}
        if webhook == "reply":
            query["wait"] = str(self.rng.randint(0, 3))
        return query

    def request(self, webhook: str) -> tuple[str, list[tuple[str, str]]]:
        """(url, form pairs) of a request to `webhook` with one to three values broken."""
        rng = self.rng
        fields, query = self.fields(webhook), self.query(webhook)
        repeated_fields: list[tuple[str, str]] = []
        repeated_query: list[tuple[str, str]] = []
        for _ in range(rng.randint(1, 3)):
            in_query = rng.random() < 0.3
            target = query if in_query else fields
            name = rng.choice([*target, "turn", "wait", "session", "SequenceNumber", "SpeechResult", "Extra\x00"])
            action = rng.random()
            if action < 0.6:
                target[name] = self.hostile()
            elif action < 0.8:
                target.pop(name, None)
            else:  # the same key twice
                (repeated_query if in_query else repeated_fields).append((name, self.hostile()))
        url = self._url(webhook)
        if query_pairs := [*query.items(), *repeated_query]:
            url += "?" + urlencode(query_pairs)
        return url, [*fields.items(), *repeated_fields]

    def _url(self, webhook: str) -> str:
        key = self.c.connection.webhook_key
        if webhook in ("voice", "fallback", "status"):
            return getattr(webhook_urls, f"{webhook}_url")(key)
        return getattr(webhook_urls, f"{webhook}_url")(key, self.session.id, 1).split("?")[0]


def post_signed(client, url: str, pairs: list[tuple[str, str]], token: str):
    """POST the form `pairs` (keys may repeat) to `url`, signed the way Twilio signs."""
    body = urlencode(pairs)
    signature = RequestValidator(token).compute_signature(url, QueryDict(body))
    return client.post(
        url.removeprefix(settings.PUBLIC_BASE_URL),
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


@pytest.mark.parametrize("webhook", WEBHOOKS)
def test_no_signed_request_with_generated_values_gets_a_server_error(client, signed_post, running_line, webhook):
    line = running_line()
    c = CallDriver(signed_post, line.connection)
    c.dial()
    session = Session.objects.get(call_sid=c.call_sid)
    factory = RequestFactory(seed=WEBHOOKS.index(webhook), c=c, session=session)
    client.raise_request_exception = False  # a crash must show as a 500 here, not stop the run
    statuses: dict[int, int] = {}
    failures = []

    for n in range(REQUESTS):
        url, pairs = factory.request(webhook)
        response = post_signed(client, url, pairs, line.connection.auth_token)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append((n, response.status_code, url, pairs))
        if response.status_code < 300 and webhook != "fallback":
            # Keep the call open, so requests reach the conversation, not only "the call is over".
            Session.objects.filter(pk=session.pk).update(state="open", closed_at=None, silent_prompts=0)

    assert not failures, (
        f"{len(failures)} of {REQUESTS} requests answered 5xx; the first: request {failures[0][0]}, "
        f"status {failures[0][1]}, url {failures[0][2]!r}, form {[(k, v[:200]) for k, v in failures[0][3]]!r}"
    )
    answered = sum(count for status, count in statuses.items() if status < 300)
    assert answered >= REQUESTS // 10, f"the generated requests hardly reach the call: {statuses}"
    if webhook != "fallback":
        assert statuses.get(400, 0) >= REQUESTS // 10, f"few requests were refused: {statuses}"
