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

from . import call_log, errors, regions, resources
from .contract import ROUTES_SPEC_PATH, Contract, Operation, load_contract
from .regions import DEFAULT_REGION

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
    region: str | None = None  # the Twilio region the host name addresses (None: no such host)

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

    def __init__(self, contract: Contract, routes_contract: Contract | None = None) -> None:
        self.contract = contract
        self.routes_contract = routes_contract or load_contract(ROUTES_SPEC_PATH)
        self.lock = threading.RLock()
        self.unreachable = False
        self.delay_seconds = 0.0
        self._tunnels: dict[int, str] = {}
        self.connect_hosts: list[str] = []
        self.reset()

    def reset(self) -> None:
        """Forget accounts, numbers, calls, requests and failure injections."""
        with self.lock:
            self._accounts: dict[str, dict[str, str]] = {}  # AccountSid -> {region: Auth Token}
            self._numbers: dict[str, dict[str, Any]] = {}  # the US1 records, by PN sid
            self._regional_numbers: dict[str, dict[str, dict[str, Any]]] = {}  # region -> PN sid -> record
            self._routes: dict[str, dict[str, Any]] = {}  # PN sid -> its inbound processing region record
            self._call_regions: dict[str, str] = {}  # CA sid -> the region the call was placed in
            self._calls: dict[str, dict[str, Any]] = {}
            self._call_params: dict[str, dict[str, Any]] = {}
            self._requests: list[RecordedRequest] = []
            self._failures: list[Failure] = []
            self.connect_hosts = []
            self.unreachable = False
            self.delay_seconds = 0.0

    # ------------------------------------------------------------ test set-up
    def add_account(self, sid: str, token: str, region: str = DEFAULT_REGION) -> None:
        if not ACCOUNT_SID.match(sid):
            raise ValueError(f"{sid!r} is not an Account SID (AC + 32 hex digits)")
        regions.check_region(region)
        with self.lock:
            self._accounts.setdefault(sid, {})[region] = token

    def add_number(
        self, account_sid: str, phone_number: str, fields: Mapping[str, Any], region: str = DEFAULT_REGION
    ) -> dict:
        """The number in every region of the account; ``fields`` set its record in ``region``."""
        regions.check_region(region)
        with self.lock:
            if account_sid not in self._accounts:
                raise ValueError(f"add_account({account_sid!r}, ...) first")
            number = next((n for n in self._own_numbers(account_sid) if n["phone_number"] == phone_number), None)
            if number is None:
                own = fields if region == DEFAULT_REGION else {}
                identity = {k: v for k, v in fields.items() if k not in regions.CONFIG_FIELDS}
                number = resources.new_number(self.contract, account_sid, phone_number, {**identity, **own})
                self._numbers[number["sid"]] = number
                for other in regions.PROCESSING_REGIONS:
                    if other != DEFAULT_REGION:
                        copied = regions.regional_copy(self.contract, number)
                        self._regional_numbers.setdefault(other, {})[number["sid"]] = copied
                self._routes[number["sid"]] = regions.new_route(account_sid, phone_number)
            record = self._region_numbers(region)[number["sid"]]
            unknown = sorted(set(fields) - set(record))
            if unknown:
                raise TypeError(f"not {resources.NUMBER_SCHEMA} fields: {unknown}")
            record.update(fields)
            return copy.deepcopy(record)

    def numbers(self, account_sid: str, region: str = DEFAULT_REGION) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._own_numbers(account_sid, region))

    def inbound_region(self, account_sid: str, phone_number: str) -> str:
        """The region Twilio processes the number's incoming calls in (its VoiceRegion)."""
        with self.lock:
            return self._route(account_sid, phone_number, phone_number)["voice_region"]

    def set_inbound_region(self, account_sid: str, phone_number: str, region: str) -> None:
        with self.lock:
            route = self._route(account_sid, phone_number, phone_number)
            regions.update_route(route, {"VoiceRegion": [region]})

    def calls(self, account_sid: str, region: str = DEFAULT_REGION) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {**copy.deepcopy(call), **copy.deepcopy(self._call_params[sid])}
                for sid, call in self._calls.items()
                if call["account_sid"] == account_sid and self._call_regions.get(sid, DEFAULT_REGION) == region
            ]

    def add_call(
        self, account_sid: str, sid: str | None, status: str, fields: Mapping[str, Any], region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        regions.check_region(region)
        with self.lock:
            if account_sid not in self._accounts:
                raise ValueError(f"add_account({account_sid!r}, ...) first")
            own = self._own_numbers(account_sid, region)
            to = fields.get("to")
            number = next((n for n in own if n["phone_number"] == to), None) if to else next(iter(own), None)
            call = call_log.new_call(self.contract, account_sid, number, sid, status, fields)
            self._calls[call["sid"]] = call
            self._call_params[call["sid"]] = {"updates": []}
            self._call_regions[call["sid"]] = region
            return copy.deepcopy(call)

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

    def authenticate(self, header: str | None, region: str = DEFAULT_REGION) -> str:
        """The Account SID of a valid ``Authorization: Basic`` header, else 401.

        Auth Tokens are per region: a token from another region is refused like a wrong one
        (https://www.twilio.com/docs/global-infrastructure/manage-regional-api-credentials).
        """
        if not header or not header.lower().startswith("basic "):
            raise errors.authenticate_error()
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise errors.authenticate_error() from exc
        with self.lock:
            if self._accounts.get(user, {}).get(region) != password or not password:
                raise errors.authenticate_error()
        return user

    # ------------------------------------------------------------ operations
    def list_numbers(
        self, op: Operation, account_sid: str, query: Mapping[str, Sequence[str]], region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        with self.lock:
            numbers = self._own_numbers(account_sid, region)
            return copy.deepcopy(resources.list_page(self.contract, op, account_sid, numbers, query))

    def fetch_number(self, account_sid: str, sid: str, path: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
        with self.lock:
            return self._render_number(self._number(account_sid, sid, path, region))

    def update_number(
        self, op: Operation, account_sid: str, sid: str, path: str, form: Mapping, region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        with self.lock:
            number = self._number(account_sid, sid, path, region)
            new_owner = form.get("AccountSid", [account_sid])[-1] or account_sid
            if new_owner not in self._accounts:
                raise errors.bad_request(errors.BAD_REQUEST, f"Unknown AccountSid {new_owner}")
            resources.update_number(op, number, form)
            if new_owner != account_sid:  # the number moves, in every region
                for record in [self._numbers[sid], *(rs[sid] for rs in self._regional_numbers.values())]:
                    record["account_sid"] = new_owner
                    record["uri"] = record["uri"].replace(account_sid, new_owner)
                self._routes[sid]["account_sid"] = new_owner
            return self._render_number(number)

    def create_call(
        self, op: Operation, account_sid: str, form: Mapping, region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        params = resources.call_params(op, form)
        with self.lock:
            own = self._own_numbers(account_sid, region)
            call = resources.new_call(self.contract, account_sid, own, params)
            self._calls[call["sid"]] = call
            self._call_params[call["sid"]] = {**params, "updates": []}
            self._call_regions[call["sid"]] = region
            return self._render_call(call)

    def list_calls(
        self, op: Operation, account_sid: str, query: Mapping[str, Sequence[str]], region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        with self.lock:
            calls = [
                c
                for sid, c in self._calls.items()
                if c["account_sid"] == account_sid and self._call_regions.get(sid, DEFAULT_REGION) == region
            ]
            return copy.deepcopy(call_log.call_page(self.contract, op, account_sid, calls, query))

    def fetch_call(self, account_sid: str, sid: str, path: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
        with self.lock:
            return self._render_call(self._call(account_sid, sid, path, region))

    def update_call(
        self, op: Operation, account_sid: str, sid: str, path: str, form: Mapping, region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        params = resources.call_params(op, form)
        with self.lock:
            call = self._call(account_sid, sid, path, region)
            resources.update_call(call, params)
            self._call_params[sid]["updates"].append(params)
            return self._render_call(call)

    def fetch_route(self, account_sid: str, phone_number: str, path: str) -> dict[str, Any]:
        with self.lock:
            return self._render_route(self._route(account_sid, phone_number, path))

    def update_route(self, account_sid: str, phone_number: str, path: str, form: Mapping) -> dict[str, Any]:
        with self.lock:
            route = self._route(account_sid, phone_number, path)
            regions.update_route(route, form)
            return self._render_route(route)

    # --------------------------------------------------------------- helpers
    def _region_numbers(self, region: str) -> dict[str, dict[str, Any]]:
        if region == DEFAULT_REGION:
            return self._numbers
        return self._regional_numbers.setdefault(region, {})

    def _own_numbers(self, account_sid: str, region: str = DEFAULT_REGION) -> list[dict[str, Any]]:
        return [n for n in self._region_numbers(region).values() if n["account_sid"] == account_sid]

    def _number(self, account_sid: str, sid: str, path: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
        number = self._region_numbers(region).get(sid)
        if number is None or number["account_sid"] != account_sid:
            raise errors.not_found(path)
        return number

    def _call(self, account_sid: str, sid: str, path: str, region: str | None = None) -> dict[str, Any]:
        """The account's call ``sid``; with ``region``, only if it was placed there (regions are isolated)."""
        call = self._calls.get(sid)
        if call is None or call["account_sid"] != account_sid:
            raise errors.not_found(path)
        if region is not None and self._call_regions.get(sid, DEFAULT_REGION) != region:
            raise errors.not_found(path)
        return call

    def _route(self, account_sid: str, phone_number: str, path: str) -> dict[str, Any]:
        number = next((n for n in self._own_numbers(account_sid) if n["phone_number"] == phone_number), None)
        if number is None:
            raise errors.not_found(path)
        return self._routes[number["sid"]]

    def _render_route(self, route: dict[str, Any]) -> dict[str, Any]:
        self.routes_contract.check_resource(regions.ROUTE_SCHEMA, route)
        return copy.deepcopy(route)

    def _render_number(self, number: dict[str, Any]) -> dict[str, Any]:
        self.contract.check_resource(resources.NUMBER_SCHEMA, number)
        return copy.deepcopy(number)

    def _render_call(self, call: dict[str, Any]) -> dict[str, Any]:
        self.contract.check_resource(resources.CALL_SCHEMA, call)
        return copy.deepcopy(call)
