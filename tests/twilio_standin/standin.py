"""``TwilioStandIn``: start/stop the HTTPS server + proxy and drive their state.

Typical use (the pytest plugin does this for you)::

    standin = TwilioStandIn().start()
    os.environ.update(standin.env)       # or pass env= to a worker subprocess
    standin.add_account(sid, token)
    standin.add_number(sid, "+14155550123", voice_url="https://old.example/voice")
    Client(sid, token).incoming_phone_numbers.list(phone_number="+14155550123")
    standin.stop()

Regions are separate, as in Twilio: ``add_account(sid, ie1_token, region="ie1")`` gives the
account its IE1 Auth Token (a US1 token is refused at ``api.dublin.ie1.twilio.com``), every
number has one configuration record per region (``numbers(sid, region="ie1")``), calls live in
the region they were placed in (``calls(sid, region="ie1")``), and the number's inbound
processing region is read and set through the Routes API on ``routes.twilio.com`` (US1
credentials) or with ``inbound_region`` / ``set_inbound_region``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Self

from .certs import generate_tls_files
from .contract import SPEC_PATH, load_contract
from .handlers import StandInHTTPServer
from .proxy import ConnectProxy
from .store import Failure, RecordedRequest, Store

NO_PROXY = "127.0.0.1,localhost"


class TwilioStandIn:
    """A local Twilio REST API (2010-04-01, and Routes v2) reached through an HTTPS proxy."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.contract = load_contract(spec_path)
        self._store = Store(self.contract)
        self._lifecycle = threading.Lock()
        self._server: StandInHTTPServer | None = None
        self._proxy: ConnectProxy | None = None
        self._threads: list[threading.Thread] = []
        self._tmpdir: Path | None = None
        self._ca_bundle: Path | None = None

    # -------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        """Generate certificates and start both servers (no-op if running)."""
        with self._lifecycle:
            if self._server is not None:
                return self
            self._tmpdir = Path(tempfile.mkdtemp(prefix="twilio-standin-"))
            tls = generate_tls_files(self._tmpdir)
            self._ca_bundle = tls.ca_cert
            self._server = StandInHTTPServer(self._store, self.contract, tls.server_context())
            self._proxy = ConnectProxy(self._store, self._server.port)
            servers = ((self._server, "twilio-standin-https"), (self._proxy, "twilio-standin-proxy"))
            self._threads = [
                threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
                for srv, name in servers
            ]
            for thread in self._threads:
                thread.start()
            return self

    def stop(self) -> None:
        """Stop both servers, drop open connections, delete the certificates."""
        with self._lifecycle:
            if self._server is None or self._proxy is None:
                return
            self._proxy.closing = True
            for srv in (self._proxy, self._server):
                srv.shutdown()
                srv.server_close()
            self._proxy.close_tunnels()
            self._server.close_connections()
            for thread in self._threads:
                thread.join(timeout=5)
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._server = self._proxy = None
            self._threads, self._tmpdir, self._ca_bundle = [], None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the CONNECT proxy."""
        if self._proxy is None:
            raise RuntimeError("TwilioStandIn is not started")
        return f"http://127.0.0.1:{self._proxy.port}"

    @property
    def ca_bundle(self) -> str:
        """Path of the throwaway CA certificate (PEM)."""
        if self._ca_bundle is None:
            raise RuntimeError("TwilioStandIn is not started")
        return str(self._ca_bundle)

    @property
    def env(self) -> dict[str, str]:
        """Environment that routes ``requests``/``twilio`` traffic to the stand-in.

        Lower-case twins are included because ``requests`` prefers ``https_proxy``
        over ``HTTPS_PROXY`` when both exist in the environment.
        """
        proxy = self.proxy_url
        return {
            "HTTPS_PROXY": proxy,
            "https_proxy": proxy,
            "REQUESTS_CA_BUNDLE": self.ca_bundle,
            "NO_PROXY": NO_PROXY,
            "no_proxy": NO_PROXY,
        }

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget accounts, numbers, calls, requests, failures; reachable, no delay."""
        self._store.reset()

    def add_account(self, sid: str, token: str, region: str = "us1") -> None:
        """Allow HTTP Basic ``sid:token`` in ``region`` (sid must look like ``AC`` + 32 hex).

        Call once per region the test uses: each region has its own Auth Token."""
        self._store.add_account(sid, token, region)

    def add_number(
        self, account_sid: str, phone_number: str, *, region: str = "us1", voice: bool = True, **fields: Any
    ) -> dict[str, Any]:
        """Give the account an IncomingPhoneNumber (in every region) and return its record in
        ``region``; ``fields`` are JSON field names of that record (``voice_url=``,
        ``voice_application_sid=``, ``trunk_sid=``, ...). ``voice=False``: a messaging-only number.
        Called again for the same number, it sets ``fields`` on the ``region`` record."""
        if not voice:
            fields = {"capabilities": {"voice": False, "sms": True, "mms": True, "fax": False}, **fields}
        return self._store.add_number(account_sid, phone_number, fields, region)

    def numbers(self, account_sid: str, region: str = "us1") -> list[dict[str, Any]]:
        """Current state of the account's numbers' records in ``region`` (copies)."""
        return self._store.numbers(account_sid, region)

    def inbound_region(self, account_sid: str, phone_number: str) -> str:
        """The region that processes the number's incoming calls (Routes API ``voice_region``)."""
        return self._store.inbound_region(account_sid, phone_number)

    def set_inbound_region(self, account_sid: str, phone_number: str, region: str) -> None:
        """Route the number's incoming calls to ``region``, as if set in the Twilio Console."""
        self._store.set_inbound_region(account_sid, phone_number, region)

    def calls(self, account_sid: str, region: str = "us1") -> list[dict[str, Any]]:
        """The account's calls in ``region``: JSON fields + create parameters as received
        (``"To"``, ``"StatusCallbackEvent": [...]``) + ``"updates"`` (list of forms)."""
        return self._store.calls(account_sid, region)

    def add_call(
        self,
        account_sid: str,
        sid: str | None = None,
        *,
        status: str = "in-progress",
        to: str | None = None,
        from_: str | None = None,
        region: str = "us1",
        **fields: Any,
    ) -> dict[str, Any]:
        """A call Twilio knows that no ``calls.create`` made: by default an incoming call to
        the account's first number (``to=`` another), from ``from_``, processed in ``region``.
        ``fields`` are JSON field names (``start_time=`` a datetime, ``direction=`` …)."""
        fields = {**fields, **({"to": to} if to else {}), **({"from": from_} if from_ else {})}
        return self._store.add_call(account_sid, sid, status, fields, region)

    def set_call_status(self, account_sid: str, call_sid: str, status: str) -> dict[str, Any]:
        """Move a call along (e.g. ``in-progress``) as the carrier would."""
        return self._store.set_call_status(account_sid, call_sid, status)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (oldest first)."""
        return self._store.requests

    @property
    def connect_hosts(self) -> list[str]:
        """Targets of every proxy CONNECT so far (including refused ones)."""
        with self._store.lock:
            return list(self._store.connect_hosts)

    def fail_next(
        self,
        status: int = 503,
        code: int = 20500,
        message: str = "Service unavailable",
        times: int = 1,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with this Twilio error."""
        self._store.fail_next(Failure(status, code, message, times, path_contains))

    @property
    def unreachable(self) -> bool:
        """While True, CONNECT gets 502 and open tunnels are cut."""
        with self._store.lock:
            return self._store.unreachable

    @unreachable.setter
    def unreachable(self, value: bool) -> None:
        with self._store.lock:
            self._store.unreachable = bool(value)
        if value and self._proxy is not None:
            self._proxy.close_tunnels()

    @property
    def delay_seconds(self) -> float:
        """Latency added before answering each request."""
        with self._store.lock:
            return self._store.delay_seconds

    @delay_seconds.setter
    def delay_seconds(self, value: float) -> None:
        with self._store.lock:
            self._store.delay_seconds = float(value)
