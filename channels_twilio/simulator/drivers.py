"""Drivers run a call script over real HTTP: a blocking one (requests) and an asyncio one (aiohttp).

Each request goes to where the portal listens (`base_url`) but carries what Twilio's would:
the public URL's Host, a form body, and an X-Twilio-Signature computed over the public URL
Twilio calls (under PUBLIC_BASE_URL). Waits the script asks for are spent only for the reasons
in `realtime`, scaled by `time_scale`; the others pass at once.
"""

import asyncio
import ipaddress
import re
import time
from collections.abc import Callable, Collection
from urllib.parse import urlencode, urlsplit

from .script import Script
from .wire import Answer, Event, Post, Wait, local_url, signature

# Twilio gives up on a webhook after 15 seconds.
TWILIO_TIMEOUT_SECONDS = 15.0
# By default only <Pause> takes real time: a slow reply's <Pause> + <Redirect> relies on it.
DEFAULT_REALTIME = ("pause",)
_OS_ERROR = re.compile(r"\[Errno -?\d+\] [^'\")\]]+")

OnEvent = Callable[[Event], None]
OnExchange = Callable[[Post, Answer], None]


class Delivery:
    """How a Post becomes an HTTP request to the portal, signed with the call's Auth Token."""

    def __init__(self, base_url: str, public_base_url: str, auth_token: str):
        self.base_url = base_url.rstrip("/")
        self.public_base_url = public_base_url.rstrip("/")
        self.auth_token = auth_token
        public = urlsplit(self.public_base_url)
        self.headers = {
            "Host": public.netloc,
            "X-Forwarded-Proto": public.scheme,
            "User-Agent": "TwilioProxy/1.1",
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        }

    def request(self, post: Post) -> tuple[str, dict[str, str], bytes]:
        """(URL to send to, headers, body) for `post`."""
        headers = {**self.headers, "X-Twilio-Signature": signature(self.auth_token, post.url, post.params)}
        return local_url(post.url, self.public_base_url, self.base_url), headers, urlencode(post.params).encode()


class _Pacing:
    def __init__(self, realtime: Collection[str], time_scale: float):
        self.realtime = set(realtime)
        self.time_scale = time_scale

    def seconds(self, wait: Wait) -> float:
        return wait.seconds * self.time_scale if wait.why in self.realtime else 0.0


class SyncDriver:
    """Runs scripts with a keep-alive `requests` session (management command, admin page)."""

    def __init__(
        self,
        delivery: Delivery,
        *,
        realtime: Collection[str] = DEFAULT_REALTIME,
        time_scale: float = 1.0,
        on_event: OnEvent | None = None,
        on_exchange: OnExchange | None = None,
        timeout: float = TWILIO_TIMEOUT_SECONDS,
    ):
        import requests

        self.delivery = delivery
        self.pacing = _Pacing(realtime, time_scale)
        self.on_event = on_event
        self.on_exchange = on_exchange
        self.timeout = timeout
        self.http = requests.Session()
        # Proxy settings from the environment are for the Internet, not for the portal on this machine.
        self.http.trust_env = not _is_loopback(delivery.base_url)

    def run(self, script: Script) -> list[Event]:
        """Run `script` to its end; returns its events (also passed to `on_event` as they happen)."""
        events: list[Event] = []
        reply = None
        while True:
            try:
                step = script.send(reply)
            except StopIteration:
                return events
            reply = None
            if isinstance(step, Post):
                reply = self.send(step)
            elif isinstance(step, Wait):
                if seconds := self.pacing.seconds(step):
                    time.sleep(seconds)
            else:
                events.append(step)
                if self.on_event:
                    self.on_event(step)

    def send(self, post: Post) -> Answer:
        import requests

        url, headers, body = self.delivery.request(post)
        started = time.perf_counter()
        try:
            response = self.http.post(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            answer = Answer(0, seconds=time.perf_counter() - started, error=_describe(exc, url, self.timeout))
        else:
            answer = Answer(
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.content,
                time.perf_counter() - started,
            )
        if self.on_exchange:
            self.on_exchange(post, answer)
        return answer

    def close(self) -> None:
        self.http.close()


class AsyncDriver:
    """Runs scripts on asyncio with a shared aiohttp session (the benchmark's load generator)."""

    def __init__(
        self,
        http,
        delivery: Delivery,
        *,
        realtime: Collection[str] = DEFAULT_REALTIME,
        time_scale: float = 1.0,
        on_event: OnEvent | None = None,
        on_exchange: OnExchange | None = None,
        timeout: float = TWILIO_TIMEOUT_SECONDS,
    ):
        import aiohttp

        self.http = http  # an aiohttp.ClientSession
        self.delivery = delivery
        self.pacing = _Pacing(realtime, time_scale)
        self.on_event = on_event
        self.on_exchange = on_exchange
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def run(self, script: Script) -> list[Event]:
        events: list[Event] = []
        reply = None
        while True:
            try:
                step = script.send(reply)
            except StopIteration:
                return events
            reply = None
            if isinstance(step, Post):
                reply = await self.send(step)
            elif isinstance(step, Wait):
                if seconds := self.pacing.seconds(step):
                    await asyncio.sleep(seconds)
            else:
                events.append(step)
                if self.on_event:
                    self.on_event(step)

    async def send(self, post: Post) -> Answer:
        import aiohttp

        url, headers, body = self.delivery.request(post)
        started = time.perf_counter()
        try:
            async with self.http.post(
                url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
            ) as response:
                content = await response.read()
                answer = Answer(
                    response.status,
                    response.headers.get("Content-Type", ""),
                    content,
                    time.perf_counter() - started,
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            answer = Answer(0, seconds=time.perf_counter() - started, error=_describe(exc, url, self.timeout.total))
        if self.on_exchange:
            self.on_exchange(post, answer)
        return answer


def _describe(exc: Exception, url: str, timeout: float) -> str:
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
        return f"no answer from {url} within {timeout:g} s"
    # requests and aiohttp wrap the socket error in layers of text: keep the operating system's words.
    reason = _OS_ERROR.search(str(exc))
    return f"cannot reach {url}: {reason.group(0) if reason else f'{type(exc).__name__}: {exc}'}"


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
