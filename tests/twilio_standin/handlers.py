"""The HTTPS side of the stand-in: routing, auth, validation, JSON responses.

``StandInHTTPServer`` is a stdlib ``ThreadingHTTPServer`` that performs the TLS
handshake per connection on the worker thread (so a slow client cannot stall the
accept loop).  Only the operations below are served; anything else is 404.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import errors, regions
from .contract import Contract
from .store import RecordedRequest, Store

ACCOUNTS = "/2010-04-01/Accounts/{AccountSid}"
SERVED: tuple[tuple[str, str, str], ...] = (
    ("GET", f"{ACCOUNTS}/IncomingPhoneNumbers.json", "list_numbers"),
    ("GET", f"{ACCOUNTS}/IncomingPhoneNumbers/{{Sid}}.json", "fetch_number"),
    ("POST", f"{ACCOUNTS}/IncomingPhoneNumbers/{{Sid}}.json", "update_number"),
    ("POST", f"{ACCOUNTS}/Calls.json", "create_call"),
    ("GET", f"{ACCOUNTS}/Calls.json", "list_calls"),
    ("GET", f"{ACCOUNTS}/Calls/{{Sid}}.json", "fetch_call"),
    ("POST", f"{ACCOUNTS}/Calls/{{Sid}}.json", "update_call"),
)
# The Inbound Processing Region API, served on routes.twilio.com (US1) only.
ROUTES_PHONE_NUMBER = "/v2/PhoneNumbers/{PhoneNumber}"
PATH_ACCOUNT = re.compile(r"^/2010-04-01/Accounts/([^/]+?)(?:/|\.json$|$)")


def _route_regex(template: str) -> re.Pattern[str]:
    pattern = re.escape(template)
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(pattern)


ROUTES = [(method, path, _route_regex(path), action) for method, path, action in SERVED]
ROUTES_PHONE_NUMBER_REGEX = _route_regex(ROUTES_PHONE_NUMBER)


class StandInHandler(BaseHTTPRequestHandler):
    """Answers one Twilio REST request per call of ``_handle``."""

    protocol_version = "HTTP/1.1"
    server_version = "twilio-standin"
    sys_version = ""
    server: StandInHTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _handle(self) -> None:
        store = self.server.store
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        form: dict[str, list[str]] = {}
        if body and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        auth = self.headers.get("Authorization")
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        target = regions.host_target(host)
        try:
            account: str | None = store.authenticate(auth, target[1]) if target else None
        except errors.TwilioApiError:
            account = None
        record = RecordedRequest(
            method=self.command,
            host=host,
            connect_host=store.tunnel_host(self.client_address[1]),
            path=url.path,
            query={name: values[-1] for name, values in query.items()},
            form=form,
            account_sid=account,
            headers={k: v for k, v in self.headers.items() if k.lower() != "authorization"},
            region=target[1] if target else None,
        )
        store.record(record)
        delay = store.delay_seconds
        if delay:
            time.sleep(delay)
        if store.unreachable:
            self.close_connection = True  # drop without an answer
            return
        try:
            failure = store.take_failure(url.path)
            if failure:
                raise errors.TwilioApiError(failure.status, failure.code, failure.message)
            status, payload = self._dispatch(url.path, query, form, auth, target)
        except errors.TwilioApiError as exc:
            status, payload = exc.status, exc.body()
        except Exception:  # a stand-in bug: answer like Twilio's 500 and print it
            traceback.print_exc(file=sys.stderr)
            status = 500
            payload = errors.TwilioApiError(500, errors.INTERNAL_ERROR, "Internal error").body()
        record.status = status
        self._send_json(status, payload)

    def _dispatch(
        self,
        path: str,
        query: Mapping[str, Sequence[str]],
        form: Mapping[str, Sequence[str]],
        auth: str | None,
        target: tuple[str, str] | None,
    ) -> tuple[int, dict[str, Any]]:
        store, contract = self.server.store, self.server.contract
        if target is None:
            raise errors.not_found(path)
        product, region = target
        account = store.authenticate(auth, region)  # Auth Tokens are per region
        if product == "routes" and region == regions.DEFAULT_REGION:
            return self._dispatch_routes(path, query, form, account)
        if product != "api":
            raise errors.not_found(path)
        in_path = PATH_ACCOUNT.match(path)
        if in_path and in_path.group(1) != account:
            raise errors.authenticate_error()
        for method, template, regex, action in ROUTES:
            match = regex.fullmatch(path)
            if not match or method != self.command:
                continue
            op = contract.operation(method, template)
            contract.validate_query(op, query)
            if method == "POST":
                contract.validate_form(op, form)
            sid = match.groupdict().get("Sid", "")
            if action == "list_numbers":
                return 200, store.list_numbers(op, account, query, region)
            if action == "fetch_number":
                return 200, store.fetch_number(account, sid, path, region)
            if action == "update_number":
                return 200, store.update_number(op, account, sid, path, form, region)
            if action == "list_calls":
                return 200, store.list_calls(op, account, query, region)
            if action == "create_call":
                return 201, store.create_call(op, account, form, region)
            if action == "fetch_call":
                return 200, store.fetch_call(account, sid, path, region)
            return 200, store.update_call(op, account, sid, path, form, region)
        raise errors.not_found(path)

    def _dispatch_routes(
        self, path: str, query: Mapping[str, Sequence[str]], form: Mapping[str, Sequence[str]], account: str
    ) -> tuple[int, dict[str, Any]]:
        """GET/POST /v2/PhoneNumbers/{PhoneNumber}: a number's inbound processing region."""
        store = self.server.store
        match = ROUTES_PHONE_NUMBER_REGEX.fullmatch(path)
        if not match or self.command not in ("GET", "POST"):
            raise errors.not_found(path)
        op = store.routes_contract.operation(self.command, ROUTES_PHONE_NUMBER)
        store.routes_contract.validate_query(op, query)
        phone_number = unquote(match["PhoneNumber"])
        if self.command == "GET":
            return 200, store.fetch_route(account, phone_number, path)
        store.routes_contract.validate_form(op, form)
        return 200, store.update_route(account, phone_number, path, form)

    def _send_json(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
        self.end_headers()
        self.wfile.write(data)


class StandInHTTPServer(ThreadingHTTPServer):
    """Threaded HTTPS server bound to an ephemeral port on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, store: Store, contract: Contract, ssl_context: ssl.SSLContext) -> None:
        self.store = store
        self.contract = contract
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), StandInHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def finish_request(self, request: Any, client_address: Any) -> None:
        """TLS handshake on the worker thread, then serve the connection."""
        request.settimeout(30)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with self._connections_lock:
            self._connections.add(tls)
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (ssl.SSLError, OSError):
            pass  # client went away mid-request
        finally:
            with self._connections_lock:
                self._connections.discard(tls)
            tls.close()

    def close_connections(self) -> None:
        """Drop every open client connection (used by stop())."""
        with self._connections_lock:
            open_now = list(self._connections)
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
