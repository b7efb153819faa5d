"""A local OpenAI-compatible chat-completions server, for tests and the benchmark.

Real HTTP on 127.0.0.1 (stdlib http.server, one thread per request). It records every
request (path, headers, JSON body) and answers `POST …/chat/completions` after `delay`
seconds, or fails the way `mode` says:

- "ok": a chat completion whose text is `reply(body)` (by default it repeats the caller's
  last words, so a test can tell which words were answered);
- "error": HTTP 500 with an OpenAI-style error body;
- "unauthorized": HTTP 401 whose error message echoes the API key, as some servers do;
- "not-json": HTTP 200 with a body that is not JSON;
- "no-choices": HTTP 200 with JSON but no choices.

Use the `llm_standin` fixture, or `LlmStandIn().start()` … `.stop()`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict | None

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages", [])

    @property
    def last_user_text(self) -> str:
        users = [m["content"] for m in self.messages if m.get("role") == "user"]
        return users[-1] if users else ""


def echo_reply(body: dict) -> str:
    users = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
    return f"You said: {users[-1] if users else ''}."


class LlmStandIn:
    """The server and its knobs; tests set `delay`, `mode` and `reply` between requests."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.mode = "ok"
        self.reply: Callable[[dict], str] = echo_reply
        self.requests: list[RecordedRequest] = []
        self.answered = 0  # completions sent back (delay over, mode "ok")
        self._lock = threading.Lock()
        self._release = threading.Event()  # set on stop: delayed requests answer at once
        self._server: ThreadingHTTPServer | None = None
        self._port = 0  # kept after stop(): the URL of a server that is gone

    @property
    def base_url(self) -> str:
        assert self._port, "start() the stand-in first"
        return f"http://127.0.0.1:{self._port}/v1"

    def start(self) -> LlmStandIn:
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._port = self._server.server_address[1]
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="llm-standin", daemon=True
        ).start()
        return self

    def release(self) -> None:
        """Answer every delayed request now, and later ones without delay."""
        self._release.set()

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until at least `count` requests arrived; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} request(s) reached the LLM, not {count}"
            time.sleep(0.01)
        return list(self.requests)


class _Handler(BaseHTTPRequestHandler):
    owner: LlmStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        owner = self.owner
        owner.record(RecordedRequest(self.path, dict(self.headers.items()), body))
        if not self.path.endswith("/chat/completions"):
            return self._send(404, {"error": {"message": f"no route {self.path}"}})
        owner._release.wait(owner.delay)
        mode = owner.mode
        if mode == "error":
            return self._send(500, {"error": {"message": "the model crashed", "type": "server_error"}})
        if mode == "unauthorized":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return self._send(401, {"error": {"message": f"Incorrect API key provided: {key}"}})
        if mode == "not-json":
            return self._send_raw(200, b"<html>gateway says hi</html>", "text/html")
        if mode == "no-choices":
            return self._send(200, {"id": "chatcmpl-standin", "object": "chat.completion", "choices": []})
        text = owner.reply(body or {})
        with owner._lock:
            owner.answered += 1
        return self._send(
            200,
            {
                "id": "chatcmpl-standin",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": (body or {}).get("model", ""),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            },
        )

    def _send(self, status: int, payload: dict) -> None:
        self._send_raw(status, json.dumps(payload).encode(), "application/json")

    def _send_raw(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (its timeout): nothing to answer


def llm_agent_fields(standin: LlmStandIn, **overrides) -> dict:
    """Agent fields for the LLM engine on `standin` (for `agent_factory` / `running_line`)."""
    fields = {
        "engine": "llm",
        "llm_base_url": standin.base_url,
        "llm_api_key": "sk-test-0123456789abcdef",
        "llm_model": "standin-model",
        "llm_system_prompt": "You are the Flametree test agent.",
        "llm_timeout_seconds": 5.0,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def llm_standin() -> Iterator[LlmStandIn]:
    """A running stand-in for this test, stopped (and its delayed requests released) after it."""
    standin = LlmStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture
def llm_call(transactional_db, signed_post, running_line, llm_standin):
    """A call to a running line whose agent uses the LLM engine on the stand-in.

    Replies are made by background threads, which only see committed rows: hence
    `transactional_db`. After the test, delayed model requests are released and the
    threads finish before the database is emptied.
    """
    from agents.prepared_answers import background
    from tests.call_driver import CallDriver

    def make(**agent_fields) -> CallDriver:
        attachment = running_line(**llm_agent_fields(llm_standin, **agent_fields))
        driver = CallDriver(signed_post, attachment.connection)
        driver.attachment = attachment
        driver.sequence = 0
        return driver

    yield make
    llm_standin.release()
    assert background.wait_until_idle(10), "reply jobs still running after the test"
