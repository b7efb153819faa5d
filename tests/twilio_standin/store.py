"""Thread-safe state of the Twilio stand-in.

Accounts, numbers, calls, recorded requests, injected failures, and the CONNECT
targets reported by the proxy all live here behind one re-entrant lock, because
requests arrive on the HTTPS server's and the proxy's worker threads.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import errors, resources
from .contract import Contract, Operation

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


@dataclass
class RecordedRequest:
    """One HTTP request as the stand-in received it.

    ``host`` is the Host header (without port), ``connect_host`` the target of the
    proxy CONNECT that carried it (None for a direct connection).  ``query`` keeps
    the last value per name; ``form`` keeps every value (``{"StatusCallbackEvent":
    ["initiated", "answered"]}``).  Item access (``req["path"]``) also works.
    """

    method: str
    host: str
    connect_host: str | None
    path: str
    query: dict[str, str]
    form: dict[str, list[str]]
    account_sid: str | None
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class Failure:
    """An injected error answered instead of the next matching request(s)."""

    status: int
    code: int
    message: str
    times: int
    path_contains: str | None


class Store:
    """All mutable stand-in state; every public method takes the lock."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.lock = threading.RLock()
        self.unreachable = False
        self.delay_seconds = 0.0
        self._tunnels: dict[int, str] = {}
        self.connect_hosts: list[str] = []
        self.reset()

    def reset(self) -> None:
        """Forget accounts, numbers, calls, requests and failure injections."""
        with self.lock:
            self._accounts: dict[str, str] = {}
            self._numbers: dict[str, dict[str, Any]] = {}
            self._calls: dict[str, dict[str, Any]] = {}
            self._call_params: dict[str, dict[str, Any]] = {}
            self._requests: list[RecordedRequest] = []
            self._failures: list[Failure] = []
            self.connect_hosts = []
            self.unreachable = False
            self.delay_seconds = 0.0

    # ------------------------------------------------------------ test set-up
    def add_account(self, sid: str, token: str) -> None:
        if not ACCOUNT_SID.match(sid):
            raise ValueError(f"{sid!r} is not an Account SID (AC + 32 hex digits)")
        with self.lock:
            self._accounts[sid] = token

    def add_number(self, account_sid: str, phone_number: str, fields: Mapping[str, Any]) -> dict:
        with self.lock:
            if account_sid not in self._accounts:
                raise ValueError(f"add_account({account_sid!r}, ...) first")
            number = resources.new_number(self.contract, account_sid, phone_number, fields)
            self._numbers[number["sid"]] = number
            return copy.deepcopy(number)

    def numbers(self, account_sid: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._own_numbers(account_sid))

    def calls(self, account_sid: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {**copy.deepcopy(call), **copy.deepcopy(self._call_params[sid])}
                for sid, call in self._calls.items()
                if call["account_sid"] == account_sid
            ]

    def set_call_status(self, account_sid: str, call_sid: str, status: str) -> dict[str, Any]:
        with self.lock:
            call = self._call(account_sid, call_sid, call_sid)
            resources.set_call_status(call, status)
            return copy.deepcopy(call)

    def fail_next(self, failure: Failure) -> None:
        with self.lock:
            self._failures.append(failure)

    # ------------------------------------------------------ request plumbing
    @property
    def requests(self) -> list[RecordedRequest]:
        with self.lock:
            return list(self._requests)

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self._requests.append(request)

    def take_failure(self, path: str) -> Failure | None:
        """The injected failure for ``path``, consuming one of its ``times``."""
        with self.lock:
            for failure in self._failures:
                if failure.path_contains is None or failure.path_contains in path:
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    def open_tunnel(self, local_port: int, host: str) -> None:
        with self.lock:
            self._tunnels[local_port] = host

    def close_tunnel(self, local_port: int) -> None:
        with self.lock:
            self._tunnels.pop(local_port, None)

    def tunnel_host(self, peer_port: int) -> str | None:
        with self.lock:
            return self._tunnels.get(peer_port)

    def note_connect(self, host: str) -> None:
        with self.lock:
            self.connect_hosts.append(host)

    def authenticate(self, header: str | None) -> str:
        """The Account SID of a valid ``Authorization: Basic`` header, else 401."""
        if not header or not header.lower().startswith("basic "):
            raise errors.authenticate_error()
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise errors.authenticate_error() from exc
        with self.lock:
            if self._accounts.get(user) != password or not password:
                raise errors.authenticate_error()
        return user

    # ------------------------------------------------------------ operations
    def list_numbers(self, op: Operation, account_sid: str, query: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        with self.lock:
            numbers = self._own_numbers(account_sid)
            return copy.deepcopy(resources.list_page(self.contract, op, account_sid, numbers, query))

    def fetch_number(self, account_sid: str, sid: str, path: str) -> dict[str, Any]:
        with self.lock:
            return self._render_number(self._number(account_sid, sid, path))

    def update_number(self, op: Operation, account_sid: str, sid: str, path: str, form: Mapping) -> dict[str, Any]:
        with self.lock:
            number = self._number(account_sid, sid, path)
            new_owner = form.get("AccountSid", [account_sid])[-1] or account_sid
            if new_owner not in self._accounts:
                raise errors.bad_request(errors.BAD_REQUEST, f"Unknown AccountSid {new_owner}")
            resources.update_number(op, number, form)
            if new_owner != account_sid:
                number["account_sid"] = new_owner
                number["uri"] = number["uri"].replace(account_sid, new_owner)
            return self._render_number(number)

    def create_call(self, op: Operation, account_sid: str, form: Mapping) -> dict[str, Any]:
        params = resources.call_params(op, form)
        with self.lock:
            own = self._own_numbers(account_sid)
            call = resources.new_call(self.contract, account_sid, own, params)
            self._calls[call["sid"]] = call
            self._call_params[call["sid"]] = {**params, "updates": []}
            return self._render_call(call)

    def fetch_call(self, account_sid: str, sid: str, path: str) -> dict[str, Any]:
        with self.lock:
            return self._render_call(self._call(account_sid, sid, path))

    def update_call(self, op: Operation, account_sid: str, sid: str, path: str, form: Mapping) -> dict[str, Any]:
        params = resources.call_params(op, form)
        with self.lock:
            call = self._call(account_sid, sid, path)
            resources.update_call(call, params)
            self._call_params[sid]["updates"].append(params)
            return self._render_call(call)

    # --------------------------------------------------------------- helpers
    def _own_numbers(self, account_sid: str) -> list[dict[str, Any]]:
        return [n for n in self._numbers.values() if n["account_sid"] == account_sid]

    def _number(self, account_sid: str, sid: str, path: str) -> dict[str, Any]:
        number = self._numbers.get(sid)
        if number is None or number["account_sid"] != account_sid:
            raise errors.not_found(path)
        return number

    def _call(self, account_sid: str, sid: str, path: str) -> dict[str, Any]:
        call = self._calls.get(sid)
        if call is None or call["account_sid"] != account_sid:
            raise errors.not_found(path)
        return call

    def _render_number(self, number: dict[str, Any]) -> dict[str, Any]:
        self.contract.check_resource(resources.NUMBER_SCHEMA, number)
        return copy.deepcopy(number)

    def _render_call(self, call: dict[str, Any]) -> dict[str, Any]:
        self.contract.check_resource(resources.CALL_SCHEMA, call)
        return copy.deepcopy(call)
